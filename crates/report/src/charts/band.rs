//! The spread across seeds behind the charts: with `--seeds N`, each per-variant chart
//! draws its first seed's run as before and, under its lines, a band from the lowest to
//! the highest value any seed had in each column, so a reader sees which bumps are the
//! configuration's and which are the luck of the draw.

use super::downsample::{ChartSeries, Extreme};
use serde::{Deserialize, Serialize};

/// For each function and column, the lowest and the highest value of any of the seeds'
/// runs of one configuration. Built from their [`ChartSeries`] as they finish, in any
/// order: the band is the same whatever the order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SeedBand {
    seeds: u64,
    low: ChartSeries,
    high: ChartSeries,
}

impl SeedBand {
    /// The band of one run: no width yet.
    pub fn of(run: &ChartSeries) -> Self {
        Self {
            seeds: 1,
            low: run.clone(),
            high: run.clone(),
        }
    }

    /// Widens the band to take in another seed's run of the same configuration.
    pub fn include(&mut self, run: &ChartSeries) {
        self.low.keep_extreme(run, Extreme::Lowest);
        self.high.keep_extreme(run, Extreme::Highest);
        self.seeds += 1;
    }

    /// Widens the band to take in another band of the same configuration (other seeds'
    /// runs, made by another shard): the same band as including their runs one by one.
    pub fn join(&mut self, other: &SeedBand) {
        self.low.keep_extreme(&other.low, Extreme::Lowest);
        self.high.keep_extreme(&other.high, Extreme::Highest);
        self.seeds += other.seeds;
    }

    /// How many runs the band spans.
    pub fn seeds(&self) -> u64 {
        self.seeds
    }

    /// The lowest value of each column.
    pub fn low(&self) -> &ChartSeries {
        &self.low
    }

    /// The highest value of each column.
    pub fn high(&self) -> &ChartSeries {
        &self.high
    }

    /// The band between `start_s` and `end_s`, as [`ChartSeries::focus`] crops a run.
    pub fn focus(&self, start_s: f64, end_s: f64) -> SeedBand {
        SeedBand {
            seeds: self.seeds,
            low: self.low.focus(start_s, end_s),
            high: self.high.focus(start_s, end_s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::tests::{config, series};
    use lambdasim_model::SeriesSink;

    #[test]
    fn the_band_spans_every_run_whatever_the_order() {
        let config = config();
        // Peaks of 30 and 900 (scale 1), 60 and 1,800 (2), 90 and 2,700 (3).
        let runs: Vec<ChartSeries> = (1..=3).map(|k| series(&config, k)).collect();
        let band_of = |order: [usize; 3]| {
            let mut band = SeedBand::of(&runs[order[0]]);
            band.include(&runs[order[1]]);
            band.include(&runs[order[2]]);
            band
        };
        let band = band_of([0, 1, 2]);
        assert_eq!(band.seeds(), 3);
        let low = band.low().columns(0);
        let high = band.high().columns(0);
        assert_eq!(low[0].concurrency_max, 30);
        assert_eq!(high[0].concurrency_max, 90);
        assert_eq!(low[60].concurrency_max, 900);
        assert_eq!(high[60].concurrency_max, 2700);
        // The split comes whole from the run whose total the edge keeps.
        assert_eq!(high[60].concurrency.total(), 2700);
        assert_eq!(low[60].concurrency.total(), 900);
        // Every order gives the same band (compared as text: NaN marks a column
        // without latencies).
        let text = |b: &SeedBand| format!("{:?}", (b.low(), b.high()));
        for order in [[2, 1, 0], [1, 2, 0], [0, 2, 1]] {
            assert!(text(&band_of(order)) == text(&band), "order {order:?}");
        }
    }

    #[test]
    fn joining_bands_of_split_seeds_gives_the_band_of_all_of_them() {
        let config = config();
        let runs: Vec<ChartSeries> = (1..=4).map(|k| series(&config, k)).collect();
        let mut whole = SeedBand::of(&runs[0]);
        for run in &runs[1..] {
            whole.include(run);
        }
        // Seeds 1-2 on one shard, 3-4 on another, joined in either order.
        let mut first = SeedBand::of(&runs[0]);
        first.include(&runs[1]);
        let mut second = SeedBand::of(&runs[2]);
        second.include(&runs[3]);
        let text = |b: &SeedBand| format!("{:?}", (b.seeds(), b.low(), b.high()));
        let mut joined = first.clone();
        joined.join(&second);
        assert!(text(&joined) == text(&whole));
        let mut joined = second;
        joined.join(&first);
        assert!(text(&joined) == text(&whole));
    }

    #[test]
    fn equal_totals_split_differently_still_give_one_band() {
        let config = config();
        let a = series(&config, 1);
        // Another run with the same peak concurrency split otherwise.
        let mut b = ChartSeries::new(&config);
        for t in 0..180u32 {
            for function in 0..2 {
                let burst = t == 60;
                b.record(&lambdasim_model::BucketRow {
                    function,
                    t_s: f64::from(t) * 10.0,
                    concurrency_max: if burst { 900 } else { 30 },
                    provisioned_busy: 20,
                    initializing: if burst { 10 } else { 1 },
                    ..Default::default()
                })
                .unwrap();
            }
        }
        let mut ab = SeedBand::of(&a);
        ab.include(&b);
        let mut ba = SeedBand::of(&b);
        ba.include(&a);
        let text = |b: &SeedBand| format!("{:?}", (b.low(), b.high()));
        assert!(text(&ab) == text(&ba));
    }

    #[test]
    fn a_focus_crops_both_edges_alike() {
        let config = config();
        let mut band = SeedBand::of(&series(&config, 1));
        band.include(&series(&config, 2));
        let focus = band.focus(500.0, 700.0);
        assert_eq!(focus.seeds(), 2);
        assert_eq!(focus.low().columns(0).len(), focus.high().columns(0).len());
        assert_eq!(focus.low().window(), (500.0, 700.0));
    }
}
