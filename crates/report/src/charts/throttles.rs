//! Throttles over time, stacked by the reason the request was refused; for a function
//! behind API Gateway, the invocations it timed out beside them (served by Lambda,
//! failed for their callers).

use super::VariantData;
use super::palette::{BLUE, BROWN, GREY, INK, PURPLE, RED, YELLOW};
use super::spec::{ChartSpec, Panel};
use lambdasim_model::{FrontDoor, ObservedMetric};

/// One panel per function; the reasons are `summary.json`'s (`reserved_limit`, ...).
pub fn spec(v: &VariantData<'_>) -> ChartSpec {
    v.per_function("throttles", "Throttles by reason", |i, f| {
        let mut panel = Panel::new(&f.name, "throttles / s");
        panel.stacked = vec![
            v.series(i, "reserved limit", PURPLE, |c| {
                f64::from(c.throttles.reserved_limit)
            }),
            v.series(i, "account limit", RED, |c| {
                f64::from(c.throttles.account_limit)
            }),
            v.series(i, "scaling rate", YELLOW, |c| {
                f64::from(c.throttles.scaling_rate)
            }),
            v.series(i, "rps limit", BROWN, |c| f64::from(c.throttles.rps_limit)),
            v.series(i, "gateway", GREY, |c| f64::from(c.throttles.gateway)),
        ];
        panel
            .bands
            .extend(v.band(i, "throttles", INK, |c| c.throttles.total()));
        panel.lines = v.observed_lines(i, &[ObservedMetric::Throttles]);
        if f.front_door != FrontDoor::Direct {
            panel.lines.push(v.series(i, "gateway timeouts", BLUE, |c| {
                f64::from(c.gateway_timeouts_per_s)
            }));
        }
        panel
    })
}
