//! A cache hint for the hot loop.

/// Asks the CPU to start loading the cache line that holds `value`, and goes on
/// without waiting for it.
///
/// For data an upcoming event is known to need (the environment a completion will
/// free, the histogram bin an invocation will count into) while the current one is
/// handled. Unlike a plain read, a prefetch retires at once: an unused read that
/// misses every cache holds up everything after it until memory answers. A hint only:
/// it never changes a result, and it does nothing on targets other than x86-64.
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
    safe_arch::prefetch_t0(value);
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse")))]
    let _ = value;
}
