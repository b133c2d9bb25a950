//! The pending-event queue.
//!
//! Events are ordered by (time, insertion sequence): two events at the same nanosecond
//! pop in the order they were scheduled, so a run never depends on queue internals and
//! the same inputs always give the same event order.
//!
//! The queue is a timing wheel in front of two heaps. Time is cut into slots of about
//! two milliseconds. Events of the current slot sit in a small binary heap (`near`);
//! events of the next few seconds are appended, unsorted, to their slot of the wheel
//! (O(1)); later events wait in an `overflow` heap. When the current slot runs dry the
//! next non-empty slot (found with a bitmap) is heapified into `near`. A simulation at
//! thousands of requests per second keeps `near` at a few dozen events, so a pop costs
//! a few comparisons where one heap of every pending event would cost a dozen levels.
//! Simulated time never goes back, which is what makes the wheel valid.

use crate::time::Nanos;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// log2 of a slot's width in nanoseconds (2^21 ns ≈ 2.1 ms): wide enough that sparse
/// traffic does not pay a slot change per event, narrow enough that the current slot's
/// heap stays small under dense traffic (measured: 1, 2 and 4 ms slots).
const SLOT_BITS: u32 = 21;
/// Slots in the wheel (a power of two): the wheel covers about 8.6 s ahead.
const SLOTS: u64 = 4096;
const WORDS: usize = (SLOTS / 64) as usize;

/// One scheduled event: 24 bytes for an 8-byte event.
#[derive(Clone, Copy)]
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

    /// Whether `self` comes before `other`: (time, seq) compared as one 128-bit
    /// number, which compiles to a compare and a borrow instead of two branches.
    #[inline]
    fn before(&self, other: &Self) -> bool {
        let key = |e: &Self| (u128::from(e.time) << 64) | u128::from(e.seq);
        key(self) < key(other)
    }

    #[inline]
    fn slot(&self) -> u64 {
        self.time >> SLOT_BITS
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

/// A binary min-heap of copyable entries that sifts with a "hole": the entry being
/// placed stays in registers until its final slot, so no entry is written and then
/// read straight back (which would stall the CPU on store forwarding).
struct NearHeap<E> {
    data: Vec<Entry<E>>,
}

impl<E: Copy> NearHeap<E> {
    #[inline]
    fn len(&self) -> usize {
        self.data.len()
    }

    #[inline]
    fn peek(&self) -> Option<&Entry<E>> {
        self.data.first()
    }

    #[inline]
    fn push(&mut self, entry: Entry<E>) {
        self.data.push(entry);
        self.sift_up(self.data.len() - 1, entry);
    }

    /// Places `entry` at `i` or below, moving smaller children up.
    #[inline]
    fn sift_down(&mut self, mut i: usize, entry: Entry<E>) {
        let len = self.data.len();
        loop {
            let mut child = 2 * i + 1;
            if child >= len {
                break;
            }
            if child + 1 < len {
                child += usize::from(self.data[child + 1].before(&self.data[child]));
            }
            if !self.data[child].before(&entry) {
                break;
            }
            self.data[i] = self.data[child];
            i = child;
        }
        self.data[i] = entry;
    }

    /// Removes the minimum. The hole it leaves goes down to a leaf by the smaller
    /// child (chosen without a branch), then the last entry rises into it from there:
    /// it nearly always belongs near the bottom, so this costs about one unpredictable
    /// branch per pop instead of two per level.
    #[inline]
    fn pop(&mut self) -> Option<Entry<E>> {
        let last = self.data.pop()?;
        let Some(&top) = self.data.first() else {
            return Some(last);
        };
        let len = self.data.len();
        let mut hole = 0;
        let mut child = 1;
        while child + 1 < len {
            child += usize::from(self.data[child + 1].before(&self.data[child]));
            self.data[hole] = self.data[child];
            hole = child;
            child = 2 * hole + 1;
        }
        if child < len {
            self.data[hole] = self.data[child];
            hole = child;
        }
        self.sift_up(hole, last);
        Some(top)
    }

    /// Places `entry` at `i` or above, moving larger parents down.
    #[inline]
    fn sift_up(&mut self, mut i: usize, entry: Entry<E>) {
        while i > 0 {
            let parent = (i - 1) / 2;
            if !entry.before(&self.data[parent]) {
                break;
            }
            self.data[i] = self.data[parent];
            i = parent;
        }
        self.data[i] = entry;
    }

    /// Replaces the minimum by `entry`; the heap must not be empty.
    #[inline]
    fn replace_top(&mut self, entry: Entry<E>) {
        self.sift_down(0, entry);
    }

    /// Adds a batch and restores the heap bottom-up (O(n)).
    fn extend(&mut self, entries: impl Iterator<Item = Entry<E>>) {
        self.data.extend(entries);
        for i in (0..self.data.len() / 2).rev() {
            let entry = self.data[i];
            self.sift_down(i, entry);
        }
    }
}

/// Sequence numbers in scheduling order: the tie-break that makes equal times FIFO.
#[derive(Default)]
pub(crate) struct Sequence(u64);

impl Sequence {
    /// The next number.
    #[inline]
    pub(crate) fn take(&mut self) -> u64 {
        self.0 += 1;
        self.0 - 1
    }
}

/// A min-priority queue of events keyed by simulated time, FIFO among equal times.
/// An event must not be scheduled before the last event popped (time never goes back).
pub struct EventQueue<E> {
    /// Events of the current slot.
    near: NearHeap<E>,
    /// Events of the next `SLOTS - 1` slots, by slot modulo `SLOTS`.
    wheel: Vec<Vec<Entry<E>>>,
    /// Bit s set when wheel slot s is not empty.
    occupied: [u64; WORDS],
    /// Events beyond the wheel.
    overflow: BinaryHeap<Entry<E>>,
    /// The current slot (absolute).
    current: u64,
    len: usize,
    seq: Sequence,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self {
            near: NearHeap { data: Vec::new() },
            wheel: (0..SLOTS).map(|_| Vec::new()).collect(),
            occupied: [0; WORDS],
            overflow: BinaryHeap::new(),
            current: 0,
            len: 0,
            seq: Sequence::default(),
        }
    }

    /// Files an entry by its slot. An entry of a slot before the current one (possible
    /// when an [`Agenda`](crate::Agenda) handles another queue's item first: this queue
    /// may have moved on to a later slot) joins `near` too: everything in `near` is
    /// still earlier than anything in the wheel, and `near` orders itself.
    #[inline]
    fn file(&mut self, entry: Entry<E>) {
        let slot = entry.slot();
        if slot <= self.current {
            self.near.push(entry);
        } else if slot < self.current + SLOTS {
            let i = (slot % SLOTS) as usize;
            self.wheel[i].push(entry);
            self.occupied[i / 64] |= 1 << (i % 64);
        } else {
            self.overflow.push(entry);
        }
    }

    /// Schedules `event` at `time`. Events at equal times pop in scheduling order.
    #[inline]
    pub fn push(&mut self, time: Nanos, event: E) {
        let seq = self.seq.take();
        self.insert(time, seq, event);
    }

    /// Schedules `event` at `time` with a sequence number given by the caller (an
    /// [`Agenda`](crate::Agenda) numbers two queues from one counter).
    #[inline]
    pub(crate) fn insert(&mut self, time: Nanos, seq: u64, event: E) {
        self.len += 1;
        self.file(Entry { time, seq, event });
    }

    /// The next non-empty wheel slot after the current one (absolute), if any.
    fn next_wheel_slot(&self) -> Option<u64> {
        let start = (self.current + 1) % SLOTS;
        let (word, bit) = ((start / 64) as usize, start % 64);
        // The rest of the first word, the other words in wheel order, then the first
        // word's beginning (wrapped around).
        let first = self.occupied[word] & (u64::MAX << bit);
        let found = if first != 0 {
            Some(word as u64 * 64 + u64::from(first.trailing_zeros()))
        } else {
            (1..=WORDS)
                .map(|k| (word + k) % WORDS)
                .find(|&w| self.occupied[w] != 0)
                .map(|w| w as u64 * 64 + u64::from(self.occupied[w].trailing_zeros()))
        }?;
        Some(self.current + 1 + (found + SLOTS - start) % SLOTS)
    }

    /// Moves to the next slot holding events and heapifies it into `near`; false when
    /// the queue is empty.
    fn advance(&mut self) -> bool {
        let wheel_next = self.next_wheel_slot();
        let overflow_next = self.overflow.peek().map(Entry::slot);
        let Some(next) = wheel_next.into_iter().chain(overflow_next).min() else {
            return false;
        };
        self.current = next;
        while self
            .overflow
            .peek()
            .is_some_and(|e| e.slot() < next + SLOTS)
        {
            if let Some(entry) = self.overflow.pop() {
                self.file(entry);
            }
        }
        let i = (next % SLOTS) as usize;
        if self.occupied[i / 64] & (1 << (i % 64)) != 0 {
            self.occupied[i / 64] &= !(1 << (i % 64));
            let mut slot = std::mem::take(&mut self.wheel[i]);
            self.near.extend(slot.drain(..));
            self.wheel[i] = slot;
        }
        true
    }

    /// Makes `near` hold the earliest event, if there is one.
    #[inline]
    fn settle(&mut self) -> bool {
        self.near.len() > 0 || (self.len > 0 && self.advance())
    }

    /// Removes and returns the earliest event with its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(Nanos, E)> {
        if !self.settle() {
            return None;
        }
        let entry = self.near.pop()?;
        self.len -= 1;
        Some((entry.time, entry.event))
    }

    /// The earliest event and its time, left in place.
    #[inline]
    pub fn peek(&mut self) -> Option<(Nanos, &E)> {
        if !self.settle() {
            return None;
        }
        self.near.peek().map(|entry| (entry.time, &entry.event))
    }

    /// The time of the earliest pending event, if any.
    pub fn peek_time(&mut self) -> Option<Nanos> {
        self.peek().map(|(time, _)| time)
    }

    /// The earliest event with its full key (time, sequence), left in place.
    #[inline]
    pub(crate) fn peek_keyed(&mut self) -> Option<(Nanos, u64, E)> {
        if !self.settle() {
            return None;
        }
        self.near.peek().map(|e| (e.time, e.seq, e.event))
    }

    /// Replaces the earliest event by `event` at `time`: the same as `pop` then `push`,
    /// in one sift when the new event stays in the current slot. The count of pending
    /// events does not change (one out, one in), so it is not touched.
    #[inline]
    pub fn replace_top(&mut self, time: Nanos, event: E) {
        let seq = self.seq.take();
        self.replace_top_keyed(time, seq, event);
    }

    /// [`replace_top`](Self::replace_top) with a caller-given sequence number.
    #[inline]
    pub(crate) fn replace_top_keyed(&mut self, time: Nanos, seq: u64, event: E) {
        if !self.settle() {
            self.insert(time, seq, event);
            return;
        }
        let entry = Entry { time, seq, event };
        if time >> SLOT_BITS == self.current {
            self.near.replace_top(entry);
        } else if self.len == 1 {
            // Nothing else is pending (a stream queue with one stream): move the current
            // slot to the entry's instead of going round the wheel.
            self.current = entry.slot();
            self.near.replace_top(entry);
        } else {
            self.near.pop();
            self.file(entry);
        }
    }

    /// How many events are pending.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
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

    #[test]
    fn far_events_wait_beyond_the_wheel_and_come_back_in_order() {
        let mut q = EventQueue::new();
        let far = (10 * SLOTS) << SLOT_BITS;
        q.push(far + 5, 'c');
        q.push(far, 'b');
        q.push(3, 'a');
        q.push(far, 'd');
        assert_eq!(q.pop(), Some((3, 'a')));
        q.push(far - 1, 'e');
        let rest: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            rest,
            vec![(far - 1, 'e'), (far, 'b'), (far, 'd'), (far + 5, 'c')]
        );
        assert!(q.is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

        #[test]
        fn replace_top_matches_pop_then_push(ops in proptest::collection::vec((0u8..3, 0u64..1u64 << 36), 1..300)) {
            // Pushes, pops and replacements of the top (by an event up to a minute
            // later, past the wheel), against the same as pops and pushes.
            let mut q = EventQueue::new();
            let mut reference = EventQueue::new();
            let mut now = 0;
            for (i, (op, delta)) in ops.into_iter().enumerate() {
                match op {
                    0 => {
                        q.push(now + delta, i);
                        reference.push(now + delta, i);
                    }
                    1 => {
                        let got = q.pop();
                        prop_assert_eq!(got, reference.pop());
                        now = got.map_or(now, |(t, _)| t);
                    }
                    _ => {
                        let Some((t, _)) = reference.pop() else { continue };
                        prop_assert_eq!(q.peek_time(), Some(t));
                        now = t;
                        q.replace_top(now + delta, i);
                        reference.push(now + delta, i);
                    }
                }
                prop_assert_eq!(q.len(), reference.len());
            }
            let drain = |q: &mut EventQueue<usize>| std::iter::from_fn(|| q.pop()).collect::<Vec<_>>();
            prop_assert_eq!(drain(&mut q), drain(&mut reference));
        }

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
