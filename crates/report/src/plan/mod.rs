//! `lambdasim plan` (or `objective: cost`): the cheapest configuration that meets every
//! objective of `slo:`, and why each cheaper one does not.
//!
//! [`search`] decides which configurations to run (a bisection along a concurrency
//! key, see its module) and asks its caller to run them, so that this crate never
//! simulates; [`Plan`] gathers the verdicts into `plan.json` and the terminal's summary.
//! A configuration's cost is the account's bill, mean over its seeds; it meets the SLO
//! when the pessimistic end of each measure's 95 % interval does (`crate::slo`).

mod margin;
pub mod search;

pub use margin::Failure;
pub use search::{Candidate, ConfigId, Lines, Outcome};

use crate::slo::{ObjectiveVerdict, Verdict, cheapest};
use lambdasim_model::Objective;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::{self, Write};

/// One configuration the plan ran, with its verdict.
#[derive(Clone, Copy, Debug)]
pub struct Judged<'a> {
    /// Its place among every configuration of the scenario.
    pub id: ConfigId,
    /// Its name (`pc=20,mem=1024`).
    pub name: &'a str,
    /// How it fared against the SLO, and its mean cost.
    pub verdict: &'a Verdict,
}

/// How the search went: what it ran against what the full grid would have.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchSummary {
    /// `bisection` along `key`, or `grid` (every configuration) when no key qualifies.
    pub method: &'static str,
    /// The key bisected along.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// How many lines were searched (combinations of the other settings).
    pub lines: usize,
    /// The configurations run.
    pub configurations_run: usize,
    /// The configurations the full grid has.
    pub grid_size: usize,
    /// The lines (by their first configuration's name) whose neighbour check found
    /// them not monotone near their answer, and which were then run below it in full.
    pub non_monotone_lines: Vec<String>,
}

/// A configuration that meets the SLO, with its measures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Chosen {
    pub name: String,
    /// The account's bill, mean over the seeds.
    pub cost_usd: f64,
    /// Each objective's mean, interval and value judged.
    pub objectives: Vec<ObjectiveVerdict>,
}

/// A configuration run that fails the SLO, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rejected {
    pub name: String,
    /// The account's bill, mean over the seeds.
    pub cost_usd: f64,
    /// Whether it costs less than the configuration chosen (every one does when none is).
    pub cheaper: bool,
    /// The objectives it fails, in the scenario's order, with their margins.
    pub failures: Vec<Failure>,
}

/// The plan: `plan.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    pub scenario: String,
    /// The objectives, as `checkout latency_p99_ms < 800`.
    pub slo: Vec<String>,
    /// Seeds per configuration.
    pub seeds: u64,
    pub search: SearchSummary,
    /// The cheapest configuration that meets the SLO (the first of equals); `null`
    /// when none run does.
    pub chosen: Option<Chosen>,
    /// Every configuration run that fails, in the scenario's order.
    pub rejected: Vec<Rejected>,
}

impl Plan {
    /// The plan from the configurations `judged` (in the scenario's order) after a
    /// search over `lines` with `outcome`, out of `grid_size` configurations.
    pub fn new(
        scenario: &str,
        objectives: &[Objective],
        seeds: u64,
        judged: &[Judged<'_>],
        lines: &Lines,
        outcome: &Outcome,
        grid_size: usize,
    ) -> Plan {
        let verdicts: Vec<Verdict> = judged.iter().map(|j| j.verdict.clone()).collect();
        let chosen = cheapest(&verdicts).map(|k| Chosen {
            name: judged[k].name.to_string(),
            cost_usd: verdicts[k].cost_usd,
            objectives: verdicts[k].objectives.clone(),
        });
        let limit = chosen.as_ref().map_or(f64::INFINITY, |c| c.cost_usd);
        let rejected = judged
            .iter()
            .filter(|j| !j.verdict.met)
            .map(|j| Rejected {
                name: j.name.to_string(),
                cost_usd: j.verdict.cost_usd,
                cheaper: j.verdict.cost_usd < limit,
                failures: objectives
                    .iter()
                    .zip(&j.verdict.objectives)
                    .filter_map(|(o, v)| Failure::of(o, v))
                    .collect(),
            })
            .collect();
        let name_of = |id: ConfigId| {
            judged
                .iter()
                .find(|j| j.id == id)
                .map_or_else(|| format!("#{}", id.0), |j| j.name.to_string())
        };
        Plan {
            scenario: scenario.to_string(),
            slo: objectives.iter().map(ToString::to_string).collect(),
            seeds,
            search: SearchSummary {
                method: if lines.key.is_some() {
                    "bisection"
                } else {
                    "grid"
                },
                key: lines.key.clone(),
                lines: lines.lines.len(),
                configurations_run: judged.len(),
                grid_size,
                non_monotone_lines: outcome.non_monotone.iter().map(|&id| name_of(id)).collect(),
            },
            chosen,
            rejected,
        }
    }

    /// Writes `plan.json`, pretty-printed, ending with a newline.
    pub fn write_json(&self, mut w: impl Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut w, self)?;
        writeln!(w)?;
        w.flush()
    }

    /// The terminal's summary: what ran, the configuration chosen, and each cheaper
    /// configuration with the objectives it fails and by how much.
    pub fn render(&self) -> String {
        let s = &self.search;
        let mut out = format!(
            "\nplan: ran {} of {} configurations",
            s.configurations_run, s.grid_size
        );
        let _ = match &s.key {
            Some(key) => writeln!(
                out,
                " (bisection along {key}, {} line{})",
                s.lines,
                if s.lines == 1 { "" } else { "s" }
            ),
            None => writeln!(out, " (the full grid: no concurrency key to bisect along)"),
        };
        for line in &s.non_monotone_lines {
            let _ = writeln!(
                out,
                "  the line of {line} is not monotone near its answer: ran every value below it"
            );
        }
        let over = if self.seeds > 1 {
            format!(" (mean over {} seeds)", self.seeds)
        } else {
            String::new()
        };
        let _ = match &self.chosen {
            Some(c) => writeln!(out, "chosen: {} at ${:.4}{over}", c.name, c.cost_usd),
            None => writeln!(out, "no configuration run meets the SLO"),
        };
        let cheaper: Vec<&Rejected> = self.rejected.iter().filter(|r| r.cheaper).collect();
        if !cheaper.is_empty() {
            let what = if self.chosen.is_some() {
                "cheaper configurations"
            } else {
                "configurations"
            };
            let _ = writeln!(out, "{what} that fail:");
        }
        for r in cheaper {
            let failures: Vec<String> = r.failures.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                out,
                "  {} at ${:.4}: {}",
                r.name,
                r.cost_usd,
                failures.join("; ")
            );
        }
        out
    }
}

#[cfg(test)]
mod tests;
