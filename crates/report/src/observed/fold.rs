//! The run's buckets folded into the observed periods as they stream past.

use super::Comparison;
use lambdasim_model::{BucketRow, ObservedSeries, SeriesSink};

/// A sink that keeps, for each observed series of a run, the simulated value of each
/// of its periods: one number per observed period, whatever the run's length.
pub struct ObservedFold {
    comparisons: Vec<Comparison>,
}

impl ObservedFold {
    /// A fold for `observed` (a variant's series), every period at 0 until the run
    /// fills it.
    pub fn new(observed: &[ObservedSeries]) -> Self {
        Self {
            comparisons: observed
                .iter()
                .map(|o| Comparison {
                    observed: o.clone(),
                    simulated: vec![0.0; o.values.len()],
                })
                .collect(),
        }
    }

    /// The comparisons once the run is over.
    pub fn finish(self) -> Vec<Comparison> {
        self.comparisons
    }
}

impl SeriesSink for ObservedFold {
    fn record(&mut self, row: &BucketRow) -> std::io::Result<()> {
        let t_ns = (row.t_s * 1e9).round() as u64;
        for c in &mut self.comparisons {
            let o = &c.observed;
            if o.function != row.function {
                continue;
            }
            if let Some(k) = o.index(t_ns) {
                c.simulated[k] = o.metric.combine(c.simulated[k], o.metric.simulated(row));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_model::ObservedMetric;

    const MIN: u64 = 60_000_000_000;

    fn row(function: usize, t_s: f64, invocations: u64, concurrency_max: u32) -> BucketRow {
        BucketRow {
            function,
            t_s,
            invocations,
            concurrency_max,
            ..Default::default()
        }
    }

    #[test]
    fn buckets_sum_into_counts_and_take_the_maximum_of_a_gauge() {
        let series = |metric| ObservedSeries {
            function: 1,
            metric,
            period: 2 * MIN,
            start: MIN,
            values: vec![0.0, 0.0],
        };
        let mut fold = ObservedFold::new(&[
            series(ObservedMetric::Invocations),
            series(ObservedMetric::Concurrency),
        ]);
        // Minute buckets from 0: the first is before the series, the last after it.
        for (t, n, c) in [
            (0, 50, 9),
            (1, 1, 2),
            (2, 2, 7),
            (3, 3, 4),
            (4, 4, 1),
            (5, 9, 9),
        ] {
            fold.record(&row(1, f64::from(t) * 60.0, n, c)).unwrap();
            fold.record(&row(0, f64::from(t) * 60.0, 100, 100)).unwrap();
        }
        let out = fold.finish();
        assert_eq!(out[0].simulated, vec![3.0, 7.0]);
        assert_eq!(out[1].simulated, vec![7.0, 4.0]);
    }
}
