//! Access logs as per-request traces: Application Load Balancer logs ([`alb`]) and
//! JSON lines such as API Gateway's access logs ([`jsonl`]), one request a line.
//!
//! A log is written as requests finish, so its lines are in the order of their ends,
//! not of their arrivals; a load balancer writes one file per node every five minutes,
//! and an export of Lambda's log group to S3 one file per log stream (an execution
//! environment each, files whose times overlap). The files a glob matches, plain or
//! gzip-compressed (`.gz`), are merged by time: each file's first request is found
//! first, and a file is opened when the merge reaches that time, then read a line at a
//! time, always from the open file that is furthest behind. The requests are put back
//! in arrival order through a buffer that holds `reorder_window` of them: a request is
//! replayed once a line has been read that arrived that long after it. Memory is that
//! window's requests and the files open at once (those whose times overlap), never the
//! whole log; a request that arrives earlier than one already replayed is an input
//! error naming its line, with the window to raise. The first arrival is time 0.
//!
//! `routes:` maps each request's route (ALB: its target group's name, since a Lambda
//! target group holds one function; JSON: the `route_field`) to a function, or to
//! nothing to leave it out; a route the map does not list is an error, never dropped
//! silently. Without `routes:` every request goes to the stream's function.

pub(super) mod alb;
pub(super) mod jsonl;
pub(super) mod lambda_log;

use super::Row;
use super::csv::LineLimit;
use super::matching_files;
use crate::error::{Position, ScenarioError, shown};
use lambdasim_engine::Nanos;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// How far before the latest arrival read a request may still arrive, by default:
/// ALB writes a node's file every 5 minutes, so a request can be logged up to that much
/// after others that arrived later, plus its own duration.
pub(crate) const DEFAULT_REORDER: Nanos = 10 * 60 * 1_000_000_000;

/// Where each route's requests go: to a function (by index into the scenario's
/// functions) or, for `None`, nowhere.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Routes(pub Vec<(String, Option<u32>)>);

impl Routes {
    /// The target of `route`: `Ok(None)` to leave the request out, an error message
    /// when the map does not list it. Without a map, every request is the owner's (0).
    fn target(&self, route: Option<&str>) -> Result<Option<u32>, String> {
        if self.0.is_empty() {
            return Ok(Some(0));
        }
        let Some(route) = route else {
            return Err("found a request without a route, expected one that routes: lists".into());
        };
        match self.0.iter().find(|(r, _)| r == route) {
            Some((_, target)) => Ok(*target),
            None => {
                let listed: Vec<&str> = self.0.iter().map(|(r, _)| r.as_str()).collect();
                Err(format!(
                    "found the route `{}`, expected one that routes: lists (`{}`; map a route to ~ to leave its requests out)",
                    shown(route),
                    shown(&listed.join("`, `"))
                ))
            }
        }
    }

    /// Whether requests go to several functions, so a row's target is a function index.
    pub(crate) fn routed(&self) -> bool {
        !self.0.is_empty()
    }
}

/// One request read from a log line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Request {
    /// When it arrived, in nanoseconds since the Unix epoch.
    pub arrival: i128,
    /// How long the function took, when the log says.
    pub duration: Option<Nanos>,
}

/// What a line holds: a request and its route, or nothing to replay (a blank line).
pub(super) type Parsed<'a> = Option<(Request, Option<&'a str>)>;

/// A log format: how one line is read.
pub(super) trait LineFormat {
    /// The request on `line`, or an error message saying what was expected.
    fn parse<'a>(&self, line: &'a str) -> Result<Parsed<'a>, String>;

    /// Once every line is read: what was wrong with the log as a whole, if anything
    /// (a log of another kind, whose every line was passed over).
    fn finish(&self) -> Result<(), String> {
        Ok(())
    }
}

/// The requests of a log's files in arrival order.
pub(super) struct AccessRows<F> {
    format: F,
    routes: Routes,
    reorder: Nanos,
    /// Files not yet opened, by their first request's arrival.
    waiting: std::iter::Peekable<std::vec::IntoIter<(i128, PathBuf)>>,
    /// Files open, by the arrival of the last request read from each: the one
    /// furthest behind is read next.
    open: BinaryHeap<Reverse<(i128, u64)>>,
    /// The open files, by the number `open` knows them by.
    files: std::collections::HashMap<u64, LogFile>,
    opened: u64,
    line: String,
    /// Requests read, by arrival, then by the order they were read in.
    buffer: BinaryHeap<Reverse<Buffered>>,
    read: u64,
    /// The arrival of the last request replayed: none may come before it.
    replayed: Option<i128>,
    /// The first arrival: time 0.
    origin: Option<i128>,
    /// Where the scenario names the log, for an error about it as a whole.
    named_at: Position,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Buffered {
    arrival: i128,
    order: u64,
    duration: Option<Nanos>,
    target: u32,
}

/// One file being read.
struct LogFile {
    path: PathBuf,
    reader: Box<dyn BufRead + Send>,
    line: u64,
}

impl<F: LineFormat> AccessRows<F> {
    /// Finds the files `pattern` matches and the first request of each (reading each
    /// up to it), to merge them by time.
    pub(super) fn open(
        pattern: &Path,
        origin: &Position,
        format: F,
        routes: Routes,
        reorder: Nanos,
    ) -> Result<Self, ScenarioError> {
        let mut files = Vec::new();
        let mut line = String::new();
        for path in matching_files(pattern, origin, "access log")? {
            check_regular(&path, origin)?;
            let mut file = LogFile::open(path)?;
            while let Some(at) = file.read_line(&mut line)? {
                let parsed = format.parse(line.trim_end_matches(['\n', '\r']));
                if let Some((request, _)) = parsed.map_err(|m| ScenarioError::new(at, m))? {
                    files.push((request.arrival, file.path));
                    break;
                }
            }
        }
        files.sort();
        Ok(Self {
            format,
            routes,
            reorder,
            waiting: files.into_iter().peekable(),
            open: BinaryHeap::new(),
            files: std::collections::HashMap::new(),
            opened: 0,
            line,
            buffer: BinaryHeap::new(),
            read: 0,
            replayed: None,
            origin: None,
            named_at: origin.clone(),
        })
    }

    /// The first arrival (nanoseconds since the Unix epoch), once replayed.
    pub(super) fn epoch(&self) -> Option<i128> {
        self.origin
    }

    pub(super) fn routed(&self) -> bool {
        self.routes.routed()
    }

    /// The next request in arrival order, as a row in trace time.
    pub(super) fn next_row(&mut self) -> Result<Option<Row>, ScenarioError> {
        loop {
            if let Some(Reverse(next)) = self.buffer.peek().copied()
                && self
                    .frontier()
                    .is_some_and(|at| next.arrival.saturating_add(i128::from(self.reorder)) <= at)
            {
                self.buffer.pop();
                return Ok(Some(self.replay(next)));
            }
            if !self.read_one()? {
                let Some(Reverse(next)) = self.buffer.pop() else {
                    self.format
                        .finish()
                        .map_err(|m| ScenarioError::new(self.named_at.clone(), m))?;
                    return Ok(None);
                };
                return Ok(Some(self.replay(next)));
            }
        }
    }

    fn replay(&mut self, request: Buffered) -> Row {
        let origin = *self.origin.get_or_insert(request.arrival);
        self.replayed = Some(request.arrival);
        Row {
            time: Nanos::try_from(request.arrival - origin).unwrap_or(Nanos::MAX),
            duration: request.duration,
            requests: 1.0,
            target: request.target,
        }
    }

    /// How far the merge has read every file: the least of the open files' places and
    /// the first request of the next file to open. No file can still hold a request
    /// more than `reorder_window` before it; `None` once every file is read.
    fn frontier(&mut self) -> Option<i128> {
        let open = self.open.peek().map(|Reverse((at, _))| *at);
        let waiting = self.waiting.peek().map(|(first, _)| *first);
        open.into_iter().chain(waiting).min()
    }

    /// The next file to read a line of: a waiting file whose first request is no
    /// later than where every open file stands is opened first.
    fn next_file(&mut self) -> Result<Option<(i128, u64)>, ScenarioError> {
        let behind = self.open.peek().map(|Reverse((at, _))| *at);
        if let Some(&(first, _)) = self.waiting.peek()
            && behind.is_none_or(|at| first <= at)
        {
            let (first, path) = self.waiting.next().expect("peeked");
            self.opened += 1;
            self.files.insert(self.opened, LogFile::open(path)?);
            return Ok(Some((first, self.opened)));
        }
        Ok(self.open.pop().map(|Reverse(next)| next))
    }

    /// Reads the next line with a request into the buffer; `false` when every file
    /// has been read.
    fn read_one(&mut self) -> Result<bool, ScenarioError> {
        loop {
            let Some((at_time, key)) = self.next_file()? else {
                return Ok(false);
            };
            let file = self.files.get_mut(&key).expect("an open file");
            let Some(at) = file.read_line(&mut self.line)? else {
                self.files.remove(&key);
                continue;
            };
            let parsed = self
                .format
                .parse(self.line.trim_end_matches(['\n', '\r']))
                .map_err(|m| ScenarioError::new(at.clone(), m))?;
            let Some((request, route)) = parsed else {
                self.open.push(Reverse((at_time, key)));
                continue;
            };
            self.open.push(Reverse((at_time.max(request.arrival), key)));
            let Some(target) = self
                .routes
                .target(route)
                .map_err(|m| ScenarioError::new(at.clone(), m))?
            else {
                continue;
            };
            if let Some(replayed) = self.replayed.filter(|&r| request.arrival < r) {
                return Err(ScenarioError::new(
                    at,
                    format!(
                        "found a request that arrived {:.3} s before one already replayed, expected requests logged at most reorder_window ({} s) after later arrivals; raise reorder_window",
                        (replayed - request.arrival) as f64 / 1e9,
                        self.reorder as f64 / 1e9
                    ),
                ));
            }
            self.read += 1;
            self.buffer.push(Reverse(Buffered {
                arrival: request.arrival,
                order: self.read,
                duration: request.duration,
                target,
            }));
            return Ok(true);
        }
    }
}

impl LogFile {
    /// Reads the next line into `line`, and says where it is; `None` at the end of
    /// the file.
    fn read_line(&mut self, line: &mut String) -> Result<Option<Position>, ScenarioError> {
        line.clear();
        self.line += 1;
        let at = Position::csv(&self.path, self.line);
        let n = self
            .reader
            .read_line(line)
            .map_err(|e| read_error(at.clone(), &e))?;
        Ok((n > 0).then_some(at))
    }

    /// Opens a log file, through gzip when its name ends in `.gz`.
    fn open(path: PathBuf) -> Result<Self, ScenarioError> {
        let file = File::open(&path)
            .map_err(|e| ScenarioError::io(Position::file(&path), "the access log", &e))?;
        // The line guard reads what the decoder gives: a file without line breaks
        // never grows a line past 1 MiB in memory.
        let reader: Box<dyn Read + Send> = if path.extension().is_some_and(|e| e == "gz") {
            Box::new(LineLimit::new(flate2::read::MultiGzDecoder::new(file)))
        } else {
            Box::new(LineLimit::new(file))
        };
        Ok(Self {
            path,
            reader: Box::new(BufReader::with_capacity(1 << 16, reader)),
            line: 0,
        })
    }
}

/// A log must be a regular file: it is read more than once (checked, then replayed).
fn check_regular(path: &Path, origin: &Position) -> Result<(), ScenarioError> {
    let what = format!("access log `{}`", path.display());
    let meta = std::fs::metadata(path).map_err(|e| ScenarioError::io(origin.clone(), &what, &e))?;
    if meta.is_file() {
        Ok(())
    } else {
        Err(ScenarioError::new(
            origin.clone(),
            format!(
                "found {what}, which is not a regular file, expected one (a trace is read more than once)"
            ),
        ))
    }
}

/// A read that failed at `at`: bytes that are not UTF-8, a truncated or corrupt gzip
/// stream, or the file system.
fn read_error(at: Position, err: &std::io::Error) -> ScenarioError {
    match err.kind() {
        std::io::ErrorKind::InvalidData => ScenarioError::new(
            at,
            format!("found {err}, expected UTF-8 text (gzip-compressed when the name ends in .gz)"),
        ),
        std::io::ErrorKind::UnexpectedEof => ScenarioError::new(
            at,
            "found the file cut short (a truncated gzip stream), expected it whole",
        ),
        _ => ScenarioError::io(at, "the access log", err),
    }
}

/// Seconds as written in a log (`0.125`), as nanoseconds; `None` for a negative or
/// malformed value.
pub(super) fn seconds(text: &str) -> Option<Nanos> {
    let value: f64 = text.parse().ok()?;
    (0.0..1e9)
        .contains(&value)
        .then(|| (value * 1e9).round() as Nanos)
}
