//! Rate shapes: the number of arrivals in every part of the window matches the
//! integral of the rate, for Poisson arrivals (within 5 standard deviations) and for
//! even ones (to the request).

mod common;

use common::{arrivals, base, load, load_err};
use lambdasim_engine::NANOS_PER_SEC;
use lambdasim_model::Arrival;
use std::f64::consts::TAU;

/// One function with one stream, in a scenario of `duration`.
fn stream(duration: &str, traffic: &str) -> Vec<Arrival> {
    let yaml = format!(
        "name: s\nduration: {duration}\nfunctions:\n  - name: f\n    traffic:\n      - {traffic}\n"
    );
    arrivals(&base(&load(&yaml))).remove(0)
}

/// Arrivals in `[from_s, to_s)`.
fn count(arrivals: &[Arrival], from_s: f64, to_s: f64) -> f64 {
    let (from, to) = ((from_s * 1e9) as u64, (to_s * 1e9) as u64);
    arrivals
        .iter()
        .filter(|a| (from..to).contains(&a.time))
        .count() as f64
}

/// Checks Poisson and even arrivals of `shape` against `integral` on each of `parts`.
fn check(duration: &str, shape: &str, parts: &[(f64, f64)], integral: impl Fn(f64, f64) -> f64) {
    let poisson = stream(duration, shape);
    let even = stream(duration, &format!("{shape}\n        arrivals: even"));
    assert!(poisson.windows(2).all(|w| w[0].time <= w[1].time));
    assert!(even.windows(2).all(|w| w[0].time <= w[1].time));
    for &(from, to) in parts {
        let expected = integral(from, to);
        let got = count(&poisson, from, to);
        let tolerance = 5.0 * expected.sqrt().max(1.0);
        assert!(
            (got - expected).abs() <= tolerance,
            "{shape} Poisson [{from}, {to}): {got} arrivals, expected {expected} ± {tolerance}"
        );
        let got = count(&even, from, to);
        assert!(
            (got - expected).abs() <= 1.0,
            "{shape} even [{from}, {to}): {got} arrivals, expected {expected} ± 1"
        );
    }
    let total = integral(0.0, f64::INFINITY);
    assert!((even.len() as f64 - total.round()).abs() <= 1.0, "{shape}");
}

/// The integral on `[a, b)` of a rate given by points, linear in between and flat
/// outside, by fine midpoint sums (a check independent of the code under test).
fn numeric(rate: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let steps = 200_000;
    let h = (b - a) / steps as f64;
    (0..steps)
        .map(|i| rate(a + (i as f64 + 0.5) * h))
        .sum::<f64>()
        * h
}

fn linear(points: &[(f64, f64)], t: f64) -> f64 {
    let first = points[0];
    let last = points[points.len() - 1];
    if t < first.0 {
        return first.1;
    }
    for w in points.windows(2) {
        let ((t0, r0), (t1, r1)) = (w[0], w[1]);
        if t >= t0 && t < t1 {
            return r0 + (r1 - r0) * (t - t0) / (t1 - t0);
        }
    }
    last.1
}

const THIRDS: [(f64, f64); 4] = [(0.0, 60.0), (60.0, 120.0), (120.0, 180.0), (30.0, 150.0)];

#[test]
fn ramp_follows_its_integral() {
    let points = [(20.0, 100.0), (120.0, 1100.0)];
    check(
        "180s",
        "ramp: { from: 100, to: 1100, start: 20s, end: 120s }",
        &THIRDS,
        |a, b| numeric(|t| linear(&points, t), a, b.min(180.0)),
    );
}

#[test]
fn linear_and_step_profiles_follow_their_integrals() {
    let points = [(0.0, 100.0), (60.0, 1000.0), (120.0, 100.0)];
    check(
        "180s",
        "profile: { points: [[0s, 100], [60s, 1000], [120s, 100]] }",
        &THIRDS,
        |a, b| numeric(|t| linear(&points, t), a, b.min(180.0)),
    );
    let step = |t: f64| {
        if (60.0..120.0).contains(&t) {
            1000.0
        } else {
            100.0
        }
    };
    check(
        "180s",
        "profile: { points: [[0s, 100], [60s, 1000], [120s, 100]], interpolate: step }",
        &THIRDS,
        |a, b| numeric(step, a, b.min(180.0)),
    );
}

#[test]
fn diurnal_follows_its_integral() {
    // mean 50, amplitude 40, a 1 h period peaking at 15 min, over 2 h.
    let exact = |a: f64, b: f64| {
        let b = b.min(7200.0);
        let phase = |t: f64| TAU * (t - 900.0) / 3600.0;
        50.0 * (b - a) + 40.0 * 3600.0 / TAU * (phase(b).sin() - phase(a).sin())
    };
    let quarters: Vec<(f64, f64)> = (0..8)
        .map(|q| (q as f64 * 900.0, (q + 1) as f64 * 900.0))
        .collect();
    check(
        "2h",
        "diurnal: { mean: 50, amplitude: 40, period: 1h, peak_at: 15m }",
        &quarters,
        exact,
    );
}

#[test]
fn spike_and_scale_follow_their_integral() {
    let points = [(100.0, 0.0), (110.0, 2000.0), (130.0, 2000.0), (160.0, 0.0)];
    let parts = [
        (0.0, 100.0),
        (100.0, 110.0),
        (110.0, 130.0),
        (130.0, 160.0),
        (160.0, 300.0),
    ];
    check(
        "300s",
        "spike: { at: 100s, rate: 1000, ramp_up: 10s, hold: 20s, ramp_down: 30s }\n        scale: 2",
        &parts,
        |a, b| numeric(|t| linear(&points, t), a, b.min(300.0)),
    );
}

#[test]
fn a_window_limits_a_shape_and_zero_rates_are_silent() {
    let got = stream(
        "1h",
        "ramp: { from: 0, to: 100, start: 0s, end: 100s }\n        start: 50s\n        end: 150s",
    );
    assert!(
        got.iter()
            .all(|a| (50 * NANOS_PER_SEC..150 * NANOS_PER_SEC).contains(&a.time))
    );
    let even = stream(
        "1h",
        "spike: { at: 10s, rate: 4, hold: 1s }\n        arrivals: even",
    );
    let times: Vec<u64> = even.iter().map(|a| a.time).collect();
    let quarter = NANOS_PER_SEC / 4;
    assert_eq!(
        times,
        [
            10 * NANOS_PER_SEC + quarter / 2,
            10 * NANOS_PER_SEC + 3 * quarter / 2,
            10 * NANOS_PER_SEC + 5 * quarter / 2,
            10 * NANOS_PER_SEC + 7 * quarter / 2
        ]
    );
}

#[test]
fn shape_errors_point_at_the_value() {
    let cases = [
        (
            "diurnal: { mean: 10, amplitude: 20 }",
            6,
            "at most the mean",
        ),
        (
            "diurnal: { mean: 10, amplitude: 2, period: 0s }",
            6,
            "1s or more",
        ),
        ("profile: { points: [] }", 6, "no points"),
        ("profile: { points: [[10s, 1], [5s, 2]] }", 6, "time order"),
        ("profile: { points: [[0s, -1]] }", 6, "0 or more"),
        (
            "ramp: { from: 1, to: 2, start: 10s, end: 5s }",
            6,
            "end after its start",
        ),
        ("spike: { at: 1s, rate: 2e9 }", 6, "at most"),
        (
            "spike: { at: 2h, rate: 100, hold: 1m }",
            6,
            "it would send nothing",
        ),
        (
            "ramp: { from: 1, to: 2 }\n        speedup: 2",
            7,
            "only on trace",
        ),
        (
            "poisson: { rate: 1 }\n        arrivals: even",
            7,
            "not a rate shape",
        ),
        (
            "ramp: { from: 1, to: 2 }\n        arrivals: sometimes",
            7,
            "even",
        ),
        (
            "ramp: { from: 1, to: 2 }\n        offset: 1s",
            7,
            "only on trace",
        ),
    ];
    for (traffic, line, needle) in cases {
        let yaml = format!(
            "name: s\nduration: 1h\nfunctions:\n  - name: f\n    traffic:\n      - {traffic}\n"
        );
        let err = load_err(&yaml);
        assert!(err.is_input_error(), "{traffic}: {err}");
        assert_eq!(err.line(), Some(line), "{traffic}: {err}");
        assert!(err.message().contains(needle), "{traffic}: {err}");
    }
}
