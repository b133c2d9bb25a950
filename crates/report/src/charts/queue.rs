//! Asynchronous events: how many wait in each async function's queue, and how long
//! the events invoked in each bucket had waited (their 99th percentile and the
//! longest; `timeseries.csv`'s `async_age_p99_ms` and `async_age_max_ms`).

use super::VariantData;
use super::palette::{ORANGE, PURPLE, RED};
use super::spec::{ChartSpec, Panel};
use lambdasim_model::InvocationType;

/// Two panels per asynchronous function shown, its queue's depth and its events' age;
/// `None` when the variant shows no asynchronous function.
pub fn spec(v: &VariantData<'_>) -> Option<ChartSpec> {
    let panels: Vec<Panel> = v
        .shown()
        .into_iter()
        .filter(|&i| v.config.functions[i].invocation == InvocationType::Async)
        .flat_map(|i| {
            let name = &v.config.functions[i].name;
            let mut depth = Panel::new(name, "events waiting");
            depth.lines = vec![v.series(i, "queue depth", PURPLE, |c| f64::from(c.queue_depth))];
            depth
                .bands
                .extend(v.band(i, "queue depth", PURPLE, |c| f64::from(c.queue_depth)));
            let mut age = Panel::new(format!("{name}: age of invoked events"), "seconds waited");
            age.lines = vec![
                v.series(i, "p99", ORANGE, |c| c.async_age_p99_ms / 1000.0),
                v.series(i, "max", RED, |c| c.async_age_max_ms / 1000.0),
            ];
            age.bands
                .extend(v.band(i, "p99", ORANGE, |c| c.async_age_p99_ms / 1000.0));
            [depth, age]
        })
        .collect();
    (!panels.is_empty()).then(|| ChartSpec {
        kind: "queue",
        title: format!(
            "Async events: the queue and how long they waited — {}{}",
            v.name,
            v.shown_note()
        ),
        time: v.time(),
        panels,
    })
}
