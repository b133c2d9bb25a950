//! How far the simulated periods are from the observed ones.

/// A series' total, peak and mean per period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Totals {
    pub total: f64,
    pub peak: f64,
    pub mean: f64,
}

impl Totals {
    fn of(values: &[f64]) -> Self {
        let total: f64 = values.iter().sum();
        Self {
            total,
            peak: values.iter().copied().fold(0.0, f64::max),
            mean: if values.is_empty() {
                0.0
            } else {
                total / values.len() as f64
            },
        }
    }
}

/// The error table's row: both sides' totals and the per-period error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Errors {
    pub observed: Totals,
    pub simulated: Totals,
    /// The mean over the periods of |simulated − observed|.
    pub mean_absolute: f64,
    /// `mean_absolute` as a percentage of the observed mean; `None` when that is 0.
    pub percent_of_mean: Option<f64>,
}

impl Errors {
    /// Compares `simulated` with `observed`, period by period (same lengths).
    pub fn of(observed: &[f64], simulated: &[f64]) -> Self {
        let observed_totals = Totals::of(observed);
        let gaps: f64 = observed
            .iter()
            .zip(simulated)
            .map(|(o, s)| (s - o).abs())
            .sum();
        let mean_absolute = if observed.is_empty() {
            0.0
        } else {
            gaps / observed.len() as f64
        };
        Self {
            observed: observed_totals,
            simulated: Totals::of(simulated),
            mean_absolute,
            percent_of_mean: (observed_totals.mean > 0.0)
                .then(|| 100.0 * mean_absolute / observed_totals.mean),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_is_the_mean_gap_per_period_against_the_observed_mean() {
        let e = Errors::of(&[10.0, 0.0, 20.0, 10.0], &[12.0, 3.0, 15.0, 10.0]);
        assert_eq!(e.observed.total, 40.0);
        assert_eq!(e.simulated.total, 40.0);
        assert_eq!((e.observed.peak, e.simulated.peak), (20.0, 15.0));
        assert_eq!((e.observed.mean, e.simulated.mean), (10.0, 10.0));
        // |2| + |3| + |−5| + 0 = 10 over 4 periods.
        assert_eq!(e.mean_absolute, 2.5);
        assert_eq!(e.percent_of_mean, Some(25.0));
        assert_eq!(Errors::of(&[0.0], &[1.0]).percent_of_mean, None);
    }
}
