//! What has been spent so far: the cumulative cost over time, from the time series'
//! per-bucket cost (first-tier prices, no free tier, as `timeseries.csv`'s `cost_usd`).

use super::palette::{self, GREY};
use super::spec::{ChartSpec, Panel, Series, Stroke, TimeAxis};
use super::{ChartSeries, VariantData};

/// The y axis label of every cost panel.
pub const Y_LABEL: &str = "US$ spent so far";

/// The panel title for the whole variant, all functions together.
pub const ALL: &str = "all functions";

/// The cumulative cost of the functions `functions` together: $0 at the start, then
/// what they had cost by the end of each column. NaN from the first column no bucket
/// reached (a run stopped early), so the line ends where the data does.
pub fn cumulative(series: &ChartSeries, functions: &[usize], time: TimeAxis) -> Vec<(f64, f64)> {
    let columns = functions
        .iter()
        .map(|&i| series.columns(i).len())
        .max()
        .unwrap_or(0);
    let mut total = 0.0;
    let mut ended = false;
    let mut points = Vec::with_capacity(columns + 1);
    points.push((0.0, 0.0));
    for c in 0..columns {
        let arrived = functions.iter().any(|&i| series.columns(i)[c].buckets > 0);
        ended |= !arrived;
        total += functions
            .iter()
            .map(|&i| series.columns(i)[c].cost_usd)
            .sum::<f64>();
        let y = if ended { f64::NAN } else { total };
        points.push((time.at(series.column_end_s(c)), y));
    }
    points
}

/// One panel for the variant: each function's cumulative cost stacked, so the top is
/// the variant's. Past [`super::MAX_PANELS`] functions, those not shown are one layer.
pub fn spec(v: &VariantData<'_>) -> ChartSpec {
    let time = v.time();
    let shown = v.shown();
    let mut panel = Panel::new(ALL, Y_LABEL);
    panel.stacked = shown
        .iter()
        .enumerate()
        .map(|(k, &i)| Series {
            label: v.config.functions[i].name.clone(),
            color: palette::variant(k),
            points: cumulative(v.series, &[i], time),
            note: None,
            stroke: Stroke::Solid,
        })
        .collect();
    let others: Vec<usize> = (0..v.config.functions.len())
        .filter(|i| !shown.contains(i))
        .collect();
    if !others.is_empty() {
        panel.stacked.push(Series {
            label: format!("the other {} functions", others.len()),
            color: GREY,
            points: cumulative(v.series, &others, time),
            note: None,
            stroke: Stroke::Solid,
        });
    }
    ChartSpec {
        kind: "cost",
        title: format!("Cumulative cost by function — {}", v.name),
        time,
        panels: vec![panel],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_model::{BucketRow, FunctionConfig, SeriesSink, SimConfig};

    fn config() -> SimConfig {
        SimConfig {
            seed: 1,
            duration: 40 * 1_000_000_000,
            resolution: 10 * 1_000_000_000,
            account: Default::default(),
            functions: vec![FunctionConfig::new("a"), FunctionConfig::new("b")],
            billing: Default::default(),
        }
    }

    #[test]
    fn cost_accumulates_from_zero_and_stops_where_the_data_does() {
        let config = config();
        let mut series = ChartSeries::new(&config);
        // Three of the four buckets arrive (a run stopped early).
        for b in 0..3u32 {
            for function in 0..2 {
                let row = BucketRow {
                    function,
                    t_s: f64::from(b) * 10.0,
                    cost_usd: if function == 0 { 1.0 } else { 0.5 },
                    ..Default::default()
                };
                series.record(&row).unwrap();
            }
        }
        let time = TimeAxis::for_span(40.0);
        let a = cumulative(&series, &[0], time);
        assert_eq!(&a[..4], [(0.0, 0.0), (10.0, 1.0), (20.0, 2.0), (30.0, 3.0)]);
        assert_eq!(a[4].0, 40.0);
        assert!(a[4].1.is_nan());
        let both = cumulative(&series, &[0, 1], time);
        assert_eq!(both[3], (30.0, 4.5));

        let v = VariantData {
            name: "v",
            config: &config,
            series: &series,
            band: None,
            observed: &[],
        };
        let spec = spec(&v);
        assert_eq!(spec.kind, "cost");
        let panel = &spec.panels[0];
        let labels: Vec<&str> = panel.stacked.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["a", "b"]);
        // The top of the stack is the variant's total.
        assert_eq!(panel.data_max(), 4.5);
    }
}
