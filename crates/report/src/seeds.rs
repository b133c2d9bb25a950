//! Results over several seeds (`lambdasim run --seeds N`): how much a variant's answer
//! moves with the random draws alone.
//!
//! `seeds.csv` has one row per variant, seed and function with the totals that decide a
//! design (requests, throttles, cold starts, p99 latency, peak concurrency, cost), and
//! `summary.json` gets each variant's spread across seeds at the account level.

use crate::finite::finite;
use crate::summary::VariantSummary;
use lambdasim_model::RunSummary;
/// `part` as a percentage of `whole`, 0 when `whole` is 0 (the model's definition,
/// which SLOs judge by).
pub(crate) use lambdasim_model::slo::percent as pct;
use serde::Serialize;
use std::io::{self, Write};

/// The header of `seeds.csv`.
pub const SEEDS_HEADER: &str = "variant,seed,function,requests,invocations,throttles,throttled_pct,cold_starts,cold_start_pct,latency_p99_ms,peak_concurrency,cost_usd";

/// Mean, sample standard deviation, minimum and maximum of one measure across seeds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Spread {
    pub mean: f64,
    pub sd: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// The spread of `values` (at least one).
    pub fn of(values: &[f64]) -> Self {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let squares: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        let sd = if values.len() > 1 {
            (squares / (n - 1.0)).sqrt()
        } else {
            0.0
        };
        Self {
            mean,
            sd,
            min: values.iter().copied().fold(f64::INFINITY, f64::min),
            max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

/// Student's t at 97.5 % for 1 to 30 degrees of freedom (two-sided 95 %).
const T_975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// Student's t at 97.5 % for `df` degrees of freedom (at least 1). Past 30 the value
/// of the nearest tabulated degree at or below `df` (40, 60, 120), so the interval errs
/// wide, and 1.96 from 1,000 on.
pub fn t_975(df: usize) -> f64 {
    match df {
        0 => f64::INFINITY,
        1..=30 => T_975[df - 1],
        31..=39 => 2.042,
        40..=59 => 2.021,
        60..=119 => 2.000,
        120..=999 => 1.980,
        _ => 1.960,
    }
}

/// The mean of `values` and half the width of its 95 % confidence interval
/// (t × sd / √n); the half-width is 0 for one value.
pub fn mean_ci95(values: &[f64]) -> (f64, f64) {
    let s = Spread::of(values);
    let n = values.len();
    let half = if n > 1 {
        t_975(n - 1) * s.sd / (n as f64).sqrt()
    } else {
        0.0
    };
    (s.mean, half)
}

/// A variant's account-level results across its seeds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeedSpread {
    /// The seeds, in order (the first is the one the other outputs show).
    pub seeds: Vec<u64>,
    /// Throttled requests as a percentage of requests.
    pub throttled_pct: Spread,
    /// Cold starts as a percentage of invocations.
    pub cold_start_pct: Spread,
    pub peak_concurrency: Spread,
    pub cost_usd: Spread,
}

impl SeedSpread {
    /// The spread of a variant's runs, or `None` when it ran with one seed only.
    pub fn of(variant: &VariantSummary<'_>) -> Option<Self> {
        if variant.replicas.is_empty() {
            return None;
        }
        let runs = all_runs(variant);
        let measure =
            |f: fn(&RunSummary) -> f64| Spread::of(&runs.iter().map(|r| f(r)).collect::<Vec<_>>());
        Some(Self {
            seeds: runs_seeds(variant),
            throttled_pct: measure(|r| pct(r.account.throttles, r.account.requests)),
            cold_start_pct: measure(|r| pct(r.account.cold_starts, r.account.invocations)),
            peak_concurrency: measure(|r| f64::from(r.account.peak_concurrency)),
            cost_usd: measure(|r| r.account.cost_usd.total),
        })
    }
}

/// The variant's runs in seed order: its own, then its replicas'.
pub fn all_runs<'a>(variant: &VariantSummary<'a>) -> Vec<&'a RunSummary> {
    std::iter::once(variant.run)
        .chain(variant.replicas.iter())
        .collect()
}

/// The seeds of `all_runs`: the variant's seed and the ones after it.
fn runs_seeds(variant: &VariantSummary<'_>) -> Vec<u64> {
    (0..=variant.replicas.len() as u64)
        .map(|k| variant.seed.wrapping_add(k))
        .collect()
}

/// Writes `seeds.csv`: a row per variant, seed and function, variants in order and
/// seeds ascending.
pub fn write_seeds_csv(mut w: impl Write, variants: &[VariantSummary<'_>]) -> io::Result<()> {
    writeln!(w, "{SEEDS_HEADER}")?;
    for variant in variants {
        for (run, seed) in all_runs(variant).into_iter().zip(runs_seeds(variant)) {
            for f in &run.functions {
                writeln!(
                    w,
                    "{},{seed},{},{},{},{},{:.4},{},{:.4},{:.3},{},{:.6}",
                    csv_text(variant.name),
                    csv_text(&f.name),
                    f.requests,
                    f.invocations,
                    f.throttles,
                    pct(f.throttles, f.requests),
                    f.cold_starts,
                    pct(f.cold_starts, f.invocations),
                    finite(f.latency_ms.p99),
                    f.peak_concurrency,
                    finite(f.cost_usd.total),
                )?;
            }
        }
    }
    w.flush()
}

/// `text` as a CSV field: quoted (its quotes doubled) when it holds a comma, a quote or
/// a line break, as a sweep point's name (`pc=20,mem=1024`) does.
fn csv_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\"")).into()
    } else {
        text.into()
    }
}

/// The terminal lines after the table: each variant's spread across seeds.
pub fn render_spread(variants: &[VariantSummary<'_>]) -> String {
    let mut out = String::new();
    for variant in variants {
        let Some(s) = SeedSpread::of(variant) else {
            continue;
        };
        if out.is_empty() {
            out.push_str(&format!(
                "\nacross {} seeds (mean ± sd, min to max):\n",
                s.seeds.len()
            ));
        }
        let show = |x: &Spread, digits: usize| {
            format!(
                "{:.d$} ± {:.d$} ({:.d$} to {:.d$})",
                x.mean,
                x.sd,
                x.min,
                x.max,
                d = digits
            )
        };
        out.push_str(&format!(
            "  {}: throttled % {}, cold % {}, peak conc. {}, cost $ {}\n",
            variant.name,
            show(&s.throttled_pct, 2),
            show(&s.cold_start_pct, 2),
            show(&s.peak_concurrency, 0),
            show(&s.cost_usd, 2),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_commas_or_quotes_are_quoted() {
        assert_eq!(csv_text("on-demand"), "on-demand");
        assert_eq!(csv_text("pc=20,mem=1024"), "\"pc=20,mem=1024\"");
        assert_eq!(csv_text("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn spread_of_known_values() {
        let s = Spread::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(s.mean, 5.0);
        assert!(
            (s.sd - 2.138_089_935).abs() < 1e-9,
            "sample sd, not population"
        );
        assert_eq!((s.min, s.max), (2.0, 9.0));
        assert_eq!(Spread::of(&[3.0]).sd, 0.0);
    }

    #[test]
    fn the_95_percent_interval_of_the_mean_uses_students_t() {
        // Five values with sd 2.138...: t(4) = 2.776, so 2.776 × sd / √5.
        let values = [2.0, 4.0, 5.0, 7.0, 9.0];
        let (mean, half) = mean_ci95(&values);
        assert_eq!(mean, 5.4);
        let sd = Spread::of(&values).sd;
        assert!((half - 2.776 * sd / 5f64.sqrt()).abs() < 1e-12);
        assert_eq!(mean_ci95(&[3.0]), (3.0, 0.0));
        assert_eq!(t_975(1), 12.706);
        assert_eq!(t_975(30), 2.042);
        assert_eq!(t_975(45), 2.021);
        assert_eq!(t_975(5000), 1.96);
    }
}
