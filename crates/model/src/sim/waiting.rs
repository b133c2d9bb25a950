//! Asynchronous events waiting behind a full pool, tried without a timer each.
//!
//! Every throttled event of a function tries again on one [`Schedule`] from its
//! arrival (`backlog.rs`). Those tries change nothing while the function has no
//! room: they are throttles, counted in bulk from the schedule. So the function is
//! either *awake* — its earliest next try is due at [`Waiting::due`] and is made like
//! any try — or *suspended* after a failed one, until something frees room for it:
//! one of its environments becomes free or idle (`occupy`), the unreserved pool frees
//! a unit (for a function without reserved concurrency), its share of the pools
//! changes (`update_claim`), or a scaling token comes (`wake_at`). While suspended,
//! only drops are due: an event whose final try fails is dropped at that try.
//!
//! Tries of waiting events come after everything else at their nanosecond, function
//! by function, and within a function in arrival order (`docs/model.md`, "Time and
//! events"). Throttles by reason: tries counted in bulk take the reason of the last
//! failed try; when a function suspended for a scaling token loses its room as well,
//! the reason changes there (`recheck_reasons`).
//!
//! The cost of an event is a few searches when it is served or dropped; while it
//! waits it is 8 bytes (16 with a duration from a trace) and a bit.

use super::backlog::{Backlog, Schedule};
use super::pending::Pending;
use super::*;

/// One function's waiting events and when they next need the model.
pub(super) struct Waiting {
    pub(super) backlog: Backlog,
    pub(super) schedule: Schedule,
    /// When [`Simulation::waiting_now`] must run for this function (`Nanos::MAX`:
    /// never): the next try when awake, else the next drop or `wake_at`.
    pub(super) due: Nanos,
    pub(super) suspended: bool,
    /// Why the last try failed: the reason of the tries counted in bulk.
    pub(super) reason: Reason,
    /// Suspended for a scaling token: when the next one comes.
    pub(super) wake_at: Nanos,
    /// Tries before this time are counted.
    pub(super) counted_to: Nanos,
    /// The event whose try failed, and when: a wake-up at that nanosecond must not
    /// try it (or those before it) again.
    failed: Option<(Nanos, usize)>,
    /// Where each try's window of arrivals started at the last search.
    starts: Vec<usize>,
}

impl Waiting {
    pub(super) fn new(max_event_age: Nanos) -> Self {
        Self {
            backlog: Backlog::default(),
            schedule: Schedule::new(max_event_age),
            due: Nanos::MAX,
            suspended: false,
            reason: Reason::ReservedLimit,
            wake_at: Nanos::MAX,
            counted_to: 0,
            failed: None,
            starts: Vec::new(),
        }
    }

    /// The earliest try at `now` or later, as (time, position), the earliest arrival
    /// first among tries at one nanosecond.
    fn next_try(&mut self, now: Nanos) -> Option<(Nanos, usize)> {
        let oldest = self.backlog.arrival(self.backlog.first_from(0)?);
        let mut best: Option<(Nanos, usize)> = None;
        // The k-th try is the next of the events that arrived in
        // [now - offset(k), now - offset(k - 1)): a window of arrivals per try.
        let mut end = self.backlog.positions();
        for k in 1..=self.schedule.retries() {
            let (near, far) = (self.schedule.offset(k - 1), self.schedule.offset(k));
            if k > 1 && (now < near || now - near <= oldest) {
                break;
            }
            let start = self.window_start(k, now.saturating_sub(far));
            let window = (start, end);
            end = start;
            if let Some(i) = self.first_in_window(window, now, far) {
                let at = (self.backlog.arrival(i) + far, i);
                if best.is_none_or(|b| at < b) {
                    best = Some(at);
                }
            }
        }
        best
    }

    /// The first position of events that arrived at `time` or later, for the k-th
    /// try's window; kept between calls, as `time` moves little.
    fn window_start(&mut self, k: usize, time: Nanos) -> usize {
        if self.starts.len() <= k {
            self.starts.resize(k + 1, 0);
        }
        let start = self.backlog.arrived_from_near(self.starts[k], time);
        self.starts[k] = start;
        start
    }

    /// The first waiting event in positions `window` whose try at `offset` after its
    /// arrival is still to come at `now`.
    fn first_in_window(
        &self,
        (start, end): (usize, usize),
        now: Nanos,
        offset: Nanos,
    ) -> Option<usize> {
        let b = &self.backlog;
        let i = b.first_from(start).filter(|&i| i < end)?;
        match self.failed {
            Some((when, failed)) if when == now && i <= failed && b.arrival(i) + offset == now => {
                // Tries at this nanosecond up to the failed one were made.
                let same = b.arrived_after(now - offset);
                b.first_from((failed + 1).min(same)).filter(|&j| j < end)
            }
            _ => Some(i),
        }
    }

    /// Tries after the first of the waiting events in `[from, to)`.
    fn tries_in(&self, from: Nanos, to: Nanos) -> u64 {
        let b = &self.backlog;
        let Some(first) = b.first_from(0) else {
            return 0;
        };
        let oldest = b.arrival(first);
        let mut n = 0;
        for k in 1..=self.schedule.retries() {
            let offset = self.schedule.offset(k);
            if to <= offset || to - offset <= oldest {
                break;
            }
            let lo = b.arrived_from(from.saturating_sub(offset));
            let hi = b.arrived_from(to - offset);
            n += b.count(lo, hi) as u64;
        }
        n
    }

    /// When the oldest waiting event makes its final try.
    fn next_drop(&self) -> Nanos {
        let b = &self.backlog;
        b.first_from(0)
            .map_or(Nanos::MAX, |i| b.arrival(i) + self.schedule.last())
    }
}

impl Simulation {
    /// Sets when `f`'s waiting events next need the model.
    fn set_due(&mut self, f: usize, time: Nanos) {
        let w = &mut self.functions[f].waiting;
        if w.due != time {
            self.waiting_due.remove(&(w.due, f as u32));
            w.due = time;
            if time != Nanos::MAX {
                self.waiting_due.insert((time, f as u32));
            }
            self.set_next_waiting();
        }
    }

    /// Reads the earliest time in `waiting_due` after a change, and the horizon.
    pub(super) fn set_next_waiting(&mut self) {
        self.next_waiting = self.waiting_due.first().map_or(Nanos::MAX, |&(t, _)| t);
        self.horizon = self.end.min(self.next_waiting.saturating_add(1));
    }

    /// The function whose waiting events are due now: its next try, its drops or
    /// its wake-up.
    pub(super) fn waiting_now(&mut self) {
        let Some((_, f)) = self.waiting_due.pop_first() else {
            return;
        };
        self.set_next_waiting();
        self.late_cursor = (self.now, f);
        let f = f as usize;
        self.functions[f].waiting.due = Nanos::MAX;
        let w = &self.functions[f].waiting;
        if w.suspended {
            if w.wake_at > self.now {
                self.drop_expired(f);
                self.set_suspended_due(f);
                return;
            }
            self.resume(f);
        }
        self.try_next(f);
    }

    /// Makes the tries due now, in order, until one fails or none is left; then
    /// waits for the next.
    fn try_next(&mut self, f: usize) {
        while let Some((time, i)) = self.functions[f].waiting.next_try(self.now) {
            if time > self.now {
                self.set_due(f, time);
                return;
            }
            if !self.try_waiting(f, i) {
                self.set_suspended_due(f);
                return;
            }
        }
    }

    /// The waiting event at `i` tries now: served, or `f` is suspended (and the
    /// event dropped if that was its final try). Returns whether it was served.
    fn try_waiting(&mut self, f: usize, i: usize) -> bool {
        let w = &mut self.functions[f].waiting;
        let arrival = w.backlog.arrival(i);
        let k = w.schedule.try_at(arrival, self.now).expect("a try now");
        // Out of the backlog while it runs, so that no count of the others
        // includes it.
        let duration = w.backlog.remove(i);
        let id = self
            .pending
            .insert(Pending::waited(f, arrival, k as u32, duration));
        match self.serve(f, duration, id) {
            Ok(()) => {
                self.count_tries_before(f, arrival, false);
                let m = &mut self.functions[f].metrics;
                m.queue_depth.down();
                m.record_age(self.now - arrival);
                true
            }
            Err(reason) => {
                self.pending.remove(id);
                let w = &mut self.functions[f].waiting;
                w.backlog.restore(i);
                w.failed = Some((self.now, i));
                self.note_failure(f, reason);
                if k == self.functions[f].waiting.schedule.retries() {
                    self.drop_waiting(f, i);
                }
                false
            }
        }
    }

    /// An asynchronous event's first try failed for `reason`: it waits.
    pub(super) fn wait(&mut self, f: usize, duration: Option<Nanos>, reason: Reason) {
        let w = &mut self.functions[f].waiting;
        if w.backlog.is_empty() {
            w.counted_to = self.now;
        }
        // A newer event changes neither the next drop nor, once suspended, the
        // wake-up: the due time stays.
        let unchanged = (w.suspended && !w.backlog.is_empty(), w.wake_at);
        self.note_failure(f, reason);
        let now = self.now;
        let w = &mut self.functions[f].waiting;
        if w.failed.is_none_or(|(when, _)| when != now) {
            w.failed = None;
            if w.backlog.compact_if_sparse() {
                w.starts.clear();
            }
        }
        w.backlog.push(self.now, duration);
        if unchanged != (true, w.wake_at) {
            self.set_suspended_due(f);
        }
    }

    /// A try of `f` failed now for `reason` (a waiting event's, or another's: the
    /// state is the same for all): tries counted in bulk so far keep the old reason,
    /// and the function waits for room.
    fn note_failure(&mut self, f: usize, reason: Reason) {
        // Counting waits for a change of reason (or a bucket's end): each count
        // costs a search per step of the schedule.
        if self.functions[f].waiting.reason != reason {
            self.count_waiting_tries(f, self.now);
        }
        let bucket = self.functions[f].token_bucket;
        let wake_at = match reason {
            Reason::ScalingRate => self.buckets[bucket].ready_at(self.now),
            _ => Nanos::MAX,
        };
        let w = &mut self.functions[f].waiting;
        w.reason = reason;
        w.wake_at = wake_at;
        if !w.suspended {
            w.suspended = true;
            self.suspended.push(f as u32);
        }
    }

    /// Another try of `f` (an event retried after an error) failed now: the waiting
    /// events would fail too.
    pub(super) fn waiting_throttled(&mut self, f: usize, reason: Reason) {
        if !self.functions[f].waiting.backlog.is_empty() {
            self.note_failure(f, reason);
            self.set_suspended_due(f);
        }
    }

    /// Counts the bulk tries before `to` under the current reason.
    fn count_waiting_tries(&mut self, f: usize, to: Nanos) {
        let w = &mut self.functions[f].waiting;
        let n = w.tries_in(w.counted_to, to);
        w.counted_to = to;
        let reason = w.reason;
        self.count_throttles(f, reason, n);
    }

    /// Counts the tries an event leaving the backlog made since the last count
    /// (`including_now`: its try now failed too).
    fn count_tries_before(&mut self, f: usize, arrival: Nanos, including_now: bool) {
        let w = &self.functions[f].waiting;
        let to = self.now + u64::from(including_now);
        let n = w.schedule.tries_in(arrival, w.counted_to, to);
        let reason = w.reason;
        self.count_throttles(f, reason, n);
    }

    /// Drops the waiting event at `i`, whose final try failed now.
    fn drop_waiting(&mut self, f: usize, i: usize) {
        let arrival = self.functions[f].waiting.backlog.arrival(i);
        self.count_tries_before(f, arrival, true);
        self.functions[f].waiting.backlog.remove(i);
        let m = &mut self.functions[f].metrics;
        m.queue_depth.down();
        m.bucket.async_dropped += 1;
    }

    /// Drops every event whose final try is now (they all fail: `f` is suspended).
    fn drop_expired(&mut self, f: usize) {
        loop {
            let w = &self.functions[f].waiting;
            let Some(i) = w.backlog.first_from(0) else {
                return;
            };
            if w.backlog.arrival(i) + w.schedule.last() > self.now {
                return;
            }
            self.drop_waiting(f, i);
        }
    }

    /// A suspended function next needs the model at its next drop or wake-up.
    fn set_suspended_due(&mut self, f: usize) {
        let w = &self.functions[f].waiting;
        let due = if w.backlog.is_empty() {
            self.resume(f);
            Nanos::MAX
        } else {
            w.next_drop().min(w.wake_at)
        };
        self.set_due(f, due);
    }

    /// Whether `f`'s waiting events made their tries at this nanosecond already:
    /// another function's, later in the order, are being made.
    fn tried_now(&self, f: usize) -> bool {
        self.late_cursor.0 == self.now && (f as u32) < self.late_cursor.1
    }

    /// `f` may have room again: its waiting events try from their next try on.
    pub(super) fn resume(&mut self, f: usize) {
        let w = &mut self.functions[f].waiting;
        if !w.suspended {
            return;
        }
        w.suspended = false;
        w.wake_at = Nanos::MAX;
        let at = self.suspended.iter().position(|&g| g as usize == f);
        self.suspended
            .swap_remove(at.expect("a suspended function is listed"));
        if !self.functions[f].waiting.backlog.is_empty() {
            let from = self.now + u64::from(self.tried_now(f));
            let next = self.functions[f].waiting.next_try(from);
            self.set_due(f, next.map_or(Nanos::MAX, |(t, _)| t));
        }
    }

    /// An environment left a state that occupies concurrency or holds a provisioned
    /// environment back: its function, and (on demand, without reserved concurrency)
    /// every function waiting for the unreserved pool, may have room.
    #[cold]
    #[inline(never)]
    pub(super) fn room_freed(&mut self, owner: Owner) {
        let shared = !owner.provisioned && self.functions[owner.func].reserved.is_none();
        for at in (0..self.suspended.len()).rev() {
            let f = self.suspended[at] as usize;
            if f == owner.func || (shared && self.functions[f].reserved.is_none()) {
                self.resume(f);
            }
        }
    }

    /// Room was taken: a function suspended for a scaling token that now has no
    /// room either is throttled by its concurrency limit from now on.
    #[cold]
    #[inline(never)]
    pub(super) fn recheck_reasons(&mut self) {
        let mut at = 0;
        while at < self.suspended.len() {
            let f = self.suspended[at] as usize;
            at += 1;
            if self.functions[f].waiting.reason == Reason::ScalingRate && !self.has_room(f) {
                self.count_waiting_tries(f, self.now + u64::from(self.tried_now(f)));
                let reason = self.no_room_reason(f);
                let w = &mut self.functions[f].waiting;
                w.reason = reason;
                w.wake_at = Nanos::MAX;
                self.set_suspended_due(f);
            }
        }
    }

    /// Asynchronous events not yet settled, per function: running, retried after an
    /// error, or waiting.
    pub(super) fn async_queued(&self) -> Vec<u64> {
        let mut queued = self.pending.async_by_function(self.functions.len());
        for (n, func) in queued.iter_mut().zip(&self.functions) {
            *n += func.waiting.backlog.len() as u64;
        }
        queued
    }

    /// Counts the bulk tries of every function with waiting events up to `time` (a
    /// bucket's end).
    pub(super) fn count_all_waiting_tries(&mut self, time: Nanos) {
        for f in 0..self.functions.len() {
            if !self.functions[f].waiting.backlog.is_empty() {
                self.count_waiting_tries(f, time);
            }
        }
    }
}
