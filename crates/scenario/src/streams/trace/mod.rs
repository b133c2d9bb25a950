//! Trace files, streamed a record at a time and never loaded whole: per-request and
//! per-interval CSV files ([`csv`]), Azure Functions 2019 day files ([`azure`]) and
//! access logs (ALB, JSON lines: [`access`]); and CloudWatch metrics
//! ([`cloudwatch`]), whose points (one per period, not per request) are read whole to
//! be merged and sorted.
//!
//! Trace time becomes simulated time as `time / speedup + offset`; the stream's
//! `start:`/`end:` window then filters it (trace times are not shifted by the window).
//! `scale` multiplies requests: a per-interval row replays `round(count × scale)`
//! requests, so a counts trace replays exactly the sum of its rounded counts; in a
//! per-request trace the fractions carry from row to row, so `scale: 0.5` keeps every
//! other request and `scale: 2` doubles each one.

mod access;
mod azure;
mod cloudwatch;
mod csv;
mod spread;

pub(crate) use access::jsonl::{JsonFields, TimeUnit};
pub(crate) use access::{DEFAULT_REORDER, Routes};
pub(crate) use cloudwatch::{CsvColumns, Statistic};
pub(crate) use spread::{PeakToMean, Spread};

use super::Window;
use crate::error::{Position, ScenarioError};
use lambdasim_engine::{Nanos, RngStream, secs_to_nanos};
use lambdasim_model::{Arrival, ArrivalSource, SourceError};
use spread::Pending;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// What is read from a trace file: everything that decides whether it is valid, so
/// a file used the same way by several variants is checked once.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct TraceFile {
    /// The file, resolved against the scenario file's directory.
    pub path: PathBuf,
    pub format: TraceFormat,
    /// The scenario's function names in order, for a `function` column.
    pub functions: Vec<String>,
    /// The index of the function the stream is listed under.
    pub owner: usize,
}

impl TraceFile {
    /// Whether its `routes:` send requests to the function at `function` (an access
    /// log listed under another function).
    pub(crate) fn routes_to(&self, function: usize) -> bool {
        let routes = match &self.format {
            TraceFormat::Alb { routes, .. } | TraceFormat::Jsonl { routes, .. } => routes,
            _ => return false,
        };
        routes
            .0
            .iter()
            .any(|(_, target)| target.is_some_and(|t| t as usize == function))
    }
}

/// The layout of a trace file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum TraceFormat {
    /// A CSV file with a header; `counts` is each row's interval in a per-interval
    /// trace, `time_column` the time column's name when not auto-detected.
    Csv {
        counts: Option<Nanos>,
        time_column: Option<String>,
    },
    /// An Azure Functions 2019 per-minute file, replaying one `HashFunction`'s row.
    Azure2019 { function: String },
    /// CloudWatch metrics from the AWS CLI (the path may be a glob): the sum of the
    /// `series` named (all of one, when empty) per `period` (else inferred).
    CloudWatch {
        period: Option<Nanos>,
        series: Vec<String>,
        columns: cloudwatch::CsvColumns,
        statistic: Statistic,
    },
    /// Application Load Balancer access logs (the path may be a glob; `.gz` read
    /// through gzip), put in arrival order within `reorder`; of the requests Lambda
    /// throttled only, for an observed count, when `throttled_only`.
    Alb {
        routes: Routes,
        reorder: Nanos,
        throttled_only: bool,
    },
    /// JSON lines read by `fields`, as [`TraceFormat::Alb`] otherwise.
    Jsonl {
        fields: Box<JsonFields>,
        routes: Routes,
        reorder: Nanos,
    },
    /// Lambda's own logs, an invocation a REPORT line (of cold starts only, for an
    /// observed count), as [`TraceFormat::Alb`] otherwise but for routes.
    LambdaLog {
        reorder: Nanos,
        cold_starts_only: bool,
    },
}

/// A trace stream as configured in the scenario.
#[derive(Clone, Debug)]
pub(crate) struct TraceSpec {
    pub file: TraceFile,
    /// Where the scenario names the file, for "cannot open" errors.
    pub origin: Position,
    /// Multiplies the number of requests.
    pub scale: f64,
    /// Divides trace times.
    pub speedup: f64,
    /// Added to trace times after `speedup`.
    pub offset: Nanos,
    pub spread: Spread,
    /// A peak inside each interval of a per-interval trace (`peak_to_mean:`).
    pub peak_to_mean: Option<PeakToMean>,
    pub window: Window,
}

/// Streams the whole trace once and reports its first problem, unless `stop` is
/// raised first.
pub(crate) fn validate_trace(
    file: &TraceFile,
    origin: &Position,
    stop: &AtomicBool,
) -> Result<(), ScenarioError> {
    let mut rows = Rows::open(file, origin)?;
    while !stop.load(Ordering::Relaxed) && rows.next_row()?.is_some() {}
    Ok(())
}

/// The shortest per-interval period that hides what happens inside it: five minutes,
/// CloudWatch's second resolution (one-minute points are kept for 15 days only).
pub(crate) const COARSE_PERIOD: Nanos = 5 * 60 * 1_000_000_000;

/// Each row's interval in a per-interval trace, `None` for a per-request one: from
/// the scenario when it says, else from the file (a CloudWatch period inferred from
/// the points; `None` if the file cannot be read, which the check reports).
pub(crate) fn period(file: &TraceFile, origin: &Position) -> Option<Nanos> {
    match &file.format {
        TraceFormat::Csv { counts, .. } => *counts,
        TraceFormat::Azure2019 { .. } => Some(azure::MINUTE),
        TraceFormat::CloudWatch {
            period: Some(period),
            ..
        } => Some(*period),
        TraceFormat::CloudWatch { period: None, .. } => Rows::open(file, origin)
            .ok()
            .and_then(|rows| rows.interval()),
        TraceFormat::Alb { .. } | TraceFormat::Jsonl { .. } | TraceFormat::LambdaLog { .. } => None,
    }
}

/// Trace time 0 of a file in nanoseconds since the Unix epoch (its first row's time),
/// or `None` for a file of times relative to the scenario start: what absolute times
/// elsewhere (observed metrics) are aligned by. Reads the first row only.
pub(crate) fn epoch(file: &TraceFile, origin: &Position) -> Result<Option<i128>, ScenarioError> {
    let mut rows = Rows::open(file, origin)?;
    rows.next_row()?;
    Ok(rows.epoch())
}

/// A per-interval file read whole: a value per row, for observed metrics.
pub(crate) struct Periods {
    /// Trace time 0 since the Unix epoch, as [`epoch`] gives it.
    pub epoch: Option<i128>,
    /// Each row's interval.
    pub period: Nanos,
    /// Each row's trace time and value.
    pub values: Vec<(Nanos, f64)>,
}

/// Reads a per-interval file (CloudWatch, or CSV with `counts:`) whole: one value per
/// period, never per request, so it is small. A per-request file is counted per
/// `per_request` period when given (`None` without).
pub(crate) fn periods(
    file: &TraceFile,
    origin: &Position,
    per_request: Option<Nanos>,
) -> Result<Option<Periods>, ScenarioError> {
    let mut rows = Rows::open(file, origin)?;
    let Some(period) = rows.interval() else {
        return per_request
            .map(|p| count_requests(&mut rows, p, file.owner))
            .transpose();
    };
    let mut values = Vec::new();
    while let Some(row) = rows.next_row()? {
        values.push((row.time, row.requests));
    }
    Ok(Some(Periods {
        epoch: rows.epoch(),
        period,
        values,
    }))
}

/// A per-request file's requests counted per `period`, the periods on the clock's
/// whole multiples of it (09:00, 09:01, … for a minute): time 0 is the first request's
/// period. A file with no request counts none (and its time 0 is the epoch's). Of a
/// routed log, only the requests routed to `owner` count.
fn count_requests(rows: &mut Rows, period: Nanos, owner: usize) -> Result<Periods, ScenarioError> {
    let step = i128::from(period);
    let mut values: Vec<(Nanos, f64)> = Vec::new();
    let mut origin: Option<i128> = None;
    let routed = rows.routed();
    while let Some(row) = rows.next_row()? {
        if routed && row.target as usize != owner {
            continue;
        }
        // The file's time 0 (its first request), known once a row is read.
        let epoch = rows.epoch().unwrap_or(0);
        let origin = *origin.get_or_insert(epoch.div_euclid(step) * step);
        let at = (epoch + i128::from(row.time) - origin).div_euclid(step) * step;
        let at = Nanos::try_from(at).unwrap_or(Nanos::MAX);
        match values.last_mut() {
            Some((t, count)) if *t == at => *count += row.requests,
            _ => values.push((at, row.requests)),
        }
    }
    Ok(Periods {
        epoch: Some(origin.unwrap_or(0)),
        period,
        values,
    })
}

/// One checked row, in trace time (before `speedup`).
struct Row {
    time: Nanos,
    duration: Option<Nanos>,
    requests: f64,
    /// The function it goes to: an index into the scenario's functions for a routed
    /// file, else 0.
    target: u32,
}

/// The rows of a trace file of either format.
enum Rows {
    Csv(Box<csv::CsvRows>),
    Azure(azure::AzureRows),
    CloudWatch(cloudwatch::CloudWatchRows),
    Alb(access::AccessRows<access::alb::Alb>),
    Jsonl(access::AccessRows<access::jsonl::Jsonl>),
    LambdaLog(access::AccessRows<access::lambda_log::LambdaLog>),
}

impl Rows {
    fn open(file: &TraceFile, origin: &Position) -> Result<Self, ScenarioError> {
        Ok(match &file.format {
            TraceFormat::Csv {
                counts,
                time_column,
            } => Self::Csv(Box::new(csv::CsvRows::open(
                file,
                origin,
                *counts,
                time_column.as_deref(),
            )?)),
            TraceFormat::Azure2019 { function } => {
                Self::Azure(azure::AzureRows::open(&file.path, origin, function)?)
            }
            TraceFormat::CloudWatch {
                period,
                series,
                columns,
                statistic,
            } => Self::CloudWatch(cloudwatch::CloudWatchRows::open(
                &file.path, origin, *period, series, columns, *statistic,
            )?),
            TraceFormat::Alb {
                routes,
                reorder,
                throttled_only,
            } => Self::Alb(access::AccessRows::open(
                &file.path,
                origin,
                access::alb::Alb {
                    throttled_only: *throttled_only,
                },
                routes.clone(),
                *reorder,
            )?),
            TraceFormat::Jsonl {
                fields,
                routes,
                reorder,
            } => Self::Jsonl(access::AccessRows::open(
                &file.path,
                origin,
                access::jsonl::Jsonl((**fields).clone()),
                routes.clone(),
                *reorder,
            )?),
            TraceFormat::LambdaLog {
                reorder,
                cold_starts_only,
            } => Self::LambdaLog(access::AccessRows::open(
                &file.path,
                origin,
                access::lambda_log::LambdaLog::new(*cold_starts_only),
                access::Routes::default(),
                *reorder,
            )?),
        })
    }

    fn next_row(&mut self) -> Result<Option<Row>, ScenarioError> {
        match self {
            Self::Csv(rows) => rows.next_row(),
            Self::Azure(rows) => Ok(rows.next_row()),
            Self::CloudWatch(rows) => Ok(rows.next_row()),
            Self::Alb(rows) => rows.next_row(),
            Self::Jsonl(rows) => rows.next_row(),
            Self::LambdaLog(rows) => rows.next_row(),
        }
    }

    /// Each row's interval in trace time, for per-interval traces.
    fn interval(&self) -> Option<Nanos> {
        match self {
            Self::Csv(rows) => rows.interval(),
            Self::Azure(_) => Some(azure::MINUTE),
            Self::CloudWatch(rows) => Some(rows.interval()),
            Self::Alb(_) | Self::Jsonl(_) | Self::LambdaLog(_) => None,
        }
    }

    /// Trace time 0 in nanoseconds since the Unix epoch, for a file of absolute times:
    /// known once the first row is read (CloudWatch: at opening). `None` for times
    /// relative to the scenario start (`offset_s`, Azure's minutes of a day).
    fn epoch(&self) -> Option<i128> {
        match self {
            Self::Csv(rows) => rows.epoch(),
            Self::Azure(_) => None,
            Self::CloudWatch(rows) => Some(rows.epoch()),
            Self::Alb(rows) => rows.epoch(),
            Self::Jsonl(rows) => rows.epoch(),
            Self::LambdaLog(rows) => rows.epoch(),
        }
    }

    fn routed(&self) -> bool {
        match self {
            Self::Csv(rows) => rows.routed(),
            Self::Alb(rows) => rows.routed(),
            Self::Jsonl(rows) => rows.routed(),
            Self::Azure(_) | Self::CloudWatch(_) | Self::LambdaLog(_) => false,
        }
    }
}

/// Replays a trace as arrivals, applying `scale`, `speedup`, `offset`, `spread` and
/// the window.
pub(crate) struct TraceSource {
    rows: Rows,
    rng: RngStream,
    spec: TraceSpec,
    /// The fraction of a request carried over to the next row of a per-request trace.
    carry: f64,
    pending: Option<Pending>,
    /// The last row's buffer, for the next to reuse.
    sums: Vec<f64>,
    done: bool,
}

impl TraceSource {
    /// Opens the file; `rng` places requests in their intervals for a random spread.
    pub(crate) fn open(spec: &TraceSpec, rng: RngStream) -> Result<Self, ScenarioError> {
        Ok(Self {
            rows: Rows::open(&spec.file, &spec.origin)?,
            rng,
            spec: spec.clone(),
            carry: 0.0,
            pending: None,
            sums: Vec::new(),
            done: false,
        })
    }

    /// The functions the arrivals go to: all of the scenario's for a file with a
    /// `function` column (each arrival's `target` is then a function index), else the
    /// stream's own.
    pub(crate) fn targets(&self) -> Vec<usize> {
        if self.rows.routed() {
            (0..self.spec.file.functions.len()).collect()
        } else {
            vec![self.spec.file.owner]
        }
    }

    /// A span of trace time in simulated time.
    fn sped_up(&self, trace_time: Nanos) -> Nanos {
        if self.spec.speedup == 1.0 {
            trace_time
        } else {
            secs_to_nanos(trace_time as f64 / self.spec.speedup / 1e9)
        }
    }

    /// How many requests a row replays after `scale`.
    fn requests(&mut self, row: &Row) -> u64 {
        if self.rows.interval().is_some() {
            return (row.requests * self.spec.scale).round() as u64;
        }
        let wanted = self.carry + row.requests * self.spec.scale;
        let whole = wanted.floor();
        self.carry = wanted - whole;
        whole as u64
    }

    /// Reads rows until one has requests that may fall inside the window; `None` once
    /// the trace has passed the window's end.
    fn refill(&mut self) -> Result<Option<Pending>, ScenarioError> {
        while let Some(row) = self.rows.next_row()? {
            let total = self.requests(&row);
            let start = self.sped_up(row.time).saturating_add(self.spec.offset);
            if start >= self.spec.window.end {
                return Ok(None);
            }
            let width = self.rows.interval().map_or(0, |i| self.sped_up(i));
            let ends_before_window = start.saturating_add(width.max(1)) <= self.spec.window.start;
            if total == 0 || ends_before_window {
                continue;
            }
            let mut pending = Pending::new(start, width, total, std::mem::take(&mut self.sums))
                .with_peak(self.spec.peak_to_mean, &mut self.rng);
            pending.duration = row.duration;
            pending.target = row.target;
            return Ok(Some(pending));
        }
        Ok(None)
    }

    /// The requests the trace replays inside the window, counted from its rows
    /// without placing them (a row straddling an edge counts whole); `None` if `stop`
    /// was raised first.
    pub(crate) fn count_requests(
        mut self,
        stop: &AtomicBool,
    ) -> Result<Option<f64>, ScenarioError> {
        let mut total = 0.0;
        while let Some(row) = self.rows.next_row()? {
            if stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let requests = self.requests(&row);
            let start = self.sped_up(row.time).saturating_add(self.spec.offset);
            if start >= self.spec.window.end {
                break;
            }
            let width = self.rows.interval().map_or(0, |i| self.sped_up(i));
            if start.saturating_add(width.max(1)) > self.spec.window.start {
                total += requests as f64;
            }
        }
        Ok(Some(total))
    }

    /// Adds to `busy` (per scenario function, in nanoseconds) the Invoke time of the
    /// requests the trace replays inside its window before `span`: row by row, never
    /// request by request (a row may ask for 2^53), a row straddling an edge counted
    /// for the share of its interval inside. Each row's own duration if it has one,
    /// else its function's mean (`times`).
    pub(crate) fn busy_before(
        mut self,
        span: Nanos,
        times: &[crate::warm::InvokeTime],
        busy: &mut [f64],
    ) -> Result<(), ScenarioError> {
        let targets = self.targets();
        let (from, to) = (self.spec.window.start, self.spec.window.end.min(span));
        while let Some(row) = self.rows.next_row()? {
            let requests = self.requests(&row) as f64;
            let start = self.sped_up(row.time).saturating_add(self.spec.offset);
            if start >= to {
                break;
            }
            let width = self.rows.interval().map_or(0, |i| self.sped_up(i));
            let inside = if width == 0 {
                if start >= from { 1.0 } else { 0.0 }
            } else {
                let end = start.saturating_add(width);
                let overlap = end.min(to).saturating_sub(start.max(from));
                overlap as f64 / width as f64
            };
            let f = targets[row.target as usize];
            let duration = times[f].of_request(row.duration);
            busy[f] += requests * inside * duration;
        }
        Ok(())
    }

    /// Drops the finished row, keeping its buffer.
    fn end_row(&mut self) {
        if let Some(pending) = self.pending.take() {
            self.sums = pending.into_sums();
        }
    }

    fn next(&mut self) -> Result<Option<Arrival>, ScenarioError> {
        while !self.done {
            if self.pending.is_none() {
                self.pending = self.refill()?;
            }
            let Some(pending) = self.pending.as_mut() else {
                self.done = true;
                break;
            };
            let time = pending.next_time(self.spec.spread, &mut self.rng);
            let arrival = Arrival {
                time,
                duration: pending.duration,
                target: pending.target,
            };
            if pending.is_done() {
                self.end_row();
            }
            if time >= self.spec.window.end {
                self.done = true;
            } else if time >= self.spec.window.start {
                return Ok(Some(arrival));
            }
        }
        Ok(None)
    }
}

impl ArrivalSource for TraceSource {
    fn next_arrival(&mut self) -> Result<Option<Arrival>, SourceError> {
        self.next().map_err(|e| SourceError {
            message: e.to_string(),
        })
    }

    /// The rest of a row wholly inside the window (every row of a trace replayed whole)
    /// is read in a tight loop; rows at the window's edges and the reading of the next
    /// row go through `next_arrival`.
    fn next_batch(&mut self, out: &mut Vec<Arrival>, max: usize) -> Result<(), SourceError> {
        let max = out.len() + max;
        while out.len() < max {
            match self.pending.as_mut() {
                Some(pending) if self.spec.window.holds(pending.start, pending.width) => {
                    pending.emit(self.spec.spread, &mut self.rng, out, max);
                    if pending.is_done() {
                        self.end_row();
                    }
                }
                _ => match self.next_arrival()? {
                    Some(arrival) => out.push(arrival),
                    None => break,
                },
            }
        }
        Ok(())
    }
}

/// The files a glob matches, in name order; a plain path is itself, and so is a path
/// that names a file as it is written (an S3 export's `[$LATEST]` is not a class of
/// characters then). `what` names the kind of file expected, for the error when none
/// matches.
pub(crate) fn matching_files(
    pattern: &Path,
    origin: &Position,
    what: &str,
) -> Result<Vec<PathBuf>, ScenarioError> {
    let text = pattern.to_string_lossy();
    if !text.contains(['*', '?', '[']) || pattern.is_file() {
        return Ok(vec![pattern.to_path_buf()]);
    }
    let bad_pattern = |e: &dyn std::fmt::Display| {
        ScenarioError::new(
            origin.clone(),
            format!(
                "found the file pattern `{text}`, which is not a valid glob ({e}), expected a path or a glob such as `metrics/*.json`"
            ),
        )
    };
    let mut files = Vec::new();
    for entry in glob::glob(&text).map_err(|e| bad_pattern(&e))? {
        files.push(entry.map_err(|e| bad_pattern(&e))?);
    }
    if files.is_empty() {
        return Err(ScenarioError::new(
            origin.clone(),
            format!("found no file matching `{text}`, expected at least one {what}"),
        ));
    }
    files.sort();
    Ok(files)
}
