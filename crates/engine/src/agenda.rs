//! The agenda: scheduled events and the next arrival of every traffic stream, read as
//! one time-ordered queue.
//!
//! A stream always has exactly one pending arrival, handled first and replaced at once
//! by the stream's next one. Keeping those arrivals in a tournament tree of their own
//! (one leaf per stream; `tournament.rs`) means that the churn of arrivals never goes
//! through the queue of scheduled events; the two are merged at each step by comparing
//! their earliest keys. Both draw sequence numbers from one counter, so the order is
//! exactly (time, scheduling order) over everything, as if there were one queue.

use crate::queue::{EventQueue, Sequence, pack, slot_of, time_of};
use crate::time::Nanos;
use crate::tournament::Tournament;

/// What is due next: a scheduled event, or the pending arrival of a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due<E> {
    /// A scheduled event, still in the queue: take it out with
    /// [`Agenda::pop_event`] once handled.
    Event(E),
    /// The pending arrival of the stream with this number (as given to
    /// [`Agenda::schedule_stream`]): read the stream's arrival, then
    /// [`Agenda::reschedule_stream`] to its next one or [`Agenda::end_stream`].
    Stream(u32),
}

/// A min-priority queue of events and stream arrivals keyed by (time, scheduling
/// order). Nothing may be scheduled before the last item handled.
pub struct Agenda<E> {
    events: EventQueue<E>,
    streams: Tournament,
    seq: Sequence,
}

impl<E: Copy> Default for Agenda<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> Agenda<E> {
    /// An empty agenda.
    pub fn new() -> Self {
        Self {
            events: EventQueue::new(),
            streams: Tournament::default(),
            seq: Sequence::default(),
        }
    }

    /// Schedules `event` at `time`.
    #[inline]
    pub fn schedule(&mut self, time: Nanos, event: E) {
        let seq = self.seq.take();
        self.events.insert(time, seq, event);
    }

    /// Schedules the first pending arrival of `stream` at `time`. Streams are numbered
    /// from 0; memory follows the largest number.
    pub fn schedule_stream(&mut self, time: Nanos, stream: u32) {
        let seq = self.seq.take();
        self.streams.insert(stream, time, seq);
    }

    /// The earliest item and its time, left in place: handle it, then call
    /// [`pop_event`](Self::pop_event) for an event, or
    /// [`reschedule_stream`](Self::reschedule_stream) or [`end_stream`](Self::end_stream)
    /// for a stream.
    #[inline]
    pub fn peek(&mut self) -> Option<(Nanos, Due<E>)> {
        // The event queue may not move past the slot of the next arrival: a queue that
        // jumped ahead (to a far event in its overflow, with nothing in its wheel) would
        // take every later event into its current run, which then never empties.
        let stream = self.streams.peek();
        let limit = stream.map_or(u64::MAX, |(key, _)| slot_of(time_of(key)));
        match (self.events.peek_keyed_until(limit), stream) {
            (Some((t, seq, event)), Some((key, stream))) => Some(if pack(t, seq) < key {
                (t, Due::Event(event))
            } else {
                (time_of(key), Due::Stream(stream))
            }),
            (Some((t, _, event)), None) => Some((t, Due::Event(event))),
            (None, Some((key, stream))) => Some((time_of(key), Due::Stream(stream))),
            (None, None) => None,
        }
    }

    /// Removes the earliest scheduled event (after `peek` returned it).
    #[inline]
    pub fn pop_event(&mut self) {
        self.events.pop();
    }

    /// The scheduled event likely to come next (the earliest of the current ~2 ms slot),
    /// if it is at hand without any work; stream arrivals may come before it. A hint
    /// for warming the cache with what that event will touch while the one just
    /// popped is handled; `None` says nothing about what is pending.
    #[inline]
    pub fn upcoming_event(&self) -> Option<&E> {
        self.events.peek_current()
    }

    /// Warms the cache for filing an event at `time` two events from now (see
    /// [`EventQueue::warm_slot`]).
    #[inline]
    pub fn warm_slot(&self, time: Nanos) {
        self.events.warm_slot(time);
    }

    /// Warms the cache for filing an event at `time` next (see
    /// [`EventQueue::warm_slot`]).
    #[inline]
    pub fn warm_end(&mut self, time: Nanos) {
        self.events.warm_end(time);
    }

    /// Moves the earliest stream (after `peek` returned it) to its next arrival at
    /// `time`.
    #[inline]
    pub fn reschedule_stream(&mut self, time: Nanos, stream: u32) {
        debug_assert_eq!(self.streams.peek().map(|(.., s)| s), Some(stream));
        let seq = self.seq.take();
        self.streams.replace_top(time, seq);
    }

    /// Removes the earliest stream (after `peek` returned it): it has no more arrivals.
    pub fn end_stream(&mut self) {
        self.streams.remove_top();
    }

    /// How many events and stream arrivals are pending.
    pub fn len(&self) -> usize {
        self.events.len() + self.streams.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Drains an agenda, rescheduling each stream `gap` later until `until`.
    fn drain(agenda: &mut Agenda<char>, gap: Nanos, until: Nanos) -> Vec<(Nanos, Due<char>)> {
        let mut out = Vec::new();
        while let Some((time, due)) = agenda.peek() {
            out.push((time, due));
            match due {
                Due::Event(_) => agenda.pop_event(),
                Due::Stream(s) if time + gap < until => agenda.reschedule_stream(time + gap, s),
                Due::Stream(_) => agenda.end_stream(),
            }
        }
        out
    }

    #[test]
    fn the_upcoming_event_is_the_next_scheduled_one_of_the_current_slot() {
        let mut a = Agenda::new();
        assert_eq!(a.upcoming_event(), None);
        a.schedule(30, 'b');
        a.schedule(20, 'a');
        a.schedule_stream(10, 0);
        assert_eq!(a.peek(), Some((10, Due::Stream(0))));
        assert_eq!(a.upcoming_event(), Some(&'a'));
        a.end_stream();
        assert_eq!(a.peek(), Some((20, Due::Event('a'))));
        a.pop_event();
        assert_eq!(a.upcoming_event(), Some(&'b'));
    }

    #[test]
    fn merges_events_and_streams_in_time_then_scheduling_order() {
        let mut a = Agenda::new();
        a.schedule_stream(10, 0);
        a.schedule(10, 'x');
        a.schedule(5, 'y');
        a.schedule_stream(0, 1);
        let got = drain(&mut a, 10, 25);
        assert_eq!(
            got,
            vec![
                (0, Due::Stream(1)),
                (5, Due::Event('y')),
                // Stream 0 was scheduled before event x: it comes first at t = 10; stream
                // 1's second arrival was scheduled after both.
                (10, Due::Stream(0)),
                (10, Due::Event('x')),
                (10, Due::Stream(1)),
                (20, Due::Stream(0)),
                (20, Due::Stream(1)),
            ]
        );
        assert!(a.is_empty());
    }

    #[test]
    fn a_far_event_does_not_pull_the_queue_ahead_of_the_arrivals() {
        // One event two hours ahead (a provisioned environment's recycle) and a dense
        // stream whose every arrival schedules a completion 100 ms later: the queue
        // must not jump to the far event's slot and file every completion into its
        // current run, which would then never empty (an entry kept per arrival).
        let mut a = Agenda::new();
        a.schedule(7200 * 1_000_000_000, 'r');
        a.schedule_stream(0, 0);
        let mut most = 0;
        for _ in 0..200_000 {
            let Some((time, due)) = a.peek() else { break };
            match due {
                Due::Event(_) => a.pop_event(),
                Due::Stream(s) => {
                    a.schedule(time + 100_000_000, 'c');
                    a.reschedule_stream(time + 300_000, s);
                }
            }
            most = most.max(a.events.current_run_capacity());
        }
        assert!(most < 1000, "the current run held {most} entries");
    }

    proptest! {
        #[test]
        fn matches_one_queue_of_everything(
            starts in proptest::collection::vec(proptest::option::of(0u64..1000), 1..6),
            ops in proptest::collection::vec((0u8..3, 0u64..1u64 << 36, 0u32..20), 1..300)
        ) {
            // The same operations on an agenda and on a single reference queue, where a
            // stream's arrival is an ordinary event. Some streams have no arrival.
            let mut agenda = Agenda::new();
            let mut reference = EventQueue::new();
            for (s, start) in (0..).zip(starts) {
                if let Some(time) = start {
                    agenda.schedule_stream(time, s);
                    reference.push(time, Due::Stream(s));
                }
            }
            let mut now = 0;
            // Gaps from nanoseconds to a minute, so that the queues run dry, skip
            // ahead and go beyond the wheel.
            for (i, (op, raw, shift)) in ops.into_iter().enumerate() {
                let delta = raw >> shift;
                if op == 0 {
                    agenda.schedule(now + delta, i);
                    reference.push(now + delta, Due::Event(i));
                    continue;
                }
                let got = agenda.peek();
                let want = reference.pop();
                prop_assert_eq!(got, want);
                let Some((time, due)) = got else { continue };
                now = time;
                match due {
                    Due::Event(_) => agenda.pop_event(),
                    Due::Stream(s) if op == 1 => {
                        agenda.reschedule_stream(now + delta, s);
                        reference.push(now + delta, Due::Stream(s));
                    }
                    Due::Stream(_) => agenda.end_stream(),
                }
                prop_assert_eq!(agenda.len(), reference.len());
            }
        }
    }
}
