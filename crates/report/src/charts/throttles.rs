//! Throttles over time, stacked by the reason the request was refused.

use super::palette::{BROWN, PURPLE, RED, YELLOW};
use super::spec::{ChartSpec, Panel, Series};
use super::{Column, VariantData, points};

/// One panel per function; the reasons are the contract's (`reserved_limit`, ...).
pub fn spec(v: &VariantData<'_>) -> ChartSpec {
    let time = v.time();
    let panels = v
        .config
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut panel = Panel::new(&f.name, "throttles / s");
            let layer = |label: &str, color, value: fn(&Column) -> f64| Series {
                label: label.to_string(),
                color,
                points: points(v.series, i, time, value),
            };
            panel.stacked = vec![
                layer("reserved limit", PURPLE, |c| c.throttles.reserved_limit),
                layer("account limit", RED, |c| c.throttles.account_limit),
                layer("scaling rate", YELLOW, |c| c.throttles.scaling_rate),
                layer("rps limit", BROWN, |c| c.throttles.rps_limit),
            ];
            panel
        })
        .collect();
    ChartSpec {
        kind: "throttles",
        title: format!("Throttles by reason — {}", v.name),
        time,
        panels,
    }
}
