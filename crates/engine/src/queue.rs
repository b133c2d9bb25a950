//! The pending-event queue.
//!
//! Events are ordered by (time, insertion sequence): two events at the same nanosecond
//! pop in the order they were scheduled, so a run never depends on heap internals and
//! the same inputs always give the same event order.

use crate::time::Nanos;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One scheduled event: 24 bytes for an 8-byte event, so that more of the heap stays
/// in cache.
struct Entry<E> {
    time: Nanos,
    seq: u64,
    event: E,
}

impl<E> Entry<E> {
    #[inline]
    fn key(&self) -> (Nanos, u64) {
        (self.time, self.seq)
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap; reverse so the earliest key is on top.
        other.key().cmp(&self.key())
    }
}

/// A min-priority queue of events keyed by simulated time, FIFO among equal times.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self {
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }

    fn entry(&mut self, time: Nanos, event: E) -> Entry<E> {
        let seq = self.next_seq;
        self.next_seq += 1;
        Entry { time, seq, event }
    }

    /// Schedules `event` at `time`. Events at equal times pop in scheduling order.
    #[inline]
    pub fn push(&mut self, time: Nanos, event: E) {
        let entry = self.entry(time, event);
        self.heap.push(entry);
    }

    /// Removes and returns the earliest event with its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(Nanos, E)> {
        self.heap.pop().map(|entry| (entry.time, entry.event))
    }

    /// The earliest event and its time, left in place.
    #[inline]
    pub fn peek(&self) -> Option<(Nanos, &E)> {
        self.heap.peek().map(|entry| (entry.time, &entry.event))
    }

    /// The time of the earliest pending event, if any.
    pub fn peek_time(&self) -> Option<Nanos> {
        self.heap.peek().map(|entry| entry.time)
    }

    /// Replaces the earliest event by `event` at `time`: the same as `pop` then `push`,
    /// in one sift. A stream whose next arrival is close to now (the common case) costs
    /// a comparison or two instead of two walks of the heap.
    #[inline]
    pub fn replace_top(&mut self, time: Nanos, event: E) {
        let entry = self.entry(time, event);
        if let Some(mut top) = self.heap.peek_mut() {
            *top = entry;
            return;
        }
        self.heap.push(entry);
    }

    /// How many events are pending.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pops_in_time_order() {
        let mut q = EventQueue::new();
        q.push(30, 'c');
        q.push(10, 'a');
        q.push(20, 'b');
        assert_eq!(q.peek_time(), Some(10));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![(10, 'a'), (20, 'b'), (30, 'c')]);
    }

    #[test]
    fn equal_times_pop_in_insertion_order() {
        let mut q = EventQueue::new();
        for i in 0..100 {
            q.push(5, i);
        }
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn replace_top_is_pop_then_push() {
        let mut a = EventQueue::new();
        let mut b = EventQueue::new();
        for (t, e) in [(5, 'a'), (9, 'b'), (7, 'c')] {
            a.push(t, e);
            b.push(t, e);
        }
        a.replace_top(8, 'd');
        b.pop();
        b.push(8, 'd');
        let drain = |q: &mut EventQueue<char>| std::iter::from_fn(|| q.pop()).collect::<Vec<_>>();
        assert_eq!(drain(&mut a), drain(&mut b));
        let mut empty = EventQueue::new();
        empty.replace_top(1, 'x');
        assert_eq!(empty.pop(), Some((1, 'x')));
    }

    proptest! {
        #[test]
        fn output_is_sorted_by_time_then_insertion(times in proptest::collection::vec(0u64..50, 0..200)) {
            let mut q = EventQueue::new();
            for (i, &t) in times.iter().enumerate() {
                q.push(t, i);
            }
            let mut expected: Vec<(u64, usize)> = times.iter().copied().zip(0..).collect();
            expected.sort();
            let got: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn interleaved_pushes_and_pops_match_a_reference(ops in proptest::collection::vec((any::<bool>(), 0u64..1u64 << 40, 0u8..3), 0..400)) {
            // Like a simulation: pushes are never before the last popped time.
            let mut q = EventQueue::new();
            let mut reference = std::collections::BTreeSet::new();
            let (mut now, mut seq) = (0u64, 0u64);
            for (i, (pop, delta, scale)) in ops.into_iter().enumerate() {
                if pop {
                    let want = reference.pop_first().map(|(t, _, v)| (t, v));
                    let got = q.pop();
                    prop_assert_eq!(got, want);
                    if let Some((t, _)) = got {
                        now = t;
                    }
                } else {
                    let time = now + (delta >> (20 * u64::from(scale)));
                    q.push(time, i);
                    reference.insert((time, seq, i));
                    seq += 1;
                }
                prop_assert_eq!(q.len(), reference.len());
            }
        }
    }
}
