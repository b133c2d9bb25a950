//! Invocation starts over the last second, for telling a rate-limit throttle from a
//! concurrency-limit one.
//!
//! AWS limits invocation requests to 10 × the concurrency limit per second (facts
//! §2.4.1): 10 × reserved concurrency for a function that has it, 10 × the account
//! limit across the account otherwise. A throttle counts as `rps_limit` when the starts
//! in the last second reached that bound, and as the concurrency limit otherwise.
//!
//! Starts are counted in 100 slots of 10 ms: constant memory, at 10 ms resolution. A
//! start bumps the open slot's counter, and a slot that closes is stored in a ring
//! with the slot it belongs to, so that nothing is ever cleared: O(1) per start however
//! sparse the traffic. Counting (only when a request is throttled) sums the ring's
//! entries that are still inside the last second.

use lambdasim_engine::{NANOS_PER_MS, Nanos};

const SLOTS: usize = 100;
const SLOT_NS: Nanos = 10 * NANOS_PER_MS;

#[derive(Clone, Debug)]
#[repr(C)] // the open slot, which every start updates, first
pub(crate) struct RecentStarts {
    /// Starts in the open slot.
    open: u32,
    /// The open slot (absolute, in units of `SLOT_NS`) and the time it ends.
    current: u64,
    end: Nanos,
    /// Starts in closed slots, at the absolute slot modulo `SLOTS`...
    counts: [u32; SLOTS],
    /// ...and the absolute slot each entry belongs to (an entry of a slot more than a
    /// second old is stale and ignored).
    stamps: [u64; SLOTS],
}

impl Default for RecentStarts {
    fn default() -> Self {
        Self {
            counts: [0; SLOTS],
            stamps: [0; SLOTS],
            open: 0,
            current: 0,
            end: SLOT_NS,
        }
    }
}

impl RecentStarts {
    /// Stores the open slot in the ring and opens the one `now` is in.
    fn roll(&mut self, now: Nanos) {
        let i = (self.current % SLOTS as u64) as usize;
        self.counts[i] = std::mem::take(&mut self.open);
        self.stamps[i] = self.current;
        self.current = now / SLOT_NS;
        self.end = (self.current + 1).saturating_mul(SLOT_NS);
    }

    /// Counts a start at `now`.
    #[inline]
    pub(crate) fn record(&mut self, now: Nanos) {
        if now >= self.end {
            self.roll(now);
        }
        self.open += 1;
    }

    /// Starts in the last second (to 10 ms): the open slot and the 99 before it.
    pub(crate) fn count(&mut self, now: Nanos) -> u64 {
        if now >= self.end {
            self.roll(now);
        }
        let oldest = self.current.saturating_sub(SLOTS as u64 - 1);
        let closed: u64 = self
            .counts
            .iter()
            .zip(&self.stamps)
            .filter(|&(_, &stamp)| stamp >= oldest)
            .map(|(&n, _)| u64::from(n))
            .sum();
        closed + u64::from(self.open)
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
