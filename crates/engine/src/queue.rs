//! The pending-event queue.
//!
//! Events are ordered by (time, insertion sequence): two events at the same nanosecond
//! pop in the order they were scheduled, so a run never depends on queue internals and
//! the same inputs always give the same event order.
//!
//! The queue is a timing wheel in front of a heap. Time is cut into slots of about two
//! milliseconds. Events of the next few seconds are appended, unsorted, to their slot
//! of the wheel (O(1)); later events wait in an `overflow` heap. When the current slot
//! runs dry the next non-empty slot (found with a bitmap) is sorted and becomes `near`,
//! which is then read from the front: a simulation at thousands of requests per second
//! sorts a few dozen events per slot with branch-free compare-and-swaps, and a pop is a
//! step of an index where a heap would take a branch per level that no predictor can
//! guess.
//! Simulated time never goes back, which is what makes the wheel valid.

use crate::time::Nanos;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// log2 of a slot's width in nanoseconds (2^21 ns ≈ 2.1 ms): wide enough that sparse
/// traffic does not pay a slot change per event, narrow enough that the current slot's
/// sort stays small under dense traffic (measured: 1, 2 and 4 ms slots).
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
    /// The entry's (time, seq) as one 128-bit number (see [`pack`]): compared in
    /// a compare and a borrow instead of two branches.
    #[inline]
    fn key(&self) -> u128 {
        pack(self.time, self.seq)
    }

    /// Whether `self` comes before `other`.
    #[inline]
    fn before(&self, other: &Self) -> bool {
        self.key() < other.key()
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
        // The overflow's BinaryHeap is a max-heap; reverse so the earliest key is on top.
        other.key().cmp(&self.key())
    }
}

/// The current slot's entries, sorted, read from the front.
///
/// A slot's entries are sorted once when the wheel reaches it (a small sort that
/// compiles to branch-free compare-and-swaps), after which each pop is a step of the
/// read index: no branch per pop that depends on the keys. An entry filed into the
/// current slot later (a duration under a slot's width, an arrival replaced by the
/// next) takes its sorted place; it is nearly always later than what is left, so it
/// lands at or near the end.
struct NearRun<E> {
    /// Sorted by key; the entries before `head` are already popped.
    data: Vec<Entry<E>>,
    head: usize,
    /// Scratch space for [`Self::load`]'s sort keys, kept to reuse its allocation.
    keys: Vec<u64>,
}

impl<E: Copy> NearRun<E> {
    #[inline]
    fn len(&self) -> usize {
        self.data.len() - self.head
    }

    #[inline]
    fn peek(&self) -> Option<&Entry<E>> {
        self.data.get(self.head)
    }

    /// Inserts `entry` at its sorted place among the entries not yet popped.
    #[inline]
    fn push(&mut self, entry: Entry<E>) {
        let rest = &self.data[self.head..];
        if rest.last().is_none_or(|last| last.before(&entry)) {
            self.data.push(entry);
            return;
        }
        let at = self.head + rest.partition_point(|e| e.before(&entry));
        if at == self.head && self.head > 0 {
            // Earlier than everything left: reuse the popped place in front.
            self.head -= 1;
            self.data[self.head] = entry;
        } else {
            self.data.insert(at, entry);
        }
    }

    /// Removes the earliest entry.
    #[inline]
    fn pop(&mut self) -> Option<Entry<E>> {
        let top = *self.data.get(self.head)?;
        self.head += 1;
        if self.head == self.data.len() {
            self.data.clear();
            self.head = 0;
        }
        Some(top)
    }

    /// Takes a wheel slot's entries, sorted, as the run, and empties the slot (keeping
    /// its capacity); the run must be empty.
    ///
    /// Entries of equal time were appended to a slot in sequence order (see
    /// [`EventQueue::file`]), so ordering them by time alone, ties kept in place,
    /// orders them by (time, seq). Each becomes one `u64`, its time within the slot
    /// above its index, and the keys are sorted as plain integers: small slices of
    /// those sort by a branch-free network, where sorting the entries themselves would
    /// take a branch per insertion.
    fn load(&mut self, slot: &mut Vec<Entry<E>>) {
        debug_assert_eq!(self.len(), 0);
        debug_assert!(ties_in_sequence_order(slot));
        debug_assert!(u32::try_from(slot.len()).is_ok());
        let offset = |e: &Entry<E>| e.time & ((1 << SLOT_BITS) - 1);
        self.keys.clear();
        self.keys
            .extend((0u64..).zip(slot.iter()).map(|(i, e)| offset(e) << 32 | i));
        self.keys.sort_unstable();
        self.data.clear();
        self.head = 0;
        self.data.extend(
            self.keys
                .iter()
                .map(|&k| slot[(k & u64::from(u32::MAX)) as usize]),
        );
        slot.clear();
    }
}

/// Whether entries of equal time come in sequence order (what [`NearRun::load`]
/// needs of a wheel slot).
fn ties_in_sequence_order<E: Copy>(slot: &[Entry<E>]) -> bool {
    let mut by_time = slot.to_vec();
    by_time.sort_by_key(|e| e.time);
    by_time
        .windows(2)
        .all(|w| w[0].time != w[1].time || w[0].seq < w[1].seq)
}

/// The key of (time, sequence): ordered as the pair is, compared in one operation.
#[inline]
pub(crate) fn pack(time: Nanos, seq: u64) -> u128 {
    u128::from(time) << 64 | u128::from(seq)
}

/// The wheel slot (absolute) of a time.
#[inline]
pub(crate) fn slot_of(time: Nanos) -> u64 {
    time >> SLOT_BITS
}

/// The time of a key.
#[inline]
pub(crate) fn time_of(key: u128) -> Nanos {
    (key >> 64) as Nanos
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
    near: NearRun<E>,
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
            near: NearRun {
                data: Vec::new(),
                head: 0,
                keys: Vec::new(),
            },
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
    ///
    /// A wheel slot receives entries of equal time in sequence order, which
    /// [`NearRun::load`] relies on: new entries take ever larger numbers, and the
    /// overflow hands its entries over in (time, seq) order at the advance that brings
    /// their slot inside the wheel, before any new entry can reach that slot.
    ///
    /// The common case, a slot of the wheel, is inlined into the caller and builds the
    /// entry in place from its fields: an entry assembled on the stack and passed by
    /// reference was read back in wider loads than it was written with, a failed
    /// store-to-load forward on every scheduled event.
    #[inline(always)]
    fn file(&mut self, time: Nanos, seq: u64, event: E) {
        let slot = time >> SLOT_BITS;
        if slot > self.current && slot < self.current + SLOTS {
            let i = (slot % SLOTS) as usize;
            self.wheel[i].push(Entry { time, seq, event });
            self.occupied[i / 64] |= 1 << (i % 64);
        } else {
            self.file_elsewhere(Entry { time, seq, event });
        }
    }

    /// [`file`](Self::file) for an entry of the current slot (or an earlier one) or
    /// beyond the wheel.
    #[inline(never)]
    fn file_elsewhere(&mut self, entry: Entry<E>) {
        if entry.slot() <= self.current {
            self.near.push(entry);
        } else {
            self.overflow.push(entry);
        }
    }

    /// Starts loading where an event at `time` would be filed, in two steps for two
    /// events coming one after the other: filing reads the wheel slot's length and
    /// buffer, then writes at its end, and with completions spread over hundreds of
    /// slots both are otherwise cache misses on every scheduled event. `warm_slot`
    /// loads the slot (two events ahead), `warm_end` the place the next entry goes
    /// (one event ahead, the slot by then in the cache). Neither files anything.
    #[inline]
    pub fn warm_slot(&self, time: Nanos) {
        crate::prefetch(&self.wheel[((time >> SLOT_BITS) % SLOTS) as usize]);
    }

    /// See [`warm_slot`](Self::warm_slot).
    #[inline]
    pub fn warm_end(&mut self, time: Nanos) {
        let slot = &mut self.wheel[((time >> SLOT_BITS) % SLOTS) as usize];
        if let Some(end) = slot.spare_capacity_mut().first() {
            crate::prefetch(end);
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
        self.file(time, seq, event);
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

    /// Moves to the next slot holding events and sorts it into `near`; false when
    /// the queue is empty.
    fn advance(&mut self) -> bool {
        self.advance_until(u64::MAX)
    }

    /// [`advance`](Self::advance), unless the next slot holding events is after
    /// `limit` (absolute): then the queue stays where it is and returns false.
    fn advance_until(&mut self, limit: u64) -> bool {
        let wheel_next = self.next_wheel_slot();
        let overflow_next = self.overflow.peek().map(Entry::slot);
        let Some(next) = wheel_next.into_iter().chain(overflow_next).min() else {
            return false;
        };
        if next > limit {
            return false;
        }
        self.current = next;
        let i = (next % SLOTS) as usize;
        if self.occupied[i / 64] & (1 << (i % 64)) != 0 {
            self.occupied[i / 64] &= !(1 << (i % 64));
            self.near.load(&mut self.wheel[i]);
        }
        // Then the overflow's entries that the wheel now covers (into `near` for the
        // new current slot).
        while self
            .overflow
            .peek()
            .is_some_and(|e| e.slot() < next + SLOTS)
        {
            if let Some(entry) = self.overflow.pop() {
                self.file(entry.time, entry.seq, entry.event);
            }
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

    /// The earliest event if it is already in the current slot, without moving to the
    /// next slot when that is empty: a cheap hint (`None` says nothing about the rest).
    #[inline]
    pub(crate) fn peek_current(&self) -> Option<&E> {
        self.near.peek().map(|e| &e.event)
    }

    /// The earliest event with its full key (time, sequence), left in place, if it is
    /// in a slot at or before `limit` (absolute); `None` also when all are later. The
    /// queue never moves past `limit`: a caller with something due earlier (the next
    /// arrival) passes its slot, so that the current run does not jump to a far event
    /// and then take in every event scheduled meanwhile (a run that never empties
    /// holds an entry per invocation: memory growing with the requests).
    #[inline]
    pub(crate) fn peek_keyed_until(&mut self, limit: u64) -> Option<(Nanos, u64, E)> {
        if self.near.len() == 0 && !(self.len > 0 && self.advance_until(limit)) {
            return None;
        }
        self.near.peek().map(|e| (e.time, e.seq, e.event))
    }

    /// Entries the current run holds, popped ones included (its memory).
    #[cfg(test)]
    pub(crate) fn current_run_capacity(&self) -> usize {
        self.near.data.len()
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
    fn warming_files_nothing() {
        let mut q = EventQueue::new();
        q.push(3 << SLOT_BITS, 'b');
        q.push(10, 'a');
        for time in [0, 10, 3 << SLOT_BITS, SLOTS << SLOT_BITS, u64::MAX] {
            q.warm_slot(time);
            q.warm_end(time);
        }
        assert_eq!(q.len(), 2);
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![(10, 'a'), (3 << SLOT_BITS, 'b')]);
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
    fn the_current_slot_takes_late_entries_in_their_sorted_place() {
        // All in slot 0: a sorted run read from the front, with entries inserted
        // before, between and after what is left.
        let mut q = EventQueue::new();
        for t in [50, 10, 30] {
            q.push(t, t);
        }
        assert_eq!(q.pop(), Some((10, 10)));
        q.push(20, 20); // before everything left: into the popped place
        q.push(40, 40); // between
        q.push(60, 60); // after
        assert_eq!(q.pop(), Some((20, 20)));
        q.push(45, 45); // after 40
        let rest: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(t, _)| t).collect();
        assert_eq!(rest, vec![30, 40, 45, 50, 60]);
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
        fn equal_times_ahead_and_beyond_the_wheel_pop_in_insertion_order(ops in proptest::collection::vec((any::<bool>(), 0u64..4, 0u64..3), 0..400)) {
            // Few distinct times, some in wheel slots and some beyond the wheel, so
            // that many entries tie inside a slot, including entries handed over by
            // the overflow and entries filed after them.
            let far = (SLOTS << SLOT_BITS) / 2;
            matches_reference(ops.into_iter().map(|(pop, step, k)| (pop, step * 1000 + k * far)))?;
        }

        #[test]
        fn interleaved_pushes_and_pops_match_a_reference(ops in proptest::collection::vec((any::<bool>(), 0u64..1u64 << 40, 0u8..3), 0..400)) {
            matches_reference(ops.into_iter().map(|(pop, delta, scale)| (pop, delta >> (20 * u64::from(scale)))))?;
        }
    }

    /// Replays `ops` on a queue and on a reference ordered set, like a simulation:
    /// `(true, _)` pops, `(false, delay)` pushes an event `delay` after the last popped
    /// time. Every pop, every length and the final drain must agree.
    fn matches_reference(ops: impl Iterator<Item = (bool, u64)>) -> Result<(), TestCaseError> {
        let mut q = EventQueue::new();
        let mut reference = std::collections::BTreeSet::new();
        let (mut now, mut seq) = (0u64, 0u64);
        for (i, (pop, delay)) in ops.enumerate() {
            if pop {
                let want = reference.pop_first().map(|(t, _, v)| (t, v));
                let got = q.pop();
                prop_assert_eq!(got, want);
                now = got.map_or(now, |(t, _)| t);
            } else {
                q.push(now + delay, i);
                reference.insert((now + delay, seq, i));
                seq += 1;
            }
            prop_assert_eq!(q.len(), reference.len());
        }
        let drain: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        let want: Vec<_> = reference.into_iter().map(|(t, _, v)| (t, v)).collect();
        prop_assert_eq!(drain, want);
        Ok(())
    }
}
