//! Arrival streams: each keeps only its next arrival in the agenda, read ahead in
//! batches from its source.

use super::*;

pub(super) struct Stream {
    targets: Vec<usize>,
    source: Box<dyn ArrivalSource>,
    /// Arrivals read ahead, at most `READ_AHEAD`, their `target` already the index of
    /// the function (see [`Self::refill`]); `ahead[pos]` is the next after the pending.
    ahead: Vec<Arrival>,
    pos: usize,
    /// The source has no more arrivals.
    exhausted: bool,
    /// The arrival in the agenda, copied out of `ahead` when the stream moved to it:
    /// handling it then reads this struct only, not the buffer and the target list
    /// too (with a hundred streams taking turns, each of those a cache miss).
    pub(super) pending: Arrival,
}

/// Arrivals read from a source at once: enough to amortise the virtual call, few enough
/// that memory stays constant.
const READ_AHEAD: usize = 64;

impl Stream {
    /// A stream of `traffic` with nothing read yet.
    pub(super) fn new(traffic: Traffic) -> Self {
        Self {
            targets: traffic.targets,
            source: traffic.source,
            ahead: Vec::with_capacity(READ_AHEAD),
            pos: 0,
            exhausted: false,
            pending: Arrival {
                time: 0,
                duration: None,
                target: 0,
            },
        }
    }

    /// Moves to the stream's next arrival and returns its time (the whole arrival is
    /// kept in [`pending`](Self::pending) for when it is handled), reading a batch
    /// ahead when the buffer is used up; `None` when the source has no more.
    #[inline]
    pub(super) fn advance(&mut self) -> Result<Option<Nanos>, SourceError> {
        if self.pos == self.ahead.len() {
            self.refill()?;
        }
        let Some(&next) = self.ahead.get(self.pos) else {
            return Ok(None);
        };
        self.pending = next;
        self.pos += 1;
        Ok(Some(next.time))
    }

    /// Reads the next batch, checking that every arrival goes to a known target and
    /// replacing the target by its function's index. Once every `READ_AHEAD` arrivals:
    /// kept out of line so that `advance` stays small.
    #[cold]
    #[inline(never)]
    fn refill(&mut self) -> Result<(), SourceError> {
        self.ahead.clear();
        self.pos = 0;
        if self.exhausted {
            return Ok(());
        }
        self.source.next_batch(&mut self.ahead, READ_AHEAD)?;
        self.exhausted = self.ahead.len() < READ_AHEAD;
        for a in &mut self.ahead {
            let Some(&f) = self.targets.get(a.target as usize) else {
                return Err(SourceError {
                    message: format!("arrival routed to unknown target {}", a.target),
                });
            };
            a.target = f as u32;
        }
        Ok(())
    }
}

impl Simulation {
    /// Reads a stream's next arrival and schedules it, unless the stream is done or
    /// past the end of the run.
    pub(super) fn pull_arrival(&mut self, s: usize) -> Result<(), SourceError> {
        if let Some(time) = self.next_arrival(s)? {
            self.queue.schedule_stream(time, s as u32);
        }
        Ok(())
    }

    /// Moves a stream to its next arrival and returns its time, or `None` when the
    /// stream is done or past the end of the run.
    #[inline(always)]
    pub(super) fn next_arrival(&mut self, s: usize) -> Result<Option<Nanos>, SourceError> {
        Ok(self.streams[s]
            .advance()?
            .filter(|&time| time < self.end)
            .map(|time| time.max(self.now)))
    }

    /// Handles the arrival at the top of the agenda, which stays the earliest while it
    /// is handled (everything it schedules comes later), then replaces it in place by
    /// the stream's next arrival.
    pub(super) fn arrival(&mut self, s: usize) -> Result<(), SourceError> {
        let arrival = self.streams[s].pending;
        self.arrive(arrival.target as usize, arrival.duration);
        match self.next_arrival(s)? {
            Some(time) => self.queue.reschedule_stream(time, s as u32),
            None => self.queue.end_stream(),
        }
        Ok(())
    }
}
