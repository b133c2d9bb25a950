//! End-to-end tests of the `lambdasim` command against its documented interface
//! (`README.md`, `docs/scenarios.md`).

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scenario(name: &str) -> PathBuf {
    repo().join("scenarios").join(name)
}

fn lambdasim() -> Command {
    Command::cargo_bin("lambdasim").expect("binary built")
}

/// Runs a scenario into a fresh directory and returns it.
fn run_ok(scenario: &Path, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    lambdasim()
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(&out)
        .args(["--no-charts", "--quiet"])
        .args(extra)
        .assert()
        .success();
    (tmp, out)
}

fn summary(out: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn quickstart_writes_the_documented_summary_and_time_series() {
    let (_tmp, out) = run_ok(&scenario("quickstart.yaml"), &[]);
    let s = summary(&out);
    assert_eq!(s["scenario"], "quickstart");
    let variant = &s["variants"][0];
    for key in ["name", "seed", "duration_s", "account", "functions"] {
        assert!(variant.get(key).is_some(), "variant lacks {key}");
    }
    for key in [
        "requests",
        "invocations",
        "throttles",
        "cold_starts",
        "peak_concurrency",
        "cost_usd",
    ] {
        assert!(variant["account"].get(key).is_some(), "account lacks {key}");
    }
    let f = &variant["functions"][0];
    for key in [
        "name",
        "requests",
        "invocations",
        "cold_starts",
        "throttles",
        "throttles_by_reason",
        "provisioned_invocations",
        "spillover_invocations",
        "peak_concurrency",
        "mean_concurrency",
        "peak_environments",
        "mean_environments",
        "latency_ms",
        "cost_usd",
    ] {
        assert!(f.get(key).is_some(), "function lacks {key}");
    }
    for func in variant["functions"].as_array().unwrap() {
        let requests = func["requests"].as_u64().unwrap();
        assert!(requests > 0);
        assert_eq!(
            requests,
            func["invocations"].as_u64().unwrap() + func["throttles"].as_u64().unwrap()
        );
    }
    let csv = fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    for col in [
        "variant",
        "function",
        "t_s",
        "requests",
        "invocations",
        "cold_starts",
        "throttles",
        "concurrency_max",
        "environments",
        "idle_environments",
        "provisioned_busy",
    ] {
        assert!(
            header.split(',').any(|c| c == col),
            "timeseries lacks {col}"
        );
    }
    // 30 minutes at 10 s: 180 buckets for each of 2 functions, plus the header.
    assert_eq!(csv.lines().count(), 1 + 180 * 2);
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
    let path = scenario("reserved-vs-provisioned.yaml");
    let (_a, first) = run_ok(&path, &[]);
    let (_b, second) = run_ok(&path, &[]);
    let (_c, reseeded) = run_ok(&path, &["--seed", "99"]);
    for file in ["summary.json", "runs.csv", "timeseries.csv"] {
        assert_eq!(
            fs::read(first.join(file)).unwrap(),
            fs::read(second.join(file)).unwrap(),
            "{file} differs"
        );
        assert_ne!(
            fs::read(first.join(file)).unwrap(),
            fs::read(reseeded.join(file)).unwrap()
        );
    }
    assert_eq!(summary(&reseeded)["variants"][0]["seed"], 99);
}

#[test]
fn variants_run_side_by_side_and_can_be_selected() {
    let path = scenario("reserved-vs-provisioned.yaml");
    let (_tmp, out) = run_ok(&path, &[]);
    let names: Vec<String> = summary(&out)["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "on-demand",
            "reserved-400",
            "provisioned-300",
            "reserved-400-provisioned-300"
        ]
    );
    let (_tmp, out) = run_ok(&path, &["--variant", "provisioned-300"]);
    let s = summary(&out);
    assert_eq!(s["variants"].as_array().unwrap().len(), 1);
    let checkout = &s["variants"][0]["functions"][0];
    assert!(checkout["provisioned_invocations"].as_u64().unwrap() > 0);
}

/// Runs the quickstart with `args`: exit 2, `expected` on stderr, no output directory.
fn assert_run_refused(scenario_file: &str, args: &[&str], expected: &str) {
    let tmp = tempfile::tempdir().unwrap();
    lambdasim()
        .arg("run")
        .arg(scenario(scenario_file))
        .arg("--out")
        .arg(tmp.path().join("out"))
        .args(args)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(expected));
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn an_unknown_variant_is_an_input_error() {
    assert_run_refused("quickstart.yaml", &["--variant", "nope"], "nope");
}

#[test]
fn zero_seeds_is_an_input_error() {
    assert_run_refused("quickstart.yaml", &["--seeds", "0"], "--seeds");
}

#[test]
fn more_than_100000_runs_is_an_input_error() {
    // Four variants.
    assert_run_refused(
        "reserved-vs-provisioned.yaml",
        &["--seeds", "25001"],
        "100004 runs",
    );
}

#[test]
fn more_than_a_million_kept_results_is_an_input_error() {
    // 20 functions and 50,001 seeds: within the 100,000 runs, but 1,000,020 results.
    let mut yaml = String::from("name: many\nduration: 1s\nfunctions:\n");
    for i in 0..20 {
        yaml.push_str(&format!("  - name: f{i}\n"));
    }
    let (tmp, path) = write_scenario(&yaml, &[]);
    lambdasim()
        .args(["run", "--seeds", "50001", "--out"])
        .arg(tmp.path().join("out"))
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("50001 runs × 20 functions"));
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn several_seeds_print_their_spread() {
    let tmp = tempfile::tempdir().unwrap();
    let out = lambdasim()
        .arg("run")
        .arg(scenario("quickstart.yaml"))
        .arg("--out")
        .arg(tmp.path().join("o"))
        .args(["--seeds", "2", "--no-charts"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("across 2 seeds"), "{out}");
    assert!(out.contains("base: throttled %"), "{out}");
    assert!(tmp.path().join("o/seeds.csv").is_file());
}

#[test]
fn the_table_is_printed_unless_quiet() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |quiet: bool| {
        let mut cmd = lambdasim();
        cmd.arg("run")
            .arg(scenario("quickstart.yaml"))
            .arg("--out")
            .arg(tmp.path().join("o"));
        if quiet {
            cmd.arg("--quiet");
        }
        cmd.assert().success().get_output().stdout.clone()
    };
    let loud = String::from_utf8(run(false)).unwrap();
    assert!(loud.contains("api") && loud.contains("worker"), "{loud}");
    assert!(run(true).is_empty());
}

#[test]
fn stats_reports_speed_and_memory() {
    let (_tmp, _) = run_ok(&scenario("quickstart.yaml"), &[]);
    let tmp = tempfile::tempdir().unwrap();
    lambdasim()
        .arg("run")
        .arg(scenario("quickstart.yaml"))
        .arg("--out")
        .arg(tmp.path().join("o"))
        .args(["--quiet", "--stats"])
        .assert()
        .success()
        .stdout(
            predicate::str::is_match(
                r"stats: \d+ invocations, \d+ events, .* invocations/s, peak memory",
            )
            .unwrap(),
        );
}

/// The command a bundled scenario's comment tells a user to copy, as the arguments
/// after `--`: it must be the README's form (`cargo run --release -p lambdasim -- run
/// scenarios/<this file>`), which works from the repository root.
fn commented_command(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    let line = text
        .lines()
        .find_map(|l| l.trim_start_matches('#').trim().strip_prefix("cargo run "))
        .unwrap_or_else(|| panic!("{} shows no command", path.display()));
    let (cargo, args) = line.split_once(" -- ").expect("cargo run ... -- args");
    assert_eq!(cargo, "--release -p lambdasim", "{}", path.display());
    args.split_whitespace().map(str::to_string).collect()
}

#[test]
fn every_bundled_scenario_validates_and_runs_as_its_comment_says() {
    let mut count = 0;
    for entry in fs::read_dir(repo().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            lambdasim().arg("validate").arg(&path).assert().success();
            let args = commented_command(&path);
            let name = path.file_name().unwrap().to_str().unwrap();
            assert_eq!(args, ["run", &format!("scenarios/{name}")]);
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("out");
            lambdasim()
                .current_dir(repo())
                .args(&args)
                .args(["--no-charts", "--quiet", "--out"])
                .arg(&out)
                .assert()
                .success();
            assert!(out.join("summary.json").exists(), "{}", path.display());
            count += 1;
        }
    }
    assert!(count >= 2);
}

/// Writes a scenario file (and optional extra files) into a temp dir.
fn write_scenario(yaml: &str, extra: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("s.yaml");
    fs::write(&path, yaml).unwrap();
    for (name, text) in extra {
        fs::write(tmp.path().join(name), text).unwrap();
    }
    (tmp, path)
}

/// Runs `validate` and `run` on bad input: both exit 2 naming the file and line, and
/// `run` leaves no output behind.
fn assert_input_error(yaml: &str, extra: &[(&str, &str)], location: &str) {
    let (tmp, path) = write_scenario(yaml, extra);
    let out = tmp.path().join("out");
    for args in [
        vec!["validate"],
        vec!["run", "--out", out.to_str().unwrap()],
    ] {
        let assert = lambdasim().args(&args).arg(&path).assert().code(2);
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        assert!(
            stderr.contains(location),
            "expected `{location}` in:\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(!out.exists(), "a failed run left output behind");
    let leftovers: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        leftovers
            .iter()
            .all(|n| !n.to_string_lossy().contains("tmp")),
        "{leftovers:?}"
    );
}

const BASE: &str = "name: t\nduration: 10s\nfunctions:\n  - name: f\n";

#[test]
fn an_unknown_key_names_its_line_and_column() {
    assert_input_error(&format!("{BASE}    colour: blue\n"), &[], "s.yaml:5:5");
}

#[test]
fn malformed_yaml_is_an_input_error() {
    assert_input_error("name: [t\nduration: 1s\n", &[], "s.yaml:");
}

#[test]
fn provisioned_above_reserved_is_rejected_at_the_function() {
    assert_input_error(
        &format!("{BASE}    reserved_concurrency: 10\n    provisioned_concurrency: 20\n"),
        &[],
        "s.yaml:4",
    );
}

#[test]
fn a_bad_trace_line_names_the_trace_file_and_line() {
    let yaml = format!("{BASE}    traffic:\n      - trace: {{ file: t.csv }}\n");
    assert_input_error(&yaml, &[("t.csv", "offset_s\n0.5\n1.0\nabc\n")], "t.csv:4");
}

/// Runs `validate` on a scenario that must fail with exit 2, and returns its stderr.
fn validate_fails(yaml: &str, extra: &[(&str, &str)]) -> String {
    let (_tmp, path) = write_scenario(yaml, extra);
    let assert = lambdasim().arg("validate").arg(&path).assert().code(2);
    String::from_utf8(assert.get_output().stderr.clone()).unwrap()
}

#[test]
fn a_yaml_error_shows_its_line_with_the_value_underlined_and_labelled() {
    let stderr = validate_fails(&format!("{BASE}    memory_mb: 99999\n"), &[]);
    // The message is as before: position first.
    assert!(
        stderr.contains("s.yaml:5:16: found memory_mb 99999"),
        "{stderr}"
    );
    // Then the excerpt: the line before and the line itself, numbered.
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines.iter().any(|l| l.ends_with("4 │   - name: f")),
        "{stderr}"
    );
    let at = lines
        .iter()
        .position(|l| l.ends_with("5 │     memory_mb: 99999"))
        .unwrap_or_else(|| panic!("no excerpt in:\n{stderr}"));
    // Under it, the value (and only the value) is underlined, and labelled.
    let column = |line: &str, text: &str| line.find(text).map(|i| line[..i].chars().count());
    let value = column(lines[at], "99999").unwrap();
    let underline: Vec<char> = lines[at + 1].chars().collect();
    assert_eq!(underline[value - 1], ' ', "{stderr}");
    assert!(
        underline[value..value + 5].iter().all(|&c| c != ' '),
        "{stderr}"
    );
    assert_eq!(underline.get(value + 5), None, "{stderr}");
    assert!(lines[at + 2].ends_with("╰── here"), "{stderr}");
}

#[test]
fn a_trace_error_has_no_excerpt() {
    let yaml = format!("{BASE}    traffic:\n      - trace: {{ file: t.csv }}\n");
    let stderr = validate_fails(&yaml, &[("t.csv", "offset_s\n0.5\nabc\n")]);
    assert!(stderr.contains("t.csv:3: found `abc`"), "{stderr}");
    assert!(!stderr.contains("here"), "{stderr}");
}

#[test]
fn a_missing_trace_file_is_an_input_error_naming_the_path_it_resolved() {
    let yaml = format!("{BASE}    traffic:\n      - trace: {{ file: missing.csv }}\n");
    assert_input_error(&yaml, &[], "missing.csv");
    // Named from the scenario's own directory: the message adds the full path.
    let (tmp, _) = write_scenario(&yaml, &[]);
    let resolved = tmp.path().join("missing.csv");
    let assert = lambdasim()
        .current_dir(tmp.path())
        .args(["validate", "s.yaml"])
        .assert()
        .code(2);
    // The terminal report wraps long lines: compare without the wrapping.
    let unwrapped: String = String::from_utf8_lossy(&assert.get_output().stderr)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '│')
        .collect();
    let want = format!("({})", resolved.display());
    assert!(unwrapped.contains(&want), "{unwrapped}");
}

#[test]
fn an_existing_unrelated_directory_is_never_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("mine");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("precious.txt"), "keep").unwrap();
    lambdasim()
        .arg("run")
        .arg(scenario("quickstart.yaml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    assert_eq!(
        fs::read_to_string(out.join("precious.txt")).unwrap(),
        "keep"
    );
}

#[test]
fn an_earlier_output_holding_a_users_files_is_not_replaced() {
    let (_tmp, out) = run_ok(&scenario("quickstart.yaml"), &[]);
    fs::write(out.join("notes.txt"), "keep").unwrap();
    lambdasim()
        .arg("run")
        .arg(scenario("quickstart.yaml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("notes.txt"));
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "keep");
}

#[test]
fn a_run_writes_only_what_it_may_replace_later() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = || {
        lambdasim()
            .arg("run")
            .arg(scenario("quickstart.yaml"))
            .arg("--out")
            .arg(&out)
            .args(["--quiet", "--seeds", "2"])
            .assert()
            .success();
    };
    run();
    for entry in fs::read_dir(&out).unwrap() {
        let name = entry.unwrap().file_name();
        assert!(
            lambdasim_report::OUTPUT_NAMES.contains(&name.to_str().unwrap()),
            "{name:?} is not in OUTPUT_NAMES"
        );
    }
    run();
}

#[cfg(unix)]
#[test]
fn an_interrupted_run_exits_130_and_leaves_nothing() {
    use std::time::{Duration, Instant};
    let (tmp, path) = write_scenario(
        "name: long\nduration: 3650d\nresolution: 1h\nfunctions:\n  - name: f\n    traffic:\n      - poisson: { rate: 100 }\n",
        &[],
    );
    let out = tmp.path().join("nested/out");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("lambdasim"))
        .arg("run")
        .arg(&path)
        .arg("--out")
        .arg(&out)
        // Ten years at 100 a second: far above --max-requests, on purpose.
        .args(["--quiet", "--no-charts", "--yes"])
        .spawn()
        .unwrap();
    // Wait for the run to have started writing, a minute at most.
    let deadline = Instant::now() + Duration::from_secs(60);
    while fs::read_dir(tmp.path().join("nested")).map_or(true, |mut d| d.next().is_none())
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let left: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [std::ffi::OsString::from("s.yaml")], "{left:?}");
}

#[test]
fn an_out_that_names_no_directory_is_an_input_error_said_before_running() {
    let (tmp, path) = write_scenario(BASE, &[]);
    for out in ["/", ".", ".."] {
        lambdasim()
            .current_dir(tmp.path())
            .args(["run", "--quiet", "--out", out])
            .arg(&path)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("has no name to write to"));
    }
}

#[test]
fn a_users_file_inside_an_earlier_outputs_charts_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = || {
        lambdasim()
            .arg("run")
            .arg(scenario("quickstart.yaml"))
            .args(["--quiet", "--out"])
            .arg(&out)
            .assert()
    };
    run().success();
    fs::write(out.join("charts").join("slides.pdf"), "keep").unwrap();
    run()
        .code(2)
        .stderr(predicate::str::contains("charts/slides.pdf"));
    assert_eq!(
        fs::read_to_string(out.join("charts").join("slides.pdf")).unwrap(),
        "keep"
    );
}

#[test]
fn a_bad_trace_row_stops_a_run_of_huge_work_at_once() {
    // The first row asks for 2^53 requests in its minute, far more work than a test
    // could wait for; the second row is malformed. The trace check finds it at once
    // and the run must stop soon after (it used to run for ten minutes). The timeout
    // guards against a hang; it does not measure speed.
    let yaml = format!("{BASE}    traffic:\n      - trace: {{ file: t.csv, counts: 1m }}\n");
    let (tmp, path) = write_scenario(
        &yaml,
        &[("t.csv", "period,count\n0,9007199254740992\n60,x\n")],
    );
    lambdasim()
        .args(["run", "--quiet", "--out"])
        .arg(tmp.path().join("out"))
        .arg(&path)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("t.csv:3"));
}

/// The requests a trace replays are known only once it is read: the check beside the
/// run counts them and refuses too much work as the estimate before a run does.
#[test]
fn a_trace_scaled_to_days_of_work_is_refused() {
    // 3 rows of 1,000 a minute, scaled by 10^9: 3 × 10^12 requests.
    let yaml = format!(
        "{BASE}    traffic:\n      - trace: {{ file: t.csv, counts: 1m }}\n        scale: 1e9\n"
    )
    .replace("duration: 10s", "duration: 1h");
    let (tmp, path) = write_scenario(
        &yaml,
        &[("t.csv", "period,count\n0,1000\n60,1000\n120,1000\n")],
    );
    lambdasim()
        .args(["run", "--quiet", "--out"])
        .arg(tmp.path().join("out"))
        .arg(&path)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("3.000e12 requests"))
        .stderr(predicate::str::contains("--yes"));
    assert!(!tmp.path().join("out").exists());
    // Within the limit, the same trace runs.
    let modest = yaml.replace("scale: 1e9", "scale: 2");
    std::fs::write(&path, modest).unwrap();
    lambdasim()
        .args(["run", "--quiet", "--no-charts", "--out"])
        .arg(tmp.path().join("out"))
        .arg(&path)
        .assert()
        .success();
}

#[test]
fn an_unreadable_scenario_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    let long = tmp.path().join("x".repeat(300));
    let looped = tmp.path().join("loop.yaml");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&looped, &looped).unwrap();
    for path in [long, looped] {
        lambdasim().arg("validate").arg(&path).assert().code(2);
    }
}

#[test]
fn a_run_of_days_is_refused_before_it_starts_unless_asked_for() {
    // 10^9 requests a second for an hour: about 3.6 × 10^12 requests, 100 hours.
    let yaml = format!("{BASE}    traffic:\n      - poisson: {{ rate: 1e9 }}\n")
        .replace("duration: 10s", "duration: 1h");
    let (tmp, path) = write_scenario(&yaml, &[]);
    lambdasim()
        .args(["run", "--quiet", "--out"])
        .arg(tmp.path().join("out"))
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("3.600e12 requests"))
        .stderr(predicate::str::contains("--yes"));
    assert!(!tmp.path().join("out").exists());
    // A small --max-requests refuses the quickstart too; --yes overrides it.
    assert_run_refused(
        "quickstart.yaml",
        &["--max-requests", "1000"],
        "--max-requests 1000",
    );
    let (_tmp, out) = run_ok(
        &scenario("quickstart.yaml"),
        &["--max-requests", "1000", "--yes"],
    );
    assert!(out.join("summary.json").is_file());
}

#[test]
fn an_output_error_is_printed_once() {
    // The output directory would be inside a file: the run fails writing, not reading.
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    fs::write(&file, "not a directory").unwrap();
    let assert = lambdasim()
        .arg("run")
        .arg(scenario("quickstart.yaml"))
        .arg("--out")
        .arg(file.join("out"))
        .arg("--quiet")
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(stderr.matches("Not a directory").count(), 1, "{stderr}");
    assert_eq!(stderr.matches("failed").count(), 1, "{stderr}");
}

/// The commands shown in the README and in `docs/`: the lines of indented code blocks
/// (fenced blocks hold YAML and tables) that start with a command, with the file each
/// comes from. A continued line (`\`) is joined to the next.
fn documented_commands() -> Vec<(String, String)> {
    let mut files = vec![repo().join("README.md")];
    let mut docs: Vec<PathBuf> = fs::read_dir(repo().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    let starts = [
        "cargo ",
        "lambdasim ",
        "benches/",
        "fuzz/",
        "python3 ",
        "perf ",
        "FUZZ_",
        ".ci/",
    ];
    let mut commands = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let (mut fenced, mut previous_blank, mut in_block) = (false, true, false);
        let mut pending = String::new();
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                continue;
            }
            let indented = line.starts_with("    ");
            in_block = !fenced && indented && (in_block || previous_blank);
            previous_blank = line.trim().is_empty();
            if !in_block {
                continue;
            }
            let code = line.trim();
            let code = code.split(" #").next().unwrap().trim();
            pending.push_str(code.trim_end_matches('\\'));
            if code.ends_with('\\') {
                continue;
            }
            let command = std::mem::take(&mut pending);
            if starts.iter().any(|s| command.starts_with(s)) {
                commands.push((name.clone(), command));
            }
        }
    }
    commands
}

/// Every command the README and `docs/` show is run or checked: `cargo run` ones run
/// (they must be the README's form, from the repository root), the `lambdasim`
/// synopses' options must be the command's, `cargo build`/`test` must name workspace
/// packages, and scripts and fuzz targets must exist. Benchmarks, fuzzing and profiling
/// take minutes to hours and an external tool; they are not run here.
#[test]
fn every_documented_command_runs_or_names_what_exists() {
    let commands = documented_commands();
    let help = |sub: &str| {
        let out = lambdasim().args([sub, "--help"]).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let packages: Vec<String> = fs::read_dir(repo().join("crates"))
        .unwrap()
        .filter_map(|e| fs::read_to_string(e.unwrap().path().join("Cargo.toml")).ok())
        .filter_map(|toml| {
            let line = toml.lines().find(|l| l.starts_with("name"))?.to_string();
            Some(line.split('"').nth(1)?.to_string())
        })
        .collect();
    let mut ran = 0;
    for (file, command) in &commands {
        let words: Vec<&str> = command.split_whitespace().collect();
        let at = format!("{file}: {command}");
        match words.as_slice() {
            ["cargo", "run", rest @ ..] => {
                let dash = rest.iter().position(|w| *w == "--").expect(&at);
                assert_eq!(rest[..dash], ["--release", "-p", "lambdasim"], "{at}");
                let args = &rest[dash + 1..];
                let tmp = tempfile::tempdir().unwrap();
                let mut cmd = lambdasim();
                cmd.current_dir(repo()).args(args);
                if args.first() == Some(&"run") {
                    cmd.args(["--quiet", "--out"]).arg(tmp.path().join("out"));
                }
                cmd.assert().success();
                ran += 1;
            }
            ["cargo", "build" | "test", rest @ ..] => {
                for pair in rest.windows(2).filter(|w| w[0] == "-p") {
                    assert!(packages.iter().any(|p| p == pair[1]), "{at}");
                }
                assert!(
                    rest.iter()
                        .all(|w| w.starts_with('-') || packages.iter().any(|p| p == w)),
                    "{at}"
                );
            }
            ["cargo", "+nightly", "fuzz", "run", rest @ ..] => {
                // The first word that is neither an option nor `--sanitizer`'s value.
                let mut words = rest.iter();
                let target = loop {
                    match words.next().expect(&at) {
                        &"--sanitizer" => {
                            words.next();
                        }
                        w if !w.starts_with('-') => break w,
                        _ => {}
                    }
                };
                let file = format!("fuzz/fuzz_targets/{target}.rs");
                assert!(repo().join(file).exists(), "{at}");
            }
            [
                "lambdasim",
                sub @ ("run" | "plan" | "merge" | "validate" | "fit"),
                rest @ ..,
            ] => {
                let help = help(sub);
                for option in rest.iter().filter(|w| w.contains("--")) {
                    let option = option.trim_matches(|c| c == '[' || c == ']' || c == '.');
                    assert!(help.contains(option), "{at}: {option} is not an option");
                }
            }
            ["python3", script, ..] => assert!(repo().join(script).exists(), "{at}"),
            ["perf", ..] => {
                for scenario in words.iter().filter(|w| w.ends_with(".yaml")) {
                    assert!(repo().join(scenario).exists(), "{at}");
                }
            }
            [script, ..] => {
                let script = script.split('=').next_back().unwrap();
                let script = if script.contains('/') {
                    script
                } else {
                    words[1]
                };
                let meta = fs::metadata(repo().join(script)).expect(&at);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    assert!(
                        meta.permissions().mode() & 0o111 != 0,
                        "{at}: not executable"
                    );
                }
                let _ = meta;
            }
            _ => {}
        }
    }
    assert!(ran >= 1, "the README's first command: {commands:?}");
    // The README's two commands, as CI runs the second.
    let readme: Vec<&String> = commands
        .iter()
        .filter(|(f, _)| f == "README.md")
        .map(|(_, c)| c)
        .collect();
    assert!(readme[0].starts_with("cargo run --release -p lambdasim -- run scenarios/"));
    assert_eq!(readme[1], "cargo test --workspace");
    let ci = fs::read_to_string(repo().join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l == readme[1]),
        "CI runs the README's tests"
    );
}

/// `docs/scale-out.md` shows each scheduler's file as it is in `docs/scale-out/`, the
/// files `.ci/slurm-e2e` submits (the Slurm ones) and whose variables
/// `tests/shard.rs` checks (the others).
#[test]
fn the_scale_out_page_shows_the_job_files_as_they_are() {
    let page = fs::read_to_string(repo().join("docs/scale-out.md")).unwrap();
    let dir = repo().join("docs/scale-out");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 6, "{names:?}");
    for name in names {
        let text = fs::read_to_string(dir.join(&name)).unwrap();
        let shown = format!("`docs/scale-out/{name}`");
        assert!(page.contains(&shown), "{shown} is not named");
        let fenced = format!("\n{}```\n", text);
        assert!(
            page.contains(&fenced),
            "docs/scale-out.md does not show {name} as it is"
        );
    }
    let e2e = fs::read_to_string(repo().join(".ci/slurm-e2e")).unwrap();
    for script in [
        "docs/scale-out/shards.sbatch",
        "docs/scale-out/merge.sbatch",
    ] {
        assert!(
            e2e.contains(script),
            ".ci/slurm-e2e does not submit {script}"
        );
    }
}

/// The README's picture is the chart its first command draws, byte for byte: the
/// caption names the chart (`charts/<stem>.png`), the image is `docs/<name>.png`.
#[test]
fn the_readme_picture_is_what_its_first_command_draws() {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let image = readme
        .split("](docs/")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .expect("a picture in docs/");
    let chart = readme
        .split("`charts/")
        .skip(1)
        .filter_map(|rest| rest.split('`').next())
        .find(|name| name.ends_with(".png"))
        .expect("the caption names its chart");
    let (_, command) = documented_commands()
        .into_iter()
        .find(|(file, c)| file == "README.md" && c.starts_with("cargo run"))
        .unwrap();
    let args: Vec<&str> = command
        .split(" -- ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    lambdasim()
        .current_dir(repo())
        .args(&args)
        .args(["--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let drawn = fs::read(out.join("charts").join(chart)).unwrap();
    let shown = fs::read(repo().join("docs").join(image)).unwrap();
    assert!(
        drawn == shown,
        "docs/{image} is not the {chart} that `{command}` draws: copy it there"
    );
}

#[test]
fn validate_and_run_warn_of_hourly_counts_on_standard_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("h.csv"),
        "offset_s,count\n0,3600\n3600,7200\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("s.yaml"),
        "name: s\nduration: 2h\nfunctions:\n  - name: f\n    traffic:\n      - trace: { file: h.csv, counts: 1h }\n",
    )
    .unwrap();
    for args in [
        vec!["validate", "s.yaml"],
        vec!["run", "s.yaml", "--quiet", "--no-charts"],
    ] {
        let out = lambdasim()
            .current_dir(dir.path())
            .args(&args)
            .assert()
            .success();
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(
            stderr.contains("s.yaml:6:") && stderr.contains("warning: found counts of 3600s each"),
            "{args:?}: {stderr}"
        );
    }
}
