//! How far a configuration misses an objective: the value judged (the pessimistic end
//! of its interval) against the threshold, as a difference and as a percentage of the
//! threshold.

use crate::slo::{ObjectiveVerdict, show};
use lambdasim_model::Objective;
use serde::Serialize;

/// One objective a configuration fails, and by how much.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Failure {
    /// `account` or the function's name.
    pub scope: String,
    /// The metric's name.
    pub metric: &'static str,
    /// The threshold as written: `< 800`.
    pub threshold: String,
    /// The value judged: the interval's pessimistic end (the value with one seed).
    pub judged: f64,
    /// `judged` minus the threshold (negative when a `>` or `>=` objective is missed).
    pub difference: f64,
    /// `difference` as a percentage of the threshold; absent for a threshold of 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference_pct: Option<f64>,
    /// Runs without the measure (which fail it whatever the others say).
    #[serde(skip_serializing_if = "is_zero")]
    pub runs_without_value: usize,
    /// The threshold's number, for the text.
    #[serde(skip)]
    limit: f64,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Failure {
    /// The failure of `verdict`, the verdict on `objective`; `None` when it is met.
    pub fn of(objective: &Objective, verdict: &ObjectiveVerdict) -> Option<Failure> {
        if verdict.met {
            return None;
        }
        let difference = verdict.judged - objective.threshold;
        Some(Failure {
            scope: verdict.scope.clone(),
            metric: verdict.metric,
            threshold: verdict.threshold.clone(),
            judged: verdict.judged,
            difference,
            difference_pct: (objective.threshold != 0.0)
                .then(|| difference / objective.threshold.abs() * 100.0),
            runs_without_value: verdict.runs_without_value,
            limit: objective.threshold,
        })
    }
}

impl std::fmt::Display for Failure {
    /// `checkout latency_p99_ms 912.4 > 800 (+14.1 %)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.runs_without_value > 0 {
            let n = self.runs_without_value;
            let plural = if n == 1 { "" } else { "s" };
            return write!(
                f,
                "{} {}: no value in {n} run{plural}, needs {}",
                self.scope, self.metric, self.threshold
            );
        }
        let relation = match self.difference {
            d if d > 0.0 => ">",
            d if d < 0.0 => "<",
            _ => "=",
        };
        let by = match self.difference_pct {
            Some(pct) => format!("{pct:+.1} %"),
            None if self.difference < 0.0 => show(self.difference),
            None => format!("+{}", show(self.difference)),
        };
        write!(
            f,
            "{} {} {} {relation} {} ({by})",
            self.scope,
            self.metric,
            show(self.judged),
            self.limit
        )
    }
}
