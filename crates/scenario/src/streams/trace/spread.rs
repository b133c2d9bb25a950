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

/// A random-spread row of at most this many requests keeps the running sums of its
/// spacings (8 bytes each, 2 MB at most) instead of drawing every spacing twice.
const KEPT_SUMS: u64 = 1 << 18;

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
    /// Rows of up to this many requests keep their sums (`KEPT_SUMS`; a field so that
    /// tests can compare both ways).
    keep_up_to: u64,
    /// S₁ … Sₙ of a random spread's row that keeps its sums (else empty).
    sums: Vec<f64>,
}

impl Pending {
    /// A row of `total` requests; `sums` is a buffer to reuse (its contents are
    /// dropped), from the previous row's [`into_sums`](Self::into_sums).
    pub(super) fn new(start: Nanos, width: Nanos, total: u64, mut sums: Vec<f64>) -> Self {
        sums.clear();
        Self {
            start,
            width,
            total,
            emitted: 0,
            duration: None,
            target: 0,
            spacings: 0.0,
            scale: 0.0,
            keep_up_to: KEPT_SUMS,
            sums,
        }
    }

    /// The row's buffer, for the next row to reuse.
    pub(super) fn into_sums(self) -> Vec<f64> {
        self.sums
    }

    /// The next request's time (the caller checks that requests remain).
    ///
    /// Random: with E₁ … Eₙ₊₁ independent exponentials and Sₖ = E₁ + … + Eₖ, the
    /// ratios S₁/Sₙ₊₁ < … < Sₙ/Sₙ₊₁ have exactly the distribution of n sorted
    /// independent uniforms on `[0, 1)`. Sₙ₊₁ is summed first on a copy of the random
    /// stream, then the same draws are made again one request at a time: two
    /// ziggurat draws per request and memory that does not grow with n (an earlier
    /// version drew the smallest of the remaining uniforms with an `expm1` and a
    /// division per request, which cost twice as much). A row of up to `KEPT_SUMS`
    /// requests instead draws its n + 1 spacings once, at its first request, and
    /// keeps S₁ … Sₙ: the same draws in the same order, so the same times.
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
                if self.keeps_sums() {
                    self.random_offset(self.sums[self.emitted as usize])
                } else {
                    let spacing: f64 = Exp1.sample(rng);
                    self.spacings += spacing;
                    if self.emitted + 1 == self.total {
                        end_random(rng);
                    }
                    self.random_offset(self.spacings)
                }
            }
        };
        self.emitted += 1;
        self.start.saturating_add(offset)
    }

    /// Whether the row keeps S₁ … Sₙ (drawn once) rather than drawing again.
    fn keeps_sums(&self) -> bool {
        self.total <= self.keep_up_to
    }

    /// Before the row's first request: draws S₁ … Sₙ₊₁ and keeps them, or sums Sₙ₊₁
    /// on a copy of the stream for a row too long to keep.
    fn begin_random(&mut self, rng: &mut RngStream) {
        let all = if self.keeps_sums() {
            let mut sum = 0.0;
            self.sums.extend((0..self.total).map(|_| {
                let spacing: f64 = Exp1.sample(rng);
                sum += spacing;
                sum
            }));
            let last: f64 = Exp1.sample(rng);
            sum + last
        } else {
            spacing_sum(&mut rng.clone(), self.total + 1)
        };
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
        let (start, duration, target) = (self.start, self.duration, self.target);
        let arrival = |offset| Arrival {
            time: start.saturating_add(offset),
            duration,
            target,
        };
        if self.keeps_sums() {
            let from = self.emitted as usize;
            let sums = &self.sums[from..from + n as usize];
            out.extend(sums.iter().map(|&sum| arrival(self.random_offset(sum))));
            self.emitted += n;
            return;
        }
        let mut spacings = self.spacings;
        out.extend((0..n).map(|_| {
            let spacing: f64 = Exp1.sample(rng);
            spacings += spacing;
            arrival(self.random_offset(spacings))
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

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_engine::StreamKey;

    /// Two rows of `n` random-spread requests, one at a time or in batches of
    /// `batch`, keeping sums or drawing twice: their times, then the stream's next draw.
    fn rows(n: u64, keep: bool, batch: Option<usize>) -> (Vec<Nanos>, u64) {
        let mut rng = RngStream::new(3, &StreamKey::new(["spread"]));
        let mut times = Vec::new();
        for row in 0..2 {
            let mut pending = Pending::new(row * 1_000_000, 1_000_000, n, Vec::new());
            pending.keep_up_to = if keep { u64::MAX } else { 0 };
            let mut out = Vec::new();
            while !pending.is_done() {
                match batch {
                    Some(max) => {
                        let until = out.len() + max;
                        pending.emit(Spread::Random, &mut rng, &mut out, until);
                    }
                    None => times.push(pending.next_time(Spread::Random, &mut rng)),
                }
            }
            times.extend(out.iter().map(|a| a.time));
        }
        let next: f64 = Exp1.sample(&mut rng);
        (times, next.to_bits())
    }

    #[test]
    fn kept_sums_give_the_times_and_draws_of_drawing_twice() {
        for batch in [None, Some(1), Some(7), Some(1000)] {
            let kept = rows(500, true, batch);
            assert_eq!(kept, rows(500, false, batch), "batches {batch:?}");
            assert_eq!(kept, rows(500, false, None), "batches {batch:?}");
            assert_eq!(kept.0.len(), 1000);
            assert!(kept.0.windows(2).all(|w| w[0] <= w[1]));
        }
    }
}
