//! A sink that feeds two sinks, so one run writes its CSV and gathers its chart data
//! in a single pass.

use lambdasim_model::{BucketRow, SeriesSink};
use std::io;

/// Passes every row to `first`, then to `second`.
pub struct Tee<A, B> {
    pub first: A,
    pub second: B,
}

impl<A: SeriesSink, B: SeriesSink> SeriesSink for Tee<A, B> {
    fn record(&mut self, row: &BucketRow) -> io::Result<()> {
        self.first.record(row)?;
        self.second.record(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_model::CollectSeries;

    #[test]
    fn both_sinks_see_every_row() {
        let mut tee = Tee {
            first: CollectSeries::default(),
            second: CollectSeries::default(),
        };
        for t in 0..3 {
            let row = BucketRow {
                t_s: f64::from(t),
                ..Default::default()
            };
            tee.record(&row).unwrap();
        }
        assert_eq!(tee.first.rows.len(), 3);
        assert_eq!(tee.first.rows, tee.second.rows);
    }
}
