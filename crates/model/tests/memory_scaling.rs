//! Memory that changes duration: CPU in proportion to memory, one vCPU at 1,769 MB (AWS
//! Lambda Developer Guide, "Configure Lambda function memory").

mod common;
use common::*;
use lambdasim_model::*;

/// A function whose 1 s Invoke, 80 % of it CPU-bound, was measured at one vCPU.
fn measured_at_one_vcpu(memory_mb: u32, threads: u32) -> FunctionConfig {
    let mut f = function("f", S);
    f.memory_mb = memory_mb;
    f.memory_scaling = Some(MemoryScaling {
        reference_mb: 1769,
        cpu_share: 0.8,
        threads,
    });
    f
}

/// The longest latency of one request, in ms.
fn latency_ms(f: FunctionConfig) -> f64 {
    let (summary, _) = run(config(60 * S, vec![f]), vec![feed(at([0]), 0)]);
    summary.functions[0].latency_ms.max
}

#[test]
fn the_cpu_bound_share_scales_with_the_cpu_memory_buys() {
    // 128 MB is 128/1769 of a vCPU: 0.2 s + 0.8 s × 1769/128.
    let expected = 200.0 + 800.0 * 1769.0 / 128.0;
    assert!((latency_ms(measured_at_one_vcpu(128, 1)) - expected).abs() < 0.01);
    // Half a vCPU doubles the CPU-bound part.
    let half = latency_ms(measured_at_one_vcpu(884, 1));
    assert!(
        (half - (200.0 + 800.0 * 1769.0 / 884.0)).abs() < 0.01,
        "{half}"
    );
    assert!((latency_ms(measured_at_one_vcpu(1769, 1)) - 1000.0).abs() < 1e-6);
}

#[test]
fn one_thread_gains_nothing_beyond_one_vcpu_and_two_threads_do() {
    assert!((latency_ms(measured_at_one_vcpu(3538, 1)) - 1000.0).abs() < 1e-6);
    // Two vCPUs' worth, both used: 0.2 s + 0.8 s / 2.
    assert!((latency_ms(measured_at_one_vcpu(3538, 2)) - 600.0).abs() < 0.01);
    // Six threads at 10,240 MB: 10,240 / 1,769 vCPUs.
    let six = latency_ms(measured_at_one_vcpu(10_240, 6));
    assert!(
        (six - (200.0 + 800.0 * 1769.0 / 10_240.0)).abs() < 0.01,
        "{six}"
    );
}

#[test]
fn a_duration_given_by_the_traffic_is_scaled_as_a_drawn_one() {
    let f = measured_at_one_vcpu(3538, 2);
    let given = Arrival {
        time: 0,
        duration: Some(2 * S),
        target: 0,
    };
    let source = Box::new(ListSource(vec![given].into_iter()));
    let (summary, _) = run(config(60 * S, vec![f]), vec![feed(source, 0)]);
    assert!((summary.functions[0].latency_ms.max - 1200.0).abs() < 0.01);
}

#[test]
fn every_distribution_is_scaled_draw_by_draw() {
    let lognormal = DurationDist::Lognormal {
        median: 100 * MS,
        p99: 400 * MS,
    };
    let mut at_reference = function("f", 0);
    at_reference.duration = lognormal.clone();
    at_reference.memory_mb = 1024;
    let mut doubled = at_reference.clone();
    // All CPU-bound, measured at 1,024 MB and run at 512: every draw twice as long.
    doubled.memory_mb = 512;
    doubled.memory_scaling = Some(MemoryScaling {
        reference_mb: 1024,
        cpu_share: 1.0,
        threads: 1,
    });
    let latencies = |f: FunctionConfig| {
        let (summary, _) = run(config(60 * S, vec![f]), vec![feed(even(20, 50 * S), 0)]);
        summary.functions[0].latency_ms
    };
    let (plain, scaled) = (latencies(at_reference), latencies(doubled));
    for (p, s) in [(plain.p50, scaled.p50), (plain.p99, scaled.p99)] {
        assert!((s / p - 2.0).abs() < 0.02, "{p} ms → {s} ms");
    }
}

#[test]
fn the_bill_follows_memory_times_the_scaled_duration() {
    let cost = |memory_mb| {
        let f = measured_at_one_vcpu(memory_mb, 1);
        let (summary, _) = run(config(60 * S, vec![f]), vec![feed(even(10, 50 * S), 0)]);
        summary.functions[0].cost_usd.duration
    };
    // MB-seconds: 128 MB × 11.256 s against 1,769 MB × 1 s per request, the small one
    // cheaper; beyond one vCPU a single thread pays for memory it cannot use.
    let (small, one_vcpu, two_vcpus) = (cost(128), cost(1769), cost(3538));
    assert!((small / one_vcpu - 128.0 * 11.25625 / 1769.0).abs() < 0.01);
    assert!((two_vcpus / one_vcpu - 2.0).abs() < 0.01);
}

#[test]
fn settings_outside_their_ranges_are_refused() {
    for (scaling, field) in [
        ((100, 0.5, 1), "memory_scaling.reference_mb"),
        ((1769, 1.5, 1), "memory_scaling.cpu_share"),
        ((1769, f64::NAN, 1), "memory_scaling.cpu_share"),
        ((1769, 0.5, 0), "memory_scaling.threads"),
        ((1769, 0.5, 7), "memory_scaling.threads"),
    ] {
        let mut f = function("f", S);
        f.memory_scaling = Some(MemoryScaling {
            reference_mb: scaling.0,
            cpu_share: scaling.1,
            threads: scaling.2,
        });
        let error = config(S, vec![f]).validate().unwrap_err();
        assert_eq!(error.fields(), &[Field::Function(field)], "{error}");
    }
}
