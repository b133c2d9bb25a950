//! Lambda's own logs as a log of invocations: each invocation's `REPORT` record, one a
//! line, in any of the forms CloudWatch Logs hands them out in:
//!
//! - plain text with the time in front, as `aws logs tail` prints them and an export
//!   to S3 writes them (`2024-11-29T10:00:00.123Z … REPORT RequestId: …`);
//! - CloudWatch Logs events as JSON lines, `{"timestamp": 1732874400123, "message":
//!   "REPORT RequestId: …"}` (`aws logs filter-log-events` through `jq -c '.events[]'`,
//!   or a subscription's `logEvents`);
//! - Lambda's JSON log format, whose `platform.report` records carry `time` and
//!   `record.metrics.durationMs` and, on a cold start, `initDurationMs` (AWS Lambda
//!   Developer Guide, "Lambda Telemetry API" `platform.report`,
//!   <https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html>):
//!   one a line, as a CloudWatch Logs event's `message`, or after the time and stream
//!   that `aws logs tail` puts in front.
//!
//! Every other line (`START`, `END`, the function's own output) is passed over; a log
//! with no REPORT record at all (a log of something else) is an error, not an empty
//! replay. A
//! REPORT is logged when the invocation ends, so the request arrived its `Duration`
//! before that, and on a cold start its `Init Duration` (or a SnapStart `Restore
//! Duration`) before that again: the arrival replayed is the log time less both. A log
//! holds only what ran, never what was throttled.

use super::{LineFormat, Parsed, Request};
use crate::error::shown;
use crate::report_line::{REPORT, report_field};
use crate::streams::timestamp;
use lambdasim_engine::Nanos;
use serde_json::{Map, Value};
use std::cell::Cell;

/// Reads REPORT records; with `cold_starts_only`, only those of cold starts (for
/// `observed: cold_starts`).
#[derive(Clone, Debug)]
pub(in crate::streams::trace) struct LambdaLog {
    cold_starts_only: bool,
    /// REPORT records read so far, cold or not.
    reports: Cell<u64>,
}

impl LambdaLog {
    pub(in crate::streams::trace) fn new(cold_starts_only: bool) -> Self {
        Self {
            cold_starts_only,
            reports: Cell::new(0),
        }
    }
}

/// One invocation as its REPORT tells it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Report {
    /// When it was logged (the invocation's end), in nanoseconds since the epoch.
    logged: i128,
    duration: Nanos,
    /// Init (or SnapStart's restore) before it: a cold start.
    init: Option<Nanos>,
}

impl LineFormat for LambdaLog {
    fn parse<'a>(&self, line: &'a str) -> Result<Parsed<'a>, String> {
        let line = line.trim();
        let report = if line.starts_with('{') {
            json_report(line)?
        } else {
            text_report(line)?
        };
        if report.is_some() {
            self.reports.set(self.reports.get() + 1);
        }
        let Some(report) = report.filter(|r| !self.cold_starts_only || r.init.is_some()) else {
            return Ok(None);
        };
        let ran = report.duration + report.init.unwrap_or(0);
        let request = Request {
            arrival: report.logged - i128::from(ran),
            duration: Some(report.duration),
        };
        Ok(Some((request, None)))
    }

    fn finish(&self) -> Result<(), String> {
        if self.reports.get() == 0 {
            return Err("found no REPORT record in the log, expected Lambda's REPORT lines (with their time in front), CloudWatch Logs events holding them, or JSON log platform.report records".into());
        }
        Ok(())
    }
}

/// A plain-text line: the time is its first word, the REPORT follows (or a JSON log
/// record, after the time and stream `aws logs tail` puts in front).
fn text_report(line: &str) -> Result<Option<Report>, String> {
    let Some(at) = line.find(REPORT) else {
        return match line.find('{') {
            Some(brace) if line.contains("platform.report") => json_report(&line[brace..]),
            _ => Ok(None),
        };
    };
    let stamp = line[..at].split_whitespace().next().ok_or_else(|| {
        "found a REPORT line with no time in front, expected `TIME … REPORT RequestId: …` (as `aws logs tail` prints it or an export to S3 writes it)".to_string()
    })?;
    let logged = timestamp::parse(stamp).ok_or_else(|| {
        format!(
            "found `{}` before the REPORT, expected its time (RFC 3339, e.g. 2024-11-29T10:00:00.123Z)",
            shown(stamp)
        )
    })?;
    message_report(&line[at..], logged).map(Some)
}

/// The durations of a REPORT message logged at `logged`.
fn message_report(message: &str, logged: i128) -> Result<Report, String> {
    let field = |name: &str| report_field(message, name, " ms").map(|v| millis(name, v));
    let duration = field("Duration").ok_or_else(|| {
        "found a REPORT without `Duration: … ms`, expected every REPORT to have it".to_string()
    })??;
    let init = field("Init Duration")
        .or_else(|| field("Restore Duration"))
        .transpose()?;
    Ok(Report {
        logged,
        duration,
        init,
    })
}

/// A JSON line: a CloudWatch Logs event holding a REPORT message, or a
/// `platform.report` record of Lambda's JSON log format.
fn json_report(line: &str) -> Result<Option<Report>, String> {
    let object: Map<String, Value> = serde_json::from_str(line)
        .map_err(|e| format!("found {e}, expected one JSON object a line"))?;
    if let Some(message) = object.get("message").and_then(Value::as_str) {
        return match message.find(REPORT) {
            Some(at) => message_report(&message[at..], event_time(&object)?).map(Some),
            // A function logging in JSON: the event's message is the record itself.
            None if message.trim_start().starts_with('{')
                && message.contains("platform.report") =>
            {
                json_report(message.trim())
            }
            None => Ok(None),
        };
    }
    if object.get("type").and_then(Value::as_str) != Some("platform.report") {
        return Ok(None);
    }
    let time = object.get("time").and_then(Value::as_str).unwrap_or("");
    let logged = timestamp::parse(time).ok_or_else(|| {
        format!(
            "found a platform.report record whose `time` is `{}`, expected an RFC 3339 time",
            shown(time)
        )
    })?;
    let metrics = object
        .get("record")
        .and_then(|r| r.get("metrics"))
        .and_then(Value::as_object);
    let metric = |name: &str| metrics.and_then(|m| m.get(name)).filter(|v| !v.is_null());
    let number = |name: &str, v: &Value| millis(name, &v.to_string());
    let duration = metric("durationMs").ok_or(
        "found a platform.report record without `record.metrics.durationMs`, expected one",
    )?;
    Ok(Some(Report {
        logged,
        duration: number("durationMs", duration)?,
        init: metric("initDurationMs")
            .or_else(|| metric("restoreDurationMs"))
            .map(|v| number("initDurationMs", v))
            .transpose()?,
    }))
}

/// A CloudWatch Logs event's `timestamp`: milliseconds since the epoch.
fn event_time(object: &Map<String, Value>) -> Result<i128, String> {
    object
        .get("timestamp")
        .and_then(Value::as_u64)
        // Past 2262 is no log's time: kept within signed 64-bit nanoseconds.
        .filter(|&ms| ms < i64::MAX as u64 / 1_000_000)
        .map(|ms| i128::from(ms) * 1_000_000)
        .ok_or_else(|| {
            format!(
                "found an event whose `timestamp` is {}, expected epoch milliseconds",
                object.get("timestamp").unwrap_or(&Value::Null)
            )
        })
}

/// A duration in milliseconds as logged, to nanoseconds.
fn millis(name: &str, text: &str) -> Result<Nanos, String> {
    match text.trim().parse::<f64>() {
        Ok(ms) if ms.is_finite() && (0.0..1e12).contains(&ms) => Ok((ms * 1e6).round() as Nanos),
        _ => Err(format!(
            "found `{name}` = `{}`, expected milliseconds (a number, 0 or more)",
            shown(text.trim())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i128 = 1_000_000;
    /// 2024-11-29T10:00:00Z in nanoseconds since the epoch.
    const TEN: i128 = 1_732_874_400_000 * MS;

    fn read(line: &str, cold_starts_only: bool) -> Option<Request> {
        LambdaLog::new(cold_starts_only)
            .parse(line)
            .unwrap()
            .map(|(r, route)| {
                assert_eq!(route, None);
                r
            })
    }

    #[test]
    fn a_cold_report_arrived_its_init_and_duration_before_it_was_logged() {
        let line = "2024-11-29T10:00:01.000Z 2024/11/29/[$LATEST]ab REPORT RequestId: a\tDuration: 200.00 ms\tBilled Duration: 200 ms\tMemory Size: 1024 MB\tMax Memory Used: 80 MB\tInit Duration: 300.00 ms";
        let r = read(line, false).unwrap();
        assert_eq!(r.arrival, TEN + 500 * MS);
        assert_eq!(r.duration, Some(200_000_000));
        assert_eq!(read(line, true), Some(r));
    }

    #[test]
    fn a_warm_report_is_a_request_but_not_a_cold_start() {
        let line =
            "2024-11-29T10:00:01Z REPORT RequestId: b Duration: 250 ms Billed Duration: 250 ms";
        assert_eq!(read(line, false).unwrap().arrival, TEN + 750 * MS);
        assert_eq!(read(line, true), None);
    }

    #[test]
    fn a_snapstart_restore_counts_as_a_cold_start() {
        let line =
            "2024-11-29T10:00:01Z REPORT RequestId: c Restore Duration: 400 ms Duration: 100 ms";
        assert_eq!(read(line, true).unwrap().arrival, TEN + 500 * MS);
    }

    #[test]
    fn other_lines_are_passed_over() {
        for line in [
            "2024-11-29T10:00:00Z START RequestId: a Version: $LATEST",
            "2024-11-29T10:00:00Z END RequestId: a",
            "2024-11-29T10:00:00Z INFO order placed",
            "",
            r#"{"timestamp": 1732874400000, "message": "START RequestId: a"}"#,
            r#"{"time": "2024-11-29T10:00:00Z", "type": "platform.start", "record": {}}"#,
        ] {
            assert_eq!(read(line, false), None, "{line}");
        }
    }

    #[test]
    fn cloudwatch_events_and_json_log_records_are_read_alike() {
        let event = r#"{"timestamp": 1732874401000, "message": "REPORT RequestId: a\tDuration: 200.00 ms\tInit Duration: 300.00 ms\t\n"}"#;
        let record = r#"{"time": "2024-11-29T10:00:01.000Z", "type": "platform.report", "record": {"requestId": "a", "metrics": {"durationMs": 200.0, "initDurationMs": 300.0}}}"#;
        let expected = Request {
            arrival: TEN + 500 * MS,
            duration: Some(200_000_000),
        };
        assert_eq!(read(event, true), Some(expected));
        assert_eq!(read(record, true), Some(expected));
    }

    #[test]
    fn a_json_logging_function_is_read_from_events_and_from_tail_alike() {
        // A function with the JSON log format: each event's message is a record.
        let record = r#"{"time":"2024-11-29T10:00:01.000Z","type":"platform.report","record":{"requestId":"a","metrics":{"durationMs":200.0,"initDurationMs":300.0}}}"#;
        let event = serde_json::json!({ "timestamp": 1_732_874_401_000_u64, "message": record });
        let tail = format!("2024-11-29T10:00:01.000000+00:00 2024/11/29/[$LATEST]0a {record}");
        let expected = Request {
            arrival: TEN + 500 * MS,
            duration: Some(200_000_000),
        };
        assert_eq!(read(&event.to_string(), true), Some(expected));
        assert_eq!(read(&tail, true), Some(expected));
    }

    #[test]
    fn a_log_with_no_report_at_all_is_refused_when_read_through() {
        let format = LambdaLog::new(true);
        // Warm REPORTs are passed over when counting cold starts, but they are there.
        let warm = "2024-11-29T10:00:01Z REPORT RequestId: b Duration: 250 ms";
        assert_eq!(format.parse(warm).unwrap(), None);
        assert_eq!(format.finish(), Ok(()));
        let other = LambdaLog::new(false);
        assert_eq!(
            other
                .parse("2024-11-29T10:00:00Z GET /index.html 200")
                .unwrap(),
            None
        );
        assert!(
            other
                .finish()
                .unwrap_err()
                .contains("found no REPORT record")
        );
    }

    #[test]
    fn a_report_without_its_time_or_duration_is_an_error_saying_what_was_expected() {
        let format = LambdaLog::new(false);
        let error = |line: &str| format.parse(line).unwrap_err();
        assert!(error("REPORT RequestId: a Duration: 1 ms").contains("no time in front"));
        assert!(error("yesterday REPORT RequestId: a Duration: 1 ms").contains("RFC 3339"));
        assert!(error("2024-11-29T10:00:01Z REPORT RequestId: a").contains("Duration: … ms"));
        assert!(
            error("2024-11-29T10:00:01Z REPORT RequestId: a Duration: x ms")
                .contains("milliseconds")
        );
        assert!(
            error(r#"{"timestamp": "soon", "message": "REPORT RequestId: a Duration: 1 ms"}"#)
                .contains("epoch milliseconds")
        );
        assert!(error(r#"{"time": "now", "type": "platform.report"}"#).contains("RFC 3339"));
        assert!(error("{not json").contains("JSON object"));
    }
}
