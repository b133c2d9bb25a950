//! `warm_start: auto`: each function starts with the environments the load of the run's
//! first minute implies, so that a run starting in the middle of a day does not open
//! with a cold-start spike the real system would not have had.
//!
//! The load is the mean concurrency over the first minute (or the whole run, if
//! shorter): the busy seconds of the requests arriving in it (expected from rate
//! integrals for generated traffic, read from the file for a trace, each request's own
//! duration when the trace has one, else the function's mean) per second. Bursts are
//! left out: they are events the run is about, not the load the system was already
//! carrying. The model turns the load into environments
//! ([`FunctionConfig::auto_warm_start`](lambdasim_model::FunctionConfig::auto_warm_start)).

use crate::error::ScenarioError;
use crate::streams::{StreamKind, StreamSpec, Window};
use lambdasim_engine::{NANOS_PER_SEC, Nanos, nanos_to_secs};
use lambdasim_model::SimConfig;

/// How much of the run's start sets the load: one minute.
pub(crate) const FIRST: Nanos = 60 * NANOS_PER_SEC;

/// Sets `warm_start` of every function flagged in `auto` from the first minute's load.
pub(crate) fn resolve_auto(
    config: &mut SimConfig,
    streams: &[StreamSpec],
    auto: &[bool],
) -> Result<(), ScenarioError> {
    let span = FIRST.min(config.duration);
    let means: Vec<f64> = config.functions.iter().map(|f| f.duration.mean()).collect();
    let mut busy = vec![0.0; config.functions.len()];
    for stream in streams {
        // A trace may feed several functions: it is read whenever any is `auto`.
        if matches!(stream.kind, StreamKind::Trace(_)) || auto[stream.function] {
            stream.first_busy_nanos(span, &means, &mut busy)?;
        }
    }
    let pool = config.unreserved_pool();
    let seconds = nanos_to_secs(span);
    for (f, function) in config.functions.iter_mut().enumerate() {
        if auto[f] {
            let mean_concurrency = busy[f] / 1e9 / seconds;
            function.warm_start = function.auto_warm_start(mean_concurrency, pool);
        }
    }
    Ok(())
}

/// The part of `window` before `span`, `None` if there is none.
pub(crate) fn head(window: Window, span: Nanos) -> Option<Window> {
    let end = window.end.min(span);
    (window.start < end).then_some(Window {
        start: window.start,
        end,
    })
}
