//! A burst: many requests at one instant.

use lambdasim_engine::Nanos;
use lambdasim_model::{Arrival, ArrivalSource, SourceError};

/// `remaining` requests, all at `at`.
pub(crate) struct BurstSource {
    at: Nanos,
    remaining: u64,
}

impl BurstSource {
    /// The caller has checked that `at` lies inside the stream's window.
    pub(crate) fn new(at: Nanos, requests: u64) -> Self {
        Self {
            at,
            remaining: requests,
        }
    }
}

impl ArrivalSource for BurstSource {
    fn next_arrival(&mut self) -> Result<Option<Arrival>, SourceError> {
        if self.remaining == 0 {
            return Ok(None);
        }
        self.remaining -= 1;
        Ok(Some(Arrival {
            time: self.at,
            duration: None,
            target: 0,
        }))
    }
}
