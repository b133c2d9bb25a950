//! Variants run in parallel (rayon) give byte-identical results to a serial run: the
//! same scenario with one worker thread and with several writes the same summary.json
//! and timeseries.csv, whatever order the variants finish in.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

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

fn run(scenario: &Path, out: &Path, threads: &str) {
    Command::cargo_bin("lambdasim")
        .expect("binary built")
        .env("RAYON_NUM_THREADS", threads)
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(["--no-charts", "--quiet"])
        .assert()
        .success();
}

#[test]
fn parallel_variants_match_a_serial_run_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("parallel.yaml");
    fs::write(&scenario, SCENARIO).unwrap();
    let serial = tmp.path().join("serial");
    let parallel = tmp.path().join("parallel");
    run(&scenario, &serial, "1");
    run(&scenario, &parallel, "2");
    for file in ["summary.json", "timeseries.csv"] {
        let a = fs::read(serial.join(file)).unwrap();
        let b = fs::read(parallel.join(file)).unwrap();
        assert!(!a.is_empty(), "{file} is empty");
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
    // All six variants are there, in file order.
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(serial.join("summary.json")).unwrap()).unwrap();
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
