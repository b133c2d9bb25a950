//! Poisson arrivals: independent requests at a constant mean rate.

use super::Window;
use lambdasim_engine::{Nanos, RngStream, secs_to_nanos};
use lambdasim_model::{Arrival, ArrivalSource, SourceError};

/// Exponential gaps drawn one at a time; the clock is kept in integer nanoseconds so
/// a long run accumulates no floating-point drift.
pub(crate) struct PoissonSource {
    rng: RngStream,
    rate: f64,
    now: Nanos,
    window: Window,
}

impl PoissonSource {
    /// `rate` requests per second (0 gives none) inside `window`.
    pub(crate) fn new(rng: RngStream, rate: f64, window: Window) -> Self {
        Self {
            rng,
            rate,
            now: window.start,
            window,
        }
    }
}

impl ArrivalSource for PoissonSource {
    fn next_arrival(&mut self) -> Result<Option<Arrival>, SourceError> {
        if self.rate <= 0.0 || self.now >= self.window.end {
            return Ok(None);
        }
        let gap = -self.rng.open01().ln() / self.rate;
        self.now = self.now.saturating_add(secs_to_nanos(gap));
        if self.now >= self.window.end {
            return Ok(None);
        }
        Ok(Some(Arrival {
            time: self.now,
            duration: None,
            target: 0,
        }))
    }
}
