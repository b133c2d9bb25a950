//! What a function did in production (`observed:`), per period, on the run's clock:
//! plain data for a report to set beside the simulated series. The model never sees
//! it.
//!
//! Observed points carry absolute times; they are placed on the run's clock the way
//! the function's replayed trace is. The run's time 0 is the replay's trace time 0:
//! the first timestamp of the first trace listed under the function's `traffic:` whose
//! times are absolute (a CloudWatch file's first point, a timestamp CSV's first row, an
//! access log's first arrival), or else of the first access log listed elsewhere whose
//! `routes:` send it requests, moved by that stream's `speedup` and `offset` like its
//! requests. A function without such a trace takes the observed source's own first
//! point as time 0 (a source of `offset_s` times is already on the run's clock).
//! CloudWatch leaves out periods without data (`Throttles` has points only where
//! there were some), so a period without a point is 0.

use crate::error::{Position, ScenarioError};
use crate::streams::{Periods, StreamKind, StreamSpec, TraceFile, TraceSpec};
use lambdasim_engine::Nanos;
use lambdasim_model::{ObservedMetric, ObservedSeries};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// The most periods an observed series may have in a run: a year of one-minute points
/// is 525,600; a value is kept per period.
const MAX_PERIODS: i128 = 10_000_000;

/// An observed source as configured: which file to read for which metric.
#[derive(Clone, Debug)]
pub(crate) struct ObservedSpec {
    pub function: usize,
    /// What the values count or measure.
    pub metric: ObservedMetric,
    pub file: TraceFile,
    /// For a per-request source (a log's 429s), the period its requests are counted in.
    pub per_request: Option<Nanos>,
    /// Where the scenario names the file.
    pub origin: Position,
}

/// A source read once: its file, and the period its requests are counted in when it is
/// a log (see [`ObservedSpec::per_request`]).
type SourceKey = (TraceFile, Option<Nanos>);

/// Observed files and trace origins already read: every variant and sweep point places
/// the same sources on its own clock, and shares one read of each file (an access
/// log's first arrival may take minutes of lines to find).
#[derive(Default)]
pub(crate) struct ObservedFiles {
    periods: RefCell<HashMap<SourceKey, Rc<Periods>>>,
    epochs: RefCell<HashMap<TraceFile, Option<i128>>>,
}

impl ObservedFiles {
    /// The source's values per period, read on first use.
    fn periods(&self, spec: &ObservedSpec) -> Result<Rc<Periods>, ScenarioError> {
        let key = (spec.file.clone(), spec.per_request);
        if let Some(known) = self.periods.borrow().get(&key) {
            return Ok(Rc::clone(known));
        }
        let read = crate::streams::periods(&spec.file, &spec.origin, spec.per_request)?;
        let read = read.ok_or_else(|| {
            ScenarioError::new(
                spec.origin.clone(),
                "found a per-request file, expected values per period (`counts:` on a CSV file, or CloudWatch metrics)",
            )
        })?;
        let read = Rc::new(read);
        self.periods.borrow_mut().insert(key, Rc::clone(&read));
        Ok(read)
    }

    /// A trace's time 0 since the Unix epoch, read on first use.
    fn epoch(&self, trace: &TraceSpec) -> Result<Option<i128>, ScenarioError> {
        if let Some(&known) = self.epochs.borrow().get(&trace.file) {
            return Ok(known);
        }
        let epoch = crate::streams::epoch(&trace.file, &trace.origin)?;
        self.epochs.borrow_mut().insert(trace.file.clone(), epoch);
        Ok(epoch)
    }
}

/// How a replayed trace maps absolute time to run time.
struct Anchor {
    epoch: i128,
    speedup: f64,
    offset: Nanos,
}

impl Anchor {
    /// The first trace under `function`'s `traffic:` with absolute times, else the
    /// first access log whose `routes:` send it requests, if any.
    fn of(
        function: usize,
        streams: &[StreamSpec],
        files: &ObservedFiles,
    ) -> Result<Option<Self>, ScenarioError> {
        let own = streams.iter().filter(|s| s.function == function);
        let routed = streams.iter().filter(|s| {
            s.function != function
                && matches!(&s.kind, StreamKind::Trace(t) if t.file.routes_to(function))
        });
        for stream in own.chain(routed) {
            if let StreamKind::Trace(trace) = &stream.kind
                && let Some(epoch) = files.epoch(trace)?
            {
                return Ok(Some(Self::new(epoch, trace)));
            }
        }
        Ok(None)
    }

    fn new(epoch: i128, trace: &TraceSpec) -> Self {
        Self {
            epoch,
            speedup: trace.speedup,
            offset: trace.offset,
        }
    }

    /// A span of absolute time on the run's clock.
    fn sped_up(&self, span: i128) -> i128 {
        if self.speedup == 1.0 {
            span
        } else {
            (span as f64 / self.speedup).round() as i128
        }
    }
}

/// Reads every observed source of a variant (through `files`) and places it on the
/// run's clock, clipped to `duration`.
pub(crate) fn read(
    specs: &[ObservedSpec],
    streams: &[StreamSpec],
    duration: Nanos,
    files: &ObservedFiles,
) -> Result<Vec<ObservedSeries>, ScenarioError> {
    specs
        .iter()
        .map(|spec| {
            let anchor = Anchor::of(spec.function, streams, files)?;
            let periods = files.periods(spec)?;
            aligned(spec, &periods, anchor.as_ref(), duration)
        })
        .collect()
}

/// How an observed file's trace times map to run time.
struct Clock<'a> {
    anchor: Option<&'a Anchor>,
    /// The observed file's trace time 0 less the replay's, in absolute time.
    shift: i128,
}

impl<'a> Clock<'a> {
    /// By `anchor` when the function replays a timestamped trace, else by the observed
    /// file's own times; an observed file of `offset_s` times cannot meet a trace of
    /// timestamps.
    fn new(
        spec: &ObservedSpec,
        periods: &Periods,
        anchor: Option<&'a Anchor>,
    ) -> Result<Self, ScenarioError> {
        let shift = match (anchor, periods.epoch) {
            (Some(a), Some(epoch)) => epoch - a.epoch,
            (Some(_), None) => {
                return Err(ScenarioError::new(
                    spec.origin.clone(),
                    "found an observed source of times since the scenario start (`offset_s`), expected timestamps, to line up with the function's trace by absolute time",
                ));
            }
            (None, _) => 0,
        };
        Ok(Self { anchor, shift })
    }

    /// The run time of the observed trace time `t`.
    fn at(&self, t: Nanos) -> i128 {
        match self.anchor {
            Some(a) => a.sped_up(self.shift + i128::from(t)) + i128::from(a.offset),
            None => i128::from(t),
        }
    }

    /// A span of the observed file's time in run time (at least 1 ns).
    fn span(&self, span: Nanos) -> i128 {
        self.anchor
            .map_or(i128::from(span), |a| a.sped_up(span.into()))
            .max(1)
    }
}

/// `periods` on the run's clock: the grid of their period through their first point,
/// from its first period starting in the run to the run's end.
fn aligned(
    spec: &ObservedSpec,
    periods: &Periods,
    anchor: Option<&Anchor>,
    duration: Nanos,
) -> Result<ObservedSeries, ScenarioError> {
    let clock = Clock::new(spec, periods, anchor)?;
    let period = clock.span(periods.period);
    let start = periods
        .values
        .first()
        .map_or(0, |&(t, _)| clock.at(t).rem_euclid(period));
    let mut values = vec![0.0; periods_in_run(spec, start, period, duration)?];
    for &(t, value) in &periods.values {
        let index = (clock.at(t) - start).div_euclid(period);
        if let Some(slot) = usize::try_from(index).ok().and_then(|i| values.get_mut(i)) {
            *slot = if spec.metric.is_gauge() {
                f64::max(*slot, value)
            } else {
                *slot + value
            };
        }
    }
    Ok(ObservedSeries {
        function: spec.function,
        metric: spec.metric,
        period: period as Nanos,
        start: start as Nanos,
        values,
    })
}

/// How many periods from `start` begin before the run's end, at most [`MAX_PERIODS`].
fn periods_in_run(
    spec: &ObservedSpec,
    start: i128,
    period: i128,
    duration: Nanos,
) -> Result<usize, ScenarioError> {
    let room = (i128::from(duration) - start).max(0);
    let count = (room + period - 1) / period;
    if count > MAX_PERIODS {
        return Err(ScenarioError::new(
            spec.origin.clone(),
            format!(
                "found {count} observed periods of {} in the run, expected at most {MAX_PERIODS} (one value is kept per period): give a longer period",
                crate::duration::show(period as Nanos)
            ),
        ));
    }
    Ok(count as usize)
}
