//! The environment lifecycle: keep-alive of idle environments, warm starts, function
//! timeouts and the on-demand Init limit.

mod common;
use common::*;
use lambdasim_model::*;

const MIN: u64 = 60 * S;

/// A function whose environments are kept by the function-idle rule only.
fn kept(function_idle: u64, idle: u64) -> FunctionConfig {
    let mut f = function("f", S);
    f.function_idle_timeout = Some(function_idle);
    f.idle_timeout = idle;
    f
}

#[test]
fn a_quiet_function_loses_its_idle_environments_after_the_function_idle_timeout() {
    // Two environments (two overlapping requests at 0), then nothing: both go at
    // 1 s + 630 s although their own timers (1,000 s) have not run out.
    let f = kept(630 * S, 1000 * S);
    let (summary, rows) = run(config(700 * S, vec![f]), vec![feed(at([0, 0, 640 * S]), 0)]);
    assert_eq!(rows[630].environments, 2);
    assert_eq!(rows[631].environments, 2, "destroyed at 631 s exactly");
    assert_eq!(rows[632].environments, 0);
    assert_eq!(
        summary.functions[0].cold_starts, 3,
        "the request at 640 s is cold"
    );
}

#[test]
fn a_busy_function_keeps_an_idle_environment_for_its_own_idle_timeout() {
    // A request every 100 s keeps the function active; the second environment (from
    // an overlap at 0) idles from 1 s and is still warm at 900 s for another overlap,
    // far past the 630 s that a quiet function keeps it.
    let f = kept(630 * S, 1000 * S);
    let times = (0..10).map(|k| k * 100 * S).chain([0, 900 * S]);
    let mut times: Vec<_> = times.collect();
    times.sort();
    let (summary, _) = run(config(1000 * S, vec![f]), vec![feed(at(times), 0)]);
    assert_eq!(summary.functions[0].cold_starts, 2);
    // Without the per-environment timer's grace, only the function rule: the same.
    // With a 640 s per-environment timer (the old rule) the overlap at 900 s is cold.
    let mut old = kept(630 * S, 640 * S);
    old.function_idle_timeout = None;
    let times = (0..10).map(|k| k * 100 * S).chain([0, 900 * S]);
    let mut times: Vec<_> = times.collect();
    times.sort();
    let (summary, _) = run(config(1000 * S, vec![old]), vec![feed(at(times), 0)]);
    assert_eq!(summary.functions[0].cold_starts, 3);
}

#[test]
fn a_running_invocation_keeps_the_function_active() {
    // One 20-minute invocation and an idle environment beside it: the function is not
    // quiet while it runs, so the idle one lives on its own 1,000 s timer.
    let mut f = kept(630 * S, 1000 * S);
    f.duration = DurationDist::Constant(20 * MIN);
    let short = 1000 * MS;
    let (summary, rows) = run(
        config(30 * MIN, vec![f]),
        vec![Traffic {
            targets: vec![0],
            source: Box::new(ListSource(
                vec![
                    Arrival {
                        time: 0,
                        duration: None,
                        target: 0,
                    },
                    Arrival {
                        time: 0,
                        duration: Some(short),
                        target: 0,
                    },
                ]
                .into_iter(),
            )),
        }],
    );
    assert_eq!(summary.functions[0].cold_starts, 2);
    assert_eq!(rows[900].environments, 2, "still kept at 900 s");
    // Destroyed at 1,001 s exactly: that bucket opens with it, the next has one.
    assert_eq!(
        rows[1002].environments, 1,
        "its own timer ended it at 1,001 s"
    );
}

#[test]
fn an_idle_environment_past_its_lifetime_is_not_reused() {
    // Created at 0, idle from 1 s, lifetime 100 s: a request at 150 s finds it too old.
    let mut f = kept(630 * S, 1000 * S);
    f.max_lifetime = Some(100 * S);
    let (summary, rows) = run(config(200 * S, vec![f]), vec![feed(at([0, 150 * S]), 0)]);
    assert_eq!(summary.functions[0].cold_starts, 2);
    assert_eq!(
        rows[160].environments, 1,
        "the old one was destroyed, not kept"
    );
}

#[test]
fn warm_start_environments_serve_the_first_requests() {
    let mut f = function("f", S);
    f.warm_start = 2;
    let (summary, rows) = run(config(10 * S, vec![f]), vec![feed(at([0, 0, 0]), 0)]);
    assert_eq!(summary.functions[0].cold_starts, 1);
    assert_eq!(rows[0].environments, 3);
    let mut invalid = function("f", S);
    invalid.warm_start = MAX_WARM_START + 1;
    assert!(config(10 * S, vec![invalid]).validate().is_err());
}

#[test]
fn auto_warm_start_is_the_load_with_headroom_under_the_limits() {
    let f = function("f", S);
    // 100 mean concurrency: 100 + 3 x 10.
    assert_eq!(f.auto_warm_start(100.0, 1000), 130);
    assert_eq!(f.auto_warm_start(0.25, 1000), 2);
    assert_eq!(f.auto_warm_start(0.0, 1000), 0);
    assert_eq!(f.auto_warm_start(f64::NAN, 1000), 0);
    // Capped by the unreserved pool, never negative.
    assert_eq!(f.auto_warm_start(900.0, 500), 500);
    assert_eq!(f.auto_warm_start(900.0, -5), 0);
    // Provisioned environments serve first; a reservation caps the on-demand room.
    let mut p = function("p", S);
    p.provisioned_concurrency = 100;
    assert_eq!(p.auto_warm_start(100.0, 1000), 30);
    p.reserved_concurrency = Some(110);
    assert_eq!(p.auto_warm_start(100.0, 1000), 10);
    assert_eq!(p.auto_warm_start(50.0, 1000), 0);
}

#[test]
fn an_invocation_that_reaches_the_timeout_ends_there_as_an_error() {
    let mut f = function("f", 10 * S);
    f.timeout = 3 * S;
    let (summary, rows) = run(config(20 * S, vec![f]), vec![feed(at([0]), 0)]);
    let f = &summary.functions[0];
    assert_eq!((f.errors, f.timeouts), (1, 1));
    assert_eq!(f.latency_ms.max, 3000.0);
    assert_eq!(rows[2].concurrency_mean, 1.0);
    assert_eq!(rows[3].concurrency_mean, 0.0, "free at 3 s");
    // Billed up to the timeout: 3 s of 128 MB.
    let want = 3.0 * 0.125 * 0.000_016_666_7;
    assert!(
        (f.cost_usd.duration - want).abs() < 1e-12,
        "{}",
        f.cost_usd.duration
    );
}

#[test]
fn the_invocation_after_a_timeout_runs_init_again_inside_its_duration() {
    // The environment is reset by the timeout: the next request on it is warm (not a
    // cold start) but its Invoke includes Init again (a suppressed init).
    let mut f = function("f", S);
    f.timeout = 2 * S;
    f.init_duration = DurationDist::Constant(500 * MS);
    let traffic = Traffic {
        targets: vec![0],
        source: Box::new(ListSource(
            vec![
                Arrival {
                    time: 0,
                    duration: Some(5 * S),
                    target: 0,
                },
                Arrival {
                    time: 10 * S,
                    duration: Some(S),
                    target: 0,
                },
                Arrival {
                    time: 20 * S,
                    duration: Some(S),
                    target: 0,
                },
            ]
            .into_iter(),
        )),
    };
    let (summary, rows) = run(config(30 * S, vec![f]), vec![traffic]);
    assert_eq!(summary.functions[0].cold_starts, 1);
    assert_eq!(summary.functions[0].timeouts, 1);
    // (The histogram's quantiles are within 1 %.)
    let near = |got: f64, want: f64| (got - want).abs() < want / 100.0;
    assert!(
        near(rows[10].latency_p99_ms, 1500.0),
        "Init again, then Invoke"
    );
    assert!(near(rows[20].latency_p99_ms, 1000.0), "reset only once");
}

#[test]
fn an_init_over_10_s_is_run_again_in_the_first_invocation_under_the_timeout() {
    // Init of 12 s: stopped at 10 s, then run again with the Invoke (12 + 1 s) under
    // the timeout. Latency 10 + 13 = 23 s; a 5 s timeout cuts it at 10 + 5 s.
    let slow = |timeout| {
        let mut f = function("f", S);
        f.init_duration = DurationDist::Constant(12 * S);
        f.timeout = timeout;
        let (summary, _) = run(config(60 * S, vec![f]), vec![feed(at([0]), 0)]);
        summary.functions[0].clone()
    };
    let f = slow(900 * S);
    assert_eq!((f.cold_starts, f.timeouts), (1, 0));
    assert_eq!(f.latency_ms.max, 23_000.0);
    let f = slow(5 * S);
    assert_eq!((f.cold_starts, f.timeouts, f.errors), (1, 1, 1));
    assert_eq!(f.latency_ms.max, 15_000.0);
    // Provisioned environments initialise without the limit.
    let mut p = function("f", S);
    p.init_duration = DurationDist::Constant(12 * S);
    p.provisioned_concurrency = 1;
    let (summary, _) = run(config(60 * S, vec![p]), vec![feed(at([0]), 0)]);
    assert_eq!(summary.functions[0].latency_ms.max, 1000.0);
}

#[test]
fn an_async_timeout_is_retried_as_an_error() {
    let mut f = function("f", 10 * S);
    f.invocation = InvocationType::Async;
    f.timeout = 2 * S;
    let (summary, _) = run(config(10 * MIN, vec![f]), vec![feed(at([0]), 0)]);
    let f = &summary.functions[0];
    // The first try and both retries time out (1 and 2 minutes apart).
    assert_eq!((f.invocations, f.timeouts), (3, 3));
    let a = f.async_events.unwrap();
    assert_eq!((a.dropped, a.dropped_after_errors), (1, 1));
}

#[test]
fn a_timeout_outside_1_to_900_s_is_invalid() {
    for timeout in [0, S - 1, 900 * S + 1] {
        let mut f = function("f", S);
        f.timeout = timeout;
        assert!(config(10 * S, vec![f]).validate().is_err(), "{timeout}");
    }
}
