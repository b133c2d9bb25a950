//! The SLO section: each configuration's verdict on every objective, with the value
//! judged and, with several seeds, the mean's 95 % confidence interval.

use super::{ReportVariant, escape};
use crate::slo::{ObjectiveVerdict, Verdict, cheapest, show};
use lambdasim_model::Objective;
use std::fmt::Write;

/// Writes the section; nothing for a scenario without `slo:`.
pub fn section(
    page: &mut String,
    variants: &[ReportVariant<'_>],
    objectives: &[Objective],
    verdicts: &[Verdict],
) {
    if objectives.is_empty() {
        return;
    }
    let met = verdicts.iter().filter(|v| v.met).count();
    let lead = match (met, cheapest(verdicts)) {
        (0, _) | (_, None) => format!(
            "No configuration meets every objective ({} judged).",
            verdicts.len()
        ),
        (_, Some(best)) => format!(
            "{met} of {} configurations meet every objective; the cheapest is {} at ${:.4}.",
            verdicts.len(),
            variants[best].summary.name,
            verdicts[best].cost_usd
        ),
    };
    let seeds = verdicts
        .iter()
        .flat_map(|v| &v.objectives)
        .any(|o| o.ci95.is_some());
    let how = if seeds {
        " Each cell is the mean over the seeds with its 95 % confidence interval; an \
         objective is met only when the interval's pessimistic end is."
    } else {
        ""
    };
    let _ = write!(
        page,
        "<section id=\"slo\">\n<h2>SLO</h2>\n<p class=\"lead\">{}{how}</p>\n\
         <table class=\"numbers\">\n<thead><tr><th>configuration</th><th>SLO</th>",
        escape(&lead)
    );
    for objective in objectives {
        let _ = write!(page, "<th>{}</th>", escape(&objective.to_string()));
    }
    page.push_str("</tr></thead>\n<tbody>\n");
    for (variant, verdict) in variants.iter().zip(verdicts) {
        let _ = write!(
            page,
            "<tr><th scope=\"row\">{}</th><td class=\"{}\">{}</td>",
            escape(variant.summary.name),
            class(verdict.met),
            if verdict.met { "meets" } else { "fails" }
        );
        for o in &verdict.objectives {
            let _ = write!(page, "<td class=\"{}\">{}</td>", class(o.met), cell(o));
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody>\n</table>\n</section>\n");
}

fn class(met: bool) -> &'static str {
    if met { "good" } else { "bad" }
}

/// `912.4 <small>(850.1 to 974.7)</small>`, or why there is no value.
fn cell(o: &ObjectiveVerdict) -> String {
    if o.runs_without_value > 0 {
        return "no value (nothing served)".to_string();
    }
    match o.ci95 {
        Some([low, high]) => format!(
            "{} <small>({} to {})</small>",
            show(o.mean),
            show(low),
            show(high)
        ),
        None => show(o.mean),
    }
}
