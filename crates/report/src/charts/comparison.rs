//! Charts that put every variant on the same axes, one line per variant.

use super::concurrency;
use super::cost;
use super::palette;
use super::spec::{ChartSpec, Limit, Panel, Series, Stroke, YScale};
use super::{Column, VariantData, points};

/// What a comparison chart plots for each variant.
struct Measure {
    kind: &'static str,
    title: &'static str,
    y_label: &'static str,
    scale: YScale,
    value: fn(&Column) -> f64,
}

const MEASURES: [Measure; 4] = [
    Measure {
        kind: "concurrency",
        title: "Peak concurrency",
        y_label: "concurrent executions",
        scale: YScale::Linear,
        value: |c| f64::from(c.concurrency_max),
    },
    Measure {
        kind: "throttles",
        title: "Throttles (all reasons)",
        y_label: "throttles / s",
        scale: YScale::Linear,
        value: |c| c.throttles.total(),
    },
    Measure {
        kind: "cold-starts",
        title: "Cold starts",
        y_label: "cold starts / s",
        scale: YScale::Linear,
        value: |c| c.cold_starts_per_s,
    },
    Measure {
        kind: "latency",
        title: "p99 latency",
        y_label: "p99 latency (ms)",
        scale: YScale::Log,
        value: |c| c.latency_p99_ms,
    },
];

/// The comparison charts of two or more variants; none for fewer.
pub fn specs(variants: &[VariantData<'_>]) -> Vec<ChartSpec> {
    if variants.len() < 2 {
        return Vec::new();
    }
    let mut specs: Vec<ChartSpec> = MEASURES.iter().map(|m| spec(variants, m)).collect();
    specs.push(cost_spec(variants));
    specs
}

/// Cumulative cost, one line per variant: a first panel for all functions together,
/// then one per function of the first variant shown (found by name in the others).
fn cost_spec(variants: &[VariantData<'_>]) -> ChartSpec {
    let time = variants[0].time();
    let line = |k: usize, v: &VariantData<'_>, functions: &[usize]| Series {
        label: v.name.to_string(),
        color: palette::variant(k),
        points: cost::cumulative(v.series, functions, time),
        note: None,
        stroke: Stroke::Solid,
    };
    let mut all = Panel::new(cost::ALL, cost::Y_LABEL);
    all.lines = variants
        .iter()
        .enumerate()
        .map(|(k, v)| line(k, v, &(0..v.config.functions.len()).collect::<Vec<_>>()))
        .collect();
    note_identical(&mut all.lines);
    let mut panels = vec![all];
    let functions = &variants[0].config.functions;
    if functions.len() > 1 {
        for i in variants[0].shown() {
            let name = &functions[i].name;
            let mut panel = Panel::new(name, cost::Y_LABEL);
            panel.lines = variants
                .iter()
                .enumerate()
                .filter_map(|(k, v)| {
                    let index = v.config.functions.iter().position(|g| &g.name == name)?;
                    Some(line(k, v, &[index]))
                })
                .collect();
            note_identical(&mut panel.lines);
            panels.push(panel);
        }
    }
    ChartSpec {
        kind: "cost",
        title: format!("Cumulative cost — all variants{}", variants[0].shown_note()),
        time,
        panels,
    }
}

/// One panel per function of the first variant, each variant's function found by name
/// rather than by position.
fn spec(variants: &[VariantData<'_>], measure: &Measure) -> ChartSpec {
    let time = variants[0].time();
    let functions = &variants[0].config.functions;
    let panels = variants[0]
        .shown()
        .into_iter()
        .map(|i| &functions[i])
        .map(|f| {
            let mut panel = Panel::new(&f.name, measure.y_label);
            panel.scale = measure.scale;
            panel.lines = variants
                .iter()
                .enumerate()
                .filter_map(|(k, v)| {
                    let index = v.config.functions.iter().position(|g| g.name == f.name)?;
                    Some(Series {
                        label: v.name.to_string(),
                        color: palette::variant(k),
                        points: points(v.series, index, time, measure.value),
                        note: None,
                        stroke: Stroke::Solid,
                    })
                })
                .collect();
            note_identical(&mut panel.lines);
            if measure.kind == "concurrency" {
                panel.limits = common_limits(variants, &f.name);
            }
            panel
        })
        .collect();
    ChartSpec {
        kind: measure.kind,
        title: format!(
            "{} — all variants{}",
            measure.title,
            variants[0].shown_note()
        ),
        time,
        panels,
    }
}

/// The limits that are the same in every variant (a limit only some variants have
/// would mislead next to the others' lines).
fn common_limits(variants: &[VariantData<'_>], function: &str) -> Vec<Limit> {
    let of = |v: &VariantData<'_>| -> Vec<Limit> {
        v.config
            .functions
            .iter()
            .find(|f| f.name == function)
            .map(|f| concurrency::limits(v.config, f))
            .unwrap_or_default()
    };
    let first = of(&variants[0]);
    first
        .into_iter()
        .filter(|limit| {
            variants[1..].iter().all(|v| {
                of(v)
                    .iter()
                    .any(|l| l.label == limit.label && l.value == limit.value)
            })
        })
        .collect()
}

/// Notes each line that a later, identical line is drawn over and hides: its legend
/// says `hidden under identical <top>`, naming the last of the identical lines (the one
/// visible), so that no variant seems to be missing from the plot.
fn note_identical(lines: &mut [Series]) {
    let same = |a: &Series, b: &Series| {
        a.points.len() == b.points.len()
            && a.points
                .iter()
                .zip(&b.points)
                .all(|(p, q)| p.0 == q.0 && (p.1 == q.1 || (p.1.is_nan() && q.1.is_nan())))
    };
    for k in 0..lines.len() {
        if let Some(top) = (k + 1..lines.len())
            .rev()
            .find(|&j| same(&lines[k], &lines[j]))
        {
            lines[k].note = Some(format!("hidden under identical {}", lines[top].label));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::style::RGBColor;

    fn line(label: &str, ys: &[f64]) -> Series {
        Series {
            label: label.to_string(),
            color: RGBColor(0, 0, 0),
            points: ys.iter().enumerate().map(|(i, y)| (i as f64, *y)).collect(),
            note: None,
            stroke: Stroke::Solid,
        }
    }

    #[test]
    fn identical_lines_name_the_one_they_hide() {
        let mut lines = vec![
            line("a", &[1.0, f64::NAN, 3.0]),
            line("b", &[1.0, 2.0, 3.0]),
            line("c", &[1.0, f64::NAN, 3.0]),
            line("d", &[1.0, f64::NAN, 3.0]),
        ];
        note_identical(&mut lines);
        let notes: Vec<Option<&str>> = lines.iter().map(|l| l.note.as_deref()).collect();
        let over = Some("hidden under identical d");
        assert_eq!(notes, [over, None, over, None]);
    }
}
