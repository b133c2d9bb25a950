//! The load and what it cost in cold starts: request rate and cold-start rate.

use super::VariantData;
use super::palette::{BLUE, ORANGE};
use super::spec::{ChartSpec, Panel};
use lambdasim_model::ObservedMetric;

/// One panel per function with requests and cold starts per second on one axis, so a
/// burst and the cold starts it caused line up.
pub fn spec(v: &VariantData<'_>) -> ChartSpec {
    v.per_function("requests", "Requests and cold starts", |i, f| {
        let mut panel = Panel::new(&f.name, "per second");
        panel.lines = vec![
            v.series(i, "requests / s", BLUE, |c| c.requests_per_s),
            v.series(i, "cold starts / s", ORANGE, |c| c.cold_starts_per_s),
        ];
        panel.bands = [
            v.band(i, "requests", BLUE, |c| c.requests_per_s),
            v.band(i, "cold starts", ORANGE, |c| c.cold_starts_per_s),
        ]
        .into_iter()
        .flatten()
        .collect();
        panel.lines.extend(v.observed_lines(
            i,
            &[
                ObservedMetric::Invocations,
                ObservedMetric::ColdStarts,
                ObservedMetric::Spillover,
            ],
        ));
        panel
    })
}
