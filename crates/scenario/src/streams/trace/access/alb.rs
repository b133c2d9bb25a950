//! Application Load Balancer access logs: one request a line, space-separated fields,
//! some in double quotes, in the order of AWS's "Access log entries" (Elastic Load
//! Balancing, Application Load Balancers guide,
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html>).
//!
//! A request arrives at its `request_creation_time` (field 22); its duration is its
//! `target_processing_time` (field 7, seconds; `-1` when the target did not answer,
//! then the function's own distribution is drawn). For a Lambda target that time is
//! what the load balancer waited: the function's run plus, on a cold start, its Init
//! and the hops in between, so it is an upper bound of the duration. Its route is its
//! target group's name (from `target_group_arn`, field 17); a request with no target
//! group (`-`: a redirect, a fixed response, a refused request) reached no function and
//! is not replayed.
//!
//! A request Lambda throttled has `LambdaThrottling` as its `error_reason` (field 25;
//! "Error reason codes" in the same guide): those are a log's observed throttles. It is
//! still replayed as traffic, load the function was offered (its target did not
//! answer, so its duration is drawn).

use super::{LineFormat, Parsed, Request, seconds};
use crate::streams::timestamp;

/// Reads ALB log lines; with `throttled_only`, only those of requests Lambda throttled
/// (for `observed: throttles`).
#[derive(Clone, Copy, Debug, Default)]
pub(in crate::streams::trace) struct Alb {
    pub throttled_only: bool,
}

/// The 0-based positions of the fields read.
const TARGET_PROCESSING_TIME: usize = 6;
const TARGET_GROUP_ARN: usize = 16;
const REQUEST_CREATION_TIME: usize = 21;
const ERROR_REASON: usize = 24;

/// The `error_reason` of a request the Lambda function behind the load balancer
/// throttled.
const LAMBDA_THROTTLING: &str = "LambdaThrottling";

impl LineFormat for Alb {
    fn parse<'a>(&self, line: &'a str) -> Result<Parsed<'a>, String> {
        if line.trim().is_empty() {
            return Ok(None);
        }
        let mut fields = [""; ERROR_REASON + 1];
        let mut found = 0;
        for (slot, field) in fields.iter_mut().zip(Fields { rest: line }) {
            *slot = field?;
            found += 1;
        }
        if found <= REQUEST_CREATION_TIME {
            return Err(format!(
                "found {found} fields, expected an ALB access log entry (at least {} space-separated fields, request_creation_time the 22nd)",
                REQUEST_CREATION_TIME + 1
            ));
        }
        if self.throttled_only {
            if found <= ERROR_REASON {
                return Err(format!(
                    "found {found} fields, expected an ALB access log entry with error_reason (the 25th field) to count throttles by"
                ));
            }
            if fields[ERROR_REASON] != LAMBDA_THROTTLING {
                return Ok(None);
            }
        }
        let created = fields[REQUEST_CREATION_TIME];
        let arrival = timestamp::parse(created).ok_or_else(|| {
            format!(
                "found request_creation_time `{}`, expected an ISO 8601 time such as 2024-11-29T09:00:00.123456Z",
                crate::error::shown(created)
            )
        })?;
        let waited = fields[TARGET_PROCESSING_TIME];
        // A request Lambda throttled ran no function, whatever time the load balancer
        // logged for it.
        let duration = match waited {
            "-1" => None,
            _ if fields[ERROR_REASON] == LAMBDA_THROTTLING => None,
            text => Some(seconds(text).ok_or_else(|| {
                format!(
                    "found target_processing_time `{}`, expected seconds (or -1)",
                    crate::error::shown(text)
                )
            })?),
        };
        let Some(group) = target_group(fields[TARGET_GROUP_ARN]) else {
            return Ok(None);
        };
        Ok(Some((Request { arrival, duration }, Some(group))))
    }
}

/// The name in `arn:aws:elasticloadbalancing:…:targetgroup/<name>/<id>`; `None` for
/// `-` (no target group).
fn target_group(arn: &str) -> Option<&str> {
    if arn == "-" {
        return None;
    }
    let after = arn
        .split_once(":targetgroup/")
        .map_or(arn, |(_, rest)| rest);
    Some(after.split('/').next().unwrap_or(after))
}

/// The fields of a line: runs of non-spaces, or text in double quotes (without them;
/// a backslash escapes the next character inside).
struct Fields<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<&'a str, String>;

    fn next(&mut self) -> Option<Self::Item> {
        let text = self.rest.trim_start_matches(' ');
        if text.is_empty() {
            return None;
        }
        if let Some(quoted) = text.strip_prefix('"') {
            let mut escaped = false;
            for (i, c) in quoted.char_indices() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => {
                        self.rest = &quoted[i + 1..];
                        return Some(Ok(&quoted[..i]));
                    }
                    _ => {}
                }
            }
            self.rest = "";
            return Some(Err(
                "found a quoted field without its closing quote, expected an ALB access log entry"
                    .into(),
            ));
        }
        let end = text.find(' ').unwrap_or(text.len());
        self.rest = &text[end..];
        Some(Ok(&text[..end]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An entry shaped as AWS documents one (a Lambda target: no target address).
    const ENTRY: &str = "https 2024-11-29T09:00:00.412000Z app/shop-alb/50dc6c495c0c9188 192.168.131.39:2817 - 0.000 0.381 0.000 200 200 34 366 \"GET https://shop.example.com:443/checkout HTTP/1.1\" \"curl/8.5.0\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-fn/73e2d6bc24d8a067 \"Root=1-58337262-36d228ad5d99923122bbe354\" \"shop.example.com\" \"arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012\" 0 2024-11-29T09:00:00.030000Z \"forward\" \"-\" \"-\" \"-\" \"200\" \"-\" \"-\" TID_1234";

    #[test]
    fn an_entry_gives_its_creation_time_duration_and_target_group() {
        let (request, route) = Alb::default().parse(ENTRY).unwrap().unwrap();
        assert_eq!(route, Some("checkout-fn"));
        assert_eq!(request.duration, Some(381_000_000));
        assert_eq!(
            request.arrival,
            timestamp::parse("2024-11-29T09:00:00.03Z").unwrap()
        );
    }

    #[test]
    fn a_failed_target_has_no_duration_and_no_group_is_not_replayed() {
        let failed = ENTRY.replace(" 0.381 ", " -1 ");
        assert_eq!(
            Alb::default().parse(&failed).unwrap().unwrap().0.duration,
            None
        );
        let fixed = ENTRY.replace(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-fn/73e2d6bc24d8a067",
            "-",
        );
        assert_eq!(Alb::default().parse(&fixed).unwrap(), None);
        assert_eq!(Alb::default().parse("   ").unwrap(), None);
    }

    #[test]
    fn a_line_that_is_not_an_entry_says_what_was_expected() {
        let short = Alb::default()
            .parse("http 2024-11-29T09:00:00Z app/x 1.2.3.4:5")
            .unwrap_err();
        assert!(short.contains("found 4 fields"), "{short}");
        let open = Alb::default().parse("http \"GET / HTTP/1.1").unwrap_err();
        assert!(open.contains("closing quote"), "{open}");
        let time = Alb::default()
            .parse(&ENTRY.replace("2024-11-29T09:00:00.030000Z", "yesterday"))
            .unwrap_err();
        assert!(time.contains("request_creation_time `yesterday`"), "{time}");
        let waited = Alb::default()
            .parse(&ENTRY.replace(" 0.381 ", " soon "))
            .unwrap_err();
        assert!(waited.contains("target_processing_time `soon`"), "{waited}");
    }

    #[test]
    fn only_requests_lambda_throttled_count_as_throttles() {
        let counting = Alb {
            throttled_only: true,
        };
        assert_eq!(counting.parse(ENTRY).unwrap(), None);
        let throttled = ENTRY
            .replace(" 0.381 ", " -1 ")
            .replace(" 200 200 ", " 503 - ")
            .replace(
                "\"forward\" \"-\" \"-\"",
                "\"forward\" \"-\" \"LambdaThrottling\"",
            );
        let (request, route) = counting.parse(&throttled).unwrap().unwrap();
        assert_eq!((request.duration, route), (None, Some("checkout-fn")));
        // Replayed as traffic all the same: load the function was offered.
        assert!(Alb::default().parse(&throttled).unwrap().is_some());
        // Without a duration even if the load balancer logged a time for it: the
        // function never ran.
        let timed = throttled.replace(" -1 ", " 0.004 ");
        let (request, _) = Alb::default().parse(&timed).unwrap().unwrap();
        assert_eq!(request.duration, None);
        let old = ENTRY.split(" \"forward\"").next().unwrap().to_string() + " \"forward\" \"-\"";
        let err = counting.parse(&old).unwrap_err();
        assert!(err.contains("error_reason"), "{err}");
    }

    #[test]
    fn quoted_fields_may_hold_spaces_and_escaped_quotes() {
        let fields: Vec<&str> = Fields {
            rest: r#"a "b c" "d \"e\"" f"#,
        }
        .map(Result::unwrap)
        .collect();
        assert_eq!(fields, ["a", "b c", r#"d \"e\""#, "f"]);
    }
}
