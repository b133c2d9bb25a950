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

/// A function's Invoke time at its memory, as the load estimate needs it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct InvokeTime {
    /// The mean of its drawn durations, in nanoseconds.
    pub mean: f64,
    /// What a duration given by a trace is multiplied by (memory scaling).
    pub factor: f64,
}

impl InvokeTime {
    fn of(f: &lambdasim_model::FunctionConfig) -> Self {
        Self {
            mean: f.mean_duration(),
            factor: f.duration_factor(),
        }
    }

    /// A request's Invoke time: its own duration, scaled, if a trace gives one.
    pub fn of_request(&self, given: Option<u64>) -> f64 {
        given.map_or(self.mean, |d| d as f64 * self.factor)
    }
}

/// How much of the run's start sets the load: one minute.
pub(crate) const FIRST: Nanos = 60 * NANOS_PER_SEC;

/// Sets `warm_start` of every function flagged in `auto` from the first minute's load.
pub(crate) fn resolve_auto(
    config: &mut SimConfig,
    streams: &[StreamSpec],
    auto: &[bool],
) -> Result<(), ScenarioError> {
    let span = FIRST.min(config.duration);
    let times: Vec<InvokeTime> = config.functions.iter().map(InvokeTime::of).collect();
    let mut busy = vec![0.0; config.functions.len()];
    for stream in streams {
        // A trace may feed several functions: it is read whenever any is `auto`.
        if matches!(stream.kind, StreamKind::Trace(_)) || auto[stream.function] {
            stream.first_busy_nanos(span, &times, &mut busy)?;
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
