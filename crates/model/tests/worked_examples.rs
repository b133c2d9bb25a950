//! The worked examples of `lambda-facts.md` and the issue, as tests.

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
    // facts §1.2.6 (2): 10,000 requests spread over 2 min; minute 1 serves 3,000, and
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
fn a_50ms_function_at_200_rps_needs_20_environments_not_10() {
    let cfg = config(10 * S, vec![function("f", 50 * MS)]);
    let (summary, _) = run(cfg.clone(), vec![feed(even(200, 10 * S), 0)]);
    assert_eq!(summary.functions[0].peak_environments, 20);
    assert_eq!(summary.functions[0].throttles, 0);

    let mut off = cfg;
    off.account.rps_per_environment = 0.0;
    let (summary, _) = run(off, vec![feed(even(200, 10 * S), 0)]);
    assert_eq!(summary.functions[0].peak_environments, 10);
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
