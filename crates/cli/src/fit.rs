//! `lambdasim fit FILE`: what a file of observed invocations holds (REPORT log lines,
//! JSON log lines or a CSV column, as `{ empirical: … }` reads them), and the
//! `duration:` and `init_duration:` lines to paste into a scenario: a fitted lognormal
//! with its distance from the data, and the observed values themselves.

use crate::error::CliError;
use lambdasim_model::dist::{DurationDist, Empirical, fit_lognormal};
use lambdasim_scenario::{Observed, read_observed};
use std::fmt::Write as _;
use std::path::Path;

/// Above this Kolmogorov–Smirnov distance the fitted lognormal is called a poor fit.
const POOR_FIT: f64 = 0.05;

/// Reads `file` and prints what it found and the lines to paste.
pub fn fit(file: &Path, column: Option<&str>) -> Result<(), CliError> {
    let observed = read_observed(file, column)?;
    print!("{}", describe(file, column, &observed));
    Ok(())
}

/// The report `fit` prints.
fn describe(file: &Path, column: Option<&str>, observed: &Observed) -> String {
    let d = &observed.durations;
    let mut out = String::new();
    let _ = writeln!(out, "{}: {} invocations", file.display(), d.len());
    let _ = writeln!(out, "duration: {}", quantiles(d));
    let restored = matches!(
        observed.init_field,
        Some("Restore Duration" | "restoreDurationMs")
    );
    if let Some(init) = &observed.init {
        let share = 100.0 * init.len() as f64 / d.len() as f64;
        let _ = writeln!(
            out,
            "cold starts: {} of {} ({share:.3} %), {} {}",
            init.len(),
            d.len(),
            if restored {
                "SnapStart restore"
            } else {
                "Init"
            },
            quantiles(init)
        );
    }
    if let (Some(size), Some(used)) = (observed.memory_mb, observed.max_memory_used_mb) {
        let _ = writeln!(out, "memory: {size} MB configured, at most {used} MB used");
    }
    let _ = writeln!(out, "\n# Paste under the function:");
    let source = match column {
        Some(c) => format!("{{ file: {}, column: {c} }}", file.display()),
        None => format!("{{ file: {} }}", file.display()),
    };
    paste(&mut out, "duration", d, &source);
    if let (Some(init), Some(field)) = (&observed.init, observed.init_field) {
        let source = format!("{{ file: {}, column: {field} }}", file.display());
        if restored {
            let _ = writeln!(
                out,
                "# Under snapstart: (the restores of a SnapStart function):"
            );
            paste(&mut out, "restore_duration", init, &source);
        } else {
            paste(&mut out, "init_duration", init, &source);
        }
    }
    out
}

/// The fitted and the observed lines for one setting.
fn paste(out: &mut String, key: &str, values: &Empirical, source: &str) {
    match fit_lognormal(values) {
        Some(fit) => {
            let DurationDist::Lognormal { median, p99 } = fit.dist else {
                unreachable!("a lognormal fit is a lognormal")
            };
            let verdict = if fit.ks_distance > POOR_FIT {
                ", a poor fit: prefer the observed values"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "{key}: {{ lognormal: {{ median: {}, p99: {} }} }}   # fitted, Kolmogorov-Smirnov distance {:.3}{verdict}",
                ms(median),
                ms(p99),
                fit.ks_distance
            );
        }
        None => {
            let _ = writeln!(
                out,
                "# {key}: no lognormal fits (a value of 0, or all equal)"
            );
        }
    }
    let _ = writeln!(
        out,
        "{key}: {{ empirical: {source} }}   # the observed values"
    );
}

/// p50, p90, p99 and max.
fn quantiles(e: &Empirical) -> String {
    format!(
        "p50 {}, p90 {}, p99 {}, max {}",
        ms(e.quantile(0.5)),
        ms(e.quantile(0.9)),
        ms(e.quantile(0.99)),
        ms(e.quantile(1.0))
    )
}

/// Nanoseconds as milliseconds to 0.01 ms, in the scenario's duration syntax.
fn ms(nanos: u64) -> String {
    let text = format!("{:.2}", nanos as f64 / 1e6);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}ms")
}

#[cfg(test)]
mod tests {
    use super::ms;

    #[test]
    fn milliseconds_are_written_as_the_scenario_reads_them() {
        assert_eq!(ms(88_790_000), "88.79ms");
        assert_eq!(ms(2_000_000_000), "2000ms");
        assert_eq!(ms(1_234), "0ms");
        assert_eq!(ms(100_500_000), "100.5ms");
    }
}
