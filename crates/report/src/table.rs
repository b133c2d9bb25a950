//! The summary table printed on the terminal after a run: one row per variant and
//! function, and a total row per variant when it has several functions.

use crate::summary::VariantSummary;
use lambdasim_model::FunctionSummary;

/// Column headers, and whether the column holds numbers (right-aligned).
const COLUMNS: &[(&str, bool)] = &[
    ("variant", false),
    ("function", false),
    ("requests", true),
    ("invocations", true),
    ("throttled", true),
    ("thr. %", true),
    ("cold starts", true),
    ("cold %", true),
    ("p50 ms", true),
    ("p99 ms", true),
    ("peak conc.", true),
    ("mean conc.", true),
    ("cost $", true),
];

/// Labels the per-variant account row; parenthesised so no function name can look
/// like it.
const TOTAL_LABEL: &str = "(total)";

/// Shown where a value does not exist (a rate of nothing, the latency of no calls).
const NONE: &str = "-";

/// Renders the results as an aligned plain-text table, ending in a newline.
///
/// Plain ASCII without colours so it reads the same in a terminal, a log file or CI
/// output, and is deterministic so it can be snapshot-tested.
pub fn render_table(scenario: &str, variants: &[VariantSummary<'_>]) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for v in variants {
        let functions = &v.run.functions;
        for (i, f) in functions.iter().enumerate() {
            let variant = if i == 0 { v.name } else { "" };
            rows.push(function_row(variant, f));
        }
        if functions.len() >= 2 {
            rows.push(total_row(v));
        }
    }

    let widths: Vec<usize> = COLUMNS
        .iter()
        .enumerate()
        .map(|(c, (header, _))| {
            rows.iter()
                .map(|r| width(&r[c]))
                .chain([width(header)])
                .max()
                .unwrap_or(0)
        })
        .collect();

    let mut out = format!("scenario: {scenario}\n\n");
    let headers: Vec<String> = COLUMNS.iter().map(|(h, _)| h.to_string()).collect();
    push_line(&mut out, &headers, &widths);
    let rules: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    push_line(&mut out, &rules, &widths);
    for row in &rows {
        push_line(&mut out, row, &widths);
    }
    out.push_str(&gateway_notes(variants));
    out
}

/// A line per function whose invocations outlasted API Gateway's integration timeout:
/// Lambda served them, so the table counts them as served, but their callers got the
/// gateway's timeout error. Nothing when there were none.
fn gateway_notes(variants: &[VariantSummary<'_>]) -> String {
    let mut out = String::new();
    for v in variants {
        for f in v.run.functions.iter().filter(|f| f.gateway_timeouts > 0) {
            if out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!(
                "{} {}: {} invocations ({}) outlasted API Gateway's integration timeout; their callers got its timeout error\n",
                v.name,
                f.name,
                thousands(f.gateway_timeouts),
                percent(f.gateway_timeouts, f.invocations)
            ));
        }
    }
    out
}

fn function_row(variant: &str, f: &FunctionSummary) -> Vec<String> {
    let served = f.invocations > 0;
    vec![
        variant.to_string(),
        f.name.clone(),
        thousands(f.requests),
        thousands(f.invocations),
        thousands(f.throttles),
        percent(f.throttles, f.requests),
        thousands(f.cold_starts),
        percent(f.cold_starts, f.invocations),
        if served {
            decimal(f.latency_ms.p50, 1)
        } else {
            NONE.to_string()
        },
        if served {
            decimal(f.latency_ms.p99, 1)
        } else {
            NONE.to_string()
        },
        thousands(u64::from(f.peak_concurrency)),
        decimal(f.mean_concurrency, 2),
        decimal(f.cost_usd.total, 4),
    ]
}

/// The account's totals. Percentiles do not add up across functions, so they are left
/// out; time-weighted mean concurrencies over the same span do add up.
fn total_row(v: &VariantSummary<'_>) -> Vec<String> {
    let a = &v.run.account;
    let mean: f64 = v.run.functions.iter().map(|f| f.mean_concurrency).sum();
    vec![
        String::new(),
        TOTAL_LABEL.to_string(),
        thousands(a.requests),
        thousands(a.invocations),
        thousands(a.throttles),
        percent(a.throttles, a.requests),
        thousands(a.cold_starts),
        percent(a.cold_starts, a.invocations),
        NONE.to_string(),
        NONE.to_string(),
        thousands(u64::from(a.peak_concurrency)),
        decimal(mean, 2),
        decimal(a.cost_usd.total, 4),
    ]
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Appends one line: text columns padded on the right, numbers on the left, two
/// spaces between columns, no trailing spaces.
fn push_line(out: &mut String, cells: &[String], widths: &[usize]) {
    let mut line = String::new();
    for (c, cell) in cells.iter().enumerate() {
        if c > 0 {
            line.push_str("  ");
        }
        let pad = " ".repeat(widths[c] - width(cell));
        if COLUMNS[c].1 {
            line.push_str(&pad);
            line.push_str(cell);
        } else {
            line.push_str(cell);
            line.push_str(&pad);
        }
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// `1234567` → `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    group_digits(&n.to_string())
}

/// Inserts a comma every three digits of an unsigned digit string.
fn group_digits(digits: &str) -> String {
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|g| std::str::from_utf8(g).unwrap_or_default())
        .collect();
    groups.join(",")
}

/// `x` with `places` decimals and a grouped integer part; `-` if it is not a number.
pub(crate) fn decimal(x: f64, places: usize) -> String {
    if !x.is_finite() {
        return NONE.to_string();
    }
    let text = format!("{:.places$}", x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let negative = x < 0.0 && text.bytes().any(|b| (b'1'..=b'9').contains(&b));
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&group_digits(int));
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// The smallest share [`percent`] writes as a number; below it, `<0.001%`.
const SMALLEST_PERCENT: f64 = 0.001;

/// `part` as a percentage of `whole`, to three significant digits with trailing zeros
/// dropped: `25.7%`, `0.199%`, `0.0012%`. Exactly none is `0%` and exactly all `100%`;
/// anything else never rounds to either: a share under 0.001 % is `<0.001%` and one
/// that would round up to 100 % is `>99.9%`. `-` when `whole` is 0.
///
/// Two decimals showed 100 cold starts in millions, or 190 throttles, as `0.00%`.
pub(crate) fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return NONE.to_string();
    }
    if part == 0 {
        return "0%".to_string();
    }
    if part == whole {
        return "100%".to_string();
    }
    let pct = part as f64 * 100.0 / whole as f64;
    if pct < SMALLEST_PERCENT {
        return format!("<{SMALLEST_PERCENT}%");
    }
    let text = significant(pct, 3);
    if part < whole && text == "100" {
        return ">99.9%".to_string();
    }
    format!("{text}%")
}

/// A positive finite `x` to `digits` significant digits (at least its whole part),
/// without trailing zeros after the point.
pub(crate) fn significant(x: f64, digits: i32) -> String {
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = usize::try_from(digits - 1 - magnitude).unwrap_or(0);
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_model::results::AccountSummary;
    use lambdasim_model::{CostBreakdown, LatencySummary, RunSummary};

    /// A function's totals; `latency` is (p50, p99), `conc` is (peak, mean).
    fn function(
        name: &str,
        (requests, throttles, cold): (u64, u64, u64),
        latency: (f64, f64),
        conc: (u32, f64),
        cost: f64,
    ) -> FunctionSummary {
        FunctionSummary {
            name: name.to_string(),
            requests,
            invocations: requests - throttles,
            cold_starts: cold,
            throttles,
            peak_concurrency: conc.0,
            mean_concurrency: conc.1,
            latency_ms: LatencySummary {
                p50: latency.0,
                p90: latency.1,
                p99: latency.1,
                max: latency.1,
            },
            cost_usd: CostBreakdown {
                total: cost,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn account(functions: &[FunctionSummary], peak: u32) -> AccountSummary {
        AccountSummary {
            requests: functions.iter().map(|f| f.requests).sum(),
            invocations: functions.iter().map(|f| f.invocations).sum(),
            throttles: functions.iter().map(|f| f.throttles).sum(),
            cold_starts: functions.iter().map(|f| f.cold_starts).sum(),
            peak_concurrency: peak,
            cost_usd: CostBreakdown {
                total: functions.iter().map(|f| f.cost_usd.total).sum(),
                ..Default::default()
            },
            price_table: "us-east-1".into(),
        }
    }

    fn run(functions: Vec<FunctionSummary>, peak: u32) -> RunSummary {
        RunSummary {
            duration_s: 7200.0,
            account: account(&functions, peak),
            functions,
            events: 0,
        }
    }

    #[test]
    fn table_snapshot() {
        let on_demand = run(
            vec![
                function(
                    "checkout",
                    (1_440_000, 34_567, 12_345),
                    (120.4, 912.75),
                    (1000, 412.3456),
                    52.1234,
                ),
                function(
                    "search",
                    (250_000, 0, 880),
                    (35.0, 1850.0),
                    (240, 61.5),
                    4.56789,
                ),
                function("idle-job", (0, 0, 0), (f64::NAN, f64::NAN), (0, 0.0), 0.0),
            ],
            1180,
        );
        let provisioned = run(
            vec![function(
                "checkout",
                (1_440_000, 0, 0),
                (118.0, 400.0),
                (512, 410.0),
                1234.5,
            )],
            512,
        );
        let variants = [
            VariantSummary {
                name: "on-demand",
                seed: 42,
                run: &on_demand,
                replicas: &[],
            },
            VariantSummary {
                name: "provisioned-1000",
                seed: 42,
                run: &provisioned,
                replicas: &[],
            },
        ];
        insta::assert_snapshot!(render_table("black-friday", &variants));
    }

    #[test]
    fn gateway_timeouts_are_noted_under_the_table() {
        let mut slow = function("export", (1_000, 0, 10), (6000.0, 43000.0), (55, 34.0), 1.0);
        slow.gateway_timeouts = 33;
        let runs = [run(vec![slow.clone()], 55), {
            slow.gateway_timeouts = 0;
            run(vec![slow], 55)
        }];
        let variants: Vec<VariantSummary<'_>> = ["rest-29s", "regional-90s"]
            .iter()
            .zip(&runs)
            .map(|(name, run)| VariantSummary {
                name,
                seed: 1,
                run,
                replicas: &[],
            })
            .collect();
        let table = render_table("gw", &variants);
        assert!(
            table.ends_with("\nrest-29s export: 33 invocations (3.3%) outlasted API Gateway's integration timeout; their callers got its timeout error\n"),
            "{table}"
        );
        assert!(!table.contains("regional-90s export:"), "{table}");
        assert!(!render_table("none", &variants[1..]).contains("timeout"));
    }

    #[test]
    fn empty_table_has_only_headers() {
        let table = render_table("nothing", &[]);
        assert_eq!(table.lines().count(), 4);
        assert!(table.starts_with("scenario: nothing\n\nvariant  function  requests"));
    }

    #[test]
    fn numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
        assert_eq!(decimal(1234.5678, 2), "1,234.57");
        assert_eq!(decimal(-1234.5, 1), "-1,234.5");
        assert_eq!(decimal(-0.001, 2), "0.00");
        assert_eq!(decimal(f64::NAN, 2), "-");
        assert_eq!(decimal(999.999, 2), "1,000.00");
        assert_eq!(percent(0, 0), "-");
    }

    #[test]
    fn percentages_keep_three_significant_digits() {
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(332_436, 1_295_739), "25.7%");
        assert_eq!(percent(34_567, 1_440_000), "2.4%"); // 2.4005: zeros dropped
        assert_eq!(percent(2580, 1_297_680), "0.199%");
        assert_eq!(percent(1595, 100_000_000), "0.0016%");
        // 100 cold starts in 8 million and 190 throttles in 2 million are not 0.
        assert_eq!(percent(100, 8_000_000), "0.00125%");
        assert_eq!(percent(190, 2_193_608), "0.00866%");
        assert_eq!(percent(1, 100_000), "0.001%");
        assert_eq!(percent(1, 1_000_000), "<0.001%");
        // Exactly none and exactly all, and never a rounded 100 %.
        assert_eq!(percent(0, 5), "0%");
        assert_eq!(percent(5, 5), "100%");
        assert_eq!(percent(9_999, 10_000), ">99.9%");
        assert_eq!(percent(999, 1000), "99.9%");
        assert_eq!(percent(1, 2), "50%");
        // More than the whole (a count of tries against events) still reads.
        assert_eq!(percent(332_436, 258_265), "129%");
    }

    #[test]
    fn significant_digits() {
        assert_eq!(significant(0.019_882, 3), "0.0199");
        assert_eq!(significant(9.996, 3), "10");
        assert_eq!(significant(1234.6, 3), "1235");
        assert_eq!(significant(12.0, 3), "12");
    }
}
