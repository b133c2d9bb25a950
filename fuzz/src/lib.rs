//! What the fuzz targets share: a scratch directory per process, loading a scenario
//! from it, and reading every stream's arrivals while checking the `ArrivalSource`
//! contract.
//!
//! An input error (`Err(ScenarioError)` from loading, checking or reading) is an
//! expected outcome. A finding is a panic, a hang, a crash, or a broken contract:
//! arrival times that decrease or fall outside `[0, duration)`, a target index out of
//! range, or `next_batch` disagreeing with `next_arrival`.

use lambdasim_model::Arrival;
use lambdasim_scenario::{Scenario, Variant};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Arrivals read from each stream: enough to cross several trace rows and windows,
/// few enough that a count of 2^53 does not stall the fuzzer.
pub const MAX_ARRIVALS: usize = 5_000;

/// The process's scratch directory. It outlives the process (libFuzzer exits without
/// running destructors); it is small, and under `$TMPDIR`.
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("lambdasim-fuzz-")
            .tempdir()
            .expect("a scratch directory")
            .keep()
    })
}

/// Writes the bundled example traces where `scenarios/*.yaml` name them
/// (`traces/…`), once per process, so the example scenarios load whole.
pub fn write_example_traces() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        write(
            "traces/requests.csv",
            include_bytes!("../../scenarios/traces/requests.csv"),
        );
        write(
            "traces/per-minute.csv",
            include_bytes!("../../scenarios/traces/per-minute.csv"),
        );
        write(
            "t.csv",
            "offset_s,function,duration_ms\n0.5,f,20\n1,,\n2.5,f,100\n",
        );
    });
}

/// Writes `contents` to `name` in the scratch directory and returns its path.
pub fn write(name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = scratch().join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("a scratch subdirectory");
    }
    std::fs::write(&path, contents).expect("a scratch file");
    path
}

/// Loads `yaml` as `scenario.yaml` in the scratch directory, as `lambdasim run`
/// does: everything but the traces first, then the traces checked to the end. The
/// streams are then read whether or not the check passed (a run reads them beside
/// the check, so a reader meets malformed rows too). Returns whether the scenario
/// and its traces were valid.
pub fn load_and_read(yaml: impl AsRef<[u8]>) -> bool {
    let path = write("scenario.yaml", yaml);
    let Ok(scenario) = Scenario::load_deferring_traces(&path) else {
        return false;
    };
    let checked = scenario.check_traces().is_ok();
    let variants = scenario.variants(None);
    for variant in &variants {
        read_streams(variant);
    }
    checked
}

/// Reads up to [`MAX_ARRIVALS`] arrivals of each of the variant's streams, one at a
/// time and again in batches, checking what `ArrivalSource` promises (times in order, within the span).
pub fn read_streams(variant: &Variant) {
    let Ok(one_by_one) = variant.traffic() else {
        return;
    };
    let Ok(batched) = variant.traffic() else {
        return;
    };
    let end = variant.config.duration;
    for (index, (mut single, mut batch)) in one_by_one.into_iter().zip(batched).enumerate() {
        let mut singles = Vec::new();
        let mut single_failed = false;
        while singles.len() < MAX_ARRIVALS {
            match single.source.next_arrival() {
                Ok(Some(arrival)) => singles.push(arrival),
                Ok(None) => break,
                Err(_) => {
                    single_failed = true;
                    break;
                }
            }
        }
        let mut batches: Vec<Arrival> = Vec::new();
        let mut batch_failed = false;
        for max in [1, 7, 64].into_iter().cycle() {
            let before = batches.len();
            if batch.source.next_batch(&mut batches, max).is_err() {
                batch_failed = true;
                break;
            }
            let got = batches.len() - before;
            assert!(got <= max, "stream {index}: next_batch({max}) gave {got}");
            if got < max || batches.len() >= MAX_ARRIVALS {
                break;
            }
        }
        batches.truncate(MAX_ARRIVALS);
        let stream = format!("variant {} stream {index}", variant.name);
        check_order(&singles, end, single.targets.len(), &stream);
        // Both reads see the same file and the same random numbers: the same arrivals,
        // up to where either stopped on an error.
        let common = singles.len().min(batches.len());
        assert_eq!(
            singles[..common],
            batches[..common],
            "{stream}: next_batch and next_arrival disagree"
        );
        if !single_failed && !batch_failed {
            assert_eq!(
                singles.len(),
                batches.len(),
                "{stream}: next_batch and next_arrival read different counts"
            );
        }
    }
}

/// Times never decrease and stay in `[0, end)`; targets index the stream's targets.
fn check_order(arrivals: &[Arrival], end: u64, targets: usize, stream: &str) {
    for pair in arrivals.windows(2) {
        assert!(
            pair[0].time <= pair[1].time,
            "{stream}: time goes backwards: {:?} then {:?}",
            pair[0],
            pair[1]
        );
    }
    for arrival in arrivals {
        assert!(
            arrival.time < end,
            "{stream}: {arrival:?} at or after the end {end}"
        );
        assert!(
            (arrival.target as usize) < targets.max(1),
            "{stream}: {arrival:?} targets past the {targets} functions"
        );
    }
}

/// `text` as a YAML double-quoted scalar that reads back as exactly `text`.
pub fn yaml_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            // Non-printable in YAML's sense (C1 controls, surrogates cannot occur, BOM,
            // non-characters): escape them too, whatever the parser makes of them raw.
            c if c.is_control() || c == '\u{feff}' || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push_str(&format!("\\U{:08x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
