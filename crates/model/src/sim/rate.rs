//! Invocation starts over the last second, for telling a rate-limit throttle from a
//! concurrency-limit one.
//!
//! AWS limits invocation requests to 10 × the concurrency limit per second (facts
//! §2.4.1): 10 × reserved concurrency for a function that has it, 10 × the account
//! limit across the account otherwise. A throttle counts as `rps_limit` when the starts
//! in the last second reached that bound, and as the concurrency limit otherwise.
//!
//! Starts are counted in 100 slots of 10 ms with a running sum: constant memory and
//! O(1) per start, at 10 ms resolution.

use lambdasim_engine::{NANOS_PER_MS, Nanos};

const SLOTS: usize = 100;
const SLOT_NS: Nanos = 10 * NANOS_PER_MS;

#[derive(Clone, Debug)]
pub(crate) struct RecentStarts {
    slots: [u32; SLOTS],
    sum: u64,
    /// The slot (absolute, in units of `SLOT_NS`) that counts starts now.
    current: u64,
}

impl Default for RecentStarts {
    fn default() -> Self {
        Self {
            slots: [0; SLOTS],
            sum: 0,
            current: 0,
        }
    }
}

impl RecentStarts {
    /// Forgets the slots that fell out of the last second.
    #[inline]
    fn advance(&mut self, now: Nanos) {
        let slot = now / SLOT_NS;
        if slot == self.current {
            return;
        }
        let steps = (slot - self.current).min(SLOTS as u64);
        for k in 1..=steps {
            let i = ((self.current + k) % SLOTS as u64) as usize;
            self.sum -= u64::from(self.slots[i]);
            self.slots[i] = 0;
        }
        self.current = slot;
    }

    /// Counts a start at `now`.
    #[inline]
    pub(crate) fn record(&mut self, now: Nanos) {
        self.advance(now);
        self.slots[(self.current % SLOTS as u64) as usize] += 1;
        self.sum += 1;
    }

    /// Starts in the last second (to 10 ms).
    pub(crate) fn count(&mut self, now: Nanos) -> u64 {
        self.advance(now);
        self.sum
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
}
