//! A daily (or any period) cycle: `mean + amplitude·cos(2π(t − peak_at)/period)`.

use super::piece::{Form, Piece};
use lambdasim_engine::{Nanos, nanos_to_secs};
use std::f64::consts::TAU;

/// Pieces per period. Cutting at the peaks and troughs keeps each piece monotone, so
/// its end rates bound it; 64 pieces keep that bound within 5 % of the rate, so
/// thinning rarely rejects.
const PIECES: i128 = 64;

/// A cosine cycle of the rate; times are from the scenario start.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Diurnal {
    mean: f64,
    amplitude: f64,
    /// At least 1 s (checked by the caller), so every piece is non-empty.
    period: Nanos,
    /// The first peak, within `[0, period)`.
    peak: Nanos,
}

impl Diurnal {
    /// The caller has checked `0 ≤ amplitude ≤ mean` (the rate never goes negative).
    pub(crate) fn new(mean: f64, amplitude: f64, period: Nanos, peak_at: Nanos) -> Self {
        Self {
            mean,
            amplitude,
            period,
            peak: peak_at % period,
        }
    }

    /// The highest rate.
    pub(crate) fn peak(&self) -> f64 {
        self.mean + self.amplitude
    }

    /// Both mean and amplitude multiplied by `factor`.
    pub(crate) fn scaled(self, factor: f64) -> Self {
        Self {
            mean: self.mean * factor,
            amplitude: self.amplitude * factor,
            ..self
        }
    }

    /// Piece boundary `j`: the peak plus `j/64` of a period, in whole nanoseconds.
    fn boundary(&self, j: i128) -> i128 {
        i128::from(self.peak) + (j * i128::from(self.period)).div_euclid(PIECES)
    }

    /// The piece from `t` to the next boundary.
    pub(crate) fn piece_at(&self, t: Nanos) -> Piece {
        let since_peak = i128::from(t) - i128::from(self.peak);
        let mut j = (since_peak * PIECES).div_euclid(i128::from(self.period));
        if self.boundary(j + 1) <= i128::from(t) {
            j += 1;
        }
        let end = Nanos::try_from(self.boundary(j + 1)).unwrap_or(Nanos::MAX);
        let into_cycle = since_peak.rem_euclid(i128::from(self.period));
        let omega = TAU / nanos_to_secs(self.period);
        Piece {
            start: t,
            end,
            form: Form::Cosine {
                mean: self.mean,
                amplitude: self.amplitude,
                omega,
                phase: omega * nanos_to_secs(into_cycle as Nanos),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_engine::NANOS_PER_SEC;

    const H: Nanos = 3600 * NANOS_PER_SEC;

    #[test]
    fn peaks_and_troughs_where_asked() {
        let day = Diurnal::new(500.0, 400.0, 24 * H, 14 * H);
        let peak = day.piece_at(14 * H);
        assert!((peak.rate(0.0) - 900.0).abs() < 1e-9);
        assert_eq!(peak.end, 14 * H + 24 * H / 64);
        let trough = day.piece_at(2 * H);
        assert!((trough.rate(0.0) - 100.0).abs() < 1e-9);
        let mut t = 0;
        while t < 48 * H {
            let piece = day.piece_at(t);
            assert!(piece.end > t);
            t = piece.end;
        }
    }
}
