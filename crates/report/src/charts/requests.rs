//! The load and what it cost in cold starts: request rate and cold-start rate.

use super::palette::{BLUE, ORANGE};
use super::spec::{ChartSpec, Panel, Series};
use super::{VariantData, points};

/// One panel per function with requests and cold starts per second on one axis, so a
/// burst and the cold starts it caused line up.
pub fn spec(v: &VariantData<'_>) -> ChartSpec {
    let time = v.time();
    let panels = v
        .config
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut panel = Panel::new(&f.name, "per second");
            panel.lines = vec![
                Series {
                    label: "requests / s".to_string(),
                    color: BLUE,
                    points: points(v.series, i, time, |c| c.requests_per_s),
                },
                Series {
                    label: "cold starts / s".to_string(),
                    color: ORANGE,
                    points: points(v.series, i, time, |c| c.cold_starts_per_s),
                },
            ];
            panel
        })
        .collect();
    ChartSpec {
        kind: "requests",
        title: format!("Requests and cold starts — {}", v.name),
        time,
        panels,
    }
}
