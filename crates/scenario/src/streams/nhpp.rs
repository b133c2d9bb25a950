//! Poisson arrivals whose rate follows a [`Shape`]: a non-homogeneous Poisson process,
//! by thinning piece by piece.
//!
//! On each piece, candidates come at the piece's highest rate and each is kept with
//! probability rate/highest. Because Poisson gaps are memoryless, restarting at every
//! piece boundary is exact. The bound is local to the piece, so a 10x spike elsewhere
//! does not make the baseline draw 10x the candidates: every piece keeps at least half
//! of its candidates on average, and the cost per arrival is O(1). On a flat piece
//! every candidate is kept without a draw, which makes a flat shape exactly the
//! constant-rate Poisson stream.

use super::Window;
use super::shapes::{Piece, Shape};
use lambdasim_engine::{NANOS_PER_SEC, Nanos, RngStream, nanos_to_secs};
use lambdasim_model::{Arrival, ArrivalSource, SourceError};
use rand_distr::{Distribution, Exp1};

/// Exponential gaps at the piece's bound, on an integer-nanosecond clock so a long run
/// accumulates no drift.
pub(crate) struct NhppSource {
    rng: RngStream,
    shape: Shape,
    window: Window,
    now: Nanos,
    piece: Piece,
    /// The piece's highest rate inside the window.
    bound: f64,
    /// Mean gap between candidates in nanoseconds (1 / bound), kept to avoid a
    /// division per candidate.
    mean_gap_ns: f64,
}

impl NhppSource {
    /// Arrivals at `shape`'s rate inside `window`.
    pub(crate) fn new(rng: RngStream, shape: Shape, window: Window) -> Self {
        let mut source = Self {
            rng,
            piece: shape.piece_at(window.start),
            shape,
            window,
            now: window.start,
            bound: 0.0,
            mean_gap_ns: 0.0,
        };
        source.set_bound();
        source
    }

    fn set_bound(&mut self) {
        self.bound = self.piece_bound();
        self.mean_gap_ns = NANOS_PER_SEC as f64 / self.bound;
    }

    fn piece_bound(&self) -> f64 {
        self.piece.bound(self.piece.width(self.window.end))
    }

    /// The next candidate on the current piece, or `None` after moving to the next
    /// piece.
    fn candidate(&mut self) -> Option<Nanos> {
        let end = self.piece.end.min(self.window.end);
        if self.bound > 0.0 {
            let time = self.after_gap();
            if time < end {
                self.now = time;
                return Some(time);
            }
        }
        self.next_piece(end);
        None
    }

    /// The time one exponential gap at the piece's bound after `now` (ziggurat
    /// sampling, cheaper than a logarithm); `as` saturates, so a huge gap cannot wrap
    /// the clock.
    #[inline]
    fn after_gap(&mut self) -> Nanos {
        let gap: f64 = Exp1.sample(&mut self.rng);
        self.now.saturating_add((gap * self.mean_gap_ns) as Nanos)
    }

    /// Moves to the piece starting at `end` (the current piece's end inside the window).
    fn next_piece(&mut self, end: Nanos) {
        self.now = end;
        if end < self.window.end {
            self.piece = self.shape.piece_at(end);
            self.set_bound();
        }
    }

    /// Appends the piece's arrivals until `out` holds `max` or the piece ends: the
    /// same draws as [`Self::candidate`] and [`Self::keep`] one arrival at a time, in a
    /// loop of their own. `THIN` is whether the piece is sloped (its candidates thinned)
    /// rather than flat (every candidate kept without a draw), fixed per loop so that
    /// the flat loop, every constant-rate stream's, carries no test for it.
    fn piece_run<const THIN: bool>(&mut self, out: &mut Vec<Arrival>, max: usize) {
        let end = self.piece.end.min(self.window.end);
        while out.len() < max {
            let time = self.after_gap();
            if time >= end {
                self.next_piece(end);
                return;
            }
            self.now = time;
            if !THIN || self.thin(time) {
                out.push(Arrival {
                    time,
                    duration: None,
                    target: 0,
                });
            }
        }
    }

    fn keep(&mut self, time: Nanos) -> bool {
        self.piece.is_flat() || self.thin(time)
    }

    /// The thinning draw of a sloped piece's candidate: kept with probability
    /// rate/bound.
    fn thin(&mut self, time: Nanos) -> bool {
        let rate = self.piece.rate(nanos_to_secs(time - self.piece.start));
        self.rng.open01() * self.bound < rate
    }
}

impl ArrivalSource for NhppSource {
    fn next_arrival(&mut self) -> Result<Option<Arrival>, SourceError> {
        while self.now < self.window.end {
            if let Some(time) = self.candidate()
                && self.keep(time)
            {
                return Ok(Some(Arrival {
                    time,
                    duration: None,
                    target: 0,
                }));
            }
        }
        Ok(None)
    }

    /// The whole batch at once: a piece with arrivals (a flat one for every
    /// constant-rate `poisson` stream) runs in a loop of candidates; a silent piece goes
    /// through `next_arrival`.
    fn next_batch(&mut self, out: &mut Vec<Arrival>, max: usize) -> Result<(), SourceError> {
        let max = out.len() + max;
        while out.len() < max && self.now < self.window.end {
            if self.bound > 0.0 {
                if self.piece.is_flat() {
                    self.piece_run::<false>(out, max);
                } else {
                    self.piece_run::<true>(out, max);
                }
            } else if let Some(arrival) = self.next_arrival()? {
                out.push(arrival);
            }
        }
        Ok(())
    }
}
