//! End to end: `scenarios/provisioned-autoscaling.yaml` runs, and its outputs show
//! provisioned concurrency changing over time and the async function's queue.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The scenario's output: `summary.json` and the rows of `timeseries.csv`.
struct Output {
    summary: Value,
    rows: Vec<HashMap<String, String>>,
}

fn run_scenario() -> Output {
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/provisioned-autoscaling.yaml");
    let tmp = tempfile::tempdir().unwrap();
    let out: PathBuf = tmp.path().join("out");
    Command::cargo_bin("lambdasim")
        .unwrap()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .args(["--no-charts", "--quiet"])
        .assert()
        .success();
    let summary = serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap())
        .expect("summary.json is JSON");
    let csv = fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    for column in ["provisioned_allocated", "queue_depth"] {
        assert!(header.contains(&column), "timeseries.csv lacks {column}");
    }
    let rows = lines
        .map(|line| {
            header
                .iter()
                .zip(line.split(','))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    Output { summary, rows }
}

impl Output {
    fn function(&self, variant: &str, function: &str) -> &Value {
        let variant = self.summary["variants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == variant)
            .unwrap_or_else(|| panic!("no variant {variant}"));
        variant["functions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == function)
            .unwrap_or_else(|| panic!("no function {function}"))
    }

    /// `(t_s, column)` of every bucket of one variant and function.
    fn series(&self, variant: &str, function: &str, column: &str) -> Vec<(f64, u64)> {
        self.rows
            .iter()
            .filter(|r| r["variant"] == variant && r["function"] == function)
            .map(|r| (r["t_s"].parse().unwrap(), r[column].parse().unwrap()))
            .collect()
    }
}

#[test]
fn provisioned_autoscaling_scenario_shows_schedules_autoscaling_and_the_async_queue() {
    let out = run_scenario();

    let mean = |variant: &str| {
        out.function(variant, "assistant")["mean_provisioned_allocated"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(mean("on-demand"), 0.0);
    assert!(
        (mean("static-300") - 300.0).abs() < 1e-9,
        "{}",
        mean("static-300")
    );
    let autoscaled = mean("autoscaled");
    assert!(
        autoscaled > 50.0 && (autoscaled - mean("static-300")).abs() > 1.0,
        "autoscaled mean {autoscaled}"
    );

    // The schedule's step at 8 h: 50 before, 320 once allocated (within minutes).
    let allocated = out.series("scheduled", "assistant", "provisioned_allocated");
    let at = |from_h: f64, to_h: f64| {
        allocated
            .iter()
            .filter(|(t, _)| *t >= from_h * 3600.0 && *t < to_h * 3600.0)
            .map(|&(_, v)| v)
            .collect::<Vec<_>>()
    };
    assert!(at(0.0, 8.0).iter().all(|&v| v == 50), "{:?}", at(0.0, 8.0));
    assert!(
        at(8.5, 20.0).iter().all(|&v| v == 320),
        "{:?}",
        at(8.5, 20.0)
    );
    assert!(
        at(20.5, 24.0).iter().all(|&v| v == 50),
        "{:?}",
        at(20.5, 24.0)
    );

    let thumbnailer = out.function("on-demand", "thumbnailer");
    let events = &thumbnailer["async"];
    let count = |key: &str| events[key].as_u64().unwrap_or_else(|| panic!("{key}"));
    assert!(count("received") > 0);
    assert_eq!(
        count("received"),
        count("succeeded") + count("dropped") + count("queued_at_end")
    );
    assert!(events["age_ms"]["p99"].as_f64().unwrap() > 0.0);
    assert!(
        out.function("on-demand", "assistant")
            .get("async")
            .is_none()
    );
    let deepest = out
        .series("on-demand", "thumbnailer", "queue_depth")
        .iter()
        .map(|&(_, depth)| depth)
        .max()
        .unwrap();
    assert!(deepest > 0, "the thumbnailer never queued");
}
