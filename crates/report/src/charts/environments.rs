//! Execution environments: all of them, the busy ones and the idle ones.

use super::palette::{BLUE, GREY, PROVISIONED_LIMIT, TEAL};
use super::spec::{ChartSpec, Limit, Panel, Series};
use super::{VariantData, concurrency, points};

/// One panel per function; the gap between "all" and "busy" is what idles, waiting to
/// be reused or to time out.
pub fn spec(v: &VariantData<'_>) -> ChartSpec {
    let time = v.time();
    let panels = v
        .config
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut panel = Panel::new(&f.name, "environments");
            let line = |label: &str, color, value: fn(&super::Column) -> f64| Series {
                label: label.to_string(),
                color,
                points: points(v.series, i, time, value),
            };
            panel.lines = vec![
                line("all environments", BLUE, |c| f64::from(c.environments)),
                line("busy", TEAL, |c| f64::from(c.concurrency_max)),
                line("idle", GREY, |c| f64::from(c.idle_environments)),
            ];
            if concurrency::has_dynamic_provisioning(f) {
                panel.lines.push(concurrency::allocated(v, i));
            } else if f.provisioned_concurrency > 0 {
                panel.limits.push(Limit {
                    label: format!("provisioned {}", f.provisioned_concurrency),
                    value: f64::from(f.provisioned_concurrency),
                    color: PROVISIONED_LIMIT,
                });
            }
            panel
        })
        .collect();
    ChartSpec {
        kind: "environments",
        title: format!("Execution environments — {}", v.name),
        time,
        panels,
    }
}
