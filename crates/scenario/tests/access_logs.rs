//! Access logs as per-request traces: ALB logs (gzip, several files, lines in the order
//! requests ended) and JSON lines (API Gateway), put back in arrival order, routed to
//! functions; every bad input located at its file and line, or at the YAML key.

mod common;

use common::{Dir, arrivals, base};
use flate2::Compression;
use flate2::write::GzEncoder;
use lambdasim_engine::NANOS_PER_SEC;
use lambdasim_model::Arrival;
use lambdasim_scenario::ScenarioError;
use std::io::Write;

const S: u64 = NANOS_PER_SEC;
const MS: u64 = 1_000_000;

/// An ALB entry for a request created `at_ms` after 09:00:00 that the target took
/// `waited` seconds for (`-1`: no answer), for target group `group` (`-`: none).
fn alb(at_ms: u64, waited: &str, group: &str) -> String {
    let arn = match group {
        "-" => "-".to_string(),
        g => format!(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/{g}/73e2d6bc24d8a067"
        ),
    };
    let created = format!(
        "2024-11-29T09:{:02}:{:02}.{:03}000Z",
        at_ms / 60_000,
        at_ms / 1000 % 60,
        at_ms % 1000
    );
    format!(
        "https 2024-11-29T09:30:00.000000Z app/shop-alb/50dc6c495c0c9188 192.168.131.39:2817 - 0.000 {waited} 0.000 200 200 34 366 \"GET https://shop.example.com:443/x HTTP/1.1\" \"curl/8.5.0\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 {arn} \"Root=1-58337262-36d228ad5d99923122bbe354\" \"shop.example.com\" \"-\" 0 {created} \"forward\" \"-\" \"-\" \"-\" \"200\" \"-\" \"-\" TID_1\n"
    )
}

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap()
}

/// Loads functions `f` and `g` with `f`'s traffic as given, `files` written first.
fn replay(
    files: &[(&str, Vec<u8>)],
    traffic: &str,
) -> Result<(Vec<usize>, Vec<Arrival>), ScenarioError> {
    let dir = Dir::new();
    for (name, bytes) in files {
        dir.write(name, bytes);
    }
    let yaml = format!(
        "name: s\nduration: 1h\nfunctions:\n  - name: f\n    traffic:\n      - {traffic}\n  - name: g\n"
    );
    let variant = base(&dir.load(&yaml)?);
    let targets = variant.traffic()?.remove(0).targets;
    Ok((targets, arrivals(&variant).remove(0)))
}

#[test]
fn alb_logs_of_several_nodes_replay_in_arrival_order_routed_by_target_group() {
    // Two nodes' files: each in the order requests ended, not the order they came.
    let node_a = [
        alb(2000, "0.100", "checkout-fn"),
        alb(500, "1.500", "catalog-fn"),
        alb(3000, "-1", "checkout-fn"),
    ]
    .concat();
    let node_b = [
        alb(1000, "0.250", "catalog-fn"),
        alb(1200, "0.010", "static-assets"),
        alb(2500, "0.000", "-"),
        alb(4000, "0.040", "catalog-fn"),
    ]
    .concat();
    let (targets, got) = replay(
        &[
            ("logs/a_20241129T0905Z.log.gz", gzip(&node_a)),
            ("logs/b_20241129T0905Z.log.gz", gzip(&node_b)),
        ],
        "trace: { file: logs/*.log.gz, format: alb, routes: { checkout-fn: f, catalog-fn: g, static-assets: ~ } }",
    )
    .unwrap();
    assert_eq!(targets, [0, 1], "routed to every function");
    let seen: Vec<(u64, Option<u64>, u32)> =
        got.iter().map(|a| (a.time, a.duration, a.target)).collect();
    assert_eq!(
        seen,
        [
            (0, Some(1500 * MS), 1),
            (500 * MS, Some(250 * MS), 1),
            (1500 * MS, Some(100 * MS), 0),
            (2500 * MS, None, 0),
            (3500 * MS, Some(40 * MS), 1),
        ],
        "time 0 is the first arrival; static assets and the fixed response left out"
    );
}

#[test]
fn without_routes_every_request_is_the_streams_function() {
    let log = [alb(0, "0.100", "a"), alb(1000, "0.100", "b")].concat();
    let (targets, got) = replay(
        &[("alb.log", log.into_bytes())],
        "trace: { file: alb.log, format: alb }",
    )
    .unwrap();
    assert_eq!(targets, [0]);
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|a| a.target == 0));
}

/// API Gateway JSON access log lines (`$context` variables as fields).
fn api(epoch_ms: u64, route: &str, latency: &str) -> String {
    format!(
        "{{\"requestId\":\"r{epoch_ms}\",\"ip\":\"192.0.2.10\",\"requestTimeEpoch\":{epoch_ms},\"routeKey\":\"{route}\",\"status\":\"200\",\"integrationLatency\":\"{latency}\"}}\n"
    )
}

#[test]
fn api_gateway_json_lines_replay_by_route() {
    let t0 = 1_732_870_800_000;
    let log = [
        api(t0 + 900, "GET /catalog", "35"),
        api(t0, "POST /checkout", "212"),
        "\n".to_string(),
        api(t0 + 400, "GET /health", "1"),
        api(t0 + 1200, "POST /checkout", "-"),
    ]
    .concat();
    let (_, got) = replay(
        &[("api.jsonl", log.into_bytes())],
        "trace: { file: api.jsonl, format: jsonl, time_field: requestTimeEpoch, duration_field: integrationLatency, route_field: routeKey, routes: { POST /checkout: f, GET /catalog: g, GET /health: ~ } }",
    )
    .unwrap();
    let seen: Vec<(u64, Option<u64>, u32)> =
        got.iter().map(|a| (a.time, a.duration, a.target)).collect();
    assert_eq!(
        seen,
        [
            (0, Some(212 * MS), 0),
            (900 * MS, Some(35 * MS), 1),
            (1200 * MS, None, 0)
        ]
    );
}

#[test]
fn bad_log_lines_are_located_at_their_file_and_line() {
    let routes = "trace: { file: alb.log, format: alb, routes: { a: f } }";
    let cases: [(&str, Vec<u8>, &str, u64); 4] = [
        (
            "an unlisted route",
            [alb(0, "0.1", "a"), alb(1, "0.1", "b")]
                .concat()
                .into_bytes(),
            "found the route `b`",
            2,
        ),
        (
            "a short line",
            format!("{}http 2024-11-29T09:00:00Z x\n", alb(0, "0.1", "a")).into_bytes(),
            "found 3 fields",
            2,
        ),
        (
            "a byte that is not UTF-8",
            [alb(0, "0.1", "a").as_bytes(), b"\xff\xfe\n"].concat(),
            "UTF-8",
            2,
        ),
        (
            "a request later than the reorder window allows",
            [
                alb(5000, "0.1", "a"),
                alb(700_000, "0.1", "a"),
                alb(1000, "0.1", "a"),
            ]
            .concat()
            .into_bytes(),
            "raise reorder_window",
            3,
        ),
    ];
    for (what, bytes, needle, line) in cases {
        let err = replay(&[("alb.log", bytes)], routes).unwrap_err();
        assert!(err.file().ends_with("alb.log"), "{what}: {err}");
        assert_eq!(err.line(), Some(line), "{what}: {err}");
        assert!(err.message().contains(needle), "{what}: {err}");
        assert!(err.is_input_error(), "{what}");
    }
}

#[test]
fn a_truncated_gzip_file_is_an_input_error_at_the_file() {
    let log: String = (0..2000).map(|i| alb(i * 10, "0.1", "a")).collect();
    let mut bytes = gzip(&log);
    bytes.truncate(bytes.len() / 2);
    let err = replay(
        &[("cut.log.gz", bytes)],
        "trace: { file: cut.log.gz, format: alb }",
    )
    .unwrap_err();
    assert!(err.file().ends_with("cut.log.gz"), "{err}");
    assert!(err.message().contains("cut short"), "{err}");
    assert!(err.is_input_error());
}

#[test]
fn access_log_keys_are_checked_at_the_yaml() {
    let log = alb(0, "0.1", "a").into_bytes();
    let cases = [
        (
            "trace: { file: alb.log, format: alb, time_field: t }",
            "only with format: jsonl",
        ),
        (
            "trace: { file: alb.log, routes: { a: f } }",
            "only on access logs",
        ),
        (
            "trace: { file: alb.log, format: alb, routes: { a: checkout } }",
            "mapped to `checkout`, expected one of the scenario's functions (`f`, `g`)",
        ),
        (
            "trace: { file: alb.log, format: alb, reorder_window: 0s }",
            "reorder_window of 0",
        ),
        (
            "trace: { file: alb.log, format: jsonl }",
            "without time_field",
        ),
        (
            "trace: { file: alb.log, format: jsonl, time_field: t, route_field: r }",
            "route_field without routes",
        ),
        (
            "trace: { file: alb.log, format: jsonl, time_field: t, routes: { a: f } }",
            "routes without route_field",
        ),
        (
            "trace: { file: alb.log, format: alb, counts: 1m }",
            "only on CSV traces",
        ),
    ];
    for (traffic, needle) in cases {
        let err = replay(&[("alb.log", log.clone())], traffic).unwrap_err();
        assert_eq!(err.line(), Some(6), "{traffic}: {err}");
        assert!(err.message().contains(needle), "{traffic}: {err}");
    }
    let err = replay(&[], "trace: { file: none/*.log.gz, format: alb }").unwrap_err();
    assert!(
        err.message().contains("expected at least one access log"),
        "{err}"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Lines shuffled within the reorder window, in one file or split over two:
    /// every request is replayed once, in arrival order.
    #[test]
    fn any_order_within_the_window_replays_every_request_in_arrival_order(
        arrivals_ms in proptest::collection::vec(0u64..600_000, 1..60),
        split in 0usize..60,
        seed in 0u64..1000,
    ) {
        let mut order: Vec<usize> = (0..arrivals_ms.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, (seed as usize * 7919 + i * 104_729) % (i + 1));
        }
        let lines: Vec<String> = order.iter().map(|&i| alb(arrivals_ms[i], "0.1", "a")).collect();
        let split = split.min(lines.len());
        let (one, two) = lines.split_at(split);
        let got = replay(
            &[("l/1.log", one.concat().into_bytes()), ("l/2.log.gz", gzip(&two.concat()))],
            "trace: { file: l/*.log*, format: alb }",
        ).unwrap().1;
        let mut want = arrivals_ms.clone();
        want.sort_unstable();
        let first = want[0];
        let times: Vec<u64> = got.iter().map(|a| a.time).collect();
        let want: Vec<u64> = want.iter().map(|ms| (ms - first) * MS).collect();
        proptest::prop_assert_eq!(times, want);
    }
}

#[test]
fn a_seconds_scale_is_kept_exact() {
    let log = [alb(0, "0.1", "a"), alb(59_999, "0.1", "a")].concat();
    let (_, got) = replay(
        &[("alb.log", log.into_bytes())],
        "trace: { file: alb.log, format: alb }\n        speedup: 2",
    )
    .unwrap();
    assert_eq!(got[1].time, 59_999 * MS / 2);
    assert!(got[1].time < 30 * S);
}

/// A REPORT line as `aws logs tail` prints it, logged `end_ms` after 10:00:00, for an
/// invocation of `duration_ms` that began with an Init of `init_ms` (0: warm).
fn report(end_ms: u64, duration_ms: u64, init_ms: u64) -> String {
    let init = if init_ms > 0 {
        format!("\tInit Duration: {init_ms}.00 ms")
    } else {
        String::new()
    };
    format!(
        "2024-11-29T10:{:02}:{:02}.{:03}000+00:00 2024/11/29/[$LATEST]0a1b REPORT RequestId: r{end_ms}\tDuration: {duration_ms}.00 ms\tBilled Duration: {duration_ms} ms\tMemory Size: 1024 MB\tMax Memory Used: 90 MB{init}\n",
        end_ms / 60_000,
        end_ms / 1000 % 60,
        end_ms % 1000
    )
}

#[test]
fn lambdas_own_log_replays_each_invocation_from_its_start() {
    // Logged at their ends, out of order: the cold start began at 10:00:00.500
    // (300 ms Init, 200 ms Invoke), the warm ones at 10:00:02 and 10:00:01.
    let log = format!(
        "2024-11-29T10:00:00.400000+00:00 2024/11/29/[$LATEST]0a1b INIT_START Runtime Version: nodejs:20\n{}{}{}",
        report(1_000, 200, 300),
        report(2_050, 50, 0),
        report(1_100, 100, 0),
    );
    let (_, arrivals) = replay(
        &[("lambda.log", log.into_bytes())],
        "trace: { file: lambda.log, format: lambda_log }",
    )
    .unwrap();
    let times: Vec<u64> = arrivals.iter().map(|a| a.time).collect();
    let durations: Vec<Option<u64>> = arrivals.iter().map(|a| a.duration).collect();
    assert_eq!(times, vec![0, 500 * MS, 1_500 * MS]);
    assert_eq!(
        durations,
        vec![Some(200 * MS), Some(100 * MS), Some(50 * MS)]
    );
}

#[test]
fn lambdas_own_log_takes_no_routes() {
    let err = replay(
        &[("lambda.log", report(1_000, 200, 0).into_bytes())],
        "trace: { file: lambda.log, format: lambda_log, routes: { a: f } }",
    )
    .unwrap_err();
    assert!(
        err.message().contains("found routes on a lambda_log trace"),
        "{err}"
    );
    assert!(err.line().is_some(), "{err}");
}

/// `alb(…)`'s entry for a request the function throttled (no answer from the target).
fn alb_throttled(at_ms: u64, group: &str) -> String {
    alb(at_ms, "-1", group).replace(
        "\"forward\" \"-\" \"-\"",
        "\"forward\" \"-\" \"LambdaThrottling\"",
    )
}

#[test]
fn an_alb_logs_lambda_throttling_entries_are_the_observed_throttles_of_their_route() {
    let dir = Dir::new();
    let log = [
        alb(0, "0.100", "a"),
        alb_throttled(10_000, "b"),
        alb_throttled(20_000, "a"),
        alb(30_000, "0.100", "b"),
        alb_throttled(70_000, "b"),
    ]
    .concat();
    dir.write("alb.log", log);
    let routes = "routes: { a: f, b: g }";
    let yaml = format!(
        "name: s\nduration: 3m\nfunctions:\n  - name: f\n    traffic:\n      - trace: {{ file: alb.log, format: alb, {routes} }}\n  - name: g\n    observed:\n      throttles: {{ file: alb.log, format: alb, {routes}, counts: 1m }}\n"
    );
    let variant = base(&dir.load(&yaml).unwrap_or_else(|e| panic!("{e}")));
    // Every request is replayed, throttled or not; g's throttles are b's alone.
    assert_eq!(arrivals(&variant)[0].len(), 5);
    let observed = &variant.observed[0];
    assert_eq!(observed.function, 1);
    assert_eq!(observed.values, vec![1.0, 1.0, 0.0]);
}

#[test]
fn an_s3_export_of_log_streams_whose_times_overlap_is_merged_by_time() {
    // An export to S3 writes a file per log stream (an environment each) under
    // `…/[$LATEST]<id>/000000.gz`: stream `a` runs 10:00–10:09, stream `b` (whose
    // name sorts first) 10:03–10:05. Read one after the other, `b` would arrive
    // minutes before what `a` had replayed; merged by time, a window of 10 s is enough.
    let stream = |ends_s: &[u64]| -> Vec<u8> {
        gzip(
            &ends_s
                .iter()
                .map(|&s| report(s * 1000, 100, 0))
                .collect::<String>(),
        )
    };
    let a = stream(&[1, 60, 120, 240, 480, 540]);
    let b = stream(&[180, 200, 300]);
    let files = [
        ("export/2024/11/29/[$LATEST]b/000000.gz", b),
        ("export/2024/11/29/[$LATEST]c/000000.gz", a),
    ];
    let (_, arrivals) = replay(
        &files,
        "trace: { file: \"export/*/*/*/*/000000.gz\", format: lambda_log, reorder_window: 10s }",
    )
    .unwrap();
    let times: Vec<u64> = arrivals
        .iter()
        .map(|a| (a.time + 100 * MS) / S + 1)
        .collect();
    assert_eq!(times, vec![1, 60, 120, 180, 200, 240, 300, 480, 540]);
    // A stream that jumps ahead after an idle spell releases nothing another stream,
    // opened later, could still come before: `a` idles from 1 s to 100 s, `b` runs
    // from 5 s to 50 s, and `w` holds one request at 30 s.
    let gaps = [
        ("gap/a.gz", stream(&[1, 100])),
        ("gap/b.gz", stream(&[5, 50])),
        ("gap/w.gz", stream(&[30])),
    ];
    let (_, arrivals) = replay(
        &gaps,
        "trace: { file: \"gap/*.gz\", format: lambda_log, reorder_window: 10s }",
    )
    .unwrap();
    let times: Vec<u64> = arrivals
        .iter()
        .map(|a| (a.time + 100 * MS) / S + 1)
        .collect();
    assert_eq!(times, vec![1, 5, 30, 50, 100]);
    // A path with `[` that exists is that file, not a glob (a class of characters).
    let (_, one) = replay(
        &files,
        "trace: { file: \"export/2024/11/29/[$LATEST]b/000000.gz\", format: lambda_log }",
    )
    .unwrap();
    assert_eq!(one.len(), 3);
}

#[test]
fn alb_logs_of_two_load_balancers_in_one_glob_are_merged_by_time() {
    // ALB names its files `…_app.<name>.<id>_<end time>_…`: all of `api`'s files sort
    // before all of `shop`'s, whatever their times.
    let log = |times_s: &[u64]| -> Vec<u8> {
        gzip(
            &times_s
                .iter()
                .map(|&s| alb(s * 1000, "0.010", "tg"))
                .collect::<String>(),
        )
    };
    let files = [
        (
            "123456789012_elasticloadbalancing_us-east-1_app.api.1_20241129T0905Z_10.0.0.1_x.log.gz",
            log(&[0, 100, 200]),
        ),
        (
            "123456789012_elasticloadbalancing_us-east-1_app.api.1_20241129T0910Z_10.0.0.1_x.log.gz",
            log(&[320, 500]),
        ),
        (
            "123456789012_elasticloadbalancing_us-east-1_app.shop.2_20241129T0905Z_10.0.0.2_x.log.gz",
            log(&[50, 250]),
        ),
        (
            "123456789012_elasticloadbalancing_us-east-1_app.shop.2_20241129T0910Z_10.0.0.2_x.log.gz",
            log(&[400]),
        ),
    ];
    let (_, arrivals) = replay(
        &files,
        "trace: { file: \"*.log.gz\", format: alb, reorder_window: 30s }",
    )
    .unwrap();
    let times: Vec<u64> = arrivals.iter().map(|a| a.time / S).collect();
    assert_eq!(times, vec![0, 50, 100, 200, 250, 320, 400, 500]);
}
