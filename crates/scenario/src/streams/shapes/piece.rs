//! One piece of a rate function: a span of time on which the rate has a simple closed
//! form, so both arrival generators can work on it exactly.
//!
//! Every form is monotone on its piece (the shapes cut their pieces at every maximum),
//! so the larger of the two end rates bounds the whole piece.

use lambdasim_engine::{Nanos, nanos_to_secs};

/// The rate on `[start, end)`, as a function of `x`, the seconds since `start`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Piece {
    pub start: Nanos,
    /// `Nanos::MAX` for a piece that never ends.
    pub end: Nanos,
    pub form: Form,
}

/// The closed form of a piece's rate (requests per second).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Form {
    /// `rate + slope·x`.
    Linear { rate: f64, slope: f64 },
    /// `mean + amplitude·cos(omega·x + phase)`, never crossing a maximum inside.
    Cosine {
        mean: f64,
        amplitude: f64,
        omega: f64,
        phase: f64,
    },
}

impl Piece {
    /// A constant rate from `start` to `end`.
    pub(crate) fn flat(start: Nanos, end: Nanos, rate: f64) -> Self {
        Self {
            start,
            end,
            form: Form::Linear { rate, slope: 0.0 },
        }
    }

    /// The piece's length in seconds, up to `limit` (a window's end).
    pub(crate) fn width(&self, limit: Nanos) -> f64 {
        nanos_to_secs(self.end.min(limit).saturating_sub(self.start))
    }

    /// Whether the rate is the same all along (thinning then accepts every candidate).
    pub(crate) fn is_flat(&self) -> bool {
        matches!(self.form, Form::Linear { slope, .. } if slope == 0.0)
    }

    /// The rate `x` seconds into the piece, never negative.
    pub(crate) fn rate(&self, x: f64) -> f64 {
        let rate = match self.form {
            Form::Linear { rate, slope } => rate + slope * x,
            Form::Cosine {
                mean,
                amplitude,
                omega,
                phase,
            } => mean + amplitude * (omega * x + phase).cos(),
        };
        rate.max(0.0)
    }

    /// The highest rate on the first `width` seconds of the piece.
    pub(crate) fn bound(&self, width: f64) -> f64 {
        self.rate(0.0).max(self.rate(width))
    }

    /// The expected number of requests in the first `x` seconds: the integral of the rate.
    pub(crate) fn integral(&self, x: f64) -> f64 {
        match self.form {
            Form::Linear { rate, slope } => rate * x + slope * x * x / 2.0,
            Form::Cosine {
                mean,
                amplitude,
                omega,
                phase,
            } => mean * x + amplitude / omega * ((omega * x + phase).sin() - phase.sin()),
        }
    }

    /// The time `x` in `[0, width)` at which the integral reaches `need`, or `None` if
    /// it does not within `width` seconds.
    pub(crate) fn solve(&self, need: f64, width: f64) -> Option<f64> {
        if need <= 0.0 {
            return Some(0.0);
        }
        let x = match self.form {
            Form::Linear { rate, slope } => solve_linear(rate, slope, need)?,
            Form::Cosine { .. } => self.solve_numerically(need, width)?,
        };
        (x < width).then_some(x)
    }

    /// Newton's method, kept inside a shrinking bracket by bisection; the integral is
    /// increasing, so this always converges, to well under a nanosecond.
    fn solve_numerically(&self, need: f64, width: f64) -> Option<f64> {
        if self.integral(width) <= need {
            return None;
        }
        let (mut low, mut high) = (0.0, width);
        let mut x = (need / self.bound(width)).min(width);
        for _ in 0..100 {
            let error = self.integral(x) - need;
            if error < 0.0 {
                low = x;
            } else {
                high = x;
            }
            if high - low < 1e-10 {
                break;
            }
            let step = x - error / self.rate(x);
            x = if step > low && step < high {
                step
            } else {
                (low + high) / 2.0
            };
        }
        Some(high)
    }
}

/// Solves `rate·x + slope·x²/2 = need` for the first `x ≥ 0`, in the form that stays
/// accurate when `slope` is tiny.
fn solve_linear(rate: f64, slope: f64, need: f64) -> Option<f64> {
    let discriminant = rate * rate + 2.0 * slope * need;
    if discriminant < 0.0 {
        return None;
    }
    let denominator = rate + discriminant.sqrt();
    (denominator > 0.0).then(|| 2.0 * need / denominator)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linear(rate: f64, slope: f64) -> Piece {
        Piece {
            start: 0,
            end: Nanos::MAX,
            form: Form::Linear { rate, slope },
        }
    }

    #[test]
    fn solve_inverts_the_integral() {
        let cosine = Piece {
            start: 0,
            end: Nanos::MAX,
            form: Form::Cosine {
                mean: 5.0,
                amplitude: 4.0,
                omega: 0.1,
                phase: 0.3,
            },
        };
        for piece in [
            linear(3.0, 0.0),
            linear(0.0, 2.0),
            linear(10.0, -1.0),
            cosine,
        ] {
            for need in [0.5, 1.0, 7.25, 30.0] {
                let x = piece.solve(need, 20.0).unwrap();
                assert!((piece.integral(x) - need).abs() < 1e-8, "{piece:?} {need}");
            }
        }
        assert_eq!(linear(10.0, -1.0).solve(60.0, 100.0), None);
        assert_eq!(linear(1.0, 0.0).solve(5.0, 4.0), None);
        assert_eq!(linear(0.0, 0.0).solve(1.0, 4.0), None);
    }
}
