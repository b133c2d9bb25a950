//! The decision section a plan opens the report with: the configuration chosen in one
//! sentence, the cheaper ones and why they fail, and the decision charts.

use super::{escape, figure};
use crate::charts::Chart;
use crate::plan::Plan;
use std::fmt::Write;

/// How to read a decision chart.
const CAPTION: &str = "Each configuration run is a point: its cost (the account's bill, \
     mean over the seeds) against the objective's measure (the mean, with its 95 % \
     interval as a bar when there are several seeds). Blue points meet every objective, \
     grey ones fail at least one; the shaded side of the dashed threshold misses this \
     objective; ringed points are the Pareto frontier (nothing run is both cheaper and \
     better); the green ring is the configuration chosen. Labels compare each point \
     with the first configuration run, the baseline. Nothing is drawn between points: \
     configurations not run were not simulated.";

/// Writes the section.
pub(super) fn section(page: &mut String, plan: &Plan, charts: &[Chart]) {
    page.push_str("<section id=\"decision\">\n<h2>Decision</h2>\n");
    let s = &plan.search;
    let seeds = match plan.seeds {
        1 => String::new(),
        n => format!(" (mean over {n} seeds)"),
    };
    let ran = format!(
        "{} of the {} configurations were run",
        s.configurations_run, s.grid_size
    );
    let _ = match &plan.chosen {
        Some(c) => writeln!(
            page,
            "<p class=\"lead\">The cheapest configuration that meets every objective is \
             <strong>{}</strong>, at ${:.4} a run{seeds}; {ran}.</p>",
            escape(&c.name),
            c.cost_usd
        ),
        None => writeln!(
            page,
            "<p class=\"lead\">No configuration run meets every objective; {ran}.</p>"
        ),
    };
    let method = match &s.key {
        Some(key) => format!(
            "Bisection along <code>{}</code> for each of the {} combinations of the other \
             settings, checking the step above each answer.",
            escape(key),
            s.lines
        ),
        None => "Every configuration was run: no concurrency key to bisect along.".to_string(),
    };
    let _ = writeln!(page, "<p>{method}</p>");
    let cheaper: Vec<String> = plan
        .rejected
        .iter()
        .filter(|r| r.cheaper)
        .map(|r| {
            let failures: Vec<String> = r.failures.iter().map(ToString::to_string).collect();
            format!(
                "<li><strong>{}</strong> (${:.4}): {}</li>",
                escape(&r.name),
                r.cost_usd,
                escape(&failures.join("; "))
            )
        })
        .collect();
    if !cheaper.is_empty() {
        let _ = writeln!(
            page,
            "<p>Cheaper configurations run, and the objectives they fail (the value judged \
             against the threshold):</p>\n<ul class=\"rejected\">\n{}\n</ul>",
            cheaper.join("\n")
        );
    }
    for chart in charts {
        figure(page, chart, CAPTION);
    }
    page.push_str("</section>\n");
}
