//! One test per model rule: each fails if its rule is broken.

mod common;
use common::*;
use lambdasim_model::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[test]
fn a_cold_request_takes_init_plus_invoke_and_a_warm_one_invoke_only() {
    let mut f = function("f", 100 * MS);
    f.init_duration = DurationDist::Constant(300 * MS);
    let (summary, _) = run(config(10 * S, vec![f]), vec![feed(at([0, 5 * S]), 0)]);
    let f = &summary.functions[0];
    assert_eq!(f.cold_starts, 1);
    assert!((f.latency_ms.max - 400.0).abs() < 1e-9);
    assert!(
        (f.latency_ms.p50 - 100.0).abs() < 0.5,
        "warm latency {}",
        f.latency_ms.p50
    );
}

#[test]
fn idle_environments_are_reused_until_the_idle_timeout() {
    let mut f = function("f", 100 * MS);
    f.idle_timeout = 10 * S;
    // Idle from 0.1 s: a request at 10.0 s is warm; the environment is gone by 30 s.
    let (summary, rows) = run(
        config(40 * S, vec![f]),
        vec![feed(at([0, 10 * S, 30 * S]), 0)],
    );
    assert_eq!(summary.functions[0].cold_starts, 2);
    assert_eq!(rows[10].cold_starts, 0);
    assert_eq!(rows[30].cold_starts, 1);
    // Destroyed exactly at 10.1 + 10 = 20.1 s: the 20 s bucket still has it.
    assert_eq!(rows[20].environments, 1);
    assert_eq!(rows[21].environments, 0);
}

#[test]
fn an_environment_past_max_lifetime_is_destroyed_when_next_idle() {
    let mut f = function("f", S);
    f.max_lifetime = Some(5 * S);
    f.idle_timeout = 3600 * S;
    let (summary, _) = run(
        config(20 * S, vec![f]),
        vec![feed(at([0, 3 * S, 6 * S, 8 * S]), 0)],
    );
    // 0: cold; 3: warm (age 3 s, idle at 4 s); 6: warm, finishes at 7 s aged 7 s → destroyed; 8: cold.
    assert_eq!(summary.functions[0].cold_starts, 2);
}

#[test]
fn provisioned_environments_serve_first_and_never_idle_out() {
    let mut f = function("f", 100 * MS);
    f.provisioned_concurrency = 2;
    f.idle_timeout = 60 * S;
    let times = (0..5).map(|h| h * 3600 * S);
    let (summary, rows) = run(config(5 * 3600 * S, vec![f]), vec![feed(at(times), 0)]);
    let f = &summary.functions[0];
    assert_eq!(
        (
            f.provisioned_invocations,
            f.cold_starts,
            f.spillover_invocations
        ),
        (5, 0, 0)
    );
    assert!(rows.iter().all(|r| r.environments == 2));
    assert_eq!(f.mean_environments, 2.0);
}

#[test]
fn spillover_goes_to_on_demand_when_provisioned_is_busy() {
    let mut f = function("f", 10 * S);
    f.provisioned_concurrency = 3;
    let (summary, rows) = run(config(20 * S, vec![f]), vec![feed(burst(0, 5), 0)]);
    let f = &summary.functions[0];
    assert_eq!(
        (
            f.provisioned_invocations,
            f.spillover_invocations,
            f.cold_starts
        ),
        (3, 2, 2)
    );
    assert_eq!(rows[0].provisioned_busy, 3);
}

#[test]
fn functions_without_reserved_share_the_unreserved_pool() {
    let mut cfg = config(20 * S, vec![function("a", 10 * S), function("b", 10 * S)]);
    cfg.account.concurrency_limit = 500;
    let (summary, _) = run(cfg, vec![feed(burst(0, 400), 0), feed(burst(S, 400), 1)]);
    assert_eq!(summary.functions[0].invocations, 400);
    assert_eq!(summary.functions[1].invocations, 100);
    assert_eq!(summary.functions[1].throttles_by_reason.account_limit, 300);
}

#[test]
fn provisioned_concurrency_without_reserved_shrinks_the_unreserved_pool() {
    let mut a = function("a", 10 * S);
    a.provisioned_concurrency = 300;
    let cfg = config(20 * S, vec![a, function("b", 10 * S)]);
    assert_eq!(cfg.unreserved_pool(), 700);
    let (summary, _) = run(cfg, vec![feed(burst(0, 1000), 1)]);
    assert_eq!(summary.functions[1].invocations, 700);
}

#[test]
fn warm_reuse_also_needs_room_in_the_pool() {
    // b leaves an idle environment, then a fills the pool: b's next request is throttled
    // although b has a warm environment, because idle environments hold no concurrency.
    let mut cfg = config(20 * S, vec![function("a", 10 * S), function("b", 100 * MS)]);
    cfg.account.concurrency_limit = 200;
    cfg.account.unreserved_minimum = 100;
    let (summary, _) = run(cfg, vec![feed(burst(S, 200), 0), feed(at([0, 2 * S]), 1)]);
    let b = &summary.functions[1];
    assert_eq!((b.invocations, b.throttles_by_reason.account_limit), (1, 1));
}

#[test]
fn the_reserved_rate_limit_is_ten_times_reserved_concurrency() {
    // 50 ms invocations at 200/s under reserved 10 need 10 concurrency, within the
    // reservation; but the function may start only 10 × 10 = 100 a second.
    let mut f = function("f", 50 * MS);
    f.reserved_concurrency = Some(10);
    let (summary, rows) = run(config(5 * S, vec![f]), vec![feed(even(200, 5 * S), 0)]);
    let f = &summary.functions[0];
    // A second's quota of 100, then 100 a second.
    assert!(f.invocations.abs_diff(600) <= 2, "{} served", f.invocations);
    for row in &rows[1..] {
        assert_eq!(
            row.throttles.rps_limit,
            row.throttles.total(),
            "at {} s",
            row.t_s
        );
        assert!(row.throttles.rps_limit.abs_diff(100) <= 2);
    }
    // Then 100 a second of 50 ms: 5 at once (a hold of 1/10 s each would need 10).
    for row in &rows[2..] {
        assert!(
            row.concurrency_max <= 6,
            "at {} s: {}",
            row.t_s,
            row.concurrency_max
        );
    }
}

#[test]
fn a_full_pool_of_long_invocations_is_a_concurrency_throttle_not_a_rate_one() {
    // The rate limit (10 × reserved 5 = 50 starts a second) is far away: 5
    // environments of 2 s start 2.5 per second. The limit that refuses is reserved.
    let mut f = function("f", 2 * S);
    f.reserved_concurrency = Some(5);
    let (summary, _) = run(config(10 * S, vec![f]), vec![feed(even(20, 10 * S), 0)]);
    let t = summary.functions[0].throttles_by_reason;
    assert!(t.reserved_limit > 100);
    assert_eq!(t.rps_limit, 0);
}

#[test]
fn reserved_concurrency_0_throttles_every_request_as_a_reserved_throttle() {
    let mut f = function("f", S);
    f.reserved_concurrency = Some(0);
    let (summary, _) = run(config(10 * S, vec![f]), vec![feed(even(1, 10 * S), 0)]);
    let s = &summary.functions[0];
    assert_eq!((s.invocations, s.throttles), (0, 10));
    assert_eq!(s.throttles_by_reason.reserved_limit, 10);
}

#[test]
fn the_account_rate_limit_is_ten_times_the_account_limit() {
    // Unreserved: 50 ms invocations at 3,000/s on a 200 account start at most 2,000/s
    // (10 × 200), a rate limit; 1 s invocations fill the same pool by concurrency.
    let throttles = |duration| {
        let mut cfg = config(3 * S, vec![function("f", duration)]);
        cfg.account.concurrency_limit = 200;
        cfg.account.unreserved_minimum = 100;
        run(cfg, vec![feed(even(3000, 3 * S), 0)]).0.functions[0].throttles_by_reason
    };
    let short = throttles(50 * MS);
    assert!(short.rps_limit > short.account_limit, "{short:?}");
    let long = throttles(S);
    assert_eq!(long.rps_limit, 0, "{long:?}");
    assert!(long.account_limit > 0);
}

#[test]
fn mean_concurrency_is_an_exact_time_average() {
    let (summary, rows) = run(
        config(10 * S, vec![function("f", 1500 * MS)]),
        vec![feed(at([0]), 0)],
    );
    assert_eq!(summary.functions[0].mean_concurrency, 0.15);
    assert_eq!(rows[0].concurrency_mean, 1.0);
    assert_eq!(rows[1].concurrency_mean, 0.5);
    assert_eq!(rows[1].concurrency_max, 1);
}

#[test]
fn the_last_bucket_may_be_partial() {
    let mut cfg = config(2500 * MS, vec![function("f", 100 * MS)]);
    cfg.resolution = S;
    let (_, rows) = run(cfg, vec![feed(at([2200 * MS]), 0)]);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2].t_s, 2.0);
    assert!(
        (rows[2].concurrency_mean - 0.2).abs() < 1e-12,
        "0.1 s busy in a 0.5 s bucket"
    );
}

#[test]
fn arrivals_at_or_after_the_end_are_not_served() {
    let (summary, _) = run(
        config(S, vec![function("f", 1)]),
        vec![feed(at([0, S - 1, S, 2 * S]), 0)],
    );
    assert_eq!(summary.functions[0].requests, 2);
}

#[test]
fn a_stream_routes_each_arrival_to_its_target_and_refuses_an_unknown_one() {
    let arrival = |time, target| Arrival {
        time,
        duration: None,
        target,
    };
    // The stream's targets in another order than the functions: its target 0 is the
    // third function, its target 1 the first.
    let routed = |list: Vec<Arrival>| Traffic {
        targets: vec![2, 0],
        source: Box::new(ListSource(list.into_iter())),
    };
    let functions = || vec![function("a", MS), function("b", MS), function("c", MS)];
    let (summary, _) = run(
        config(S, functions()),
        vec![routed(vec![
            arrival(0, 0),
            arrival(MS, 0),
            arrival(2 * MS, 1),
        ])],
    );
    let requests: Vec<u64> = summary.functions.iter().map(|f| f.requests).collect();
    assert_eq!(requests, [1, 0, 2]);

    let sim = Simulation::new(
        config(S, functions()),
        vec![routed(vec![arrival(0, 0), arrival(MS, 2)])],
    )
    .expect("valid configuration");
    let err = sim
        .run(&mut CollectSeries::default(), &mut |_| {})
        .expect_err("target 2 of a two-target stream");
    assert!(
        matches!(&err, SimError::Source(e) if e.message.contains("unknown target 2")),
        "{err}"
    );
}

#[test]
fn a_per_request_duration_overrides_the_distribution() {
    let source = ListSource(
        vec![Arrival {
            time: 0,
            duration: Some(700 * MS),
            target: 0,
        }]
        .into_iter(),
    );
    let (summary, _) = run(
        config(5 * S, vec![function("f", 100 * MS)]),
        vec![feed(Box::new(source), 0)],
    );
    assert!((summary.functions[0].latency_ms.max - 700.0).abs() < 1e-9);
}

#[test]
fn the_bill_counts_init_and_rounds_each_invocation_up_to_the_millisecond() {
    let mut f = function("f", 100 * MS + 1);
    f.memory_mb = 1024;
    f.init_duration = DurationDist::Constant(200 * MS);
    let (summary, rows) = run(config(10 * S, vec![f]), vec![feed(at([0, S]), 0)]);
    // Cold: 300 ms + 1 ns → 301 ms; warm: 101 ms. 0.402 GB-s.
    let cost = summary.functions[0].cost_usd;
    assert!(
        (cost.duration - 0.402 * 0.000_016_666_7).abs() < 1e-15,
        "{cost:?}"
    );
    assert!((cost.requests - 2.0 * 0.2e-6).abs() < 1e-15);
    let series_total: f64 = rows.iter().map(|r| r.cost_usd).sum();
    assert!((series_total - cost.total).abs() < 1e-12);
}

#[test]
fn provisioned_capacity_and_its_duration_are_billed() {
    let mut f = function("f", S);
    f.memory_mb = 2048;
    f.provisioned_concurrency = 10;
    let (summary, _) = run(config(3600 * S, vec![f]), vec![feed(at([0]), 0)]);
    let want = 10.0 * 2.0 * 3600.0 * 0.000_004_166_7 + 2.0 * 0.000_009_722_2;
    let got = summary.functions[0].cost_usd.provisioned;
    assert!((got - want).abs() < 1e-9, "{got} vs {want}");
}

#[test]
fn an_invocation_longer_than_the_clock_runs_to_the_end_and_time_never_goes_back() {
    // A duration near the clock's limit (a lognormal with an absurd p99 saturates
    // there): its completion stays at the end of time instead of wrapping into the
    // past, so the environment is busy for the rest of the run and the gauges are sane.
    let mut f = function("f", u64::MAX);
    f.init_duration = DurationDist::Constant(S);
    let (summary, rows) = run(
        config(10 * S, vec![f]),
        vec![feed(at([0, 2 * S, 4 * S]), 0)],
    );
    let f = &summary.functions[0];
    assert_eq!((f.invocations, f.cold_starts), (3, 3));
    assert_eq!(f.peak_concurrency, 3);
    assert!(
        (f.mean_concurrency - (10.0 + 8.0 + 6.0) / 10.0).abs() < 1e-9,
        "{}",
        f.mean_concurrency
    );
    assert_eq!(rows.last().unwrap().concurrency_max, 3);
    assert!(f.cost_usd.total.is_finite() && f.cost_usd.total > 0.0);
}

#[test]
fn a_raised_cancel_flag_ends_the_run_at_the_next_bucket() {
    // 2,000 requests/s for an hour in 1 s buckets: about 14 million events, with
    // progress reported every 2^20 (about 262 s in). The first report raises the flag;
    // the run ends at the next bucket boundary (that bucket unclosed), not the hour.
    let flag = Arc::new(AtomicBool::new(false));
    let raise = Arc::clone(&flag);
    let mut reports = Vec::new();
    let mut series = CollectSeries::default();
    let result = Simulation::new(
        config(3600 * S, vec![function("f", 10 * MS)]),
        vec![feed(even(2000, 3600 * S), 0)],
    )
    .expect("valid configuration")
    .with_cancel(flag)
    .run(&mut series, &mut |fraction| {
        reports.push(fraction);
        raise.store(true, Ordering::Relaxed);
    });
    assert!(matches!(result, Err(SimError::Cancelled)), "{result:?}");
    assert_eq!(reports.len(), 1, "{reports:?}");
    let first = reports[0] * 3600.0;
    let last = series.rows.last().expect("buckets before the flag").t_s;
    assert!(
        (first - 2.0..first).contains(&last),
        "reported at {first} s, last bucket {last} s"
    );
}
