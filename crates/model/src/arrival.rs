//! Arrival streams: how traffic enters the model.
//!
//! Each stream yields its requests one at a time in time order and keeps only its next
//! arrival pending, so memory never grows with the number of requests. The scenario
//! crate implements the generators and trace readers.

use lambdasim_engine::Nanos;

/// One request arriving at a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arrival {
    /// When it arrives.
    pub time: Nanos,
    /// This request's Invoke duration, overriding the function's distribution
    /// (per-request traces with a `duration_ms` column).
    pub duration: Option<Nanos>,
    /// Which of the stream's target functions it goes to (index into
    /// [`Traffic::targets`](crate::Traffic::targets)); 0 for single-function streams.
    pub target: u32,
}

/// A stream read while the run goes on failed (a malformed trace line, say).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SourceError {
    /// What went wrong and where (file and line), for the user.
    pub message: String,
}

/// A time-ordered stream of arrivals.
pub trait ArrivalSource: Send {
    /// The next arrival, `Ok(None)` when the stream is exhausted. Times must never
    /// decrease; the model stops reading at the end of the simulated span.
    fn next_arrival(&mut self) -> Result<Option<Arrival>, SourceError>;

    /// Appends up to `max` next arrivals to `out` (fewer only when the stream ends).
    ///
    /// The model reads arrivals in small batches through this method: the default
    /// body is compiled for each source, so `next_arrival` is called directly and can
    /// be inlined, instead of through a virtual call per arrival.
    fn next_batch(&mut self, out: &mut Vec<Arrival>, max: usize) -> Result<(), SourceError> {
        for _ in 0..max {
            match self.next_arrival()? {
                Some(arrival) => out.push(arrival),
                None => break,
            }
        }
        Ok(())
    }
}
