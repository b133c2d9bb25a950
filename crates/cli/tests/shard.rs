//! Sharding end to end: `run --shard I/N` (or a scheduler's variables) and `merge`
//! give byte for byte the outputs of one run on one machine; shards that do not make
//! up one command, and malformed shard arguments, are refused with exit 2 and nothing
//! written.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Every variable a scheduler sets that `run` reads a shard from.
const SCHEDULER_VARS: [&str; 7] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_STEP",
    "SLURM_ARRAY_TASK_COUNT",
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
    "AWS_BATCH_JOB_ARRAY_SIZE",
];

/// The command, with no scheduler's variables (a test may run inside an array job).
fn lambdasim() -> Command {
    let mut cmd = Command::cargo_bin("lambdasim").expect("binary built");
    for var in SCHEDULER_VARS {
        cmd.env_remove(var);
    }
    cmd
}

/// A grid of 2 × 2 points of two functions (one asynchronous, whose event ages are
/// NaN where none ran), with an SLO the points with provisioned concurrency meet.
const SCENARIO: &str = "name: grid
seed: 7
duration: 2m
resolution: 1s
account:
  concurrency_limit: 200
functions:
  - name: checkout
    reserved_concurrency: 40
    duration: { exponential: { mean: 400ms } }
    traffic:
      - poisson: { rate: 60 }
      - spike: { at: 40s, rate: 120, ramp_up: 10s, hold: 20s, ramp_down: 10s }
  - name: emails
    invocation: async
    duration: 1s
    traffic:
      - poisson: { rate: 3 }
sweep:
  functions.checkout.provisioned_concurrency: [0, 30]
  functions.checkout.memory_mb: [512, 1024]
slo:
  functions:
    checkout:
      cold_start_pct: \"< 0.3\"
";

/// Writes `yaml` as `s.yaml` in a fresh directory.
fn write(yaml: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("s.yaml");
    fs::write(&path, yaml).unwrap();
    (tmp, path)
}

/// Every file below `dir`, by its path relative to it, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(at) = pending.pop() {
        for entry in fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                found.insert(name, fs::read(&path).unwrap());
            }
        }
    }
    found
}

/// Asserts two output directories hold the same files, byte for byte.
fn assert_same_files(expected: &Path, actual: &Path) {
    let (expected, actual) = (files(expected), files(actual));
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        actual.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &expected {
        assert!(bytes == &actual[name], "{name} differs");
    }
}

/// Runs `scenario` with `args` into `out`, expecting exit status `code`.
fn run(scenario: &Path, out: &Path, args: &[&str], code: i32) {
    lambdasim()
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(args)
        .assert()
        .code(code);
}

/// Runs the `count` shards of `scenario` with `args` into `dir/shard-I`.
fn shards(scenario: &Path, dir: &Path, count: u64, args: &[&str]) -> Vec<PathBuf> {
    (1..=count)
        .map(|i| {
            let out = dir.join(format!("shard-{i}"));
            let shard = format!("{i}/{count}");
            let mut all = vec!["--shard", shard.as_str()];
            all.extend(args);
            run(scenario, &out, &all, 0);
            out
        })
        .collect()
}

/// `lambdasim merge` of `dirs` into `out`.
fn merge(dirs: &[PathBuf], out: &Path) -> assert_cmd::assert::Assert {
    lambdasim()
        .arg("merge")
        .args(dirs)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .assert()
}

#[test]
fn three_shards_merged_are_the_whole_run_byte_for_byte_charts_included() {
    let (tmp, scenario) = write(SCENARIO);
    let whole = tmp.path().join("whole");
    run(&scenario, &whole, &["--seeds", "3"], 0);
    // 4 configurations × 3 seeds in 3 shards of 4 runs: the second and third
    // configurations' seeds are split between shards, so their bands are joined.
    let dirs = shards(&scenario, tmp.path(), 3, &["--seeds", "3"]);
    for dir in &dirs {
        assert!(!dir.join("summary.json").exists());
        assert!(dir.join("shard.cbor").is_file());
    }
    let merged = tmp.path().join("merged");
    merge(&dirs, &merged).success();
    let written = files(&merged);
    for name in ["report.html", "seeds.csv", "runs.csv", "timeseries.csv"] {
        assert!(written.contains_key(name), "{name}");
    }
    assert!(
        written
            .keys()
            .any(|n| n.starts_with("charts/") && n.ends_with(".png"))
    );
    assert!(
        written
            .keys()
            .any(|n| n.starts_with("charts/") && n.ends_with(".svg"))
    );
    assert_same_files(&whole, &merged);
    // The order the directories are given in does not matter.
    let reversed: Vec<PathBuf> = dirs.iter().rev().cloned().collect();
    let again = tmp.path().join("again");
    merge(&reversed, &again).success();
    assert_same_files(&whole, &again);
}

#[test]
fn more_shards_than_runs_and_one_seed_without_charts_merge_too() {
    let (tmp, scenario) = write(SCENARIO);
    let whole = tmp.path().join("whole");
    run(&scenario, &whole, &["--no-charts"], 0);
    // 4 runs in 6 shards: two shards run nothing, and say so.
    let dirs = shards(&scenario, tmp.path(), 6, &["--no-charts"]);
    let merged = tmp.path().join("merged");
    merge(&dirs, &merged).success();
    assert_same_files(&whole, &merged);
}

#[test]
fn merge_exits_3_as_run_does_when_no_configuration_meets_the_slo() {
    let strict = SCENARIO.replace("\"< 0.3\"", "\"< 0.0001\"");
    let (tmp, scenario) = write(&strict);
    let whole = tmp.path().join("whole");
    run(&scenario, &whole, &["--no-charts"], 3);
    // Shards judge nothing: each exits 0.
    let dirs = shards(&scenario, tmp.path(), 2, &["--no-charts"]);
    let merged = tmp.path().join("merged");
    merge(&dirs, &merged).code(3);
    assert_same_files(&whole, &merged);
}

/// The shard a run with the environment `vars` (and `args`) writes, as the bytes of
/// its results.
fn shard_from_env(scenario: &Path, out: &Path, vars: &[(&str, &str)], args: &[&str]) -> Vec<u8> {
    lambdasim()
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(["--quiet", "--no-charts", "--shard", "auto"])
        .args(args)
        .envs(vars.iter().copied())
        .assert()
        .success();
    fs::read(out.join("shard.cbor")).unwrap()
}

/// The schedulers' variables, as `docs/scale-out.md`'s jobs set them, give the shards
/// `--shard` gives: Slurm's array `1-3` (ids from 1), a Kubernetes Indexed Job's index
/// from 0 with `--shard-count`, and an AWS Batch array's index from 0 and its size.
#[test]
fn schedulers_variables_give_the_same_shards_as_the_flag() {
    let (tmp, scenario) = write(SCENARIO);
    let dir = tmp.path();
    for i in 1..=3u64 {
        let flag = dir.join(format!("flag-{i}"));
        run(
            &scenario,
            &flag,
            &["--no-charts", "--shard", &format!("{i}/3")],
            0,
        );
        let expected = fs::read(flag.join("shard.cbor")).unwrap();
        let (id, index) = (i.to_string(), (i - 1).to_string());
        let slurm = [
            ("SLURM_ARRAY_TASK_ID", id.as_str()),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ];
        let k8s = [("JOB_COMPLETION_INDEX", index.as_str())];
        let aws = [
            ("AWS_BATCH_JOB_ARRAY_INDEX", index.as_str()),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "3"),
        ];
        let out = |name: &str| dir.join(format!("{name}-{i}"));
        let ran = [
            shard_from_env(&scenario, &out("slurm"), &slurm, &[]),
            shard_from_env(&scenario, &out("k8s"), &k8s, &["--shard-count", "3"]),
            shard_from_env(&scenario, &out("aws"), &aws, &[]),
        ];
        for (name, bytes) in ["slurm", "k8s", "aws"].iter().zip(ran) {
            assert!(
                bytes == expected,
                "{name}'s shard {i} is not --shard {i}/3's"
            );
        }
    }
    let dirs: Vec<PathBuf> = (1..=3).map(|i| dir.join(format!("k8s-{i}"))).collect();
    merge(&dirs, &dir.join("merged")).success();
}

/// Inside an array task, a command without `--shard auto` runs whole: a task of an
/// array that runs a different scenario each is not split by surprise.
#[test]
fn the_schedulers_variables_are_read_only_with_shard_auto() {
    let (tmp, scenario) = write(SCENARIO);
    let out = tmp.path().join("whole");
    lambdasim()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--no-charts"])
        .envs([
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ])
        .assert()
        .success();
    assert!(out.join("summary.json").is_file());
    assert!(!out.join("shard.cbor").exists());
}

/// Runs `lambdasim` with `args` (and the environment `vars`), expecting exit 2 with a
/// message holding each of `expected`, and nothing at `out`.
fn refused(args: &[&std::ffi::OsStr], vars: &[(&str, &str)], out: &Path, expected: &[&str]) {
    let output = lambdasim()
        .args(args)
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    // The terminal's width wraps the message, anywhere in a path too.
    let unwrapped = |text: &str| -> String {
        text.chars()
            .filter(|c| !c.is_whitespace() && *c != '│')
            .collect()
    };
    for text in expected {
        assert!(
            unwrapped(&stderr).contains(&unwrapped(text)),
            "expected `{text}` in: {stderr}"
        );
    }
    assert!(!out.exists(), "{} was written", out.display());
}

#[test]
fn malformed_shards_are_input_errors_naming_the_flag_or_variable() {
    let (tmp, scenario) = write(SCENARIO);
    let out = tmp.path().join("out");
    let args = |extra: &[&str]| -> Vec<std::ffi::OsString> {
        let mut all: Vec<std::ffi::OsString> = vec![
            "run".into(),
            scenario.clone().into(),
            "--out".into(),
            out.clone().into(),
        ];
        all.extend(extra.iter().map(Into::into));
        all
    };
    let os = |v: &[std::ffi::OsString]| {
        v.iter()
            .map(|s| s.as_os_str().to_owned())
            .collect::<Vec<_>>()
    };
    let check = |extra: &[&str], vars: &[(&str, &str)], expected: &[&str]| {
        let all = os(&args(extra));
        let refs: Vec<&std::ffi::OsStr> = all.iter().map(|s| s.as_os_str()).collect();
        refused(&refs, vars, &out, expected);
    };
    for bad in ["3/2", "0/0", "0/3", "two/3", "3"] {
        check(
            &["--shard", bad],
            &[],
            &[&format!("--shard: found `{bad}`"), "I/N"],
        );
    }
    check(
        &["--shard", "auto"],
        &[
            ("SLURM_ARRAY_TASK_ID", "9"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "8"),
        ],
        &["SLURM_ARRAY_TASK_ID: found 9", "SLURM_ARRAY_TASK_MIN=1"],
    );
    check(
        &["--shard", "auto"],
        &[("JOB_COMPLETION_INDEX", "1")],
        &["JOB_COMPLETION_INDEX", "--shard-count"],
    );
    check(
        &["--shard", "auto"],
        &[
            ("AWS_BATCH_JOB_ARRAY_INDEX", "-1"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "3"),
        ],
        &["AWS_BATCH_JOB_ARRAY_INDEX: found `-1`, expected a whole number"],
    );
    check(
        &["--shard-count", "3"],
        &[],
        &["--shard-count goes with --shard auto"],
    );
    check(&["--shard", "auto"], &[], &["--shard auto: found none of"]);
    // A plan cannot be split ahead of time, nor a scenario that plans.
    let mut plan = args(&["--shard", "1/2"]);
    plan[0] = "plan".into();
    let plan = os(&plan);
    let refs: Vec<&std::ffi::OsStr> = plan.iter().map(|s| s.as_os_str()).collect();
    refused(&refs, &[], &out, &["--shard asks for a shard of a plan"]);
}

#[test]
fn merging_what_is_not_one_commands_shards_names_the_directories() {
    let (tmp, scenario) = write(SCENARIO);
    let dir = tmp.path();
    let dirs = shards(&scenario, dir, 3, &["--no-charts"]);
    let out = dir.join("merged");
    let merge_refused = |dirs: &[PathBuf], expected: &[&str]| {
        let mut args: Vec<std::ffi::OsString> = vec!["merge".into()];
        args.extend(dirs.iter().map(|d| d.clone().into_os_string()));
        args.extend(["--out".into(), out.clone().into_os_string()]);
        let refs: Vec<&std::ffi::OsStr> = args.iter().map(|s| s.as_os_str()).collect();
        refused(&refs, &[], &out, expected);
    };
    let name = |p: &Path| p.display().to_string();
    // Missing shards, named.
    merge_refused(&dirs[..1], &["missing shards 2/3, 3/3 of 3"]);
    // A shard given twice.
    let twice = [dirs[0].clone(), dirs[1].clone(), dirs[1].clone()];
    merge_refused(&twice, &[&name(&dirs[1]), "are both shard 2/3"]);
    // A shard of another scenario.
    let other_dir = dir.join("other");
    fs::create_dir(&other_dir).unwrap();
    let other = other_dir.join("s.yaml");
    fs::write(&other, SCENARIO.replace("seed: 7", "seed: 8")).unwrap();
    let foreign = other_dir.join("shard-2");
    run(&other, &foreign, &["--no-charts", "--shard", "2/3"], 0);
    let mixed = [dirs[0].clone(), foreign.clone(), dirs[2].clone()];
    merge_refused(
        &mixed,
        &[
            &name(&dirs[0]),
            &name(&foreign),
            "shards of different runs",
            "scenario files",
        ],
    );
    // Shards of other arguments.
    let seeds = dir.join("seeds-2");
    run(
        &scenario,
        &seeds,
        &["--no-charts", "--seeds", "2", "--shard", "2/3"],
        0,
    );
    merge_refused(
        &[dirs[0].clone(), seeds, dirs[2].clone()],
        &["--seeds arguments differ (1 against 2)"],
    );
    // A shard of another version.
    let old = dir.join("old");
    copy_dir(&dirs[1], &old);
    let results = old.join("shard.cbor");
    let version = env!("CARGO_PKG_VERSION");
    let bytes = fs::read(&results).unwrap();
    let at = bytes
        .windows(version.len())
        .position(|w| w == version.as_bytes())
        .unwrap();
    let mut edited = bytes.clone();
    let older: String = version
        .chars()
        .map(|c| if c == '.' { c } else { '9' })
        .collect();
    edited[at..at + version.len()].copy_from_slice(older.as_bytes());
    fs::write(&results, edited).unwrap();
    merge_refused(
        &[dirs[0].clone(), old.clone(), dirs[2].clone()],
        &[
            &name(&old),
            &format!("written by lambdasim {older}, expected {version}"),
        ],
    );
    // A failed shard: a directory without results, or with a damaged file.
    fs::write(&results, &bytes[..bytes.len() / 2]).unwrap();
    merge_refused(
        &[dirs[0].clone(), old.clone(), dirs[2].clone()],
        &[&format!("cannot read the shard results {}", name(&results))],
    );
    fs::remove_file(&results).unwrap();
    merge_refused(
        &[dirs[0].clone(), old.clone(), dirs[2].clone()],
        &[&format!("found no shard.cbor in {}", name(&old))],
    );
    merge_refused(
        &[dirs[0].clone(), dir.join("nowhere"), dirs[2].clone()],
        &["found no directory", "nowhere"],
    );
    // The scenario edited since the shards ran.
    fs::write(&scenario, SCENARIO.replace("rate: 60", "rate: 61")).unwrap();
    merge_refused(&dirs, &[&name(&scenario), "changed since the shards ran"]);
}

/// Merges `dirs` into `out`, expecting exit 2 with `expected` in the message.
fn merge_refused_with(dirs: &[PathBuf], out: &Path, expected: &[&str]) {
    let mut args: Vec<std::ffi::OsString> = vec!["merge".into()];
    args.extend(dirs.iter().map(|d| d.clone().into_os_string()));
    args.extend(["--out".into(), out.to_path_buf().into_os_string()]);
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|s| s.as_os_str()).collect();
    refused(&refs, &[], out, expected);
}

/// A trace is an input the scenario's text does not hold: shards that read different
/// copies of it, or a trace changed since the shards ran, are refused.
#[test]
fn shards_of_different_traces_or_a_changed_trace_are_not_merged() {
    let (tmp, scenario) = write(
        "name: replay\nseed: 3\nduration: 1m\nfunctions:\n  - name: f\n    traffic:\n      - trace: { file: t.csv }\nsweep:\n  functions.f.memory_mb: [512, 1024]\n",
    );
    let dir = tmp.path();
    let trace = dir.join("t.csv");
    fs::write(&trace, "offset_s\n0.5\n1.5\n2.5\n").unwrap();
    let dirs = shards(&scenario, dir, 2, &["--no-charts"]);
    merge(&dirs, &dir.join("merged")).success();
    // The trace changed since: the merge would describe runs of another trace.
    fs::write(&trace, "offset_s\n0.5\n1.5\n2.6\n").unwrap();
    merge_refused_with(
        &dirs,
        &dir.join("after"),
        &["changed since the shards ran", "its inputs differ"],
    );
    // Shard 2 ran on the new copy, shard 1 on the old one.
    run(&scenario, &dirs[1], &["--no-charts", "--shard", "2/2"], 0);
    merge_refused_with(
        &dirs,
        &dir.join("mixed"),
        &["inputs (configurations, observed series, trace files)"],
    );
}

#[test]
fn a_shard_run_again_replaces_its_earlier_output() {
    let (tmp, scenario) = write(SCENARIO);
    let dirs = shards(&scenario, tmp.path(), 2, &["--no-charts"]);
    let before = files(&dirs[0]);
    run(&scenario, &dirs[0], &["--no-charts", "--shard", "1/2"], 0);
    assert_eq!(
        files(&dirs[0]).keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert!(files(&dirs[0])[".lambdasim-files"] == before[".lambdasim-files"]);
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}
