//! Concurrency over time, stacked by the state of the environments, against the
//! limits that cap it.

use super::palette::{
    ACCOUNT_LIMIT, BLUE, ORANGE, POOL_LIMIT, PROVISIONED_LIMIT, RESERVED_LIMIT, TEAL,
};
use super::spec::{ChartSpec, Limit, Panel, Series};
use super::{VariantData, points};
use lambdasim_model::{FunctionConfig, SimConfig};

/// One panel per function: provisioned busy, on-demand busy and initialising stacked,
/// the stack's top being the peak concurrency of each column.
pub fn spec(v: &VariantData<'_>) -> ChartSpec {
    let time = v.time();
    let panels = v
        .config
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut panel = Panel::new(&f.name, "concurrent executions");
            let layer = |label: &str, color, value: fn(&super::Column) -> f64| Series {
                label: label.to_string(),
                color,
                points: points(v.series, i, time, value),
            };
            if f.max_provisioned() > 0 {
                panel.stacked.push(layer("provisioned busy", BLUE, |c| {
                    f64::from(c.concurrency.provisioned_busy)
                }));
            }
            panel.stacked.extend([
                layer("on-demand busy", TEAL, |c| {
                    f64::from(c.concurrency.on_demand_busy)
                }),
                layer("initialising", ORANGE, |c| {
                    f64::from(c.concurrency.initializing)
                }),
            ]);
            panel.limits = limits(v.config, f);
            if has_dynamic_provisioning(f) {
                panel.lines.push(allocated(v, i));
            }
            panel
        })
        .collect();
    ChartSpec {
        kind: "concurrency",
        title: format!("Concurrency by state — {}", v.name),
        time,
        panels,
    }
}

/// The caps that apply to `f`: its reserved concurrency if it has some, otherwise the
/// account limit and the unreserved pool it shares; and its provisioned concurrency.
pub fn limits(config: &SimConfig, f: &FunctionConfig) -> Vec<Limit> {
    let mut limits = Vec::new();
    let line = |label: String, value: u32, color| Limit {
        label,
        value: f64::from(value),
        color,
    };
    match f.reserved_concurrency {
        Some(reserved) => limits.push(line(
            format!("reserved {reserved}"),
            reserved,
            RESERVED_LIMIT,
        )),
        None => {
            let limit = config.account.concurrency_limit;
            limits.push(line(format!("account limit {limit}"), limit, ACCOUNT_LIMIT));
            let pool = config.unreserved_pool().clamp(0, i64::from(limit)) as u32;
            if pool < limit {
                limits.push(line(format!("unreserved pool {pool}"), pool, POOL_LIMIT));
            }
        }
    }
    if f.provisioned_concurrency > 0 && !has_dynamic_provisioning(f) {
        let p = f.provisioned_concurrency;
        limits.push(line(format!("provisioned {p}"), p, PROVISIONED_LIMIT));
    }
    limits
}

/// Whether provisioned concurrency changes during the run, so that it is drawn as a
/// line over time rather than as a fixed limit.
pub fn has_dynamic_provisioning(f: &FunctionConfig) -> bool {
    !f.provisioning.schedule.is_empty() || f.provisioning.autoscaling.is_some()
}

/// The provisioned environments allocated over time, for a function whose provisioned
/// concurrency changes.
pub fn allocated(v: &VariantData<'_>, function: usize) -> Series {
    Series {
        label: "provisioned allocated".to_string(),
        color: PROVISIONED_LIMIT,
        points: points(v.series, function, v.time(), |c| {
            f64::from(c.provisioned_allocated)
        }),
    }
}
