//! Which environments the request-rate rule holds after their invocation ended.
//!
//! With `rps_per_environment` > 0 an environment stays occupied until 1/rps after its
//! invocation started. A throttle is blamed on that rule (`rps_limit`) when one of the
//! function's environments is in that state right now: done invoking, not yet free.
//!
//! Holds end in the order their invocations started (the hold is the same length for
//! every environment), so the held environments form a queue. A monotonic deque over
//! that queue keeps the earliest invocation end among them in front: "is any
//! environment cooling?" is then one comparison, and each hold is pushed and popped
//! once, with no event of its own.

use lambdasim_engine::Nanos;
use std::collections::VecDeque;

#[derive(Default)]
pub(crate) struct Holds {
    /// (hold end, invocation end), hold ends increasing; invocation ends increasing too
    /// (entries with a later invocation end than a newer one are never the minimum).
    queue: VecDeque<(Nanos, Nanos)>,
    /// Holds not yet ended.
    count: u32,
}

impl Holds {
    /// An invocation ending at `invoke_end` holds its environment until `hold_end`.
    pub(crate) fn start(&mut self, invoke_end: Nanos, hold_end: Nanos) {
        while self.queue.back().is_some_and(|&(_, end)| end >= invoke_end) {
            self.queue.pop_back();
        }
        self.queue.push_back((hold_end, invoke_end));
        self.count += 1;
    }

    /// A hold ended at `now`.
    pub(crate) fn end(&mut self, now: Nanos) {
        self.count -= 1;
        while self
            .queue
            .front()
            .is_some_and(|&(hold_end, _)| hold_end <= now)
        {
            self.queue.pop_front();
        }
    }

    /// Whether some environment has finished its invocation but is still held.
    pub(crate) fn any_cooling(&self, now: Nanos) -> bool {
        self.queue
            .front()
            .is_some_and(|&(_, invoke_end)| invoke_end <= now)
    }

    /// Holds not yet ended (for invariant checks).
    pub(crate) fn count(&self) -> u32 {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cooling_is_seen_only_between_invocation_end_and_hold_end() {
        let mut h = Holds::default();
        h.start(50, 100); // starts at 0: invokes 50 ns, held to 100
        h.start(130, 110); // starts at 10: invokes 120 ns, no cooling before 130
        assert!(!h.any_cooling(49));
        assert!(h.any_cooling(50));
        h.end(100);
        assert!(
            !h.any_cooling(105),
            "the first hold is over, the second still invokes"
        );
        assert_eq!(h.count(), 1);
    }

    #[test]
    fn a_later_short_invocation_is_found_behind_a_long_one() {
        let mut h = Holds::default();
        h.start(95, 100); // starts at 0, invokes 95
        h.start(30, 120); // starts at 20, invokes 10: cooling from 30
        assert!(h.any_cooling(40));
        h.end(100);
        assert!(h.any_cooling(110));
        h.end(120);
        assert!(!h.any_cooling(121));
    }
}
