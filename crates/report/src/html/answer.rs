//! The top of the report: one card per variant with the five numbers a review asks
//! for, then a table with the same per function.

use super::config::duration;
use super::{ReportVariant, escape};
use crate::limits::{FunctionLimits, account_split};
use crate::seeds::{SeedSpread, Spread, all_runs, mean_ci95};
use crate::table::{decimal, percent, significant, thousands};
use lambdasim_model::{AsyncSummary, FrontDoor, FunctionSummary, RunSummary, ThrottleCounts};
use std::fmt::Write;

pub fn section(page: &mut String, variants: &[ReportVariant<'_>]) {
    page.push_str("<section id=\"answer\">\n<h2>Results</h2>\n<div class=\"cards\">\n");
    // With several variants the first is the baseline the others' cards compare to.
    let baseline = variants.first().filter(|_| variants.len() > 1);
    for (k, v) in variants.iter().enumerate() {
        card(page, v, baseline, k == 0);
    }
    page.push_str("</div>\n");
    detail_table(page, variants);
    async_table(page, variants);
    super::mapping::table(page, variants);
    spread_table(page, variants);
    page.push_str("</section>\n");
}

/// With `--seeds N`: how far each variant's headline numbers move with the seed alone.
fn spread_table(page: &mut String, variants: &[ReportVariant<'_>]) {
    let spreads: Vec<(&str, SeedSpread)> = variants
        .iter()
        .filter_map(|v| SeedSpread::of(&v.summary).map(|s| (v.summary.name, s)))
        .collect();
    let Some((_, first)) = spreads.first() else {
        return;
    };
    let _ = writeln!(
        page,
        "<h3>Across {} seeds</h3>\n<p>Mean ± standard deviation (lowest to highest) of each \
         variant's totals over its seeds: a difference between variants smaller than this \
         spread is the random draws, not the set-up.</p>\n<div class=\"table-wrap\"><table class=\"numbers\">\n\
         <thead><tr><th>variant</th><th>throttled %</th><th>cold starts %</th>\
         <th>peak concurrency</th><th>cost $</th></tr></thead>\n<tbody>",
        first.seeds.len()
    );
    for (name, s) in &spreads {
        let _ = writeln!(
            page,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(name),
            spread_text(&s.throttled_pct, 2),
            spread_text(&s.cold_start_pct, 2),
            spread_text(&s.peak_concurrency, 0),
            spread_text(&s.cost_usd, 2),
        );
    }
    page.push_str("</tbody>\n</table></div>\n");
}

fn spread_text(s: &Spread, digits: usize) -> String {
    format!(
        "{:.d$} ± {:.d$} <small>({:.d$} to {:.d$})</small>",
        s.mean,
        s.sd,
        s.min,
        s.max,
        d = digits
    )
}

/// One variant's card. `baseline` is the variant the others compare to (none with a
/// single variant); `is_baseline` marks its own card.
fn card(
    page: &mut String,
    v: &ReportVariant<'_>,
    baseline: Option<&ReportVariant<'_>>,
    is_baseline: bool,
) {
    let run = v.summary.run;
    let a = &run.account;
    let limit = v.config.account.concurrency_limit;
    // With --seeds N the headline numbers are the mean over the seeds.
    let runs = all_runs(&v.summary);
    let seeded = runs.len() > 1;
    let _ = write!(
        page,
        "<article class=\"card\">\n<h3>{}</h3>\n",
        escape(v.summary.name)
    );
    if seeded {
        let _ = writeln!(
            page,
            "<p class=\"delta\">Mean of {} seeds ± the 95 % confidence interval of the \
             mean, per function too; the other notes and the change are seed {}'s.</p>",
            runs.len(),
            v.summary.seed
        );
    }
    match baseline {
        Some(_) if is_baseline => {
            page.push_str("<p class=\"delta\">Baseline: the other cards compare to it.</p>\n");
        }
        Some(base) => {
            let _ = writeln!(
                page,
                "<p class=\"delta\">vs {}: {}</p>",
                escape(base.summary.name),
                changes(run, base.summary.run).join(", ")
            );
        }
        None => {}
    }
    page.push_str("<dl>\n");
    throttle_metrics(page, &run.functions, &runs);
    let behind: Vec<&str> = v
        .config
        .functions
        .iter()
        .filter(|f| f.front_door != FrontDoor::Direct)
        .map(|f| f.name.as_str())
        .collect();
    if !behind.is_empty() {
        gateway_metric(page, run, &runs, &behind);
    }
    let mut note = format!(
        "{} of {} invocations",
        thousands(a.cold_starts),
        thousands(a.invocations)
    );
    if seeded {
        by_function_across(
            &mut note,
            &runs,
            |_| true,
            |f| share(f.cold_starts, f.invocations),
            pct_text,
        );
    } else {
        by_function(&mut note, &run.functions, |_, f| {
            Some(percent(f.cold_starts, f.invocations))
        });
    }
    let value = if seeded {
        across(
            &runs,
            |r| share(r.account.cold_starts, r.account.invocations),
            pct_text,
        )
    } else {
        percent(a.cold_starts, a.invocations)
    };
    metric(page, "Cold starts", &value, "", &note);
    let (p99, mut note) = worst_p99(&run.functions);
    if (2..=CARD_FUNCTIONS).contains(&run.functions.len()) {
        // The list shows which is slowest.
        note.clear();
    }
    if seeded {
        let p99 = |f: &FunctionSummary| {
            if f.invocations > 0 {
                f.latency_ms.p99
            } else {
                f64::NAN
            }
        };
        by_function_across(&mut note, &runs, |_| true, p99, latency_text);
    } else {
        by_function(&mut note, &run.functions, |_, f| {
            Some(if f.invocations > 0 {
                latency_text(f.latency_ms.p99)
            } else {
                "-".to_string()
            })
        });
    }
    let p99 = if seeded {
        across(&runs, |r| worst_p99_ms(&r.functions), latency_text)
    } else {
        p99
    };
    metric(page, "p99 latency", &p99, "", &note);
    let split = match account_split(v.config) {
        Some(split) => format!("; of it {split}"),
        None => String::new(),
    };
    let _ = writeln!(
        page,
        "<div class=\"metric\"><dt>Peak concurrency</dt><dd>{} <small>/ {}</small></dd>{}<p>of the account limit{}</p></div>",
        if seeded {
            across(
                &runs,
                |r| f64::from(r.account.peak_concurrency),
                |x| decimal(x, 0),
            )
        } else {
            thousands(u64::from(a.peak_concurrency))
        },
        thousands(u64::from(limit)),
        bar(a.peak_concurrency, limit),
        escape(&split)
    );
    let cost = if seeded {
        across(&runs, |r| r.account.cost_usd.total, dollars)
    } else {
        dollars(a.cost_usd.total)
    };
    metric(
        page,
        "Cost",
        &cost,
        "",
        &format!(
            "for {} simulated; {} per million requests",
            duration(v.config.duration),
            per_million(a.cost_usd.total, a.requests)
        ),
    );
    page.push_str("</dl>\n</article>\n");
}

/// The most functions a card's notes list one by one; past it, the tables have them.
const CARD_FUNCTIONS: usize = 6;

/// Appends each function's `value` to a card's note (`by function: api 0.12%, worker
/// 3.4%`), so that cards whose totals are alike still tell apart what each function
/// did. A function whose `value` is `None` is left out (an asynchronous one in the
/// synchronous throttled share); nothing when fewer than two or more than
/// [`CARD_FUNCTIONS`] are left (one's total is its own; past that the tables have them).
fn by_function(
    note: &mut String,
    functions: &[FunctionSummary],
    value: impl Fn(usize, &FunctionSummary) -> Option<String>,
) {
    let parts: Vec<String> = functions
        .iter()
        .enumerate()
        .filter_map(|(i, f)| value(i, f).map(|v| format!("{} {v}", f.name)))
        .collect();
    if parts.len() < 2 || parts.len() > CARD_FUNCTIONS {
        return;
    }
    if !note.is_empty() {
        note.push_str("; ");
    }
    let _ = write!(note, "by function: {}", parts.join(", "));
}

/// [`by_function`] over several seeds: each function's mean ± the half-width of its
/// 95 % confidence interval over the `runs` (`± 0` when every seed agreed), written by
/// `show`; `-` for a function whose `value` is NaN in any seed (no invocations). Only
/// the functions `include` accepts are listed.
fn by_function_across(
    note: &mut String,
    runs: &[&RunSummary],
    include: impl Fn(&FunctionSummary) -> bool,
    value: impl Fn(&FunctionSummary) -> f64,
    show: impl Fn(f64) -> String,
) {
    let Some(first) = runs.first() else {
        return;
    };
    let value = &value;
    let show = &show;
    by_function(note, &first.functions, |index, f| {
        if !include(f) {
            return None;
        }
        let at = |r: &RunSummary| r.functions.get(index).map_or(f64::NAN, value);
        if runs.iter().any(|r| at(r).is_nan()) {
            return Some("-".to_string());
        }
        Some(across(runs, at, show))
    });
}

/// How `run` differs from `base`, the baseline variant: cold starts, throttled requests
/// (and dropped events if either has asynchronous functions) as relative changes, the
/// cost as a change in dollars: "cold starts -93%, throttled same, cost +$42.10".
fn changes(run: &RunSummary, base: &RunSummary) -> Vec<String> {
    let sync_throttles = |r: &RunSummary| -> u64 {
        r.functions
            .iter()
            .filter(|f| f.async_events.is_none())
            .map(|f| f.throttles)
            .sum()
    };
    let dropped = |r: &RunSummary| -> Option<u64> {
        let events: Vec<&AsyncSummary> = r
            .functions
            .iter()
            .filter_map(|f| f.async_events.as_ref())
            .collect();
        (!events.is_empty()).then(|| events.iter().map(|a| a.dropped).sum())
    };
    let mut out = vec![
        format!(
            "cold starts {}",
            count_change(run.account.cold_starts, base.account.cold_starts)
        ),
        format!(
            "throttled {}",
            count_change(sync_throttles(run), sync_throttles(base))
        ),
    ];
    let gateway_timeouts =
        |r: &RunSummary| -> u64 { r.functions.iter().map(|f| f.gateway_timeouts).sum() };
    if gateway_timeouts(run) + gateway_timeouts(base) > 0 {
        out.push(format!(
            "gateway timeouts {}",
            count_change(gateway_timeouts(run), gateway_timeouts(base))
        ));
    }
    if dropped(run).is_some() || dropped(base).is_some() {
        out.push(format!(
            "dropped events {}",
            count_change(dropped(run).unwrap_or(0), dropped(base).unwrap_or(0))
        ));
    }
    let cost = run.account.cost_usd.total - base.account.cost_usd.total;
    out.push(format!("cost {}", dollar_change(cost)));
    out
}

/// The change from `old` to `new` counts: `-93%`, `+4.5%` (two significant digits),
/// `same`, or from none the count itself, `+120 from 0`.
pub(super) fn count_change(new: u64, old: u64) -> String {
    if new == old {
        "same".to_string()
    } else if old == 0 {
        format!("+{} from 0", thousands(new))
    } else {
        let change = (new as f64 - old as f64) / old as f64 * 100.0;
        let sign = if change > 0.0 { '+' } else { '-' };
        format!("{sign}{}%", significant(change.abs(), 2))
    }
}

/// A change in dollars with its sign: `+$42.10`, `-$0.0012`, `$0` when none.
pub(super) fn dollar_change(usd: f64) -> String {
    if usd == 0.0 {
        return "$0".to_string();
    }
    let sign = if usd > 0.0 { '+' } else { '-' };
    format!("{sign}{}", dollars(usd.abs()))
}

fn metric(page: &mut String, name: &str, value: &str, class: &str, note: &str) {
    let _ = writeln!(
        page,
        "<div class=\"metric\"><dt>{name}</dt><dd class=\"{class}\">{}</dd><p>{}</p></div>",
        escape(value),
        escape(note)
    );
}

/// The share of the invocations of the functions `behind` API Gateway that outlasted
/// its integration timeout: Lambda served them, their callers got the gateway's error.
/// With several seeds, the mean ± the 95 % interval.
fn gateway_metric(page: &mut String, run: &RunSummary, runs: &[&RunSummary], behind: &[&str]) {
    let totals = |r: &RunSummary| {
        r.functions
            .iter()
            .filter(|f| behind.contains(&f.name.as_str()))
            .fold((0, 0), |(t, n), f| {
                (t + f.gateway_timeouts, n + f.invocations)
            })
    };
    let of = |r: &RunSummary| {
        let (t, n) = totals(r);
        share(t, n)
    };
    let (timeouts, invocations) = totals(run);
    let (value, class) = if runs.len() > 1 {
        (across(runs, of, pct_text), pct_class(runs, of))
    } else {
        (
            percent(timeouts, invocations),
            share_class(timeouts, invocations),
        )
    };
    let note = format!(
        "{} of {} invocations outlasted the integration timeout; Lambda ran them on, billed",
        thousands(timeouts),
        thousands(invocations)
    );
    metric(page, "Gateway timeouts", &value, class, &note);
}

/// The card's throttling numbers. Synchronous requests are counted once per try, so
/// their throttled share is at most 100 %. An asynchronous event is retried after each
/// throttle and every try counts as a throttle, so its functions are reported by what
/// became of their events: the share dropped, and the throttled tries per event.
///
/// With several seeds (`runs`), the headline shares are their mean ± the 95 % interval,
/// coloured by the mean.
fn throttle_metrics(page: &mut String, functions: &[FunctionSummary], runs: &[&RunSummary]) {
    let seeded = runs.len() > 1;
    let sync: Vec<&FunctionSummary> = functions
        .iter()
        .filter(|f| f.async_events.is_none())
        .collect();
    let events: Vec<(&FunctionSummary, &AsyncSummary)> = functions
        .iter()
        .filter_map(|f| f.async_events.as_ref().map(|a| (f, a)))
        .collect();
    if !sync.is_empty() || events.is_empty() {
        let requests: u64 = sync.iter().map(|f| f.requests).sum();
        let throttles: u64 = sync.iter().map(|f| f.throttles).sum();
        let reasons = total_reasons(sync.iter().copied());
        let (name, noun) = if events.is_empty() {
            ("Throttled", "requests")
        } else {
            ("Throttled (sync)", "synchronous requests")
        };
        let mut note = format!("{} of {} {noun}", thousands(throttles), thousands(requests));
        if let Some(r) = main_reason(&reasons).filter(|_| throttles > 0) {
            let _ = write!(note, "; mostly {r}");
        }
        let is_sync = |f: &FunctionSummary| f.async_events.is_none();
        // Every function at 0 % says nothing the total does not.
        let any_throttled = runs
            .iter()
            .flat_map(|r| &r.functions)
            .chain(functions)
            .any(|f| is_sync(f) && f.throttles > 0);
        if any_throttled && seeded {
            let throttled = |f: &FunctionSummary| share(f.throttles, f.requests);
            by_function_across(&mut note, runs, is_sync, throttled, pct_text);
        } else if any_throttled {
            by_function(&mut note, functions, |_, f| {
                is_sync(f).then(|| percent(f.throttles, f.requests))
            });
        }
        let (value, class) = if seeded {
            let of = |r: &RunSummary| {
                let sync = r.functions.iter().filter(|f| f.async_events.is_none());
                let (t, q) = sync.fold((0, 0), |(t, q), f| (t + f.throttles, q + f.requests));
                share(t, q)
            };
            (across(runs, of, pct_text), pct_class(runs, of))
        } else {
            (
                percent(throttles, requests),
                share_class(throttles, requests),
            )
        };
        metric(page, name, &value, class, &note);
    }
    if !events.is_empty() {
        let received: u64 = events.iter().map(|(_, a)| a.received).sum();
        let dropped: u64 = events.iter().map(|(_, a)| a.dropped).sum();
        let processed: u64 = events.iter().map(|(_, a)| a.succeeded).sum();
        let queued: u64 = events.iter().map(|(_, a)| a.queued_at_end).sum();
        let tries: u64 = events.iter().map(|(f, _)| f.throttles).sum();
        let mut note = format!(
            "{} of {} events dropped; {} processed",
            thousands(dropped),
            thousands(received),
            thousands(processed)
        );
        if queued > 0 {
            let _ = write!(note, ", {} queued at the end", thousands(queued));
        }
        let _ = write!(
            note,
            ". Retried: {} throttled tries ({} per event)",
            thousands(tries),
            per_event(tries, received)
        );
        if let Some((f, a)) = events
            .iter()
            .filter(|(_, a)| a.received > 0)
            .max_by(|x, y| x.1.age_ms.p99.total_cmp(&y.1.age_ms.p99))
        {
            let _ = write!(note, ". Age in queue p99 {}", age_text(a.age_ms.p99));
            if events.len() > 1 {
                let _ = write!(note, " ({})", f.name);
            }
        }
        let (value, class) = if seeded {
            let of = |r: &RunSummary| {
                let events = r.functions.iter().filter_map(|f| f.async_events.as_ref());
                let (d, n) = events.fold((0, 0), |(d, n), a| (d + a.dropped, n + a.received));
                share(d, n)
            };
            (across(runs, of, pct_text), pct_class(runs, of))
        } else {
            (percent(dropped, received), share_class(dropped, received))
        };
        metric(page, "Async events dropped", &value, class, &note);
    }
}

/// `value` over the seeds' `runs` as "mean ± half-width of its 95 % confidence
/// interval", both written by `show` (`± 0` when every seed gave the same).
fn across(
    runs: &[&RunSummary],
    value: impl Fn(&RunSummary) -> f64,
    show: impl Fn(f64) -> String,
) -> String {
    let values: Vec<f64> = runs.iter().map(|r| value(r)).collect();
    let (mean, half) = mean_ci95(&values);
    if half == 0.0 {
        // Every seed gave the same: no interval to write in a unit.
        format!("{} ± 0", show(mean))
    } else {
        format!("{} ± {}", show(mean), show(half))
    }
}

/// `part` of `whole` in percent; 0 when `whole` is 0.
fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// A percentage to three significant digits: `0%`, `0.199%`, `25.7%`.
fn pct_text(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        "0%".to_string()
    } else {
        format!("{}%", significant(x, 3))
    }
}

/// A card's class for a share of failures across seeds, by its mean: green when no seed
/// had any, red from [`BAD_SHARE`] up.
fn pct_class(runs: &[&RunSummary], value: impl Fn(&RunSummary) -> f64) -> &'static str {
    let values: Vec<f64> = runs.iter().map(|r| value(r)).collect();
    let (mean, _) = mean_ci95(&values);
    if mean == 0.0 {
        "good"
    } else if mean >= BAD_SHARE * 100.0 {
        "bad"
    } else {
        ""
    }
}

/// The highest p99 in milliseconds of the functions that served anything; NaN if none.
fn worst_p99_ms(functions: &[FunctionSummary]) -> f64 {
    functions
        .iter()
        .filter(|f| f.invocations > 0 && f.latency_ms.p99.is_finite())
        .map(|f| f.latency_ms.p99)
        .reduce(f64::max)
        .unwrap_or(f64::NAN)
}

/// The share of requests refused (or events dropped) from which the report colours it
/// as a problem: one in a thousand. Below it a share is shown plainly, not in red:
/// 190 throttles in two million requests are worth reading, not an alarm.
const BAD_SHARE: f64 = 0.001;

/// Whether `part` of `whole` is at least [`BAD_SHARE`].
fn is_bad_share(part: u64, whole: u64) -> bool {
    whole > 0 && part as f64 >= BAD_SHARE * whole as f64
}

/// A card's class for a share of failures: red from [`BAD_SHARE`] up, green for none,
/// plain in between.
fn share_class(part: u64, whole: u64) -> &'static str {
    if part == 0 {
        "good"
    } else if is_bad_share(part, whole) {
        "bad"
    } else {
        ""
    }
}

/// A table cell's class for a share of failures: red from [`BAD_SHARE`] up.
pub(super) fn bad_share(part: u64, whole: u64) -> &'static str {
    if is_bad_share(part, whole) { "bad" } else { "" }
}

/// Throttled tries per asynchronous event, with two decimals.
fn per_event(tries: u64, events: u64) -> String {
    if events == 0 {
        "-".to_string()
    } else {
        decimal(tries as f64 / events as f64, 2)
    }
}

/// How long an event waited: milliseconds, seconds, minutes or hours.
pub(super) fn age_text(ms: f64) -> String {
    if !ms.is_finite() {
        "-".to_string()
    } else if ms >= 2.0 * 3_600_000.0 {
        format!("{} h", decimal(ms / 3_600_000.0, 1))
    } else if ms >= 120_000.0 {
        format!("{} min", decimal(ms / 60_000.0, 1))
    } else {
        latency_text(ms)
    }
}

/// A variant's rows in a table start a group: its first row names the variant and
/// opens the group (`i` is the row's place within the variant); the others leave the
/// variant's cell empty.
pub(super) fn group_start(i: usize, variant: &str) -> (String, &'static str) {
    if i == 0 {
        (escape(variant), " class=\"group\"")
    } else {
        (String::new(), "")
    }
}

/// A horizontal gauge of `value` against `cap`, full (and red) at the cap.
fn bar(value: u32, cap: u32) -> String {
    let share = if cap == 0 {
        1.0
    } else {
        (f64::from(value) / f64::from(cap)).min(1.0)
    };
    let class = if share >= 0.999 { "fill full" } else { "fill" };
    format!(
        "<span class=\"gauge\"><span class=\"{class}\" style=\"width:{:.1}%\"></span></span>",
        share * 100.0
    )
}

/// The highest p99 of the functions that served anything, and which one it was.
fn worst_p99(functions: &[FunctionSummary]) -> (String, String) {
    let worst = functions
        .iter()
        .filter(|f| f.invocations > 0 && f.latency_ms.p99.is_finite())
        .max_by(|a, b| a.latency_ms.p99.total_cmp(&b.latency_ms.p99));
    match worst {
        Some(f) if functions.len() > 1 => (
            latency_text(f.latency_ms.p99),
            format!("slowest function: {}", f.name),
        ),
        Some(f) => (
            latency_text(f.latency_ms.p99),
            format!("p50 {}", latency_text(f.latency_ms.p50)),
        ),
        None => ("-".to_string(), "nothing was served".to_string()),
    }
}

fn total_reasons<'a>(functions: impl IntoIterator<Item = &'a FunctionSummary>) -> ThrottleCounts {
    let mut total = ThrottleCounts::default();
    for f in functions {
        total.add(&f.throttles_by_reason);
    }
    total
}

/// The limit that refused the most requests, in the words of `summary.json`'s `throttles_by_reason`.
fn main_reason(t: &ThrottleCounts) -> Option<&'static str> {
    [
        (t.reserved_limit, "reserved_limit"),
        (t.account_limit, "account_limit"),
        (t.scaling_rate, "scaling_rate"),
        (t.rps_limit, "rps_limit"),
        (t.gateway, "gateway"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .max_by_key(|(n, _)| *n)
    .map(|(_, name)| name)
}

/// A latency in milliseconds, or in seconds from 10 s up.
fn latency_text(ms: f64) -> String {
    if ms >= 10_000.0 {
        format!("{} s", decimal(ms / 1000.0, 1))
    } else if ms < 10.0 {
        format!("{} ms", decimal(ms, 1))
    } else {
        format!("{} ms", decimal(ms, 0))
    }
}

/// Dollars with cents, or with four decimals for amounts under a dollar.
fn dollars(usd: f64) -> String {
    if usd.abs() < 1.0 {
        format!("${}", decimal(usd, 4))
    } else {
        format!("${}", decimal(usd, 2))
    }
}

/// Cost per million requests, or "-" when there were none.
fn per_million(usd: f64, requests: u64) -> String {
    if requests == 0 {
        "-".to_string()
    } else {
        dollars(usd / requests as f64 * 1e6)
    }
}

fn detail_table(page: &mut String, variants: &[ReportVariant<'_>]) {
    page.push_str(
        "<div class=\"table-wrap\"><table class=\"numbers\">\n<thead><tr><th>variant</th><th>function</th>\
         <th>requests</th><th>throttled</th><th>main reason</th><th>cold starts</th>\
         <th>p50</th><th>p99</th><th>peak / can reach</th><th>cost</th><th>per M requests</th></tr></thead>\n<tbody>\n",
    );
    for v in variants {
        for (i, f) in v.summary.run.functions.iter().enumerate() {
            let variant = if i == 0 {
                escape(v.summary.name)
            } else {
                String::new()
            };
            let first = if i == 0 { " class=\"group\"" } else { "" };
            let limits = FunctionLimits::find(v.config, &f.name);
            let cap = limits.map_or(0, |l| l.reach());
            let named = limits.map_or_else(String::new, |l| l.describe());
            let served = f.invocations > 0;
            let latency = |ms: f64| {
                if served {
                    latency_text(ms)
                } else {
                    "-".to_string()
                }
            };
            // An async function's throttles are tries, not events: its share is of
            // the events dropped, labelled so.
            let (requests, refused, class) = match &f.async_events {
                Some(a) => (
                    format!("{} <small>events</small>", thousands(a.received)),
                    format!("{} <small>dropped</small>", percent(a.dropped, a.received)),
                    bad_share(a.dropped, a.received),
                ),
                None => (
                    thousands(f.requests),
                    percent(f.throttles, f.requests) + &gateway_timeouts(f),
                    bad_share(f.throttles, f.requests),
                ),
            };
            let _ = writeln!(
                page,
                "<tr{first}><th scope=\"row\">{variant}</th><td class=\"name\">{}</td><td>{}</td>\
                 <td class=\"{}\">{}</td><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td>{} / {}{}<small class=\"limits\">{}</small></td><td>{}</td><td>{}</td></tr>",
                escape(&f.name),
                requests,
                class,
                refused,
                main_reason(&f.throttles_by_reason).unwrap_or("-"),
                percent(f.cold_starts, f.invocations),
                latency(f.latency_ms.p50),
                latency(f.latency_ms.p99),
                thousands(u64::from(f.peak_concurrency)),
                thousands(u64::from(cap)),
                bar(f.peak_concurrency, cap),
                escape(&named),
                dollars(f.cost_usd.total),
                per_million(f.cost_usd.total, f.requests),
            );
        }
    }
    page.push_str("</tbody>\n</table></div>\n");
}

/// A note of the requests API Gateway timed out while Lambda ran on, when there were
/// any: they failed for their callers though Lambda served them.
fn gateway_timeouts(f: &FunctionSummary) -> String {
    if f.gateway_timeouts == 0 {
        return String::new();
    }
    format!(
        " <small>+ {} gateway timeouts</small>",
        percent(f.gateway_timeouts, f.invocations)
    )
}

/// What became of each asynchronous function's events: accepted into its queue,
/// processed, dropped (and why), still queued at the end, how often they were retried
/// after a throttle, and how long they waited.
fn async_table(page: &mut String, variants: &[ReportVariant<'_>]) {
    let any = variants
        .iter()
        .flat_map(|v| &v.summary.run.functions)
        .any(|f| f.async_events.is_some());
    if !any {
        return;
    }
    page.push_str(
        "<h3>Asynchronous events</h3>\n<p>Lambda accepts every asynchronous event into the \
         function's queue; a throttled try sends the event back to wait, so an event can be \
         throttled many times. Shares are of the events received.</p>\n\
         <div class=\"table-wrap\"><table class=\"numbers\">\n<thead><tr><th>variant</th><th>function</th>\
         <th>received</th><th>processed</th><th>dropped</th><th>after errors</th>\
         <th>queued at end</th><th>throttled tries</th><th>age p50</th><th>age p99</th>\
         <th>age max</th></tr></thead>\n<tbody>\n",
    );
    for v in variants {
        let events = v
            .summary
            .run
            .functions
            .iter()
            .filter_map(|f| f.async_events.as_ref().map(|a| (f, a)));
        for (i, (f, a)) in events.enumerate() {
            let (variant, first) = group_start(i, v.summary.name);
            let _ = writeln!(
                page,
                "<tr{first}><th scope=\"row\">{variant}</th><td class=\"name\">{}</td>\
                 <td>{}</td><td>{} <small>{}</small></td>\
                 <td class=\"{}\">{} <small>{}</small></td><td>{}</td><td>{}</td>\
                 <td>{} <small>{} per event</small></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&f.name),
                thousands(a.received),
                thousands(a.succeeded),
                percent(a.succeeded, a.received),
                bad_share(a.dropped, a.received),
                thousands(a.dropped),
                percent(a.dropped, a.received),
                thousands(a.dropped_after_errors),
                thousands(a.queued_at_end),
                thousands(f.throttles),
                per_event(f.throttles, a.received),
                age_text(a.age_ms.p50),
                age_text(a.age_ms.p99),
                age_text(a.age_ms.max),
            );
        }
    }
    page.push_str("</tbody>\n</table></div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(timeouts: [u64; 2]) -> RunSummary {
        let mut run = RunSummary::default();
        for (name, timeouts) in ["api", "worker"].into_iter().zip(timeouts) {
            run.functions.push(FunctionSummary {
                name: name.to_string(),
                invocations: 1_000,
                gateway_timeouts: timeouts,
                ..Default::default()
            });
        }
        run
    }

    #[test]
    fn the_gateway_card_counts_the_functions_behind_it_only() {
        let slow = run([30, 0]);
        let mut page = String::new();
        gateway_metric(&mut page, &slow, &[&slow], &["api"]);
        assert!(
            page.contains("<dt>Gateway timeouts</dt><dd class=\"bad\">3%</dd>"),
            "{page}"
        );
        assert!(page.contains("30 of 1,000 invocations"), "{page}");
        // Across seeds: the mean of 3 % and 1 %.
        let fast = run([10, 0]);
        let mut page = String::new();
        gateway_metric(&mut page, &slow, &[&slow, &fast], &["api"]);
        assert!(page.contains("<dd class=\"bad\">2"), "{page}");
    }

    #[test]
    fn the_change_names_gateway_timeouts_only_when_there_are_some() {
        let text = changes(&run([0, 0]), &run([0, 0])).join(", ");
        assert!(!text.contains("gateway"), "{text}");
        let text = changes(&run([0, 0]), &run([30, 0])).join(", ");
        assert!(text.contains("gateway timeouts -100%"), "{text}");
    }
}
