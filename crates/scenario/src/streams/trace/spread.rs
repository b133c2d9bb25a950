//! Spreading one trace row's requests over its interval: uniformly at random (the
//! default) or evenly.

use lambdasim_engine::{Nanos, RngStream};
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
    /// For a random spread, the previous request's place in `[0, 1)`.
    position: f64,
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
            position: 0.0,
        }
    }

    /// The next request's time (the caller checks that requests remain).
    ///
    /// Random: the smallest of the r remaining uniforms on `[position, 1)` is at
    /// `position + (1 − position)·(1 − V^(1/r))`, so sorted uniform times come one at a
    /// time in O(1) each, with exactly the distribution of n sorted uniforms. With
    /// `V = e^(−E)`, E exponential, `1 − V^(1/r) = −expm1(−E/r)`: a ziggurat draw and
    /// one `expm1` instead of a uniform and a `powf`, which cost twice as much.
    pub(super) fn next_time(&mut self, spread: Spread, rng: &mut RngStream) -> Nanos {
        let offset = match spread {
            _ if self.width == 0 => 0,
            Spread::Even => {
                let offset =
                    u128::from(self.width) * u128::from(self.emitted) / u128::from(self.total);
                offset as Nanos
            }
            Spread::Random => {
                let remaining = (self.total - self.emitted) as f64;
                let e: f64 = Exp1.sample(rng);
                let smallest = -(-e / remaining).exp_m1();
                self.position += (1.0 - self.position) * smallest;
                let offset = (self.position * self.width as f64) as Nanos;
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
}
