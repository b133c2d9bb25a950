//! Traffic and traces through the `lambdasim` command: every CSV problem is an input
//! error (exit 2) naming the trace file and line, and the bundled traffic scenarios run.

use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};

fn lambdasim() -> Command {
    Command::cargo_bin("lambdasim").expect("binary built")
}

/// Writes `trace.csv` and a scenario replaying it with `keys` into a temp dir.
fn scenario_with_trace(csv: &str, keys: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("trace.csv"), csv).unwrap();
    let path = tmp.path().join("s.yaml");
    let yaml = format!(
        "name: s\nduration: 1h\nfunctions:\n  - name: f\n    traffic:\n      - trace: {{ file: trace.csv{keys} }}\n"
    );
    fs::write(&path, yaml).unwrap();
    (tmp, path)
}

#[test]
fn every_csv_problem_exits_2_with_the_file_and_line() {
    let cases = [
        ("offset_s\n0\n1\nsoon\n", "", 4, "`soon`"),
        // After the simulated hour: the run never reads it, the check beside it does.
        ("offset_s\n0\n7200\nsoon\n", "", 4, "`soon`"),
        ("offset_s,count\n0,3\n60,-1\n", ", counts: 1m", 3, "`-1`"),
        ("offset_s\n0\n5\n2\n", "", 4, "backwards"),
        (
            "timestamp,count\n2024-11-29T09:00:00Z,1\n",
            ", counts: 1m, time_column: period",
            1,
            "`period`",
        ),
        ("offset_s\n0\n", ", counts: 1m", 1, "`count` column"),
        (
            "period,count\n1998-06-30 10:00:00,1\n1998-06-30 09:59:00,1\n",
            ", counts: 1m",
            3,
            "backwards",
        ),
    ];
    for (csv, keys, line, needle) in cases {
        let (tmp, path) = scenario_with_trace(csv, keys);
        for command in ["validate", "run"] {
            let mut cmd = lambdasim();
            cmd.arg(command).arg(&path);
            if command == "run" {
                cmd.arg("--out")
                    .arg(tmp.path().join("out"))
                    .arg("--no-charts");
            }
            cmd.assert()
                .code(2)
                .stderr(predicate::str::contains(format!("trace.csv:{line}")))
                .stderr(predicate::str::contains(needle));
        }
        assert!(
            !tmp.path().join("out").exists(),
            "{csv:?} left output behind"
        );
    }
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn counts_trace_scenario_replays_exactly_the_files_counts() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let trace = fs::read_to_string(repo.join("scenarios/traces/per-minute.csv")).unwrap();
    let expected: u64 = trace
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse::<u64>().unwrap())
        .sum();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    lambdasim()
        .arg("run")
        .arg(repo.join("scenarios/trace-replay-counts.yaml"))
        .arg("--out")
        .arg(&out)
        .args(["--no-charts", "--quiet"])
        .assert()
        .success();
    for variant in summary(&out)["variants"].as_array().unwrap() {
        assert_eq!(variant["functions"][0]["requests"], expected);
    }
}

#[test]
fn bad_observed_input_exits_2_naming_the_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let metrics = r#"{"MetricDataResults": [
 {"Id": "inv", "Timestamps": ["2024-11-29T10:00:00Z", "2024-11-29T10:01:00Z"], "Values": [5, 5]}]}"#;
    fs::write(tmp.path().join("m.json"), metrics).unwrap();
    let bad = r#"{"MetricDataResults": [
 {"Id": "inv", "Timestamps": ["2024-11-29T10:00:00Z"], "Values": [5]},
 {"Id": "thr", "Timestamps": ["2024-11-29T10:01:00Z", "noon"], "Values": [1, 2]}]}"#;
    fs::write(tmp.path().join("bad.json"), bad).unwrap();
    let cases = [
        (
            "errors: { file: m.json, format: cloudwatch }",
            "s.yaml:8",
            "errors",
        ),
        (
            "throttles: { file: gone.json, format: cloudwatch }",
            "s.yaml:8",
            "gone.json",
        ),
        (
            "throttles: { file: m.json, format: cloudwatch, series: [Throttles] }",
            "m.json",
            "`Throttles`",
        ),
        (
            "throttles: { file: bad.json, format: cloudwatch, series: [thr] }",
            "bad.json:3",
            "`noon`",
        ),
    ];
    for (observed, place, words) in cases {
        let path = tmp.path().join("s.yaml");
        let yaml = format!(
            "name: s\nduration: 5m\nfunctions:\n  - name: f\n    traffic:\n      - trace: {{ file: m.json, format: cloudwatch, series: [inv] }}\n    observed:\n      {observed}\n"
        );
        fs::write(&path, yaml).unwrap();
        lambdasim()
            .arg("validate")
            .arg(&path)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(place).and(predicate::str::contains(words)));
    }
}
