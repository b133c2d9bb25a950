//! Sweeps end to end: `sweep:` and `--set` through `lambdasim run`, `runs.csv` read back
//! as a table, the same arrivals at every point, and bad sweeps refused with exit 2.

use assert_cmd::Command;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn lambdasim() -> Command {
    Command::cargo_bin("lambdasim").expect("binary built")
}

/// Two synchronous functions under random traffic, one of them asynchronous too, with
/// a grid of 2 × 2 points; lines 1 to 18, `sweep:` on line 19.
const SCENARIO: &str = "name: grid
seed: 11
duration: 2m
account:
  concurrency_limit: 200
functions:
  - name: checkout
    reserved_concurrency: 40
    duration: { exponential: { mean: 400ms } }
    traffic:
      - poisson: { rate: 60 }
  - name: emails
    invocation: async
    duration: 1s
    traffic:
      - poisson: { rate: 10 }
variants:
  - name: on-demand
sweep:
  functions.checkout.provisioned_concurrency: [0, 20]
  functions.checkout.memory_mb: [512, 1024]
";

/// Writes `yaml` as `s.yaml` in a fresh directory.
fn write(yaml: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("s.yaml");
    fs::write(&path, yaml).unwrap();
    (tmp, path)
}

/// Runs `lambdasim run` on `path` with `args`, into `out` under its directory.
fn run(path: &Path, args: &[&str]) -> PathBuf {
    let out = path.parent().unwrap().join("out");
    lambdasim()
        .arg("run")
        .arg(path)
        .arg("--out")
        .arg(&out)
        .args(["--no-charts", "--quiet"])
        .args(args)
        .assert()
        .success();
    out
}

/// `runs.csv` as its header and one map of column to value per row.
fn runs_csv(out: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.len(), header.len());
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect();
    (header, rows)
}

#[test]
fn runs_csv_has_a_row_per_point_seed_and_function_with_the_swept_keys() {
    let (_tmp, path) = write(SCENARIO);
    let out = run(&path, &["--seeds", "2"]);
    let (header, rows) = runs_csv(&out);
    assert_eq!(
        header[..7],
        [
            "variant",
            "variant_entry",
            "point",
            "functions.checkout.provisioned_concurrency",
            "functions.checkout.memory_mb",
            "seed",
            "function",
        ]
    );
    for column in [
        "requests",
        "throttled_pct",
        "cold_start_pct",
        "latency_p99_ms",
        "cost_usd",
        "async_dropped",
    ] {
        assert!(header.iter().any(|h| h == column), "no {column}");
    }
    assert_eq!(rows.len(), 4 * 2 * 2, "4 points × 2 seeds × 2 functions");
    let first = &rows[0];
    assert_eq!(first["variant"], "on-demand@pc=0,mem=512");
    assert_eq!(first["variant_entry"], "on-demand");
    assert_eq!(first["point"], "pc=0,mem=512");
    assert_eq!(first["seed"], "11");
    assert_eq!(first["function"], "checkout");
    let last = &rows[15];
    assert_eq!(last["variant"], "on-demand@pc=20,mem=1024");
    assert_eq!(last["functions.checkout.provisioned_concurrency"], "20");
    assert_eq!(last["functions.checkout.memory_mb"], "1024");
    assert_eq!(last["seed"], "12");
    assert_eq!(last["function"], "emails");
    assert_eq!(first["async_received"], "", "checkout is synchronous");
    assert_ne!(rows[1]["async_received"], "");
    // Every configuration of summary.json is in runs.csv under its name.
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let names: BTreeSet<&str> = summary["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    let in_runs: BTreeSet<&str> = rows.iter().map(|r| r["variant"].as_str()).collect();
    assert_eq!(names, in_runs);
    // seeds.csv quotes the names, which hold commas.
    let mut seeds = csv::Reader::from_path(out.join("seeds.csv")).unwrap();
    let seeds: Vec<csv::StringRecord> = seeds.records().map(Result::unwrap).collect();
    assert_eq!(seeds.len(), 16);
    assert_eq!(&seeds[0][0], "on-demand@pc=0,mem=512");
}

#[test]
fn every_point_gets_the_same_arrivals_for_a_seed() {
    let (_tmp, path) = write(SCENARIO);
    let out = run(&path, &["--seeds", "2"]);
    let (_, rows) = runs_csv(&out);
    // Requests count every arrival, served or throttled: at a seed, a function has as
    // many at every point; another seed draws others.
    let mut requests: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for row in &rows {
        requests
            .entry((row["seed"].clone(), row["function"].clone()))
            .or_default()
            .insert(row["requests"].clone());
    }
    assert_eq!(requests.len(), 4);
    for (key, counts) in &requests {
        assert_eq!(counts.len(), 1, "{key:?}: {counts:?}");
    }
    let checkout = |seed: &str| requests[&(seed.to_string(), "checkout".to_string())].clone();
    assert_ne!(checkout("11"), checkout("12"));
    // The configurations differ in what they do with the same arrivals.
    let cold: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r["function"] == "checkout" && r["seed"] == "11")
        .map(|r| r["cold_starts"].as_str())
        .collect();
    assert!(cold.len() > 1, "{cold:?}");
}

#[test]
fn set_arguments_override_a_swept_key_and_sweep_a_new_one() {
    let (_tmp, path) = write(SCENARIO);
    let out = run(
        &path,
        &[
            "--set",
            "functions.checkout.memory_mb=2048",
            "--set",
            "account.concurrency_limit=200,300,400",
        ],
    );
    let (header, rows) = runs_csv(&out);
    assert_eq!(
        header[3..6],
        [
            "functions.checkout.provisioned_concurrency",
            "functions.checkout.memory_mb",
            "account.concurrency_limit",
        ]
    );
    assert_eq!(rows.len(), 2 * 3 * 2);
    assert_eq!(rows[0]["variant"], "on-demand@pc=0,limit=200");
    assert!(
        rows.iter()
            .all(|r| r["functions.checkout.memory_mb"] == "2048")
    );
    let limits: Vec<&str> = rows
        .iter()
        .step_by(2)
        .map(|r| r["account.concurrency_limit"].as_str())
        .collect();
    assert_eq!(limits, ["200", "300", "400", "200", "300", "400"]);
    // `validate` takes the same arguments and counts the points.
    let assert = lambdasim()
        .arg("validate")
        .arg(&path)
        .args(["--set", "account.concurrency_limit=200,300,400"])
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains("1 variant × 12 sweep points, 2 functions"),
        "{stdout}"
    );
}

#[test]
fn a_scenario_without_a_sweep_has_no_key_columns() {
    let yaml = SCENARIO.split("variants:").next().unwrap();
    let (_tmp, path) = write(yaml);
    let out = run(&path, &[]);
    let (header, rows) = runs_csv(&out);
    assert_eq!(
        header[..5],
        ["variant", "variant_entry", "point", "seed", "function"]
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["variant"], "base");
    assert_eq!(rows[0]["point"], "");
}

/// `run` and `validate` on `yaml` with `args` exit 2 with a message holding each of
/// `says`, and `run` leaves no output.
#[track_caller]
fn assert_refused(yaml: &str, args: &[&str], says: &[&str]) {
    let (tmp, path) = write(yaml);
    let out = tmp.path().join("out");
    for command in [
        vec!["validate"],
        vec!["run", "--out", out.to_str().unwrap()],
    ] {
        let assert = lambdasim()
            .args(&command)
            .arg(&path)
            .args(args)
            .assert()
            .code(2);
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        // The message is wrapped to the terminal's width: compare it unwrapped.
        let flat = stderr
            .lines()
            .map(|l| l.trim_start_matches([' ', '│', '×']).trim())
            .collect::<Vec<_>>()
            .join(" ");
        for part in says {
            assert!(flat.contains(part), "expected `{part}` in:\n{stderr}");
        }
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(!out.exists(), "a refused run left output behind");
}

/// `SCENARIO` with its `sweep:` body replaced by `body` (from line 20).
fn sweeping(body: &str) -> String {
    format!("{}sweep:\n{body}", SCENARIO.split("sweep:").next().unwrap())
}

#[test]
fn bad_sweeps_exit_2_naming_the_file_line_and_key() {
    let cases: [(&str, &[&str]); 6] = [
        (
            "  functions.checkout.colour: [red, blue]\n",
            &["s.yaml:20:3", "unknown setting `functions.checkout.colour`"],
        ),
        (
            "  account.concurrency_limit: { from: 400, to: 200, step: 100 }\n",
            &[
                "s.yaml:20:",
                "an empty range for `account.concurrency_limit`",
                "`to` 200 is below `from` 400",
            ],
        ),
        (
            "  functions.checkout.memory_mb: { from: 512, to: 1024, step: 0 }\n",
            &[
                "s.yaml:20:",
                "the range for `functions.checkout.memory_mb`",
                "a step above 0",
            ],
        ),
        (
            "  functions.checkout.warm_start: { from: 1, to: 1000000, step: 1 }\n",
            &[
                "s.yaml:20:",
                "1000000 values for `functions.checkout.warm_start`",
                "at most 10000",
            ],
        ),
        (
            "  functions.checkout.warm_start: { from: 1, to: 1000, step: 1 }\n  functions.emails.warm_start: { from: 1, to: 1000, step: 1 }\n",
            &[
                "s.yaml:20:",
                "1000000 sweep points",
                "`functions.checkout.warm_start`: 1000 values",
                "`functions.emails.warm_start`: 1000 values",
            ],
        ),
        (
            "  functions.checkout.memory_mb: []\n",
            &["s.yaml:20:", "no values for `functions.checkout.memory_mb`"],
        ),
    ];
    for (body, says) in cases {
        assert_refused(&sweeping(body), &[], says);
    }
}

#[test]
fn bad_set_arguments_exit_2_naming_the_argument() {
    assert_refused(
        SCENARIO,
        &["--set", "functions.checkout.colour=red,blue"],
        &[
            "s.yaml: in `--set functions.checkout.colour=red,blue`",
            "unknown setting `functions.checkout.colour`",
        ],
    );
    assert_refused(
        SCENARIO,
        &["--set", "functions.checkout.memory_mb=512,big"],
        &["--set functions.checkout.memory_mb=512,big", "bad value"],
    );
    assert_refused(SCENARIO, &["--set", "memory"], &["KEY=VALUE"]);
    let many: Vec<String> = (0..10_001).map(|i| i.to_string()).collect();
    assert_refused(
        SCENARIO,
        &[
            "--set",
            &format!("functions.checkout.warm_start={}", many.join(",")),
        ],
        &["found 10001 values for `functions.checkout.warm_start`"],
    );
}
