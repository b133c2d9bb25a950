//! Observed series as dashed lines over the simulated ones: counts as rates per
//! second, concurrency as it is, each time slice at its busiest period as the
//! simulated columns are, and only the periods inside the chart's time axis (a focus
//! shows part of the run).

use super::VariantData;
use super::downsample::MAX_COLUMNS;
use super::palette::{GREEN, INK, ORANGE, PURPLE};
use super::spec::{Series, Stroke};
use crate::observed::Comparison;
use lambdasim_model::ObservedMetric;
use plotters::style::RGBColor;

impl VariantData<'_> {
    /// The dashed lines of `function`'s observed `metrics`, in the order observed.
    pub(super) fn observed_lines(
        &self,
        function: usize,
        metrics: &[ObservedMetric],
    ) -> Vec<Series> {
        self.observed
            .iter()
            .filter(|c| c.observed.function == function && metrics.contains(&c.observed.metric))
            .map(|c| self.observed_line(c))
            .collect()
    }

    fn observed_line(&self, c: &Comparison) -> Series {
        let o = &c.observed;
        let seconds = o.period as f64 / 1e9;
        let per = if o.metric.is_gauge() { 1.0 } else { seconds };
        let time = self.time();
        let points: Vec<(f64, f64)> = o
            .period_starts_s()
            .zip(&o.values)
            .map(|(t, v)| (time.at(t), v / per))
            .filter(|&(x, _)| (time.start..time.end).contains(&x))
            .collect();
        let unit = if o.metric.is_gauge() { "" } else { " / s" };
        Series {
            label: format!("observed {}{unit}", o.metric.label()),
            color: color(o.metric),
            points: busiest_per_slice(&points),
            note: None,
            stroke: Stroke::Dashed,
        }
    }
}

/// The colour of an observed metric: that of the simulated series it is drawn over.
fn color(metric: ObservedMetric) -> RGBColor {
    match metric {
        ObservedMetric::Throttles | ObservedMetric::Concurrency => INK,
        ObservedMetric::Invocations => GREEN,
        ObservedMetric::ColdStarts => ORANGE,
        ObservedMetric::Spillover => PURPLE,
    }
}

/// At most [`MAX_COLUMNS`] points: each slice of consecutive periods as its first
/// time and its highest value.
fn busiest_per_slice(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let slice = points.len().div_ceil(MAX_COLUMNS).max(1);
    points
        .chunks(slice)
        .map(|chunk| (chunk[0].0, chunk.iter().map(|p| p.1).fold(0.0, f64::max)))
        .collect()
}
