//! Lambda's `REPORT` log line, written when an invocation ends:
//! `REPORT RequestId: … Duration: 201.67 ms Billed Duration: 202 ms Memory Size: 2048 MB
//! Max Memory Used: 81 MB Init Duration: 480.25 ms`, with `Init Duration` only on a cold
//! start and `Restore Duration` on a SnapStart restore (AWS Lambda Developer Guide,
//! "Working with Lambda function logs",
//! <https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html>).
//! Read for observed durations (`empirical:`, `lambdasim fit`) and as a log of
//! invocations (`format: lambda_log`).

/// What marks a REPORT line.
pub(crate) const REPORT: &str = "REPORT RequestId:";

/// The fields of a REPORT line that hold durations.
pub(crate) const REPORT_FIELDS: [&str; 4] = [
    "Duration",
    "Billed Duration",
    "Init Duration",
    "Restore Duration",
];

/// The number after `field: ` in a REPORT line, up to its `unit`. `Duration` is not
/// the tail of `Billed Duration`, `Init Duration` or `Restore Duration`.
pub(crate) fn report_field<'a>(line: &'a str, field: &str, unit: &str) -> Option<&'a str> {
    let key = format!("{field}: ");
    let mut from = 0;
    while let Some(at) = line[from..].find(&key) {
        let at = from + at;
        let before = &line[..at];
        let whole = before.is_empty() || before.ends_with(char::is_whitespace);
        let longer = ["Billed ", "Init ", "Restore "]
            .iter()
            .any(|p| before.ends_with(p));
        if whole && !longer {
            let rest = &line[at + key.len()..];
            return rest.find(unit).map(|end| &rest[..end]);
        }
        from = at + key.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = "REPORT RequestId: a\tDuration: 201.67 ms\tBilled Duration: 202 ms\tMemory Size: 2048 MB\tMax Memory Used: 81 MB\tInit Duration: 480.25 ms";

    #[test]
    fn each_field_is_its_own_not_the_tail_of_a_longer_one() {
        assert_eq!(report_field(LINE, "Duration", " ms"), Some("201.67"));
        assert_eq!(report_field(LINE, "Billed Duration", " ms"), Some("202"));
        assert_eq!(report_field(LINE, "Init Duration", " ms"), Some("480.25"));
        assert_eq!(report_field(LINE, "Memory Size", " MB"), Some("2048"));
        let restored = "REPORT RequestId: b Restore Duration: 310.5 ms Duration: 20 ms";
        assert_eq!(report_field(restored, "Duration", " ms"), Some("20"));
        assert_eq!(
            report_field(restored, "Restore Duration", " ms"),
            Some("310.5")
        );
        assert_eq!(report_field(restored, "Init Duration", " ms"), None);
    }
}
