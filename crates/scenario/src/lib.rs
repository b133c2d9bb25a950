//! Scenario files: YAML describing an account, its functions and their traffic, turned
//! into the model's configuration and arrival streams.
//!
//! [`Scenario::load`] reads and checks everything up front, trace files included, so a
//! run never starts on bad input; every error names the file, line and column.
//! [`Scenario::load_deferring_traces`] checks everything but the trace files, for
//! a caller that runs [`Scenario::check_traces`] beside the simulation instead.
//! Either resolves every variant once, when loading; [`Scenario::variants`] gives one
//! runnable [`Variant`] per `variants:` entry and `sweep:` point, and
//! [`Variant::traffic`] opens fresh arrival sources for each run.

mod convert;
mod duration;
mod empirical;
mod error;
mod input;
mod log_event;
mod objective;
mod observed;
mod raw;
mod report_line;
mod slo;
mod streams;
mod sweep;
mod variants;
mod warm;

pub use empirical::{Observed, read_observed};
pub use error::{ScenarioError, Warning};
pub use sweep::{MAX_CONFIGURATIONS, MAX_FUNCTION_CONFIGURATIONS, Point, SetArg};

use error::Position;
use lambdasim_engine::Nanos;
use lambdasim_model::{ObservedSeries, SimConfig, Traffic};
use raw::RawScenario;
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use streams::{StreamKind, StreamSpec, TraceFile};

/// A loaded and fully checked scenario file.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The scenario's `name:`.
    pub name: String,
    /// The file it was loaded from, as given.
    pub path: PathBuf,
    /// The file's text, for reports that quote it.
    pub source_text: String,
    /// `report: { focus: { start, end } }`: the window the report's focus chart shows,
    /// in nanoseconds into the run; `None` lets the report find one.
    pub focus: Option<(Nanos, Nanos)>,
    /// Every variant (each variant at each sweep point), resolved and validated once
    /// when the file was loaded.
    variants: Vec<Variant>,
    /// The keys `sweep:` and `--set` sweep, in order.
    swept_keys: Vec<String>,
    /// How many points the sweep has (1 without one).
    points: u64,
    /// The objectives of `slo:`, empty without one.
    slo: Vec<lambdasim_model::Objective>,
    /// Where `objective: cost` was written, if it was.
    objective: Option<serde_saphyr::Location>,
}

/// One configuration to simulate: the base scenario with a variant's overrides and a
/// sweep point's settings.
#[derive(Clone, Debug)]
pub struct Variant {
    /// The configuration's name: the variant's `name:` (`base` for a scenario without
    /// variants), the point's name (`pc=20,mem=1024`) for a sweep without variants, or
    /// both (`on-demand@pc=20,mem=1024`).
    pub name: String,
    /// The `variants:` entry it comes from, or `base`.
    pub variant: String,
    /// The sweep point: its name and its value of each of
    /// [`Scenario::swept_keys`] (empty without a sweep).
    pub point: Point,
    /// The validated model configuration (its `seed` drives the traffic too).
    pub config: SimConfig,
    /// Per function: whether its `warm_start` was worked out from the first minute's
    /// load (`auto`, written or by default), so that a report can say where the number
    /// in `config` came from.
    pub warm_auto: Vec<bool>,
    /// What the functions' `observed:` sources say happened, on the run's clock: for
    /// the report to set beside the simulated series (the model never sees it).
    pub observed: Vec<ObservedSeries>,
    streams: Vec<StreamSpec>,
}

impl Scenario {
    /// Reads, parses and validates a scenario: every variant's configuration, and every
    /// trace file it uses, streamed once to the end.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        Self::load_with(path, &[])
    }

    /// [`load`](Self::load) with `--set` arguments: each overrides or adds a swept key.
    pub fn load_with(path: &Path, sets: &[SetArg]) -> Result<Scenario, ScenarioError> {
        let scenario = Self::load_deferring_traces_with(path, sets)?;
        scenario.check_traces()?;
        Ok(scenario)
    }

    /// [`load`](Self::load) but for trace files: every variant's configuration is
    /// validated, and the traces are left to [`check_traces`](Self::check_traces). A run
    /// reads its traces anyway, so checking them on another thread beside it, rather
    /// than before, takes a pass through each file off the time to the result.
    pub fn load_deferring_traces(path: &Path) -> Result<Scenario, ScenarioError> {
        Self::load_deferring_traces_with(path, &[])
    }

    /// [`load_deferring_traces`](Self::load_deferring_traces) with `--set` arguments.
    pub fn load_deferring_traces_with(
        path: &Path,
        sets: &[SetArg],
    ) -> Result<Scenario, ScenarioError> {
        let bytes = read_scenario_file(path)?;
        let source_text = String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let valid = String::from_utf8_lossy(valid);
            let line = valid.matches('\n').count() as u64 + 1;
            let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
            ScenarioError::new(
                Position::at(path, line, column),
                "found bytes that are not UTF-8, expected UTF-8 text",
            )
        })?;
        let raw = parse_yaml(path, &source_text)?;
        let name = &raw.name;
        if !is_safe_name(&name.value) {
            return Err(ScenarioError::yaml(
                path,
                name.referenced,
                format!(
                    "found name `{}`, expected a non-empty name without `/`, `\\` or control characters (it names the output directory)",
                    error::shown(&name.value)
                ),
            ));
        }
        let grid = sweep::Grid::new(&raw, path, sets)?;
        let objectives = slo::objectives(&raw, path)?;
        let variants = resolve_variants(&raw, path, &grid)?;
        slo::check_invocation(&objectives, &variants, path)?;
        let objective = objective::read(&raw, path)?;
        if objective.is_some() {
            objective::check_plannable(path, objective, objectives.len(), variants.len())?;
        }
        Ok(Scenario {
            objective,
            slo: objectives.into_iter().map(|(o, _)| o).collect(),
            name: name.value.clone(),
            path: path.to_path_buf(),
            focus: focus(&raw, path)?,
            variants,
            swept_keys: grid.keys(),
            points: grid.len(),
            source_text,
        })
    }

    /// The keys the sweep sets, in the order of each [`Point`]'s values: a column each
    /// in `runs.csv`. Empty without a sweep.
    pub fn swept_keys(&self) -> &[String] {
        &self.swept_keys
    }

    /// The objectives of `slo:` (the account's, then each function's, in file order):
    /// every configuration is judged by all of them. Empty without `slo:`.
    pub fn slo(&self) -> &[lambdasim_model::Objective] {
        &self.slo
    }

    /// Whether the scenario says `objective: cost`: `run` then plans, as `lambdasim
    /// plan` does.
    pub fn minimises_cost(&self) -> bool {
        self.objective.is_some()
    }

    /// Refuses to plan over `configurations` (those chosen to run) when there are no
    /// objectives or nothing to choose between: at `objective:` if the file has it,
    /// otherwise at the file.
    pub fn check_plannable(&self, configurations: usize) -> Result<(), ScenarioError> {
        objective::check_plannable(&self.path, self.objective, self.slo.len(), configurations)
    }

    /// The number of sweep points (1 without a sweep): every variant runs at each.
    pub fn points(&self) -> u64 {
        self.points
    }

    /// Streams every trace file the variants use to the end, each once, and reports
    /// the first problem (in the order the files appear in the variants): what
    /// [`load`](Self::load) checks beyond
    /// [`load_deferring_traces`](Self::load_deferring_traces).
    pub fn check_traces(&self) -> Result<(), ScenarioError> {
        self.check_traces_until(&AtomicBool::new(false))
    }

    /// [`check_traces`](Self::check_traces), but giving up as soon as `stop` is
    /// raised (reporting no problem): for a check running beside runs that a signal
    /// interrupts, which should not wait for the rest of a large file.
    pub fn check_traces_until(&self, stop: &AtomicBool) -> Result<(), ScenarioError> {
        for (file, origin) in self.trace_files() {
            streams::validate_trace(file, origin, stop)?;
        }
        Ok(())
    }

    /// What the scenario runs that may not mean what its author thinks: a trace of
    /// per-interval counts at periods of five minutes or more, whose requests are spread
    /// flat over each period (no `peak_to_mean:`), so that a peak inside one is not
    /// replayed. Reads a CloudWatch file whose period is not given to learn it; a file
    /// that cannot be read gives no warning (its check reports it).
    pub fn warnings(&self) -> Vec<Warning> {
        let mut warnings = Vec::new();
        let mut seen: HashSet<&TraceFile> = HashSet::new();
        let flat = self
            .variants
            .iter()
            .flat_map(|v| &v.streams)
            .filter_map(|s| match &s.kind {
                StreamKind::Trace(t) if t.peak_to_mean.is_none() => Some(t),
                _ => None,
            });
        for trace in flat {
            if !seen.insert(&trace.file) {
                continue;
            }
            if let Some(period) = streams::period(&trace.file, &trace.origin)
                && period >= streams::COARSE_PERIOD
            {
                warnings.push(Warning::new(
                    trace.origin.clone(),
                    format!(
                        "found counts of {} each, replayed spread flat over each period: a peak shorter than the period is not replayed, so its throttles and cold starts are underestimated; expected finer counts where they exist (CloudWatch keeps one-minute points for 15 days) or `peak_to_mean:` with the peak rate over the mean that a finer day shows",
                        duration::show(period)
                    ),
                ));
            }
        }
        warnings
    }

    /// Reads every trace file the variants replay (a glob's matches one by one), once,
    /// in order of first use, giving `feed` each file's path and then its bytes a block
    /// at a time: what, beside the scenario's text and its configurations, decides a
    /// run's traffic (a shard fingerprints it, so that merge can tell a trace changed
    /// between shards).
    pub fn read_traces(&self, feed: &mut dyn FnMut(&[u8])) -> Result<(), ScenarioError> {
        let mut paths: Vec<PathBuf> = Vec::new();
        for (file, origin) in self.trace_files() {
            for path in streams::matching_files(&file.path, origin, "trace file")? {
                if !paths.contains(&path) {
                    paths.push(path);
                }
            }
        }
        let mut block = vec![0u8; 1 << 16];
        for path in &paths {
            let failed = |e: std::io::Error| {
                ScenarioError::io(error::Position::file(path), "the trace file", &e)
            };
            feed(path.as_os_str().as_encoded_bytes());
            let mut file = std::fs::File::open(path).map_err(failed)?;
            loop {
                let n = std::io::Read::read(&mut file, &mut block).map_err(failed)?;
                if n == 0 {
                    break;
                }
                feed(&block[..n]);
            }
        }
        Ok(())
    }

    /// Every trace file the variants use, once, in order of first use, with where the
    /// scenario first names it.
    fn trace_files(&self) -> Vec<(&TraceFile, &Position)> {
        let mut seen: HashSet<&TraceFile> = HashSet::new();
        let mut files = Vec::new();
        for variant in &self.variants {
            for stream in &variant.streams {
                if let StreamKind::Trace(trace) = &stream.kind
                    && seen.insert(&trace.file)
                {
                    files.push((&trace.file, &trace.origin));
                }
            }
        }
        files
    }

    /// The variants to run, in file order, or a single one named `base` when the file
    /// has none: copies of those resolved at load. `seed_override` (the command line's
    /// `--seed`) replaces every seed.
    pub fn variants(&self, seed_override: Option<u64>) -> Vec<Variant> {
        let mut out = self.variants.clone();
        if let Some(seed) = seed_override {
            for variant in &mut out {
                variant.config.seed = seed;
            }
        }
        out
    }
}

/// The report's focus window, checked: it starts before it ends, and ends inside the
/// run (of the base scenario).
fn focus(raw: &RawScenario, path: &Path) -> Result<Option<(Nanos, Nanos)>, ScenarioError> {
    let Some(focus) = raw.report.as_ref().and_then(|r| r.value.focus.as_ref()) else {
        return Ok(None);
    };
    let (start, end) = (focus.value.start.value.0, focus.value.end.value.0);
    let show = duration::show;
    if end <= start {
        return Err(ScenarioError::yaml(
            path,
            focus.value.end.referenced,
            format!(
                "found a focus ending at {} and starting at {}, expected its end after its start",
                show(end),
                show(start)
            ),
        ));
    }
    let run = raw.duration.value.0;
    if end > run {
        return Err(ScenarioError::yaml(
            path,
            focus.value.end.referenced,
            format!(
                "found a focus ending at {}, after the run's end at {}, expected a window inside the run",
                show(end),
                show(run)
            ),
        ));
    }
    Ok(Some((start, end)))
}

/// Resolves and validates every variant of `raw` (a single `base` when it has none)
/// at every point of `grid`, variant by variant, points in grid order.
fn resolve_variants(
    raw: &RawScenario,
    path: &Path,
    grid: &sweep::Grid,
) -> Result<Vec<Variant>, ScenarioError> {
    let mut bases = Vec::with_capacity(raw.variants.len().max(1));
    if raw.variants.is_empty() {
        bases.push(("base", raw.clone(), Vec::new()));
    }
    let mut names = HashSet::new();
    for raw_variant in &raw.variants {
        let name = &raw_variant.name;
        if name.value.trim().is_empty() || !names.insert(name.value.as_str()) {
            return Err(ScenarioError::yaml(
                path,
                name.referenced,
                format!(
                    "found variant name `{}`, expected a non-empty name used by no other variant",
                    error::shown(&name.value)
                ),
            ));
        }
        let mut applied_raw = raw.clone();
        let applied = raw_variant
            .set
            .0
            .iter()
            .map(|entry| variants::apply(&mut applied_raw, entry, path))
            .collect::<Result<Vec<_>, _>>()?;
        bases.push((name.value.as_str(), applied_raw, applied));
    }
    grid.check_size(bases.len(), raw.functions.value.len(), path)?;
    grid.check_names(path)?;
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let observations = empirical::Observations::default();
    let observed_files = observed::ObservedFiles::default();
    for (name, variant_raw, applied) in &bases {
        if grid.is_empty() {
            out.push(variant(
                name,
                variant_raw,
                path,
                applied,
                Point::default(),
                &observations,
                &observed_files,
            )?);
            continue;
        }
        for (point, settings) in grid.points() {
            let mut point_raw = variant_raw.clone();
            let mut point_applied = applied.clone();
            for setting in &settings {
                let done = variants::apply(&mut point_raw, &setting.entry, path)
                    .map_err(|e| setting.in_context(e))?;
                point_applied.push(done);
            }
            let full_name = match (raw.variants.is_empty(), point.name.is_empty()) {
                (true, true) => "base".to_string(),
                (true, false) => point.name.clone(),
                (false, true) => name.to_string(),
                (false, false) => format!("{name}@{}", point.name),
            };
            let note = format!(" (in the configuration `{full_name}`)");
            let mut resolved = variant(
                name,
                &point_raw,
                path,
                &point_applied,
                point,
                &observations,
                &observed_files,
            )
            .map_err(|e| e.with_suffix(&note))?;
            if !seen.insert(full_name.clone()) {
                return Err(ScenarioError::yaml(
                    path,
                    raw.sweep
                        .as_ref()
                        .map_or(raw.name.referenced, |s| s.referenced),
                    format!(
                        "found two configurations named `{}`, expected variant names without `@` \
                         that no sweep point's name repeats",
                        error::shown(&full_name)
                    ),
                ));
            }
            resolved.name = full_name;
            out.push(resolved);
        }
    }
    Ok(out)
}

/// One variant: `raw` with its overrides `applied`, resolved.
fn variant(
    name: &str,
    raw: &RawScenario,
    path: &Path,
    applied: &[variants::Applied],
    point: Point,
    observations: &empirical::Observations,
    observed_files: &observed::ObservedFiles,
) -> Result<Variant, ScenarioError> {
    let resolved = convert::resolve(raw, path, applied, observations)?;
    let observed = observed::read(
        &resolved.observed,
        &resolved.streams,
        resolved.config.duration,
        observed_files,
    )?;
    Ok(Variant {
        name: name.to_string(),
        variant: name.to_string(),
        point,
        config: resolved.config,
        warm_auto: resolved.warm_auto,
        observed,
        streams: resolved.streams,
    })
}

/// How much traffic a run generates, estimated before it runs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WorkEstimate {
    /// Expected requests from generated streams (rate integrals, bursts).
    pub requests: f64,
    /// Trace streams, whose requests are not known until the file is read.
    pub traces: usize,
}

impl Variant {
    /// The requests one run of this variant can be expected to generate: for telling
    /// a user before a run that would take hours.
    pub fn estimate(&self) -> WorkEstimate {
        let mut estimate = WorkEstimate::default();
        for stream in &self.streams {
            match stream.kind.expected_requests() {
                Some(n) => estimate.requests += n,
                None => estimate.traces += 1,
            }
        }
        estimate
    }

    /// The requests one run of this variant's trace streams replays, read from the
    /// files (a pass over each; `None` once `stop` is raised): what
    /// [`estimate`](Self::estimate) cannot know before reading them.
    pub fn trace_requests(&self, stop: &AtomicBool) -> Result<Option<f64>, ScenarioError> {
        let mut total = 0.0;
        for stream in &self.streams {
            if let StreamKind::Trace(_) = stream.kind {
                match stream.trace_requests(stop)? {
                    Some(n) => total += n,
                    None => return Ok(None),
                }
            }
        }
        Ok(Some(total))
    }

    /// Fresh arrival sources for one run, one per traffic stream, seeded from
    /// `config.seed`. Fails only if a trace file can no longer be opened.
    pub fn traffic(&self) -> Result<Vec<Traffic>, ScenarioError> {
        self.streams
            .iter()
            .map(|stream| stream.open(self.config.seed))
            .collect()
    }
}

/// A scenario name is used as a directory name.
fn is_safe_name(name: &str) -> bool {
    !name.trim().is_empty()
        && name != "."
        && name != ".."
        && !name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control())
}

/// The largest scenario file read: far above any hand-written scenario (a profile of a
/// point per second for a day is 2 MB), and a bound on what a wrong path such as
/// `/dev/zero` can take. Traffic that long belongs in a trace file.
const MAX_SCENARIO_BYTES: u64 = 64 << 20;

fn read_scenario_file(path: &Path) -> Result<Vec<u8>, ScenarioError> {
    let failed =
        |e: std::io::Error| ScenarioError::io(Position::file(path), "the scenario file", &e);
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut bytes))
        .map_err(failed)?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(ScenarioError::new(
            Position::file(path),
            "found a file larger than 64 MiB, expected a YAML scenario (long traffic belongs in a trace file)",
        ));
    }
    Ok(bytes)
}

fn parse_yaml(path: &Path, text: &str) -> Result<RawScenario, ScenarioError> {
    let is_blank = |line: &str| line.trim().is_empty() || line.trim_start().starts_with('#');
    if text.lines().all(is_blank) {
        return Err(ScenarioError::new(
            Position::at(path, 1, 1),
            "found an empty file, expected a scenario: a map with name, duration and functions",
        ));
    }
    let options = serde_saphyr::options! {
        // A profile of a point per second for a day is 260,000 values, past the default
        // 250,000; the file's size (64 MiB at most) bounds the rest.
        budget: serde_saphyr::budget! {
            max_nodes: 4_000_000,
            max_events: 16_000_000,
        },
    };
    serde_saphyr::from_str_with_options(text, options).map_err(|err| {
        let options = serde_saphyr::render_options! {
            snippets: serde_saphyr::SnippetMode::Off,
        };
        let rendered = err.render_with_options(options);
        match err.location() {
            Some(location) => {
                let suffix = format!(" at line {}, column {}", location.line(), location.column());
                let message = rendered.strip_suffix(&suffix).unwrap_or(&rendered);
                ScenarioError::yaml(path, location, error::plain_yaml_message(message))
            }
            None => ScenarioError::new(Position::file(path), error::plain_yaml_message(&rendered)),
        }
    })
}
