//! Evenly spaced arrivals.

use super::Window;
use lambdasim_engine::{Nanos, secs_to_nanos};
use lambdasim_model::{Arrival, ArrivalSource, SourceError};

/// The k-th arrival is at `start + k / rate`, computed from k each time rather than by
/// adding gaps, so spacing stays exact however long the window.
pub(crate) struct ConstantSource {
    rate: f64,
    next_index: u64,
    window: Window,
}

impl ConstantSource {
    /// `rate` requests per second (0 gives none); the first arrives at the window start.
    pub(crate) fn new(rate: f64, window: Window) -> Self {
        Self {
            rate,
            next_index: 0,
            window,
        }
    }

    fn time_of(&self, index: u64) -> Nanos {
        self.window
            .start
            .saturating_add(secs_to_nanos(index as f64 / self.rate))
    }
}

impl ArrivalSource for ConstantSource {
    fn next_arrival(&mut self) -> Result<Option<Arrival>, SourceError> {
        if self.rate <= 0.0 {
            return Ok(None);
        }
        let time = self.time_of(self.next_index);
        if time >= self.window.end {
            return Ok(None);
        }
        self.next_index += 1;
        Ok(Some(Arrival {
            time,
            duration: None,
            target: 0,
        }))
    }
}
