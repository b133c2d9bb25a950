//! Shared pieces of lambdasim's benchmarks.
//!
//! Two kinds of benchmark live in this crate:
//!
//! - `cargo bench -p lambdasim-benches` runs the criterion target `benches/engine.rs`:
//!   each scenario of `benches/scenarios/` cut to a short simulated span, so the whole
//!   suite finishes in a few minutes and criterion reports invocations per second
//!   (`Throughput::Elements`).
//! - `benches/run.sh` runs the full-size scenarios through the release CLI with
//!   `--stats` and prints invocations per second and peak memory (see
//!   `docs/performance.md`).
//!
//! CI only compiles them (`cargo bench --no-run`); nothing here is a timed test.

use lambdasim_engine::{NANOS_PER_SEC, Nanos};
use lambdasim_model::{DiscardSeries, RunSummary, Simulation};
use lambdasim_scenario::{Scenario, Variant};
use std::path::{Path, PathBuf};

/// The directory of the benchmark scenarios (`benches/scenarios`).
pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// The WorldCup98 per-minute trace beside the repository, which the `worldcup`
/// scenario replays; `None` when `../shared/data` is absent.
pub fn worldcup_trace() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/worldcup98/requests-per-minute.csv");
    path.is_file().then_some(path)
}

/// A benchmark scenario's variant, loaded from `benches/scenarios/NAME.yaml`: the
/// first, or the one named after a slash (`reuse/newest`). Its simulated span is cut
/// to `span_s` seconds when given (arrivals at or after the end are never simulated,
/// so a shorter span is a prefix of the full run).
pub fn load(name: &str, span_s: Option<u64>) -> Variant {
    let (file, wanted) = name
        .split_once('/')
        .map_or((name, None), |(f, v)| (f, Some(v)));
    let path = scenarios_dir().join(format!("{file}.yaml"));
    let scenario = Scenario::load(&path)
        .unwrap_or_else(|e| panic!("benchmark scenario {}: {e}", path.display()));
    let mut variants = scenario.variants(None);
    let index = wanted.map_or(0, |wanted| {
        variants
            .iter()
            .position(|v| v.name == wanted)
            .unwrap_or_else(|| panic!("benchmark scenario {}: no variant {wanted}", path.display()))
    });
    let mut variant = variants.swap_remove(index);
    if let Some(span) = span_s {
        let span: Nanos = span * NANOS_PER_SEC;
        variant.config.duration = variant.config.duration.min(span);
        variant.config.resolution = variant.config.resolution.min(variant.config.duration);
    }
    variant
}

/// Runs a variant once, discarding the time series (what is timed is the engine, not
/// the CSV writer), and returns its summary.
pub fn run(variant: &Variant) -> RunSummary {
    let traffic = variant.traffic().expect("opening the benchmark traffic");
    Simulation::new(variant.config.clone(), traffic)
        .expect("a valid benchmark configuration")
        .run(&mut DiscardSeries, &mut |_| {})
        .expect("the benchmark run")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every benchmark scenario and named variant loads, so `run.sh` and the criterion
    /// suite cannot break unnoticed (CI only compiles the benchmarks).
    #[test]
    fn every_benchmark_scenario_loads() {
        for entry in std::fs::read_dir(scenarios_dir()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
                if name.starts_with("worldcup") && worldcup_trace().is_none() {
                    continue;
                }
                assert!(load(&name, Some(1)).config.duration > 0, "{name}");
            }
        }
        for policy in ["mru", "lru", "newest", "oldest", "random"] {
            assert_eq!(load(&format!("reuse/{policy}"), Some(1)).name, policy);
        }
    }
}
