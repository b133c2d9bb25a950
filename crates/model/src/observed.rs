//! What a function did in production, per period, as a scenario reads it (CloudWatch
//! metrics, access logs) and a report sets it beside the run: one definition of the
//! metrics that can be observed and of a series of them, shared by both. The
//! simulation itself never sees observed data.

use crate::series::BucketRow;
use lambdasim_engine::Nanos;
use serde::{Deserialize, Serialize};

/// A metric that can be observed per period, and the simulated value it is compared
/// with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ObservedMetric {
    /// Requests throttled in the period, whatever the limit (CloudWatch `Throttles`,
    /// Sum).
    Throttles,
    /// Invocations in the period (`Invocations`, Sum; throttles excluded).
    Invocations,
    /// Invocations that began with an Init (from `REPORT` lines with `Init Duration`).
    ColdStarts,
    /// The most environments running at once in the period (`ConcurrentExecutions`,
    /// Maximum).
    Concurrency,
    /// Invocations of a function with provisioned concurrency that ran on demand
    /// (`ProvisionedConcurrencySpilloverInvocations`, Sum).
    Spillover,
}

impl ObservedMetric {
    /// Its key under a function's `observed:`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Throttles => "throttles",
            Self::Invocations => "invocations",
            Self::ColdStarts => "cold_starts",
            Self::Concurrency => "concurrency",
            Self::Spillover => "spillover",
        }
    }

    /// The name a reader sees, in a report's tables and legends.
    pub fn label(self) -> &'static str {
        match self {
            Self::Throttles => "throttles",
            Self::Invocations => "invocations",
            Self::ColdStarts => "cold starts",
            Self::Concurrency => "concurrency",
            Self::Spillover => "spillover invocations",
        }
    }

    /// Whether a period's value is the most at once (a gauge, folded by maximum) rather
    /// than a count (folded by sum).
    pub fn is_gauge(self) -> bool {
        self == Self::Concurrency
    }

    /// The simulated value of one bucket.
    pub fn simulated(self, row: &BucketRow) -> f64 {
        match self {
            Self::Throttles => row.throttles.total() as f64,
            Self::Invocations => row.invocations as f64,
            Self::ColdStarts => row.cold_starts as f64,
            Self::Concurrency => f64::from(row.concurrency_max),
            Self::Spillover => row.spillover_invocations as f64,
        }
    }

    /// Two values of one period as one: the larger of a gauge, the sum of a count.
    pub fn combine(self, a: f64, b: f64) -> f64 {
        if self.is_gauge() { a.max(b) } else { a + b }
    }
}

/// One observed metric of one function on the run's clock: `values[k]` is the period
/// `[start + k × period, start + (k + 1) × period)` in nanoseconds of run time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservedSeries {
    /// The function's index in the configuration.
    pub function: usize,
    /// What the values count or measure.
    pub metric: ObservedMetric,
    /// Each period's length in run time.
    pub period: Nanos,
    /// Where `values[0]`'s period starts in run time: less than one period (a period
    /// that starts before the run is left out, being only partly run).
    pub start: Nanos,
    /// One value per period, from `start` to the end of the run (0 where the source has
    /// no point).
    pub values: Vec<f64>,
}

impl ObservedSeries {
    /// The period holding the run time `t_ns`, if the series covers it.
    pub fn index(&self, t_ns: Nanos) -> Option<usize> {
        let since = t_ns.checked_sub(self.start)?;
        let k = usize::try_from(since / self.period.max(1)).ok()?;
        (k < self.values.len()).then_some(k)
    }

    /// Each period's start in seconds of run time.
    pub fn period_starts_s(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.values.len()).map(|k| (self.start + k as u64 * self.period) as f64 / 1e9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ThrottleCounts;

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
            ObservedMetric::Throttles,
            ObservedMetric::Invocations,
            ObservedMetric::ColdStarts,
            ObservedMetric::Concurrency,
            ObservedMetric::Spillover,
        ]
        .map(|m| m.simulated(&row));
        assert_eq!(read, [5.0, 10.0, 3.0, 7.0, 2.0]);
    }

    #[test]
    fn a_gauge_combines_by_maximum_and_a_count_by_sum() {
        assert_eq!(ObservedMetric::Concurrency.combine(3.0, 5.0), 5.0);
        assert_eq!(ObservedMetric::Throttles.combine(3.0, 5.0), 8.0);
    }

    #[test]
    fn a_time_maps_to_its_period_and_none_outside() {
        let s = ObservedSeries {
            function: 0,
            metric: ObservedMetric::Invocations,
            period: 60,
            start: 30,
            values: vec![1.0, 2.0],
        };
        assert_eq!(s.index(29), None);
        assert_eq!(s.index(30), Some(0));
        assert_eq!(s.index(89), Some(0));
        assert_eq!(s.index(90), Some(1));
        assert_eq!(s.index(150), None);
    }
}
