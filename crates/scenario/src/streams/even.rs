//! Evenly spaced arrivals that follow a [`Shape`] (`arrivals: even`).
//!
//! Request k (counting from 0) arrives when the expected number of requests since the
//! window start, the integral of the rate, reaches k + ½. A window therefore gets its
//! expected count rounded to the nearest whole number, and a rate that starts at 0
//! gets no request at the very start. Each request costs one closed-form (or, for the
//! cosine, a few Newton steps) inversion of the integral on the current piece: O(1).

use super::Window;
use super::shapes::{Piece, Shape};
use lambdasim_engine::secs_to_nanos;
use lambdasim_model::{Arrival, ArrivalSource, SourceError};

/// Walks the pieces, carrying the part of a request's worth of rate not yet reached.
pub(crate) struct EvenSource {
    shape: Shape,
    window: Window,
    piece: Piece,
    /// The integral, from the current piece's start, at which the next request arrives.
    need: f64,
}

impl EvenSource {
    /// Arrivals at `shape`'s rate inside `window`.
    pub(crate) fn new(shape: Shape, window: Window) -> Self {
        Self {
            piece: shape.piece_at(window.start),
            shape,
            window,
            need: 0.5,
        }
    }
}

impl ArrivalSource for EvenSource {
    fn next_arrival(&mut self) -> Result<Option<Arrival>, SourceError> {
        loop {
            let width = self.piece.width(self.window.end);
            if let Some(x) = self.piece.solve(self.need, width) {
                self.need += 1.0;
                let time = self.piece.start.saturating_add(secs_to_nanos(x));
                return Ok((time < self.window.end).then_some(Arrival {
                    time,
                    duration: None,
                    target: 0,
                }));
            }
            if self.piece.end >= self.window.end {
                return Ok(None);
            }
            self.need -= self.piece.integral(width);
            self.piece = self.shape.piece_at(self.piece.end);
        }
    }
}
