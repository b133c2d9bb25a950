//! Trace replay: counts traces replay exactly their (scaled, rounded) counts, Azure
//! 2019 files, routing by a `function` column, `offset`, located CSV errors, and trace
//! checks deferred by `load_deferring_traces`.

mod common;

use common::{Dir, arrivals, base, same_in_batches};
use lambdasim_engine::NANOS_PER_SEC;
use lambdasim_model::Arrival;
use lambdasim_scenario::{Scenario, ScenarioError};

const S: u64 = NANOS_PER_SEC;

/// One stream's target functions and its arrivals.
type Replayed = (Vec<usize>, Vec<Arrival>);

/// Loads a scenario whose functions `f` and `g` have the given traffic, with `csv`
/// written as `t.csv`, and returns every stream's arrivals and targets.
fn replay(csv: &str, f_traffic: &str) -> Result<Vec<Replayed>, ScenarioError> {
    let dir = Dir::new();
    dir.write("t.csv", csv);
    let yaml = format!(
        "name: s\nduration: 1d\nfunctions:\n  - name: f\n    traffic:\n      - {f_traffic}\n  - name: g\n"
    );
    let variant = base(&dir.load(&yaml)?);
    let targets = variant.traffic()?.into_iter().map(|t| t.targets);
    Ok(targets.zip(arrivals(&variant)).collect())
}

fn only(csv: &str, traffic: &str) -> Vec<Arrival> {
    replay(csv, traffic).unwrap().remove(0).1
}

#[test]
fn counts_replay_exactly_their_rounded_counts_inside_each_interval() {
    let counts: Vec<u64> = (0..300).map(|i| (i * 7919 % 1000) as u64).collect();
    let mut csv = "period,count\n".to_string();
    for (i, c) in counts.iter().enumerate() {
        csv += &format!("1998-06-30 {:02}:{:02}:00,{c}\n", i / 60, i % 60);
    }
    for (scale, spread) in [(1.0, "random"), (0.37, "random"), (2.5, "even")] {
        let got = only(
            &csv,
            &format!(
                "trace: {{ file: t.csv, counts: 1m, spread: {spread} }}\n        scale: {scale}"
            ),
        );
        for (i, c) in counts.iter().enumerate() {
            let expected = (*c as f64 * scale).round() as usize;
            let minute = i as u64 * 60 * S..(i as u64 + 1) * 60 * S;
            let inside = got.iter().filter(|a| minute.contains(&a.time)).count();
            assert_eq!(inside, expected, "scale {scale}, minute {i}");
        }
        let total: u64 = counts
            .iter()
            .map(|c| (*c as f64 * scale).round() as u64)
            .sum();
        assert_eq!(got.len() as u64, total);
        assert!(got.windows(2).all(|w| w[0].time <= w[1].time));
    }
}

#[test]
fn a_random_spread_places_the_k_th_of_n_at_k_over_n_plus_1_on_average() {
    // 20,000 one-second rows of 2 requests: the earlier of two uniforms averages 1/3
    // of the interval, the later 2/3 (neither is pinned to an end, and rows do not
    // share draws).
    let mut csv = "offset_s,count\n".to_string();
    for i in 0..20_000 {
        csv += &format!("{i},2\n");
    }
    let got = only(&csv, "trace: { file: t.csv, counts: 1s }");
    assert_eq!(got.len(), 40_000);
    let mean = |k: usize| {
        let places = got.chunks(2).map(|row| (row[k].time % S) as f64 / S as f64);
        places.sum::<f64>() / 20_000.0
    };
    // Standard error about 0.0017.
    assert!((mean(0) - 1.0 / 3.0).abs() < 0.01, "first {}", mean(0));
    assert!((mean(1) - 2.0 / 3.0).abs() < 0.01, "second {}", mean(1));
}

#[test]
fn random_spread_is_uniform_inside_the_interval() {
    let got = only(
        "offset_s,count\n0,100000\n",
        "trace: { file: t.csv, counts: 100s }",
    );
    for tenth in 0..10 {
        let part = tenth * 10 * S..(tenth + 1) * 10 * S;
        let n = got.iter().filter(|a| part.contains(&a.time)).count() as f64;
        assert!((n - 10_000.0).abs() < 5.0 * 95.0, "tenth {tenth}: {n}");
    }
}

#[test]
fn offset_and_speedup_place_the_trace() {
    let got = only(
        "offset_s\n0\n60\n120\n",
        "trace: { file: t.csv }\n        speedup: 60\n        offset: 1h",
    );
    let times: Vec<u64> = got.iter().map(|a| a.time).collect();
    assert_eq!(times, [3600 * S, 3601 * S, 3602 * S]);
}

#[test]
fn a_function_column_routes_rows_to_the_scenarios_functions() {
    let streams = replay(
        "offset_s,function\n0,g\n1,f\n2,\n3,g\n",
        "trace: { file: t.csv }",
    )
    .unwrap();
    let (targets, got) = &streams[0];
    assert_eq!(targets, &[0, 1]);
    let routed: Vec<u32> = got.iter().map(|a| a.target).collect();
    assert_eq!(routed, [1, 0, 0, 1]);
    let err = replay(
        "offset_s,function\n0,g\n1,checkout\n",
        "trace: { file: t.csv }",
    )
    .unwrap_err();
    assert_eq!(err.line(), Some(3), "{err}");
    assert!(err.message().contains("`checkout`"), "{err}");
}

/// An Azure Functions 2019 day file with three functions.
fn azure_file() -> String {
    let minutes: Vec<String> = (1..=1440).map(|m| m.to_string()).collect();
    let mut csv = format!(
        "HashOwner,HashApp,HashFunction,Trigger,{}\n",
        minutes.join(",")
    );
    for (function, every) in [("aaa", 1), ("bbb", 2), ("ccc", 0)] {
        let counts: Vec<String> = (0..1440)
            .map(|m| (if every > 0 { (m % 5) * every } else { 1 }).to_string())
            .collect();
        csv += &format!("o,a,{function},http,{}\n", counts.join(","));
    }
    csv
}

#[test]
fn azure2019_replays_one_functions_minutes() {
    let got = only(
        &azure_file(),
        "trace: { file: t.csv, format: azure2019, function: bbb }",
    );
    let expected: u64 = (0..1440).map(|m| (m % 5) * 2).sum();
    assert_eq!(got.len() as u64, expected);
    for minute in [0u64, 1, 2, 700, 1439] {
        let span = minute * 60 * S..(minute + 1) * 60 * S;
        let n = got.iter().filter(|a| span.contains(&a.time)).count() as u64;
        assert_eq!(n, (minute % 5) * 2, "minute {minute}");
    }
    let missing = replay(
        &azure_file(),
        "trace: { file: t.csv, format: azure2019, function: zzz }",
    )
    .unwrap_err();
    assert!(missing.message().contains("`zzz`"), "{missing}");
    assert_eq!(missing.line(), Some(6));
    let bad = azure_file().replace("o,a,bbb,http,0,", "o,a,bbb,http,x,");
    let err = replay(
        &bad,
        "trace: { file: t.csv, format: azure2019, function: bbb }",
    )
    .unwrap_err();
    assert_eq!(err.line(), Some(3), "{err}");
    assert!(err.message().contains("minute column `1`"), "{err}");
    let short = azure_file().replace("o,a,bbb,http,0,2,4,6,8,", "o,a,bbb,http,0,2\nx,");
    let err = replay(
        &short,
        "trace: { file: t.csv, format: azure2019, function: bbb }",
    )
    .unwrap_err();
    assert_eq!(err.line(), Some(3), "{err}");
    assert!(err.message().contains("found 6 columns"), "{err}");
}

#[test]
fn cells_and_headers_padded_with_whitespace_read_as_without() {
    let same = |padded: &str, plain: &str, traffic: &str| {
        let (padded, plain) = (replay(padded, traffic), replay(plain, traffic));
        assert_eq!(padded.unwrap(), plain.unwrap(), "{traffic}");
    };
    same(
        " offset_s , duration_ms ,function\t\n 0 , 20 , g \n\t1.5\t, ,\tf\n",
        "offset_s,duration_ms,function\n0,20,g\n1.5,,f\n",
        "trace: { file: t.csv }",
    );
    same(
        "period , count\n 1998-06-30 00:00:00 , 3 \n1998-06-30 00:01:00,\t2\n",
        "period,count\n1998-06-30 00:00:00,3\n1998-06-30 00:01:00,2\n",
        "trace: { file: t.csv, counts: 1m }",
    );
    same(
        &azure_file().replace("o,a,bbb,http,0,2,", "o,a, bbb ,http, 0 ,2 ,"),
        &azure_file(),
        "trace: { file: t.csv, format: azure2019, function: bbb }",
    );
}

#[test]
fn csv_problems_name_the_file_and_line() {
    let cases = [
        ("offset_s,count\n0,1\n60,many\n", "counts: 1m", 3, "`many`"),
        ("offset_s,count\n0,1\n60,-4\n", "counts: 1m", 3, "`-4`"),
        ("offset_s\n5\n7\n6\n", "", 4, "backwards"),
        ("offset_s,count\n0,1\n60,1e20\n", "counts: 1m", 3, "2^53"),
        (
            "offset_s,count\n0,1\n60,9007199254740993\n",
            "counts: 1m",
            3,
            "2^53",
        ),
        ("offset_s,duration_ms\n0,1\n1,1e300\n", "", 3, "584 years"),
        (
            "period\n1998-06-30 00:00:00\n",
            "counts: 1m",
            1,
            "`count` column",
        ),
        ("when,count\n0,1\n", "counts: 1m", 1, "time column"),
        (
            "period,count\n1998-06-30 00:00:00,90000\n",
            "",
            1,
            "add `counts:`",
        ),
        (
            "ts,count\n0,1\n",
            "counts: 1m, time_column: stamp",
            1,
            "`stamp`",
        ),
        (
            "period,count\n1998-06-30 00:00:00,1\n1998-06-30 00:00:30,1\n",
            "counts: 1m",
            3,
            "before the previous one ends",
        ),
        (
            "time,count\n1998-06-30 00:01:00,1\n1998-06-30 00:00:00,1\n",
            "counts: 1m",
            3,
            "backwards",
        ),
    ];
    for (csv, keys, line, needle) in cases {
        let keys = if keys.is_empty() {
            String::new()
        } else {
            format!(", {keys}")
        };
        let err = replay(csv, &format!("trace: {{ file: t.csv{keys} }}")).unwrap_err();
        assert!(err.is_input_error(), "{csv:?}: {err}");
        assert!(err.file().ends_with("t.csv"), "{csv:?}: {err}");
        assert_eq!(err.line(), Some(line), "{csv:?}: {err}");
        assert!(err.message().contains(needle), "{csv:?}: {err}");
    }
}

#[test]
fn a_line_past_1_mib_is_an_error_not_a_growing_record() {
    let csv = format!("offset_s\n0\n{}\n", "1".repeat(3 << 20));
    let err = replay(&csv, "trace: { file: t.csv }").unwrap_err();
    assert!(err.is_input_error(), "{err}");
    assert_eq!(err.line(), Some(3), "{err}");
    assert!(err.message().contains("longer than 1 MiB"), "{err}");
}

#[test]
fn a_long_or_binary_value_is_quoted_short_and_escaped() {
    let csv = format!("offset_s\n0\n{}\x1b[31m\n", "x".repeat(5000));
    let err = replay(&csv, "trace: { file: t.csv }").unwrap_err();
    assert_eq!(err.line(), Some(3), "{err}");
    assert!(err.message().len() < 300, "{err}");
    assert!(!err.message().contains('\x1b'), "{err}");
}

#[test]
fn deferred_loading_leaves_the_traces_to_check_traces() {
    // A bad row after a variant's span, and a file that does not exist. (`warm_start:
    // auto`, a trace's default, reads the first minute at load: set to 0 here.)
    let dir = Dir::new();
    dir.write("t.csv", "offset_s\n0\n7200\nsoon\n");
    let path = dir.write(
        "scenario.yaml",
        "name: s\nduration: 1h\nfunctions:\n  - name: f\n    warm_start: 0\n    traffic:\n      - trace: { file: t.csv }\nvariants:\n  - name: a\n  - name: b\n    set:\n      functions.f.traffic:\n        - trace: { file: gone.csv }\n",
    );
    let scenario = Scenario::load_deferring_traces(&path).unwrap();
    let err = scenario.check_traces().unwrap_err();
    assert_eq!(
        (err.line(), err.file().ends_with("t.csv")),
        (Some(4), true),
        "{err}"
    );
    assert!(err.message().contains("`soon`"), "{err}");
    let load_err = Scenario::load(&path).unwrap_err();
    assert_eq!(load_err.to_string(), err.to_string());

    // Once t.csv is good, the next file in the variants' order is the problem.
    dir.write("t.csv", "offset_s\n0\n7200\n");
    let err = scenario.check_traces().unwrap_err();
    assert_eq!(err.line(), Some(13), "{err}");
    assert!(err.message().contains("gone.csv"), "{err}");
    dir.write("gone.csv", "offset_s\n1\n");
    scenario.check_traces().unwrap();

    // The configuration is still checked up front.
    let bad = dir.write(
        "bad.yaml",
        "name: s\nduration: 1h\nfunctions:\n  - name: f\n    memory_mb: 1\n",
    );
    let err = Scenario::load_deferring_traces(&bad).unwrap_err();
    assert_eq!(err.line(), Some(5), "{err}");
}

#[test]
fn a_raised_stop_flag_ends_the_trace_check_early() {
    let dir = Dir::new();
    dir.write("t.csv", "offset_s\n0\nsoon\n");
    let yaml = "name: s\nduration: 1h\nfunctions:\n  - name: f\n    warm_start: 0\n    traffic:\n      - trace: { file: t.csv }\n";
    let scenario = Scenario::load_deferring_traces(&dir.write("s.yaml", yaml)).unwrap();
    let stop = std::sync::atomic::AtomicBool::new(true);
    scenario.check_traces_until(&stop).unwrap();
    stop.store(false, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(
        scenario.check_traces_until(&stop).unwrap_err().line(),
        Some(3)
    );
}

#[test]
fn trace_key_errors_point_at_the_yaml() {
    let cases = [
        ("trace: { file: t.csv, spread: even }", "per-request"),
        ("trace: { file: t.csv, peak_to_mean: 2 }", "per-request"),
        (
            "trace: { file: t.csv, counts: 1m, peak_to_mean: 0.5 }",
            "from 1 (flat) to 1000",
        ),
        (
            "trace: { file: t.csv, format: azure2019 }",
            "without function",
        ),
        ("trace: { file: t.csv, function: abc }", "azure2019"),
        (
            "trace: { file: t.csv, format: azure2019, function: a, counts: 1m }",
            "CSV traces",
        ),
    ];
    for (traffic, needle) in cases {
        let err = replay("offset_s\n0\n", traffic).unwrap_err();
        assert_eq!(err.line(), Some(6), "{traffic}: {err}");
        assert!(err.message().contains(needle), "{traffic}: {err}");
    }
}

#[test]
fn trace_batches_are_the_arrivals_one_by_one() {
    // The model reads arrivals in batches, which run whole rows inside the window in a
    // tight loop: the same arrivals as one at a time, with windows cutting rows.
    let mut counts = "period,count\n".to_string();
    for i in 0..20 {
        counts += &format!("1998-06-30 00:{i:02}:00,{}\n", (i * 37) % 90);
    }
    let requests = "offset_s,duration_ms,function\n0,5,g\n1.5,,f\n1.5,3,\n7,1,g\n9,2,f\n";
    let cases = [
        (counts.as_str(), "trace: { file: t.csv, counts: 1m }"),
        (
            &counts,
            "trace: { file: t.csv, counts: 1m }\n        start: 90s\n        end: 610s",
        ),
        (
            &counts,
            "trace: { file: t.csv, counts: 1m, spread: even }\n        scale: 2.5\n        start: 30s",
        ),
        (requests, "trace: { file: t.csv }\n        scale: 2"),
        (
            requests,
            "trace: { file: t.csv }\n        start: 1s\n        end: 8s",
        ),
    ];
    for (csv, traffic) in cases {
        let dir = Dir::new();
        dir.write("t.csv", csv);
        let yaml = format!(
            "name: s\nduration: 1d\nfunctions:\n  - name: f\n    traffic:\n      - {traffic}\n  - name: g\n"
        );
        let variant = base(&dir.load(&yaml).unwrap());
        let one_by_one = same_in_batches(&variant, traffic);
        assert!(one_by_one.len() > 2, "{traffic}: {}", one_by_one.len());
    }
}

#[cfg(unix)]
#[test]
fn a_pipe_as_a_trace_is_an_input_error_not_a_hang() {
    let dir = Dir::new();
    let fifo = dir.0.path().join("t.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return; // no mkfifo on this system
    }
    let yaml = "name: s\nduration: 1h\nfunctions:\n  - name: f\n    traffic:\n      - trace: { file: t.csv }\n";
    let err = dir.load(yaml).unwrap_err();
    assert!(err.is_input_error(), "{err}");
    assert!(err.message().contains("not a regular file"), "{err}");
}

/// The requests a trace replays, counted from its rows before a run (for the work
/// limit), match what the replay produces: per-request rows with a fractional
/// `scale`, per-interval rows, and a window that cuts rows off at both ends.
#[test]
fn trace_requests_are_counted_as_the_replay_makes_them() {
    let per_request: String = std::iter::once("offset_s\n".to_string())
        .chain((0..500).map(|i| format!("{}\n", i * 3)))
        .collect();
    let counts = "period,count\n0,10\n60,20\n120,30\n180,40\n";
    for (csv, traffic) in [
        (
            per_request.as_str(),
            "trace: { file: t.csv }\n        scale: 0.37",
        ),
        (
            per_request.as_str(),
            "trace: { file: t.csv }\n        start: 100s\n        end: 700s\n        scale: 3",
        ),
        (
            counts,
            "trace: { file: t.csv, counts: 1m }\n        scale: 2.5",
        ),
        (
            counts,
            "trace: { file: t.csv, counts: 1m }\n        start: 60s\n        end: 180s",
        ),
    ] {
        let dir = Dir::new();
        dir.write("t.csv", csv);
        let yaml = format!(
            "name: s\nduration: 1d\nfunctions:\n  - name: f\n    traffic:\n      - {traffic}\n"
        );
        let variant = base(&dir.load(&yaml).unwrap());
        let stop = std::sync::atomic::AtomicBool::new(false);
        let counted = variant.trace_requests(&stop).unwrap();
        let replayed = arrivals(&variant)[0].len() as f64;
        assert_eq!(counted, Some(replayed), "{traffic}");
        assert_eq!(variant.estimate().traces, 1);
    }
}

/// `aws cloudwatch get-metric-data` output for a function's `Invocations` and
/// `Throttles`, newest first, one-minute points with a gap at 10:02.
const CLOUDWATCH: &str = r#"{
  "MetricDataResults": [
    {"Id": "invocations", "Label": "Invocations", "StatusCode": "Complete",
     "Timestamps": ["2024-11-29T10:03:00+00:00", "2024-11-29T10:01:00+00:00", "2024-11-29T10:00:00+00:00"],
     "Values": [600.0, 120.0, 60.0]},
    {"Id": "throttles", "Label": "Throttles", "StatusCode": "Complete",
     "Timestamps": ["2024-11-29T10:03:00+00:00"], "Values": [240.0]}
  ],
  "Messages": []
}"#;

#[test]
fn cloudwatch_metrics_replay_the_sum_of_their_series_per_period() {
    let got = only(
        CLOUDWATCH,
        "trace: { file: t.csv, format: cloudwatch, series: [invocations, Throttles], spread: even }",
    );
    let minute = |m: u64| got.iter().filter(|a| a.time / (60 * S) == m).count();
    assert_eq!(
        (minute(0), minute(1), minute(2), minute(3)),
        (60, 120, 0, 840)
    );
    assert_eq!(got.len(), 1020);
    // One series alone, scaled.
    let got = only(
        CLOUDWATCH,
        "trace: { file: t.csv, format: cloudwatch, series: [Invocations] }\n        scale: 0.5",
    );
    assert_eq!(got.len(), 390);
}

#[test]
fn cloudwatch_key_errors_point_at_the_yaml_and_file_errors_at_the_file() {
    let cases = [
        (
            "trace: { file: t.csv, series: [a] }",
            "only with format: cloudwatch",
        ),
        (
            "trace: { file: t.csv, count_column: n }",
            "only with format: cloudwatch",
        ),
        (
            "trace: { file: t.csv, format: azure2019, function: f, time_column: t }",
            "only on CSV and cloudwatch traces",
        ),
        (
            "trace: { file: t.csv, format: cloudwatch, function: f }",
            "only with format: azure2019",
        ),
    ];
    for (traffic, needle) in cases {
        let err = replay(CLOUDWATCH, traffic).unwrap_err();
        assert_eq!(err.line(), Some(6), "{traffic}: {err}");
        assert!(err.message().contains(needle), "{traffic}: {err}");
    }
    let err = replay(CLOUDWATCH, "trace: { file: t.csv, format: cloudwatch }").unwrap_err();
    assert!(err.file().ends_with("t.csv"), "{err}");
    assert!(err.message().contains("series:"), "{err}");
    assert!(err.is_input_error());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// `get-metric-statistics` points come in no order: whatever the order, every
    /// count is replayed, in its own minute.
    #[test]
    fn cloudwatch_points_in_any_order_replay_their_sum(
        counts in proptest::collection::vec(0u32..500, 2..40),
        seed in 0u64..1000,
    ) {
        let mut order: Vec<usize> = (0..counts.len()).collect();
        // A deterministic shuffle from the seed.
        for i in (1..order.len()).rev() {
            order.swap(i, (seed as usize * 7919 + i * 104_729) % (i + 1));
        }
        let points: Vec<String> = order
            .iter()
            .map(|&i| format!(
                r#"{{"Timestamp": "2024-11-29T{:02}:{:02}:00Z", "Sum": {}}}"#,
                10 + i / 60, i % 60, counts[i]
            ))
            .collect();
        let json = format!(r#"{{"Label": "Invocations", "Datapoints": [{}]}}"#, points.join(","));
        let got = only(&json, "trace: { file: t.csv, format: cloudwatch, counts: 1m }");
        let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
        proptest::prop_assert_eq!(got.len() as u64, total);
        for (i, &c) in counts.iter().enumerate() {
            let inside = got.iter().filter(|a| a.time / (60 * S) == i as u64).count();
            proptest::prop_assert_eq!(inside, c as usize);
        }
    }

    /// The same for a CSV with a column per series, rows in any order: the sum of the
    /// two columns named, an empty cell counting nothing, the third column unread.
    #[test]
    fn cloudwatch_csv_columns_in_any_order_replay_their_sum(
        rows in proptest::collection::vec((0u32..300, proptest::option::of(0u32..50)), 2..40),
        seed in 0u64..1000,
    ) {
        let mut order: Vec<usize> = (0..rows.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, (seed as usize * 7919 + i * 104_729) % (i + 1));
        }
        let mut csv = String::from("Time,Invocations,Throttles,Errors\n");
        for &i in &order {
            let (invocations, throttles) = rows[i];
            let throttles = throttles.map_or(String::new(), |t| t.to_string());
            csv.push_str(&format!(
                "2024-11-29 {:02}:{:02}:00,{invocations},{throttles},oops\n",
                10 + i / 60,
                i % 60
            ));
        }
        let got = only(
            &csv,
            "trace: { file: t.csv, format: cloudwatch, counts: 1m, series: [Invocations, Throttles] }",
        );
        for (i, &(invocations, throttles)) in rows.iter().enumerate() {
            let inside = got.iter().filter(|a| a.time / (60 * S) == i as u64).count();
            proptest::prop_assert_eq!(inside as u32, invocations + throttles.unwrap_or(0));
        }
    }
}

#[test]
fn a_trace_starts_warm_with_its_first_minutes_load_unless_told_otherwise() {
    // 600 requests in the first minute (then more, not counted), 200 ms each: a mean
    // concurrency of 2, so 2 + 3 x sqrt(2) = 6.2, 7 environments; a per-request duration
    // column counts each request's own duration (1 s each: 10, so 10 + 3 x sqrt(10) = 19.5).
    let dir = Dir::new();
    let mut counts = String::from("offset_s,count\n0,600\n60,60000\n");
    counts.push_str("120,0\n");
    dir.write("c.csv", &counts);
    let mut requests = String::from("offset_s,duration_ms\n");
    for k in 0..600 {
        requests.push_str(&format!("{}.{:02},1000\n", k / 10, (k % 10) * 10));
    }
    requests.push_str("61,1000\n");
    dir.write("r.csv", &requests);
    let yaml = |warm: &str| {
        format!(
            "name: s\nduration: 1h\nfunctions:\n  - name: f\n    duration: 200ms\n{warm}    traffic:\n      - trace: {{ file: c.csv, counts: 1m }}\n  - name: g\n    traffic:\n      - trace: {{ file: r.csv }}\n  - name: quiet\n    traffic:\n      - poisson: {{ rate: 100 }}\n"
        )
    };
    let warm = |warm: &str| -> Vec<u32> {
        let scenario = dir.load(&yaml(warm)).unwrap_or_else(|e| panic!("{e}"));
        let config = &scenario.variants(None)[0].config;
        config.functions.iter().map(|f| f.warm_start).collect()
    };
    // The default for a trace replay; generated traffic alone keeps starting cold.
    assert_eq!(warm(""), [7, 20, 0]);
    assert_eq!(warm("    warm_start: auto\n"), [7, 20, 0]);
    assert_eq!(warm("    warm_start: 0\n"), [0, 20, 0]);
    assert_eq!(warm("    warm_start: 3\n"), [3, 20, 0]);
    // Capped by a reservation.
    assert_eq!(warm("    reserved_concurrency: 5\n"), [5, 20, 0]);
    // A row of 2^53 requests is read as a row (request by request, it would never end),
    // and the environments are capped by the unreserved pool.
    dir.write("c.csv", "offset_s,count\n0,9007199254740992\n");
    assert_eq!(warm(""), [1000, 20, 0]);
}

#[test]
fn counts_of_five_minutes_or_more_warn_that_their_peaks_are_lost() {
    let hourly = r#"{"Label": "Invocations", "Datapoints": [
        {"Timestamp": "2024-11-29T10:00:00Z", "Sum": 36000.0},
        {"Timestamp": "2024-11-29T11:00:00Z", "Sum": 72000.0}]}"#;
    let dir = Dir::new();
    dir.write("t.json", hourly);
    dir.write("m.csv", "offset_s,count\n0,5\n600,7\n");
    let yaml = |trace: &str| {
        format!(
            "name: s\nduration: 1d\nfunctions:\n  - name: f\n    traffic:\n      - trace: {trace}\n"
        )
    };
    // The period from the points' spacing, and from counts:.
    for trace in [
        "{ file: t.json, format: cloudwatch }",
        "{ file: t.json, format: cloudwatch, counts: 1h }",
        "{ file: m.csv, counts: 5m }",
    ] {
        let warnings = dir.load(&yaml(trace)).unwrap().warnings();
        assert_eq!(warnings.len(), 1, "{trace}");
        assert_eq!(warnings[0].line(), Some(6), "{trace}");
        assert!(
            warnings[0]
                .message()
                .contains("a peak shorter than the period is not replayed")
                && warnings[0].message().contains("peak_to_mean"),
            "{}",
            warnings[0]
        );
        assert!(warnings[0].to_string().contains(": warning: "));
    }
    // A shape within the period is the warning's fix.
    for trace in [
        "{ file: m.csv, counts: 1m }",
        "{ file: m.csv, counts: 299s }",
        "{ file: t.json, format: cloudwatch, peak_to_mean: 2.5 }",
    ] {
        assert!(
            dir.load(&yaml(trace)).unwrap().warnings().is_empty(),
            "{trace}"
        );
    }
}
