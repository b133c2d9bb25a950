//! The plan's decision charts: for each objective, every configuration run as a point
//! of its cost (x) against the objective's measure (y, the mean with its 95 % interval
//! as a bar), the side of the threshold that misses the objective shaded, the Pareto
//! frontier ringed, and each point labelled with its difference from the baseline
//! (the first configuration run, as the report's cards compare to the first variant).
//! Points only: between two configurations nothing was simulated, so nothing is drawn.

use super::draw::{check_font, encode_png, text_style, tick};
use super::palette::{AXIS, BLUE, GREEN, GREY, GRID, INK, MUTED, RED};
use super::{Chart, ChartError};
use crate::slo::Verdict;
use lambdasim_model::Objective;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Width and height of a decision chart, in pixels.
const SIZE: (u32, u32) = (1200, 560);

/// One configuration on a decision chart.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionPoint {
    pub name: String,
    /// Its mean cost, in dollars.
    pub cost: f64,
    /// The objective's measure: its mean over the seeds.
    pub value: f64,
    /// The measure's 95 % interval, with several seeds.
    pub interval: Option<[f64; 2]>,
    /// Whether the configuration meets the whole SLO.
    pub met: bool,
    /// Whether no other point is both cheaper (or as cheap) and better (or as good).
    pub frontier: bool,
    /// Whether it is the configuration the plan chose.
    pub chosen: bool,
    /// Its difference from the baseline: `30 % cheaper, p99 +40 ms`, or `baseline`.
    pub label: String,
}

/// One objective's decision chart, as data.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionSpec {
    /// `checkout latency_p99_ms < 800`.
    pub title: String,
    /// The metric's name, for the y axis.
    pub metric: &'static str,
    pub threshold: f64,
    /// Whether values above the threshold miss it (`<`, `<=`).
    pub larger_is_worse: bool,
    /// The configurations with a measure, in the scenario's order.
    pub points: Vec<DecisionPoint>,
}

/// A metric's short name and unit, from its name in `slo:`: `latency_p99_ms` is `p99`
/// in `ms`, `throttled_pct` is `throttled` in percentage points.
fn short(metric: &str) -> (&str, &'static str) {
    let (name, unit) = match metric.strip_suffix("_ms") {
        Some(name) => (name, "ms"),
        None => (metric.strip_suffix("_pct").unwrap_or(metric), "pp"),
    };
    (name.strip_prefix("latency_").unwrap_or(name), unit)
}

/// `30 % cheaper, p99 +40 ms`: `cost` and `value` against the baseline's.
fn difference(cost: f64, value: f64, base_cost: f64, base_value: f64, metric: &str) -> String {
    let cost_pct = if base_cost > 0.0 {
        (cost - base_cost) / base_cost * 100.0
    } else {
        0.0
    };
    let cost_text = match cost_pct {
        p if p.round() == 0.0 => "same cost".to_string(),
        p if p < 0.0 => format!("{:.0} % cheaper", -p),
        p => format!("{p:.0} % dearer"),
    };
    let (name, unit) = short(metric);
    let d = value - base_value;
    let sign = if d < 0.0 { "−" } else { "+" };
    format!("{cost_text}, {name} {sign}{} {unit}", tick(d.abs()))
}

/// The decision charts' data: one per objective, from the configurations run (their
/// names and verdicts, in the scenario's order; the first is the baseline) and the one
/// chosen.
pub fn decision_specs(
    objectives: &[Objective],
    configurations: &[(&str, &Verdict)],
    chosen: Option<&str>,
) -> Vec<DecisionSpec> {
    objectives
        .iter()
        .enumerate()
        .map(|(k, objective)| {
            let larger_is_worse = objective.comparison.larger_is_worse();
            let mut points: Vec<DecisionPoint> = configurations
                .iter()
                .filter(|(_, v)| v.objectives[k].mean.is_finite())
                .map(|(name, v)| DecisionPoint {
                    name: name.to_string(),
                    cost: v.cost_usd,
                    value: v.objectives[k].mean,
                    interval: v.objectives[k].ci95,
                    met: v.met,
                    frontier: false,
                    chosen: chosen == Some(*name),
                    label: String::new(),
                })
                .collect();
            mark_frontier(&mut points, larger_is_worse);
            if let Some(base) = points.first().cloned() {
                for (i, p) in points.iter_mut().enumerate() {
                    p.label = if i == 0 {
                        "baseline".to_string()
                    } else {
                        let metric = objective.metric.name();
                        difference(p.cost, p.value, base.cost, base.value, metric)
                    };
                }
            }
            DecisionSpec {
                title: objective.to_string(),
                metric: objective.metric.name(),
                threshold: objective.threshold,
                larger_is_worse,
                points,
            }
        })
        .collect()
}

/// Marks the points no other point dominates: none as cheap or cheaper and as good
/// or better, and strictly one of the two.
fn mark_frontier(points: &mut [DecisionPoint], larger_is_worse: bool) {
    let better = |a: f64, b: f64| if larger_is_worse { a < b } else { a > b };
    let dominated: Vec<bool> = points
        .iter()
        .map(|p| {
            points.iter().any(|q| {
                let as_good = !better(p.value, q.value);
                q.cost <= p.cost && as_good && (q.cost < p.cost || better(q.value, p.value))
            })
        })
        .collect();
    for (p, dominated) in points.iter_mut().zip(dominated) {
        p.frontier = !dominated;
    }
}

/// Draws every decision chart, as SVG and PNG, named `decision-1`, `decision-2`, … in
/// the objectives' order.
pub fn render_decision(specs: &[DecisionSpec]) -> Result<Vec<Chart>, ChartError> {
    specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let stem = format!("decision-{}", i + 1);
            let fail = |message: String| ChartError {
                chart: stem.clone(),
                message,
            };
            check_font().map_err(fail)?;
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
                draw(spec, &root).map_err(|e| fail(e.to_string()))?;
            }
            let mut pixels = vec![0u8; SIZE.0 as usize * SIZE.1 as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area();
                draw(spec, &root).map_err(|e| fail(e.to_string()))?;
            }
            let png = encode_png(&pixels, SIZE.0, SIZE.1).map_err(|e| fail(e.to_string()))?;
            Ok(Chart {
                stem,
                kind: "decision",
                title: spec.title.clone(),
                svg,
                png,
            })
        })
        .collect()
}

/// A label's box in pixels: left, top, right, bottom.
type Box = (i32, i32, i32, i32);

/// The offset from its point (at pixel `at`) at which `label` stays inside the `plot`
/// and overlaps no label placed before it: right of the point unless that passes the
/// plot's right edge, tried above, then alternately further below and above; the
/// first try when none fits. Records the box taken.
fn place(placed: &mut Vec<Box>, at: (i32, i32), plot: Box, label: &str) -> (i32, i32) {
    const HEIGHT: i32 = 13;
    // DejaVu Sans at 11 px: about 6.2 px a character.
    let width = (label.chars().count() as f64 * 6.2).ceil() as i32;
    let dx = if at.0 + 10 + width > plot.2 {
        -10 - width
    } else {
        10
    };
    let overlaps = |b: &Box, c: &Box| b.0 < c.2 && c.0 < b.2 && b.1 < c.3 && c.1 < b.3;
    let inside = |b: &Box| b.1 >= plot.1 && b.3 <= plot.3;
    let boxed = |dy: i32| (at.0 + dx, at.1 + dy, at.0 + dx + width, at.1 + dy + HEIGHT);
    let tries = (0..40).map(|k| {
        if k % 2 == 0 {
            -16 - HEIGHT * k / 2
        } else {
            4 + HEIGHT * (k / 2)
        }
    });
    let dy = tries
        .into_iter()
        .find(|&dy| inside(&boxed(dy)) && placed.iter().all(|b| !overlaps(b, &boxed(dy))))
        .unwrap_or(-16);
    placed.push(boxed(dy));
    (dx, dy)
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// The x and y ranges: the costs and the measures (with their intervals and the
/// threshold), with a margin so that no point sits on an axis.
fn ranges(spec: &DecisionSpec) -> ((f64, f64), (f64, f64)) {
    let span = |lo: f64, hi: f64| {
        let pad = ((hi - lo) * 0.08).max(hi.abs() * 0.02).max(1e-9);
        (lo - pad, hi + pad)
    };
    // Without points (no configuration had the measure), an empty plot from $0 to $1.
    let costs = spec
        .points
        .iter()
        .map(|p| p.cost)
        .chain([0.0, 1.0].into_iter().filter(|_| spec.points.is_empty()));
    let (x0, x1) = costs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), c| {
        (a.min(c), b.max(c))
    });
    let values = spec.points.iter().flat_map(|p| {
        let [lo, hi] = p.interval.unwrap_or([p.value, p.value]);
        [lo, hi]
    });
    let (y0, y1) = values
        .chain([spec.threshold, 0.0])
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let (y0, y1) = span(y0, y1);
    (span(x0, x1), (y0.max(0.0).min(spec.threshold), y1))
}

fn draw<DB: DrawingBackend>(spec: &DecisionSpec, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let ((x0, x1), (y0, y1)) = ranges(spec);
    let mut chart = ChartBuilder::on(root)
        .caption(&spec.title, text_style(20, INK))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(76)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS)
        .x_desc("cost of the run, $ (mean over the seeds)")
        .y_desc(format!("{} (mean; bar: 95 % interval)", spec.metric))
        .label_style(text_style(12, MUTED))
        .axis_desc_style(text_style(13, MUTED))
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .draw()?;
    // The side of the threshold that misses the objective.
    let (miss_lo, miss_hi) = if spec.larger_is_worse {
        (spec.threshold, y1)
    } else {
        (y0, spec.threshold)
    };
    chart.draw_series(std::iter::once(Rectangle::new(
        [(x0, miss_lo), (x1, miss_hi)],
        RED.mix(0.10).filled(),
    )))?;
    chart.draw_series(DashedLineSeries::new(
        [(x0, spec.threshold), (x1, spec.threshold)],
        8,
        5,
        RED.stroke_width(2),
    ))?;
    for p in &spec.points {
        if let Some([lo, hi]) = p.interval {
            chart.draw_series(std::iter::once(PathElement::new(
                [(p.cost, lo), (p.cost, hi)],
                AXIS.stroke_width(2),
            )))?;
        }
    }
    for p in &spec.points {
        let color = if p.met { BLUE } else { GREY };
        chart.draw_series(std::iter::once(Circle::new(
            (p.cost, p.value),
            5,
            color.filled(),
        )))?;
        if p.frontier {
            chart.draw_series(std::iter::once(Circle::new(
                (p.cost, p.value),
                9,
                INK.stroke_width(2),
            )))?;
        }
        if p.chosen {
            chart.draw_series(std::iter::once(Circle::new(
                (p.cost, p.value),
                13,
                GREEN.stroke_width(3),
            )))?;
        }
    }
    let mut placed: Vec<Box> = Vec::new();
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let plot: Box = (xs.start, ys.start, xs.end, ys.end);
    for p in &spec.points {
        let label = if p.chosen {
            format!("{} (chosen): {}", p.name, p.label)
        } else {
            format!("{}: {}", p.name, p.label)
        };
        let at = chart.backend_coord(&(p.cost, p.value));
        let offset = place(&mut placed, at, plot, &label);
        chart.draw_series(std::iter::once(
            EmptyElement::at((p.cost, p.value)) + Text::new(label, offset, text_style(11, INK)),
        ))?;
    }
    root.present()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(cost: f64, value: f64) -> DecisionPoint {
        DecisionPoint {
            name: String::new(),
            cost,
            value,
            interval: None,
            met: true,
            frontier: false,
            chosen: false,
            label: String::new(),
        }
    }

    #[test]
    fn the_frontier_is_the_points_nothing_cheaper_beats() {
        // (cost, p99): the third is beaten by the second (cheaper and faster).
        let mut points = [
            point(1.0, 900.0),
            point(2.0, 500.0),
            point(3.0, 600.0),
            point(4.0, 300.0),
            point(2.0, 500.0),
        ];
        mark_frontier(&mut points, true);
        let frontier: Vec<bool> = points.iter().map(|p| p.frontier).collect();
        assert_eq!(frontier, [true, true, false, true, true]);
        // For `>` objectives, larger is better: the dearer point must be higher.
        let mut points = [point(1.0, 90.0), point(2.0, 80.0), point(3.0, 99.0)];
        mark_frontier(&mut points, false);
        let frontier: Vec<bool> = points.iter().map(|p| p.frontier).collect();
        assert_eq!(frontier, [true, false, true]);
    }

    #[test]
    fn a_chart_without_points_still_renders() {
        let spec = DecisionSpec {
            title: "f latency_p99_ms < 1".into(),
            metric: "latency_p99_ms",
            threshold: 1.0,
            larger_is_worse: true,
            points: Vec::new(),
        };
        let charts = render_decision(&[spec]).unwrap();
        assert_eq!(charts[0].stem, "decision-1");
        assert!(charts[0].svg.contains("f latency_p99_ms &lt; 1"));
    }

    #[test]
    fn labels_say_the_difference_from_the_baseline() {
        assert_eq!(
            difference(0.7, 940.0, 1.0, 900.0, "latency_p99_ms"),
            "30 % cheaper, p99 +40 ms"
        );
        assert_eq!(
            difference(1.5, 0.25, 1.0, 0.5, "throttled_pct"),
            "50 % dearer, throttled −0.25 pp"
        );
        assert_eq!(
            difference(1.0, 1.0, 1.0, 1.0, "cold_start_pct"),
            "same cost, cold_start +0 pp"
        );
    }
}
