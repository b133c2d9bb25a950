//! Latency percentiles per bucket, on a log axis so that the cold-start tail and the
//! median both stay readable.

use super::palette::{BLUE, RED};
use super::spec::{ChartSpec, Panel, Series, YScale};
use super::{VariantData, points};

/// One panel per function with p50 and p99; buckets without invocations are gaps.
pub fn spec(v: &VariantData<'_>) -> ChartSpec {
    let time = v.time();
    let panels = v
        .config
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut panel = Panel::new(&f.name, "latency (ms)");
            panel.scale = YScale::Log;
            panel.lines = vec![
                Series {
                    label: "p50".to_string(),
                    color: BLUE,
                    points: points(v.series, i, time, |c| c.latency_p50_ms),
                },
                Series {
                    label: "p99".to_string(),
                    color: RED,
                    points: points(v.series, i, time, |c| c.latency_p99_ms),
                },
            ];
            panel
        })
        .collect();
    ChartSpec {
        kind: "latency",
        title: format!("Latency per bucket — {}", v.name),
        time,
        panels,
    }
}
