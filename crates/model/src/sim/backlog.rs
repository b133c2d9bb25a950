//! The asynchronous events waiting after a throttle, kept as their arrival times.
//!
//! A throttled event tries again after 1 s, 2 s, 4 s … 5 min until it would be older
//! than `max_event_age` (`docs/model.md`, "Asynchronous invocation"). Every waiting
//! event of a function therefore follows one [`Schedule`] from its arrival: its k-th
//! try is at `arrival + offsets[k]`. Instead of a timer per event and one failed try
//! after another while the pool is full, a [`Backlog`] keeps the events in arrival
//! order (8 bytes each, 16 with a trace's durations), a bit for each saying whether it still waits, and a count
//! per 64 events in a Fenwick tree. The next try among all of them, and how many tries
//! fell in a span of time, are then a few binary searches per step of the schedule;
//! `waiting.rs` uses them so that an event costs work only when it is served or
//! dropped, never per failed try.

use lambdasim_engine::{NANOS_PER_SEC, Nanos};

/// First throttle backoff of an asynchronous event, doubled each time up to the cap.
pub(super) const BACKOFF_FIRST: Nanos = NANOS_PER_SEC;
pub(super) const BACKOFF_CAP: Nanos = 300 * NANOS_PER_SEC;

/// The wait after the `attempt`-th throttle (counting from 0).
pub(super) fn backoff(attempt: u32) -> Nanos {
    BACKOFF_FIRST
        .saturating_mul(1u64 << attempt.min(20))
        .min(BACKOFF_CAP)
}

/// When a throttled event tries again, from its arrival: `offsets[0]` is the first
/// try (0), the last is the final try, after which the event is dropped.
#[derive(Clone, Debug)]
pub(crate) struct Schedule {
    offsets: Vec<Nanos>,
}

impl Schedule {
    /// The tries of an event that may wait `max_age`: the next try is dropped instead
    /// when it would come later than that.
    pub(crate) fn new(max_age: Nanos) -> Self {
        let mut offsets = vec![0];
        let mut at: Nanos = 0;
        for attempt in 0.. {
            at = at.saturating_add(backoff(attempt));
            if at > max_age {
                break;
            }
            offsets.push(at);
        }
        Self { offsets }
    }

    /// Tries after the first.
    pub(crate) fn retries(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The offset of the `k`-th try.
    pub(crate) fn offset(&self, k: usize) -> Nanos {
        self.offsets[k]
    }

    /// The offset of the final try.
    pub(crate) fn last(&self) -> Nanos {
        self.offsets[self.retries()]
    }

    /// Which try of an event that arrived at `arrival` is at `time`, if any.
    pub(crate) fn try_at(&self, arrival: Nanos, time: Nanos) -> Option<usize> {
        let offset = time.checked_sub(arrival)?;
        self.offsets.binary_search(&offset).ok()
    }

    /// Tries after the first of an event that arrived at `arrival`, in `[from, to)`.
    pub(crate) fn tries_in(&self, arrival: Nanos, from: Nanos, to: Nanos) -> u64 {
        let retries = &self.offsets[1..];
        let below = |t: Nanos| retries.partition_point(|&o| arrival.saturating_add(o) < t);
        below(to).saturating_sub(below(from)) as u64
    }
}

/// In `durations`: drawn from the function's distribution when the event runs.
const NO_DURATION: Nanos = Nanos::MAX;

/// Waiting events in arrival order, with the positions of those still waiting.
#[derive(Clone, Debug, Default)]
pub(crate) struct Backlog {
    /// When each event arrived, in order.
    arrivals: Vec<Nanos>,
    /// Each event's duration, for a trace's requests; empty until one has one (8
    /// bytes an event saved for drawn durations).
    durations: Vec<Nanos>,
    /// One bit per entry: still waiting.
    live: Vec<u64>,
    /// Fenwick tree (1-based) of the number of set bits per word of `live`.
    tree: Vec<u32>,
    len: usize,
}

impl Backlog {
    /// Events still waiting.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds an event that arrived at `arrival`, no earlier than any before it.
    pub(crate) fn push(&mut self, arrival: Nanos, duration: Option<Nanos>) {
        debug_assert!(self.arrivals.last().is_none_or(|&a| a <= arrival));
        let i = self.arrivals.len();
        if i.is_multiple_of(64) {
            self.push_word();
        }
        self.arrivals.push(arrival);
        if duration.is_some() || !self.durations.is_empty() {
            self.durations.resize(i, NO_DURATION);
            self.durations.push(duration.unwrap_or(NO_DURATION));
        }
        self.live[i / 64] |= 1 << (i % 64);
        self.add(i / 64, true);
        self.len += 1;
    }

    /// Takes the event at position `i` out: served or dropped. Returns its duration.
    pub(crate) fn remove(&mut self, i: usize) -> Option<Nanos> {
        debug_assert!(self.is_live(i));
        self.live[i / 64] &= !(1 << (i % 64));
        self.add(i / 64, false);
        self.len -= 1;
        self.duration(i)
    }

    fn duration(&self, i: usize) -> Option<Nanos> {
        self.durations.get(i).copied().filter(|&d| d != NO_DURATION)
    }

    /// Puts back the event at `i`, taken out by [`remove`](Self::remove).
    pub(crate) fn restore(&mut self, i: usize) {
        debug_assert!(!self.is_live(i));
        self.live[i / 64] |= 1 << (i % 64);
        self.add(i / 64, true);
        self.len += 1;
    }

    pub(crate) fn arrival(&self, i: usize) -> Nanos {
        self.arrivals[i]
    }

    fn is_live(&self, i: usize) -> bool {
        self.live[i / 64] >> (i % 64) & 1 == 1
    }

    /// The first position holding an event that arrived at `time` or later.
    pub(crate) fn arrived_from(&self, time: Nanos) -> usize {
        self.arrivals.partition_point(|&a| a < time)
    }

    /// [`arrived_from`](Self::arrived_from), searched from position `hint` outwards:
    /// a few steps when the answer is near it.
    pub(crate) fn arrived_from_near(&self, hint: usize, time: Nanos) -> usize {
        let e = &self.arrivals;
        let hint = hint.min(e.len());
        let (mut lo, mut hi);
        let mut step = 1;
        if hint < e.len() && e[hint] < time {
            // Forward: every position up to `lo` arrived before `time`.
            lo = hint + 1;
            loop {
                let probe = hint + step;
                if probe >= e.len() || e[probe] >= time {
                    hi = probe.min(e.len());
                    break;
                }
                lo = probe + 1;
                step *= 2;
            }
        } else {
            // Backward: every position from `hi` on arrived at `time` or later.
            hi = hint;
            loop {
                if hint < step {
                    lo = 0;
                    break;
                }
                let probe = hint - step;
                if e[probe] < time {
                    lo = probe + 1;
                    break;
                }
                hi = probe;
                step *= 2;
            }
        }
        lo + e[lo..hi].partition_point(|&a| a < time)
    }

    /// Positions held, waiting or not.
    pub(crate) fn positions(&self) -> usize {
        self.arrivals.len()
    }

    /// The first position holding an event that arrived after `time`.
    pub(crate) fn arrived_after(&self, time: Nanos) -> usize {
        self.arrivals.partition_point(|&a| a <= time)
    }

    /// The first waiting event at position `i` or later.
    pub(crate) fn first_from(&self, i: usize) -> Option<usize> {
        if i >= self.arrivals.len() {
            return None;
        }
        let word = i / 64;
        let bits = self.live[word] & (!0u64 << (i % 64));
        if bits != 0 {
            return Some(word * 64 + bits.trailing_zeros() as usize);
        }
        let before = self.prefix(word + 1);
        if before == self.len {
            return None;
        }
        let next = self.word_holding(before);
        Some(next * 64 + self.live[next].trailing_zeros() as usize)
    }

    /// Waiting events at positions `[from, to)`.
    pub(crate) fn count(&self, from: usize, to: usize) -> usize {
        self.rank(to).saturating_sub(self.rank(from))
    }

    /// Waiting events before position `i`.
    fn rank(&self, i: usize) -> usize {
        let word = i / 64;
        let partial = match self.live.get(word) {
            Some(bits) => (bits & ((1u64 << (i % 64)) - 1)).count_ones() as usize,
            None => 0,
        };
        self.prefix(word.min(self.live.len())) + partial
    }

    /// Drops the positions of events no longer waiting once they are half as many as
    /// the waiting ones (positions change: call only when none is held). Returns whether
    /// it did.
    pub(crate) fn compact_if_sparse(&mut self) -> bool {
        let dead = self.arrivals.len() - self.len;
        let sparse = dead >= 4096 && 2 * dead >= self.len;
        if sparse {
            self.compact();
        }
        sparse
    }

    /// Keeps only the waiting events.
    fn compact(&mut self) {
        let kept: Vec<(Nanos, Option<Nanos>)> = (0..self.arrivals.len())
            .filter(|&i| self.is_live(i))
            .map(|i| (self.arrivals[i], self.duration(i)))
            .collect();
        *self = Self::default();
        self.arrivals.reserve_exact(kept.len());
        for (arrival, duration) in kept {
            self.push(arrival, duration);
        }
    }

    /// Set bits in words `[0, words)`.
    fn prefix(&self, words: usize) -> usize {
        let mut sum = 0;
        let mut i = words;
        while i > 0 {
            sum += self.tree[i] as usize;
            i &= i - 1;
        }
        sum
    }

    /// The word holding the set bit of rank `rank` (counting from 0).
    fn word_holding(&self, rank: usize) -> usize {
        let (mut pos, mut rest) = (0, rank);
        let mut step = (self.tree.len() - 1).next_power_of_two();
        while step > 0 {
            if pos + step < self.tree.len() && (self.tree[pos + step] as usize) <= rest {
                pos += step;
                rest -= self.tree[pos] as usize;
            }
            step >>= 1;
        }
        pos
    }

    /// Appends an empty word; its tree node sums the words it covers before it.
    fn push_word(&mut self) {
        if self.tree.is_empty() {
            self.tree.push(0);
        }
        let node = self.live.len() + 1;
        let covered = self.prefix(node - 1) - self.prefix(node - (node & node.wrapping_neg()));
        self.live.push(0);
        self.tree.push(covered as u32);
    }

    fn add(&mut self, word: usize, up: bool) {
        let mut i = word + 1;
        while i < self.tree.len() {
            if up {
                self.tree[i] += 1;
            } else {
                self.tree[i] -= 1;
            }
            i += i & i.wrapping_neg();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const S: Nanos = NANOS_PER_SEC;

    #[test]
    fn the_schedule_doubles_to_five_minutes_and_stops_at_the_maximum_age() {
        let s = Schedule::new(6 * 3600 * S);
        let first: Vec<Nanos> = (0..12).map(|k| s.offset(k) / S).collect();
        assert_eq!(first, [0, 1, 3, 7, 15, 31, 63, 127, 255, 511, 811, 1111]);
        // 511 s + 300 s × 70 = 21,511 s ≤ 6 h; one more would be past it.
        assert_eq!((s.retries(), s.last() / S), (79, 21_511));
        assert_eq!(Schedule::new(S / 2).retries(), 0);
        assert_eq!(Schedule::new(S).retries(), 1);
    }

    #[test]
    fn tries_are_counted_in_half_open_spans() {
        let s = Schedule::new(3600 * S);
        // Retries of an event that arrived at 10 s: 11, 13, 17, 25 s …
        assert_eq!(s.tries_in(10 * S, 0, 11 * S), 0);
        assert_eq!(s.tries_in(10 * S, 11 * S, 17 * S), 2);
        assert_eq!(s.tries_in(10 * S, 11 * S, 17 * S + 1), 3);
        assert_eq!(s.try_at(10 * S, 17 * S), Some(3));
        assert_eq!(s.try_at(10 * S, 18 * S), None);
        assert_eq!(s.tries_in(10 * S, 0, u64::MAX), s.retries() as u64);
    }

    proptest! {
        /// The backlog answers as a plain list of (arrival, waiting) does.
        #[test]
        fn the_backlog_matches_a_plain_list(
            steps in prop::collection::vec((0u64..3, any::<bool>(), any::<prop::sample::Index>()), 0..2000),
            probes in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 1..20),
        ) {
            let mut b = Backlog::default();
            let mut plain: Vec<(Nanos, bool)> = Vec::new();
            let mut time = 0;
            for (gap, add, which) in steps {
                time += gap;
                let live: Vec<usize> = (0..plain.len()).filter(|&i| plain[i].1).collect();
                if add || live.is_empty() {
                    // Durations only from the second event on: the first has none.
                    b.push(time, Some(time).filter(|_| !plain.is_empty()));
                    plain.push((time, true));
                } else {
                    let i = live[which.index(live.len())];
                    prop_assert_eq!(b.remove(i), Some(plain[i].0).filter(|_| i > 0));
                    plain[i].1 = false;
                }
            }
            prop_assert_eq!(b.len(), plain.iter().filter(|p| p.1).count());
            for (x, y) in probes {
                let n = plain.len() + 1;
                let (i, j) = (x.index(n), y.index(n));
                let first = (i..plain.len()).find(|&k| plain[k].1);
                prop_assert_eq!(b.first_from(i), first);
                let count = (i..j.max(i)).filter(|&k| plain[k].1).count();
                prop_assert_eq!(b.count(i, j.max(i)), count);
                let t = plain.get(i).map_or(time + 1, |p| p.0);
                prop_assert_eq!(b.arrived_from(t), plain.partition_point(|p| p.0 < t));
                for hint in [0, i, j, plain.len(), plain.len() + 5] {
                    prop_assert_eq!(b.arrived_from_near(hint, t), b.arrived_from(t));
                    prop_assert_eq!(b.arrived_from_near(hint, t + 1), b.arrived_from(t + 1));
                }
                prop_assert_eq!(b.arrived_after(t), plain.partition_point(|p| p.0 <= t));
            }
            let live: Vec<Nanos> = plain.iter().filter(|p| p.1).map(|p| p.0).collect();
            b.compact();
            let mut after = Vec::new();
            let mut i = 0;
            while let Some(k) = b.first_from(i) {
                after.push(b.arrival(k));
                i = k + 1;
            }
            prop_assert_eq!(after, live);
        }
    }
}
