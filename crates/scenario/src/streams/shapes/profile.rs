//! Piecewise rates given by points: `profile:` itself, and `ramp:` and `spike:`, which
//! are profiles with a few points.

use super::piece::{Form, Piece};
use lambdasim_engine::{Nanos, nanos_to_secs};

/// How the rate goes from one point to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Interpolation {
    /// A straight line between points.
    Linear,
    /// Each point's rate holds until the next point.
    Step,
}

/// A rate through `(time, rate)` points in time order; it holds the first point's rate
/// before it and the last one's after it. Two points at the same time make a jump.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Profile {
    points: Vec<(Nanos, f64)>,
    interpolation: Interpolation,
}

impl Profile {
    /// The caller has checked that `points` is non-empty, in time order, with rates of
    /// 0 or more.
    pub(crate) fn new(points: Vec<(Nanos, f64)>, interpolation: Interpolation) -> Self {
        Self {
            points,
            interpolation,
        }
    }

    /// `from` until `start`, a straight line to `to` at `end`, then `to`.
    pub(crate) fn ramp(from: f64, to: f64, start: Nanos, end: Nanos) -> Self {
        Self::new(vec![(start, from), (end, to)], Interpolation::Linear)
    }

    /// Nothing until `at`, up to `rate` over `ramp_up`, `rate` for `hold`, back down to
    /// nothing over `ramp_down`.
    pub(crate) fn spike(
        at: Nanos,
        rate: f64,
        ramp_up: Nanos,
        hold: Nanos,
        ramp_down: Nanos,
    ) -> Self {
        let peak = at.saturating_add(ramp_up);
        let fall = peak.saturating_add(hold);
        let end = fall.saturating_add(ramp_down);
        Self::new(
            vec![(at, 0.0), (peak, rate), (fall, rate), (end, 0.0)],
            Interpolation::Linear,
        )
    }

    /// The highest rate anywhere.
    pub(crate) fn peak(&self) -> f64 {
        self.points.iter().map(|p| p.1).fold(0.0, f64::max)
    }

    /// Every rate multiplied by `factor`.
    pub(crate) fn scaled(mut self, factor: f64) -> Self {
        for point in &mut self.points {
            point.1 *= factor;
        }
        self
    }

    /// The piece from `t` to the next point.
    pub(crate) fn piece_at(&self, t: Nanos) -> Piece {
        let after = self.points.partition_point(|p| p.0 <= t);
        let Some(&(next_time, next_rate)) = self.points.get(after) else {
            let last = self.points.last().map_or(0.0, |p| p.1);
            return Piece::flat(t, Nanos::MAX, last);
        };
        let Some(&(time, rate)) = after.checked_sub(1).map(|i| &self.points[i]) else {
            return Piece::flat(t, next_time, next_rate);
        };
        if self.interpolation == Interpolation::Step {
            return Piece::flat(t, next_time, rate);
        }
        let slope = (next_rate - rate) / nanos_to_secs(next_time - time);
        Piece {
            start: t,
            end: next_time,
            form: Form::Linear {
                rate: rate + slope * nanos_to_secs(t - time),
                slope,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_engine::NANOS_PER_SEC;

    const S: Nanos = NANOS_PER_SEC;

    #[test]
    fn pieces_follow_the_points() {
        let ramp = Profile::ramp(100.0, 1100.0, 10 * S, 110 * S);
        assert_eq!(ramp.piece_at(0), Piece::flat(0, 10 * S, 100.0));
        let middle = ramp.piece_at(60 * S);
        assert_eq!((middle.start, middle.end), (60 * S, 110 * S));
        assert!((middle.rate(0.0) - 600.0).abs() < 1e-9);
        assert!((middle.rate(50.0) - 1100.0).abs() < 1e-9);
        assert_eq!(
            ramp.piece_at(110 * S),
            Piece::flat(110 * S, Nanos::MAX, 1100.0)
        );
        let step = Profile::new(vec![(0, 1.0), (5 * S, 3.0)], Interpolation::Step);
        assert_eq!(step.piece_at(S), Piece::flat(S, 5 * S, 1.0));
    }

    #[test]
    fn a_spike_without_ramps_jumps() {
        let spike = Profile::spike(10 * S, 50.0, 0, 5 * S, 0);
        assert_eq!(spike.piece_at(0), Piece::flat(0, 10 * S, 0.0));
        assert_eq!(spike.piece_at(10 * S), Piece::flat(10 * S, 15 * S, 50.0));
        assert_eq!(spike.piece_at(15 * S), Piece::flat(15 * S, Nanos::MAX, 0.0));
        assert_eq!(spike.peak(), 50.0);
    }
}
