//! End-to-end tests of the charts and `report.html` (issue 4): every bundled scenario
//! renders, every file decodes, the limits and series are labelled, and `--no-charts`
//! writes none of it.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// The charts every variant gets.
const VARIANT_CHARTS: [&str; 6] = [
    "concurrency",
    "throttles",
    "requests",
    "environments",
    "latency",
    "cost",
];
/// The chart a variant gets when it has asynchronous functions.
const ASYNC_CHART: &str = "queue";
/// The charts comparing variants, when there are at least two.
const COMPARISON_CHARTS: [&str; 5] = ["concurrency", "throttles", "cold-starts", "latency", "cost"];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs a scenario with charts into a fresh directory and returns it.
fn run(scenario: &Path, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    Command::cargo_bin("lambdasim")
        .unwrap()
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .args(extra)
        .assert()
        .success();
    (tmp, out)
}

fn variant_names(out: &Path) -> Vec<String> {
    let summary: Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    summary["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect()
}

/// Whether each variant has a queue chart: an asynchronous, SQS or stream function (an
/// `async`, `sqs` or `stream` object in the summary).
fn variants_with_async(out: &Path) -> Vec<bool> {
    let summary: Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    summary["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            v["functions"].as_array().unwrap().iter().any(|f| {
                ["async", "sqs", "stream"]
                    .iter()
                    .any(|k| f.get(k).is_some())
            })
        })
        .collect()
}

/// A variant's name as it appears in file names: characters other than ASCII letters,
/// digits, `-`, `_` and `.` become `_`.
fn file_stem(variant: &str) -> String {
    variant
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Decodes a PNG fully and returns its size.
fn png_size(path: &Path) -> (u32, u32) {
    let file = fs::File::open(path).unwrap();
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader
        .next_frame(&mut pixels)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (info.width, info.height)
}

/// Parses an SVG file as XML and returns its text.
fn svg_text(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let doc =
        roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    text
}

/// Checks one chart's PNG and SVG and returns the SVG's text.
fn check_chart(charts: &Path, stem: &str) -> String {
    let (w, h) = png_size(&charts.join(format!("{stem}.png")));
    assert_eq!(w, 1200, "{stem}");
    assert!(h >= 300, "{stem}");
    svg_text(&charts.join(format!("{stem}.svg")))
}

/// No link, script, stylesheet, image or font that would be fetched.
fn assert_self_contained(html: &str) {
    let lower = html.to_lowercase();
    for banned in [
        "http:", "https:", "<script", "<link", "src=", "url(", "@import", "<img", "<iframe",
    ] {
        assert!(!lower.contains(banned), "report.html contains {banned}");
    }
    for (i, _) in html.match_indices("href=\"") {
        assert!(
            html[i + 6..].starts_with('#'),
            "external link in report.html"
        );
    }
}

#[test]
fn every_bundled_scenario_renders_its_charts_and_report() {
    let mut count = 0;
    for entry in fs::read_dir(repo().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let (_tmp, out) = run(&path, &[]);
        let charts = out.join("charts");
        let variants = variant_names(&out);
        let mut expected = 0;
        // A focus chart for every variant or for none: they share its window.
        let focused = charts
            .join(format!("{}-focus.png", file_stem(&variants[0])))
            .exists();
        if path.ends_with("black-friday.yaml") {
            assert!(focused, "the sale is a sliver of the day: it needs a focus");
        }
        for (variant, has_async) in variants.iter().zip(variants_with_async(&out)) {
            for kind in VARIANT_CHARTS {
                check_chart(&charts, &format!("{}-{kind}", file_stem(variant)));
                expected += 2;
            }
            if focused {
                check_chart(&charts, &format!("{}-focus", file_stem(variant)));
                expected += 2;
            }
            if has_async {
                check_chart(&charts, &format!("{}-{ASYNC_CHART}", file_stem(variant)));
                expected += 2;
            }
        }
        if variants.len() >= 2 {
            for kind in COMPARISON_CHARTS {
                let svg = check_chart(&charts, &format!("comparison-{kind}"));
                for variant in &variants {
                    assert!(svg.contains(variant.as_str()), "{kind} lacks {variant}");
                }
                expected += 2;
            }
        }
        // A plan (`objective: cost`) adds a decision chart per objective.
        if let Ok(plan) = fs::read_to_string(out.join("plan.json")) {
            let plan: Value = serde_json::from_str(&plan).unwrap();
            for k in 1..=plan["slo"].as_array().unwrap().len() {
                check_chart(&charts, &format!("decision-{k}"));
                expected += 2;
            }
        }
        let files = fs::read_dir(&charts).unwrap().count();
        assert_eq!(
            files,
            expected,
            "{}: stray or missing chart files",
            path.display()
        );

        let html = fs::read_to_string(out.join("report.html")).unwrap();
        assert_self_contained(&html);
        assert_eq!(
            html.matches("<svg").count(),
            expected / 2,
            "{}",
            path.display()
        );
        for variant in &variants {
            assert!(html.contains(variant.as_str()));
        }
        count += 1;
    }
    assert!(count >= 2);
}

#[test]
fn limit_lines_and_series_are_labelled() {
    let (_tmp, out) = run(&repo().join("scenarios/quickstart.yaml"), &[]);
    let charts = out.join("charts");
    let concurrency = svg_text(&charts.join("base-concurrency.svg"));
    for label in [
        "api",
        "worker",
        "on-demand busy",
        "initialising",
        "account limit 1000",
        "unreserved pool 940",
        "reserved 60",
        "time (min)",
        "concurrent executions",
    ] {
        assert!(
            concurrency.contains(label),
            "concurrency chart lacks {label}"
        );
    }
    let throttles = svg_text(&charts.join("base-throttles.svg"));
    for reason in [
        "reserved limit",
        "account limit",
        "scaling rate",
        "rps limit",
    ] {
        assert!(throttles.contains(reason), "throttles chart lacks {reason}");
    }
    let requests = svg_text(&charts.join("base-requests.svg"));
    assert!(requests.contains("requests / s") && requests.contains("cold starts / s"));
    let environments = svg_text(&charts.join("base-environments.svg"));
    assert!(environments.contains("all environments") && environments.contains("idle"));
    let latency = svg_text(&charts.join("base-latency.svg"));
    assert!(latency.contains("p50") && latency.contains("p99"));

    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let results = html.find("id=\"answer\"").unwrap();
    assert!(
        results < html.find("<svg").unwrap(),
        "the answer comes first"
    );
    for heading in [
        "Throttled",
        "Cold starts",
        "p99 latency",
        "Peak concurrency",
        "Cost",
    ] {
        assert!(html.contains(heading), "report lacks {heading}");
    }
    assert!(html.contains("name: quickstart"), "the scenario is shown");
}

#[test]
fn no_charts_writes_neither_charts_nor_report() {
    let (_tmp, out) = run(&repo().join("scenarios/quickstart.yaml"), &["--no-charts"]);
    assert!(out.join("summary.json").is_file());
    assert!(out.join("timeseries.csv").is_file());
    assert!(!out.join("charts").exists());
    assert!(!out.join("report.html").exists());
}

#[test]
fn a_rerun_replaces_old_charts() {
    // The charts an earlier run wrote go with it (a file it did not write is kept:
    // see the cli tests).
    let (_tmp, out) = run(&repo().join("scenarios/quickstart.yaml"), &[]);
    let stale = out.join("charts/base-concurrency.png");
    assert!(stale.exists());
    let mut cmd = Command::cargo_bin("lambdasim").unwrap();
    cmd.arg("run")
        .arg(repo().join("scenarios/quickstart.yaml"))
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--no-charts"])
        .assert()
        .success();
    assert!(!stale.exists());
    assert!(!out.join("charts").exists());
}

#[test]
fn a_focus_named_in_the_scenario_is_drawn_over_its_window() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("s.yaml");
    fs::write(
        &scenario,
        "name: s\nduration: 2h\nreport:\n  focus: { start: 30m, end: 45m }\nfunctions:\n  - name: f\n    traffic:\n      - poisson: { rate: 5 }\n",
    )
    .unwrap();
    let (_tmp, out) = run(&scenario, &[]);
    let svg = check_chart(&out.join("charts"), "base-focus");
    assert!(
        svg.contains("Focus: 0:30 to 0:45"),
        "the window in the title"
    );
    assert!(svg.contains("0:40"), "clock ticks inside the window");
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Focus: 0:30 to 0:45"));
}

#[test]
fn the_cloudwatch_example_sets_the_run_beside_what_was_observed() {
    let (_tmp, out) = run(&repo().join("scenarios/cloudwatch-replay.yaml"), &[]);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let section = html
        .split("<section id=\"observed\">")
        .nth(1)
        .expect("an observed section")
        .split("</section>")
        .next()
        .unwrap();
    // Two variants, each against the observed throttles and concurrency, per minute.
    assert_eq!(section.matches("<td>orders</td>").count(), 4);
    assert_eq!(section.matches("<td>1 min</td>").count(), 4);
    // The generated Throttles sum to this; the observed side is the same for both.
    assert_eq!(section.matches("<td>98,553</td>").count(), 2);
    for chart in ["throttles", "concurrency"] {
        let svg = fs::read_to_string(out.join(format!("charts/reserved-60-{chart}.svg"))).unwrap();
        assert!(svg.contains("observed"), "{chart}: no observed line");
    }
}
