//! The scenario's observed series handed to the report: the same numbers in the
//! report's terms, the report knowing nothing of scenario files.

use lambdasim_report::observed::{Metric, ObservedSeries};
use lambdasim_scenario as scenario;

/// A variant's observed series as the report takes them.
pub(crate) fn for_report(observed: &[scenario::ObservedSeries]) -> Vec<ObservedSeries> {
    observed
        .iter()
        .map(|o| ObservedSeries {
            function: o.function,
            metric: metric(o.metric),
            period: o.period,
            start: o.start,
            values: o.values.clone(),
        })
        .collect()
}

fn metric(metric: scenario::Metric) -> Metric {
    match metric {
        scenario::Metric::Throttles => Metric::Throttles,
        scenario::Metric::Invocations => Metric::Invocations,
        scenario::Metric::ColdStarts => Metric::ColdStarts,
        scenario::Metric::Concurrency => Metric::Concurrency,
        scenario::Metric::Spillover => Metric::Spillover,
    }
}
