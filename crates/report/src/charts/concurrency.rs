//! Concurrency over time, stacked by the state of the environments, against the
//! limits that cap it.

use super::VariantData;
use super::palette::{
    ACCOUNT_LIMIT, BLUE, INK, ORANGE, POOL_LIMIT, PROVISIONED_LIMIT, RESERVED_LIMIT, TEAL,
};
use super::spec::{ChartSpec, Limit, Panel, Series};
use crate::limits::FunctionLimits;
use lambdasim_model::ObservedMetric;
use lambdasim_model::{FunctionConfig, SimConfig};

/// One panel per function: provisioned busy, on-demand busy and initialising stacked,
/// the stack's top being the peak concurrency of each column.
pub fn spec(v: &VariantData<'_>) -> ChartSpec {
    v.per_function("concurrency", "Concurrency by state", |i, f| {
        let mut panel = Panel::new(&f.name, "concurrent executions");
        if f.max_provisioned() > 0 {
            panel
                .stacked
                .push(v.series(i, "provisioned busy", BLUE, |c| {
                    f64::from(c.concurrency.provisioned_busy)
                }));
        }
        panel.stacked.extend([
            v.series(i, "on-demand busy", TEAL, |c| {
                f64::from(c.concurrency.on_demand_busy)
            }),
            v.series(i, "initialising", ORANGE, |c| {
                f64::from(c.concurrency.initializing)
            }),
        ]);
        panel
            .bands
            .extend(v.band(i, "concurrency", INK, |c| f64::from(c.concurrency_max)));
        panel.limits = limits(v.config, f);
        if has_dynamic_provisioning(f) {
            panel.lines.push(allocated(v, i));
        }
        panel
            .lines
            .extend(v.observed_lines(i, &[ObservedMetric::Concurrency]));
        panel
    })
}

/// The caps that apply to `f`: its reserved concurrency if it has some, otherwise the
/// account limit and, when it is less, what the function can reach from the unreserved
/// pool (plus its own provisioned concurrency); and its provisioned concurrency.
pub fn limits(config: &SimConfig, f: &FunctionConfig) -> Vec<Limit> {
    let mut limits = Vec::new();
    let line = |label: String, value: u32, color| Limit {
        label,
        value: f64::from(value),
        color,
    };
    let l = FunctionLimits::of(config, f);
    match l.reserved {
        Some(reserved) => limits.push(line(
            format!("reserved {reserved}"),
            reserved,
            RESERVED_LIMIT,
        )),
        None => {
            let limit = l.account;
            limits.push(line(format!("account limit {limit}"), limit, ACCOUNT_LIMIT));
            let reach = l.reach();
            if reach < limit {
                // A provisioned function runs its own environments besides the pool.
                let label = if l.provisioned > 0 {
                    format!("pool {} + provisioned {}", l.pool, l.provisioned)
                } else {
                    format!("unreserved pool {}", l.pool)
                };
                limits.push(line(label, reach, POOL_LIMIT));
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
    v.series(function, "provisioned allocated", PROVISIONED_LIMIT, |c| {
        f64::from(c.provisioned_allocated)
    })
}
