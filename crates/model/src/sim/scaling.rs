//! The token bucket that rate-limits new execution environments (AWS Lambda Developer
//! Guide, "Lambda scaling behavior", and for the legacy rule its 2022 "Lambda function
//! scaling": `docs/model.md`, Sources), and invocation starts (see `rate.rs`).
//!
//! Tokens are kept in exact integer units of 1/60,000,000,000 of a token, so that a
//! refill given in tokens per minute adds exactly that many units per nanosecond:
//! the bucket never drifts, whatever the run length.

use crate::config::ScalingConfig;
use lambdasim_engine::Nanos;

/// Units per token: nanoseconds per minute.
const UNIT: u64 = 60 * 1_000_000_000;

#[derive(Clone, Debug)]
pub(crate) struct TokenBucket {
    level: u64,
    capacity: u64,
    refill_per_ns: u64,
    last: Nanos,
}

impl TokenBucket {
    /// A full bucket for new environments.
    pub(crate) fn new(config: &ScalingConfig) -> Self {
        Self::with(config.burst, config.refill_per_minute)
    }

    /// A full bucket of `burst` tokens, refilled by `refill_per_minute`.
    pub(crate) fn with(burst: u64, refill_per_minute: u64) -> Self {
        let capacity = burst.saturating_mul(UNIT);
        Self {
            level: capacity,
            capacity,
            refill_per_ns: refill_per_minute,
            last: 0,
        }
    }

    /// Changes the bucket's size at `now`: tokens added to the capacity come full (the
    /// share of what was added), and a smaller bucket keeps at most its capacity.
    pub(crate) fn resize(&mut self, now: Nanos, burst: u64, refill_per_minute: u64) {
        self.refill(now);
        let capacity = burst.saturating_mul(UNIT);
        let added = capacity.saturating_sub(self.capacity);
        self.level = self.level.saturating_add(added).min(capacity);
        self.capacity = capacity;
        self.refill_per_ns = refill_per_minute;
    }

    fn refill(&mut self, now: Nanos) {
        let added = (now - self.last).saturating_mul(self.refill_per_ns);
        self.level = self.level.saturating_add(added).min(self.capacity);
        self.last = now;
    }

    /// Takes one token if one is available at `now`.
    pub(crate) fn try_take(&mut self, now: Nanos) -> bool {
        if self.ready(now) {
            self.spend();
            true
        } else {
            false
        }
    }

    /// Whether a token is available at `now`, without taking it: for a limit checked
    /// before it is known whether the request will start at all.
    #[inline(always)]
    pub(crate) fn ready(&mut self, now: Nanos) -> bool {
        if now != self.last {
            self.refill(now);
        }
        self.level >= UNIT
    }

    /// Takes the token [`ready`](Self::ready) found, at the same instant.
    #[inline(always)]
    pub(crate) fn spend(&mut self) {
        self.level -= UNIT;
    }

    /// When the next whole token is available, from `now` (`Nanos::MAX`: never).
    pub(crate) fn ready_at(&self, now: Nanos) -> Nanos {
        let mut copy = self.clone();
        copy.refill(now.max(self.last));
        let missing = UNIT.saturating_sub(copy.level);
        if missing == 0 {
            return now;
        }
        if self.refill_per_ns == 0 {
            return Nanos::MAX;
        }
        copy.last
            .saturating_add(missing.div_ceil(self.refill_per_ns))
    }

    /// Whole tokens available at `now` (for invariant checks).
    pub(crate) fn tokens_at(&self, now: Nanos) -> u64 {
        let mut copy = self.clone();
        copy.refill(now.max(self.last));
        copy.level / UNIT
    }

    pub(crate) fn capacity_tokens(&self) -> u64 {
        self.capacity / UNIT
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_engine::NANOS_PER_SEC;

    #[test]
    fn full_burst_then_continuous_refill() {
        let mut b = TokenBucket::new(&ScalingConfig::PER_FUNCTION);
        let taken = (0..5000).filter(|_| b.try_take(0)).count();
        assert_eq!(taken, 1000);
        // 100 per second, continuously: 10 ms buys one token.
        assert!(!b.try_take(9_999_999));
        assert!(b.try_take(10_000_000));
        let in_ten_seconds = (0..5000).filter(|_| b.try_take(10 * NANOS_PER_SEC)).count();
        assert_eq!(in_ten_seconds, 999);
    }

    #[test]
    fn unused_rate_does_not_accrue_beyond_the_burst() {
        let mut b = TokenBucket::new(&ScalingConfig::PER_FUNCTION);
        let after_an_hour = (0..5000)
            .filter(|_| b.try_take(3600 * NANOS_PER_SEC))
            .count();
        assert_eq!(after_an_hour, 1000);
    }

    #[test]
    fn legacy_refills_500_per_minute() {
        let mut b = TokenBucket::new(&ScalingConfig::legacy("us-east-1"));
        assert_eq!((0..10_000).filter(|_| b.try_take(0)).count(), 3000);
        let minute = 60 * NANOS_PER_SEC;
        assert_eq!((0..10_000).filter(|_| b.try_take(minute)).count(), 500);
    }
}
