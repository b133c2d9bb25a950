//! Latency percentiles per bucket, on a log axis so that the cold-start tail and the
//! median both stay readable.

use super::VariantData;
use super::palette::{BLUE, RED};
use super::spec::{ChartSpec, Panel, YScale};

/// One panel per function with p50 and p99; buckets without invocations are gaps.
pub fn spec(v: &VariantData<'_>) -> ChartSpec {
    v.per_function("latency", "Latency per bucket", |i, f| {
        let mut panel = Panel::new(&f.name, "latency (ms)");
        panel.scale = YScale::Log;
        panel.lines = vec![
            v.series(i, "p50", BLUE, |c| c.latency_p50_ms),
            v.series(i, "p99", RED, |c| c.latency_p99_ms),
        ];
        panel
            .bands
            .extend(v.band(i, "p99", RED, |c| c.latency_p99_ms));
        panel
    })
}
