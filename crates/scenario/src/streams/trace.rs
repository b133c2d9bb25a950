//! Trace files: CSV with a header row, streamed a record at a time, never loaded whole.
//!
//! A per-request trace has one row per request: a time column (`offset_s`, seconds since
//! the scenario start, or `timestamp`, RFC 3339 or epoch seconds with the first row at
//! time 0) and an optional `duration_ms`. A per-interval trace (`counts:` in the
//! scenario) has a time column and a `count` column; each row's requests are spread
//! evenly over its interval. Other columns are ignored.
//!
//! A stream's `start:`/`end:` window filters a trace (trace times are not shifted), and
//! `speedup` divides trace times before the window applies.

use super::{Window, timestamp};
use crate::error::{Position, ScenarioError};
use lambdasim_engine::{Nanos, secs_to_nanos};
use lambdasim_model::{Arrival, ArrivalSource, SourceError};
use std::fs::File;
use std::path::PathBuf;

/// A trace stream as configured in the scenario.
#[derive(Clone, Debug)]
pub(crate) struct TraceSpec {
    /// The file, resolved against the scenario file's directory.
    pub path: PathBuf,
    /// Where the scenario names the file, for "cannot open" errors.
    pub origin: Position,
    /// For per-interval traces, the width of each row's interval (in trace time).
    pub counts: Option<Nanos>,
    /// Multiplies the number of requests.
    pub scale: f64,
    /// Divides trace times.
    pub speedup: f64,
    pub window: Window,
}

/// Streams the whole trace once and reports its first problem.
pub(crate) fn validate_trace(spec: &TraceSpec) -> Result<(), ScenarioError> {
    let mut rows = Rows::open(spec)?;
    while rows.next_row()?.is_some() {}
    Ok(())
}

#[derive(Clone, Copy)]
enum TimeColumn {
    OffsetSeconds(usize),
    Timestamp(usize),
}

/// One checked row, in trace time (before `speedup`).
struct Row {
    time: Nanos,
    duration: Option<Nanos>,
    requests: f64,
}

/// The checked rows of a trace file.
struct Rows {
    reader: csv::Reader<File>,
    record: csv::StringRecord,
    path: PathBuf,
    time_column: TimeColumn,
    duration_column: Option<usize>,
    count_column: Option<usize>,
    interval: Option<Nanos>,
    first_timestamp: Option<i128>,
    /// The earliest time the next row may have.
    not_before: Nanos,
}

impl Rows {
    fn open(spec: &TraceSpec) -> Result<Self, ScenarioError> {
        let file = File::open(&spec.path).map_err(|e| {
            let what = format!("trace file `{}`", spec.path.display());
            ScenarioError::io(spec.origin.clone(), &what, &e)
        })?;
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(file);
        let path = spec.path.clone();
        let header = reader
            .headers()
            .map_err(|e| csv_error(&path, e, 1))?
            .clone();
        let column = |name: &str| header.iter().position(|h| h == name);
        let found = || {
            format!(
                "found columns `{}`",
                header.iter().collect::<Vec<_>>().join(", ")
            )
        };
        let header_error = |message: String| ScenarioError::new(Position::csv(&path, 1), message);
        let time_column = match (column("offset_s"), column("timestamp")) {
            (Some(i), None) => TimeColumn::OffsetSeconds(i),
            (None, Some(i)) => TimeColumn::Timestamp(i),
            (Some(_), Some(_)) => {
                return Err(header_error(
                    "found both `offset_s` and `timestamp` columns, expected only one".into(),
                ));
            }
            (None, None) => {
                return Err(header_error(format!(
                    "expected a header row with an `offset_s` or `timestamp` column, {}",
                    found()
                )));
            }
        };
        let count_column = match (spec.counts, column("count")) {
            (Some(_), None) => {
                return Err(header_error(format!(
                    "expected a `count` column in a per-interval trace (`counts:`), {}",
                    found()
                )));
            }
            (Some(_), Some(i)) => Some(i),
            (None, _) => None,
        };
        Ok(Self {
            reader,
            record: csv::StringRecord::new(),
            duration_column: column("duration_ms"),
            path,
            time_column,
            count_column,
            interval: spec.counts,
            first_timestamp: None,
            not_before: 0,
        })
    }

    fn next_row(&mut self) -> Result<Option<Row>, ScenarioError> {
        let previous_line = self.record.position().map_or(1, |p| p.line());
        match self.reader.read_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => return Err(csv_error(&self.path, e, previous_line + 1)),
        }
        let line = self
            .record
            .position()
            .map_or(previous_line + 1, |p| p.line());
        let fail = |message: String| ScenarioError::new(Position::csv(&self.path, line), message);
        let field = |index: usize, name: &str| -> Result<&str, ScenarioError> {
            match self.record.get(index) {
                Some(value) if !value.is_empty() => Ok(value),
                _ => Err(fail(format!(
                    "missing `{name}` value, expected one on every row"
                ))),
            }
        };
        let time = match self.time_column {
            TimeColumn::OffsetSeconds(i) => {
                let text = field(i, "offset_s")?;
                let secs = non_negative(text).ok_or_else(|| {
                    fail(format!(
                        "found `{text}` in `offset_s`, expected seconds since the scenario start (a number, 0 or more)"
                    ))
                })?;
                secs_to_nanos(secs)
            }
            TimeColumn::Timestamp(i) => {
                let text = field(i, "timestamp")?;
                let stamp = timestamp::parse(text).ok_or_else(|| {
                    fail(format!(
                        "found `{text}` in `timestamp`, expected an RFC 3339 time like `2024-11-29T09:00:00Z` or epoch seconds"
                    ))
                })?;
                let first = *self.first_timestamp.get_or_insert(stamp);
                let since_first = stamp - first;
                if since_first < 0 {
                    return Err(fail(format!(
                        "time goes backwards: `{text}` is before the first row's time; expected rows in time order"
                    )));
                }
                Nanos::try_from(since_first).unwrap_or(Nanos::MAX)
            }
        };
        if time < self.not_before {
            let what = if self.interval.is_some() {
                "this interval starts before the previous one ends; expected rows at least `counts` apart"
            } else {
                "time goes backwards; expected rows in time order"
            };
            return Err(fail(format!(
                "{what} (this row is at {}, expected {} or later)",
                crate::duration::show(time),
                crate::duration::show(self.not_before)
            )));
        }
        self.not_before = time.saturating_add(self.interval.unwrap_or(0));
        let duration = match self.duration_column.and_then(|i| self.record.get(i)) {
            None | Some("") => None,
            Some(text) => {
                let ms = non_negative(text).ok_or_else(|| {
                    fail(format!(
                        "found `{text}` in `duration_ms`, expected milliseconds (a number, 0 or more)"
                    ))
                })?;
                Some(secs_to_nanos(ms / 1000.0))
            }
        };
        let requests = match self.count_column {
            None => 1.0,
            Some(i) => {
                let text = field(i, "count")?;
                non_negative(text).ok_or_else(|| {
                    fail(format!(
                        "found `{text}` in `count`, expected a number of requests, 0 or more"
                    ))
                })?
            }
        };
        Ok(Some(Row {
            time,
            duration,
            requests,
        }))
    }
}

/// A finite number, 0 or more.
fn non_negative(text: &str) -> Option<f64> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

fn csv_error(path: &std::path::Path, err: csv::Error, fallback_line: u64) -> ScenarioError {
    let line = err.position().map_or(fallback_line, |p| p.line());
    let position = Position::csv(path, line);
    let message = format!("malformed CSV: {err}");
    match err.into_kind() {
        csv::ErrorKind::Io(e) => ScenarioError::io(position, "the trace file", &e),
        csv::ErrorKind::Utf8 { .. } => ScenarioError::new(
            position,
            "found bytes that are not UTF-8, expected UTF-8 text",
        ),
        _ => ScenarioError::new(position, message),
    }
}

/// The requests of the current row not yet emitted.
struct Pending {
    start: Nanos,
    /// Width the requests are spread over (0 for a per-request row).
    spread: Nanos,
    total: u64,
    next: u64,
    duration: Option<Nanos>,
}

impl Pending {
    fn time_of(&self, index: u64) -> Nanos {
        let offset = u128::from(self.spread) * u128::from(index) / u128::from(self.total);
        self.start.saturating_add(offset as Nanos)
    }
}

/// Replays a trace as arrivals, applying `scale`, `speedup` and the window.
pub(crate) struct TraceSource {
    rows: Rows,
    scale: f64,
    speedup: f64,
    window: Window,
    /// The fraction of a request carried over to the next row by a fractional `scale`,
    /// so that e.g. `scale: 0.5` keeps exactly every other request.
    carry: f64,
    pending: Option<Pending>,
    done: bool,
}

impl TraceSource {
    pub(crate) fn open(spec: &TraceSpec) -> Result<Self, ScenarioError> {
        Ok(Self {
            rows: Rows::open(spec)?,
            scale: spec.scale,
            speedup: spec.speedup,
            window: spec.window,
            carry: 0.0,
            pending: None,
            done: false,
        })
    }

    fn sped_up(&self, trace_time: Nanos) -> Nanos {
        if self.speedup == 1.0 {
            trace_time
        } else {
            secs_to_nanos(trace_time as f64 / self.speedup / 1e9)
        }
    }

    /// Reads rows until one yields at least one request at or after the window start.
    fn refill(&mut self) -> Result<Option<Pending>, ScenarioError> {
        while let Some(row) = self.rows.next_row()? {
            let wanted = self.carry + row.requests * self.scale;
            let total = wanted.floor();
            self.carry = wanted - total;
            let total = total as u64;
            if total == 0 {
                continue;
            }
            let mut pending = Pending {
                start: self.sped_up(row.time),
                spread: self.sped_up(self.rows.interval.unwrap_or(0)),
                total,
                next: 0,
                duration: row.duration,
            };
            if pending.start >= self.window.end {
                return Ok(None);
            }
            if pending.time_of(total - 1) < self.window.start {
                continue;
            }
            // Jump close to the first request inside the window, then step.
            if pending.spread > 0 && pending.start < self.window.start {
                let before = u128::from(self.window.start - pending.start);
                let index = before * u128::from(total) / u128::from(pending.spread);
                pending.next = u64::try_from(index).unwrap_or(u64::MAX).min(total - 1);
            }
            while pending.time_of(pending.next) < self.window.start {
                pending.next += 1;
            }
            return Ok(Some(pending));
        }
        Ok(None)
    }
}

impl ArrivalSource for TraceSource {
    fn next_arrival(&mut self) -> Result<Option<Arrival>, SourceError> {
        if self.done {
            return Ok(None);
        }
        if self.pending.is_none() {
            self.pending = self.refill().map_err(|e| SourceError {
                message: e.to_string(),
            })?;
        }
        let Some(pending) = self.pending.as_mut() else {
            self.done = true;
            return Ok(None);
        };
        let time = pending.time_of(pending.next);
        if time >= self.window.end {
            self.done = true;
            return Ok(None);
        }
        pending.next += 1;
        let duration = pending.duration;
        if pending.next == pending.total {
            self.pending = None;
        }
        Ok(Some(Arrival {
            time,
            duration,
            target: 0,
        }))
    }
}
