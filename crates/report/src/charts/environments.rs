//! Execution environments: all of them, the busy ones and the idle ones.

use super::palette::{BLUE, GREY, PROVISIONED_LIMIT, TEAL};
use super::spec::{ChartSpec, Limit, Panel};
use super::{VariantData, concurrency};

/// One panel per function; the gap between "all" and "busy" is what idles, waiting to
/// be reused or to time out.
pub fn spec(v: &VariantData<'_>) -> ChartSpec {
    v.per_function("environments", "Execution environments", |i, f| {
        let mut panel = Panel::new(&f.name, "environments");
        panel.lines = vec![
            v.series(i, "all environments", BLUE, |c| f64::from(c.environments)),
            v.series(i, "busy", TEAL, |c| f64::from(c.concurrency_max)),
            v.series(i, "idle", GREY, |c| f64::from(c.idle_environments)),
        ];
        panel
            .bands
            .extend(v.band(i, "environments", BLUE, |c| f64::from(c.environments)));
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
}
