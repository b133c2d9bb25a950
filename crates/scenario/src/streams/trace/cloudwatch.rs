//! CloudWatch metrics as the AWS CLI writes them, replayed as a per-interval counts
//! trace: each point's value is the number of requests in its period.
//!
//! Two shapes are read (AWS CLI Command Reference, `aws cloudwatch get-metric-data` and
//! `get-metric-statistics`):
//!
//! - `{"MetricDataResults": [{"Id", "Label", "Timestamps", "Values", "StatusCode"}]}`,
//!   points newest first by default; `InternalError` or `Forbidden` means the series is
//!   not all there, an input error, and so does `PartialData` unless another page of
//!   the series (the CLI prints every page's results) is `Complete`;
//! - `{"Label", "Datapoints": [{"Timestamp", "Sum"}]}`, in no particular order and at
//!   most 1,440 points per call, so a long series comes in several files. `Sum` is read
//!   for traffic; an observed gauge (`ConcurrentExecutions`) reads `Maximum` instead
//!   ([`Statistic`]).
//!
//! A file that is not JSON is read as CSV with a header: a time column and a column
//! per series, named by its header, rows in any order, an empty cell a missing point.
//! That is the CSV of a CloudWatch Logs Insights query `stats count(*) by bin(1m)`
//! (columns `bin(1m)` and `count(*)`, newest first), a graph of several metrics
//! downloaded as one table, or any other time-and-count export. The time column is a
//! one `time_column:` names, else a `bin(…)`, `timestamp`, `time`, `@timestamp` or
//! `date` column (in any case), else the first column holding dates; `count_column:`
//! reads one column alone.
//!
//! `file:` may be a glob: every file it matches is read. `series:` names the series to
//! replay by `Id`, `Label` or CSV column and sums them point by point (a function's load is
//! `Invocations` plus `Throttles`: CloudWatch counts a throttled request in
//! `Throttles` only, per the Lambda Developer Guide, "Types of metrics for Lambda
//! functions"). A series split over several files is merged; a time given twice must
//! have the same value. The period is `counts:` when given, else the smallest spacing
//! of the points; every point must lie on that grid, and missing points are periods of
//! no requests.
//!
//! The points are held in memory: one per period (a day of one-minute points is
//! 1,440), never one per request.

use super::Row;
use crate::error::{Position, ScenarioError};
use crate::input;
use crate::streams::timestamp;
use lambdasim_engine::Nanos;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The largest metrics file read: far above what the CLI writes for a year of
/// one-minute points, far below what would strain memory.
const MAX_FILE_BYTES: u64 = 256 << 20;

/// The largest count of a point, as for a counts CSV: above it, whole numbers are
/// no longer exact.
const MAX_COUNT: f64 = 9_007_199_254_740_992.0;

/// One file as the CLI writes it; either shape, told apart by which keys are there.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Document {
    metric_data_results: Option<Vec<DataResult>>,
    label: Option<String>,
    datapoints: Option<Vec<Datapoint>>,
}

/// A series of `get-metric-data`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DataResult {
    id: String,
    label: Option<String>,
    #[serde(default)]
    timestamps: Vec<String>,
    #[serde(default)]
    values: Vec<f64>,
    status_code: Option<String>,
}

/// A point of `get-metric-statistics`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Datapoint {
    timestamp: String,
    sum: Option<f64>,
    maximum: Option<f64>,
}

/// The statistic read from `get-metric-statistics` datapoints: `Sum` for counts per
/// period (requests, throttles), `Maximum` for a gauge's peak in each period
/// (`ConcurrentExecutions`). `get-metric-data` gives one value per point, of whatever
/// statistic the query asked for, so it is read as it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) enum Statistic {
    #[default]
    Sum,
    Maximum,
}

impl Statistic {
    /// The datapoint's value of this statistic, if the file has it.
    fn of(self, point: &Datapoint) -> Option<f64> {
        match self {
            Self::Sum => point.sum,
            Self::Maximum => point.maximum,
        }
    }

    /// Its name in the JSON and on the CLI's `--statistics`.
    fn name(self) -> &'static str {
        match self {
            Self::Sum => "Sum",
            Self::Maximum => "Maximum",
        }
    }

    /// What its values mean, for messages.
    fn meaning(self) -> &'static str {
        match self {
            Self::Sum => "the number of requests per period",
            Self::Maximum => "the most at once in each period",
        }
    }
}

/// A series read from one file, by the names that select it.
struct Series {
    id: Option<String>,
    label: Option<String>,
    file: PathBuf,
    /// Its points, or what is wrong with them: a CSV's bad cell matters only in a
    /// series replayed.
    points: Result<Vec<(i128, f64)>, ScenarioError>,
    /// Why it is one page of several, if it is: an error unless another page of the
    /// series is whole.
    unfinished: Option<ScenarioError>,
}

impl Series {
    /// What `series:` would call it: its `Id`, else its `Label`.
    fn name(&self) -> &str {
        self.id.as_deref().or(self.label.as_deref()).unwrap_or("")
    }

    fn answers_to(&self, name: &str) -> bool {
        self.id.as_deref() == Some(name) || self.label.as_deref() == Some(name)
    }
}

/// The merged points, replayed in time order.
pub(super) struct CloudWatchRows {
    rows: std::vec::IntoIter<(Nanos, f64)>,
    period: Nanos,
    /// The first point's time in nanoseconds since the Unix epoch: trace time 0.
    epoch: i128,
}

impl CloudWatchRows {
    /// Reads every file `pattern` matches and merges the chosen series.
    pub(super) fn open(
        pattern: &Path,
        origin: &Position,
        period: Option<Nanos>,
        wanted: &[String],
        columns: &CsvColumns,
        statistic: Statistic,
    ) -> Result<Self, ScenarioError> {
        let mut series = Vec::new();
        for path in super::matching_files(pattern, origin, "CloudWatch metrics file")? {
            series.extend(read_file(&path, origin, columns, statistic)?);
        }
        let points = select(&series, wanted, pattern)?;
        let period = match period {
            Some(period) => period,
            None => infer_period(&points, pattern)?,
        };
        let (epoch, rows) = on_grid(&points, period, pattern)?;
        Ok(Self {
            rows: rows.into_iter(),
            period,
            epoch,
        })
    }

    pub(super) fn next_row(&mut self) -> Option<Row> {
        self.rows.next().map(|(time, requests)| Row {
            time,
            duration: None,
            requests,
            target: 0,
        })
    }

    /// Each point's period.
    pub(super) fn interval(&self) -> Nanos {
        self.period
    }

    /// The first point's time since the Unix epoch, in nanoseconds.
    pub(super) fn epoch(&self) -> i128 {
        self.epoch
    }
}

/// The columns of a CSV metrics file, when named in the scenario.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct CsvColumns {
    pub time: Option<String>,
    pub count: Option<String>,
}

/// The series of one file.
fn read_file(
    path: &Path,
    origin: &Position,
    columns: &CsvColumns,
    statistic: Statistic,
) -> Result<Vec<Series>, ScenarioError> {
    let text = crate::input::read_whole(
        path,
        origin,
        &format!("CloudWatch metrics file `{}`", path.display()),
        MAX_FILE_BYTES,
        "the JSON the AWS CLI writes, or a CSV of times and counts",
    )?;
    if !text.trim_start().starts_with('{') {
        return csv_series(path, &text, columns);
    }
    let document: Document = serde_json::from_str(&text).map_err(|e| {
        ScenarioError::new(
            Position::at(path, e.line() as u64, e.column() as u64),
            format!("found invalid CloudWatch JSON ({e}), expected the output of `aws cloudwatch get-metric-data` or `get-metric-statistics`"),
        )
    })?;
    let located =
        |problem: Problem| ScenarioError::new(locate(path, &text, &problem.near), problem.message);
    match document {
        Document {
            metric_data_results: Some(results),
            ..
        } => results
            .into_iter()
            .map(|r| {
                let (mut series, unfinished) = data_series(r, path).map_err(located)?;
                series.unfinished = unfinished.map(located);
                Ok(series)
            })
            .collect(),
        Document {
            datapoints: Some(points),
            label,
            ..
        } => Ok(vec![
            statistics_series(points, label, path, statistic).map_err(located)?,
        ]),
        _ => Err(ScenarioError::new(
            Position::file(path),
            "found JSON without `MetricDataResults` or `Datapoints`, expected the output of `aws cloudwatch get-metric-data` or `get-metric-statistics`",
        )),
    }
}

/// What is wrong with a series, and the JSON strings that lead to where: each is
/// looked for after the one before (a series' `Id`, then a timestamp in it).
struct Problem {
    message: String,
    near: Vec<String>,
}

impl Problem {
    fn new(message: String, near: &[&str]) -> Self {
        Self {
            message,
            near: near.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// The line and column of the last of `near` (as JSON strings, in order) in `text`,
/// or the whole file when they cannot be found (a string written with escapes).
fn locate(path: &Path, text: &str, near: &[String]) -> Position {
    if near.is_empty() {
        return Position::file(path);
    }
    let mut from = 0;
    for needle in near {
        match text[from..].find(&format!("\"{needle}\"")) {
            Some(at) => from += at,
            None => return Position::file(path),
        }
    }
    let before = &text[..from];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rfind('\n').map_or(from, |n| from - n - 1) as u64 + 1;
    Position::at(path, line, column)
}

/// Time columns found by name, in any case: Logs Insights' `bin(…)` by its prefix,
/// then these. Without one, the first column whose first value is a time.
const TIME_COLUMNS: [&str; 4] = ["timestamp", "time", "@timestamp", "date"];

/// A CSV file of times and values: a series per value column, named by its header
/// (a graph downloaded with several metrics has a column for each). An empty cell is
/// a missing point. A bad cell is an error only if its column is replayed.
fn csv_series(path: &Path, text: &str, columns: &CsvColumns) -> Result<Vec<Series>, ScenarioError> {
    let at = |line: u64, message: String| ScenarioError::new(Position::csv(path, line), message);
    let (mut reader, header) = input::csv_with_header(text, "a CSV header row or CloudWatch JSON")
        .map_err(|m| at(1, m))?;
    let records: Vec<csv::StringRecord> =
        reader.records().collect::<Result<_, _>>().map_err(|e| {
            let line = e.position().map_or(1, |p| p.line());
            at(line, format!("found an unreadable CSV row ({e})"))
        })?;
    let time =
        time_column(&header, records.first(), columns.time.as_deref()).map_err(|m| at(1, m))?;
    let values: Vec<usize> = match &columns.count {
        Some(name) => vec![input::named_column(&header, name, "count").map_err(|m| at(1, m))?],
        None => (0..header.len()).filter(|&i| i != time).collect(),
    };
    if values.is_empty() {
        return Err(at(
            1,
            format!(
                "found only the time column `{}`, expected a column of counts beside it",
                &header[time]
            ),
        ));
    }
    Ok(values
        .into_iter()
        .map(|column| csv_column(path, &header, &records, time, column))
        .collect())
}

/// The time column: the one named, else one known by name, else the first whose
/// first value is a time.
fn time_column(
    header: &csv::StringRecord,
    first: Option<&csv::StringRecord>,
    named: Option<&str>,
) -> Result<usize, String> {
    if let Some(name) = named {
        return input::named_column(header, name, "time");
    }
    let known =
        |h: &str| h.starts_with("bin(") || TIME_COLUMNS.iter().any(|t| t.eq_ignore_ascii_case(h));
    let is_time = |i: usize| {
        first
            .and_then(|r| r.get(i))
            .is_some_and(|v| timestamp::parse(v).is_some() && v.contains('-'))
    };
    header
        .iter()
        .position(known)
        .or_else(|| (0..header.len()).find(|&i| is_time(i)))
        .ok_or_else(|| {
            format!(
                "found the columns {}, expected a time column (`bin(…)`, `timestamp`, `time`, `@timestamp` or `date`, or dates such as `2024-11-29 10:00:00`), or `time_column:` naming it",
                input::column_list(header)
            )
        })
}

/// One value column as a series; its first bad cell kept as its problem.
fn csv_column(
    path: &Path,
    header: &csv::StringRecord,
    records: &[csv::StringRecord],
    time: usize,
    column: usize,
) -> Series {
    let name = &header[column];
    let at = |record: &csv::StringRecord, message: String| {
        let line = record.position().map_or(1, |p| p.line());
        ScenarioError::new(Position::csv(path, line), message)
    };
    let points = records
        .iter()
        .filter_map(|record| {
            let cell = record.get(column).unwrap_or("");
            if cell.is_empty() {
                return None;
            }
            let parsed = match cell.parse::<f64>() {
                Ok(value) => point(record.get(time).unwrap_or(""), value, name),
                Err(_) => Err(format!(
                    "found `{}` in column `{name}`, expected a number of requests (or an empty cell for no data)",
                    crate::error::shown(cell)
                )),
            };
            Some(parsed.map_err(|m| at(record, m)))
        })
        .collect();
    Series {
        id: None,
        label: Some(name.to_string()),
        file: path.to_path_buf(),
        points,
        unfinished: None,
    }
}

/// A `get-metric-data` series, checked, with what is wrong if it is one page of
/// several (`PartialData`): the CLI fetches every page and prints each page's results,
/// so a series is whole when some page of it says `Complete`.
fn data_series(result: DataResult, path: &Path) -> Result<(Series, Option<Problem>), Problem> {
    let id = &result.id;
    let unfinished = match result.status_code.as_deref() {
        None | Some("Complete") => None,
        Some(status @ "PartialData") => Some(Problem::new(
            format!(
                "found StatusCode `{status}` for series `{id}` and no page of it `Complete`, expected the whole series: give every page's output (NextToken) as a file"
            ),
            &[id, status],
        )),
        Some(status) => {
            let message = format!(
                "found StatusCode `{status}` for series `{id}`, expected `Complete`: the series is not all there ({})",
                match status {
                    "Forbidden" => "the caller lacked permission to read the metric",
                    _ => "query it again",
                }
            );
            return Err(Problem::new(message, &[id, status]));
        }
    };
    if result.timestamps.len() != result.values.len() {
        let message = format!(
            "found {} Timestamps and {} Values in series `{id}`, expected one value per timestamp",
            result.timestamps.len(),
            result.values.len()
        );
        return Err(Problem::new(message, &[id]));
    }
    let points = result
        .timestamps
        .iter()
        .zip(&result.values)
        .map(|(time, &value)| point(time, value, id).map_err(|m| Problem::new(m, &[id, time])))
        .collect::<Result<_, _>>()?;
    let series = Series {
        id: Some(result.id),
        label: result.label,
        file: path.to_path_buf(),
        points: Ok(points),
        unfinished: None,
    };
    Ok((series, unfinished))
}

/// A `get-metric-statistics` series, checked: it must carry `statistic`.
fn statistics_series(
    datapoints: Vec<Datapoint>,
    label: Option<String>,
    path: &Path,
    statistic: Statistic,
) -> Result<Series, Problem> {
    let name = label.clone().unwrap_or_default();
    let wanted = statistic.name();
    let points = datapoints
        .iter()
        .map(|p| {
            match statistic.of(p) {
                Some(value) => point(&p.timestamp, value, &name),
                None => Err(format!(
                    "found a datapoint at {} of `{name}` without `{wanted}`, expected the {wanted} statistic (`--statistics {wanted}`): {}",
                    p.timestamp,
                    statistic.meaning()
                )),
            }
            .map_err(|m| Problem::new(m, &[&p.timestamp]))
        })
        .collect::<Result<_, _>>()?;
    Ok(Series {
        id: None,
        label,
        file: path.to_path_buf(),
        points: Ok(points),
        unfinished: None,
    })
}

/// One point, checked: a timestamp and a count of requests.
fn point(time: &str, value: f64, series: &str) -> Result<(i128, f64), String> {
    let Some(stamp) = timestamp::parse(time) else {
        return Err(format!(
            "found the timestamp `{time}` in series `{series}`, expected an ISO 8601 time such as `2024-11-29T10:05:00+00:00`"
        ));
    };
    if !(0.0..=MAX_COUNT).contains(&value) {
        return Err(format!(
            "found the value {value} at {time} in series `{series}`, expected a count of requests (0 to 2^53)"
        ));
    }
    Ok((stamp, value))
}

/// The chosen series summed point by point: those `wanted` names (by `Id` or
/// `Label`), or the only one there is. A series in several files is merged first.
fn select(
    series: &[Series],
    wanted: &[String],
    pattern: &Path,
) -> Result<BTreeMap<i128, f64>, ScenarioError> {
    let error = |message: String| ScenarioError::new(Position::file(pattern), message);
    let mut names: Vec<&str> = series.iter().map(Series::name).collect();
    names.sort_unstable();
    names.dedup();
    let chosen: Vec<&str> = if wanted.is_empty() {
        match names.as_slice() {
            [one] => vec![*one],
            _ => {
                return Err(error(format!(
                    "found {} series ({}), expected `series:` naming those to replay (their sum), e.g. `series: [{}]`",
                    names.len(),
                    quoted(&names),
                    names.first().copied().unwrap_or("Invocations")
                )));
            }
        }
    } else {
        wanted.iter().map(String::as_str).collect()
    };
    let mut total = BTreeMap::new();
    for name in chosen {
        let parts: Vec<&Series> = series.iter().filter(|s| s.answers_to(name)).collect();
        if let Some(unfinished) = parts
            .iter()
            .map(|p| p.unfinished.as_ref())
            .collect::<Option<Vec<_>>>()
            .and_then(|all| all.first().copied())
        {
            return Err(unfinished.clone());
        }
        if parts.is_empty() {
            return Err(error(format!(
                "found no series `{name}`, expected an Id or Label of the files' series ({})",
                quoted(&names)
            )));
        }
        for (time, value) in merge(&parts, name)? {
            *total.entry(time).or_insert(0.0) += value;
        }
    }
    Ok(total)
}

/// One series from its parts in several files; a time in two parts must agree.
fn merge(parts: &[&Series], name: &str) -> Result<BTreeMap<i128, f64>, ScenarioError> {
    let mut merged = BTreeMap::new();
    for part in parts {
        for &(time, value) in part.points.as_ref().map_err(Clone::clone)? {
            if let Some(&before) = merged.get(&time)
                && before != value
            {
                return Err(ScenarioError::new(
                    Position::file(&part.file),
                    format!(
                        "found series `{name}` at {} twice, with {before} and {value}, expected one value per time (overlapping downloads must agree)",
                        show_time(time)
                    ),
                ));
            }
            merged.insert(time, value);
        }
    }
    Ok(merged)
}

/// The period the points' spacing implies: the smallest gap between two of them.
fn infer_period(points: &BTreeMap<i128, f64>, pattern: &Path) -> Result<Nanos, ScenarioError> {
    let times: Vec<i128> = points.keys().copied().collect();
    let gap = times.windows(2).map(|w| w[1] - w[0]).min();
    match gap.and_then(|g| Nanos::try_from(g).ok()) {
        Some(gap) => Ok(gap),
        None => Err(ScenarioError::new(
            Position::file(pattern),
            format!(
                "found {} point(s), too few to tell the period from their spacing, expected `counts:` giving it (e.g. `counts: 1m`)",
                times.len()
            ),
        )),
    }
}

/// The first point's time and the points as rows from it, each checked to be on the
/// period's grid.
fn on_grid(
    points: &BTreeMap<i128, f64>,
    period: Nanos,
    pattern: &Path,
) -> Result<(i128, Vec<(Nanos, f64)>), ScenarioError> {
    let Some(&first) = points.keys().next() else {
        return Err(ScenarioError::new(
            Position::file(pattern),
            "found no points in the chosen series, expected at least one",
        ));
    };
    points
        .iter()
        .map(|(&time, &value)| {
            let since = Nanos::try_from(time - first).unwrap_or(Nanos::MAX);
            if since % period != 0 {
                return Err(ScenarioError::new(
                    Position::file(pattern),
                    format!(
                        "found a point at {}, {} s after the first, expected whole periods of {} s after it (points of mixed periods cannot be replayed together)",
                        show_time(time),
                        since as f64 / 1e9,
                        period as f64 / 1e9
                    ),
                ));
            }
            Ok((since, value))
        })
        .collect::<Result<_, _>>()
        .map(|rows| (first, rows))
}

/// Names for a message: `a`, `b`.
fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A time for a message, as seconds since the Unix epoch.
fn show_time(time: i128) -> String {
    format!("{} (epoch seconds)", time as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const MIN: Nanos = 60_000_000_000;

    fn file(dir: &Path, name: &str, json: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(json.as_bytes())
            .unwrap();
        path
    }

    fn rows(
        pattern: &Path,
        period: Option<Nanos>,
        wanted: &[&str],
    ) -> Result<(Nanos, Vec<(Nanos, f64)>), String> {
        let wanted: Vec<String> = wanted.iter().map(|s| s.to_string()).collect();
        let mut r = CloudWatchRows::open(
            pattern,
            &Position::file(Path::new("s.yaml")),
            period,
            &wanted,
            &CsvColumns::default(),
            Statistic::Sum,
        )
        .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        while let Some(row) = r.next_row() {
            out.push((row.time, row.requests));
        }
        Ok((r.interval(), out))
    }

    const DATA: &str = r#"{
      "MetricDataResults": [
        {"Id": "inv", "Label": "Invocations",
         "Timestamps": ["2024-11-29T10:03:00+00:00", "2024-11-29T10:01:00+00:00", "2024-11-29T10:00:00+00:00"],
         "Values": [30.0, 20.0, 10.0], "StatusCode": "Complete"},
        {"Id": "thr", "Label": "Throttles",
         "Timestamps": ["2024-11-29T10:01:00+00:00"], "Values": [5.0], "StatusCode": "Complete"}
      ],
      "Messages": []
    }"#;

    #[test]
    fn get_metric_data_newest_first_is_sorted_summed_and_gaps_are_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "m.json", DATA);
        let (period, out) = rows(&path, None, &["inv", "Throttles"]).unwrap();
        assert_eq!(period, MIN);
        assert_eq!(out, vec![(0, 10.0), (MIN, 25.0), (3 * MIN, 30.0)]);
        // One series by its label.
        let (_, out) = rows(&path, None, &["Invocations"]).unwrap();
        assert_eq!(out.iter().map(|r| r.1).sum::<f64>(), 60.0);
    }

    #[test]
    fn several_series_without_a_choice_are_refused_with_their_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "m.json", DATA);
        let err = rows(&path, None, &[]).unwrap_err();
        assert!(
            err.contains("`inv`, `thr`") && err.contains("series:"),
            "{err}"
        );
        let err = rows(&path, None, &["Errors"]).unwrap_err();
        assert!(err.contains("no series `Errors`"), "{err}");
    }

    #[test]
    fn statistics_files_merge_by_a_glob_and_must_agree_where_they_overlap() {
        let dir = tempfile::tempdir().unwrap();
        let stats = |points: &[(&str, f64)]| {
            let points: Vec<String> = points
                .iter()
                .map(|(t, v)| format!(r#"{{"Timestamp": "{t}", "Sum": {v}, "Unit": "Count"}}"#))
                .collect();
            format!(
                r#"{{"Label": "Invocations", "Datapoints": [{}]}}"#,
                points.join(",")
            )
        };
        file(
            dir.path(),
            "a.json",
            &stats(&[("2024-11-29T10:10:00Z", 2.0), ("2024-11-29T10:00:00Z", 1.0)]),
        );
        file(
            dir.path(),
            "b.json",
            &stats(&[("2024-11-29T10:20:00Z", 4.0), ("2024-11-29T10:10:00Z", 2.0)]),
        );
        let (period, out) = rows(&dir.path().join("*.json"), None, &[]).unwrap();
        assert_eq!(period, 10 * MIN);
        assert_eq!(out, vec![(0, 1.0), (10 * MIN, 2.0), (20 * MIN, 4.0)]);
        file(
            dir.path(),
            "c.json",
            &stats(&[("2024-11-29T10:20:00Z", 5.0)]),
        );
        let err = rows(&dir.path().join("*.json"), None, &[]).unwrap_err();
        assert!(err.contains("twice, with 4 and 5"), "{err}");
    }

    #[test]
    fn bad_files_are_input_errors_naming_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                r#"{"MetricDataResults": [{"Id": "m", "Timestamps": ["2024-11-29T10:00:00Z"], "Values": [1], "StatusCode": "PartialData"}]}"#,
                "PartialData",
            ),
            (
                r#"{"MetricDataResults": [{"Id": "m", "Timestamps": ["2024-11-29T10:00:00Z"], "Values": [1, 2]}]}"#,
                "1 Timestamps and 2 Values",
            ),
            (
                r#"{"Label": "Invocations", "Datapoints": [{"Timestamp": "2024-11-29T10:00:00Z", "Average": 3}]}"#,
                "without `Sum`",
            ),
            (
                r#"{"MetricDataResults": [{"Id": "m", "Timestamps": ["yesterday"], "Values": [1]}]}"#,
                "`yesterday`",
            ),
            (
                r#"{"MetricDataResults": [{"Id": "m", "Timestamps": ["2024-11-29T10:00:00Z"], "Values": [-1]}]}"#,
                "value -1",
            ),
            (
                r#"{"Something": 1}"#,
                "without `MetricDataResults` or `Datapoints`",
            ),
            ("{\"MetricDataResults\": [\n  {\"Id\": }", "s.json:2:"),
            // Located: the second series' bad timestamp, not the first's same text.
            (
                "{\"MetricDataResults\": [\n{\"Id\": \"a\", \"Timestamps\": [\"x\"], \"Values\": [1]},\n{\"Id\": \"b\",\n \"Timestamps\": [\"2024-11-29T10:00:00Z\", \"x\"], \"Values\": [1, 2]}]}",
                "",
            ),
        ];
        for (json, expected) in cases {
            let path = file(dir.path(), "s.json", json);
            let err = rows(&path, Some(MIN), &[]).unwrap_err();
            assert!(err.contains(expected), "{json}: {err}");
        }
        assert!(
            rows(&dir.path().join("none-*.json"), None, &[])
                .unwrap_err()
                .contains("no file matching")
        );
    }

    #[test]
    fn pages_the_cli_joined_make_one_series_when_one_of_them_is_complete() {
        let dir = tempfile::tempdir().unwrap();
        // As `aws cloudwatch get-metric-data` prints a query of two pages: the first
        // page's result `PartialData`, the last's `Complete`, the same Id in both.
        let pages = r#"{"MetricDataResults": [
            {"Id": "inv", "Timestamps": ["2024-11-29T10:02:00Z", "2024-11-29T10:01:00Z"], "Values": [3, 2], "StatusCode": "PartialData"},
            {"Id": "inv", "Timestamps": ["2024-11-29T10:00:00Z"], "Values": [1], "StatusCode": "Complete"}
        ], "Messages": []}"#;
        let path = file(dir.path(), "p.json", pages);
        let (_, out) = rows(&path, None, &[]).unwrap();
        assert_eq!(out, vec![(0, 1.0), (MIN, 2.0), (2 * MIN, 3.0)]);
        // Without the last page the series is not all there.
        let first = pages.replace(
            r#""StatusCode": "Complete""#,
            r#""StatusCode": "PartialData""#,
        );
        let path = file(dir.path(), "q.json", &first);
        let err = rows(&path, None, &[]).unwrap_err();
        assert!(err.contains("no page of it `Complete`"), "{err}");
    }

    #[test]
    fn the_period_is_inferred_or_given_and_points_off_its_grid_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let one = file(
            dir.path(),
            "one.json",
            r#"{"MetricDataResults": [{"Id": "m", "Timestamps": ["2024-11-29T10:00:00Z"], "Values": [7]}]}"#,
        );
        assert!(rows(&one, None, &[]).unwrap_err().contains("counts:"));
        assert_eq!(
            rows(&one, Some(5 * MIN), &[]).unwrap(),
            (5 * MIN, vec![(0, 7.0)])
        );
        let mixed = file(
            dir.path(),
            "mixed.json",
            r#"{"MetricDataResults": [{"Id": "m", "Timestamps": ["2024-11-29T10:00:00Z", "2024-11-29T10:05:00Z", "2024-11-29T10:07:00Z"], "Values": [1, 2, 3]}]}"#,
        );
        // Inferred: 2 minutes, and 10:05 is not on that grid.
        assert!(
            rows(&mixed, None, &[])
                .unwrap_err()
                .contains("mixed periods")
        );
    }

    #[test]
    fn a_bad_point_is_located_at_its_line_in_its_series() {
        let dir = tempfile::tempdir().unwrap();
        // The second series' "x", not the first's: the search starts at its Id.
        let json = "{\"MetricDataResults\": [\n\
                    {\"Id\": \"a\", \"Timestamps\": [\"2024-11-29T10:00:00Z\"], \"Values\": [1]},\n\
                    {\"Id\": \"b\",\n\
                    \"Timestamps\": [\"2024-11-29T10:00:00Z\", \"x\"], \"Values\": [1, 2]}]}";
        let path = file(dir.path(), "s.json", json);
        let err = rows(&path, None, &["b"]).unwrap_err();
        assert!(err.contains("s.json:4:"), "{err}");
        assert!(err.contains("`x` in series `b`"), "{err}");
        let status = file(
            dir.path(),
            "p.json",
            "{\"MetricDataResults\": [\n {\"Id\": \"m\", \"StatusCode\": \"PartialData\"}]}",
        );
        assert!(rows(&status, None, &[]).unwrap_err().contains("p.json:2:"));
    }

    #[test]
    fn the_maximum_statistic_is_read_for_a_gauge_and_required_when_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let json = r#"{"Label": "ConcurrentExecutions", "Datapoints": [
            {"Timestamp": "2024-11-29T10:01:00Z", "Maximum": 42.0, "Unit": "Count"},
            {"Timestamp": "2024-11-29T10:00:00Z", "Maximum": 7.0, "Sum": 99.0, "Unit": "Count"}]}"#;
        let path = file(dir.path(), "c.json", json);
        let open = |statistic| {
            CloudWatchRows::open(
                &path,
                &Position::file(Path::new("s.yaml")),
                None,
                &[],
                &CsvColumns::default(),
                statistic,
            )
        };
        let mut maxima = open(Statistic::Maximum).unwrap();
        assert_eq!(maxima.epoch(), 1_732_874_400 * 1_000_000_000);
        let values: Vec<f64> =
            std::iter::from_fn(|| maxima.next_row().map(|r| r.requests)).collect();
        assert_eq!(values, vec![7.0, 42.0]);
        let err = open(Statistic::Sum).err().unwrap().to_string();
        assert!(
            err.contains("without `Sum`") && err.contains("c.json:2:"),
            "{err}"
        );
    }

    #[test]
    fn a_logs_insights_csv_newest_first_replays_in_time_order() {
        let dir = tempfile::tempdir().unwrap();
        let csv = "bin(1m),count(*)\n2021-10-30 19:12:00.000,30\n2021-10-30 19:10:00.000,10\n";
        let path = file(dir.path(), "q.csv", csv);
        let (period, out) = rows(&path, None, &[]).unwrap();
        assert_eq!(period, 2 * MIN);
        assert_eq!(out, vec![(0, 10.0), (2 * MIN, 30.0)]);
        let bad = file(
            dir.path(),
            "b.csv",
            "bin(5m),count(*)\n2021-10-30 19:10:00.000,x\n",
        );
        assert!(rows(&bad, None, &[]).unwrap_err().contains("b.csv:2"));
        // A time column is found by its dates when its name is not known.
        let other = file(dir.path(), "o.csv", "when,n\n2021-10-30 19:10:00,1\n");
        assert_eq!(rows(&other, Some(MIN), &[]).unwrap().1, vec![(0, 1.0)]);
        let timeless = file(dir.path(), "t.csv", "when,n\n1635620000,1\n");
        let err = rows(&timeless, Some(MIN), &[]).unwrap_err();
        assert!(
            err.contains("`when`, `n`") && err.contains("time_column"),
            "{err}"
        );
        let wanted = CsvColumns {
            time: Some("when".into()),
            count: Some("n".into()),
        };
        let mut named = CloudWatchRows::open(
            &other,
            &Position::file(Path::new("s.yaml")),
            Some(MIN),
            &[],
            &wanted,
            Statistic::Sum,
        )
        .unwrap();
        assert_eq!(named.next_row().map(|r| r.requests), Some(1.0));
    }

    /// A graph of several metrics downloaded as one CSV: a time column and a column
    /// per metric, newest first, empty where a metric has no point.
    const WIDE: &str = "Time (UTC),Invocations,Throttles,Duration\n\
        2024-11-29T10:02:00.000Z,30,,bad\n\
        2024-11-29T10:01:00.000Z,20,5,180.5\n\
        2024-11-29T10:00:00.000Z,10,,170\n";

    #[test]
    fn a_csv_with_a_column_per_metric_is_a_series_per_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "graph.csv", WIDE);
        let (period, out) = rows(&path, None, &["Invocations", "Throttles"]).unwrap();
        assert_eq!(period, MIN);
        assert_eq!(out, vec![(0, 10.0), (MIN, 25.0), (2 * MIN, 30.0)]);
        // Throttles alone: its empty cells are periods without throttles.
        let (_, out) = rows(&path, Some(MIN), &["Throttles"]).unwrap();
        assert_eq!(out, vec![(0, 5.0)]);
        let err = rows(&path, None, &[]).unwrap_err();
        assert!(
            err.contains("`Duration`, `Invocations`, `Throttles`") && err.contains("series:"),
            "{err}"
        );
        // A bad cell matters only in a column replayed, and is named at its line.
        let err = rows(&path, None, &["Duration"]).unwrap_err();
        assert!(
            err.contains("graph.csv:2") && err.contains("`bad` in column `Duration`"),
            "{err}"
        );
        // `count_column:` picks one column, and only it is read.
        let one = CsvColumns {
            time: None,
            count: Some("Invocations".into()),
        };
        let mut named = CloudWatchRows::open(
            &path,
            &Position::file(Path::new("s.yaml")),
            None,
            &[],
            &one,
            Statistic::Sum,
        )
        .unwrap();
        let total: f64 = std::iter::from_fn(|| named.next_row().map(|r| r.requests)).sum();
        assert_eq!(total, 60.0);
    }

    #[test]
    fn wide_csv_files_split_by_time_merge_per_column() {
        let dir = tempfile::tempdir().unwrap();
        file(
            dir.path(),
            "a.csv",
            "timestamp,Invocations,Throttles\n2024-11-29 10:00:00,1,0\n2024-11-29 10:01:00,2,1\n",
        );
        file(
            dir.path(),
            "b.csv",
            "Throttles,Invocations,TIMESTAMP\n1,2,2024-11-29 10:01:00\n,4,2024-11-29 10:02:00\n",
        );
        let (_, out) = rows(
            &dir.path().join("*.csv"),
            None,
            &["Invocations", "Throttles"],
        )
        .unwrap();
        assert_eq!(out, vec![(0, 1.0), (MIN, 3.0), (2 * MIN, 4.0)]);
        let only_time = file(dir.path(), "c.txt", "time\n2024-11-29 10:00:00\n");
        let err = rows(&only_time, Some(MIN), &[]).unwrap_err();
        assert!(err.contains("only the time column"), "{err}");
    }
}
