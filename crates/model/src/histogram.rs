//! A bounded-memory latency histogram with at most 0.4% relative error.
//!
//! Values (nanoseconds) fall into log-linear bins: values below 256 have a bin each;
//! above, every power of two is split into 128 equal bins. A bin's midpoint is within
//! 1/256 of any value in it, which meets the 1 % bound `docs/model.md` promises with room
//! to spare, and the whole `u64` range needs under 7,300 bins whatever the number of
//! samples. Only the span of bins between the lowest and highest value seen is stored:
//! latencies within a factor of 30 of each other take about 3 KB, not 29 KB, which is
//! what lets 20,000 functions (three histograms each) fit in memory.

use std::collections::BTreeMap;

/// Sub-bins per power of two, as a power of two.
const SUB_BITS: u32 = 7;
const SUB: u64 = 1 << SUB_BITS;
/// Values below this get one exact bin each.
const LINEAR: u64 = 2 * SUB;
const BINS: usize = (LINEAR + (64 - SUB_BITS as u64 - 1) * SUB) as usize;

/// Counts of latencies by bin, plus the exact maximum.
///
/// Counts are `u32`, with the rare carries past `u32::MAX` kept aside: half the bytes
/// of `u64` counts, so the bins an invocation touches stay in cache even with a
/// hundred functions each recording into their own histogram.
#[derive(Clone, Debug)]
pub struct Histogram {
    /// Counts of bins `base..base + counts.len()`.
    counts: Vec<u32>,
    base: usize,
    /// Per bin, how many times its count wrapped past `u32::MAX` (usually empty).
    carries: BTreeMap<usize, u64>,
    total: u64,
    max: u64,
    /// Lowest and highest bins touched since the last clear, so that clearing a
    /// per-bucket histogram costs only the span it used.
    lo: usize,
    hi: usize,
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

fn bin_of(value: u64) -> usize {
    if value < LINEAR {
        return value as usize;
    }
    let exp = 63 - value.leading_zeros(); // ≥ SUB_BITS + 1
    let shift = exp - SUB_BITS;
    let sub = (value >> shift) - SUB; // in [0, SUB)
    (LINEAR + u64::from(shift - 1) * SUB + sub) as usize
}

/// The midpoint of a bin, the value reported for every sample in it.
fn bin_mid(bin: usize) -> f64 {
    let bin = bin as u64;
    if bin < LINEAR {
        return bin as f64;
    }
    let shift = (bin - LINEAR) / SUB + 1;
    let sub = (bin - LINEAR) % SUB;
    let low = (SUB + sub) << shift;
    low as f64 + ((1u64 << shift) as f64 - 1.0) / 2.0
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self {
            counts: Vec::new(),
            base: 0,
            carries: BTreeMap::new(),
            total: 0,
            max: 0,
            lo: BINS,
            hi: 0,
        }
    }

    /// Adds one value.
    #[inline]
    pub fn record(&mut self, value: u64) {
        let bin = bin_of(value);
        // A bin below the span wraps to a huge index: one test covers both ends.
        let Some(count) = self.counts.get_mut(bin.wrapping_sub(self.base)) else {
            self.cover(bin);
            self.add(bin, 1);
            self.note(value, bin);
            return;
        };
        let (count_now, wrapped) = count.overflowing_add(1);
        *count = count_now;
        if wrapped {
            self.carry(bin);
        }
        self.note(value, bin);
    }

    /// Keeps the total, the maximum and the span used up to date.
    #[inline]
    fn note(&mut self, value: u64, bin: usize) {
        self.total += 1;
        self.max = self.max.max(value);
        self.lo = self.lo.min(bin);
        self.hi = self.hi.max(bin);
    }

    /// Starts loading the bin `value` falls in into the cache, counting nothing, ahead
    /// of a `record` that will need it.
    #[inline]
    pub fn warm(&self, value: u64) {
        if let Some(count) = self.counts.get(bin_of(value).wrapping_sub(self.base)) {
            lambdasim_engine::prefetch(count);
        }
    }

    /// How many values were recorded.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The largest value recorded, exactly (0 when empty).
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The value at quantile `q` in [0, 1] (the smallest bin whose cumulative count
    /// reaches q × count), or NaN when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.total == 0 {
            return f64::NAN;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for bin in self.lo..=self.hi {
            seen += self.count_of(bin);
            if seen >= rank {
                return bin_mid(bin).min(self.max as f64);
            }
        }
        self.max as f64
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Self) {
        if other.total == 0 {
            return;
        }
        self.cover(other.lo);
        self.cover(other.hi);
        for bin in other.lo..=other.hi {
            self.add(bin, other.count_of(bin));
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
        self.lo = self.lo.min(other.lo);
        self.hi = self.hi.max(other.hi);
    }

    /// Counts a bin's wrap past `u32::MAX`.
    #[cold]
    #[inline(never)]
    fn carry(&mut self, bin: usize) {
        *self.carries.entry(bin).or_default() += 1;
    }

    /// The full count of a bin.
    fn count_of(&self, bin: usize) -> u64 {
        let carries = self.carries.get(&bin).copied().unwrap_or(0);
        let count = self.counts.get(bin.wrapping_sub(self.base)).copied();
        u64::from(count.unwrap_or(0)) + (carries << 32)
    }

    /// Adds `n` to the count of a bin in the span stored.
    fn add(&mut self, bin: usize, n: u64) {
        let count = &mut self.counts[bin - self.base];
        let low = u64::from(*count) + (n & u64::from(u32::MAX));
        *count = low as u32;
        let carries = (low >> 32) + (n >> 32);
        if carries > 0 {
            *self.carries.entry(bin).or_default() += carries;
        }
    }

    /// Widens the span of bins stored to include `bin`, by whole powers of two of
    /// latency (128 bins) so that a span grows a few times at most.
    #[cold]
    #[inline(never)]
    fn cover(&mut self, bin: usize) {
        let end = self.base + self.counts.len();
        if self.counts.is_empty() {
            self.base = bin - bin % SUB as usize;
        } else if bin >= self.base && bin < end {
            return;
        }
        let lo = self.base.min(bin - bin % SUB as usize);
        let hi = end.max((bin / SUB as usize + 1) * SUB as usize).min(BINS);
        let mut counts = vec![0; hi - lo];
        let old = self.base - lo;
        counts[old..old + self.counts.len()].copy_from_slice(&self.counts);
        self.counts = counts;
        self.base = lo;
    }

    /// Empties the histogram, touching only the bins used since the last clear (the
    /// span stored stays: a per-bucket histogram fills the same bins again).
    pub fn clear(&mut self) {
        if self.lo <= self.hi {
            self.counts[self.lo - self.base..=self.hi - self.base].fill(0);
        }
        self.carries.clear();
        self.total = 0;
        self.max = 0;
        self.lo = BINS;
        self.hi = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn warming_a_bin_counts_nothing() {
        let mut h = Histogram::new();
        h.record(5);
        for value in [0, 5, 1 << 40, u64::MAX] {
            h.warm(value);
        }
        assert_eq!((h.count(), h.max(), h.quantile(1.0)), (1, 5, 5.0));
    }

    #[test]
    fn bins_are_monotonic_and_in_range() {
        let mut values: Vec<u64> = (0..64u32)
            .flat_map(|e| [1u64 << e, (1u64 << e) + 1, (1u64 << e) | ((1u64 << e) - 1)])
            .chain([0, u64::MAX])
            .collect();
        values.sort_unstable();
        let bins: Vec<usize> = values.iter().map(|&v| bin_of(v)).collect();
        assert!(bins.windows(2).all(|w| w[0] <= w[1]), "bins not monotonic");
        assert!(bins.iter().all(|&b| b < BINS));
    }

    #[test]
    fn quantiles_of_a_uniform_range() {
        let mut h = Histogram::new();
        for v in 1..=100_000u64 {
            h.record(v * 1_000);
        }
        for (q, want) in [
            (0.5, 50_000_000.0),
            (0.9, 90_000_000.0),
            (0.99, 99_000_000.0),
        ] {
            let got = h.quantile(q);
            assert!((got / want - 1.0).abs() < 0.01, "q{q}: {got} vs {want}");
        }
        assert_eq!(h.max(), 100_000_000);
    }

    /// What lets 20,000 functions fit: an empty histogram stores no bin, and
    /// latencies from 50 ms to 2 s (a factor of 40) store 6 powers of two of bins,
    /// not all 7,300.
    #[test]
    fn only_the_span_of_values_seen_is_stored() {
        let mut h = Histogram::new();
        assert_eq!(h.counts.capacity(), 0);
        for ms in [50, 2000, 300, 75, 1999] {
            h.record(ms * 1_000_000);
        }
        assert_eq!(h.counts.len(), 6 * SUB as usize);
        h.clear();
        h.record(100_000_000);
        assert_eq!(h.counts.len(), 6 * SUB as usize, "clearing keeps the span");
    }

    #[test]
    fn clear_forgets_everything() {
        let mut h = Histogram::new();
        h.record(5);
        h.record(1 << 40);
        h.clear();
        assert_eq!(h.count(), 0);
        assert!(h.quantile(0.5).is_nan());
        assert!(h.counts.iter().all(|&c| c == 0));
    }

    #[test]
    fn counts_past_u32_max_carry_over() {
        // A bin one short of wrapping, then recorded and merged past it.
        let mut h = Histogram::new();
        let bin = bin_of(1_000);
        h.record(1_000);
        h.counts[bin - h.base] = u32::MAX;
        h.total = u64::from(u32::MAX);
        h.record(1_000);
        h.record(1_000);
        assert_eq!(h.count_of(bin), (1 << 32) + 1);
        let mut sum = Histogram::new();
        sum.merge(&h);
        sum.merge(&h);
        assert_eq!(sum.count_of(bin), 2 * ((1 << 32) + 1));
        assert_eq!(sum.count(), 2 * ((1 << 32) + 1));
        // One value elsewhere: the median is still the crowded bin.
        sum.record(1 << 40);
        assert!((sum.quantile(0.5) / 1_000.0 - 1.0).abs() < 0.01);
        sum.clear();
        assert_eq!(sum.count_of(bin), 0);
    }

    proptest! {
        /// The span stored grows at either end as values come in any order, and
        /// clearing keeps it: quantiles are those of the sorted values' bins.
        #[test]
        fn quantiles_match_the_sorted_values(
            rounds in prop::collection::vec(prop::collection::vec(0u64..1 << 50, 1..200), 1..3),
            q in 0.0f64..=1.0,
        ) {
            let mut h = Histogram::new();
            for values in rounds {
                h.clear();
                for &v in &values {
                    h.record(v);
                }
                let mut sorted = values.clone();
                sorted.sort_unstable();
                let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
                let max = *sorted.last().unwrap();
                let want = bin_mid(bin_of(sorted[rank - 1])).min(max as f64);
                prop_assert_eq!(h.quantile(q), want);
                prop_assert_eq!((h.count(), h.max()), (values.len() as u64, max));
            }
        }

        #[test]
        fn every_value_is_reported_within_half_a_percent(v in 0u64..u64::MAX / 2) {
            let mut h = Histogram::new();
            h.record(v);
            let got = h.quantile(0.5);
            let err = (got - v as f64).abs() / (v as f64).max(1.0);
            prop_assert!(err <= 1.0 / 256.0, "{} reported as {}", v, got);
        }
    }
}
