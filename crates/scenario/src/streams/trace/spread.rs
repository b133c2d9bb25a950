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
                    self.begin_random(rng);
                }
                let spacing: f64 = Exp1.sample(rng);
                self.spacings += spacing;
                if self.emitted + 1 == self.total {
                    end_random(rng);
                }
                self.random_offset(self.spacings)
            }
        };
        self.emitted += 1;
        self.start.saturating_add(offset)
    }

    /// Sums Sₙ₊₁ on a copy of the stream, before the row's first request.
    fn begin_random(&mut self, rng: &RngStream) {
        let all = spacing_sum(&mut rng.clone(), self.total + 1);
        self.scale = self.width as f64 / all;
    }

    /// The offset of the request whose spacings add up to `spacings`.
    #[inline]
    fn random_offset(&self, spacings: f64) -> Nanos {
        ((spacings * self.scale) as Nanos).min(self.width - 1)
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
        if spread == Spread::Random && self.width > 0 {
            self.emit_random(rng, out, max);
            return;
        }
        while out.len() < max && !self.is_done() {
            let time = self.next_time(spread, rng);
            out.push(Arrival {
                time,
                duration: self.duration,
                target: self.target,
            });
        }
    }

    /// [`emit`](Self::emit) for a random spread: [`next_time`](Self::next_time)'s
    /// draws in a loop of their own, with the row's first and last request handled
    /// outside it.
    fn emit_random(&mut self, rng: &mut RngStream, out: &mut Vec<Arrival>, max: usize) {
        let n = (max.saturating_sub(out.len()) as u64).min(self.total - self.emitted);
        if n == 0 {
            return;
        }
        if self.emitted == 0 {
            self.begin_random(rng);
        }
        let mut spacings = self.spacings;
        out.extend((0..n).map(|_| {
            let spacing: f64 = Exp1.sample(rng);
            spacings += spacing;
            Arrival {
                time: self.start.saturating_add(self.random_offset(spacings)),
                duration: self.duration,
                target: self.target,
            }
        }));
        self.spacings = spacings;
        self.emitted += n;
        if self.is_done() {
            end_random(rng);
        }
    }
}

/// Draws Eₙ₊₁ after a row's last request, so that the stream moves on past every draw
/// of the row.
fn end_random(rng: &mut RngStream) {
    let _: f64 = Exp1.sample(rng);
}

/// The sum of the next `n` exponential draws, added in draw order (as
/// [`Pending::next_time`] adds them again, so the sums agree to the last bit).
fn spacing_sum(rng: &mut RngStream, n: u64) -> f64 {
    (0..n).fold(0.0, |sum, _| {
        let spacing: f64 = Exp1.sample(rng);
        sum + spacing
    })
}
