//! CSV trace files: a header row, then one row per request or per interval, read one
//! record at a time.
//!
//! The time column is `offset_s` (seconds since the scenario start) or a timestamp
//! column (`timestamp`, `time` or `period`: RFC 3339, `YYYY-MM-DD HH:MM:SS` taken as
//! UTC, or epoch seconds; the first row is time 0), or the one `time_column:` names.
//! Optional columns: `duration_ms` (that request's Invoke duration), `count` (required
//! in a per-interval trace) and `function` (routes the row to the scenario's function
//! of that name). Other columns are ignored.

use super::{Row, TraceFile};
use crate::duration;
use crate::error::{Position, ScenarioError, shown};
use crate::streams::timestamp;
use lambdasim_engine::{Nanos, secs_to_nanos};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The time columns recognised without `time_column:`, in the order they are tried.
const TIME_COLUMNS: [&str; 4] = ["offset_s", "timestamp", "time", "period"];

#[derive(Clone, Copy)]
enum TimeColumn {
    OffsetSeconds(usize),
    Timestamp(usize),
}

/// Which function a row goes to: the `function` column's value names one of the
/// scenario's functions; an empty value means the function the stream is listed under.
struct Router {
    column: usize,
    functions: Vec<String>,
    owner: usize,
}

/// The checked rows of a CSV trace.
pub(super) struct CsvRows {
    reader: TraceReader,
    record: csv::StringRecord,
    path: PathBuf,
    time_name: String,
    time_column: TimeColumn,
    duration_column: Option<usize>,
    count_column: Option<usize>,
    router: Option<Router>,
    interval: Option<Nanos>,
    first_timestamp: Option<i128>,
    /// The earliest time the next row may have.
    not_before: Nanos,
}

/// The largest count a row may give: counts are read as `f64`, exact up to 2^53.
pub(super) const MAX_COUNT: f64 = 9_007_199_254_740_992.0;

/// The longest line a trace may have. The CSV reader holds a whole record in memory,
/// so a file without line breaks (a binary file, `/dev/zero`) would grow it without
/// bound; no trace row comes near this.
const MAX_LINE: u64 = 1 << 20;

/// A trace file read through the line-length guard.
pub(super) type TraceReader = csv::Reader<LineLimit<File>>;

/// A reader that fails once a line runs past [`MAX_LINE`] bytes. It looks back from
/// the end of each chunk to its last line break, so it costs next to nothing.
pub(super) struct LineLimit<R> {
    inner: R,
    /// Bytes since the last line break.
    run: u64,
}

impl<R> LineLimit<R> {
    pub(super) fn new(inner: R) -> Self {
        Self { inner, run: 0 }
    }
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.run = match buf[..n].iter().rposition(|&b| b == b'\n' || b == b'\r') {
            Some(i) => (n - i - 1) as u64,
            None => self.run + n as u64,
        };
        if self.run > MAX_LINE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "found a line longer than 1 MiB, expected rows of a few fields each",
            ));
        }
        Ok(n)
    }
}

/// Opens a CSV file for reading records, reporting failures at `origin` (the YAML
/// line naming it).
pub(super) fn open_reader(path: &Path, origin: &Position) -> Result<TraceReader, ScenarioError> {
    let what = match std::path::absolute(path) {
        Ok(full) if full != path => {
            format!("trace file `{}` ({})", path.display(), full.display())
        }
        _ => format!("trace file `{}`", path.display()),
    };
    // A trace is read twice (checked beside the runs, then replayed by each): a pipe
    // or a device cannot be, and opening a pipe blocks until something writes to it.
    let meta = std::fs::metadata(path).map_err(|e| ScenarioError::io(origin.clone(), &what, &e))?;
    if !meta.is_file() {
        return Err(ScenarioError::new(
            origin.clone(),
            format!(
                "found {what}, which is not a regular file, expected one (a trace is read more than once: a pipe or a device cannot be)"
            ),
        ));
    }
    let file = File::open(path).map_err(|e| ScenarioError::io(origin.clone(), &what, &e))?;
    Ok(csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::Headers)
        .from_reader(LineLimit::new(file)))
}

/// A row's cell, without the ASCII whitespace around it. Cells are trimmed as they are
/// read rather than by the reader (`csv::Trim::All`), which copies every row into a
/// newly allocated record: for a trace of one row per request, that copy cost as
/// much as simulating the request.
pub(super) fn cell(record: &csv::StringRecord, index: usize) -> Option<&str> {
    record.get(index).map(str::trim_ascii)
}

/// The header row, as a list of names.
pub(super) fn header(
    reader: &mut TraceReader,
    path: &Path,
) -> Result<csv::StringRecord, ScenarioError> {
    reader.headers().cloned().map_err(|e| csv_error(path, e, 1))
}

impl CsvRows {
    /// Opens `file` (a CSV-format trace) and checks its header.
    pub(super) fn open(
        file: &TraceFile,
        origin: &Position,
        counts: Option<Nanos>,
        time_column: Option<&str>,
    ) -> Result<Self, ScenarioError> {
        let path = file.path.clone();
        let mut reader = open_reader(&path, origin)?;
        let header = header(&mut reader, &path)?;
        let column = |name: &str| header.iter().position(|h| h == name);
        let found = || {
            format!(
                "found columns `{}`",
                shown(&header.iter().collect::<Vec<_>>().join(", "))
            )
        };
        let header_error = |message: String| ScenarioError::new(Position::csv(&path, 1), message);
        let time_name = match time_column {
            Some(name) => column(name).map(|_| name.to_string()).ok_or_else(|| {
                header_error(format!(
                    "expected the column `{name}` named by time_column, {}",
                    found()
                ))
            })?,
            None => {
                let present: Vec<&str> = TIME_COLUMNS
                    .into_iter()
                    .filter(|name| column(name).is_some())
                    .collect();
                match present[..] {
                    [name] => name.to_string(),
                    [] => {
                        return Err(header_error(format!(
                            "expected a header row with a time column (`offset_s`, `timestamp`, `time` or `period`, or the one named by time_column), {}",
                            found()
                        )));
                    }
                    _ => {
                        return Err(header_error(format!(
                            "found time columns `{}`, expected only one (or choose with time_column)",
                            present.join("`, `")
                        )));
                    }
                }
            }
        };
        let index = column(&time_name).unwrap_or_default();
        let time_column = if time_name == "offset_s" {
            TimeColumn::OffsetSeconds(index)
        } else {
            TimeColumn::Timestamp(index)
        };
        let count_column = match (counts, column("count")) {
            (Some(_), None) => {
                return Err(header_error(format!(
                    "expected a `count` column in a per-interval trace (`counts:`), {}",
                    found()
                )));
            }
            (Some(_), Some(i)) => Some(i),
            // A counts export read as one request per row would replay a handful of
            // requests instead of thousands, silently.
            (None, Some(_)) => {
                return Err(header_error(format!(
                    "found a `count` column in a per-request trace (one request per row), expected no `count` column; for per-interval counts add `counts:` with the interval (e.g. `counts: 1m`), {}",
                    found()
                )));
            }
            (None, None) => None,
        };
        let router = column("function").map(|column| Router {
            column,
            functions: file.functions.clone(),
            owner: file.owner,
        });
        Ok(Self {
            reader,
            record: csv::StringRecord::new(),
            duration_column: column("duration_ms"),
            path,
            time_name,
            time_column,
            count_column,
            router,
            interval: counts,
            first_timestamp: None,
            not_before: 0,
        })
    }

    /// Whether rows name their function (the file has a `function` column).
    pub(super) fn routed(&self) -> bool {
        self.router.is_some()
    }

    /// Each row's interval, for a per-interval trace.
    pub(super) fn interval(&self) -> Option<Nanos> {
        self.interval
    }

    /// The first row's timestamp (nanoseconds since the Unix epoch), once read; `None`
    /// before it, and always for `offset_s` times.
    pub(super) fn epoch(&self) -> Option<i128> {
        self.first_timestamp
    }

    /// The next row, checked, or `None` at the end of the file.
    pub(super) fn next_row(&mut self) -> Result<Option<Row>, ScenarioError> {
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
        let time = self.time(line)?;
        if time < self.not_before {
            let what = if self.interval.is_some() {
                "this interval starts before the previous one ends; expected rows at least `counts` apart"
            } else {
                "time goes backwards; expected rows in time order"
            };
            return Err(ScenarioError::new(
                self.at(line),
                format!(
                    "{what} (this row is at {}, expected {} or later)",
                    duration::show(time),
                    duration::show(self.not_before)
                ),
            ));
        }
        self.not_before = time.saturating_add(self.interval.unwrap_or(0));
        Ok(Some(Row {
            time,
            duration: self.duration(line)?,
            requests: self.requests(line)?,
            target: self.target(line)?,
        }))
    }

    /// Where the row on `line` is, for its errors: built only for an error, since it
    /// holds a copy of the file's path.
    fn at(&self, line: u64) -> Position {
        Position::csv(&self.path, line)
    }

    /// The value of a required column on the current row.
    fn field(&self, index: usize, name: &str, line: u64) -> Result<&str, ScenarioError> {
        match cell(&self.record, index) {
            Some(value) if !value.is_empty() => Ok(value),
            _ => Err(ScenarioError::new(
                self.at(line),
                format!("missing `{name}` value, expected one on every row"),
            )),
        }
    }

    /// The row's time since the first row (timestamps) or the scenario start (offsets).
    fn time(&mut self, line: u64) -> Result<Nanos, ScenarioError> {
        let index = match self.time_column {
            TimeColumn::OffsetSeconds(i) => return self.offset(i, line),
            TimeColumn::Timestamp(i) => i,
        };
        let stamp = self.timestamp(index, line)?;
        let first = *self.first_timestamp.get_or_insert(stamp);
        if stamp < first {
            let text = shown(cell(&self.record, index).unwrap_or_default());
            return Err(ScenarioError::new(
                self.at(line),
                format!(
                    "time goes backwards: `{text}` is before the first row's time; expected rows in time order"
                ),
            ));
        }
        Ok(Nanos::try_from(stamp - first).unwrap_or(Nanos::MAX))
    }

    fn offset(&self, index: usize, line: u64) -> Result<Nanos, ScenarioError> {
        let name = &self.time_name;
        let text = self.field(index, name, line)?;
        let secs = non_negative(text).ok_or_else(|| {
            let text = shown(text);
            ScenarioError::new(
                self.at(line),
                format!(
                    "found `{text}` in `{name}`, expected seconds since the scenario start (a number, 0 or more)"
                ),
            )
        })?;
        Ok(secs_to_nanos(secs))
    }

    fn timestamp(&self, index: usize, line: u64) -> Result<i128, ScenarioError> {
        let name = &self.time_name;
        let text = self.field(index, name, line)?;
        timestamp::parse(text).ok_or_else(|| {
            let text = shown(text);
            ScenarioError::new(
                self.at(line),
                format!(
                    "found `{text}` in `{name}`, expected an RFC 3339 time like `2024-11-29T09:00:00Z`, `2024-11-29 09:00:00` (UTC) or epoch seconds"
                ),
            )
        })
    }

    fn duration(&self, line: u64) -> Result<Option<Nanos>, ScenarioError> {
        match self.duration_column.and_then(|i| cell(&self.record, i)) {
            None | Some("") => Ok(None),
            Some(text) => {
                let ms = non_negative(text)
                    .filter(|ms| ms * 1e6 < u64::MAX as f64)
                    .ok_or_else(|| {
                    let text = shown(text);
                    ScenarioError::new(
                        self.at(line),
                        format!(
                            "found `{text}` in `duration_ms`, expected milliseconds (a number, 0 or more, under 584 years)"
                        ),
                    )
                })?;
                Ok(Some(secs_to_nanos(ms / 1000.0)))
            }
        }
    }

    fn requests(&self, line: u64) -> Result<f64, ScenarioError> {
        let Some(i) = self.count_column else {
            return Ok(1.0);
        };
        let text = self.field(i, "count", line)?;
        count(text).ok_or_else(|| {
            let text = shown(text);
            ScenarioError::new(
                self.at(line),
                format!("found `{text}` in `count`, expected a number of requests, 0 to 2^53"),
            )
        })
    }

    fn target(&self, line: u64) -> Result<u32, ScenarioError> {
        let Some(router) = &self.router else {
            return Ok(0);
        };
        let name = cell(&self.record, router.column).unwrap_or_default();
        let index = if name.is_empty() {
            Some(router.owner)
        } else {
            router.functions.iter().position(|f| f == name)
        };
        let index = index.ok_or_else(|| {
            ScenarioError::new(
                self.at(line),
                format!(
                    "found function `{}`, expected one of the scenario's functions: {}",
                    shown(name),
                    router.functions.join(", ")
                ),
            )
        })?;
        Ok(u32::try_from(index).unwrap_or(u32::MAX))
    }
}

/// A finite number, 0 or more.
/// A count of requests, 0 to 2^53 (`MAX_COUNT`): exactly, for an integer (2^53 + 1
/// would round to 2^53 as a float), and below 2^53 for a decimal.
pub(super) fn count(text: &str) -> Option<f64> {
    match text.parse::<u64>() {
        Ok(n) => (n <= MAX_COUNT as u64).then_some(n as f64),
        Err(_) => non_negative(text).filter(|&n| n < MAX_COUNT),
    }
}

pub(super) fn non_negative(text: &str) -> Option<f64> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// A CSV reading failure at its line (or `fallback_line` when the reader has none).
pub(super) fn csv_error(path: &Path, err: csv::Error, fallback_line: u64) -> ScenarioError {
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
