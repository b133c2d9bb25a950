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

use lambdasim_model::BucketRow;

/// A metric CloudWatch (or a log) reports per period, and the simulated value of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Metric {
    /// `Throttles`: requests refused, whatever the limit.
    Throttles,
    /// `Invocations`: requests run (throttles excluded).
    Invocations,
    /// Invocations that began with an Init.
    ColdStarts,
    /// `ConcurrentExecutions` Maximum: the most environments running at once.
    Concurrency,
    /// `ProvisionedConcurrencySpilloverInvocations`.
    Spillover,
}

impl Metric {
    /// The name a reader sees, in the table and the legends.
    pub fn label(self) -> &'static str {
        match self {
            Self::Throttles => "throttles",
            Self::Invocations => "invocations",
            Self::ColdStarts => "cold starts",
            Self::Concurrency => "concurrency",
            Self::Spillover => "spillover invocations",
        }
    }

    /// Whether a period's value is the most at once (folded by maximum) rather than a
    /// count (folded by sum).
    pub fn is_gauge(self) -> bool {
        self == Self::Concurrency
    }

    /// The simulated value of one bucket.
    fn of(self, row: &BucketRow) -> f64 {
        match self {
            Self::Throttles => row.throttles.total() as f64,
            Self::Invocations => row.invocations as f64,
            Self::ColdStarts => row.cold_starts as f64,
            Self::Concurrency => f64::from(row.concurrency_max),
            Self::Spillover => row.spillover_invocations as f64,
        }
    }

    /// Two values of one period as one.
    fn combine(self, a: f64, b: f64) -> f64 {
        if self.is_gauge() { a.max(b) } else { a + b }
    }
}

/// One observed metric of one function on the run's clock: `values[k]` is the period
/// `[start + k × period, start + (k + 1) × period)` in nanoseconds of run time.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ObservedSeries {
    /// The function's index in the configuration.
    pub function: usize,
    pub metric: Metric,
    pub period: u64,
    pub start: u64,
    pub values: Vec<f64>,
}

impl ObservedSeries {
    /// The period holding the run time `t_ns`, if the series covers it.
    fn index(&self, t_ns: u64) -> Option<usize> {
        let since = t_ns.checked_sub(self.start)?;
        let k = usize::try_from(since / self.period.max(1)).ok()?;
        (k < self.values.len()).then_some(k)
    }

    /// Each period's start in seconds of run time.
    pub fn period_starts_s(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.values.len()).map(|k| (self.start + k as u64 * self.period) as f64 / 1e9)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_model::ThrottleCounts;

    #[test]
    fn each_metric_reads_its_own_bucket_field() {
        let row = BucketRow {
            invocations: 10,
            cold_starts: 3,
            spillover_invocations: 2,
            concurrency_max: 7,
            throttles: ThrottleCounts {
                reserved_limit: 4,
                scaling_rate: 1,
                ..Default::default()
            },
            ..Default::default()
        };
        let read = [
            Metric::Throttles,
            Metric::Invocations,
            Metric::ColdStarts,
            Metric::Concurrency,
            Metric::Spillover,
        ]
        .map(|m| m.of(&row));
        assert_eq!(read, [5.0, 10.0, 3.0, 7.0, 2.0]);
    }
}
