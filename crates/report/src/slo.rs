//! Judging each configuration by the scenario's `slo:`.
//!
//! With one seed, an objective is met when the run's measure meets the threshold. With
//! `--seeds N`, the measure's mean over the seeds gets a 95 % confidence interval
//! (Student's t with N − 1 degrees of freedom), and the objective is met only when the
//! interval's pessimistic end does: its upper end for `<` and `<=`, its lower end for
//! `>` and `>=`. A configuration meets the SLO when it meets every objective.

use crate::seeds::Spread;
use crate::summary::VariantSummary;
use lambdasim_model::{Objective, RunSummary};
use serde::Serialize;
use std::fmt::Write as _;

/// How one configuration fared against one objective.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObjectiveVerdict {
    /// `account` or the function's name.
    pub scope: String,
    /// The metric's name.
    pub metric: &'static str,
    /// The threshold as an operator and a number: `< 0.1`.
    pub threshold: String,
    /// The measure's mean over the seeds (the measure itself with one seed).
    pub mean: f64,
    /// With several seeds, the 95 % confidence interval of the mean, low end first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci95: Option<[f64; 2]>,
    /// The value judged: the interval's pessimistic end, or the measure with one seed.
    pub judged: f64,
    /// Runs without the measure (a latency of a function that served nothing), which
    /// fail the objective; absent when there are none.
    #[serde(skip_serializing_if = "is_zero")]
    pub runs_without_value: usize,
    /// Whether the objective is met.
    pub met: bool,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// How one configuration fared against the whole SLO.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    /// Whether it meets every objective.
    pub met: bool,
    /// Each objective's verdict, in the scenario's order.
    pub objectives: Vec<ObjectiveVerdict>,
    /// The account's total cost, mean over the seeds: what [`cheapest`] compares
    /// (`summary.json` has it already).
    #[serde(skip)]
    pub cost_usd: f64,
}

/// The configuration that meets the SLO at the lowest cost (the account's total, mean
/// over its seeds; the first of equals), by its place in `verdicts`; `None` when none
/// meets it.
pub fn cheapest(verdicts: &[Verdict]) -> Option<usize> {
    verdicts
        .iter()
        .enumerate()
        .filter(|(_, v)| v.met)
        .min_by(|(_, a), (_, b)| a.cost_usd.total_cmp(&b.cost_usd))
        .map(|(i, _)| i)
}

/// Judges one configuration (all its seeds) by `objectives`.
pub fn judge(objectives: &[Objective], configuration: &VariantSummary<'_>) -> Verdict {
    let runs: Vec<&RunSummary> = std::iter::once(configuration.run)
        .chain(configuration.replicas)
        .collect();
    let objectives: Vec<ObjectiveVerdict> = objectives
        .iter()
        .map(|objective| judge_one(objective, &runs))
        .collect();
    let cost_usd = runs.iter().map(|r| r.account.cost_usd.total).sum::<f64>() / runs.len() as f64;
    Verdict {
        met: objectives.iter().all(|o| o.met),
        objectives,
        cost_usd,
    }
}

fn judge_one(objective: &Objective, runs: &[&RunSummary]) -> ObjectiveVerdict {
    let values: Vec<f64> = runs.iter().filter_map(|r| objective.value(r)).collect();
    let missing = runs.len() - values.len();
    let (mean, ci95) = match values.len() {
        0 => (f64::NAN, None),
        1 => (values[0], None),
        _ => (Spread::of(&values).mean, ci95(&values)),
    };
    let judged = match ci95 {
        Some([_, high]) if objective.comparison.larger_is_worse() => high,
        Some([low, _]) => low,
        None => mean,
    };
    ObjectiveVerdict {
        scope: objective.scope.to_string(),
        metric: objective.metric.name(),
        threshold: format!("{} {}", objective.comparison.symbol(), objective.threshold),
        mean,
        ci95,
        judged,
        runs_without_value: missing,
        met: missing == 0 && objective.comparison.holds(judged, objective.threshold),
    }
}

/// The 95 % confidence interval of the mean of `values`, low end first (Student's t
/// with n − 1 degrees of freedom): what objectives are judged by, and what `runs.csv`
/// shows. `None` for fewer than two values.
pub fn ci95(values: &[f64]) -> Option<[f64; 2]> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let spread = Spread::of(values);
    let half = t_975(n as u64 - 1) * spread.sd / (n as f64).sqrt();
    Some([spread.mean - half, spread.mean + half])
}

/// The 0.975 quantile of Student's t distribution with `df` degrees of freedom (at
/// least 1): the half-width of a 95 % interval in standard errors. Exact to six
/// decimals: a table up to 30, the Cornish–Fisher expansion around the normal
/// quantile above (within 1e-6 there).
pub fn t_975(df: u64) -> f64 {
    /// df = 1 to 30, computed by integrating the density.
    const TABLE: [f64; 30] = [
        12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157,
        2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922,
        2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831,
        2.048407, 2.045230, 2.042272,
    ];
    if df == 0 {
        return f64::NAN;
    }
    if let Some(t) = TABLE.get(df as usize - 1) {
        return *t;
    }
    let z: f64 = 1.959_963_984_540_054;
    let n = df as f64;
    let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
    z + (z3 + z) / (4.0 * n)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * n * n)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * n.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92160.0 * n.powi(4))
}

/// The terminal lines after the table: the objectives, then each configuration's
/// verdict (the objectives it fails, with the values judged), then how many meet
/// the SLO. Empty when there are no objectives.
pub fn render_slo(objectives: &[Objective], names: &[&str], verdicts: &[Verdict]) -> String {
    if objectives.is_empty() {
        return String::new();
    }
    let listed: Vec<String> = objectives.iter().map(ToString::to_string).collect();
    let seeds = verdicts
        .first()
        .and_then(|v| v.objectives.iter().find(|o| o.ci95.is_some()))
        .is_some();
    let mut out = format!("\nSLO: {}", listed.join("; "));
    out.push_str(if seeds {
        " (judged at the pessimistic end of each mean's 95 % confidence interval over the seeds)\n"
    } else {
        "\n"
    });
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (name, verdict) in names.iter().zip(verdicts) {
        let _ = write!(
            out,
            "  {:<5} {name:<width$}",
            if verdict.met { "meets" } else { "fails" }
        );
        let failed: Vec<String> = verdict
            .objectives
            .iter()
            .filter(|o| !o.met)
            .map(show_failure)
            .collect();
        if !failed.is_empty() {
            let _ = write!(out, "  {}", failed.join("; "));
        }
        out = out.trim_end().to_string();
        out.push('\n');
    }
    let met = verdicts.iter().filter(|v| v.met).count();
    let n = verdicts.len();
    let plural = if n == 1 { "" } else { "s" };
    let _ = match met {
        0 => writeln!(out, "no configuration meets the SLO ({n} judged)"),
        _ => writeln!(out, "{met} of {n} configuration{plural} meet the SLO"),
    };
    if let Some(best) = cheapest(verdicts) {
        let cost = verdicts[best].cost_usd;
        let cheaper = verdicts.iter().filter(|v| v.cost_usd < cost).count();
        let _ = write!(
            out,
            "the cheapest that meets it: {} at ${cost:.4}{}",
            names[best],
            if seeds { " (mean over the seeds)" } else { "" }
        );
        let _ = match cheaper {
            0 => writeln!(out),
            1 => writeln!(out, "; 1 cheaper configuration fails it"),
            k => writeln!(out, "; {k} cheaper configurations fail it"),
        };
    }
    out
}

/// `checkout latency_p99_ms 912.4 (95 % CI 850.1 to 974.7), needs < 800`.
fn show_failure(o: &ObjectiveVerdict) -> String {
    if o.runs_without_value > 0 {
        return format!(
            "{} {}: no value in {} run{} (nothing served), needs {}",
            o.scope,
            o.metric,
            o.runs_without_value,
            if o.runs_without_value == 1 { "" } else { "s" },
            o.threshold
        );
    }
    let interval = o
        .ci95
        .map(|[low, high]| format!(" (95 % CI {} to {})", show(low), show(high)))
        .unwrap_or_default();
    format!(
        "{} {} {}{interval}, needs {}",
        o.scope,
        o.metric,
        show(o.mean),
        o.threshold
    )
}

/// A measure as the terminal shows it: one decimal from 100 up, three below.
pub(crate) fn show(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_model::results::{AccountSummary, CostBreakdown, LatencySummary};
    use lambdasim_model::{Comparison, FunctionSummary, SloMetric, SloScope};

    #[test]
    fn t_quantiles_match_the_density_integrated() {
        // Computed by integrating Student's t density numerically.
        for (df, t) in [
            (1, 12.706205),
            (9, 2.262157),
            (30, 2.042272),
            (31, 2.039513),
            (40, 2.021075),
            (60, 2.000298),
            (100, 1.983972),
            (1000, 1.962339),
        ] {
            assert!((t_975(df) - t).abs() < 2e-6, "df {df}: {}", t_975(df));
        }
        assert!((t_975(u64::MAX) - 1.959964).abs() < 1e-6);
        assert!(t_975(0).is_nan());
    }

    /// A run of 1000 requests of which `throttles` were throttled, costing
    /// $2 − $0.1 per throttle.
    fn run(throttles: u64, p99: f64) -> RunSummary {
        RunSummary {
            account: AccountSummary {
                requests: 1000,
                throttles,
                cost_usd: CostBreakdown {
                    total: 2.0 - throttles as f64 * 0.1,
                    ..Default::default()
                },
                ..Default::default()
            },
            functions: vec![FunctionSummary {
                name: "api".into(),
                invocations: u64::from(p99 > 0.0),
                latency_ms: LatencySummary {
                    p99,
                    ..Default::default()
                },
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn objective(scope: SloScope, metric: SloMetric, comparison: Comparison, t: f64) -> Objective {
        Objective {
            scope,
            metric,
            comparison,
            threshold: t,
        }
    }

    fn summary<'a>(first: &'a RunSummary, replicas: &'a [RunSummary]) -> VariantSummary<'a> {
        VariantSummary {
            name: "c",
            seed: 1,
            run: first,
            replicas,
        }
    }

    #[test]
    fn one_seed_is_judged_by_its_value() {
        let objectives = [
            objective(
                SloScope::Account,
                SloMetric::ThrottledPct,
                Comparison::Below,
                0.5,
            ),
            objective(
                SloScope::Function("api".into()),
                SloMetric::LatencyP99Ms,
                Comparison::AtMost,
                800.0,
            ),
        ];
        let first = run(4, 800.0);
        let verdict = judge(&objectives, &summary(&first, &[]));
        assert!(verdict.met, "{verdict:?}");
        assert_eq!(verdict.objectives[0].judged, 0.4);
        assert_eq!(verdict.objectives[0].ci95, None);
        assert_eq!(verdict.objectives[1].threshold, "<= 800");
        let first = run(5, 800.0);
        let verdict = judge(&objectives, &summary(&first, &[]));
        assert!(!verdict.met);
        assert!(!verdict.objectives[0].met && verdict.objectives[1].met);
    }

    #[test]
    fn several_seeds_are_judged_at_the_pessimistic_end_of_the_interval() {
        // Throttled % of 0.1, 0.2, 0.3: mean 0.2, sd 0.1, half-width 4.302653 × 0.1 / √3.
        let first = run(1, 100.0);
        let replicas = [run(2, 200.0), run(3, 300.0)];
        let half = 4.302653 * 0.1 / 3f64.sqrt();
        let below = objective(
            SloScope::Account,
            SloMetric::ThrottledPct,
            Comparison::Below,
            0.4,
        );
        let verdict = judge(&[below], &summary(&first, &replicas));
        let o = &verdict.objectives[0];
        assert!((o.mean - 0.2).abs() < 1e-12);
        let [low, high] = o.ci95.unwrap();
        assert!((high - (0.2 + half)).abs() < 1e-6 && (low - (0.2 - half)).abs() < 1e-6);
        assert_eq!(o.judged, high);
        // The mean and every seed are below 0.4, but the interval is not.
        assert!(high > 0.4 && !o.met && !verdict.met);
        // For `>=`, the low end is judged.
        let above = objective(
            SloScope::Account,
            SloMetric::ThrottledPct,
            Comparison::AtLeast,
            0.0,
        );
        let o = &judge(&[above], &summary(&first, &replicas)).objectives[0];
        assert_eq!(o.judged, low);
        assert!(low < 0.0 && !o.met);
        let wide = objective(
            SloScope::Account,
            SloMetric::ThrottledPct,
            Comparison::Below,
            0.5,
        );
        assert!(judge(&[wide], &summary(&first, &replicas)).met);
    }

    #[test]
    fn a_run_without_a_value_fails_the_objective() {
        let first = run(0, 100.0);
        // A run in which the function served nothing: its totals say 0 ms.
        let replicas = [run(0, 0.0)];
        let p99 = objective(
            SloScope::Function("api".into()),
            SloMetric::LatencyP99Ms,
            Comparison::Below,
            1e9,
        );
        let verdict = judge(std::slice::from_ref(&p99), &summary(&first, &replicas));
        assert_eq!(verdict.objectives[0].runs_without_value, 1);
        assert!(!verdict.met);
        let text = render_slo(&[p99], &["c"], &[verdict]);
        assert!(
            text.contains("fails c  api latency_p99_ms: no value in 1 run"),
            "{text}"
        );
        assert!(
            text.ends_with("no configuration meets the SLO (1 judged)\n"),
            "{text}"
        );
    }

    #[test]
    fn the_terminal_lists_each_configuration_and_what_it_fails() {
        let objectives = [objective(
            SloScope::Account,
            SloMetric::ThrottledPct,
            Comparison::Below,
            0.5,
        )];
        let (a, b) = (run(1, 1.0), run(9, 1.0));
        let verdicts = [
            judge(&objectives, &summary(&a, &[])),
            judge(&objectives, &summary(&b, &[])),
        ];
        let text = render_slo(&objectives, &["pc=0", "pc=20"], &verdicts);
        assert_eq!(
            text,
            "\nSLO: account throttled_pct < 0.5\n  meets pc=0\n  fails pc=20  account throttled_pct 0.900, needs < 0.5\n1 of 2 configurations meet the SLO\nthe cheapest that meets it: pc=0 at $1.9000; 1 cheaper configuration fails it\n"
        );
        assert_eq!(render_slo(&[], &[], &[]), "");
    }

    #[test]
    fn the_cheapest_configuration_that_meets_the_slo_is_chosen_by_its_mean_cost() {
        let objectives = [objective(
            SloScope::Account,
            SloMetric::ThrottledPct,
            Comparison::Below,
            0.5,
        )];
        // Costs $1.9 (meets), $1.6 (meets), $1.1 (fails), and $1.6 again (meets).
        let runs = [run(1, 1.0), run(4, 1.0), run(9, 1.0), run(4, 1.0)];
        let verdicts: Vec<Verdict> = runs
            .iter()
            .map(|r| judge(&objectives, &summary(r, &[])))
            .collect();
        assert_eq!(cheapest(&verdicts), Some(1), "the first of equals");
        assert!((verdicts[1].cost_usd - 1.6).abs() < 1e-12);
        assert_eq!(cheapest(&verdicts[2..3]), None);
        // With seeds, the mean cost: $1.9 and $1.1 average to $1.5.
        let replicas = [run(9, 1.0)];
        let averaged = judge(&[], &summary(&runs[0], &replicas));
        assert!((averaged.cost_usd - 1.5).abs() < 1e-12);
    }
}
