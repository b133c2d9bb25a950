//! Charts of a run, as PNG and SVG: each variant's concurrency, throttles, requests and
//! cold starts, environments and latency, and comparisons when there are several
//! variants.
//!
//! The data comes from [`ChartSeries`], filled during the run in fixed memory; the
//! builders turn it into [`ChartSpec`]s; [`render`] draws them in memory and only
//! [`write_charts`] touches the disk, so a chart that fails leaves no file behind.

mod band;
mod comparison;
mod concurrency;
mod cost;
mod decision;
mod downsample;
mod draw;
mod environments;
mod focus;
mod font;
mod latency;
mod observed;
mod palette;
mod queue;
mod requests;
mod spec;
mod throttles;

pub use band::SeedBand;
pub use decision::{DecisionPoint, DecisionSpec, decision_specs, render_decision};
pub use downsample::{
    ChartSeries, Column, Extreme, FOCUS_COLUMNS, MAX_COLUMNS, StateSplit, ThrottleRates,
};
pub use draw::{WIDTH, size};
pub use focus::{clock, find_window};
pub use spec::{Band, ChartSpec, Limit, Panel, Series, Stroke, TimeAxis, YScale};

use crate::observed::Comparison;
use lambdasim_model::{FunctionConfig, SimConfig};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::Path;

/// What the charts of one variant are drawn from.
#[derive(Clone, Copy, Debug)]
pub struct VariantData<'a> {
    pub name: &'a str,
    pub config: &'a SimConfig,
    pub series: &'a ChartSeries,
    /// With several seeds, the range their runs spanned (`series` is the first's).
    pub band: Option<&'a SeedBand>,
    /// What the scenario says was observed, drawn dashed over the simulated series.
    pub observed: &'a [Comparison],
}

/// The most functions a chart draws a panel for: beyond a dozen panels a chart is
/// unreadable, and drawing hundreds took gigabytes. The rest are in `timeseries.csv`.
pub const MAX_PANELS: usize = 12;

impl VariantData<'_> {
    fn time(&self) -> TimeAxis {
        self.series.time_axis()
    }

    /// The functions the charts show, in the scenario's order: all of them, or the
    /// [`MAX_PANELS`] with the most requests.
    fn shown(&self) -> Vec<usize> {
        let n = self.config.functions.len();
        if n <= MAX_PANELS {
            return (0..n).collect();
        }
        let requests = |i: usize| -> f64 {
            self.series
                .columns(i)
                .iter()
                .map(|c| c.requests_per_s)
                .sum()
        };
        let mut busiest: Vec<usize> = (0..n).collect();
        busiest.sort_by(|&a, &b| requests(b).total_cmp(&requests(a)).then(a.cmp(&b)));
        busiest.truncate(MAX_PANELS);
        busiest.sort_unstable();
        busiest
    }

    /// " (the 12 busiest of 500 functions)" when the charts leave functions out.
    fn shown_note(&self) -> String {
        let n = self.config.functions.len();
        if n <= MAX_PANELS {
            String::new()
        } else {
            format!(" (the {MAX_PANELS} busiest of {n} functions)")
        }
    }

    /// A chart with one panel per function, each built by `panel` from the function's
    /// index and configuration: the shape every per-variant chart shares.
    fn per_function(
        &self,
        kind: &'static str,
        title: &str,
        panel: impl Fn(usize, &FunctionConfig) -> Panel,
    ) -> ChartSpec {
        ChartSpec {
            kind,
            title: format!("{title} — {}{}", self.name, self.shown_note()),
            time: self.time(),
            panels: self
                .shown()
                .into_iter()
                .map(|i| panel(i, &self.config.functions[i]))
                .collect(),
        }
    }

    /// The series `value` of function `function`'s columns, named `label`.
    fn series(
        &self,
        function: usize,
        label: &str,
        color: plotters::style::RGBColor,
        value: fn(&Column) -> f64,
    ) -> Series {
        Series {
            label: label.to_string(),
            color,
            points: points(self.series, function, self.time(), value),
            note: None,
            stroke: Stroke::Solid,
        }
    }

    /// The range across seeds of `value` of function `function`'s columns, in `color`,
    /// labelled `what range, N seeds`; `None` with a single seed.
    fn band(
        &self,
        function: usize,
        what: &str,
        color: plotters::style::RGBColor,
        value: fn(&Column) -> f64,
    ) -> Option<Band> {
        let band = self.band?;
        let time = self.time();
        let low = points(band.low(), function, time, value);
        let high = points(band.high(), function, time, value);
        Some(Band {
            label: format!("{what} range, {} seeds", band.seeds()),
            color,
            points: low
                .into_iter()
                .zip(high)
                .map(|((x, lo), (_, hi))| (x, lo, hi))
                .collect(),
        })
    }
}

/// The points of one function's columns: `value` of each column at its start time;
/// NaN where no bucket arrived.
fn points(
    series: &ChartSeries,
    function: usize,
    time: TimeAxis,
    value: fn(&Column) -> f64,
) -> Vec<(f64, f64)> {
    series
        .columns(function)
        .iter()
        .enumerate()
        .map(|(c, column)| {
            let y = if column.buckets == 0 {
                f64::NAN
            } else {
                value(column)
            };
            (time.at(series.column_start_s(c)), y)
        })
        .collect()
}

/// The charts of one variant, in the order the report shows them, the cumulative cost
/// last. The queue chart only when the variant has asynchronous functions among those
/// shown.
pub fn variant_specs(v: &VariantData<'_>) -> Vec<ChartSpec> {
    let mut specs = vec![
        concurrency::spec(v),
        throttles::spec(v),
        requests::spec(v),
        environments::spec(v),
        latency::spec(v),
    ];
    specs.extend(queue::spec(v));
    specs.push(cost::spec(v));
    specs
}

/// Every chart of a scenario run, as specifications: per variant (sharing each chart's
/// y axes across variants so that they compare at a glance), then the comparisons.
/// With a `focus` window (seconds into the run), each variant's second chart is a
/// closer look at it.
pub fn all_specs(
    variants: &[VariantData<'_>],
    focus: Option<(f64, f64)>,
) -> (Vec<Vec<ChartSpec>>, Vec<ChartSpec>) {
    let mut per_variant: Vec<Vec<ChartSpec>> = variants
        .iter()
        .map(|v| {
            let mut specs = variant_specs(v);
            if let Some(window) = focus {
                specs.insert(1.min(specs.len()), focus::spec(v, window));
            }
            specs
        })
        .collect();
    if variants.len() >= 2 {
        share_y_axes(per_variant.iter_mut().flatten());
    }
    (per_variant, comparison::specs(variants))
}

/// Gives every panel of the same chart kind and function the same y axis: the largest
/// any of them needs. Panels are matched by their function's name, not their position,
/// since variants may show different functions (the busiest, or the asynchronous ones).
fn share_y_axes<'a>(specs: impl Iterator<Item = &'a mut ChartSpec>) {
    let specs: Vec<&mut ChartSpec> = specs.collect();
    let mut tops: HashMap<(&'static str, String), f64> = HashMap::new();
    for spec in &specs {
        for panel in &spec.panels {
            let top = tops.entry((spec.kind, panel.title.clone())).or_insert(0.0);
            let wanted = match panel.scale {
                YScale::Linear => panel.linear_top(),
                YScale::Log => panel.data_max(),
            };
            *top = top.max(wanted);
        }
    }
    for spec in specs {
        for panel in &mut spec.panels {
            let top = tops[&(spec.kind, panel.title.clone())];
            panel.y_max = Some(top);
        }
    }
}

/// A rendered chart.
#[derive(Clone, Debug)]
pub struct Chart {
    /// File name without extension: `<variant>-<kind>`, `comparison-<kind>` or
    /// `decision-<n>`.
    pub stem: String,
    /// What the chart shows: `concurrency`, `focus`, `throttles`, `requests`,
    /// `environments`, `latency`, `queue`, `cost`, or for comparisons also `cold-starts`.
    pub kind: &'static str,
    pub title: String,
    pub svg: String,
    pub png: Vec<u8>,
}

/// Every rendered chart of a run.
#[derive(Clone, Debug, Default)]
pub struct ChartSet {
    /// Per variant, in the variants' order.
    pub variants: Vec<Vec<Chart>>,
    /// Empty with fewer than two variants.
    pub comparison: Vec<Chart>,
    /// A plan's decision charts, one per objective (`decision-1`, …); empty when the
    /// command did not plan.
    pub decision: Vec<Chart>,
}

/// A chart that could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("chart `{chart}`: {message}")]
pub struct ChartError {
    pub chart: String,
    pub message: String,
}

/// Draws every chart of the run, in parallel, in memory, with a focus on the window
/// [`find_window`] picks, if any.
pub fn render(variants: &[VariantData<'_>]) -> Result<ChartSet, ChartError> {
    render_focused(variants, find_window(variants))
}

/// [`render`] with the focus window given (seconds into the run), or none.
pub fn render_focused(
    variants: &[VariantData<'_>],
    focus: Option<(f64, f64)>,
) -> Result<ChartSet, ChartError> {
    let (per_variant, comparison) = all_specs(variants, focus);
    let mut stems = Stems::default();
    let mut jobs: Vec<(Option<usize>, String, ChartSpec)> = Vec::new();
    // Comparisons first, so that they always own `comparison-<kind>`, whatever the
    // variants are called.
    for spec in comparison {
        jobs.push((None, stems.take(&format!("comparison-{}", spec.kind)), spec));
    }
    for (k, (v, specs)) in variants.iter().zip(per_variant).enumerate() {
        for spec in specs {
            jobs.push((
                Some(k),
                stems.take(&format!("{}-{}", v.name, spec.kind)),
                spec,
            ));
        }
    }
    let rendered: Vec<(Option<usize>, Chart)> = jobs
        .into_par_iter()
        .map(|(owner, stem, spec)| Ok((owner, render_one(stem, &spec)?)))
        .collect::<Result<_, ChartError>>()?;

    let mut set = ChartSet {
        variants: vec![Vec::new(); variants.len()],
        ..ChartSet::default()
    };
    for (owner, chart) in rendered {
        match owner {
            Some(k) => set.variants[k].push(chart),
            None => set.comparison.push(chart),
        }
    }
    Ok(set)
}

/// Draws one chart in both formats.
pub fn render_one(stem: String, spec: &ChartSpec) -> Result<Chart, ChartError> {
    let fail = |message: String| ChartError {
        chart: stem.clone(),
        message,
    };
    let svg = draw::svg(spec).map_err(fail)?;
    let png = draw::png(spec).map_err(fail)?;
    Ok(Chart {
        stem,
        kind: spec.kind,
        title: spec.title.clone(),
        svg,
        png,
    })
}

/// File stems made safe for any file system and unique within a run.
#[derive(Default)]
struct Stems(HashSet<String>);

/// The longest chart file stem: with `.png`, the collision number and the temporary
/// name's additions, a file name stays far under the 255 bytes filesystems allow.
const MAX_STEM: usize = 160;

impl Stems {
    fn take(&mut self, wanted: &str) -> String {
        let mut safe: String = wanted
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if safe.len() > MAX_STEM {
            // ASCII by now: keep the start (the variant) and the end (the chart).
            let tail = safe.split_off(safe.len() - 40);
            safe.truncate(MAX_STEM - 42);
            safe = format!("{safe}__{tail}");
        }
        let mut stem = safe.clone();
        let mut n = 2;
        while !self.0.insert(stem.clone()) {
            stem = format!("{safe}-{n}");
            n += 1;
        }
        stem
    }
}

/// Writes `<dir>/<stem>.png` and `<dir>/<stem>.svg` for every chart, creating `dir`.
/// Each file is written under a temporary name and renamed, so none is ever half
/// written.
pub fn write_charts(dir: &Path, set: &ChartSet) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let all = set.variants.iter().flatten();
    for chart in all.chain(&set.comparison).chain(&set.decision) {
        write_atomically(&dir.join(format!("{}.png", chart.stem)), &chart.png)?;
        write_atomically(
            &dir.join(format!("{}.svg", chart.stem)),
            chart.svg.as_bytes(),
        )?;
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file beside it, removed on failure.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tmp");
    let temp = std::path::PathBuf::from(temp);
    let result = fs::write(&temp, bytes).and_then(|()| fs::rename(&temp, path));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
pub(crate) mod tests;
