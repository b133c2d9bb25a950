//! Invocation starts over the last second, for telling a rate-limit throttle from a
//! concurrency-limit one.
//!
//! AWS limits invocation requests to 10 × the concurrency limit per second (facts
//! §2.4.1): 10 × reserved concurrency for a function that has it, 10 × the account
//! limit across the account otherwise. A throttle counts as `rps_limit` when the starts
//! in the last second reached that bound, and as the concurrency limit otherwise.
//!
//! Starts are counted in 100 slots of 10 ms with a running sum: constant memory and
//! O(1) per start, at 10 ms resolution. A start only bumps the open slot's counter;
//! the ring is touched once per slot, when the slot closes.

use lambdasim_engine::{NANOS_PER_MS, Nanos};

const SLOTS: usize = 100;
const SLOT_NS: Nanos = 10 * NANOS_PER_MS;

#[derive(Clone, Debug)]
pub(crate) struct RecentStarts {
    /// Starts in the closed slots of the last second, by absolute slot modulo `SLOTS`.
    slots: [u32; SLOTS],
    /// Their sum.
    closed: u64,
    /// Starts in the open slot.
    open: u32,
    /// The open slot (absolute, in units of `SLOT_NS`) and the time it ends.
    current: u64,
    end: Nanos,
}

impl Default for RecentStarts {
    fn default() -> Self {
        Self {
            slots: [0; SLOTS],
            closed: 0,
            open: 0,
            current: 0,
            end: SLOT_NS,
        }
    }
}

impl RecentStarts {
    /// Closes the open slot and forgets the slots that fell out of the last second.
    #[cold]
    fn roll(&mut self, now: Nanos) {
        let slot = now / SLOT_NS;
        let i = (self.current % SLOTS as u64) as usize;
        self.slots[i] = std::mem::take(&mut self.open);
        self.closed += u64::from(self.slots[i]);
        // The slots after the closed one up to the new one are reused: clear them, as
        // at most two contiguous runs of the ring (sparse traffic skips many slots per
        // start, and a loop per slot was 12% of a sparse trace's time).
        let steps = (slot - self.current).min(SLOTS as u64) as usize;
        let first = (i + 1) % SLOTS;
        let wrapped = (first + steps).saturating_sub(SLOTS);
        for run in [first..first + steps - wrapped, 0..wrapped] {
            let cleared: u64 = self.slots[run.clone()].iter().map(|&n| u64::from(n)).sum();
            self.closed -= cleared;
            self.slots[run].fill(0);
        }
        self.current = slot;
        self.end = (slot + 1).saturating_mul(SLOT_NS);
    }

    /// Counts a start at `now`.
    #[inline]
    pub(crate) fn record(&mut self, now: Nanos) {
        if now >= self.end {
            self.roll(now);
        }
        self.open += 1;
    }

    /// Starts in the last second (to 10 ms).
    pub(crate) fn count(&mut self, now: Nanos) -> u64 {
        if now >= self.end {
            self.roll(now);
        }
        self.closed + u64::from(self.open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_engine::NANOS_PER_SEC;

    #[test]
    fn counts_the_last_second_only() {
        let mut r = RecentStarts::default();
        for i in 0..100 {
            r.record(i * 10 * NANOS_PER_MS);
        }
        assert_eq!(r.count(995 * NANOS_PER_MS), 100);
        assert_eq!(
            r.count(NANOS_PER_SEC + 5 * NANOS_PER_MS),
            99,
            "the first slot dropped out"
        );
        assert_eq!(r.count(3 * NANOS_PER_SEC), 0);
        r.record(3 * NANOS_PER_SEC);
        assert_eq!(r.count(3 * NANOS_PER_SEC), 1);
    }

    proptest::proptest! {
        #[test]
        fn counts_the_starts_of_the_last_hundred_slots(
            steps in proptest::collection::vec(
                (proptest::prop_oneof![0u64..3 * SLOT_NS, 0u64..150 * SLOT_NS], proptest::bool::ANY),
                1..400,
            )
        ) {
            let mut r = RecentStarts::default();
            let (mut now, mut starts) = (0, Vec::new());
            for (gap, start) in steps {
                now += gap;
                if start {
                    r.record(now);
                    starts.push(now);
                }
                let slot = now / SLOT_NS;
                let want = starts.iter().filter(|&&t| t / SLOT_NS + SLOTS as u64 > slot).count();
                proptest::prop_assert_eq!(r.count(now), want as u64);
            }
        }
    }
}
