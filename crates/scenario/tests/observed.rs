//! `observed:`: metrics read per period and placed on the run's clock by absolute time.

mod common;

use common::{Dir, base};
use lambdasim_model::{ObservedMetric, ObservedSeries};

const MIN: u64 = 60_000_000_000;

/// Five minutes of `Invocations` from 10:00, as `get-metric-data` writes them.
const TRAFFIC: &str = r#"{"MetricDataResults": [{"Id": "inv", "Label": "Invocations",
  "Timestamps": ["2024-11-29T10:04:00Z", "2024-11-29T10:03:00Z", "2024-11-29T10:02:00Z",
                 "2024-11-29T10:01:00Z", "2024-11-29T10:00:00Z"],
  "Values": [10, 10, 10, 10, 10], "StatusCode": "Complete"}]}"#;

/// `Throttles` with points only where there were some: 10:02 and 10:04.
const THROTTLES: &str = r#"{"MetricDataResults": [{"Id": "thr", "Label": "Throttles",
  "Timestamps": ["2024-11-29T10:04:00Z", "2024-11-29T10:02:00Z"],
  "Values": [4, 3], "StatusCode": "Complete"}]}"#;

fn scenario(traffic: &str, observed: &str) -> String {
    format!(
        "name: t\nduration: 5m\nfunctions:\n  - name: f\n    traffic:\n      - {traffic}\n    observed:\n{observed}\n"
    )
}

fn observed(dir: &Dir, yaml: &str) -> Vec<ObservedSeries> {
    let scenario = dir.load(yaml).unwrap_or_else(|e| panic!("{e}"));
    base(&scenario).observed
}

#[test]
fn a_series_starting_later_lines_up_by_timestamp_and_missing_periods_are_zero() {
    let dir = Dir::new();
    dir.write("traffic.json", TRAFFIC);
    dir.write("throttles.json", THROTTLES);
    let yaml = scenario(
        "trace: { file: traffic.json, format: cloudwatch }",
        "      throttles: { file: throttles.json, format: cloudwatch }",
    );
    let series = observed(&dir, &yaml);
    assert_eq!(
        series,
        vec![ObservedSeries {
            function: 0,
            metric: ObservedMetric::Throttles,
            period: 2 * MIN,
            start: 0,
            values: vec![0.0, 3.0, 4.0],
        }]
    );
}

#[test]
fn without_a_timestamped_trace_the_source_starts_the_run() {
    let dir = Dir::new();
    dir.write("throttles.json", THROTTLES);
    let yaml = scenario(
        "poisson: { rate: 1 }",
        "      throttles: { file: throttles.json, format: cloudwatch, counts: 1m }",
    );
    let series = observed(&dir, &yaml);
    assert_eq!(series[0].start, 0);
    assert_eq!(series[0].values, vec![3.0, 0.0, 4.0, 0.0, 0.0]);
}

#[test]
fn concurrency_reads_the_maximum_and_a_csv_of_counts_is_aligned_too() {
    let dir = Dir::new();
    dir.write("traffic.json", TRAFFIC);
    dir.write(
        "concurrency.json",
        r#"{"Label": "ConcurrentExecutions", "Datapoints": [
          {"Timestamp": "2024-11-29T10:01:00Z", "Maximum": 12, "Unit": "Count"},
          {"Timestamp": "2024-11-29T10:03:00Z", "Maximum": 30, "Unit": "Count"}]}"#,
    );
    dir.write(
        "cold.csv",
        "timestamp,count\n2024-11-29T10:01:00Z,2\n2024-11-29T10:02:00Z,5\n",
    );
    let yaml = scenario(
        "trace: { file: traffic.json, format: cloudwatch }",
        "      concurrency: { file: concurrency.json, format: cloudwatch, counts: 1m }\n      cold_starts: { file: cold.csv, counts: 1m }",
    );
    let series = observed(&dir, &yaml);
    assert_eq!(series[0].metric, ObservedMetric::ColdStarts);
    assert_eq!(series[0].values, vec![0.0, 2.0, 5.0, 0.0, 0.0]);
    assert_eq!(series[1].metric, ObservedMetric::Concurrency);
    assert_eq!(series[1].values, vec![0.0, 12.0, 0.0, 30.0, 0.0]);
}

#[test]
fn an_offset_trace_moves_the_observed_points_with_it() {
    let dir = Dir::new();
    dir.write("traffic.json", TRAFFIC);
    dir.write("throttles.json", THROTTLES);
    let yaml = scenario(
        "trace: { file: traffic.json, format: cloudwatch }\n        offset: 1m",
        "      throttles: { file: throttles.json, format: cloudwatch, counts: 1m }",
    );
    let series = observed(&dir, &yaml);
    // 10:02 is 2 min into the trace, 3 min into the run; 10:04 falls past its end.
    assert_eq!(series[0].values, vec![0.0, 0.0, 0.0, 3.0, 0.0]);
}

#[test]
fn bad_observed_input_names_the_file_and_line() {
    let dir = Dir::new();
    dir.write("traffic.json", TRAFFIC);
    dir.write("throttles.json", THROTTLES);
    dir.write("offsets.csv", "offset_s,count\n0,1\n");
    let cases = [
        (
            "      errors: { file: throttles.json, format: cloudwatch }",
            "scenario.yaml:8",
            "throttles",
        ),
        (
            "      throttles: { file: missing.json, format: cloudwatch }",
            "scenario.yaml:8",
            "missing.json",
        ),
        (
            "      throttles: { file: throttles.json, format: cloudwatch, series: [Errors] }",
            "throttles.json",
            "no series `Errors`",
        ),
        (
            "      throttles: { file: throttles.json }",
            "scenario.yaml:8",
            "values per period",
        ),
        (
            "      throttles: { file: offsets.csv, counts: 1m }",
            "scenario.yaml:8",
            "offset_s",
        ),
        // Five minutes of nanosecond periods: not kept a value each.
        (
            "      throttles: { file: throttles.json, format: cloudwatch, counts: 1ns }",
            "scenario.yaml:8",
            "at most 10000000",
        ),
    ];
    for (observed, place, words) in cases {
        let yaml = scenario(
            "trace: { file: traffic.json, format: cloudwatch }",
            observed,
        );
        let err = dir.load(&yaml).unwrap_err().to_string();
        assert!(
            err.contains(place) && err.contains(words),
            "{observed}: {err}"
        );
    }
}

#[test]
fn each_variant_clips_the_series_to_its_own_run() {
    let dir = Dir::new();
    dir.write("traffic.json", TRAFFIC);
    dir.write("throttles.json", THROTTLES);
    let yaml = scenario(
        "trace: { file: traffic.json, format: cloudwatch }",
        "      throttles: { file: throttles.json, format: cloudwatch, counts: 1m }",
    ) + "variants:\n  - name: whole\n  - name: short\n    set: { duration: 150s }\n";
    let scenario = dir.load(&yaml).unwrap_or_else(|e| panic!("{e}"));
    let lengths: Vec<Vec<f64>> = scenario
        .variants(None)
        .into_iter()
        .map(|v| v.observed[0].values.clone())
        .collect();
    // 150 s holds the periods starting at 0, 1 and 2 minutes.
    assert_eq!(
        lengths,
        vec![vec![0.0, 0.0, 3.0, 0.0, 4.0], vec![0.0, 0.0, 3.0]]
    );
}

#[test]
fn a_sped_up_trace_shortens_the_observed_periods_with_it() {
    let dir = Dir::new();
    dir.write("traffic.json", TRAFFIC);
    dir.write("throttles.json", THROTTLES);
    let yaml = scenario(
        "trace: { file: traffic.json, format: cloudwatch }\n        speedup: 2",
        "      throttles: { file: throttles.json, format: cloudwatch, counts: 1m }",
    );
    let series = observed(&dir, &yaml);
    // Minutes of the trace are 30 s of the run: 10:02 at 1 min, 10:04 at 2 min.
    assert_eq!(series[0].period, MIN / 2);
    assert_eq!(
        series[0].values,
        vec![0.0, 0.0, 3.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    );
}

/// API Gateway JSON access log lines at `ms` after 10:00:00 with the given status.
fn api_lines(lines: &[(u64, &str)]) -> String {
    lines
        .iter()
        .map(|(ms, status)| {
            format!(
                "{{\"requestTimeEpoch\":{},\"routeKey\":\"POST /orders\",\"status\":\"{status}\",\"integrationLatency\":\"20\"}}\n",
                1_732_874_400_000 + ms
            )
        })
        .collect()
}

#[test]
fn a_logs_429_responses_are_its_observed_throttles_per_period() {
    let dir = Dir::new();
    // The first request at 10:00:30; 429s at 10:00:40, 10:01:10 and 10:01:50 (logged
    // out of order), and at 10:03:05.
    let log = api_lines(&[
        (30_000, "200"),
        (40_000, "429"),
        (110_000, "429"),
        (70_000, "429"),
        (95_000, "200"),
        (185_000, "429"),
    ]);
    dir.write("api.jsonl", log);
    let yaml = scenario(
        "trace: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch }",
        "      throttles: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch, status_field: status, counts: 1m }",
    );
    let series = observed(&dir, &yaml);
    // The run starts at the first request, 10:00:30. The minute from 10:00 began
    // before it and is left out (with the 429 at 10:00:40), so the grid starts at
    // 10:01:00, 30 s into the run: five minutes begin in the five-minute run.
    assert_eq!(series[0].period, MIN);
    assert_eq!(series[0].start, MIN / 2);
    assert_eq!(series[0].values, vec![2.0, 0.0, 1.0, 0.0, 0.0]);
}

#[test]
fn lambdas_throttles_behind_api_gateway_are_counted_by_their_integration_status() {
    let dir = Dir::new();
    // API Gateway's own 429 at 10:01:30; Lambda's throttles at 10:01:10 and 10:01:50,
    // which API Gateway answered 500 with integrationStatus 429; a function error
    // (500, integrationStatus 200) at 10:01:20 is no throttle.
    let line = |ms: u64, status: &str, integration: &str| {
        format!(
            "{{\"requestTimeEpoch\":{},\"status\":\"{status}\",\"integrationStatus\":\"{integration}\"}}\n",
            1_732_874_400_000 + ms
        )
    };
    let log: String = [
        line(30_000, "200", "200"),
        line(70_000, "500", "429"),
        line(90_000, "429", "-"),
        line(80_000, "500", "200"),
        line(110_000, "500", "429"),
    ]
    .concat();
    dir.write("api.jsonl", log);
    let trace = "trace: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch }";
    let both = scenario(
        trace,
        "      throttles: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch, status_field: status, integration_status_field: integrationStatus, counts: 1m }",
    );
    assert_eq!(observed(&dir, &both)[0].values[0], 3.0);
    let lambdas = scenario(
        trace,
        "      throttles: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch, integration_status_field: integrationStatus, counts: 1m }",
    );
    assert_eq!(observed(&dir, &lambdas)[0].values[0], 2.0);
    let gateways = scenario(
        trace,
        "      throttles: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch, status_field: status, counts: 1m }",
    );
    assert_eq!(observed(&dir, &gateways)[0].values[0], 1.0);
}

#[test]
fn a_status_field_belongs_to_observed_throttles_from_a_jsonl_log() {
    let dir = Dir::new();
    dir.write("api.jsonl", api_lines(&[(0, "429")]));
    let trace = "trace: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch }";
    let cases = [
        (
            "trace: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch, status_field: status }",
            "      throttles: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch, status_field: status, counts: 1m }",
            "found status_field on a traffic trace",
        ),
        (
            trace,
            "      throttles: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch, status_field: status }",
            "without counts:",
        ),
        (
            trace,
            "      throttles: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch, counts: 1m }",
            "without status_field",
        ),
        (
            trace,
            "      concurrency: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch, status_field: status, counts: 1m }",
            "only for throttles",
        ),
        (
            "trace: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch, integration_status_field: s }",
            "      throttles: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch, status_field: status, counts: 1m }",
            "found integration_status_field on a traffic trace",
        ),
    ];
    for (traffic, observed, needle) in cases {
        let err = match dir.load(&scenario(traffic, observed)) {
            Ok(_) => panic!("{observed}: expected an error"),
            Err(e) => e,
        };
        assert!(err.message().contains(needle), "{needle}: {err}");
        assert!(err.line().is_some(), "{err}");
    }
}

/// A REPORT line logged `end_s` seconds after 10:00:00 for an invocation of 1 s, cold
/// (with a 2 s Init) or warm.
fn report(end_s: u64, cold: bool) -> String {
    let init = if cold {
        "\tInit Duration: 2000.00 ms"
    } else {
        ""
    };
    format!(
        "2024-11-29T10:{:02}:{:02}Z 2024/11/29/[$LATEST]0a1b REPORT RequestId: r{end_s}\tDuration: 1000.00 ms\tBilled Duration: 1000 ms\tMemory Size: 1024 MB\tMax Memory Used: 90 MB{init}\n",
        end_s / 60,
        end_s % 60
    )
}

#[test]
fn lambdas_own_log_counts_its_cold_starts_per_period_whatever_the_files_order() {
    let dir = Dir::new();
    // An export to S3 writes a file per log stream (an environment each): this one's
    // name sorts first but its invocations come later. Cold starts began at 10:00:10,
    // 10:01:57 and 10:02:00; warm invocations at 10:00:05 (the run's start), 10:02:29 and
    // 10:03:00.
    dir.write(
        "logs/a-stream.log",
        report(123, true) + &report(150, false) + &report(181, false),
    );
    dir.write(
        "logs/b-stream.log",
        report(6, false) + &report(13, true) + &report(120, true),
    );
    let yaml = scenario(
        "trace: { file: logs/*.log, format: lambda_log, reorder_window: 10m }",
        "      cold_starts: { file: logs/*.log, format: lambda_log, counts: 1m }",
    );
    let series = observed(&dir, &yaml);
    assert_eq!(series[0].metric, ObservedMetric::ColdStarts);
    // The run starts at 10:00:05, so the grid of minutes starts at 10:01, 55 s in;
    // the cold start at 10:00:10 was in the minute before and is left out.
    assert_eq!(series[0].start, 55 * 1_000_000_000);
    assert_eq!(series[0].values, vec![1.0, 1.0, 0.0, 0.0, 0.0]);
}

#[test]
fn lambdas_own_log_observes_cold_starts_only() {
    let dir = Dir::new();
    dir.write("lambda.log", report(13, true));
    dir.write("access.log", "2024-11-29T10:00:00Z GET /index.html 200\n");
    let trace = "trace: { file: lambda.log, format: lambda_log }";
    let cases = [
        (
            "      throttles: { file: lambda.log, format: lambda_log, counts: 1m }",
            "expected a lambda_log log only for cold_starts",
        ),
        (
            "      cold_starts: { file: lambda.log, format: lambda_log }",
            "without counts:",
        ),
        // A log of something else: no REPORT record to count, not zero cold starts.
        (
            "      cold_starts: { file: access.log, format: lambda_log, counts: 1m }",
            "found no REPORT record",
        ),
    ];
    for (observed, needle) in cases {
        let err = match dir.load(&scenario(trace, observed)) {
            Ok(_) => panic!("{observed}: expected an error"),
            Err(e) => e,
        };
        assert!(err.message().contains(needle), "{needle}: {err}");
        assert!(err.line().is_some(), "{err}");
    }
}

#[test]
fn a_function_fed_by_another_functions_access_log_lines_up_with_that_log() {
    let dir = Dir::new();
    // The log's first request at 10:00:30; a 429 at 10:01:10.
    dir.write("api.jsonl", api_lines(&[(30_000, "200"), (70_000, "429")]));
    let yaml = "name: t\nduration: 5m\nfunctions:\n  - name: f\n    traffic:\n      - trace: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch, route_field: routeKey, routes: { POST /orders: g } }\n  - name: g\n    observed:\n      throttles: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch, status_field: status, counts: 1m }\n";
    let series = observed(&dir, yaml);
    assert_eq!(series[0].function, 1);
    // On the log's clock, 10:01 is 30 s into the run. Without the routed log as its
    // anchor, `g` would start its clock at its own first period, 10:01, instead.
    assert_eq!(series[0].start, MIN / 2);
    assert_eq!(series[0].values[0], 1.0);
}
