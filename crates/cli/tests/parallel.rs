//! Variants and seeds run in parallel (rayon) give byte-identical results to a serial
//! run: the same scenario with one worker thread and with several writes the same
//! summary.json, runs.csv, timeseries.csv and seeds.csv, whatever order the runs finish in.

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};

/// Six variants of unequal length (so they finish out of order in parallel), each with
/// throttling, cold starts, random reuse and idle expiry: every source of randomness
/// and every counter the outputs carry.
const SCENARIO: &str = r#"
name: parallel-determinism
seed: 7
duration: 4m
resolution: 5s
account:
  concurrency_limit: 400
functions:
  - name: api
    duration: { lognormal: { median: 80ms, p99: 600ms } }
    idle_timeout: 30s
    reuse: random
    traffic:
      - poisson: { rate: 800 }
      - burst: { at: 90s, requests: 1500 }
  - name: worker
    duration: { exponential: { mean: 1s } }
    reserved_concurrency: 40
    traffic:
      - poisson: { rate: 60 }
variants:
  - name: base
  - name: small-account
    set:
      account.concurrency_limit: 200
  - name: lru
    set:
      functions.api.reuse: lru
  - name: provisioned
    set:
      functions.api.provisioned_concurrency: 50
  - name: short
    set:
      duration: 2m
  - name: legacy
    set:
      account.scaling.mode: legacy
"#;

fn run_with(scenario: &Path, out: &Path, threads: &str, args: &[&str]) {
    Command::cargo_bin("lambdasim")
        .expect("binary built")
        .env("RAYON_NUM_THREADS", threads)
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(["--no-charts", "--quiet"])
        .args(args)
        .assert()
        .success();
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

/// Three of the variants...
const VARIANTS: [&str; 6] = [
    "--variant",
    "base",
    "--variant",
    "lru",
    "--variant",
    "short",
];
/// ...three seeds each: nine runs in parallel.
const SEEDED: [&str; 8] = [
    "--seeds",
    "3",
    VARIANTS[0],
    VARIANTS[1],
    VARIANTS[2],
    VARIANTS[3],
    VARIANTS[4],
    VARIANTS[5],
];

/// Runs the scenario with `args` on 1 and on 2 threads and checks that `files` are
/// the same bytes; returns the temporary directory and the serial run's output.
fn assert_serial_equals_parallel(args: &[&str], files: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("parallel.yaml");
    fs::write(&scenario, SCENARIO).unwrap();
    let serial = tmp.path().join("serial");
    let parallel = tmp.path().join("parallel");
    run_with(&scenario, &serial, "1", args);
    run_with(&scenario, &parallel, "2", args);
    for file in files {
        let a = fs::read(serial.join(file)).unwrap();
        let b = fs::read(parallel.join(file)).unwrap();
        assert!(!a.is_empty(), "{file} is empty");
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
    (tmp, serial)
}

#[test]
fn parallel_seeds_match_a_serial_run_byte_for_byte() {
    assert_serial_equals_parallel(
        &SEEDED,
        &["summary.json", "runs.csv", "timeseries.csv", "seeds.csv"],
    );
}

#[test]
fn each_seed_is_the_run_that_seed_alone_gives() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("parallel.yaml");
    fs::write(&scenario, SCENARIO).unwrap();
    let seeded = tmp.path().join("seeded");
    run_with(&scenario, &seeded, "2", &SEEDED);

    // The first seed's outputs are a plain run's: the same time series byte for byte,
    // and the same summary but for the added spread.
    let first = tmp.path().join("first");
    run_with(&scenario, &first, "2", &VARIANTS);
    assert!(
        fs::read(seeded.join("timeseries.csv")).unwrap()
            == fs::read(first.join("timeseries.csv")).unwrap()
    );
    let mut summary = json(&seeded.join("summary.json"));
    for v in summary["variants"].as_array_mut().unwrap() {
        let spread = v
            .as_object_mut()
            .unwrap()
            .remove("seeds")
            .expect("a spread");
        assert_eq!(spread["seeds"], serde_json::json!([7, 8, 9]));
    }
    let plain = json(&first.join("summary.json"));
    assert!(plain["variants"][0].get("seeds").is_none());
    assert_eq!(summary, plain);

    // Every row of seeds.csv is what a run with that seed alone measured.
    let csv = fs::read_to_string(seeded.join("seeds.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 3 * 3 * 2, "variants x seeds x functions");
    for seed in ["7", "8", "9"] {
        let single = tmp.path().join(format!("seed-{seed}"));
        let mut args = vec!["--seed", seed];
        args.extend(VARIANTS);
        run_with(&scenario, &single, "2", &args);
        let summary = json(&single.join("summary.json"));
        for v in summary["variants"].as_array().unwrap() {
            for f in v["functions"].as_array().unwrap() {
                let row = rows
                    .iter()
                    .find(|r| r[0] == v["name"] && r[1] == seed && r[2] == f["name"])
                    .expect("a row for each variant, seed and function");
                for (column, key) in [(3, "requests"), (5, "throttles"), (7, "cold_starts")] {
                    assert_eq!(row[column], f[key].to_string(), "{key} of seed {seed}");
                }
            }
        }
    }
}

#[test]
fn parallel_variants_match_a_serial_run_byte_for_byte() {
    let (_tmp, serial) =
        assert_serial_equals_parallel(&[], &["summary.json", "runs.csv", "timeseries.csv"]);
    // All six variants are there, in file order.
    let summary = json(&serial.join("summary.json"));
    let names: Vec<&str> = summary["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "base",
            "small-account",
            "lru",
            "provisioned",
            "short",
            "legacy"
        ]
    );
}

#[test]
fn the_band_across_seeds_is_the_same_whatever_order_the_seeds_finish_in() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("parallel.yaml");
    fs::write(&scenario, SCENARIO).unwrap();
    let run = |out: &Path, threads: &str| {
        Command::cargo_bin("lambdasim")
            .expect("binary built")
            .env("RAYON_NUM_THREADS", threads)
            .arg("run")
            .arg(&scenario)
            .arg("--out")
            .arg(out)
            .args(["--quiet", "--seeds", "4", "--variant", "base"])
            .assert()
            .success();
    };
    let (serial, parallel) = (tmp.path().join("serial"), tmp.path().join("parallel"));
    run(&serial, "1");
    run(&parallel, "2");
    let svg = fs::read_to_string(serial.join("charts/base-concurrency.svg")).unwrap();
    assert!(
        svg.contains("concurrency range, 4 seeds"),
        "the band is drawn"
    );
    for chart in [
        "concurrency",
        "throttles",
        "requests",
        "environments",
        "latency",
    ] {
        for ext in ["svg", "png"] {
            let file = format!("charts/base-{chart}.{ext}");
            let a = fs::read(serial.join(&file)).unwrap();
            let b = fs::read(parallel.join(&file)).unwrap();
            assert!(a == b, "{file} differs between 1 and 2 threads");
        }
    }
}
