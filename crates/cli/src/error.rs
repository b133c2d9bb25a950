//! Errors the command reports, and their exit codes.

use lambdasim_model::SimError;
use lambdasim_scenario::ScenarioError;
use miette::Diagnostic;

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum CliError {
    /// The scenario or one of its traces is invalid.
    #[error("{0}")]
    #[diagnostic(
        code(lambdasim::input),
        help("see docs/scenarios.md for the scenario format")
    )]
    Input(ScenarioError),
    /// A `--variant` names no variant of the scenario.
    #[error("no variant named `{name}` in the scenario (it has: {known})")]
    #[diagnostic(code(lambdasim::input))]
    UnknownVariant { name: String, known: String },
    /// A run failed part-way through (a trace line that only the run reached, say).
    #[error("variant `{variant}` failed")]
    #[diagnostic(code(lambdasim::run))]
    Run {
        variant: String,
        #[source]
        source: SimError,
    },
    /// `--seeds` times the variants asks for more runs than one command makes.
    #[error(
        "found {variants} variants × {seeds} seeds = {runs} runs, expected at most {max} (fewer --seeds, or pick variants with --variant)"
    )]
    #[diagnostic(code(lambdasim::input))]
    TooManyRuns {
        variants: u64,
        seeds: u64,
        runs: u64,
        max: u64,
    },
    /// The runs times the functions ask for more results than one command keeps.
    #[error(
        "found {runs} runs × {functions} functions = {results} results to keep, expected at most {max} (fewer --seeds or variants)"
    )]
    #[diagnostic(code(lambdasim::input))]
    TooManyResults {
        runs: u64,
        functions: u64,
        results: u64,
        max: u64,
    },
    /// One run of the scenario would not fit in the memory a command may take.
    #[error(
        "found {functions} functions: one run would take about {mb} MB, expected at most {max_mb} MB (at most {max_functions} functions)"
    )]
    #[diagnostic(
        code(lambdasim::input),
        help("split the account's functions over several scenarios")
    )]
    TooManyFunctions {
        functions: u64,
        mb: u64,
        max_mb: u64,
        max_functions: u64,
    },
    /// The scenario's traffic is estimated above `--max-requests`.
    #[error(
        "the scenario generates about {requests:.3e} requests in all (variants × seeds), above --max-requests {max}: about {hours:.1} hours at 10 million a second"
    )]
    #[diagnostic(
        code(lambdasim::input),
        help(
            "check the rates and the duration, or run with --yes (or a larger --max-requests) to go ahead"
        )
    )]
    TooMuchWork { requests: f64, max: u64, hours: f64 },
    /// The scenario has an `slo:` and no configuration meets it (the outputs were
    /// written): a pipeline's gate.
    #[error(
        "no configuration meets the scenario's slo: ({judged} judged; the results are in {out})"
    )]
    #[diagnostic(code(lambdasim::slo))]
    SloNotMet { judged: usize, out: String },
    /// A signal (Ctrl-C, SIGTERM, SIGHUP) stopped the run before it wrote anything.
    #[error("interrupted: the run stopped and left no output")]
    #[diagnostic(code(lambdasim::interrupted))]
    Interrupted,
    /// `--out` cannot be used: it names no directory, or one a run may not replace.
    #[error("cannot write to {path}")]
    #[diagnostic(code(lambdasim::input))]
    OutArgument {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Writing the results failed.
    #[error("writing the results to {path} failed")]
    #[diagnostic(code(lambdasim::output))]
    Output {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// The exit status of a run whose scenario has an `slo:` that no configuration meets.
pub const SLO_NOT_MET: u8 = 3;

impl CliError {
    /// 2 for invalid input (as `README.md` documents), 3 when no configuration meets
    /// the scenario's `slo:`, 130 when interrupted, 1 for anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Interrupted => crate::interrupt::EXIT_STATUS,
            Self::SloNotMet { .. } => SLO_NOT_MET,
            Self::Input(err) if err.is_input_error() => 2,
            Self::UnknownVariant { .. }
            | Self::TooManyRuns { .. }
            | Self::TooManyResults { .. }
            | Self::TooManyFunctions { .. }
            | Self::TooMuchWork { .. }
            | Self::OutArgument { .. } => 2,
            Self::Run {
                source: SimError::Source(_) | SimError::Config(_),
                ..
            } => 2,
            _ => 1,
        }
    }
}

impl From<ScenarioError> for CliError {
    fn from(err: ScenarioError) -> Self {
        Self::Input(err)
    }
}
