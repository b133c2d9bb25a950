//! The `lambdasim` command: a thin layer that reads a scenario, runs it, and writes
//! the results. Exit status: 0 on success, 2 for invalid input, 3 when the scenario
//! has an `slo:` that no configuration meets (the results are written; for `plan`, none
//! it ran), 130 when a
//! signal interrupted a run, 1 for anything else.

mod args;
mod error;
mod fit;
mod interrupt;
mod merge;
mod plan;
mod progress;
mod run;
mod shard;
mod stats;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let result = match cli.command {
        args::Command::Run(run_args) => run::run(&run_args, run::Mode::Run),
        args::Command::Plan(run_args) => run::run(&run_args, run::Mode::Plan),
        args::Command::Merge(merge_args) => merge::merge(&merge_args),
        args::Command::Validate { scenario, sets } => run::validate(&scenario, &sets),
        args::Command::Fit { file, column } => fit::fit(&file, column.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let code = err.exit_code();
            eprintln!("{:?}", err.into_report());
            ExitCode::from(code)
        }
    }
}
