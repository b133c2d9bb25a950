//! The request-rate limits on synchronous invocations.
//!
//! AWS limits synchronous invocation requests to 10 × the concurrency limit that
//! applies, per second: the account limit across the account, the reserved concurrency
//! of a function that has it, and the allocated provisioned concurrency of a version,
//! above which requests spill over to on-demand rather than being throttled (AWS Lambda
//! Developer Guide, "Lambda quotas" and "Understanding Lambda function scaling",
//! section "Understanding concurrency and requests per second"). AWS stresses that the
//! limit is an aggregate — "Lambda only considers overall concurrency and overall
//! requests per second" — not a per-environment cap, so it never holds an environment.
//!
//! Each limit is a token bucket (`scaling.rs`) holding one second of starts and
//! refilled continuously at the limit's rate: a steady rate up to the limit passes, and
//! a sustained rate above it is cut to the limit. How AWS meters the second is not
//! documented; a bucket of one second is the smallest that lets a full second's quota
//! through, and it keeps the admitted rate smooth (a sliding one-second window would
//! admit a whole second's quota in a burst and then nothing, over and over).

use super::scaling::TokenBucket;

/// A bucket for a limit of `per_unit` × `limit` starts a second, or `None` when
/// `per_unit` is 0 (the rule turned off).
pub(crate) fn rate_bucket(per_unit: f64, limit: u32) -> Option<TokenBucket> {
    let (burst, per_minute) = rate_size(per_unit, limit)?;
    Some(TokenBucket::with(burst, per_minute))
}

/// Resizes a provisioned rate bucket for `limit` environments (an allocation that
/// completed or a decrease).
pub(crate) fn resize_rate_bucket(
    bucket: &mut Option<TokenBucket>,
    now: lambdasim_engine::Nanos,
    per_unit: f64,
    limit: u32,
) {
    if let (Some(b), Some((burst, per_minute))) = (bucket.as_mut(), rate_size(per_unit, limit)) {
        b.resize(now, burst, per_minute);
    }
}

/// A limit's bucket size (one second of starts, at least one) and refill per minute.
fn rate_size(per_unit: f64, limit: u32) -> Option<(u64, u64)> {
    if per_unit <= 0.0 {
        return None;
    }
    let per_second = per_unit * f64::from(limit);
    let burst = (per_second.floor() as u64).max(1);
    Some((burst, (per_second * 60.0).round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_engine::{NANOS_PER_MS, NANOS_PER_SEC};

    #[test]
    fn a_limit_passes_one_second_of_starts_then_its_rate() {
        let mut b = rate_bucket(10.0, 100).unwrap();
        let first = (0..5000).filter(|_| b.try_take(0)).count();
        assert_eq!(first, 1000, "a second's quota at once");
        // 1,000 a second, continuously: one per millisecond.
        let next_second = (1..=1000)
            .filter(|&ms| b.try_take(ms * NANOS_PER_MS))
            .count();
        assert_eq!(next_second, 1000);
        assert!(!b.try_take(NANOS_PER_SEC), "nothing left over");
    }

    #[test]
    fn a_rate_of_zero_is_no_limit_and_a_tiny_one_still_admits() {
        assert!(rate_bucket(0.0, 1000).is_none());
        let mut b = rate_bucket(0.5, 1).unwrap();
        assert!(b.try_take(0));
        assert!(!b.try_take(NANOS_PER_SEC));
        assert!(b.try_take(2 * NANOS_PER_SEC));
    }

    #[test]
    fn a_resized_bucket_adds_the_new_share_full() {
        let mut bucket = rate_bucket(10.0, 10);
        let b = bucket.as_mut().unwrap();
        assert_eq!((0..1000).filter(|_| b.try_take(0)).count(), 100);
        resize_rate_bucket(&mut bucket, 0, 10.0, 20);
        let b = bucket.as_mut().unwrap();
        assert_eq!((0..1000).filter(|_| b.try_take(0)).count(), 100);
        resize_rate_bucket(&mut bucket, 0, 10.0, 5);
        let b = bucket.as_mut().unwrap();
        assert_eq!(
            (0..1000).filter(|_| b.try_take(NANOS_PER_SEC)).count(),
            50,
            "refilled at the smaller rate, up to the smaller size"
        );
    }
}
