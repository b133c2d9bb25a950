//! `lambdasim run` and `lambdasim validate`.

use crate::args::RunArgs;
use crate::error::CliError;
use crate::interrupt::Interrupt;
use crate::plan;
use crate::progress::{Progress, advance};
use crate::stats;
use lambdasim_model::{DiscardSeries, Objective, RunSummary, Simulation};
use lambdasim_report::charts::{self, ChartSeries, SeedBand, VariantData};
use lambdasim_report::merge::{ConfigRuns, combine};
use lambdasim_report::observed::{Comparison, ObservedFold};
use lambdasim_report::plan::{Lines, Outcome, Plan};
use lambdasim_report::shard::{
    ConfigPart, FirstRun, Identity, InputsFingerprint, PARTS, RESULTS, Shard, ShardResults,
    fingerprint, series_part, write_results,
};
use lambdasim_report::{
    CsvSeries, OutputDir, Report, ReportVariant, RunsConfiguration, Tee, VariantSummary, Verdict,
    concat_parts, judge, render_report, render_slo, render_spread, render_table, write_runs_csv,
    write_seeds_csv, write_summary_judged,
};
use lambdasim_scenario::{Scenario, SetArg, Variant};
use rayon::prelude::*;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// Checks a scenario and its traces without running it.
pub fn validate(path: &Path, sets: &[SetArg]) -> Result<(), CliError> {
    let scenario = Scenario::load_with(path, sets)?;
    print_warnings(&scenario);
    let variants = scenario.variants(None);
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let configurations = match scenario.points() {
        1 => plural(variants.len(), "variant"),
        points => format!(
            "{} × {}",
            plural(variants.len() / points as usize, "variant"),
            plural(points as usize, "sweep point")
        ),
    };
    let objectives = match scenario.slo().len() {
        0 => String::new(),
        n => format!(", {}", plural(n, "objective")),
    };
    println!(
        "{}: valid ({configurations}, {}{objectives})",
        path.display(),
        plural(variants[0].config.functions.len(), "function"),
    );
    Ok(())
}

/// Prints the scenario's warnings on standard error, with `--quiet` too: they say the
/// answer may not mean what the scenario's author thinks.
fn print_warnings(scenario: &Scenario) {
    for warning in scenario.warnings() {
        eprintln!("{warning}");
    }
}

/// What a command runs: every configuration, or the plan's search among them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `lambdasim run`: every configuration (a plan when the scenario says
    /// `objective: cost`).
    Run,
    /// `lambdasim plan`: the cheapest configuration that meets the SLO.
    Plan,
}

/// Runs the scenario's variants in parallel (or, planning, those the plan's search
/// asks for; or, sharded, one slice of their runs) and writes the results atomically:
/// into a temporary directory first, renamed into place only when everything
/// succeeded.
pub fn run(args: &RunArgs, mode: Mode) -> Result<(), CliError> {
    let started = Instant::now();
    let cancel = Arc::new(AtomicBool::new(false));
    let interrupt = Interrupt::install(&cancel);
    let scenario = Scenario::load_deferring_traces_with(&args.scenario, &args.sets)?;
    print_warnings(&scenario);
    let variants = select(scenario.variants(args.seed), &args.variants)?;
    let planning = mode == Mode::Plan || scenario.minimises_cost();
    let shard = crate::shard::resolve(args.shard.as_deref(), args.shard_count, |name| {
        std::env::var(name).ok()
    })
    .map_err(CliError::Shard)?;
    if let (true, Some(chosen)) = (planning, &shard) {
        return Err(CliError::ShardedPlan { from: chosen.from });
    }
    if planning {
        scenario.check_plannable(variants.len())?;
    }
    let functions = variants.first().map_or(0, |v| v.config.functions.len());
    check_runs(variants.len(), args.seeds, functions)?;
    // A shard's share of the work.
    let share = shard.as_ref().map_or(1.0, |chosen| {
        let runs = variants.len() * args.seeds as usize;
        chosen.shard.slice(runs).len() as f64 / runs.max(1) as f64
    });
    if !args.yes {
        check_work(&variants, args.seeds as f64 * share, args.max_requests)?;
    }
    let out = open_out(args.out.as_deref(), &scenario, &interrupt)?;
    if let (Some(chosen), false) = (&shard, args.quiet) {
        eprintln!("shard {} (from {})", chosen.shard, chosen.from);
    }
    let progress = Progress::new(args.quiet);

    let limit = (!args.yes).then_some(WorkLimit {
        variants: &variants,
        seeds: args.seeds as f64 * share,
        max: args.max_requests,
    });
    // The charts draw a band across seeds: the other seeds' runs keep chart data too.
    let seeds = Seeds {
        count: args.seeds,
        banded: args.seeds > 1 && !args.no_charts,
    };
    let all = &variants;
    let runs = run_checking_traces(&scenario, &cancel, limit, |cancel| {
        let runner = Runner {
            variants: all,
            seeds,
            charts: !args.no_charts,
            dir: out.path(),
            progress: &progress,
            cancel,
        };
        let every: Vec<usize> = (0..all.len()).collect();
        match &shard {
            _ if planning => {
                plan::search(&runner, scenario.swept_keys(), scenario.slo()).map(Ran::Whole)
            }
            Some(chosen) => runner
                .run_slice(&every, chosen.shard)
                .map(|parts| Ran::Shard(chosen.shard, parts)),
            None => runner.run(&every).map(|ran| Ran::Whole((ran, None))),
        }
    });
    interrupt.check()?;
    let how = Finish {
        scenario: &scenario,
        all,
        seeds: args.seeds,
        charts: !args.no_charts,
        quiet: args.quiet,
        started: args.stats.then_some(started),
    };
    match runs? {
        Ran::Whole((ran, search)) => finish(out, &how, ran, search, &interrupt),
        Ran::Shard(shard, parts) => {
            let identity = identity(args, &scenario, all, shard)?;
            write_shard(out, &how, identity, parts, &interrupt)
        }
    }
}

/// What a command ran: every run of the configurations it ran (with the plan's search,
/// when planning), or a shard's slice of them.
enum Ran {
    Whole(plan::Searched),
    Shard(Shard, Vec<ConfigPart>),
}

/// What a shard is part of, for merge to check: this command, but for the shard.
fn identity(
    args: &RunArgs,
    scenario: &Scenario,
    all: &[Variant],
    shard: Shard,
) -> Result<Identity, CliError> {
    Ok(Identity {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: std::path::absolute(&args.scenario).unwrap_or_else(|_| args.scenario.clone()),
        fingerprint: fingerprint(&scenario.source_text),
        sets: args.sets.iter().map(|s| s.text.clone()).collect(),
        variants: args.variants.clone(),
        seed: args.seed,
        seeds: args.seeds,
        charts: !args.no_charts,
        configurations: all.iter().map(|v| v.name.clone()).collect(),
        inputs: inputs(scenario, all)?,
        shard,
    })
}

/// The fingerprint of `all`'s configurations, their observed series and the
/// scenario's trace files, for a shard to record and merge to check again.
pub(crate) fn inputs(scenario: &Scenario, all: &[Variant]) -> Result<String, CliError> {
    let configurations: Vec<_> = all
        .iter()
        .map(|v| (&v.config, v.observed.as_slice()))
        .collect();
    let mut inputs = InputsFingerprint::of(&configurations);
    scenario.read_traces(&mut |bytes| inputs.feed(bytes))?;
    Ok(inputs.finish())
}

/// Writes a shard's results (its time series are already in their part files) and
/// moves its output into place.
fn write_shard(
    out: OutputDir,
    how: &Finish,
    identity: Identity,
    parts: Vec<ConfigPart>,
    interrupt: &Interrupt,
) -> Result<(), CliError> {
    let summaries = || {
        parts.iter().flat_map(|p| {
            p.first
                .iter()
                .map(|f| &f.summary)
                .chain(p.replicas.iter().map(|(_, r)| r))
        })
    };
    let runs = summaries().count();
    let (invocations, events) = summaries().fold((0, 0), |(i, e), r| {
        (i + r.account.invocations, e + r.events)
    });
    let shard = identity.shard;
    let results = ShardResults { identity, parts };
    let path = out.path().join(RESULTS);
    write_results(out.path(), &results).map_err(|e| output_error(&path, e))?;
    interrupt.check()?;
    let final_dir = out.final_path().to_path_buf();
    out.commit().map_err(|e| output_error(&final_dir, e))?;
    if !how.quiet {
        println!(
            "shard {shard}: {runs} of {} runs\n\nwrote {}",
            how.all.len() as u64 * how.seeds,
            final_dir.display()
        );
    }
    if let Some(started) = how.started {
        println!("{}", stats::line(invocations, events, started.elapsed()));
    }
    Ok(())
}

/// How a command's outputs are written, and what it prints.
pub(crate) struct Finish<'a> {
    pub(crate) scenario: &'a Scenario,
    /// Every configuration of the command (those `--variant` chose).
    pub(crate) all: &'a [Variant],
    pub(crate) seeds: u64,
    /// Whether to draw the charts and the report.
    pub(crate) charts: bool,
    pub(crate) quiet: bool,
    /// When the command started, to print `--stats`.
    pub(crate) started: Option<Instant>,
}

/// Writes a command's outputs from every run of the configurations it ran (at their
/// places among `how.all`), judges them by the scenario's `slo:`, moves the output
/// into place and prints the answer: the same for a run on one machine and for the
/// merge of its shards.
pub(crate) fn finish(
    out: OutputDir,
    how: &Finish,
    ran: Vec<(usize, ConfigRuns)>,
    search: Option<(Lines, Outcome)>,
    interrupt: &Interrupt,
) -> Result<(), CliError> {
    let (scenario, all) = (how.scenario, how.all);
    let final_dir = out.final_path().to_path_buf();
    let parts: Vec<usize> = ran.iter().map(|(i, _)| *i).collect();
    let variants: Vec<Variant> = parts.iter().map(|&i| all[i].clone()).collect();
    let mut results = Vec::with_capacity(ran.len());
    let mut chart_data = Vec::with_capacity(ran.len());
    let mut series = Vec::with_capacity(ran.len());
    for (_, r) in ran {
        results.push((r.first, r.replicas));
        chart_data.push((r.chart, r.band, r.observed));
        series.push(r.series);
    }
    let summaries: Vec<VariantSummary> = variants
        .iter()
        .zip(&results)
        .map(|(v, (first, replicas))| VariantSummary {
            name: &v.name,
            seed: v.config.seed,
            run: first,
            replicas,
        })
        .collect();
    let verdicts: Vec<Verdict> = summaries.iter().map(|s| judge(scenario.slo(), s)).collect();
    let slo = (!scenario.slo().is_empty()).then_some((scenario.slo(), verdicts.as_slice()));
    write_outputs(&out, &scenario.name, &summaries, &series, slo)?;
    let plan = search.map(|(lines, outcome)| {
        let judged = plan::judged(&parts, &summaries, &verdicts);
        Plan::new(
            &scenario.name,
            scenario.slo(),
            how.seeds,
            &judged,
            &lines,
            &outcome,
            all.len(),
        )
    });
    if let Some(plan) = &plan {
        plan::write(&out, plan)?;
    }
    write_runs(&out, scenario, &variants, &summaries)?;
    if how.seeds > 1 {
        write_seeds(&out, &summaries)?;
    }
    if how.charts {
        write_report(
            &out,
            scenario,
            &variants,
            &summaries,
            &verdicts,
            &chart_data,
            plan.as_ref(),
        )?;
    }
    interrupt.check()?;
    out.commit().map_err(|e| output_error(&final_dir, e))?;

    if !how.quiet {
        match &plan {
            Some(plan) => print!("{}", plan.render()),
            None => {
                print!("{}", render_table(&scenario.name, &summaries));
                print!("{}", render_spread(&summaries));
                let names: Vec<&str> = summaries.iter().map(|s| s.name).collect();
                print!("{}", render_slo(scenario.slo(), &names, &verdicts));
            }
        }
        println!("\nwrote {}", final_dir.display());
    }
    if let Some(started) = how.started {
        let all = summaries
            .iter()
            .flat_map(|s| std::iter::once(s.run).chain(s.replicas));
        let invocations = all.clone().map(|r| r.account.invocations).sum();
        let events = all.map(|r| r.events).sum();
        println!("{}", stats::line(invocations, events, started.elapsed()));
    }
    if slo.is_some() && !verdicts.iter().any(|v| v.met) {
        return Err(CliError::SloNotMet {
            judged: verdicts.len(),
            out: final_dir.display().to_string(),
        });
    }
    Ok(())
}

/// Runs `runs` while a thread of its own streams the scenario's trace files through
/// [`Scenario::check_traces`], so that a run never waits for a pass over its traces
/// before it starts. A problem the check finds is the error, whatever the runs
/// returned: it is the first in the files, including rows after the simulated span
/// that no run reads, and the same message `validate` gives. With a `limit`, the
/// thread then counts the requests the traces replay, which no estimate before the
/// run can know, and refuses a command above it the same way. The check raises
/// `cancel`, the flag `runs` is given, when it fails, for the simulations to stop early.
fn run_checking_traces<T>(
    scenario: &Scenario,
    cancel: &Arc<AtomicBool>,
    limit: Option<WorkLimit>,
    runs: impl FnOnce(&Arc<AtomicBool>) -> Result<T, CliError>,
) -> Result<T, CliError> {
    std::thread::scope(|scope| {
        let check = scope.spawn(|| {
            // A signal raises `cancel` too: the check then stops reading.
            let checked = scenario
                .check_traces_until(cancel)
                .map_err(CliError::from)
                .and_then(|()| limit.map_or(Ok(()), |limit| limit.check_traces(cancel)));
            if checked.is_err() {
                cancel.store(true, Ordering::Relaxed);
            }
            checked
        });
        let result = runs(cancel);
        match check.join() {
            Ok(checked) => checked.and(result),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// The most requests a command may replay without `--yes`, for the check of its
/// trace files.
struct WorkLimit<'a> {
    variants: &'a [Variant],
    /// The seeds each configuration runs with, times a shard's share of the runs.
    seeds: f64,
    max: u64,
}

impl WorkLimit<'_> {
    /// Adds the requests the traces replay to the generated streams' estimate (a
    /// pass over each trace file, beside the runs) and refuses a total above `max`,
    /// as [`check_work`] does before the runs.
    fn check_traces(&self, stop: &AtomicBool) -> Result<(), CliError> {
        if self.variants.iter().all(|v| v.estimate().traces == 0) {
            return Ok(());
        }
        let mut per_seed = 0.0;
        for variant in self.variants {
            let Some(traced) = variant.trace_requests(stop)? else {
                return Ok(());
            };
            per_seed += variant.estimate().requests + traced;
        }
        too_much_work(per_seed * self.seeds, self.max)
    }
}

/// The most (variant, seed) runs one command makes: each run's totals (a few
/// kilobytes) stay in memory until seeds.csv and summary.json are written.
const MAX_RUNS: u64 = 100_000;

/// The most per-function results one command keeps (runs × functions): about 400 bytes
/// each, so at most about 400 MB.
const MAX_FUNCTION_RESULTS: u64 = 1_000_000;

/// The memory one run takes per function (its state, three latency histograms and its
/// results): about 17 KB measured with 20,000 functions (`docs/performance.md`),
/// rounded up.
const BYTES_PER_FUNCTION: u64 = 24 << 10;

/// The memory the runs of one command may take at once: they run fewer at a time to
/// stay within it, and a scenario whose single run would not is refused.
const MEMORY_BUDGET: u64 = 4 << 30;

/// How many runs of a scenario with `functions` functions go at once: as many as
/// there are threads, fewer when their memory would pass the budget.
fn concurrent_runs(functions: usize) -> usize {
    let per_run = (functions as u64).saturating_mul(BYTES_PER_FUNCTION).max(1);
    let fit = (MEMORY_BUDGET / per_run).max(1);
    rayon::current_num_threads().min(fit as usize)
}

fn check_runs(variants: usize, seeds: u64, functions: usize) -> Result<(), CliError> {
    let per_run = (functions as u64).saturating_mul(BYTES_PER_FUNCTION);
    if per_run > MEMORY_BUDGET {
        return Err(CliError::TooManyFunctions {
            functions: functions as u64,
            mb: per_run >> 20,
            max_mb: MEMORY_BUDGET >> 20,
            max_functions: MEMORY_BUDGET / BYTES_PER_FUNCTION,
        });
    }
    let variants = variants as u64;
    let runs = variants.saturating_mul(seeds);
    if runs > MAX_RUNS {
        return Err(CliError::TooManyRuns {
            variants,
            seeds,
            runs,
            max: MAX_RUNS,
        });
    }
    let results = runs.saturating_mul(functions as u64);
    if results > MAX_FUNCTION_RESULTS {
        return Err(CliError::TooManyResults {
            runs,
            functions: functions as u64,
            results,
            max: MAX_FUNCTION_RESULTS,
        });
    }
    Ok(())
}

/// Refuses a command whose generated traffic is estimated above `max` requests (a
/// typo such as `rate: 1e9` would run for days): the estimate, and how to go ahead.
/// `seeds` is the seeds each configuration runs with, times a shard's share of the
/// runs.
fn check_work(variants: &[Variant], seeds: f64, max: u64) -> Result<(), CliError> {
    let per_seed: f64 = variants.iter().map(|v| v.estimate().requests).sum();
    too_much_work(per_seed * seeds, max)
}

/// The refusal of `requests` in all above `max`.
fn too_much_work(requests: f64, max: u64) -> Result<(), CliError> {
    if requests > max as f64 {
        return Err(CliError::TooMuchWork {
            requests,
            max,
            hours: requests / ASSUMED_REQUESTS_PER_SECOND / 3600.0,
        });
    }
    Ok(())
}

/// The simulation speed the estimate of a run's time assumes: one core of a recent
/// machine on a steady load (docs/performance.md).
const ASSUMED_REQUESTS_PER_SECOND: f64 = 10e6;

/// Keeps the variants named on the command line (all when none are).
pub(crate) fn select(variants: Vec<Variant>, names: &[String]) -> Result<Vec<Variant>, CliError> {
    if names.is_empty() {
        return Ok(variants);
    }
    if let Some(missing) = names
        .iter()
        .find(|n| !variants.iter().any(|v| &v.name == *n))
    {
        let known = variants
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(CliError::UnknownVariant {
            name: missing.clone(),
            known,
        });
    }
    Ok(variants
        .into_iter()
        .filter(|v| names.contains(&v.name))
        .collect())
}

/// How many seeds each variant runs with, and whether the charts' band across them is
/// kept.
#[derive(Clone, Copy)]
pub(crate) struct Seeds {
    count: u64,
    banded: bool,
}

/// Runs configurations of a scenario, every seed of each, into an output directory.
pub(crate) struct Runner<'a> {
    /// Every configuration of the scenario (or those `--variant` chose).
    pub(crate) variants: &'a [Variant],
    pub(crate) seeds: Seeds,
    /// Whether the first seeds' chart data is kept, for the charts.
    pub(crate) charts: bool,
    /// Where each configuration's time series goes, in a part file named by its place
    /// in `variants` ([`series_part`]).
    pub(crate) dir: &'a Path,
    pub(crate) progress: &'a Progress,
    pub(crate) cancel: &'a Arc<AtomicBool>,
}

impl Runner<'_> {
    /// Runs the configurations at places `which` with every seed: the slice of them
    /// all that a shard of one makes, joined as merge joins the slices of shards.
    pub(crate) fn run(&self, which: &[usize]) -> Result<Vec<(usize, ConfigRuns)>, CliError> {
        let whole = Shard::new(0, 1).expect("one shard of one");
        let parts = self.run_slice(which, whole)?;
        let dir = self.dir.to_path_buf();
        combine(
            parts.into_iter().map(|part| (dir.clone(), part)),
            which,
            self.seeds.count,
            self.charts,
        )
        .map_err(CliError::Merge)
    }

    /// Runs `shard`'s slice of the (configuration, seed) runs of the configurations at
    /// places `which`, all in parallel. The results are gathered in (configuration,
    /// seed) order, and the band joins runs in an order-free way, so the outputs never
    /// depend on how many threads ran them.
    pub(crate) fn run_slice(
        &self,
        which: &[usize],
        shard: Shard,
    ) -> Result<Vec<ConfigPart>, CliError> {
        let (variants, dir, progress, cancel) =
            (self.variants, self.dir, self.progress, self.cancel);
        let seeds = self.seeds;
        let parts_dir = dir.join(PARTS);
        std::fs::create_dir_all(&parts_dir).map_err(|e| output_error(&parts_dir, e))?;
        let all: Vec<(usize, usize, u64)> = which
            .iter()
            .enumerate()
            .flat_map(|(place, &v)| (0..seeds.count).map(move |k| (place, v, k)))
            .collect();
        let jobs = &all[shard.slice(all.len())];
        let bands: Vec<Mutex<Option<SeedBand>>> = which.iter().map(|_| Mutex::new(None)).collect();
        let band = |place: usize| seeds.banded.then(|| &bands[place]);
        let run_jobs = || {
            jobs.par_iter()
                .map(|&(place, v, k)| match k {
                    0 => run_variant(&variants[v], &series_part(dir, v), progress, cancel).map(
                        |(summary, chart, observed)| {
                            if let Some(band) = band(place) {
                                widen(band, &chart);
                            }
                            let chart = self.charts.then_some(chart);
                            let first = FirstRun {
                                summary,
                                chart,
                                observed,
                            };
                            (place, v, Run::First(first))
                        },
                    ),
                    _ => run_replica(&variants[v], k, band(place), progress, cancel)
                        .map(|summary| (place, v, Run::Replica(k, summary))),
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let functions = variants.first().map_or(0, |v| v.config.functions.len());
        let threads = concurrent_runs(functions);
        let results = if threads < rayon::current_num_threads() {
            // Fewer runs at once, so that their memory fits.
            match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
                Ok(pool) => pool.install(run_jobs)?,
                Err(_) => run_jobs()?,
            }
        } else {
            run_jobs()?
        };
        let mut bands: Vec<Option<SeedBand>> = bands
            .into_iter()
            .map(|b| b.into_inner().unwrap_or_else(PoisonError::into_inner))
            .collect();
        let mut parts: Vec<ConfigPart> = Vec::new();
        for (place, v, run) in results {
            if parts.last().is_none_or(|p| p.config != v) {
                parts.push(ConfigPart {
                    config: v,
                    first: None,
                    replicas: Vec::new(),
                    band: bands[place].take(),
                });
            }
            let part = parts.last_mut().expect("a part was pushed for this run");
            match run {
                Run::First(first) => part.first = Some(first),
                Run::Replica(k, summary) => part.replicas.push((k, summary)),
            }
        }
        Ok(parts)
    }
}

/// Widens a variant's band across seeds to take in one more run's chart data.
fn widen(band: &Mutex<Option<SeedBand>>, run: &ChartSeries) {
    let mut band = band.lock().unwrap_or_else(PoisonError::into_inner);
    match band.as_mut() {
        Some(band) => band.include(run),
        None => *band = Some(SeedBand::of(run)),
    }
}

/// One finished job of [`Runner::run_slice`]: a configuration's first seed, or
/// another (by its offset from the first).
enum Run {
    First(FirstRun),
    Replica(u64, RunSummary),
}

/// Simulates a variant with its seed plus `k`, keeping the totals, and its chart data
/// only to widen the variant's `band` when there is one.
fn run_replica(
    variant: &Variant,
    k: u64,
    band: Option<&Mutex<Option<SeedBand>>>,
    progress: &Progress,
    cancel: &Arc<AtomicBool>,
) -> Result<RunSummary, CliError> {
    let mut replica = variant.clone();
    replica.config.seed = variant.config.seed.wrapping_add(k);
    let run_error = |source| CliError::Run {
        variant: variant.name.clone(),
        source,
    };
    let simulation = Simulation::new(replica.config.clone(), replica.traffic()?)
        .map_err(run_error)?
        .with_cancel(Arc::clone(cancel));
    let bar = progress.bar(
        &format!("{} (seed {})", variant.name, replica.config.seed),
        variant.estimate().requests,
    );
    let mut advance = |fraction| advance(&bar, fraction);
    let summary = match band {
        Some(band) => {
            let mut chart = ChartSeries::new(&replica.config);
            let summary = simulation
                .run(&mut chart, &mut advance)
                .map_err(run_error)?;
            widen(band, &chart);
            summary
        }
        None => simulation
            .run(&mut DiscardSeries, &mut advance)
            .map_err(run_error)?,
    };
    bar.finish_and_clear();
    Ok(summary)
}

/// Writes runs.csv: a row per configuration, seed and function, with the swept keys.
fn write_runs(
    out: &OutputDir,
    scenario: &Scenario,
    variants: &[Variant],
    summaries: &[VariantSummary],
) -> Result<(), CliError> {
    let configurations: Vec<RunsConfiguration> = variants
        .iter()
        .zip(summaries)
        .map(|(v, summary)| RunsConfiguration {
            summary: *summary,
            variant: &v.variant,
            point: &v.point.name,
            values: &v.point.values,
        })
        .collect();
    let path = out.path().join("runs.csv");
    let file = File::create(&path).map_err(|e| output_error(&path, e))?;
    write_runs_csv(BufWriter::new(file), scenario.swept_keys(), &configurations)
        .map_err(|e| output_error(&path, e))
}

/// Writes seeds.csv: every variant's totals for every seed.
fn write_seeds(out: &OutputDir, summaries: &[VariantSummary]) -> Result<(), CliError> {
    let path = out.path().join("seeds.csv");
    let file = File::create(&path).map_err(|e| output_error(&path, e))?;
    write_seeds_csv(BufWriter::new(file), summaries).map_err(|e| output_error(&path, e))
}

/// Simulates one variant, streaming its time series into a part file and, in the same
/// pass, into the fixed-size chart data and the observed periods.
fn run_variant(
    variant: &Variant,
    part: &Path,
    progress: &Progress,
    cancel: &Arc<AtomicBool>,
) -> Result<(RunSummary, ChartSeries, Vec<Comparison>), CliError> {
    let file = File::create(part).map_err(|e| output_error(part, e))?;
    let names = variant
        .config
        .functions
        .iter()
        .map(|f| f.name.clone())
        .collect();
    let csv = CsvSeries::new(BufWriter::new(file), &variant.name, names, false)
        .map_err(|e| output_error(part, e))?;
    let mut sink = Tee {
        first: csv,
        second: Tee {
            first: ChartSeries::new(&variant.config),
            second: ObservedFold::new(&variant.observed),
        },
    };
    let run_error = |source| CliError::Run {
        variant: variant.name.clone(),
        source,
    };
    let simulation = Simulation::new(variant.config.clone(), variant.traffic()?)
        .map_err(run_error)?
        .with_cancel(Arc::clone(cancel));
    let bar = progress.bar(&variant.name, variant.estimate().requests);
    let summary = simulation
        .run(&mut sink, &mut |fraction| advance(&bar, fraction))
        .map_err(run_error)?;
    bar.finish_and_clear();
    let mut writer = sink.first.finish().map_err(|e| output_error(part, e))?;
    writer.flush().map_err(|e| output_error(part, e))?;
    Ok((summary, sink.second.first, sink.second.second.finish()))
}

/// Writes summary.json and joins the variants' series (their part files, in order)
/// into timeseries.csv, removing the part files the command wrote itself.
fn write_outputs(
    out: &OutputDir,
    name: &str,
    summaries: &[VariantSummary],
    series: &[PathBuf],
    slo: Option<(&[Objective], &[Verdict])>,
) -> Result<(), CliError> {
    let summary_path = out.path().join("summary.json");
    let file = File::create(&summary_path).map_err(|e| output_error(&summary_path, e))?;
    let mut writer = BufWriter::new(file);
    write_summary_judged(&mut writer, name, summaries, slo)
        .map_err(|e| output_error(&summary_path, e))?;
    writer.flush().map_err(|e| output_error(&summary_path, e))?;

    let series_path = out.path().join("timeseries.csv");
    concat_parts(series, &series_path).map_err(|e| output_error(&series_path, e))?;
    let own_parts = out.path().join(PARTS);
    if own_parts.exists() {
        std::fs::remove_dir_all(&own_parts).map_err(|e| output_error(&own_parts, e))?;
    }
    Ok(())
}

/// Draws the charts into `charts/` and writes `report.html`. Every chart is rendered in
/// memory before any file is written; a failure fails the run, and the output
/// directory, never committed, disappears with everything in it.
fn write_report(
    out: &OutputDir,
    scenario: &Scenario,
    variants: &[Variant],
    summaries: &[VariantSummary],
    verdicts: &[Verdict],
    chart_data: &[(Option<ChartSeries>, Option<SeedBand>, Vec<Comparison>)],
    plan: Option<&Plan>,
) -> Result<(), CliError> {
    let data: Vec<VariantData> = variants
        .iter()
        .zip(chart_data)
        .map(|(v, (series, band, observed))| VariantData {
            name: &v.name,
            config: &v.config,
            series: series
                .as_ref()
                .expect("runs that draw charts keep their chart data (merge checks it)"),
            band: band.as_ref(),
            observed,
        })
        .collect();
    let charts_dir = out.path().join("charts");
    let focus = match scenario.focus {
        Some((start, end)) => Some((start as f64 / 1e9, end as f64 / 1e9)),
        None => charts::find_window(&data),
    };
    let chart_error = |e| output_error(&charts_dir, std::io::Error::other(e));
    let mut set = charts::render_focused(&data, focus).map_err(chart_error)?;
    if let Some(plan) = plan {
        let configurations: Vec<(&str, &Verdict)> =
            summaries.iter().map(|s| s.name).zip(verdicts).collect();
        let chosen = plan.chosen.as_ref().map(|c| c.name.as_str());
        let specs = charts::decision_specs(scenario.slo(), &configurations, chosen);
        set.decision = charts::render_decision(&specs).map_err(chart_error)?;
    }
    charts::write_charts(&charts_dir, &set).map_err(|e| output_error(&charts_dir, e))?;

    let report_variants: Vec<ReportVariant> = summaries
        .iter()
        .zip(variants)
        .zip(chart_data)
        .map(|((summary, v), (_, _, observed))| ReportVariant {
            summary: *summary,
            config: &v.config,
            warm_auto: &v.warm_auto,
            observed,
        })
        .collect();
    let html = render_report(&Report {
        scenario: &scenario.name,
        source: &scenario.source_text,
        variants: &report_variants,
        charts: &set,
        slo: (scenario.slo(), verdicts),
        plan,
    });
    let report_path = out.path().join("report.html");
    charts::write_atomically(&report_path, html.as_bytes())
        .map_err(|e| output_error(&report_path, e))
}

/// `--out` names no directory a run may write (`/`, `..`) or one holding something
/// else: the user's input, said before anything runs; other failures are the
/// machine's.
/// The output directory `--out` names (by default `out/<scenario name>`), created
/// empty beside it and guarded, so that a second signal removes it.
pub(crate) fn open_out(
    out: Option<&Path>,
    scenario: &Scenario,
    interrupt: &Interrupt,
) -> Result<OutputDir, CliError> {
    let final_dir = out.map_or_else(
        || PathBuf::from("out").join(&scenario.name),
        Path::to_path_buf,
    );
    let out = OutputDir::create(&final_dir).map_err(|e| out_argument_error(&final_dir, e))?;
    interrupt.guard(out.path());
    Ok(out)
}

pub(crate) fn out_argument_error(path: &Path, source: std::io::Error) -> CliError {
    use std::io::ErrorKind as K;
    match source.kind() {
        K::InvalidInput | K::AlreadyExists => CliError::OutArgument {
            path: path.display().to_string(),
            source,
        },
        _ => output_error(path, source),
    }
}

pub(crate) fn output_error(path: &Path, source: std::io::Error) -> CliError {
    CliError::Output {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A scenario replaying `trace` (written beside it) for one hour.
    fn scenario_with_trace(dir: &Path, trace: &str) -> Scenario {
        std::fs::write(dir.join("t.csv"), trace).unwrap();
        let path = dir.join("s.yaml");
        let yaml = "name: s\nduration: 1h\nfunctions:\n  - name: f\n    traffic:\n      - trace: { file: t.csv }\n";
        std::fs::write(&path, yaml).unwrap();
        Scenario::load_deferring_traces(&path).unwrap()
    }

    /// Waits (a minute at most, so that a broken check cannot hang the test) for the
    /// flag, and says whether it was raised.
    fn raised(flag: &AtomicBool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !flag.load(Ordering::Relaxed) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        flag.load(Ordering::Relaxed)
    }

    #[test]
    fn a_failed_trace_check_cancels_the_runs_and_its_error_wins() {
        let tmp = tempfile::tempdir().unwrap();
        // The bad row is after the simulated hour, where no run reads.
        let scenario = scenario_with_trace(tmp.path(), "offset_s\n0\n7200\nsoon\n");
        let flag = Arc::new(AtomicBool::new(false));
        let result = run_checking_traces(&scenario, &flag, None, |cancel| {
            assert!(raised(cancel), "the failed check did not raise the flag");
            Ok(())
        });
        let Err(CliError::Input(err)) = result else {
            panic!("expected the check's error, got {result:?}");
        };
        assert_eq!(err.line(), Some(4), "{err}");
    }

    #[test]
    fn runs_go_fewer_at_a_time_to_fit_and_a_run_too_big_is_refused() {
        let threads = rayon::current_num_threads();
        assert_eq!(concurrent_runs(10), threads);
        // 100,000 functions take about 2.4 GB a run: one at a time within 4 GiB.
        assert_eq!(concurrent_runs(100_000), 1);
        assert!(concurrent_runs(20_000) <= 8);
        assert!(check_runs(1, 1, 170_000).is_ok());
        let refused = check_runs(1, 1, 200_000);
        assert!(
            matches!(
                refused,
                Err(CliError::TooManyFunctions {
                    functions: 200_000,
                    ..
                })
            ),
            "{refused:?}"
        );
        assert_eq!(refused.unwrap_err().exit_code(), 2);
    }

    #[test]
    fn a_passing_trace_check_leaves_the_runs_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let scenario = scenario_with_trace(tmp.path(), "offset_s\n0\n7200\n");
        let flag = Arc::new(AtomicBool::new(false));
        let result = run_checking_traces(&scenario, &flag, None, |cancel| Ok(Arc::clone(cancel)));
        let cancel = result.expect("the check passes");
        assert!(!cancel.load(Ordering::Relaxed));
    }
}
