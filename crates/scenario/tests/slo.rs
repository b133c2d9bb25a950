//! `slo:`: objectives for the account and per function, read in file order, and every
//! mistake an error at the line that wrote it.

mod common;

use common::{load, load_err};
use lambdasim_model::{Comparison, Objective, SloMetric, SloScope};

/// Lines 1 to 8; `slo:` starts on line 9.
const BASE: &str = "name: s
duration: 1m
functions:
  - name: checkout
    traffic:
      - poisson: { rate: 5 }
  - name: search
    duration: 50ms
";

fn with(rest: &str) -> String {
    format!("{BASE}{rest}")
}

#[test]
fn objectives_are_read_account_first_then_functions_in_file_order() {
    let scenario = load(&with(
        r#"slo:
  functions:
    search:
      latency_p50_ms: "<= 60"
    checkout:
      latency_p99_ms: "< 800"
      cold_start_pct: ">= 0"
  account:
    throttled_pct: "< 0.1"
"#,
    ));
    let objective = |scope: SloScope, metric, comparison, threshold| Objective {
        scope,
        metric,
        comparison,
        threshold,
    };
    let f = |name: &str| SloScope::Function(name.to_string());
    assert_eq!(
        scenario.slo(),
        [
            objective(
                SloScope::Account,
                SloMetric::ThrottledPct,
                Comparison::Below,
                0.1
            ),
            objective(
                f("search"),
                SloMetric::LatencyP50Ms,
                Comparison::AtMost,
                60.0
            ),
            objective(
                f("checkout"),
                SloMetric::LatencyP99Ms,
                Comparison::Below,
                800.0
            ),
            objective(
                f("checkout"),
                SloMetric::ColdStartPct,
                Comparison::AtLeast,
                0.0
            ),
        ]
    );
    assert!(load(BASE).slo().is_empty());
}

#[test]
fn bad_objectives_are_errors_at_their_line() {
    let cases = [
        // (slo body, line, column, message part)
        (
            "  account:\n    latency_p99_ms: \"< 800\"\n",
            11,
            5,
            "latency, asynchronous, queue and stream measures are judged per function",
        ),
        (
            "  account:\n    throttled: \"< 1\"\n",
            11,
            5,
            "unknown metric `throttled` for account, expected one of throttled_pct, cold_start_pct",
        ),
        (
            "  functions:\n    checkout:\n      p99: \"< 1\"\n",
            12,
            7,
            "expected one of throttled_pct, cold_start_pct, latency_p50_ms",
        ),
        (
            "  functions:\n    nobody:\n      throttled_pct: \"< 1\"\n",
            11,
            5,
            "unknown function `nobody` in `slo:`, expected one of checkout, search",
        ),
        (
            "  account:\n    throttled_pct: 0.1\n",
            11,
            20,
            "found `0.1`, expected an operator",
        ),
        (
            "  account:\n    throttled_pct: \"below 1\"\n",
            11,
            20,
            "expected an operator (<, <=, > or >=) and a number",
        ),
        ("  {}\n", 10, 3, "found no objectives"),
        ("  budget: 5\n", 10, 3, "budget"),
    ];
    let mut wrong = Vec::new();
    for (body, line, column, says) in cases {
        let err = load_err(&with(&format!("slo:\n{body}")));
        if (err.line(), err.column()) != (Some(line), Some(column))
            || !err.message().contains(says)
            || !err.is_input_error()
        {
            wrong.push(format!(
                "{body:?} expected {line}:{column} `{says}`, got {err}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn asynchronous_measures_need_an_asynchronous_function_in_every_configuration() {
    let slo = "slo:
  functions:
    search:
      async_dropped_pct: \"< 1\"
      async_age_p99_ms: \"< 60000\"
";
    let err = load_err(&with(slo));
    assert_eq!((err.line(), err.column()), (Some(12), Some(7)), "{err}");
    assert!(
        err.message()
            .contains("found `async_dropped_pct` for `search`, which the configuration `base` invokes as a synchronous function, expected an asynchronous function"),
        "{err}"
    );
    let yaml = with(slo).replace(
        "    duration: 50ms\n",
        "    duration: 50ms\n    invocation: async\n",
    );
    let scenario = load(&yaml);
    assert_eq!(scenario.slo()[0].metric, SloMetric::AsyncDroppedPct);
    assert_eq!(scenario.slo()[1].metric, SloMetric::AsyncAgeP99Ms);
    // A variant that makes it synchronous is named.
    let err = load_err(&format!(
        "{yaml}variants:\n  - name: direct\n    set:\n      functions.search.invocation: sync\n"
    ));
    assert!(err.message().contains("configuration `direct`"), "{err}");
    // The account has no asynchronous measures.
    let err = load_err(&with("slo:\n  account:\n    async_age_max_ms: \"< 1\"\n"));
    assert!(err.message().contains("for the account"), "{err}");
}

#[test]
fn queue_and_stream_measures_need_their_kind_of_function() {
    let slo = "slo:
  functions:
    search:
      sqs_oldest_age_max_s: \"< 60\"
      sqs_dead_lettered_pct: \"< 0.1\"
";
    let err = load_err(&with(slo));
    assert_eq!((err.line(), err.column()), (Some(12), Some(7)), "{err}");
    assert!(
        err.message().contains(
            "found `sqs_oldest_age_max_s` for `search`, which the configuration `base` invokes as a synchronous function, expected an SQS function (`invocation: sqs`)"
        ),
        "{err}"
    );
    let queued = with(slo).replace(
        "    duration: 50ms\n",
        "    duration: 50ms\n    invocation: sqs\n",
    );
    let scenario = load(&queued);
    assert_eq!(scenario.slo()[0].metric, SloMetric::SqsOldestAgeMaxS);
    assert_eq!(scenario.slo()[1].metric, SloMetric::SqsDeadLetteredPct);
    // A stream measure of that SQS function names both kinds.
    let stream = queued.replace("sqs_dead_lettered_pct", "stream_discarded_pct");
    let err = load_err(&stream);
    assert!(
        err.message().contains("invokes as an SQS function (`invocation: sqs`), expected a stream function (`invocation: stream`)"),
        "{err}"
    );
    let streamed =
        with("slo:\n  functions:\n    search:\n      stream_iterator_age_max_s: \"< 60\"\n")
            .replace(
                "    duration: 50ms\n",
                "    duration: 50ms\n    invocation: stream\n",
            );
    assert_eq!(
        load(&streamed).slo()[0].metric,
        SloMetric::StreamIteratorAgeMaxS
    );
    // API Gateway's timeouts are those of a function behind it.
    let direct = with("slo:\n  functions:\n    search:\n      gateway_timeout_pct: \"< 1\"\n");
    let err = load_err(&direct);
    assert!(
        err.message().contains("`gateway_timeout_pct` for `search`")
            && err
                .message()
                .contains("invokes directly, expected a function behind API Gateway"),
        "{err}"
    );
    let gateway = direct.replace(
        "    duration: 50ms\n",
        "    duration: 50ms\n    front_door: true\n",
    );
    assert_eq!(load(&gateway).slo()[0].metric, SloMetric::GatewayTimeoutPct);
    let err = load_err(&direct.replace(
        "    duration: 50ms\n",
        "    duration: 50ms\n    invocation: async\n",
    ));
    assert!(
        err.message().contains("expected a synchronous function"),
        "{err}"
    );
}
