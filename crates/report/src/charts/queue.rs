//! Asynchronous events waiting in each async function's queue.
//!
//! There is no event-age chart: the time series has the queue's depth per bucket but
//! not the age of the events in it (the age is only summarised over the whole run, in
//! `summary.json`'s `async.age_ms`).

use super::VariantData;
use super::palette::PURPLE;
use super::spec::{ChartSpec, Panel};
use lambdasim_model::InvocationType;

/// One panel per asynchronous function shown, with the deepest its queue was in each
/// column; `None` when the variant shows no asynchronous function.
pub fn spec(v: &VariantData<'_>) -> Option<ChartSpec> {
    let panels: Vec<Panel> = v
        .shown()
        .into_iter()
        .filter(|&i| v.config.functions[i].invocation == InvocationType::Async)
        .map(|i| {
            let mut panel = Panel::new(&v.config.functions[i].name, "events waiting");
            panel.lines = vec![v.series(i, "queue depth", PURPLE, |c| f64::from(c.queue_depth))];
            panel
        })
        .collect();
    (!panels.is_empty()).then(|| ChartSpec {
        kind: "queue",
        title: format!(
            "Async events waiting in the queue — {}{}",
            v.name,
            v.shown_note()
        ),
        time: v.time(),
        panels,
    })
}
