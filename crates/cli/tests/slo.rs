//! `slo:` end to end: every configuration judged, the verdicts in summary.json, and
//! `lambdasim run` exiting 3 (with its outputs written) when no configuration meets
//! the SLO, so that it can gate a pipeline.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

fn lambdasim() -> Command {
    Command::cargo_bin("lambdasim").expect("binary built")
}

/// A function whose reserved concurrency of 20 throttles a part of its traffic unless
/// its duration is short: the sweep's 100 ms meets `throttled_pct < 1`, 400 ms does
/// not. Lines 1 to 15; `slo:` starts on line 16.
const SCENARIO: &str = r#"name: gate
seed: 3
duration: 2m
functions:
  - name: api
    reserved_concurrency: 20
    duration: { exponential: { mean: 400ms } }
    traffic:
      - poisson: { rate: 80 }
  - name: idle
    traffic:
      - burst: { at: 1m, requests: 1 }
sweep:
  functions.api.duration: [400ms, 100ms]
"#;

fn write(yaml: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("s.yaml");
    fs::write(&path, yaml).unwrap();
    (tmp, path)
}

/// Runs `path` with `args`: the exit status, stdout and stderr, and the output dir.
fn run(path: &Path, args: &[&str]) -> (i32, String, String, PathBuf) {
    let out = path.parent().unwrap().join("out");
    let output = lambdasim()
        .arg("run")
        .arg(path)
        .arg("--out")
        .arg(&out)
        .arg("--no-charts")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        out,
    )
}

fn summary(out: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn a_configuration_that_meets_the_slo_passes_and_the_others_are_named() {
    let yaml = format!(
        "{SCENARIO}slo:\n  functions:\n    api:\n      throttled_pct: \"< 1\"\n      latency_p99_ms: \"<= 2000\"\n"
    );
    let (_tmp, path) = write(&yaml);
    let (code, stdout, stderr, out) = run(&path, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("fails dur=400ms  api throttled_pct "),
        "{stdout}"
    );
    assert!(stdout.contains("meets dur=100ms"), "{stdout}");
    assert!(
        stdout.contains("1 of 2 configurations meet the SLO"),
        "{stdout}"
    );
    let s = summary(&out);
    assert_eq!(
        s["slo"]["objectives"],
        serde_json::json!(["api throttled_pct < 1", "api latency_p99_ms <= 2000"])
    );
    assert_eq!(s["slo"]["met_by"], serde_json::json!(["dur=100ms"]));
    assert_eq!(s["slo"]["cheapest"], "dur=100ms");
    assert!(
        stdout.contains("the cheapest that meets it: dur=100ms at $"),
        "{stdout}"
    );
    let verdict = &s["variants"][0]["slo"];
    assert_eq!(verdict["met"], false);
    assert_eq!(verdict["objectives"][0]["met"], false);
    assert_eq!(verdict["objectives"][0]["scope"], "api");
    assert_eq!(verdict["objectives"][0]["threshold"], "< 1");
    assert!(verdict["objectives"][0]["judged"].as_f64().unwrap() > 1.0);
    assert!(verdict["objectives"][0].get("ci95").is_none(), "one seed");
    assert_eq!(s["variants"][1]["slo"]["met"], true);
    let validated = lambdasim().arg("validate").arg(&path).output().unwrap();
    let stdout = String::from_utf8(validated.stdout).unwrap();
    assert!(
        stdout.contains("valid (1 variant × 2 sweep points, 2 functions, 2 objectives)"),
        "{stdout}"
    );
}

#[test]
fn with_seeds_the_pessimistic_end_of_the_interval_is_judged() {
    let yaml = format!("{SCENARIO}slo:\n  account:\n    throttled_pct: \"< 1\"\n");
    let (_tmp, path) = write(&yaml);
    let (code, stdout, stderr, out) = run(&path, &["--seeds", "3"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("95 % confidence interval"), "{stdout}");
    let s = summary(&out);
    for variant in s["variants"].as_array().unwrap() {
        let o = &variant["slo"]["objectives"][0];
        let ci = o["ci95"].as_array().expect("an interval with three seeds");
        let (low, high) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
        let mean = o["mean"].as_f64().unwrap();
        assert!(low <= mean && mean <= high, "{o}");
        assert_eq!(
            o["judged"].as_f64().unwrap(),
            high,
            "`<` judges the upper end"
        );
        // The mean is the account's throttled % averaged over the seeds.
        let spread = variant["seeds"]["throttled_pct"]["mean"].as_f64().unwrap();
        assert!((spread - mean).abs() < 1e-9, "{o}");
    }
}

/// `runs.csv`'s rows of `function`, as maps from column to value.
fn runs_rows(out: &Path, function: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    reader
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[header.iter().position(|h| h == "function").unwrap()] == function)
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn runs_csv_shows_on_each_seed_row_the_interval_the_slo_judges() {
    let yaml = format!("{SCENARIO}slo:\n  functions:\n    api:\n      throttled_pct: \"< 1\"\n");
    let (_tmp, path) = write(&yaml);
    let (code, _, stderr, out) = run(&path, &["--seeds", "3"]);
    assert_eq!(code, 0, "{stderr}");
    let s = summary(&out);
    let rows = runs_rows(&out, "api");
    assert_eq!(rows.len(), 2 * 3, "2 configurations × 3 seeds");
    for (c, variant) in s["variants"].as_array().unwrap().iter().enumerate() {
        let ci = variant["slo"]["objectives"][0]["ci95"].as_array().unwrap();
        for row in &rows[c * 3..c * 3 + 3] {
            assert_eq!(row["variant"], variant["name"].as_str().unwrap());
            for (end, column) in [(0, "throttled_pct_ci_low"), (1, "throttled_pct_ci_high")] {
                let shown: f64 = row[column].parse().unwrap();
                assert!(
                    (shown - ci[end].as_f64().unwrap()).abs() <= 5e-5,
                    "{column}: {row:?}"
                );
            }
            // Every measure a function has gets its interval, judged or not; an
            // asynchronous one of a synchronous function is empty.
            assert!(!row["latency_p99_ms_ci_high"].is_empty());
            assert!(row["async_dropped_pct_ci_low"].is_empty());
        }
    }
    // With one seed there is no interval.
    let (_, _, _, out) = run(&path, &[]);
    for row in runs_rows(&out, "api") {
        assert!(row["throttled_pct_ci_low"].is_empty() && row["throttled_pct_ci_high"].is_empty());
    }
}

#[test]
fn no_configuration_meeting_the_slo_exits_3_with_the_outputs_written() {
    let yaml = format!(
        "{SCENARIO}slo:\n  account:\n    throttled_pct: \"< 1\"\n  functions:\n    api:\n      latency_p50_ms: \"< 1\"\n"
    );
    let (_tmp, path) = write(&yaml);
    let (code, stdout, stderr, out) = run(&path, &["--quiet"]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("no configuration meets the scenario's slo: (2 judged"),
        "{stderr}"
    );
    assert_eq!(summary(&out)["slo"]["met_by"], serde_json::json!([]));
    assert!(summary(&out)["slo"].get("cheapest").is_none());
    assert!(out.join("runs.csv").is_file());
    // A latency of a function that served nothing fails: it has no value.
    let yaml = format!(
        "{}slo:\n  functions:\n    idle:\n      latency_p99_ms: \"< 5000\"\n",
        SCENARIO.replace("requests: 1 }", "requests: 0 }")
    );
    let (_tmp, path) = write(&yaml);
    let (code, stdout, _, _) = run(&path, &[]);
    assert_eq!(code, 3);
    assert!(
        stdout.contains("idle latency_p99_ms: no value in 1 run"),
        "{stdout}"
    );
}

#[test]
fn a_bad_slo_exits_2_naming_the_file_line_and_key() {
    for (slo, says) in [
        (
            "  account:\n    latency_p99_ms: \"< 800\"\n",
            "s.yaml:17:5: found `latency_p99_ms` for the account",
        ),
        (
            "  functions:\n    api:\n      p99_ms: \"< 800\"\n",
            "s.yaml:18:7: found unknown metric `p99_ms` for api",
        ),
        (
            "  functions:\n    api:\n      throttled_pct: 1\n",
            "s.yaml:18:22: found `1`, expected an operator",
        ),
    ] {
        let (tmp, path) = write(&format!("{SCENARIO}slo:\n{slo}"));
        for command in ["validate", "run"] {
            let output = lambdasim().arg(command).arg(&path).output().unwrap();
            assert_eq!(output.status.code(), Some(2), "{command} {slo}");
            let stderr = String::from_utf8(output.stderr).unwrap();
            assert!(stderr.contains(says), "{stderr}");
        }
        assert!(!tmp.path().join("out").exists());
    }
}

#[test]
fn an_asynchronous_functions_event_age_and_drops_are_judged() {
    let yaml = r#"name: queue
seed: 4
duration: 2m
functions:
  - name: jobs
    invocation: async
    duration: 1s
    max_event_age: 1m
    traffic:
      - poisson: { rate: 10 }
sweep:
  functions.jobs.reserved_concurrency: [2, 50]
slo:
  functions:
    jobs:
      async_age_p99_ms: "< 1000"
      async_dropped_pct: "<= 0"
"#;
    let (_tmp, path) = write(yaml);
    let (code, stdout, stderr, out) = run(&path, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("fails rc=2   jobs async_age_p99_ms "),
        "{stdout}"
    );
    assert!(stdout.contains("meets rc=50"), "{stdout}");
    let s = summary(&out);
    assert_eq!(s["slo"]["met_by"], serde_json::json!(["rc=50"]));
    let starved = &s["variants"][0]["slo"]["objectives"];
    assert!(starved[0]["judged"].as_f64().unwrap() > 1000.0, "{starved}");
    assert!(starved[1]["judged"].as_f64().unwrap() > 0.0, "{starved}");
}
