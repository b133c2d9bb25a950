//! Charts that put every variant on the same axes, one line per variant.

use super::concurrency;
use super::palette;
use super::spec::{ChartSpec, Limit, Panel, Series, YScale};
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
    MEASURES.iter().map(|m| spec(variants, m)).collect()
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
                    })
                })
                .collect();
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
