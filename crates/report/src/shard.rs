//! A command's runs split over machines: `lambdasim run --shard I/N` makes one slice of
//! them and keeps every result in its output directory, for `lambdasim merge` to
//! rebuild the outputs the whole command would have written (see `docs/scale-out.md`).
//!
//! A command's runs are its (configuration, seed) pairs, configuration by
//! configuration and seed by seed; shard I of N makes the I-th of N contiguous slices
//! of that list, as equal as they can be. A shard's directory holds [`RESULTS`] (what
//! merge reads: the shard's identity and every run's full results, in CBOR, which keeps
//! every float exact, NaN included) and, under [`PARTS`], the time series of the first
//! seed of each configuration it ran.

use crate::charts::{ChartSeries, SeedBand};
use crate::observed::Comparison;
use lambdasim_model::{ObservedSeries, RunSummary, SimConfig};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The file of a shard's results, written last (whole, by a rename): a directory
/// without it holds no complete shard.
pub const RESULTS: &str = "shard.cbor";

/// The directory of a run's time-series part files, one per configuration.
pub const PARTS: &str = "parts";

/// The time-series part file of the configuration at place `config`, in `dir`.
pub fn series_part(dir: &Path, config: usize) -> PathBuf {
    dir.join(PARTS).join(format!("timeseries.{config}.csv"))
}

/// One of `count` slices of a command's runs. Shown and given on the command line
/// counting from 1 (`2/4` is the second of four), as Jest's and Playwright's `--shard`
/// do; kept counting from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    index: u64,
    count: u64,
}

impl Shard {
    /// The slice at 0-based `index` of `count`, if there is one.
    pub fn new(index: u64, count: u64) -> Option<Self> {
        (index < count).then_some(Self { index, count })
    }

    /// The place of the slice, counting from 0.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// How many slices the runs are split into.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The places, among `runs` runs, of those this shard makes: contiguous, so that
    /// a configuration's seeds mostly stay together, and the slices' sizes differ by
    /// one at most.
    pub fn slice(&self, runs: usize) -> Range<usize> {
        let at = |i: u64| (u128::from(i) * runs as u128 / u128::from(self.count)) as usize;
        at(self.index)..at(self.index + 1)
    }
}

impl fmt::Display for Shard {
    /// `I/N`, counting from 1.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index + 1, self.count)
    }
}

/// What a shard belongs to: every shard of one command has the same identity but for
/// its index, and merge refuses shards whose identities disagree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// The lambdasim version that ran the shard: another version may simulate or
    /// write differently.
    pub version: String,
    /// The scenario file, as an absolute path: merge reads it again.
    pub scenario: PathBuf,
    /// The [`fingerprint`] of the scenario file's text.
    pub fingerprint: String,
    /// The `--set` arguments, as given.
    pub sets: Vec<String>,
    /// The `--variant` arguments.
    pub variants: Vec<String>,
    /// The `--seed` argument.
    pub seed: Option<u64>,
    /// The `--seeds` argument.
    pub seeds: u64,
    /// Whether the command draws charts (no `--no-charts`).
    pub charts: bool,
    /// The names of all the command's configurations, in order: with `seeds`, the full
    /// list of runs the shards split.
    pub configurations: Vec<String>,
    /// The [`InputsFingerprint`] of what the scenario's text does not hold: its
    /// configurations as resolved (observed durations included), the observed series
    /// and the trace files' bytes.
    pub inputs: String,
    /// Which slice of those runs the shard made.
    pub shard: Shard,
}

/// A fingerprint of a scenario file's text (64-bit FNV-1a, in hex): shards of another
/// text, or a scenario edited since they ran, are told apart. The trace files a
/// scenario names are in [`InputsFingerprint`].
pub fn fingerprint(text: &str) -> String {
    let mut hash = Fnv::new();
    hash.feed(text.as_bytes());
    hash.hex()
}

/// 64-bit FNV-1a, fed a piece at a time.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

impl fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.feed(s.as_bytes());
        Ok(())
    }
}

/// A fingerprint of a command's inputs beyond the scenario's text: each configuration
/// as resolved (observed durations included) and its observed series, then whatever
/// else is fed (the trace files' paths and bytes). Shards that read different trace
/// files, or a trace changed before the merge, are told apart.
pub struct InputsFingerprint(Fnv);

impl InputsFingerprint {
    /// A fingerprint of `configurations` (their full `Debug` text: every value, a
    /// float to the last digit that tells it apart), to be fed more.
    pub fn of(configurations: &[(&SimConfig, &[ObservedSeries])]) -> Self {
        let mut hash = Fnv::new();
        for (config, observed) in configurations {
            // Writing into the hash cannot fail.
            let _ = fmt::Write::write_fmt(&mut hash, format_args!("{config:?}{observed:?}"));
        }
        Self(hash)
    }

    /// Takes in more bytes.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.0.feed(bytes);
    }

    /// The fingerprint, in hex.
    pub fn finish(&self) -> String {
        self.0.hex()
    }
}

/// The first seed's run of a configuration: its totals, chart data and comparison with
/// what was observed (its time series is in a part file, see [`series_part`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FirstRun {
    pub summary: RunSummary,
    /// `None` when the command draws no charts.
    pub chart: Option<ChartSeries>,
    pub observed: Vec<Comparison>,
}

/// What one shard ran of one configuration: its first seed's run if the slice holds
/// it, its other seeds' totals by seed offset (1 for the configuration's seed + 1),
/// and the charts' band across those seeds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ConfigPart {
    /// The configuration's place among the command's.
    pub config: usize,
    pub first: Option<FirstRun>,
    pub replicas: Vec<(u64, RunSummary)>,
    pub band: Option<SeedBand>,
}

/// Everything a shard keeps for merge.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShardResults {
    pub identity: Identity,
    /// Configuration by configuration, in order.
    pub parts: Vec<ConfigPart>,
}

/// The part of [`ShardResults`] read first, so that a file of another version (whose
/// results may not decode) is named as such.
#[derive(Deserialize)]
struct Header {
    identity: Identity,
}

/// Writes `results` into `dir` as [`RESULTS`], through a temporary file renamed into
/// place: a shard that dies while writing leaves no file that looks complete.
pub fn write_results(dir: &Path, results: &ShardResults) -> io::Result<()> {
    let temp = dir.join(format!("{RESULTS}.tmp"));
    let mut file = io::BufWriter::new(std::fs::File::create(&temp)?);
    ciborium::into_writer(results, &mut file).map_err(io::Error::other)?;
    io::Write::flush(&mut file)?;
    file.into_inner()
        .map_err(io::IntoInnerError::into_error)?
        .sync_all()?;
    std::fs::rename(&temp, dir.join(RESULTS))
}

/// A shard's directory and what it holds.
#[derive(Debug)]
pub struct ShardDir {
    pub dir: PathBuf,
    pub results: ShardResults,
}

/// Reads the shard results in `dir`, refusing those of a lambdasim other than
/// `version`.
pub fn read_results(dir: &Path, version: &str) -> Result<ShardDir, MergeError> {
    let shown = dir.display().to_string();
    if !dir.is_dir() {
        return Err(MergeError::NoDirectory { dir: shown });
    }
    let file = dir.join(RESULTS);
    let bytes = match std::fs::read(&file) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(MergeError::Incomplete { dir: shown });
        }
        Err(e) => return Err(unreadable(&file, e)),
    };
    let header: Header =
        ciborium::from_reader(bytes.as_slice()).map_err(|e| unreadable(&file, e))?;
    if header.identity.version != version {
        return Err(MergeError::Version {
            dir: shown,
            found: header.identity.version,
            expected: version.to_string(),
        });
    }
    let results = ciborium::from_reader(bytes.as_slice()).map_err(|e| unreadable(&file, e))?;
    Ok(ShardDir {
        dir: dir.to_path_buf(),
        results,
    })
}

fn unreadable(file: &Path, error: impl fmt::Display) -> MergeError {
    MergeError::Unreadable {
        file: file.display().to_string(),
        error: error.to_string(),
    }
}

/// Why shards cannot be merged: each names the directories (or file) at fault. Merge
/// writes nothing then.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("found no directory {dir}, expected a shard's output directory")]
    NoDirectory { dir: String },
    #[error(
        "found no {RESULTS} in {dir}: its shard failed, is still running or was not run with --shard; run it again"
    )]
    Incomplete { dir: String },
    #[error("cannot read the shard results {file}: {error}; run its shard again")]
    Unreadable { file: String, error: String },
    #[error(
        "{dir} was written by lambdasim {found}, expected {expected} (this merge's version): merge with the version that ran the shards"
    )]
    Version {
        dir: String,
        found: String,
        expected: String,
    },
    #[error(
        "{first} and {other} are shards of different runs: their {what} differ ({left} against {right})"
    )]
    Different {
        first: String,
        other: String,
        what: &'static str,
        left: String,
        right: String,
    },
    #[error("{first} and {other} are both shard {shard}")]
    Duplicate {
        first: String,
        other: String,
        shard: Shard,
    },
    #[error("missing shard{} {missing} of {count}: found {found} shard directories, expected {count}", if .missing.contains(',') { "s" } else { "" })]
    Missing {
        missing: String,
        count: u64,
        found: usize,
    },
    #[error("the scenario {scenario} changed since the shards ran ({what}): run the shards again")]
    ScenarioChanged { scenario: String, what: String },
    #[error("the shards' results {what}: run the shards again")]
    Runs { what: String },
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::charts::tests::{config, series};
    use lambdasim_model::FunctionSummary;
    use proptest::prelude::*;

    proptest! {
        /// The N slices of any number of runs cover each run once, in order, and
        /// differ in size by one at most.
        #[test]
        fn slices_partition_the_runs(runs in 0usize..5000, count in 1u64..300) {
            let slices: Vec<Range<usize>> = (0..count)
                .map(|i| Shard::new(i, count).unwrap().slice(runs))
                .collect();
            prop_assert_eq!(slices[0].start, 0);
            prop_assert_eq!(slices[slices.len() - 1].end, runs);
            for pair in slices.windows(2) {
                prop_assert_eq!(pair[0].end, pair[1].start);
            }
            let sizes: Vec<usize> = slices.iter().map(|s| s.len()).collect();
            let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            prop_assert!(max - min <= 1, "{:?}", sizes);
        }
    }

    #[test]
    fn shards_are_shown_counting_from_one_and_exist_only_in_range() {
        assert_eq!(Shard::new(0, 4).unwrap().to_string(), "1/4");
        assert_eq!(Shard::new(3, 4).unwrap().to_string(), "4/4");
        assert!(Shard::new(4, 4).is_none());
        assert!(Shard::new(0, 0).is_none());
        // 10 runs in 4: 2, 3, 2, 3.
        let sizes: Vec<usize> = (0..4)
            .map(|i| Shard::new(i, 4).unwrap().slice(10).len())
            .collect();
        assert_eq!(sizes, [2, 3, 2, 3]);
    }

    #[test]
    fn a_fingerprint_tells_texts_apart_and_is_stable() {
        // FNV-1a's published test value for "a".
        assert_eq!(fingerprint("a"), "af63dc4c8601ec8c");
        assert_ne!(fingerprint("rate: 60"), fingerprint("rate: 61"));
    }

    fn identity(index: u64, count: u64) -> Identity {
        Identity {
            version: "0.1.0".into(),
            scenario: PathBuf::from("/s.yaml"),
            fingerprint: fingerprint("name: s"),
            sets: vec!["functions.f.memory_mb=512,1024".into()],
            variants: Vec::new(),
            seed: None,
            seeds: 2,
            charts: true,
            configurations: vec!["mem=512".into(), "mem=1024".into()],
            inputs: "0123456789abcdef".into(),
            shard: Shard::new(index, count).unwrap(),
        }
    }

    /// Results whose floats JSON could not keep: NaN latencies, a float that is not a
    /// short decimal, and a chart with NaN columns.
    pub(crate) fn results(index: u64, count: u64) -> ShardResults {
        let mut summary = RunSummary {
            duration_s: 0.1 + 0.2,
            ..Default::default()
        };
        let function = FunctionSummary {
            name: "f".into(),
            mean_concurrency: 1.0 / 3.0,
            ..Default::default()
        };
        summary.functions.push(function);
        summary.functions[0].latency_ms.p99 = f64::NAN;
        let config = config();
        let chart = series(&config, 2);
        ShardResults {
            identity: identity(index, count),
            parts: vec![ConfigPart {
                config: 1,
                first: Some(FirstRun {
                    summary: summary.clone(),
                    chart: Some(chart.clone()),
                    observed: Vec::new(),
                }),
                replicas: vec![(1, summary)],
                band: Some(SeedBand::of(&chart)),
            }],
        }
    }

    #[test]
    fn results_come_back_from_their_file_exactly_nan_included() {
        let dir = tempfile::tempdir().unwrap();
        let written = results(1, 2);
        write_results(dir.path(), &written).unwrap();
        assert!(!dir.path().join(format!("{RESULTS}.tmp")).exists());
        let read = read_results(dir.path(), "0.1.0").unwrap();
        // Debug shows every float's shortest exact form, and NaN.
        assert_eq!(format!("{:?}", read.results), format!("{written:?}"));
        assert!(format!("{:?}", read.results).contains("NaN"));
        let Err(MergeError::Version { found, .. }) = read_results(dir.path(), "0.2.0") else {
            panic!("another version's shard was read");
        };
        assert_eq!(found, "0.1.0");
    }
}
