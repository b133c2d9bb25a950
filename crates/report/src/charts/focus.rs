//! The focus chart: a closer look at the part of a long run where the event is (a
//! 30-minute sale is a sliver of a day-long chart). The window is the scenario's
//! `report: { focus: … }`, or found here: around the most throttled column of any
//! variant, or without throttles the busiest, widened to show what came before and
//! after. It is drawn from finer columns than the whole-run charts
//! ([`ChartSeries::focus`](super::ChartSeries::focus)).

use super::spec::{ChartSpec, Panel};
use super::{ChartSeries, Column, VariantData, concurrency, requests, throttles};

/// The most functions a focus chart shows (three panels each): the busiest in its
/// window.
const MAX_FUNCTIONS: usize = 4;

/// The window a focus chart shows, in seconds into the run, or `None` when the event
/// spans so much of the run (over a quarter) that the whole-run charts show it already.
///
/// Each whole-run column's score is the throttles per second of all functions when any
/// variant throttles, else their requests per second. Around the highest score of any variant,
/// the event is the run of columns scoring at least half of it; the window adds its
/// own width on either side, and is at least 40 columns wide.
pub fn find_window(variants: &[VariantData<'_>]) -> Option<(f64, f64)> {
    let throttled = variants.iter().any(|v| {
        let s = v.series;
        (0..s.functions()).any(|f| s.columns(f).iter().any(|c| c.throttles.total() > 0.0))
    });
    let score = |c: &Column| {
        if throttled {
            c.throttles.total()
        } else {
            c.requests_per_s
        }
    };
    let mut best: Option<(f64, (f64, f64))> = None;
    for v in variants {
        // The whole-run columns: each the maximum of many buckets, so that a sale
        // throttling every other second is one event, not a single second.
        let series = v.series;
        let scores = column_scores(series, score);
        let Some((peak_at, peak)) = scores
            .iter()
            .copied()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        else {
            continue;
        };
        if peak <= 0.0 || best.is_some_and(|(b, _)| b >= peak) {
            continue;
        }
        let half = peak / 2.0;
        let mut first = peak_at;
        while first > 0 && scores[first - 1] >= half {
            first -= 1;
        }
        let mut last = peak_at;
        while last + 1 < scores.len() && scores[last + 1] >= half {
            last += 1;
        }
        let (start, end) = (series.column_start_s(first), series.column_end_s(last));
        best = Some((peak, widen(series, start, end)));
    }
    let (_, (start, end)) = best?;
    let duration = variants.first()?.series.duration_s();
    (end - start <= duration / 4.0).then_some((start, end))
}

/// Each column's score summed over the functions.
fn column_scores(series: &ChartSeries, score: impl Fn(&Column) -> f64) -> Vec<f64> {
    let n = series.columns(0).len();
    let mut scores = vec![0.0; n];
    for f in 0..series.functions() {
        for (total, column) in scores.iter_mut().zip(series.columns(f)) {
            *total += score(column);
        }
    }
    scores
}

/// The event from `start` to `end` with its own width on either side, at least 40 of
/// the series' columns wide, kept inside the run.
fn widen(series: &ChartSeries, start: f64, end: f64) -> (f64, f64) {
    let duration = series.duration_s();
    let column = duration / series.columns(0).len().max(1) as f64;
    let width = (3.0 * (end - start)).max(40.0 * column).min(duration);
    let middle = (start + end) / 2.0;
    let from = (middle - width / 2.0).clamp(0.0, duration - width);
    (from, from + width)
}

/// The focus chart of one variant: for each of the busiest functions in the window,
/// its concurrency by state against its limits, its requests and cold starts, and its
/// throttles when it has some there.
pub fn spec(v: &VariantData<'_>, (start, end): (f64, f64)) -> ChartSpec {
    let cropped = v.series.focus(start, end);
    let cropped_band = v.band.map(|b| b.focus(start, end));
    let fv = VariantData {
        series: &cropped,
        band: cropped_band.as_ref(),
        ..*v
    };
    let by_kind = [
        (concurrency::spec(&fv), "concurrency"),
        (requests::spec(&fv), "requests and cold starts"),
        (throttles::spec(&fv), "throttles"),
    ];
    let shown = fv.shown();
    let busy = |i: usize| -> f64 { cropped.columns(i).iter().map(|c| c.requests_per_s).sum() };
    let mut order: Vec<usize> = (0..shown.len()).collect();
    order.sort_by(|&a, &b| busy(shown[b]).total_cmp(&busy(shown[a])).then(a.cmp(&b)));
    order.truncate(MAX_FUNCTIONS);
    order.sort_unstable();
    let mut panels: Vec<Panel> = Vec::new();
    for k in order {
        let throttled = cropped
            .columns(shown[k])
            .iter()
            .any(|c| c.throttles.total() > 0.0);
        for (spec, what) in &by_kind {
            if *what == "throttles" && !throttled {
                continue;
            }
            let mut panel = spec.panels[k].clone();
            panel.title = format!("{}: {what}", panel.title);
            panels.push(panel);
        }
    }
    let left_out = shown.len().saturating_sub(MAX_FUNCTIONS);
    let note = if left_out > 0 {
        format!(" (the {MAX_FUNCTIONS} busiest functions)")
    } else {
        String::new()
    };
    ChartSpec {
        kind: "focus",
        title: format!(
            "Focus: {} to {} — {}{note}",
            clock(start),
            clock(end),
            v.name
        ),
        time: cropped.time_axis(),
        panels,
    }
}

/// A time into the run as a clock reading: `9:05`, `9:05:30`, `day 2, 9:05`.
pub fn clock(seconds: f64) -> String {
    let total = seconds.round().max(0.0) as u64;
    let (days, rest) = (total / 86_400, total % 86_400);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let time = if s == 0 {
        format!("{h}:{m:02}")
    } else {
        format!("{h}:{m:02}:{s:02}")
    };
    if days > 0 {
        format!("day {}, {time}", days + 1)
    } else {
        time
    }
}
