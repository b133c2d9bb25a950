//! Provisioned concurrency over time: allocation delay and rate, all-or-nothing,
//! decreases, recycling, scheduled actions and target-tracking autoscaling.

mod common;
use common::*;
use lambdasim_model::*;

const MIN: u64 = 60 * S;

fn scheduled(initial: u32, steps: &[(u64, u32)]) -> FunctionConfig {
    let mut f = function("f", S);
    f.provisioned_concurrency = initial;
    f.provisioning.schedule = steps
        .iter()
        .map(|&(at, value)| ScheduledValue { at, value })
        .collect();
    f.provisioning.allocation_delay = DurationDist::Constant(90 * S);
    f
}

fn first_bucket_where(rows: &[BucketRow], pred: impl Fn(&BucketRow) -> bool) -> Option<f64> {
    rows.iter().find(|r| pred(r)).map(|r| r.t_s)
}

#[test]
fn a_step_from_0_to_500_is_unusable_for_the_delay_then_allocated_at_6000_per_minute() {
    let cfg = config(2 * 3600 * S, vec![scheduled(0, &[(3600 * S, 500)])]);
    let (summary, rows) = run(cfg, vec![feed(even(100, 2 * 3600 * S), 0)]);
    // 90 s of preparation, then 500 environments at 6,000 per minute: 5 s.
    assert_eq!(
        first_bucket_where(&rows, |r| r.provisioned_allocated > 0),
        Some(3695.0)
    );
    assert_eq!(
        first_bucket_where(&rows, |r| r.provisioned_busy > 0),
        Some(3695.0)
    );
    assert!(
        rows.iter()
            .filter(|r| r.t_s < 3695.0)
            .all(|r| r.provisioned_allocated == 0)
    );
    assert!(
        rows.iter()
            .filter(|r| r.t_s >= 3695.0)
            .all(|r| r.provisioned_allocated == 500)
    );
    let f = &summary.functions[0];
    assert!(f.provisioned_invocations > 0 && f.spillover_invocations > 0);
    let want_mean = 500.0 * (7200.0 - 3695.0) / 7200.0;
    assert!(
        (f.mean_provisioned_allocated - want_mean).abs() < 1e-9,
        "{}",
        f.mean_provisioned_allocated
    );
}

#[test]
fn under_the_legacy_rule_allocation_takes_the_regions_burst_then_500_per_minute() {
    // 5,000 environments after 90 s of preparation: in us-east-1, 3,000 at once and
    // the other 2,000 at 500 per minute (4 minutes); today's rule takes 50 s.
    let ready_at = |scaling: ScalingConfig| {
        let mut cfg = config(15 * MIN, vec![scheduled(0, &[(0, 5000)])]);
        cfg.account.concurrency_limit = 10_000;
        cfg.account.scaling = scaling;
        let (_, rows) = run_unchecked(cfg, vec![]);
        first_bucket_where(&rows, |r| r.provisioned_allocated > 0)
    };
    assert_eq!(ready_at(ScalingConfig::legacy("us-east-1")), Some(330.0));
    assert_eq!(
        ready_at(ScalingConfig::legacy("sa-east-1")),
        Some(90.0 + 540.0)
    );
    assert_eq!(ready_at(ScalingConfig::PER_FUNCTION), Some(140.0));
}

#[test]
fn a_large_request_is_all_or_nothing() {
    let mut f = scheduled(0, &[(0, 12_000)]);
    f.duration = DurationDist::Constant(100 * MS);
    let mut cfg = config(10 * MIN, vec![f]);
    cfg.account.concurrency_limit = 20_000;
    let (_, rows) = run_unchecked(cfg, vec![]);
    // 90 s, then 12,000 at 6,000 per minute: nothing usable until 210 s, all of it then.
    assert!(
        rows.iter()
            .filter(|r| r.t_s < 210.0)
            .all(|r| r.provisioned_allocated == 0)
    );
    assert_eq!(
        first_bucket_where(&rows, |r| r.provisioned_allocated > 0),
        Some(210.0)
    );
    assert_eq!(rows[210].provisioned_allocated, 12_000);
    assert_eq!(rows[210].environments, 12_000);
}

#[test]
fn a_decrease_releases_idle_environments_at_once() {
    let cfg = config(20 * MIN, vec![scheduled(300, &[(10 * MIN, 50)])]);
    let (_, rows) = run(cfg, vec![feed(even(20, 20 * MIN), 0)]);
    assert_eq!(rows[599].environments, 300);
    assert_eq!(
        rows[601].environments, 50,
        "idle surplus destroyed at the step"
    );
    assert_eq!(rows[601].provisioned_allocated, 50);
}

#[test]
fn busy_provisioned_environments_are_released_when_they_finish() {
    let mut f = scheduled(10, &[(5 * S, 0)]);
    f.duration = DurationDist::Constant(20 * S);
    let (_, rows) = run(config(60 * S, vec![f]), vec![feed(burst(0, 10), 0)]);
    assert_eq!(
        rows[10].environments, 10,
        "busy ones stay until their invocation ends"
    );
    assert_eq!(rows[21].environments, 0);
}

#[test]
fn provisioned_environments_are_recycled_in_the_background_and_billed() {
    // 5 environments fully used (50 requests/s of 100 ms) through three recycles each:
    // each replacement initialises before its predecessor retires, so not one request
    // spills over or starts cold.
    let mut f = function("f", 100 * MS);
    f.provisioned_concurrency = 5;
    f.max_lifetime = Some(10 * MIN);
    f.init_duration = DurationDist::Constant(2 * S);
    let (summary, rows) = run(config(31 * MIN, vec![f]), vec![feed(even(50, 31 * MIN), 0)]);
    let f = &summary.functions[0];
    assert_eq!(
        (f.spillover_invocations, f.cold_starts, f.throttles),
        (0, 0, 0)
    );
    assert_eq!(f.provisioned_invocations, 50 * 31 * 60);
    assert!(rows.iter().all(|r| r.environments == 5));
    // 5 environments recycled 3 times each (due at 9–10, 18–20 and 27–30 minutes), a
    // 2 s Init each, billed at the provisioned duration price with the invocations.
    let invocations = 50.0 * 31.0 * 60.0 * 0.1;
    let want = (invocations + 15.0 * 2.0) * 0.125 * 0.000_009_722_2;
    let billed = f.cost_usd.provisioned_duration;
    assert!((billed - want).abs() < 1e-9, "{billed} vs {want}");
}

#[test]
fn a_busy_environments_recycle_does_not_cut_its_invocation() {
    // Due between 9 and 10 minutes (540–600 s) while busy from 539 s to 599.9 s: the
    // replacement initialises beside it; the invocation runs to its end, and the
    // environment is recycled twice more before 31 minutes.
    let mut f = function("f", 60_900 * MS);
    f.provisioned_concurrency = 1;
    f.max_lifetime = Some(10 * MIN);
    f.init_duration = DurationDist::Constant(2 * S);
    let (summary, _) = run(config(31 * MIN, vec![f]), vec![feed(at([539 * S]), 0)]);
    let f = &summary.functions[0];
    assert_eq!((f.provisioned_invocations, f.cold_starts), (1, 0));
    assert_eq!(f.latency_ms.max, 60_900.0);
    let billed = f.cost_usd.provisioned_duration;
    let want = (60.9 + 3.0 * 2.0) * 0.125 * 0.000_009_722_2;
    assert!((billed - want).abs() < 1e-12, "{billed} vs {want}");
}

#[test]
fn a_destroyed_environments_recycle_leaves_its_successor_in_the_slot_alone() {
    // 300 created at 0 (recycles due at 13.5–15 min) are destroyed at 10 min; the 300
    // allocated after 11 min reuse their slots and are not due before 25 min.
    let mut f = scheduled(300, &[(10 * MIN, 0), (11 * MIN, 300)]);
    f.max_lifetime = Some(15 * MIN);
    f.init_duration = DurationDist::Constant(S);
    let (summary, rows) = run(config(20 * MIN, vec![f]), vec![]);
    assert_eq!(rows[13 * 60].environments, 300, "the successors are live");
    // Billed Init: the 300 allocated after 11 minutes, and no recycle of theirs.
    let billed = summary.functions[0].cost_usd.provisioned_duration;
    let want = 300.0 * 0.125 * 0.000_009_722_2;
    assert!((billed - want).abs() < 1e-12, "{billed} vs {want}");
}

fn autoscaled(initial: u32) -> FunctionConfig {
    let mut f = function("f", S);
    f.provisioned_concurrency = initial;
    f.provisioning.allocation_delay = DurationDist::Constant(60 * S);
    f.provisioning.autoscaling = Some(AutoscalingConfig {
        min: 10,
        max: 800,
        target_utilization: 0.7,
        scale_out_cooldown: 0,
        scale_in_cooldown: 0,
    });
    f
}

#[test]
fn autoscaling_follows_a_step_in_load_to_about_load_over_target() {
    // 50 requests/s of 1 s: concurrency 50, kept at 72 ≈ 50 / 0.7; then 100.
    let load = at((0..30 * 60 * 50)
        .map(|i| i * 20 * MS)
        .chain((0..20 * 60 * 100).map(|i| 30 * MIN + i * 10 * MS)));
    let (_, rows) = run_unchecked(config(50 * MIN, vec![autoscaled(72)]), vec![feed(load, 0)]);
    assert!(
        rows[29 * 60].provisioned_allocated.abs_diff(72) <= 1,
        "steady before the step"
    );
    let after = rows[40 * 60].provisioned_allocated;
    assert!(
        (130..=160).contains(&after),
        "ten minutes after the step: {after}"
    );
}

#[test]
fn autoscaling_does_not_scale_in_while_idle_but_does_under_light_load() {
    let idle_load = at((0..10 * 60 * 50).map(|i| i * 20 * MS));
    let (_, rows) = run_unchecked(
        config(3 * 3600 * S, vec![autoscaled(72)]),
        vec![feed(idle_load, 0)],
    );
    assert_eq!(
        rows.last().unwrap().provisioned_allocated,
        72,
        "no traffic, no datapoints, no scale-in"
    );

    let light = at((0..3600 * 5).map(|i| i * 200 * MS));
    let (_, rows) = run_unchecked(config(3600 * S, vec![autoscaled(72)]), vec![feed(light, 0)]);
    assert_eq!(
        rows[14 * 60].provisioned_allocated,
        72,
        "not before 15 minutes below 90% of the target"
    );
    let end = rows.last().unwrap().provisioned_allocated;
    assert!((10..40).contains(&end), "scaled in gradually to {end}");
}

#[test]
fn schedule_and_autoscaling_combine_and_the_larger_wins() {
    let mut f = autoscaled(20);
    f.provisioning.schedule = vec![ScheduledValue {
        at: 10 * MIN,
        value: 300,
    }];
    let (_, rows) = run_unchecked(config(20 * MIN, vec![f]), vec![]);
    assert_eq!(rows[9 * 60].provisioned_allocated, 20);
    assert_eq!(rows[19 * 60].provisioned_allocated, 300);
}

#[test]
fn the_whole_timeline_must_fit_under_reserved_concurrency() {
    let mut f = scheduled(10, &[(MIN, 500)]);
    f.reserved_concurrency = Some(400);
    let err = config(2 * MIN, vec![f]).validate().unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::ProvisionedAboveReserved {
                provisioned: 500,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn provisioned_concurrency_claims_the_unreserved_pool_when_configured() {
    // b's schedule takes 600 of the 1,000 at 1 minute: a then fits in 400.
    let cfg = config(
        10 * MIN,
        vec![function("a", 10 * MIN), scheduled(0, &[(MIN, 600)])],
    );
    let (summary, _) = run(cfg, vec![feed(burst(2 * MIN, 1000), 0)]);
    assert_eq!(summary.functions[0].invocations, 400);
}

#[test]
fn a_claim_that_grows_under_running_invocations_admits_none_until_they_fit() {
    // `hog` fills the 1,000 account limit with 10-minute invocations; at 1 s `pc`
    // claims 800. Running invocations are never cut short, so once `pc`'s environments
    // are busy the account briefly holds 1,800; but no on-demand request is admitted
    // until the pool has room again (checked after every event by the invariants).
    let cfg = config(
        20 * MIN,
        vec![function("hog", 10 * MIN), scheduled(0, &[(S, 800)])],
    );
    let traffic = vec![
        feed(burst(0, 1000), 0),
        feed(burst(2 * MIN, 10), 0),
        feed(burst(11 * MIN, 300), 0),
        feed(burst(5 * MIN, 800), 1),
    ];
    let (summary, _) = run(cfg, traffic);
    let (hog, pc) = (&summary.functions[0], &summary.functions[1]);
    assert_eq!(pc.provisioned_invocations, 800);
    assert_eq!(summary.account.peak_concurrency, 1800);
    // At 2 minutes: nothing admitted. At 11 minutes: the 200 the pool has left.
    assert_eq!(hog.throttles, 10 + 100);
    assert_eq!(hog.invocations, 1000 + 200);
}

#[test]
fn provisioned_concurrency_is_billed_from_enabling_to_disabling_rounded_up_to_5_minutes() {
    // 10 configured at 1 minute (usable only after the 90 s allocation: billed from
    // the configuration) and removed at 8 minutes: 7 minutes, billed as 10. Another 10
    // still enabled at the end of the 20-minute run are billed to the end only.
    let f = scheduled(0, &[(MIN, 20), (8 * MIN, 10)]);
    let (summary, _) = run(config(20 * MIN, vec![f]), vec![]);
    let gb_s = |minutes: f64| minutes * 60.0 * 1.0 / 8.0;
    let want = (10.0 * gb_s(10.0) + 10.0 * gb_s(19.0)) * 0.000_004_166_7;
    let billed = summary.functions[0].cost_usd.provisioned_capacity;
    assert!((billed - want).abs() < 1e-12, "{billed} vs {want}");
}
