//! SnapStart: new environments restore a snapshot instead of running Init (AWS Lambda
//! Developer Guide, "Improving startup performance with Lambda SnapStart"), priced as
//! "AWS Lambda pricing" prices it.

mod common;
use common::*;
use lambdasim_engine::Nanos;
use lambdasim_model::*;

/// A Java-like function: a 3 s Init, 100 ms invocations.
fn slow_init() -> FunctionConfig {
    let mut f = function("f", 100 * MS);
    f.init_duration = DurationDist::Constant(3 * S);
    f.memory_mb = 2048;
    f
}

fn with_snapstart(runtime: SnapStartRuntime, restore: Nanos) -> FunctionConfig {
    let mut f = slow_init();
    f.snapstart = Some(SnapStart {
        runtime,
        restore_duration: DurationDist::Constant(restore),
    });
    f
}

#[test]
fn a_new_environment_restores_instead_of_running_init() {
    let (plain, _) = run(
        config(60 * S, vec![slow_init()]),
        vec![feed(burst(0, 3), 0)],
    );
    let f = with_snapstart(SnapStartRuntime::Java, 200 * MS);
    let (snap, _) = run(config(60 * S, vec![f]), vec![feed(burst(0, 3), 0)]);
    assert_eq!(
        (
            plain.functions[0].cold_starts,
            snap.functions[0].cold_starts
        ),
        (3, 3)
    );
    assert!((plain.functions[0].latency_ms.max - 3100.0).abs() < 1e-6);
    assert!((snap.functions[0].latency_ms.max - 300.0).abs() < 1e-6);
}

#[test]
fn java_pays_nothing_for_snapshots_and_python_pays_cache_and_restores() {
    let bill = |runtime| {
        let f = with_snapstart(runtime, 200 * MS);
        let (summary, _) = run(config(3600 * S, vec![f]), vec![feed(burst(0, 5), 0)]);
        summary.functions[0].cost_usd
    };
    let java = bill(SnapStartRuntime::Java);
    assert_eq!(java.snapstart, 0.0);
    // 2 GB cached for an hour at $0.0000015046 per GB-s, and five restores of 2 GB at
    // $0.0001397998 per GB ("AWS Lambda pricing").
    let expected = 2.0 * 3600.0 * 0.000_001_504_6 + 5.0 * 2.0 * 0.000_139_799_8;
    for runtime in [SnapStartRuntime::Python, SnapStartRuntime::Dotnet] {
        let paid = bill(runtime);
        assert!(
            (paid.snapstart - expected).abs() < 1e-12,
            "{}",
            paid.snapstart
        );
        assert!((paid.total - java.total - expected).abs() < 1e-12);
    }
}

#[test]
fn the_restore_is_billed_as_init_and_init_itself_is_not() {
    let f = with_snapstart(SnapStartRuntime::Java, 200 * MS);
    let (summary, _) = run(config(60 * S, vec![f]), vec![feed(at([0]), 0)]);
    // 200 ms of restore at 2 GB, at the first-tier x86 price; no 3 s Init.
    let init = summary.functions[0].cost_usd.init;
    assert!((init - 0.2 * 2.0 * 0.000_016_666_7).abs() < 1e-12, "{init}");
}

#[test]
fn a_restore_past_ten_seconds_fails_and_the_next_invocation_restores_again() {
    let f = with_snapstart(SnapStartRuntime::Java, 12 * S);
    let (summary, _) = run(config(60 * S, vec![f]), vec![feed(at([0, 30 * S]), 0)]);
    let f = &summary.functions[0];
    // Both stop at the 10 s limit (SnapStartTimeoutException), as errors.
    assert_eq!((f.errors, f.timeouts, f.cold_starts), (2, 0, 1));
    assert!(
        (f.latency_ms.max - 10_000.0).abs() < 1e-6,
        "{}",
        f.latency_ms.max
    );
    // An Init of 12 s without SnapStart is retried inside the invocation instead.
    let mut plain = slow_init();
    plain.init_duration = DurationDist::Constant(12 * S);
    let (summary, _) = run(config(60 * S, vec![plain]), vec![feed(at([0]), 0)]);
    assert_eq!(summary.functions[0].errors, 0);
}

#[test]
fn snapstart_with_provisioned_concurrency_or_large_tmp_is_refused() {
    let mut f = with_snapstart(SnapStartRuntime::Java, 200 * MS);
    f.provisioned_concurrency = 1;
    let error = config(S, vec![f.clone()]).validate().unwrap_err();
    assert!(
        matches!(error, ConfigError::SnapStartWith { .. }),
        "{error}"
    );
    assert!(
        error
            .fields()
            .contains(&Field::Function("provisioned_concurrency"))
    );
    f.provisioned_concurrency = 0;
    f.provisioning.autoscaling = Some(AutoscalingConfig {
        min: 0,
        max: 5,
        target_utilization: 0.7,
        scale_out_cooldown: 0,
        scale_in_cooldown: 0,
    });
    assert!(config(S, vec![f.clone()]).validate().is_err());
    f.provisioning.autoscaling = None;
    f.ephemeral_storage_mb = 1024;
    let error = config(S, vec![f]).validate().unwrap_err();
    assert!(
        error
            .fields()
            .contains(&Field::Function("ephemeral_storage_mb"))
    );
}
