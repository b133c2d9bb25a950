//! Simulated against observed: what a function did in production (CloudWatch metrics
//! per period, read by the scenario), set beside what the run simulated, per period.
//!
//! The run's buckets are folded into the observed periods as the run streams them
//! ([`ObservedFold`]): summed for counts, the maximum for concurrency, so that both
//! sides of each [`Comparison`] mean the same thing. A bucket counts in the period its
//! start falls in; with a resolution that divides the observed period (1 minute for
//! CloudWatch's 1-minute points) every bucket lies wholly inside one.

mod fold;
mod stats;

pub use fold::ObservedFold;
pub use stats::{Errors, Totals};

use lambdasim_model::ObservedSeries;

/// An observed series and what the run simulated over the same periods.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Comparison {
    pub observed: ObservedSeries,
    /// The run's value in each of the observed periods.
    pub simulated: Vec<f64>,
}

impl Comparison {
    /// The error table's numbers.
    pub fn errors(&self) -> Errors {
        Errors::of(&self.observed.values, &self.simulated)
    }
}
