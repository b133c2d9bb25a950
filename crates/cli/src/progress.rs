//! Progress bars for long runs: shown only on a terminal and never with `--quiet`,
//! so piped output and logs stay clean.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// One bar per variant, or nothing.
pub struct Progress {
    multi: Option<MultiProgress>,
}

/// Steps of a bar: progress is reported as a fraction of simulated time.
const STEPS: u64 = 1000;

impl Progress {
    pub fn new(quiet: bool) -> Self {
        let show = !quiet && std::io::stdout().is_terminal();
        Self {
            multi: show.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stdout())),
        }
    }

    /// A bar for one variant (hidden when progress is off), saying how many requests
    /// the run is expected to simulate.
    pub fn bar(&self, variant: &str, expected_requests: f64) -> ProgressBar {
        let Some(multi) = &self.multi else {
            return ProgressBar::hidden();
        };
        let bar = multi.add(ProgressBar::new(STEPS));
        let style = ProgressStyle::with_template(
            "{prefix:>16} [{bar:40}] {percent:>3}% {elapsed} (eta {eta}) {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(variant.to_string());
        if expected_requests > 0.0 {
            bar.set_message(format!("~{expected_requests:.2e} requests"));
        }
        bar
    }
}

/// Moves a bar to `fraction` of the simulated span.
pub fn advance(bar: &ProgressBar, fraction: f64) {
    bar.set_position((fraction.clamp(0.0, 1.0) * STEPS as f64) as u64);
}
