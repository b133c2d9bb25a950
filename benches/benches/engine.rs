//! Criterion benchmarks of the simulation engine, reported in simulated invocations per
//! second. Each scenario of `benches/scenarios/` runs over a short simulated span so the
//! suite takes a few minutes; `benches/run.sh` runs the full-size versions.
//!
//!     cargo bench -p lambdasim-benches
//!     cargo bench -p lambdasim-benches -- steady     # one of them

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lambdasim_benches::{load, run, worldcup_trace};
use std::hint::black_box;
use std::time::Duration;

/// (benchmark, scenario, simulated seconds)
const CASES: [(&str, &str, u64); 5] = [
    // 10,000 requests/s for 1 min: 600,000 invocations.
    ("steady-1m", "steady", 60),
    // 100 functions for 2 min: about 2 million requests, throttling included.
    ("wide-2m", "wide", 120),
    // 100,000 busy environments for 30 s: 1.5 million invocations, the fleet built in
    // the first seconds.
    ("huge-fleet-30s", "huge-fleet", 30),
    // SimFaaS's workload for 1 h (360,000 invocations) under the default reuse policy
    // and under `newest`, which keeps a creation order besides the idle list.
    ("reuse-mru-1h", "reuse/mru", 3600),
    ("reuse-newest-1h", "reuse/newest", 3600),
];

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    for (bench, scenario, span) in CASES {
        let variant = load(scenario, Some(span));
        // Runs are deterministic: one run tells how many invocations every run makes.
        let invocations = run(&variant).account.invocations;
        group.throughput(Throughput::Elements(invocations));
        group.bench_function(bench, |b| b.iter(|| black_box(run(black_box(&variant)))));
    }
    // WorldCup98 when the data is there: its sparse first two days (1.9 million
    // requests) and four of its busiest hours (13.9 million), which stand for the
    // whole trace's time.
    for (bench, scenario, span) in [
        ("worldcup-2d", "worldcup", Some(2 * 86_400)),
        ("worldcup-busy", "worldcup-busy", None),
    ] {
        if worldcup_trace().is_none() {
            eprintln!("engine/{bench}: skipped: ../shared/data absent");
            continue;
        }
        let variant = load(scenario, span);
        let invocations = run(&variant).account.invocations;
        group.throughput(Throughput::Elements(invocations));
        group.bench_function(bench, |b| b.iter(|| black_box(run(black_box(&variant)))));
    }
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
