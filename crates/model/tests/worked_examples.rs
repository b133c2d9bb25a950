//! AWS's own worked examples (see `docs/model.md`, "Sources"), as tests.

mod common;
use common::*;
use lambdasim_model::*;

#[test]
fn per_function_scaling_creates_1000_environments_per_10_seconds() {
    // Sustained overload: invocations never end, so every served request is a new
    // environment; the account limit is out of the way.
    let mut cfg = config(60 * S, vec![function("f", 3600 * S)]);
    cfg.account.concurrency_limit = 100_000;
    let (summary, rows) = run_unchecked(cfg, vec![feed(even(5000, 60 * S), 0)]);
    let cumulative = |t: usize| rows.iter().take(t).map(|r| r.cold_starts).sum::<u64>();
    assert_eq!(
        rows[0].cold_starts,
        1000 + 100 - 1,
        "burst of 1000 plus refill in the first second"
    );
    for t in [10usize, 20, 30, 60] {
        let expected = 1000 + 100 * t as u64;
        let got = cumulative(t);
        assert!(
            got.abs_diff(expected) <= 1,
            "after {t}s: {got} new environments, expected {expected}"
        );
    }
    assert_eq!(
        summary.functions[0].throttles_by_reason.scaling_rate,
        summary.functions[0].throttles
    );
}

#[test]
fn ten_thousand_simultaneous_requests_serve_1000_under_the_per_function_rule() {
    let mut cfg = config(10 * S, vec![function("f", S)]);
    cfg.account.concurrency_limit = 10_000;
    let (summary, _) = run(cfg, vec![feed(burst(0, 10_000), 0)]);
    let f = &summary.functions[0];
    assert_eq!(f.invocations, 1000);
    assert_eq!(f.throttles_by_reason.scaling_rate, 9000);
}

#[test]
fn ten_thousand_simultaneous_requests_serve_3000_under_the_legacy_us_east_1_rule() {
    let mut cfg = config(10 * S, vec![function("f", S)]);
    cfg.account.concurrency_limit = 10_000;
    cfg.account.scaling = ScalingConfig::legacy("us-east-1");
    let (summary, _) = run(cfg, vec![feed(burst(0, 10_000), 0)]);
    assert_eq!(summary.functions[0].invocations, 3000);
    assert_eq!(summary.functions[0].throttles_by_reason.scaling_rate, 7000);
}

#[test]
fn legacy_rule_spread_over_two_minutes_matches_the_operator_guide() {
    // AWS Lambda Operator Guide, "On-demand scaling example" (2): 10,000 requests spread over 2 min; minute 1 serves 3,000, and
    // minute 2 reuses them and adds 500 more. Each request lasts 1 min, so an
    // environment serves one request per minute.
    let mut cfg = config(120 * S, vec![function("f", 60 * S)]);
    cfg.account.concurrency_limit = 10_000;
    cfg.account.scaling = ScalingConfig::legacy("us-east-1");
    cfg.account.rps_per_environment = 0.0;
    let first: Vec<u64> = std::iter::repeat_n(0, 5000).collect();
    let second: Vec<u64> = std::iter::repeat_n(60 * S, 5000).collect();
    let (summary, _) = run(cfg, vec![feed(at(first.into_iter().chain(second)), 0)]);
    let f = &summary.functions[0];
    assert_eq!(f.cold_starts, 3500);
    assert_eq!(f.invocations, 3000 + 3500);
    assert_eq!(f.throttles, 2000 + 1500);
}

#[test]
fn legacy_bucket_is_shared_by_all_functions_and_per_function_is_not() {
    let run_with = |scaling: ScalingConfig| {
        let mut cfg = config(10 * S, vec![function("a", S), function("b", S)]);
        cfg.account.concurrency_limit = 10_000;
        cfg.account.scaling = scaling;
        let (s, _) = run(cfg, vec![feed(burst(0, 2500), 0), feed(burst(0, 2500), 1)]);
        s.account.invocations
    };
    assert_eq!(run_with(ScalingConfig::PER_FUNCTION), 2000);
    assert_eq!(run_with(ScalingConfig::legacy("us-east-1")), 3000);
    assert_eq!(run_with(ScalingConfig::legacy("eu-central-1")), 1000);
    assert_eq!(run_with(ScalingConfig::legacy("sa-east-1")), 500);
}

#[test]
fn reserved_400_and_400_leave_200_for_the_rest() {
    let mut a = function("a", 10 * S);
    a.reserved_concurrency = Some(400);
    let mut b = function("b", 10 * S);
    b.reserved_concurrency = Some(400);
    let cfg = config(20 * S, vec![a, b, function("c", 10 * S)]);
    assert_eq!(cfg.unreserved_pool(), 200);
    let traffic = (0..3).map(|i| feed(burst(0, 1000), i)).collect();
    let (summary, _) = run(cfg, traffic);
    let [a, b, c] = &summary.functions[..] else {
        panic!()
    };
    assert_eq!(
        (a.invocations, a.throttles_by_reason.reserved_limit),
        (400, 600)
    );
    assert_eq!(
        (b.invocations, b.throttles_by_reason.reserved_limit),
        (400, 600)
    );
    assert_eq!(
        (c.invocations, c.throttles_by_reason.account_limit),
        (200, 800)
    );
    assert_eq!(summary.account.peak_concurrency, 1000);
}

#[test]
fn a_50ms_function_at_20000_rps_is_throttled_by_the_10000_rps_limit_at_500_concurrency() {
    // AWS's example ("Understanding concurrency and requests per second"): 20,000
    // requests/s of 50 ms need only 1,000 concurrency, but the account's 10,000
    // requests/s limit (10 × its 1,000 concurrency) throttles half of them, and the
    // concurrency the rest need is 10,000 × 0.05 = 500.
    let cfg = config(10 * S, vec![function("f", 50 * MS)]);
    let (summary, rows) = run_unchecked(cfg, vec![feed(even(20_000, 10 * S), 0)]);
    let f = &summary.functions[0];
    // One second's quota passes at first, then 10,000 a second.
    let expected = 10_000 + 10 * 10_000;
    assert!(
        f.invocations.abs_diff(expected) <= 10,
        "{} served",
        f.invocations
    );
    assert_eq!(f.throttles, f.throttles_by_reason.rps_limit);
    for row in &rows[2..] {
        assert!(
            row.concurrency_max.abs_diff(500) <= 2,
            "at {} s: {}",
            row.t_s,
            row.concurrency_max
        );
        assert!((row.concurrency_mean - 500.0).abs() < 2.0);
    }
}

#[test]
fn provisioned_10_spills_over_after_10_concurrency_or_100_rps_whichever_comes_first() {
    // AWS's example: provisioned concurrency 10 "spills over into on-demand concurrency
    // after 10 concurrency or 100 requests per second, whichever happens first".
    let spill = |duration, rate| {
        let mut f = function("f", duration);
        f.provisioned_concurrency = 10;
        let (summary, _) = run(config(20 * S, vec![f]), vec![feed(even(rate, 20 * S), 0)]);
        let f = &summary.functions[0];
        assert_eq!(f.throttles, 0);
        (f.provisioned_invocations, f.spillover_invocations)
    };
    // 10 ms at 150/s needs 1.5 concurrency: the rate spills first. A second's quota
    // of 100 passes at first, then 100 a second; the other 50 a second spill over.
    let (provisioned, spilled) = spill(10 * MS, 150);
    assert!(provisioned.abs_diff(100 + 20 * 100) <= 2, "{provisioned}");
    assert_eq!(provisioned + spilled, 3000);
    // 10 ms at 90/s stays on provisioned concurrency.
    assert_eq!(spill(10 * MS, 90), (1800, 0));
    // 200 ms at 75/s needs 15 concurrency: concurrency spills first, well under the
    // rate's 100 a second: at most 10 / 0.2 s = 50 a second on provisioned (a little
    // less, as an environment that frees an instant after a request missed it), the
    // rest spill over.
    let (provisioned, spilled) = spill(200 * MS, 75);
    assert!((900..=1000).contains(&provisioned), "{provisioned}");
    assert_eq!(provisioned + spilled, 1500);
}

#[test]
fn mean_concurrency_follows_littles_law_for_short_invocations() {
    // The rate limit never holds an environment: 300 requests/s of a lognormal with
    // median 100 ms and p99 900 ms (mean 156.2 ms) need 300 × 0.1562 = 46.9
    // concurrency, not more. And for a 20 ms function far below the rate limit,
    // concurrency is 300 × 0.02 = 6.
    let sigma = (9.0f64).ln() / 2.326_347_874;
    let lognormal_mean_s = 0.1 * (sigma * sigma / 2.0).exp();
    let cases = [
        (
            DurationDist::Lognormal {
                median: 100 * MS,
                p99: 900 * MS,
            },
            lognormal_mean_s,
        ),
        (DurationDist::Constant(20 * MS), 0.02),
    ];
    for (duration, mean_s) in cases {
        let mut f = function("f", MS);
        f.duration = duration;
        let cfg = config(600 * S, vec![f]);
        let (summary, _) = run_unchecked(cfg, vec![feed(poisson(7, 300.0), 0)]);
        let f = &summary.functions[0];
        let little = f.invocations as f64 / 600.0 * mean_s;
        let error = (f.mean_concurrency - little).abs() / little;
        assert!(
            error < 0.02,
            "mean concurrency {} vs Little's law {little}",
            f.mean_concurrency
        );
    }
}

#[test]
fn provisioned_200_under_reserved_400() {
    let mut f = function("f", 10 * S);
    f.reserved_concurrency = Some(400);
    f.provisioned_concurrency = 200;
    let cfg = config(20 * S, vec![f]);
    let (summary, _) = run(cfg, vec![feed(burst(0, 600), 0)]);
    let f = &summary.functions[0];
    assert_eq!(f.provisioned_invocations, 200);
    assert_eq!(f.spillover_invocations, 200);
    assert_eq!(f.cold_starts, 200, "only spillover is cold");
    assert_eq!(f.throttles_by_reason.reserved_limit, 200);
    assert_eq!(f.peak_concurrency, 400);
}

#[test]
fn provisioned_above_reserved_is_rejected() {
    let mut f = function("f", S);
    f.reserved_concurrency = Some(100);
    f.provisioned_concurrency = 200;
    let err = config(S, vec![f]).validate().unwrap_err();
    assert!(
        matches!(err, ConfigError::ProvisionedAboveReserved { .. }),
        "{err}"
    );
}

#[test]
fn a_pool_under_the_unreserved_minimum_is_rejected() {
    let mut a = function("a", S);
    a.reserved_concurrency = Some(901);
    let err = config(S, vec![a]).validate().unwrap_err();
    assert!(
        matches!(err, ConfigError::PoolUnderMinimum { pool: 99, .. }),
        "{err}"
    );
    let mut b = function("b", S);
    b.provisioned_concurrency = 901;
    assert!(
        config(S, vec![b]).validate().is_err(),
        "provisioned without reserved also claims the pool"
    );
}
