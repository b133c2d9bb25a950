//! CloudWatch Logs events written as JSON lines, as `aws logs filter-log-events` and
//! `get-log-events` give them (`{"timestamp": 1732874400123, "message": "…",
//! "ingestionTime": …, "logStreamName": …, "eventId": …}`) or a subscription delivers
//! them (`{"id", "timestamp", "message"}`): a log line wrapped with its time. Told
//! apart from Lambda's JSON application records, which carry a `message` too, by the
//! event's numeric `timestamp` (a record's is an RFC 3339 string) and by having no
//! `level` or `type`.

use serde_json::{Map, Value};

/// The log line an event wraps, if `object` is a CloudWatch Logs event.
pub(crate) fn message(object: &Map<String, Value>) -> Option<&str> {
    let numeric_time = object.get("timestamp").is_some_and(Value::is_number);
    let record = object.contains_key("level") || object.contains_key("type");
    (numeric_time && !record)
        .then(|| object.get("message").and_then(Value::as_str))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(json: &str) -> Map<String, Value> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn an_event_is_told_from_a_json_application_record() {
        let event = object(
            r#"{"timestamp": 1732874400123, "message": "REPORT RequestId: a", "ingestionTime": 1732874401000}"#,
        );
        assert_eq!(message(&event), Some("REPORT RequestId: a"));
        let subscribed = object(r#"{"id": "1", "timestamp": 1732874400123, "message": "x"}"#);
        assert_eq!(message(&subscribed), Some("x"));
        // Lambda's JSON log format: an application record and a platform record.
        let app = object(
            r#"{"timestamp": "2024-11-29T10:00:00.123Z", "level": "INFO", "message": "processing order"}"#,
        );
        assert_eq!(message(&app), None);
        let leveled = object(r#"{"timestamp": 1732874400123, "level": "INFO", "message": "x"}"#);
        assert_eq!(message(&leveled), None);
        let platform = object(
            r#"{"time": "2024-11-29T10:00:00.123Z", "type": "platform.report", "record": {}}"#,
        );
        assert_eq!(message(&platform), None);
    }
}
