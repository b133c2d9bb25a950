//! Traffic streams built from YAML, and trace files.

mod common;

use common::{Dir, arrivals, base, load, same_in_batches};
use lambdasim_engine::{NANOS_PER_MS, NANOS_PER_SEC};
use lambdasim_model::Arrival;
use lambdasim_scenario::{Scenario, ScenarioError};

const S: u64 = NANOS_PER_SEC;

fn one_function(traffic: &str) -> String {
    format!("name: s\nduration: 1h\nfunctions:\n  - name: f\n    traffic:\n{traffic}")
}

fn times(arrivals: &[Arrival]) -> Vec<u64> {
    arrivals.iter().map(|a| a.time).collect()
}

#[test]
fn generated_streams_respect_windows_and_scale() {
    let scenario = load(&one_function(
        "      - poisson: { rate: 20 }
        start: 10m
        end: 20m
      - constant: { rate: 2 }
        start: 30s
        end: 35s
        scale: 2
      - burst: { at: 30m, requests: 10 }
        scale: 2.45
      - constant: { rate: 1 }
        start: 59m58s
",
    ));
    let variant = base(&scenario);
    let traffic = variant.traffic().unwrap();
    assert_eq!(traffic.len(), 4);
    assert!(traffic.iter().all(|t| t.targets == [0]));
    let streams = arrivals(&variant);
    let poisson = &streams[0];
    // 12,000 expected, standard deviation about 110.
    assert!(
        (poisson.len() as f64 - 12_000.0).abs() < 550.0,
        "{}",
        poisson.len()
    );
    assert!(
        poisson
            .iter()
            .all(|a| (600 * S..1200 * S).contains(&a.time))
    );
    let constant: Vec<u64> = (0..20).map(|k| 30 * S + k * S / 4).collect();
    assert_eq!(times(&streams[1]), constant);
    assert_eq!(streams[2].len(), 25);
    assert!(streams[2].iter().all(|a| a.time == 1800 * S));
    assert_eq!(times(&streams[3]), [3598 * S, 3599 * S]);
}

#[test]
fn same_seed_gives_same_arrivals_and_streams_are_independent() {
    let one = one_function("      - poisson: { rate: 3 }\n");
    let two = format!("{one}  - name: g\n    traffic:\n      - poisson: {{ rate: 3 }}\n");
    let a = arrivals(&base(&load(&one)));
    let b = arrivals(&base(&load(&one)));
    let c = arrivals(&base(&load(&two)));
    assert_eq!(a, b);
    assert_eq!(a[0], c[0], "adding a function changed another's arrivals");
    assert_ne!(c[0], c[1]);
    let reseeded = &load(&one).variants(Some(5))[0];
    assert_ne!(arrivals(reseeded), a);
}

#[test]
fn window_and_burst_errors_point_at_the_value() {
    let cases = [
        (
            "      - poisson: { rate: 1 }\n        start: 2h\n",
            7,
            "before the scenario's end",
        ),
        (
            "      - poisson: { rate: 1 }\n        start: 5m\n        end: 5m\n",
            8,
            "end after its start",
        ),
        (
            "      - burst: { at: 2h, requests: 1 }\n",
            6,
            "inside the stream's window",
        ),
        (
            "      - poisson: { rate: 1 }\n        speedup: 2\n",
            7,
            "only on trace",
        ),
        ("      - constant: { rate: 1e12 }\n", 6, "at most"),
        (
            "      - poisson: { rate: 1 }\n        scale: -1\n",
            7,
            "0 or more",
        ),
        (
            "      - poisson: { rate: 1 }\n        burst: { at: 1s, requests: 1 }\n",
            6,
            "exactly one",
        ),
    ];
    for (traffic, line, needle) in cases {
        let err = Dir::new().load(&one_function(traffic)).unwrap_err();
        assert_eq!(err.line(), Some(line), "{traffic}: {err}");
        assert!(err.message().contains(needle), "{traffic}: {err}");
    }
}

/// Loads a one-function scenario whose only stream is `trace` over `csv`.
fn trace(csv: &str, trace: &str) -> Result<Vec<Arrival>, ScenarioError> {
    let dir = Dir::new();
    dir.write("traces/t.csv", csv);
    let scenario = dir.load(&one_function(&format!("      - {trace}\n")))?;
    Ok(arrivals(&base(&scenario)).remove(0))
}

const TRACE: &str = "trace: { file: traces/t.csv }";

#[test]
fn offset_trace_with_durations() {
    let got = trace(
        "offset_s,duration_ms,extra\n0,12.5,x\n1.5,,y\n1.5,3,z\n",
        TRACE,
    )
    .unwrap();
    assert_eq!(times(&got), [0, 1500 * NANOS_PER_MS, 1500 * NANOS_PER_MS]);
    let durations: Vec<_> = got.iter().map(|a| a.duration).collect();
    assert_eq!(durations, [Some(12_500_000), None, Some(3 * NANOS_PER_MS)]);
    let with_bom = trace("\u{feff}offset_s\r\n0\r\n2\r\n", TRACE).unwrap();
    assert_eq!(times(&with_bom), [0, 2 * S]);
}

#[test]
fn timestamp_traces_start_at_their_first_row() {
    let rfc =
        "timestamp\n2024-11-29T09:00:00Z\n2024-11-29T10:00:01.5+01:00\n2024-11-29T09:00:03Z\n";
    let got = trace(rfc, TRACE).unwrap();
    assert_eq!(times(&got), [0, 1500 * NANOS_PER_MS, 3 * S]);
    let epoch = "timestamp\n1732870800\n1732870800.25\n1732870860\n";
    let got = trace(epoch, TRACE).unwrap();
    assert_eq!(times(&got), [0, 250 * NANOS_PER_MS, 60 * S]);
}

#[test]
fn trace_scale_speedup_and_window() {
    let csv = "offset_s\n0\n10\n20\n30\n40\n50\n";
    let sped = trace(csv, &format!("{TRACE}\n        speedup: 10")).unwrap();
    assert_eq!(times(&sped), [0, S, 2 * S, 3 * S, 4 * S, 5 * S]);
    let halved = trace(csv, &format!("{TRACE}\n        scale: 0.5")).unwrap();
    assert_eq!(times(&halved), [10 * S, 30 * S, 50 * S]);
    let doubled = trace(
        csv,
        &format!("{TRACE}\n        scale: 2\n        start: 15s\n        end: 35s"),
    )
    .unwrap();
    assert_eq!(times(&doubled), [20 * S, 20 * S, 30 * S, 30 * S]);
}

#[test]
fn count_traces_spread_requests_over_each_interval() {
    let csv = "offset_s,count\n0,4\n60,0\n120,2\n";
    let even = "trace: { file: traces/t.csv, counts: 1m, spread: even }";
    let got = trace(csv, even).unwrap();
    assert_eq!(times(&got), [0, 15 * S, 30 * S, 45 * S, 120 * S, 150 * S]);
    let windowed = trace(csv, &format!("{even}\n        start: 20s")).unwrap();
    assert_eq!(times(&windowed), [30 * S, 45 * S, 120 * S, 150 * S]);
    let overlap = trace(
        "offset_s,count\n0,4\n30,1\n",
        "trace: { file: traces/t.csv, counts: 1m }",
    );
    assert_eq!(overlap.unwrap_err().line(), Some(3));
    let no_count = trace("offset_s\n0\n", "trace: { file: traces/t.csv, counts: 1m }");
    assert_eq!(no_count.unwrap_err().line(), Some(1));
}

#[test]
fn trace_errors_name_the_csv_line() {
    let cases = [
        ("offset_s\n0\n2\n1\n", 4, "backwards"),
        ("offset_s\n0\nsoon\n", 3, "`soon`"),
        ("offset_s\n0\n-1\n", 3, "`-1`"),
        ("offset_s\n0\nNaN\n", 3, "`NaN`"),
        ("offset_s,duration_ms\n0,1\n1,-2\n", 3, "duration_ms"),
        ("offset_s,duration_ms\n0,1\n1,fast\n", 3, "duration_ms"),
        ("offset_s,b\n0,1\n,2\n", 3, "missing"),
        (
            "when,count\n0,1\n",
            1,
            "expected a header row with a time column",
        ),
        ("offset_s,timestamp\n0,0\n", 1, "expected only one"),
        ("", 1, "expected a header row with a time column"),
        (
            "timestamp\n2024-11-29T09:00:00Z\n2024-11-29T08:59:59Z\n",
            3,
            "backwards",
        ),
        (
            "timestamp\n2024-11-29T09:00:00Z\n2024-11-29 nine\n",
            3,
            "RFC 3339",
        ),
    ];
    for (csv, line, needle) in cases {
        let err = trace(csv, TRACE).unwrap_err();
        assert!(err.is_input_error(), "{csv:?}: {err}");
        assert_eq!(err.line(), Some(line), "{csv:?}: {err}");
        assert_eq!(err.column(), None, "{csv:?}: {err}");
        assert!(err.file().ends_with("traces/t.csv"), "{csv:?}: {err}");
        assert!(err.message().contains(needle), "{csv:?}: {err}");
        assert!(
            err.to_string().contains(&format!("t.csv:{line}: ")),
            "{err}"
        );
    }
    let bad_utf8 = {
        let dir = Dir::new();
        dir.write("traces/t.csv", b"offset_s\n0\n\xff\n");
        dir.load(&one_function(&format!("      - {TRACE}\n")))
            .unwrap_err()
    };
    assert_eq!(bad_utf8.line(), Some(3), "{bad_utf8}");
}

#[test]
fn a_missing_trace_is_reported_at_its_yaml_line() {
    let err = Dir::new()
        .load(&one_function(&format!("      - {TRACE}\n")))
        .unwrap_err();
    assert!(err.is_input_error());
    assert_eq!(err.line(), Some(6));
    assert!(err.file().ends_with("scenario.yaml"));
}

#[test]
fn a_trace_broken_after_loading_fails_the_run_with_its_line() {
    let dir = Dir::new();
    let csv = dir.write("traces/t.csv", "offset_s\n0\n1\n");
    let scenario = dir
        .load(&one_function(&format!("      - {TRACE}\n")))
        .unwrap();
    std::fs::write(&csv, "offset_s\n0\n1\nx\n").unwrap();
    let mut traffic = base(&scenario).traffic().unwrap();
    let source = &mut traffic[0].source;
    assert!(source.next_arrival().unwrap().is_some());
    assert!(source.next_arrival().unwrap().is_some());
    let err = source.next_arrival().unwrap_err();
    assert!(err.message.contains("t.csv:4: "), "{}", err.message);
    std::fs::remove_file(&csv).unwrap();
    assert!(base(&scenario).traffic().is_err());
    let _ = Scenario::load(&dir.0.path().join("scenario.yaml")).unwrap_err();
}

#[test]
fn poisson_batches_are_the_arrivals_one_by_one() {
    // Flat steps (read in a tight loop), a silent step, then linear pieces (thinned
    // candidate by candidate), in batches of several sizes.
    for shape in [
        "profile: { points: [[0s, 40], [5s, 0], [8s, 90]], interpolate: step }",
        "profile: { points: [[0s, 10], [10s, 200], [20s, 5]] }",
    ] {
        let scenario = load(&one_function(&format!(
            "      - {shape}\n        start: 1s\n        end: 25s\n"
        )));
        let one_by_one = same_in_batches(&base(&scenario), shape);
        assert!(one_by_one.len() > 500, "{}", one_by_one.len());
    }
}

/// A stream kind as YAML, and its rate at `t` seconds (before `scale`), written out
/// plainly for the property below.
struct Kind {
    yaml: &'static str,
    rate: fn(f64) -> f64,
}

const RUN_S: f64 = 200.0;

const KINDS: [Kind; 7] = [
    Kind {
        yaml: "poisson: { rate: 40 }",
        rate: |_| 40.0,
    },
    Kind {
        yaml: "constant: { rate: 40 }",
        rate: |_| 40.0,
    },
    Kind {
        yaml: "ramp: { from: 10, to: 90, start: 0s, end: 200s }",
        rate: |t| 10.0 + 80.0 * t / RUN_S,
    },
    Kind {
        yaml: "profile: { points: [[0s, 10], [100s, 90], [200s, 30]] }",
        rate: |t| {
            if t < 100.0 {
                10.0 + 0.8 * t
            } else {
                90.0 - 0.6 * (t - 100.0)
            }
        },
    },
    Kind {
        yaml: "profile: { points: [[0s, 10], [100s, 90]], interpolate: step }",
        rate: |t| if t < 100.0 { 10.0 } else { 90.0 },
    },
    Kind {
        yaml: "diurnal: { mean: 50, amplitude: 40, period: 200s, peak_at: 50s }",
        rate: |t| 50.0 + 40.0 * (std::f64::consts::TAU * (t - 50.0) / RUN_S).cos(),
    },
    Kind {
        yaml: "spike: { at: 20s, rate: 100, ramp_up: 10s, hold: 30s, ramp_down: 20s }",
        rate: |t| match t {
            t if t < 20.0 => 0.0,
            t if t < 30.0 => 10.0 * (t - 20.0),
            t if t < 60.0 => 100.0,
            t if t < 80.0 => 100.0 - 5.0 * (t - 60.0),
            _ => 0.0,
        },
    },
];

/// The integral of `rate` over `[start, end)` seconds, by the midpoint rule at 1 ms.
fn integral(rate: fn(f64) -> f64, start: f64, end: f64) -> f64 {
    let steps = ((end - start) * 1000.0).round() as usize;
    let h = (end - start) / steps as f64;
    (0..steps)
        .map(|i| rate(start + (i as f64 + 0.5) * h))
        .sum::<f64>()
        * h
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Requests in a window are the rate's integral over the window times `scale`,
    /// within sampling error, for every generated stream kind and arrival pattern.
    #[test]
    fn requests_in_a_window_are_the_rate_integral_times_scale(
        kind in 0..KINDS.len(),
        start in 0u64..100,
        length in 10u64..100,
        scale in proptest::sample::select(vec![0.5, 1.0, 2.0, 2.5, 3.0]),
        even in proptest::bool::ANY,
    ) {
        let kind = &KINDS[kind];
        let end = start + length;
        // A spike at or after its stream's end is an input error (it would send
        // nothing), not a stream to measure.
        proptest::prop_assume!(!kind.yaml.starts_with("spike") || end > 20);
        let even = if even && !kind.yaml.starts_with("poisson") && !kind.yaml.starts_with("constant") {
            "\n        arrivals: even"
        } else {
            ""
        };
        let yaml = format!(
            "name: s\nduration: 200s\nfunctions:\n  - name: f\n    traffic:\n      - {}\n        start: {start}s\n        end: {end}s\n        scale: {scale}{even}\n",
            kind.yaml
        );
        let requests = arrivals(&base(&load(&yaml)))[0].len() as f64;
        let expected = integral(kind.rate, start as f64, end as f64) * scale;
        proptest::prop_assert!(
            (requests - expected).abs() <= 5.0 * expected.sqrt() + 2.0,
            "{yaml}: {requests} requests, expected {expected}"
        );
    }
}

#[test]
fn the_work_estimate_is_the_rates_integral_and_leaves_traces_out() {
    let scenario = load(&one_function(
        "      - poisson: { rate: 20 }
        start: 10m
        end: 20m
      - constant: { rate: 2 }
        scale: 2
      - burst: { at: 30m, requests: 10 }
      - diurnal: { mean: 50, amplitude: 40, period: 1h, peak_at: 0s }
",
    ));
    let estimate = base(&scenario).estimate();
    // 20 × 600 + 4 × 3,600 + 10 + 50 × 3,600 (a whole period of the cosine adds 0).
    let want = 12_000.0 + 14_400.0 + 10.0 + 180_000.0;
    assert!(
        (estimate.requests - want).abs() < 1e-6 * want,
        "{estimate:?}"
    );
    assert_eq!(estimate.traces, 0);
}
