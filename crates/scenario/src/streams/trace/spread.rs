//! Spreading one trace row's requests over its interval: uniformly at random (the
//! default) or evenly.

use lambdasim_engine::{Nanos, RngStream};
use lambdasim_model::Arrival;
use rand_distr::{Distribution, Exp1};

/// How a per-interval row's requests are placed inside the interval (`spread:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Spread {
    /// Independent uniform times, produced already sorted.
    Random,
    /// Request i of n at `start + i·width/n`.
    Even,
}

/// The requests of one row not yet emitted.
pub(super) struct Pending {
    pub start: Nanos,
    /// Width the requests are spread over (0 for a per-request row).
    pub width: Nanos,
    pub total: u64,
    pub emitted: u64,
    pub duration: Option<Nanos>,
    pub target: u32,
    /// For a random spread: the sum of the exponential spacings drawn so far...
    spacings: f64,
    /// ...and the width over the sum of all `total + 1` of them.
    scale: f64,
}

impl Pending {
    pub(super) fn new(start: Nanos, width: Nanos, total: u64) -> Self {
        Self {
            start,
            width,
            total,
            emitted: 0,
            duration: None,
            target: 0,
            spacings: 0.0,
            scale: 0.0,
        }
    }

    /// The next request's time (the caller checks that requests remain).
    ///
    /// Random: with E₁ … Eₙ₊₁ independent exponentials and Sₖ = E₁ + … + Eₖ, the
    /// ratios S₁/Sₙ₊₁ < … < Sₙ/Sₙ₊₁ have exactly the distribution of n sorted
    /// independent uniforms on `[0, 1)`. Sₙ₊₁ is summed first on a copy of the random
    /// stream, then the same draws are made again one request at a time: two
    /// ziggurat draws per request and memory that does not grow with n (an earlier
    /// version drew the smallest of the remaining uniforms with an `expm1` and a
    /// division per request, which cost twice as much).
    pub(super) fn next_time(&mut self, spread: Spread, rng: &mut RngStream) -> Nanos {
        let offset = match spread {
            _ if self.width == 0 => 0,
            Spread::Even => {
                let offset =
                    u128::from(self.width) * u128::from(self.emitted) / u128::from(self.total);
                offset as Nanos
            }
            Spread::Random => {
                if self.emitted == 0 {
                    let all = spacing_sum(&mut rng.clone(), self.total + 1);
                    self.scale = self.width as f64 / all;
                }
                let spacing: f64 = Exp1.sample(rng);
                self.spacings += spacing;
                if self.emitted + 1 == self.total {
                    // Eₙ₊₁, so that the stream moves on past every draw of this row.
                    let _: f64 = Exp1.sample(rng);
                }
                let offset = (self.spacings * self.scale) as Nanos;
                offset.min(self.width - 1)
            }
        };
        self.emitted += 1;
        self.start.saturating_add(offset)
    }

    /// Whether every request has been emitted.
    pub(super) fn is_done(&self) -> bool {
        self.emitted >= self.total
    }

    /// Appends the row's next requests to `out` until it holds `max` or the row is
    /// done, the same draws as [`next_time`](Self::next_time) one at a time: for a row
    /// wholly inside the stream's window, whose requests need no window check.
    pub(super) fn emit(
        &mut self,
        spread: Spread,
        rng: &mut RngStream,
        out: &mut Vec<Arrival>,
        max: usize,
    ) {
        while out.len() < max && !self.is_done() {
            let time = self.next_time(spread, rng);
            out.push(Arrival {
                time,
                duration: self.duration,
                target: self.target,
            });
        }
    }
}

/// The sum of the next `n` exponential draws, added in draw order (as
/// [`Pending::next_time`] adds them again, so the sums agree to the last bit).
fn spacing_sum(rng: &mut RngStream, n: u64) -> f64 {
    (0..n).fold(0.0, |sum, _| {
        let spacing: f64 = Exp1.sample(rng);
        sum + spacing
    })
}
