//! Spreading one trace row's requests over its interval: uniformly at random (the
//! default) or evenly, flat or with a peak (`peak_to_mean:`).

use lambdasim_engine::{Nanos, RngStream};
use lambdasim_model::Arrival;
use rand_distr::{Distribution, Exp1, StandardUniform};

/// How a per-interval row's requests are placed inside the interval (`spread:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Spread {
    /// Independent uniform times, produced already sorted.
    Random,
    /// Request i of n at `start + i·width/n`.
    Even,
}

/// A peak inside each interval, for a coarse trace whose sums hide one: the rate is
/// `factor` times the interval's mean over a window of 1/(factor + 1) of it, placed
/// uniformly at random in each interval, and the mean divided by `factor` elsewhere.
/// The interval keeps its count; the highest rate inside it is `factor` times its mean,
/// and `factor` 1 is flat.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct PeakToMean(pub f64);

impl PeakToMean {
    /// A window for one interval, its place drawn from `rng`.
    fn window(self, rng: &mut RngStream) -> PeakWindow {
        let share = 1.0 / (self.0 + 1.0);
        let at: f64 = StandardUniform.sample(rng);
        PeakWindow {
            factor: self.0,
            start: at * (1.0 - share),
            share,
        }
    }
}

/// One interval's peak: from `start` for `share` of the interval (both as shares of
/// it), at `factor` times the mean rate.
#[derive(Clone, Copy, Debug, PartialEq)]
struct PeakWindow {
    factor: f64,
    start: f64,
    share: f64,
}

impl PeakWindow {
    /// Where the request at `u` of a flat spread (a share of the interval) falls with
    /// the peak: the inverse of the peaked rate's cumulative share, so that flat
    /// requests in order stay in order.
    fn warp(&self, u: f64) -> f64 {
        let p = self.factor;
        let before = self.start / p;
        let inside = self.share * p;
        if u < before {
            u * p
        } else if u < before + inside {
            self.start + (u - before) / p
        } else {
            self.start + self.share + (u - before - inside) * p
        }
    }
}

/// A random-spread row of at most this many requests keeps the running sums of its
/// spacings (8 bytes each, 2 MB at most) instead of drawing every spacing twice.
const KEPT_SUMS: u64 = 1 << 18;

/// The requests of one row not yet emitted.
pub(super) struct Pending {
    pub start: Nanos,
    /// Width the requests are spread over (0 for a per-request row).
    pub width: Nanos,
    pub total: u64,
    pub emitted: u64,
    pub duration: Option<Nanos>,
    pub target: u32,
    /// For a random spread of a row that keeps its sums: the width over the sum of all
    /// `total + 1` spacings...
    scale: f64,
    /// ...and of a longer row: the logarithm of the share of the interval after the
    /// last request emitted.
    log_left: f64,
    /// Rows of up to this many requests keep their sums (`KEPT_SUMS`; a field so that
    /// tests can compare both ways).
    keep_up_to: u64,
    /// S₁ … Sₙ of a random spread's row that keeps its sums (else empty).
    sums: Vec<f64>,
    /// The row's peak, when the trace gives `peak_to_mean:`.
    peak: Option<PeakWindow>,
}

impl Pending {
    /// A row of `total` requests; `sums` is a buffer to reuse (its contents are
    /// dropped), from the previous row's [`into_sums`](Self::into_sums).
    pub(super) fn new(start: Nanos, width: Nanos, total: u64, mut sums: Vec<f64>) -> Self {
        sums.clear();
        Self {
            start,
            width,
            total,
            emitted: 0,
            duration: None,
            target: 0,
            scale: 0.0,
            log_left: 0.0,
            keep_up_to: KEPT_SUMS,
            sums,
            peak: None,
        }
    }

    /// Gives the row a peak, placed by `rng` (a row of one instant has none).
    pub(super) fn with_peak(mut self, peak: Option<PeakToMean>, rng: &mut RngStream) -> Self {
        if self.width > 0 {
            self.peak = peak.map(|p| p.window(rng));
        }
        self
    }

    /// `offset` of a flat spread moved by the row's peak, if it has one.
    #[inline]
    fn peaked(&self, offset: Nanos) -> Nanos {
        match &self.peak {
            None => offset,
            Some(peak) => {
                let u = offset as f64 / self.width as f64;
                ((peak.warp(u) * self.width as f64) as Nanos).min(self.width - 1)
            }
        }
    }

    /// The row's buffer, for the next row to reuse.
    pub(super) fn into_sums(self) -> Vec<f64> {
        self.sums
    }

    /// The next request's time (the caller checks that requests remain).
    ///
    /// Random, a row of up to `KEPT_SUMS` requests: with E₁ … Eₙ₊₁ independent
    /// exponentials and Sₖ = E₁ + … + Eₖ, the ratios S₁/Sₙ₊₁ < … < Sₙ/Sₙ₊₁ have exactly
    /// the distribution of n sorted independent uniforms on `[0, 1)`; the n + 1
    /// spacings are drawn at the row's first request and S₁ … Sₙ kept. A longer row
    /// draws each next uniform as the smallest of the k still to come, in O(1) each
    /// with no pass ahead (which, for a row of 2^53 requests, never ended): the share
    /// of the interval left after it shrinks by a factor e^(−E/k).
    pub(super) fn next_time(&mut self, spread: Spread, rng: &mut RngStream) -> Nanos {
        let offset = match spread {
            _ if self.width == 0 => 0,
            Spread::Even => {
                let offset =
                    u128::from(self.width) * u128::from(self.emitted) / u128::from(self.total);
                offset as Nanos
            }
            Spread::Random => {
                if self.emitted == 0 {
                    self.begin_random(rng);
                }
                if self.keeps_sums() {
                    self.random_offset(self.sums[self.emitted as usize])
                } else {
                    self.next_smallest(rng)
                }
            }
        };
        self.emitted += 1;
        self.start.saturating_add(self.peaked(offset))
    }

    /// Whether the row keeps S₁ … Sₙ (drawn once) rather than drawing again.
    fn keeps_sums(&self) -> bool {
        self.total <= self.keep_up_to
    }

    /// Before the first request of a row that keeps its sums: draws S₁ … Sₙ₊₁ and
    /// keeps S₁ … Sₙ. A longer row needs nothing ahead.
    fn begin_random(&mut self, rng: &mut RngStream) {
        if !self.keeps_sums() {
            return;
        }
        let mut sum = 0.0;
        self.sums.extend((0..self.total).map(|_| {
            let spacing: f64 = Exp1.sample(rng);
            sum += spacing;
            sum
        }));
        let last: f64 = Exp1.sample(rng);
        self.scale = self.width as f64 / (sum + last);
    }

    /// The offset of the request whose spacings add up to `spacings`.
    #[inline]
    fn random_offset(&self, spacings: f64) -> Nanos {
        ((spacings * self.scale) as Nanos).min(self.width - 1)
    }

    /// The next request of a row too long to keep its sums: the smallest of the
    /// `total − emitted` uniforms still to come in what is left of the interval.
    #[inline]
    fn next_smallest(&mut self, rng: &mut RngStream) -> Nanos {
        let spacing: f64 = Exp1.sample(rng);
        self.log_left -= spacing / (self.total - self.emitted) as f64;
        let share = -self.log_left.exp_m1();
        ((share * self.width as f64) as Nanos).min(self.width - 1)
    }

    /// Whether every request has been emitted.
    pub(super) fn is_done(&self) -> bool {
        self.emitted >= self.total
    }

    /// Appends the row's next requests to `out` until it holds `max` or the row is
    /// done, the same draws as [`next_time`](Self::next_time) one at a time: for a row
    /// wholly inside the stream's window, whose requests need no window check.
    pub(super) fn emit(
        &mut self,
        spread: Spread,
        rng: &mut RngStream,
        out: &mut Vec<Arrival>,
        max: usize,
    ) {
        if spread == Spread::Random && self.width > 0 {
            self.emit_random(rng, out, max);
            return;
        }
        while out.len() < max && !self.is_done() {
            let time = self.next_time(spread, rng);
            out.push(Arrival {
                time,
                duration: self.duration,
                target: self.target,
            });
        }
    }

    /// [`emit`](Self::emit) for a random spread: [`next_time`](Self::next_time)'s
    /// draws in a loop of their own, with the row's first and last request handled
    /// outside it.
    fn emit_random(&mut self, rng: &mut RngStream, out: &mut Vec<Arrival>, max: usize) {
        let n = (max.saturating_sub(out.len()) as u64).min(self.total - self.emitted);
        if n == 0 {
            return;
        }
        if self.emitted == 0 {
            self.begin_random(rng);
        }
        let (start, duration, target) = (self.start, self.duration, self.target);
        let arrival = |offset| Arrival {
            time: start.saturating_add(offset),
            duration,
            target,
        };
        if self.keeps_sums() {
            let from = self.emitted as usize;
            let sums = &self.sums[from..from + n as usize];
            out.extend(
                sums.iter()
                    .map(|&sum| arrival(self.peaked(self.random_offset(sum)))),
            );
            self.emitted += n;
            return;
        }
        for _ in 0..n {
            let offset = self.next_smallest(rng);
            out.push(arrival(self.peaked(offset)));
            self.emitted += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_engine::StreamKey;

    /// Two rows of `n` random-spread requests, one at a time or in batches of
    /// `batch`, keeping sums or drawing twice: their times, then the stream's next draw.
    fn rows(n: u64, keep: bool, batch: Option<usize>) -> (Vec<Nanos>, u64) {
        let mut rng = RngStream::new(3, &StreamKey::new(["spread"]));
        let mut times = Vec::new();
        for row in 0..2 {
            let mut pending = Pending::new(row * 1_000_000, 1_000_000, n, Vec::new());
            pending.keep_up_to = if keep { u64::MAX } else { 0 };
            let mut out = Vec::new();
            while !pending.is_done() {
                match batch {
                    Some(max) => {
                        let until = out.len() + max;
                        pending.emit(Spread::Random, &mut rng, &mut out, until);
                    }
                    None => times.push(pending.next_time(Spread::Random, &mut rng)),
                }
            }
            times.extend(out.iter().map(|a| a.time));
        }
        let next: f64 = Exp1.sample(&mut rng);
        (times, next.to_bits())
    }

    #[test]
    fn batches_give_the_times_of_one_at_a_time_either_way() {
        for keep in [true, false] {
            let single = rows(500, keep, None);
            for batch in [Some(1), Some(7), Some(1000)] {
                assert_eq!(
                    rows(500, keep, batch),
                    single,
                    "keep {keep}, batches {batch:?}"
                );
            }
            assert_eq!(single.0.len(), 1000);
            assert!(single.0.windows(2).all(|w| w[0] <= w[1]));
            let (first, second) = single.0.split_at(500);
            assert!(first.iter().all(|&t| t < 1_000_000));
            assert!(second.iter().all(|&t| (1_000_000..2_000_000).contains(&t)));
        }
    }

    #[test]
    fn a_long_row_is_uniform_over_its_interval() {
        // Sorted uniforms drawn one by one as the smallest of those left: their
        // deciles are those of a uniform, within sampling error (n = 100,000: the
        // share below a point p has standard deviation under 0.0016).
        let (times, _) = rows(100_000, false, Some(4096));
        let row: Vec<u64> = times[..100_000].to_vec();
        for decile in 1..10u64 {
            let below = row.iter().filter(|&&t| t < decile * 100_000).count() as f64;
            let share = below / 100_000.0;
            assert!(
                (share - decile as f64 / 10.0).abs() < 0.008,
                "decile {decile}: {share}"
            );
        }
    }

    #[test]
    fn a_huge_row_starts_at_once() {
        // 2^53 requests: the first comes without a pass over all of them.
        let mut rng = RngStream::new(1, &StreamKey::new(["spread"]));
        let mut pending = Pending::new(0, 60_000_000_000, 1 << 53, Vec::new());
        let first = pending.next_time(Spread::Random, &mut rng);
        let second = pending.next_time(Spread::Random, &mut rng);
        assert!(first <= second && second < 1_000, "{first} {second}");
    }

    #[test]
    fn a_peak_keeps_the_count_and_rate_ratio_and_order() {
        // factor 4: 4 times the mean over a fifth of the interval, a quarter of it
        // elsewhere. 100,000 requests in 1 s, in batches and one at a time alike.
        let peak = Some(PeakToMean(4.0));
        for even in [false, true] {
            let spread = if even { Spread::Even } else { Spread::Random };
            let mut rng = RngStream::new(5, &StreamKey::new(["spread"]));
            let mut pending =
                Pending::new(0, 1_000_000_000, 100_000, Vec::new()).with_peak(peak, &mut rng);
            let window = pending.peak.unwrap();
            assert_eq!(window.share, 0.2);
            let mut out = Vec::new();
            pending.emit(spread, &mut rng, &mut out, usize::MAX);
            let times: Vec<u64> = out.iter().map(|a| a.time).collect();
            assert_eq!(times.len(), 100_000);
            assert!(times.windows(2).all(|w| w[0] <= w[1]), "in order");
            let from = (window.start * 1e9) as u64;
            let to = ((window.start + window.share) * 1e9) as u64;
            let inside = times.iter().filter(|&&t| (from..to).contains(&t)).count() as f64;
            // 4 x 0.2 = 80 % of the requests in the peak's fifth.
            assert!((inside / 100_000.0 - 0.8).abs() < 0.01, "{even}: {inside}");
        }
    }

    #[test]
    fn the_warp_is_continuous_monotone_and_ends_at_the_interval() {
        let w = PeakToMean(3.0).window(&mut RngStream::new(1, &StreamKey::new(["p"])));
        let points: Vec<f64> = (0..=1000).map(|i| w.warp(f64::from(i) / 1000.0)).collect();
        assert_eq!(points[0], 0.0);
        assert!((points[1000] - 1.0).abs() < 1e-12);
        assert!(
            points
                .windows(2)
                .all(|p| p[0] <= p[1] && p[1] - p[0] < 0.01)
        );
        // Factor 1 is flat: the identity.
        let flat = PeakToMean(1.0).window(&mut RngStream::new(1, &StreamKey::new(["p"])));
        assert!((flat.warp(0.37) - 0.37).abs() < 1e-12);
    }
}
