//! Simulated time: unsigned integer nanoseconds since the start of the run.
//!
//! Integers keep event ordering exact and runs reproducible on every machine; `u64`
//! nanoseconds cover about 584 years, far beyond any scenario.

/// A point in simulated time, or a span of it, in nanoseconds.
pub type Nanos = u64;

/// Nanoseconds in one millisecond.
pub const NANOS_PER_MS: Nanos = 1_000_000;
/// Nanoseconds in one second.
pub const NANOS_PER_SEC: Nanos = 1_000_000_000;

/// Converts seconds to nanoseconds, rounding to the nearest nanosecond.
///
/// Negative and NaN inputs become 0 and huge ones saturate, so that sampled values can
/// never wrap around the clock.
pub fn secs_to_nanos(secs: f64) -> Nanos {
    let ns = (secs * NANOS_PER_SEC as f64).round();
    if ns.is_nan() || ns <= 0.0 {
        0
    } else if ns >= u64::MAX as f64 {
        u64::MAX
    } else {
        ns as u64
    }
}

/// Converts nanoseconds to (fractional) seconds.
pub fn nanos_to_secs(ns: Nanos) -> f64 {
    ns as f64 / NANOS_PER_SEC as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_whole_and_fractional_seconds() {
        assert_eq!(secs_to_nanos(1.5), 1_500_000_000);
        assert_eq!(secs_to_nanos(0.000_000_001), 1);
        assert_eq!(nanos_to_secs(2_500_000_000), 2.5);
    }

    #[test]
    fn clamps_invalid_inputs() {
        assert_eq!(secs_to_nanos(-3.0), 0);
        assert_eq!(secs_to_nanos(f64::NAN), 0);
        assert_eq!(secs_to_nanos(1e30), u64::MAX);
    }
}
