//! End to end: `lambdasim plan` and `objective: cost` (docs/reports.md, "plan.json"):
//! the bundled plan example chooses what running the whole grid chooses, with fewer
//! runs; the same bytes twice and on one thread; exit 3 when nothing meets the SLO;
//! exit 2, at the file and key, for what cannot be planned.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example() -> PathBuf {
    repo().join("scenarios/black-friday-plan.yaml")
}

fn lambdasim() -> Command {
    Command::cargo_bin("lambdasim").expect("binary built")
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// Runs `lambdasim COMMAND SCENARIO --out DIR ARGS…` and returns the output directory
/// and stdout; `code` is the exit status expected.
fn command(tmp: &Path, name: &str, args: &[&str], scenario: &Path, code: i32) -> (PathBuf, String) {
    let out = tmp.join(name);
    let assert = lambdasim()
        .args(&args[..1])
        .arg(scenario)
        .arg("--out")
        .arg(&out)
        .args(["--no-charts"])
        .args(&args[1..])
        .assert()
        .code(code);
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    (out, stdout)
}

#[test]
fn the_plan_chooses_what_the_full_grid_chooses_with_fewer_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, stdout) = command(tmp.path(), "plan", &["plan"], &example(), 0);
    let plan = json(&out.join("plan.json"));
    let search = &plan["search"];
    assert_eq!(search["method"], "bisection");
    assert_eq!(search["key"], "functions.checkout.provisioned_concurrency");
    let (ran, grid) = (
        search["configurations_run"].as_u64().unwrap(),
        search["grid_size"].as_u64().unwrap(),
    );
    assert_eq!(grid, 84);
    assert!(ran < grid / 2, "ran {ran} of {grid}");
    // summary.json and runs.csv hold the configurations run, and only those.
    let summary = json(&out.join("summary.json"));
    assert_eq!(summary["variants"].as_array().unwrap().len() as u64, ran);
    let chosen = plan["chosen"]["name"].as_str().unwrap();
    assert!(
        stdout.contains(&format!("chosen: {chosen} at $")),
        "{stdout}"
    );
    assert_eq!(summary["slo"]["cheapest"], chosen);

    // The whole grid, run without the objective: the same cheapest configuration.
    let text = fs::read_to_string(example()).unwrap();
    let grid_file = tmp.path().join("grid.yaml");
    fs::write(&grid_file, text.replace("objective: cost\n", "")).unwrap();
    let (grid_out, _) = command(tmp.path(), "grid", &["run", "--quiet"], &grid_file, 0);
    let grid_summary = json(&grid_out.join("summary.json"));
    assert_eq!(grid_summary["variants"].as_array().unwrap().len(), 84);
    assert_eq!(grid_summary["slo"]["cheapest"], chosen);

    // Each rejected configuration names the objectives it fails and by how much, and
    // the cheaper ones are on stdout.
    for rejected in plan["rejected"].as_array().unwrap() {
        let failures = rejected["failures"].as_array().unwrap();
        assert!(!failures.is_empty(), "{rejected}");
        for f in failures {
            let threshold: f64 = f["threshold"].as_str().unwrap()[2..].parse().unwrap();
            let difference = f["judged"].as_f64().unwrap() - threshold;
            assert!((f["difference"].as_f64().unwrap() - difference).abs() < 1e-9);
        }
        let listed = stdout.contains(&format!("  {} at $", rejected["name"].as_str().unwrap()));
        assert_eq!(listed, rejected["cheaper"].as_bool().unwrap(), "{stdout}");
    }
}

#[test]
fn a_plan_gives_the_same_bytes_twice_and_on_one_thread() {
    let tmp = tempfile::tempdir().unwrap();
    let args = ["plan", "--seeds", "3", "--quiet"];
    let (a, _) = command(tmp.path(), "a", &args, &example(), 0);
    let b = tmp.path().join("b");
    lambdasim()
        .env("RAYON_NUM_THREADS", "1")
        .arg("plan")
        .arg(example())
        .args(["--no-charts", "--seeds", "3", "--quiet", "--out"])
        .arg(&b)
        .assert()
        .success();
    let (c, _) = command(tmp.path(), "c", &args, &example(), 0);
    for file in [
        "plan.json",
        "summary.json",
        "runs.csv",
        "seeds.csv",
        "timeseries.csv",
    ] {
        let first = fs::read(a.join(file)).unwrap();
        assert_eq!(first, fs::read(b.join(file)).unwrap(), "{file}: one thread");
        assert_eq!(first, fs::read(c.join(file)).unwrap(), "{file}: twice");
    }
    assert_eq!(json(&a.join("plan.json"))["seeds"], 3);
}

/// A small scenario: one function at 50 requests a second with a cold start, over
/// provisioned concurrency 0 to 8, and `slo`.
fn small(slo: &str, extra: &str) -> String {
    format!(
        "name: small\nduration: 2m\n{extra}functions:\n  - name: f\n    \
         init_duration: 500ms\n    duration: 200ms\n    traffic:\n      - constant: {{ rate: 50 }}\n\
         sweep:\n  functions.f.provisioned_concurrency: {{ from: 0, to: 8, step: 1 }}\n{slo}"
    )
}

#[test]
fn a_plan_that_nothing_meets_exits_3_with_its_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("s.yaml");
    fs::write(
        &path,
        small(
            "slo:\n  functions:\n    f:\n      latency_p99_ms: \"< 1\"\n",
            "",
        ),
    )
    .unwrap();
    let (out, stdout) = command(tmp.path(), "out", &["plan"], &path, 3);
    let plan = json(&out.join("plan.json"));
    assert_eq!(plan["chosen"], Value::Null);
    // The largest value fails: the line is given up after one run.
    assert_eq!(plan["search"]["configurations_run"], 1);
    assert!(
        stdout.contains("no configuration run meets the SLO"),
        "{stdout}"
    );
    // The margin: about 200 ms against 1 ms, some 20,000 % over.
    let line = stdout
        .lines()
        .find(|l| l.starts_with("  pc=8 at $"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let margin = line.split(" > 1 (+").nth(1).expect("a margin");
    let pct: f64 = margin.trim_end_matches(" %)").parse().unwrap();
    assert!((19_000.0..20_000.0).contains(&pct), "{line}");
}

/// `lambdasim ARGS… s.yaml` on `yaml` exits 2 with `expected` on stderr.
fn refused(yaml: &str, command: &str, expected: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("s.yaml");
    fs::write(&path, yaml).unwrap();
    let out = tmp.path().join("out");
    let mut cmd = lambdasim();
    cmd.arg(command).arg(&path);
    if command != "validate" {
        cmd.arg("--out").arg(&out);
    }
    let assert = cmd.assert().code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains(expected),
        "expected `{expected}` in:\n{stderr}"
    );
    assert!(stderr.contains("s.yaml"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn what_cannot_be_planned_is_an_input_error_at_the_file_and_key() {
    let slo = "slo:\n  account:\n    throttled_pct: \"< 1\"\n";
    refused(
        &small(slo, "objective: money\n"),
        "run",
        "found objective `money`, expected one of cost",
    );
    refused(&small(slo, "objective: money\n"), "validate", "s.yaml:3:12");
    refused(&small("", ""), "plan", "found no `slo:`");
    refused(&small("", "objective: cost\n"), "run", "s.yaml:3:12");
    let one = small(slo, "").replace("{ from: 0, to: 8, step: 1 }", "[4]");
    refused(&one, "plan", "found 1 configuration to plan over");
}

#[test]
fn the_report_opens_with_the_decision() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    lambdasim()
        .arg("plan")
        .arg(example())
        .args(["--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let plan = json(&out.join("plan.json"));
    let chosen = plan["chosen"]["name"].as_str().unwrap();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let decision = html
        .find("<section id=\"decision\">")
        .expect("a decision section");
    assert!(decision < html.find("<section id=\"answer\"").unwrap());
    assert!(html.contains(&format!(
        "The cheapest configuration that meets every objective is <strong>{chosen}</strong>"
    )));
    // One chart per objective: points labelled against the baseline, the chosen one
    // marked, no line joining them.
    for k in 1..=3 {
        let svg = fs::read_to_string(out.join(format!("charts/decision-{k}.svg"))).unwrap();
        assert!(svg.contains(": baseline"), "decision-{k}");
        assert!(
            svg.contains(&format!("{chosen} (chosen): ")),
            "decision-{k}"
        );
        assert!(svg.contains("% cheaper") || svg.contains("% dearer"));
        // Nothing joins the points: no line in their colours (blue, grey).
        for line in svg.lines().filter(|l| l.contains("<polyline")) {
            assert!(
                !line.contains("#4E79A7") && !line.contains("#BAB0AC"),
                "decision-{k} joins points: {line}"
            );
        }
    }
}

/// A stream function falling behind is judged by its iterator age: the plan over a
/// sweep of its mapping chooses the cheapest parallelization factor that keeps up.
#[test]
fn a_plan_over_a_stream_mapping_keeps_the_iterator_age_within_its_objective() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("s.yaml");
    // 300 records a second on 2 shards of batches that take 1 s: 2 lanes read 200 a
    // second and fall behind, 4 read 400, 8 read 800 in smaller (more) batches.
    let mapping =
        |factor: u32| format!("{{ stream: {{ shards: 2, parallelization_factor: {factor} }} }}");
    let scenario = format!(
        "name: clicks\nduration: 3m\nfunctions:\n  - name: f\n    duration: 1s\n    \
         invocation: {}\n    traffic:\n      - constant: {{ rate: 300 }}\n\
         sweep:\n  functions.f.invocation: [{}, {}, {}]\n\
         slo:\n  functions:\n    f:\n      stream_iterator_age_max_s: \"< 30\"\n",
        mapping(1),
        mapping(1),
        mapping(2),
        mapping(4)
    );
    fs::write(&path, scenario).unwrap();
    let (out, stdout) = command(tmp.path(), "out", &["plan"], &path, 0);
    let plan = json(&out.join("plan.json"));
    assert_eq!(plan["chosen"]["name"], "inv=v2", "{stdout}");
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(runs.as_bytes());
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let ages: Vec<(String, f64)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[at("point")].to_string(),
                r[at("stream_iterator_age_max_s")].parse().unwrap(),
            )
        })
        .collect();
    let age = |point: &str| ages.iter().find(|(p, _)| p == point).unwrap().1;
    assert!(age("inv=v1") > 30.0, "{ages:?}");
    assert!(age("inv=v2") < 30.0, "{ages:?}");
}
