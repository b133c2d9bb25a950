//! Command-line arguments (`lambdasim run`, `plan`, `merge`, `validate` and `fit`, as `README.md`
//! documents them).

use clap::{Parser, Subcommand};
use lambdasim_scenario::SetArg;
use std::path::PathBuf;

/// Simulate AWS Lambda scaling: concurrency limits, the scaling rate, reserved and
/// provisioned concurrency, cold starts, throttling and cost.
#[derive(Parser, Debug)]
#[command(name = "lambdasim", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate every variant (at every sweep point) of a scenario and write summary.json,
    /// runs.csv and timeseries.csv.
    Run(RunArgs),
    /// Find the cheapest configuration (variant × sweep point) that meets every
    /// objective of the scenario's `slo:`, bisecting along provisioned or reserved
    /// concurrency rather than running the whole grid, and write plan.json beside
    /// run's outputs for the configurations it ran.
    Plan(RunArgs),
    /// Join the output directories of `run --shard` (all the shards of one command)
    /// into the outputs the whole command writes on one machine, byte for byte.
    Merge(MergeArgs),
    /// Check a scenario (and its trace files) without running it.
    Validate {
        /// The scenario YAML file.
        scenario: PathBuf,
        /// Set or sweep a setting, as `run --set` does (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE[,VALUE…]")]
        sets: Vec<SetArg>,
    },
    /// Summarise observed invocations (REPORT log lines, JSON log lines or a CSV
    /// column) and print duration settings to paste into a scenario.
    Fit {
        /// The file of observed invocations.
        file: PathBuf,
        /// The field or CSV column with the durations (as `{ empirical: … }` takes it).
        #[arg(long)]
        column: Option<String>,
    },
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The scenario YAML file.
    pub scenario: PathBuf,
    /// Output directory (default: out/<scenario name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Run each variant with N seeds: its own, then the next N - 1, all in parallel.
    /// The outputs show the first; seeds.csv and summary.json add the spread.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub seeds: u64,
    /// Set a setting (any key a variant's `set:` accepts) for every run, or, with
    /// several values, sweep it: each value is a point of the scenario's `sweep:`
    /// grid, replacing the scenario's values for the key (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE[,VALUE…]")]
    pub sets: Vec<SetArg>,
    /// Run only this variant (repeatable).
    #[arg(long = "variant", value_name = "NAME")]
    pub variants: Vec<String>,
    /// Do not write charts or the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print invocations, events, wall time, invocations per second and peak memory.
    #[arg(long)]
    pub stats: bool,
    /// Run even when the scenario's traffic is estimated above --max-requests.
    #[arg(long)]
    pub yes: bool,
    /// The most requests (all variants and seeds, estimated from the scenario's rates
    /// before running) a run goes ahead with unless --yes is given.
    #[arg(long, value_name = "N", default_value_t = 10_000_000_000)]
    pub max_requests: u64,
    /// Run only the I-th of N slices of the (configuration, seed) runs, counting from
    /// 1 (1/4 to 4/4), and write their results into --out for `lambdasim merge`.
    /// `auto` reads an array job's index from SLURM_ARRAY_TASK_ID (less
    /// SLURM_ARRAY_TASK_MIN, with SLURM_ARRAY_TASK_COUNT), JOB_COMPLETION_INDEX (from
    /// 0, with --shard-count) or AWS_BATCH_JOB_ARRAY_INDEX (from 0, with
    /// AWS_BATCH_JOB_ARRAY_SIZE). Not with plan.
    #[arg(long, value_name = "I/N|auto")]
    pub shard: Option<String>,
    /// The number of shards, with --shard auto where the scheduler sets an index but
    /// no count (a Kubernetes Indexed Job's completions).
    #[arg(long, value_name = "N")]
    pub shard_count: Option<u64>,
}

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// The output directories of the shards (`run --shard I/N --out DIR`), all N.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Output directory (default: out/<scenario name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}
