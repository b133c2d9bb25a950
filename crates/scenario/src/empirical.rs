//! Observed durations for `{ empirical: { file, column } }`, read when the scenario
//! is loaded, from any of the forms AWS gives them in:
//!
//! - Lambda's plain-text `REPORT` log lines (`REPORT RequestId: … Duration: 201.67 ms
//!   Billed Duration: 202 ms … Init Duration: 480.25 ms`; `Init Duration` only on cold
//!   starts): `column` is `Duration` (the default), `Billed Duration` or
//!   `Init Duration`, and lines without it are skipped;
//! - Lambda's JSON log format, one object per line, whose `platform.report` records
//!   carry `record.metrics.durationMs` (the default) and, on cold starts,
//!   `initDurationMs`;
//! - a CSV file with a header, values in milliseconds in `column` (by default
//!   `@duration`, as a CloudWatch Logs Insights export names it, else `duration_ms`);
//! - either log form wrapped in CloudWatch Logs events, one JSON object a line
//!   (`{"timestamp": …, "message": "REPORT RequestId: …"}`, as `aws logs
//!   filter-log-events` gives them): each event's `message` is read as its line.
//!
//! A SnapStart function's restores stand for its Init: `Restore Duration` and
//! `restoreDurationMs` are read as its cold starts' Init when no Init is logged.
//!
//! (AWS Lambda Developer Guide, "Working with Lambda function logs" and "Lambda
//! Telemetry API" `platform.report`.) The values are held in memory: one per
//! observed invocation, never per simulated one.

use crate::error::{Position, ScenarioError};
use crate::report_line::{REPORT, REPORT_FIELDS, report_field};
use lambdasim_engine::Nanos;
use lambdasim_model::dist::Empirical;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The largest file read: millions of log lines, far below what strains memory.
const MAX_FILE_BYTES: u64 = 512 << 20;

/// What `lambdasim fit` reports of a file of observed invocations.
#[derive(Clone, Debug)]
pub struct Observed {
    /// The Invoke durations (or the CSV column's values).
    pub durations: Empirical,
    /// The Init durations, of the cold starts among them, if any...
    pub init: Option<Empirical>,
    /// ...and the field they were read from (`Init Duration`, `initDurationMs`).
    pub init_field: Option<&'static str>,
    /// The configured memory and the most used, in MB, from REPORT or JSON logs.
    pub memory_mb: Option<u64>,
    /// The largest `Max Memory Used` seen, in MB.
    pub max_memory_used_mb: Option<u64>,
}

/// Reads a file of observed invocations for `lambdasim fit`: durations as
/// `{ empirical: … }` reads them (`column` as there), and from logs the Init
/// durations and memory too.
pub fn read_observed(path: &Path, column: Option<&str>) -> Result<Observed, ScenarioError> {
    let origin = Position::file(path);
    let text = read_text(path, &origin)?;
    let durations = values(path, &text, column)?;
    let init_column = if text.contains(REPORT) {
        Some(
            if text.contains("Init Duration") || !text.contains("Restore Duration") {
                "Init Duration"
            } else {
                "Restore Duration"
            },
        )
    } else if text.trim_start().starts_with('{') {
        Some(
            if text.contains("restoreDurationMs") && !text.contains("initDurationMs") {
                "restoreDurationMs"
            } else {
                "initDurationMs"
            },
        )
    } else {
        None
    };
    let init = match init_column {
        Some(c) if column.is_none() => Empirical::new(values_of(path, &text, Some(c))?),
        _ => None,
    };
    let (memory_mb, max_memory_used_mb) = memory(&text);
    Ok(Observed {
        durations,
        init_field: init.as_ref().and(init_column),
        init,
        memory_mb,
        max_memory_used_mb,
    })
}

/// The configured and the largest used memory of REPORT or JSON log lines.
fn memory(text: &str) -> (Option<u64>, Option<u64>) {
    let (mut size, mut used) = (None, None::<u64>);
    for line in text.lines() {
        let (s, u) = if let Some(start) = line.find(REPORT) {
            let line = &line[start..];
            let number =
                |field| report_field(line, field, " MB").and_then(|v| v.trim().parse().ok());
            (number("Memory Size"), number("Max Memory Used"))
        } else if line.trim_start().starts_with('{') {
            let Ok(object) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let number = |field: &str| {
                object
                    .pointer(&format!("/record/metrics/{field}"))
                    .and_then(serde_json::Value::as_u64)
            };
            (number("memorySizeMB"), number("maxMemoryUsedMB"))
        } else {
            continue;
        };
        size = size.or(s);
        used = used.max(u);
    }
    (size, used)
}

/// Observed durations already read, by file and column: a scenario's variants and
/// sweep points each resolve their `{ empirical: … }`, and share one read of each file.
#[derive(Default)]
pub(crate) struct Observations(RefCell<HashMap<(PathBuf, Option<String>), Empirical>>);

impl Observations {
    /// The observed durations of `path`, read on first use; `origin` is where the
    /// scenario names it.
    pub(crate) fn read(
        &self,
        path: &Path,
        column: Option<&str>,
        origin: &Position,
    ) -> Result<Empirical, ScenarioError> {
        let key = (path.to_path_buf(), column.map(str::to_owned));
        if let Some(known) = self.0.borrow().get(&key) {
            return Ok(known.clone());
        }
        let text = read_text(path, origin)?;
        let read = values(path, &text, column)?;
        self.0.borrow_mut().insert(key, read.clone());
        Ok(read)
    }
}

/// A file's text, checked to be a regular UTF-8 file of a readable size, with each
/// CloudWatch Logs event replaced by its message.
fn read_text(path: &Path, origin: &Position) -> Result<String, ScenarioError> {
    let text = crate::input::read_whole(
        path,
        origin,
        &format!("durations file `{}`", path.display()),
        MAX_FILE_BYTES,
        "REPORT lines, JSON log lines or a CSV file",
    )?;
    Ok(event_messages(text))
}

/// The durations of a file's text, at least one.
fn values(path: &Path, text: &str, column: Option<&str>) -> Result<Empirical, ScenarioError> {
    Empirical::new(values_of(path, text, column)?).ok_or_else(|| {
        ScenarioError::new(
            Position::file(path),
            format!(
                "found no {} values, expected at least one observed duration",
                column.unwrap_or("duration")
            ),
        )
    })
}

/// The text with each CloudWatch Logs event ([`crate::log_event`]) replaced by its
/// message, on one line so that line numbers stay the file's; other text as it is.
fn event_messages(text: String) -> String {
    let message = |line: &str| -> Option<String> {
        if !line.trim_start().starts_with('{') {
            return None;
        }
        let object = serde_json::from_str(line).ok()?;
        let message = crate::log_event::message(&object)?;
        Some(message.trim().replace(['\n', '\r'], " "))
    };
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if message(first).is_none() {
        return text;
    }
    let lines: Vec<String> = text
        .lines()
        .map(|line| message(line).unwrap_or_else(|| line.to_string()))
        .collect();
    lines.join("\n")
}

/// The durations of a file's text, in the form it is in (possibly none).
fn values_of(path: &Path, text: &str, column: Option<&str>) -> Result<Vec<Nanos>, ScenarioError> {
    let at_line = |line: usize, message: String| {
        ScenarioError::new(Position::csv(path, line as u64 + 1), message)
    };
    let values = if text.contains(REPORT) {
        report_lines(text, column)
    } else if text.trim_start().starts_with('{') {
        json_lines(text, column)
    } else {
        csv_column(text, column)
    };
    values.map_err(|(line, m)| at_line(line, m))
}

/// A problem at a line (0-based) of the file.
type LineError = (usize, String);

/// Milliseconds as written in a log, checked, to nanoseconds.
fn millis(text: &str, line: usize) -> Result<Nanos, LineError> {
    match text.trim().parse::<f64>() {
        Ok(ms) if ms.is_finite() && (0.0..1e12).contains(&ms) => Ok((ms * 1e6).round() as Nanos),
        _ => Err((
            line,
            format!(
                "found `{}`, expected a duration in milliseconds (a number, 0 or more)",
                crate::error::shown(text.trim())
            ),
        )),
    }
}

/// The `field` of each REPORT line that has it.
fn report_lines(text: &str, column: Option<&str>) -> Result<Vec<Nanos>, LineError> {
    let field = column.unwrap_or("Duration");
    if !REPORT_FIELDS.contains(&field) {
        return Err((
            0,
            format!(
                "found column `{field}` for REPORT lines, expected one of `Duration`, `Billed Duration`, `Init Duration`, `Restore Duration`"
            ),
        ));
    }
    let mut values = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let Some(start) = line.find(REPORT) else {
            continue;
        };
        match report_field(&line[start..], field, " ms") {
            Some(value) => values.push(millis(value, n)?),
            None if field == "Init Duration" || field == "Restore Duration" => {}
            None => {
                return Err((
                    n,
                    format!(
                        "found a REPORT line without `{field}: … ms`, expected every REPORT line to have it"
                    ),
                ));
            }
        }
    }
    Ok(values)
}

/// `record.metrics.<column>` of each `platform.report` object.
fn json_lines(text: &str, column: Option<&str>) -> Result<Vec<Nanos>, LineError> {
    let field = column.unwrap_or("durationMs");
    let mut values = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let object: serde_json::Value = serde_json::from_str(line).map_err(|e| {
            (
                n,
                format!("found invalid JSON ({e}), expected one JSON log object per line"),
            )
        })?;
        if object.get("type").and_then(|t| t.as_str()) != Some("platform.report") {
            continue;
        }
        match object.pointer(&format!("/record/metrics/{field}")) {
            Some(serde_json::Value::Number(ms)) => {
                values.push(millis(&ms.to_string(), n)?);
            }
            None if field == "initDurationMs" || field == "restoreDurationMs" => {}
            _ => {
                return Err((
                    n,
                    format!(
                        "found a platform.report record without a number at `record.metrics.{field}`, expected one"
                    ),
                ));
            }
        }
    }
    Ok(values)
}

/// The values of a CSV column, in milliseconds; empty cells skipped.
fn csv_column(text: &str, column: Option<&str>) -> Result<Vec<Nanos>, LineError> {
    let (mut reader, header) =
        crate::input::csv_with_header(text, "a CSV header row").map_err(|m| (0, m))?;
    let wanted: Vec<&str> = match column {
        Some(c) => vec![c],
        None => vec!["@duration", "duration_ms"],
    };
    let Some(index) = wanted
        .iter()
        .find_map(|name| header.iter().position(|h| h == *name))
    else {
        return Err((
            0,
            format!(
                "found the columns {}, expected a column `{}` (or `column:` naming the one with the durations in milliseconds)",
                crate::input::column_list(&header),
                wanted.join("` or `")
            ),
        ));
    };
    let mut values = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize - 1);
            (line, format!("found an unreadable CSV row ({e})"))
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize - 1);
        match record.get(index) {
            Some(cell) if !cell.is_empty() => values.push(millis(cell, line)?),
            _ => {}
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Nanos = 1_000_000;

    const REPORTS: &str = "START RequestId: a Version: $LATEST\n\
        REPORT RequestId: a\tDuration: 201.67 ms\tBilled Duration: 202 ms\tMemory Size: 2048 MB\tMax Memory Used: 81 MB\tInit Duration: 480.25 ms\n\
        END RequestId: a\n\
        2024-11-29T10:00:01.000Z REPORT RequestId: b\tDuration: 3.5 ms\tBilled Duration: 4 ms\tMemory Size: 2048 MB\tMax Memory Used: 82 MB\n";

    #[test]
    fn report_lines_give_each_duration_field_and_skip_missing_init() {
        assert_eq!(
            report_lines(REPORTS, None).unwrap(),
            vec![201_670_000, 3_500_000]
        );
        assert_eq!(
            report_lines(REPORTS, Some("Billed Duration")).unwrap(),
            vec![202 * MS, 4 * MS]
        );
        assert_eq!(
            report_lines(REPORTS, Some("Init Duration")).unwrap(),
            vec![480_250_000]
        );
        let broken = "REPORT RequestId: c\tBilled Duration: 5 ms\n";
        let (line, message) = report_lines(broken, None).unwrap_err();
        assert_eq!(line, 0);
        assert!(message.contains("without `Duration: … ms`"), "{message}");
        assert!(report_lines(REPORTS, Some("Memory Size")).is_err());
    }

    #[test]
    fn a_file_is_read_once_for_every_variant_that_uses_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.csv");
        std::fs::write(&path, "duration_ms\n5\n").unwrap();
        let origin = Position::file(Path::new("s.yaml"));
        let observations = Observations::default();
        let first = observations.read(&path, None, &origin).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(observations.read(&path, None, &origin).unwrap(), first);
        // Another column of the same file is another read (and here, a missing file).
        assert!(
            observations
                .read(&path, Some("@duration"), &origin)
                .is_err()
        );
    }

    #[test]
    fn memory_comes_from_report_and_json_lines() {
        assert_eq!(memory(REPORTS), (Some(2048), Some(82)));
        let json = r#"{"type":"platform.report","record":{"metrics":{"durationMs":1,"memorySizeMB":512,"maxMemoryUsedMB":90}}}"#;
        assert_eq!(memory(json), (Some(512), Some(90)));
        assert_eq!(memory("duration_ms\n5\n"), (None, None));
    }

    #[test]
    fn json_log_lines_read_platform_report_metrics() {
        let text = r#"{"time":"2024-11-29T10:00:00Z","type":"platform.start","record":{"requestId":"a"}}
{"time":"2024-11-29T10:00:01Z","type":"platform.report","record":{"requestId":"a","metrics":{"durationMs":201.67,"billedDurationMs":202,"memorySizeMB":2048,"maxMemoryUsedMB":81,"initDurationMs":480.25}}}
{"time":"2024-11-29T10:00:02Z","type":"platform.report","record":{"requestId":"b","metrics":{"durationMs":3.5,"billedDurationMs":4,"memorySizeMB":2048,"maxMemoryUsedMB":82}}}
"#;
        assert_eq!(
            json_lines(text, None).unwrap(),
            vec![201_670_000, 3_500_000]
        );
        assert_eq!(
            json_lines(text, Some("initDurationMs")).unwrap(),
            vec![480_250_000]
        );
        let (line, _) = json_lines("{\"type\":\"platform.report\"}\n{oops", None).unwrap_err();
        assert_eq!(line, 0, "the first line lacks the metric");
    }

    #[test]
    fn csv_columns_by_logs_insights_name_or_given() {
        let insights = "@timestamp,@duration,@initDuration\n2024-11-29 10:00:00.000,12.5,\n2024-11-29 10:00:01.000,7,300\n";
        assert_eq!(
            csv_column(insights, None).unwrap(),
            vec![12_500_000, 7 * MS]
        );
        assert_eq!(
            csv_column(insights, Some("@initDuration")).unwrap(),
            vec![300 * MS]
        );
        let (line, message) = csv_column("a,b\n1,2\n", None).unwrap_err();
        assert_eq!(line, 0);
        assert!(message.contains("`a`, `b`"), "{message}");
        let (line, message) = csv_column("duration_ms\n5\nfast\n", None).unwrap_err();
        assert_eq!(line, 2);
        assert!(message.contains("`fast`"), "{message}");
        assert!(csv_column("duration_ms\n-1\n", None).is_err());
    }
}
