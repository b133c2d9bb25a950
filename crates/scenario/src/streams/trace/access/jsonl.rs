//! JSON lines: one JSON object a line, one request each, with the fields the scenario
//! names. It reads API Gateway's JSON access logs (a `$context` variable a field:
//! `requestTimeEpoch` for the arrival in milliseconds, `integrationLatency` for the
//! duration, `routeKey` for the route; "API Gateway access logging variables",
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html>)
//! as exported from CloudWatch Logs, and any other log written the same way. A record
//! may follow the time an export to S3 puts in front (or the time and log stream `aws
//! logs tail` prints), or be a CloudWatch Logs event's `message` (`aws logs
//! filter-log-events`).
//!
//! The time field is a number of seconds or milliseconds since the Unix epoch
//! (`time_unit:`, milliseconds by default), as a JSON number or a string of digits, or
//! an RFC 3339 string. A number far from the unit's range for today's dates (epoch
//! seconds are about 1.7 × 10⁹, milliseconds 1.7 × 10¹²) is refused rather than
//! replayed a thousand times too fast or too slow. The duration field is in
//! milliseconds; `-` or `null` leaves the function's own distribution.

use super::{LineFormat, Parsed, Request};
use crate::error::shown;
use crate::streams::timestamp;
use lambdasim_engine::Nanos;
use serde_json::Value;

/// The unit of a numeric time field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum TimeUnit {
    Seconds,
    Milliseconds,
}

/// The fields a JSON-lines log is read by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct JsonFields {
    pub time: String,
    pub unit: TimeUnit,
    pub duration: Option<String>,
    pub route: Option<String>,
    /// When any are named, only the lines where one of these fields is 429 (Too Many
    /// Requests) are read: a log's throttled requests, for `observed: throttles`.
    /// API Gateway answers 429 when it throttles, but 500 when Lambda does ("Handling
    /// Lambda errors with an API Gateway API"); Lambda's 429 is then in the
    /// `integrationStatus` variable.
    pub throttled_status: Vec<String>,
}

/// The HTTP status of a throttled request: 429 Too Many Requests.
const TOO_MANY_REQUESTS: u64 = 429;

/// Reads JSON lines by their fields.
#[derive(Clone, Debug)]
pub(in crate::streams::trace) struct Jsonl(pub JsonFields);

/// Epoch times in seconds below this and in milliseconds above it: 10¹¹ s is the year
/// 5138, 10¹¹ ms is March 1973.
const SECONDS_BELOW: f64 = 1e11;

impl LineFormat for Jsonl {
    fn parse<'a>(&self, line: &'a str) -> Result<Parsed<'a>, String> {
        if line.trim().is_empty() {
            return Ok(None);
        }
        let (line, object) = record(line)?;
        let fields = &self.0;
        let field = |name: &str| object.get(name).filter(|v| !v.is_null());
        if !fields.throttled_status.is_empty()
            && !fields
                .throttled_status
                .iter()
                .any(|name| is_throttled(field(name)))
        {
            return Ok(None);
        }
        let time = field(&fields.time).ok_or_else(|| {
            format!(
                "found no `{}` field (time_field), expected the request's arrival time",
                shown(&fields.time)
            )
        })?;
        let arrival = self.arrival(time)?;
        let duration = match fields.duration.as_deref() {
            Some(name) => field(name)
                .map(|v| milliseconds(name, v))
                .transpose()?
                .flatten(),
            None => None,
        };
        // The route borrows from the line only where it can: JSON strings with escapes
        // are decoded into the map, so the route is found again in the line's text.
        let route = match fields.route.as_deref() {
            Some(name) => Some(route_in(line, name, field(name))?),
            None => None,
        };
        Ok(Some((Request { arrival, duration }, route)))
    }
}

impl Jsonl {
    /// The arrival in nanoseconds since the epoch.
    fn arrival(&self, value: &Value) -> Result<i128, String> {
        let name = &self.0.time;
        let number = match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') => {
                s.parse().ok()
            }
            Value::String(s) => {
                return timestamp::parse(s).ok_or_else(|| {
                    format!(
                        "found `{name}` = `{}`, expected epoch {} or an RFC 3339 time",
                        shown(s),
                        self.unit_name()
                    )
                });
            }
            _ => None,
        };
        let Some(number) = number.filter(|n| n.is_finite() && *n >= 0.0) else {
            return Err(format!(
                "found `{name}` = {value}, expected epoch {} or an RFC 3339 time",
                self.unit_name()
            ));
        };
        let fits = match self.0.unit {
            TimeUnit::Seconds => number < SECONDS_BELOW,
            TimeUnit::Milliseconds => number >= SECONDS_BELOW,
        };
        if !fits {
            let other = match self.0.unit {
                TimeUnit::Seconds => "ms",
                TimeUnit::Milliseconds => "s",
            };
            return Err(format!(
                "found `{name}` = {value}, which reads as epoch {other}, expected epoch {} (set time_unit: {other})",
                self.unit_name()
            ));
        }
        let per_unit: i128 = match self.0.unit {
            TimeUnit::Seconds => 1_000_000_000,
            TimeUnit::Milliseconds => 1_000_000,
        };
        // Whole units exactly, the fraction after: 1.7 × 10¹⁸ ns is past what an f64
        // holds to the nanosecond.
        let whole = number.trunc();
        let fraction = ((number - whole) * per_unit as f64).round() as i128;
        (whole as i128)
            .checked_mul(per_unit)
            .and_then(|n| n.checked_add(fraction))
            // Past 2262 (signed 64-bit nanoseconds) is no log's time; the bound keeps
            // every later sum of times far from overflowing.
            .filter(|n| i64::try_from(*n).is_ok())
            .ok_or_else(|| {
                format!(
                    "found `{name}` = {value}, too far from today, expected epoch {}",
                    self.unit_name()
                )
            })
    }

    fn unit_name(&self) -> &'static str {
        match self.0.unit {
            TimeUnit::Seconds => "seconds",
            TimeUnit::Milliseconds => "milliseconds",
        }
    }
}

/// The JSON record of a line, and the text it was read from: the line itself; or what
/// follows the time (and log stream) that an export of CloudWatch Logs to S3 or `aws
/// logs tail` puts in front; or a CloudWatch Logs event's `message` holding the record
/// (`aws logs filter-log-events`).
fn record(line: &str) -> Result<(&str, serde_json::Map<String, Value>), String> {
    let start = line.find('{').unwrap_or(line.len());
    let prefix = line[..start].split_whitespace().next();
    if prefix.is_some_and(|word| timestamp::parse(word).is_none()) {
        return Err(format!(
            "found `{}` before the JSON, expected one JSON object a line (or after the time an export or `aws logs tail` puts in front)",
            shown(line[..start].trim())
        ));
    }
    let line = &line[start..];
    let object: serde_json::Map<String, Value> = serde_json::from_str(line)
        .map_err(|e| format!("found {e}, expected one JSON object a line"))?;
    if let Some(message) = crate::log_event::message(&object)
        && message.trim_start().starts_with('{')
    {
        let inner = serde_json::from_str(message).map_err(|e| {
            format!("found {e} in the event's message, expected the access log's JSON record")
        })?;
        // The record's text is escaped inside the event: a route is found in it only
        // if written without escapes, as `route_in` requires anyway.
        return Ok((line, inner));
    }
    Ok((line, object))
}

/// Whether a status field says 429, as a number or a string.
fn is_throttled(status: Option<&Value>) -> bool {
    match status {
        Some(Value::Number(n)) => n.as_u64() == Some(TOO_MANY_REQUESTS),
        Some(Value::String(s)) => s.trim().parse() == Ok(TOO_MANY_REQUESTS),
        _ => false,
    }
}

/// A duration field in milliseconds: a number or a string of one; `-` for none.
fn milliseconds(name: &str, value: &Value) -> Result<Option<Nanos>, String> {
    let ms = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if s == "-" => return Ok(None),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    match ms {
        Some(ms) if ms.is_finite() && (0.0..1e12).contains(&ms) => {
            Ok(Some((ms * 1e6).round() as Nanos))
        }
        _ => Err(format!(
            "found `{name}` = {value}, expected a duration in milliseconds (or -)"
        )),
    }
}

/// The route's text as written in `line` (`"routeKey":"GET /checkout"`), so that it
/// borrows from the line; a route with escapes in the JSON is refused.
fn route_in<'a>(line: &'a str, name: &str, value: Option<&Value>) -> Result<&'a str, String> {
    let Some(Value::String(route)) = value else {
        return Err(format!(
            "found no text in the `{}` field (route_field), expected the request's route",
            shown(name)
        ));
    };
    line.find(route.as_str())
        .map(|at| &line[at..at + route.len()])
        .ok_or_else(|| {
            format!(
                "found the route `{}` written with JSON escapes, expected it plain",
                shown(route)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_gateway() -> Jsonl {
        Jsonl(JsonFields {
            time: "requestTimeEpoch".into(),
            unit: TimeUnit::Milliseconds,
            duration: Some("integrationLatency".into()),
            route: Some("routeKey".into()),
            throttled_status: Vec::new(),
        })
    }

    /// A line shaped as API Gateway's JSON access log with these variables.
    const LINE: &str = r#"{"requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","ip":"192.0.2.10","requestTimeEpoch":1732870800123,"httpMethod":"POST","routeKey":"POST /checkout","status":"200","protocol":"HTTP/1.1","responseLength":"87","integrationLatency":"212"}"#;

    #[test]
    fn api_gateway_fields_give_arrival_duration_and_route() {
        let (request, route) = api_gateway().parse(LINE).unwrap().unwrap();
        assert_eq!(route, Some("POST /checkout"));
        assert_eq!(request.arrival, 1_732_870_800_123_000_000);
        assert_eq!(request.duration, Some(212_000_000));
    }

    #[test]
    fn times_in_seconds_strings_or_rfc3339_and_missing_durations() {
        let mut format = api_gateway();
        format.0.unit = TimeUnit::Seconds;
        let line =
            r#"{"requestTimeEpoch":"1732870800.5","routeKey":"GET /","integrationLatency":"-"}"#;
        let (request, _) = format.parse(line).unwrap().unwrap();
        assert_eq!(request.arrival, 1_732_870_800_500_000_000);
        assert_eq!(request.duration, None);
        let line = r#"{"requestTimeEpoch":"2024-11-29T09:00:00Z","routeKey":"GET /"}"#;
        let (request, _) = format.parse(line).unwrap().unwrap();
        assert_eq!(request.arrival, 1_732_870_800_000_000_000);
    }

    #[test]
    fn a_time_in_the_other_unit_is_refused_with_the_fix() {
        let mut format = api_gateway();
        format.0.unit = TimeUnit::Seconds;
        let err = format.parse(LINE).unwrap_err();
        assert!(err.contains("set time_unit: ms"), "{err}");
        let err = api_gateway()
            .parse(r#"{"requestTimeEpoch":1732870800,"routeKey":"x"}"#)
            .unwrap_err();
        assert!(err.contains("set time_unit: s"), "{err}");
    }

    #[test]
    fn bad_lines_say_what_was_expected() {
        let f = api_gateway();
        // A time past what nanoseconds since the epoch can hold (found by fuzzing).
        let huge = f
            .parse(
                r#"{"requestTimeEpoch":"87080123333333333333333333333333333300","routeKey":"x"}"#,
            )
            .unwrap_err();
        assert!(huge.contains("too far from today"), "{huge}");
        assert!(
            f.parse("not json")
                .unwrap_err()
                .contains("expected one JSON object")
        );
        assert!(
            f.parse(r#"{"routeKey":"x"}"#)
                .unwrap_err()
                .contains("no `requestTimeEpoch`")
        );
        let err = f
            .parse(r#"{"requestTimeEpoch":1732870800123,"routeKey":7}"#)
            .unwrap_err();
        assert!(err.contains("route_field"), "{err}");
        let err = f
            .parse(
                r#"{"requestTimeEpoch":1732870800123,"routeKey":"x","integrationLatency":"soon"}"#,
            )
            .unwrap_err();
        assert!(err.contains("milliseconds"), "{err}");
        assert_eq!(f.parse("").unwrap(), None);
    }

    #[test]
    fn records_behind_a_time_or_inside_a_cloudwatch_logs_event_are_read() {
        let f = api_gateway();
        let plain = f.parse(LINE).unwrap();
        // An export to S3 puts the event's time in front, `aws logs tail` the time
        // and the log stream.
        let exported = format!("2024-11-29T10:00:00.254Z {LINE}");
        assert_eq!(f.parse(&exported).unwrap(), plain);
        let tailed = format!("2024-11-29T10:00:00.254000+00:00 a1b2c3 {LINE}");
        assert_eq!(f.parse(&tailed).unwrap(), plain);
        // `aws logs filter-log-events`: the record is the event's message.
        let event = serde_json::json!({
            "logStreamName": "a1b2c3",
            "timestamp": 1732870800254u64,
            "message": LINE,
            "ingestionTime": 1732870801000u64,
            "eventId": "1",
        })
        .to_string();
        assert_eq!(f.parse(&event).unwrap(), plain);
        let err = f.parse(&format!("yesterday {LINE}")).unwrap_err();
        assert!(err.contains("`yesterday` before the JSON"), "{err}");
    }

    #[test]
    fn with_a_status_field_only_429s_are_read() {
        let mut format = api_gateway();
        format.0.throttled_status = vec!["status".into()];
        assert_eq!(format.parse(LINE).unwrap(), None, "a 200 is left out");
        let throttled = LINE.replace(r#""status":"200""#, r#""status":"429""#);
        assert!(format.parse(&throttled).unwrap().is_some());
        let number = LINE.replace(r#""status":"200""#, r#""status":429"#);
        assert!(format.parse(&number).unwrap().is_some());
        let missing = LINE.replace(r#""status":"200","#, "");
        assert_eq!(format.parse(&missing).unwrap(), None);
    }

    #[test]
    fn lambdas_throttles_are_the_integration_statuss_429s_behind_the_gateways_500() {
        // API Gateway answers 500 when Lambda throttles; its integrationStatus holds
        // Lambda's 429. With both fields named, either 429 is a throttle.
        let mut format = api_gateway();
        format.0.throttled_status = vec!["status".into(), "integrationStatus".into()];
        let lambda = LINE.replace(
            r#""status":"200""#,
            r#""status":"500","integrationStatus":"429""#,
        );
        assert!(format.parse(&lambda).unwrap().is_some());
        let gateway = LINE.replace(
            r#""status":"200""#,
            r#""status":"429","integrationStatus":"-""#,
        );
        assert!(format.parse(&gateway).unwrap().is_some());
        let error = LINE.replace(
            r#""status":"200""#,
            r#""status":"502","integrationStatus":"200""#,
        );
        assert_eq!(
            format.parse(&error).unwrap(),
            None,
            "a function error is none"
        );
        format.0.throttled_status = vec!["status".into()];
        assert_eq!(
            format.parse(&lambda).unwrap(),
            None,
            "status alone misses it"
        );
    }
}
