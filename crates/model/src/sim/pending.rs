//! Requests waiting for another try, one at a time: asynchronous events running or
//! retried after a function error, and synchronous requests whose caller retries a
//! throttle. (Asynchronous events waiting after a throttle are kept in bulk: see
//! `waiting.rs`.)
//!
//! Asynchronous events are retried after a throttle with exponential backoff from 1 s
//! to 5 min, and after a function error up to `retry_attempts` times, 1 and 2 minutes
//! apart; an event older than `max_event_age` is dropped (`docs/model.md`,
//! "Asynchronous invocation"). Nothing is lost silently: every event received has
//! succeeded, been dropped, or is still queued at the end.

use super::backlog::backoff;
use super::ids::{FnIdx, PendingId};
use super::{Event, Reason, Simulation};
use crate::config::InvocationType;
use lambdasim_engine::{NANOS_PER_SEC, Nanos};
use rand::RngExt;

/// Wait before the n-th retry after a function error: 1 min, then 2 min.
const ERROR_RETRY_STEP: Nanos = 60 * NANOS_PER_SEC;

/// A request waiting for another try.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pending {
    function: FnIdx,
    enqueued: Nanos,
    /// Throttled tries so far (async backoff), or retries sent (client).
    attempt: u32,
    /// Function errors so far (async).
    errors: u32,
    duration: Option<Nanos>,
    /// An asynchronous event (retried by Lambda), or a synchronous request (retried
    /// by its client).
    invocation: InvocationType,
}

impl Pending {
    /// A waiting asynchronous event of function `f` that arrived at `arrival`, about
    /// to make its try after `throttles` throttles.
    pub(super) fn waited(
        f: usize,
        arrival: Nanos,
        throttles: u32,
        duration: Option<Nanos>,
    ) -> Self {
        Self {
            function: FnIdx::new(f),
            enqueued: arrival,
            attempt: throttles,
            errors: 0,
            duration,
            invocation: InvocationType::Async,
        }
    }
}

impl Pending {
    /// A batch of an event source mapping of function `f` (`Sqs` or `Stream`),
    /// invoked at `now`: its messages or records are kept by the mapping (see
    /// `sqs.rs`, `shards.rs`).
    pub(super) fn batch(f: usize, now: Nanos, invocation: InvocationType) -> Self {
        Self {
            function: FnIdx::new(f),
            enqueued: now,
            attempt: 0,
            errors: 0,
            duration: None,
            invocation,
        }
    }
}

/// Slot storage for waiting requests; slots are reused.
#[derive(Default)]
pub(crate) struct PendingSlab {
    items: Vec<Pending>,
    live: Vec<bool>,
    free: Vec<PendingId>,
}

impl PendingSlab {
    pub(super) fn insert(&mut self, item: Pending) -> PendingId {
        match self.free.pop() {
            Some(id) => {
                self.items[id.index()] = item;
                self.live[id.index()] = true;
                id
            }
            None => {
                self.items.push(item);
                self.live.push(true);
                PendingId::new(self.items.len() - 1)
            }
        }
    }

    pub(super) fn remove(&mut self, id: PendingId) -> Pending {
        self.live[id.index()] = false;
        self.free.push(id);
        self.items[id.index()]
    }

    /// Asynchronous events not yet settled, per function: the queue at the end.
    pub(crate) fn async_by_function(&self, functions: usize) -> Vec<u64> {
        let mut counts = vec![0; functions];
        for (item, &live) in self.items.iter().zip(&self.live) {
            if live && item.invocation == InvocationType::Async {
                counts[item.function.index()] += 1;
            }
        }
        counts
    }
}

impl Simulation {
    /// A synchronous request (`attempt` > 0: a client's retry). Inlined into its
    /// callers, the throttle out of line: one call less on every request.
    #[inline(always)]
    pub(super) fn request_sync(&mut self, f: usize, duration: Option<Nanos>, attempt: u32) {
        self.functions[f].metrics.bucket.requests += 1;
        if self.functions[f].behind_front_door && !self.through_front_door(f) {
            self.throttled(f, duration, attempt, Reason::Gateway);
            return;
        }
        if let Err(reason) = self.serve(f, duration, PendingId::NONE) {
            self.throttled(f, duration, attempt, reason);
        }
    }

    /// A synchronous request was throttled: counted, then retried by its client after
    /// a backoff, if the function's client retries and has attempts left.
    #[cold]
    #[inline(never)]
    fn throttled(&mut self, f: usize, duration: Option<Nanos>, attempt: u32, reason: Reason) {
        self.count_throttle(f, reason);
        let Some(retries) = self.config.functions[f].client_retries else {
            return;
        };
        if attempt >= retries.attempts {
            self.functions[f].metrics.bucket.client_gave_up += 1;
            return;
        }
        // Full jitter: uniform(0, base × 2^attempt).
        let ceiling = retries.base.saturating_mul(1u64 << attempt.min(40));
        let wait = self.functions[f].rng_errors.random_range(0..=ceiling);
        let id = self.pending.insert(Pending {
            function: FnIdx::new(f),
            enqueued: self.now,
            attempt: attempt + 1,
            errors: 0,
            duration,
            invocation: InvocationType::Sync,
        });
        self.queue
            .schedule(self.now.saturating_add(wait), Event::Retry(id));
    }

    /// An asynchronous event enters the function's queue and is tried at once; if
    /// throttled, it waits with the others.
    pub(super) fn enqueue_async(&mut self, f: usize, duration: Option<Nanos>) {
        let m = &mut self.functions[f].metrics;
        m.bucket.requests += 1;
        m.bucket.async_received += 1;
        m.queue_depth.up();
        let id = self
            .pending
            .insert(Pending::waited(f, self.now, 0, duration));
        if let Err(reason) = self.serve(f, duration, id) {
            self.pending.remove(id);
            self.count_throttle(f, reason);
            // Reserved concurrency 0 will never admit it (docs/model.md).
            if self.functions[f].reserved == Some(0)
                || self.functions[f].waiting.schedule.retries() == 0
            {
                let m = &mut self.functions[f].metrics;
                m.queue_depth.down();
                m.bucket.async_dropped += 1;
            } else {
                self.wait(f, duration, reason);
            }
        } else {
            let m = &mut self.functions[f].metrics;
            m.queue_depth.down();
            m.record_age(0);
        }
    }

    /// A waiting request's time has come.
    pub(super) fn retry(&mut self, id: PendingId) {
        let item = self.pending.items[id.index()];
        match item.invocation {
            InvocationType::Async => self.try_async(id),
            InvocationType::Sqs | InvocationType::Stream => {
                unreachable!("a mapping's batch is never scheduled for a retry")
            }
            InvocationType::Sync => {
                self.pending.remove(id);
                let f = item.function.index();
                self.functions[f].metrics.bucket.client_retries += 1;
                self.request_sync(f, item.duration, item.attempt);
            }
        }
    }

    /// Tries again an event retried after a function error; a throttle sends it back
    /// with backoff.
    fn try_async(&mut self, id: PendingId) {
        let item = self.pending.items[id.index()];
        let f = item.function.index();
        match self.serve(f, item.duration, id) {
            Ok(()) => {
                let m = &mut self.functions[f].metrics;
                m.queue_depth.down();
                m.record_age(self.now - item.enqueued);
            }
            Err(reason) => {
                self.count_throttle(f, reason);
                self.waiting_throttled(f, reason);
                self.pending.items[id.index()].attempt += 1;
                self.later(id, backoff(item.attempt), false);
            }
        }
    }

    /// Schedules an event's next try after `wait`, or drops it when that would be past
    /// its maximum age.
    fn later(&mut self, id: PendingId, wait: Nanos, after_error: bool) {
        let item = self.pending.items[id.index()];
        let f = item.function.index();
        let max_age = self.config.functions[f].async_config.max_event_age;
        if self.now.saturating_add(wait) - item.enqueued > max_age {
            self.drop_event(id, after_error);
            return;
        }
        self.queue
            .schedule(self.now.saturating_add(wait), Event::Retry(id));
    }

    /// Drops a queued event, counted in `AsyncEventsDropped` (docs/model.md).
    fn drop_event(&mut self, id: PendingId, after_error: bool) {
        let f = self.pending.items[id.index()].function.index();
        self.pending.remove(id);
        let m = &mut self.functions[f].metrics;
        m.queue_depth.down();
        m.bucket.async_dropped += 1;
        m.bucket.async_dropped_after_errors += u64::from(after_error);
    }

    /// An asynchronous event's (or a mapping's batch's) invocation ended: done,
    /// retried after an error, or dropped when its retries are used up.
    pub(super) fn settle(&mut self, id: PendingId, failed: bool) {
        let item = self.pending.items[id.index()];
        let f = item.function.index();
        match item.invocation {
            InvocationType::Sqs => {
                self.pending.remove(id);
                self.sqs_batch_done(f, id, failed, item.enqueued);
                return;
            }
            InvocationType::Stream => {
                self.pending.remove(id);
                self.stream_batch_done(f, id, failed);
                return;
            }
            InvocationType::Sync | InvocationType::Async => {}
        }
        let retries = self.config.functions[f].async_config.retry_attempts;
        if !failed {
            self.pending.remove(id);
            self.functions[f].metrics.bucket.async_succeeded += 1;
            return;
        }
        let m = &mut self.functions[f].metrics;
        if item.errors >= retries {
            self.pending.remove(id);
            m.bucket.async_dropped += 1;
            m.bucket.async_dropped_after_errors += 1;
            return;
        }
        m.queue_depth.up();
        self.pending.items[id.index()].errors += 1;
        self.later(id, ERROR_RETRY_STEP * u64::from(item.errors + 1), true);
    }
}
