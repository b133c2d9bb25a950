//! Duration distributions for the Init and Invoke phases.

use lambdasim_engine::{Nanos, RngStream};
use rand::RngExt;
use rand_distr::{Distribution, Exp, LogNormal, Normal, StandardNormal};
use serde::{Serialize, Serializer};
use std::sync::Arc;

/// z-score of the 99th percentile of a standard normal distribution.
const Z_P99: f64 = 2.326_347_874_040_840_8;

/// A distribution of durations, all parameters in nanoseconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationDist {
    /// Always this long: draws no random numbers, so the run's other draws are the same
    /// whatever the value.
    Constant(Nanos),
    /// Memoryless: most durations short, a few long.
    Exponential {
        /// The mean; must be above 0.
        mean: Nanos,
    },
    /// Normal, truncated at 0 by resampling.
    Normal {
        /// The mean before truncation (must be above 0); with a wide `stddev` the
        /// drawn mean is higher.
        mean: Nanos,
        /// The standard deviation before truncation.
        stddev: Nanos,
    },
    /// Uniform over `[min, max]`, both included, in whole nanoseconds.
    Uniform {
        /// The shortest value; may equal `max`.
        min: Nanos,
        /// The longest value; may not be below `min`.
        max: Nanos,
    },
    /// Lognormal given by its median and 99th percentile.
    Lognormal {
        /// The median; must be above 0.
        median: Nanos,
        /// The 99th percentile; at least the median (equal: no spread at all).
        p99: Nanos,
    },
    /// Observed durations, each drawn with equal probability: the exact distribution
    /// of what was measured (REPORT lines, say), not a fitted guess.
    Empirical(Empirical),
}

/// Observed durations, sorted; at least one.
#[derive(Clone, Debug, PartialEq)]
pub struct Empirical(Arc<[Nanos]>);

impl Empirical {
    /// The values, in any order; `None` when there are none.
    pub fn new(mut values: Vec<Nanos>) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        values.sort_unstable();
        Some(Self(values.into()))
    }

    /// How many values were observed.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never: an empirical distribution has at least one value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value at quantile `q` in [0, 1] (the smallest whose rank reaches q × n).
    pub fn quantile(&self, q: f64) -> Nanos {
        let n = self.0.len();
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        self.0[rank - 1]
    }

    /// The mean of the values, in nanoseconds.
    pub fn mean(&self) -> f64 {
        self.0.iter().map(|&v| v as f64).sum::<f64>() / self.0.len() as f64
    }
}

/// Written as its count and quantiles rather than every value: `summary.json` echoes
/// the configuration, and a log of a million REPORT lines would swamp it.
impl Serialize for Empirical {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Empirical", 5)?;
        s.serialize_field("count", &self.len())?;
        s.serialize_field("min", &self.quantile(0.0))?;
        s.serialize_field("median", &self.quantile(0.5))?;
        s.serialize_field("p99", &self.quantile(0.99))?;
        s.serialize_field("max", &self.quantile(1.0))?;
        s.end()
    }
}

impl DurationDist {
    /// Checks the parameters and builds a sampler; the error says what is wrong.
    pub fn sampler(&self) -> Result<Sampler, String> {
        Ok(match *self {
            Self::Empirical(ref e) => Sampler::Empirical(e.0.clone()),
            Self::Constant(v) => Sampler::Constant(v),
            Self::Exponential { mean } => {
                if mean == 0 {
                    return Err("exponential mean must be above 0".into());
                }
                Sampler::Exponential(Exp::new(1.0 / mean as f64).map_err(|e| e.to_string())?)
            }
            Self::Normal { mean, stddev } => {
                if mean == 0 {
                    return Err("normal mean must be above 0".into());
                }
                let normal = Normal::new(mean as f64, stddev as f64).map_err(|e| e.to_string())?;
                Sampler::Normal(normal)
            }
            Self::Uniform { min, max } => {
                if max < min {
                    return Err(format!("uniform max ({max} ns) is below min ({min} ns)"));
                }
                Sampler::Uniform {
                    min,
                    span: max - min,
                }
            }
            Self::Lognormal { median, p99 } => {
                if median == 0 {
                    return Err("lognormal median must be above 0".into());
                }
                if p99 < median {
                    return Err("lognormal p99 must be at least the median".into());
                }
                let mu = (median as f64).ln();
                let sigma = ((p99 as f64).ln() - mu) / Z_P99;
                Sampler::Lognormal(LogNormal::new(mu, sigma).map_err(|e| e.to_string())?)
            }
        })
    }

    /// The distribution's mean in nanoseconds (before truncation for the normal).
    pub fn mean(&self) -> f64 {
        match *self {
            Self::Empirical(ref e) => e.mean(),
            Self::Constant(v) => v as f64,
            Self::Exponential { mean } | Self::Normal { mean, .. } => mean as f64,
            Self::Uniform { min, max } => (min as f64 + max as f64) / 2.0,
            Self::Lognormal { median, p99 } => {
                let sigma = ((p99 as f64).ln() - (median as f64).ln()) / Z_P99;
                median as f64 * (sigma * sigma / 2.0).exp()
            }
        }
    }
}

/// A validated, ready-to-sample distribution.
#[derive(Clone, Debug)]
pub enum Sampler {
    /// Returns the value without drawing.
    Constant(Nanos),
    /// Rate 1 / mean, per nanosecond.
    Exponential(Exp<f64>),
    /// The untruncated normal: [`Sampler::sample`] draws again below 0.
    Normal(Normal<f64>),
    /// `min` plus a uniform integer in `0..=span`.
    Uniform {
        /// The shortest value.
        min: Nanos,
        /// `max - min`; 0 draws nothing.
        span: Nanos,
    },
    /// The lognormal whose median and 99th percentile were given.
    Lognormal(LogNormal<f64>),
    /// One of the observed values, uniformly at random.
    Empirical(Arc<[Nanos]>),
}

/// Resampling a normal truncated at 0 with a positive mean succeeds with probability
/// at least 1/2 per try; after this many failures we return 0 rather than loop.
const MAX_NORMAL_TRIES: u32 = 64;

impl Sampler {
    /// Draws one duration.
    #[inline]
    pub fn sample(&self, rng: &mut RngStream) -> Nanos {
        match self {
            Self::Constant(v) => *v,
            Self::Exponential(d) => to_nanos(d.sample(rng)),
            Self::Normal(d) => (0..MAX_NORMAL_TRIES)
                .map(|_| normal(d, rng))
                .find(|x| *x >= 0.0)
                .map_or(0, to_nanos),
            Self::Uniform { min, span } => {
                if *span == 0 {
                    *min
                } else {
                    min + rng.random_range(0..=*span)
                }
            }
            Self::Lognormal(d) => lognormal(d, rng),
            Self::Empirical(values) => values[rng.random_range(0..values.len())],
        }
    }

    /// Fills `out` with draws, the same as drawing one by one: the distribution is
    /// chosen once for the batch, and its loop keeps several draws in flight.
    pub fn fill(&self, rng: &mut RngStream, out: &mut [Nanos]) {
        match self {
            Self::Lognormal(d) => out.fill_with(|| lognormal(d, rng)),
            Self::Exponential(d) => out.fill_with(|| to_nanos(d.sample(rng))),
            _ => out.fill_with(|| self.sample(rng)),
        }
    }
}

/// Draws a [`Lookahead`] makes at a time.
const AHEAD: usize = 32;

/// A sampler and its random stream that draw ahead, so that the caller can prepare for
/// a value one draw early (load the histogram bin it will count into, say), and so
/// that the draws are made in a tight loop of one distribution, a batch at a time.
/// The values, and their order, are exactly those of drawing on demand, each
/// multiplied by the scale if there is one.
#[derive(Clone, Debug)]
#[repr(C)] // the position, read by every draw, before the draws
pub(crate) struct Lookahead {
    pos: usize,
    /// Draws made; `ahead[pos]` is the next one.
    ahead: [Nanos; AHEAD],
    sampler: Sampler,
    rng: RngStream,
    /// What every draw is multiplied by (memory scaling); `None` keeps draws exact.
    scale: Option<f64>,
}

impl Lookahead {
    /// Draws the first batch; `scale` multiplies every draw (1 or `None`: unchanged).
    pub(crate) fn new(sampler: Sampler, rng: RngStream, scale: f64) -> Self {
        let mut ahead = Self {
            sampler,
            rng,
            ahead: [0; AHEAD],
            pos: 0,
            scale: (scale != 1.0).then_some(scale),
        };
        ahead.refill();
        ahead
    }

    /// Draws the next batch, scaled once for the batch, off the per-draw path.
    fn refill(&mut self) {
        self.sampler.fill(&mut self.rng, &mut self.ahead);
        if let Some(k) = self.scale {
            self.ahead.iter_mut().for_each(|v| *v = scaled(*v, k));
        }
    }

    /// A duration given rather than drawn (a trace's), scaled as the draws are.
    #[inline]
    pub(crate) fn scaled(&self, value: Nanos) -> Nanos {
        self.scale.map_or(value, |k| scaled(value, k))
    }

    /// The next value, which the following [`take`](Self::take) returns.
    #[inline]
    pub(crate) fn peek(&self) -> Nanos {
        self.ahead[self.pos % AHEAD]
    }

    /// The value after the next, or at the end of a batch a value already taken: a
    /// hint for preparing two draws ahead, never a draw to use.
    #[inline]
    pub(crate) fn peek_after(&self) -> Nanos {
        self.ahead[(self.pos + 1) % AHEAD]
    }

    /// Returns the next value, drawing the next batch when this one is used up.
    #[inline]
    pub(crate) fn take(&mut self) -> Nanos {
        let value = self.peek();
        self.pos += 1;
        if self.pos == AHEAD {
            self.refill();
            self.pos = 0;
        }
        value
    }
}

/// `value` multiplied by `k`, saturating as [`to_nanos`] does.
#[inline]
fn scaled(value: Nanos, k: f64) -> Nanos {
    to_nanos(value as f64 * k)
}

/// A lognormal draw, as `LogNormal::sample` makes it (exp of mean + σ × a standard
/// normal, the same arithmetic and so the same values) but with the standard normal
/// inlined: `LogNormal::sample` calls it out of line, a call per draw that cost
/// a sixth of the draw.
#[inline(always)]
fn lognormal(d: &LogNormal<f64>, rng: &mut RngStream) -> Nanos {
    to_nanos(d.from_zscore(StandardNormal.sample(rng)))
}

/// A normal draw, as `Normal::sample` makes it, with the standard normal inlined
/// (see [`lognormal`]).
#[inline(always)]
fn normal(d: &Normal<f64>, rng: &mut RngStream) -> f64 {
    d.from_zscore(StandardNormal.sample(rng))
}

/// Nanoseconds from a sampled value: `as` saturates (negative and NaN give 0), and
/// truncating a sub-nanosecond fraction is far below any duration's precision.
#[inline]
fn to_nanos(x: f64) -> Nanos {
    x as Nanos
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_engine::{NANOS_PER_MS, StreamKey};

    fn samples(dist: &DurationDist, n: usize) -> Vec<f64> {
        let sampler = dist.sampler().unwrap();
        let mut rng = RngStream::new(3, &StreamKey::new(["dist"]));
        (0..n).map(|_| sampler.sample(&mut rng) as f64).collect()
    }

    fn quantile(mut xs: Vec<f64>, q: f64) -> f64 {
        xs.sort_by(f64::total_cmp);
        xs[((xs.len() as f64 - 1.0) * q) as usize]
    }

    #[test]
    fn lognormal_hits_its_median_and_p99() {
        let d = DurationDist::Lognormal {
            median: 100 * NANOS_PER_MS,
            p99: 900 * NANOS_PER_MS,
        };
        let xs = samples(&d, 200_000);
        let median = quantile(xs.clone(), 0.5) / NANOS_PER_MS as f64;
        let p99 = quantile(xs, 0.99) / NANOS_PER_MS as f64;
        assert!((median - 100.0).abs() < 2.0, "median {median}");
        assert!((p99 - 900.0).abs() < 40.0, "p99 {p99}");
    }

    #[test]
    fn lognormal_draws_are_those_of_rand_distr() {
        let d = LogNormal::new(18.4, 0.94).unwrap(); // median about 100 ms
        let key = StreamKey::new(["dist"]);
        let (mut ours, mut theirs) = (RngStream::new(5, &key), RngStream::new(5, &key));
        for _ in 0..10_000 {
            assert_eq!(lognormal(&d, &mut ours), to_nanos(d.sample(&mut theirs)));
        }
    }

    #[test]
    fn normal_draws_are_those_of_rand_distr() {
        let d = Normal::new(1e8, 3e7).unwrap();
        let key = StreamKey::new(["dist"]);
        let (mut ours, mut theirs) = (RngStream::new(5, &key), RngStream::new(5, &key));
        for _ in 0..10_000 {
            assert_eq!(normal(&d, &mut ours), d.sample(&mut theirs));
        }
    }

    #[test]
    fn exponential_and_uniform_means() {
        let e = DurationDist::Exponential {
            mean: 2_000 * NANOS_PER_MS,
        };
        let mean = samples(&e, 200_000).iter().sum::<f64>() / 200_000.0;
        assert!((mean / 2e9 - 1.0).abs() < 0.01, "mean {mean}");
        let u = DurationDist::Uniform {
            min: 1_000,
            max: 3_000,
        };
        let xs = samples(&u, 10_000);
        assert!(xs.iter().all(|&x| (1_000.0..=3_000.0).contains(&x)));
        assert!((xs.iter().sum::<f64>() / 10_000.0 - 2_000.0).abs() < 30.0);
    }

    #[test]
    fn normal_is_truncated_at_zero() {
        let d = DurationDist::Normal {
            mean: 10,
            stddev: 1_000,
        };
        assert!(samples(&d, 10_000).iter().all(|&x| x >= 0.0));
    }

    #[test]
    fn lookahead_gives_the_draws_on_demand_in_order() {
        let ms = NANOS_PER_MS;
        for d in [
            DurationDist::Constant(7),
            DurationDist::Exponential { mean: 20 * ms },
            DurationDist::Normal {
                mean: 10,
                stddev: 1_000,
            },
            DurationDist::Uniform { min: 1, max: 9 },
            DurationDist::Lognormal {
                median: 100 * ms,
                p99: 900 * ms,
            },
        ] {
            let stream = || RngStream::new(5, &StreamKey::new(["dist"]));
            let mut ahead = Lookahead::new(d.sampler().unwrap(), stream(), 1.0);
            let (sampler, mut rng) = (d.sampler().unwrap(), stream());
            for _ in 0..1000 {
                let want = sampler.sample(&mut rng);
                assert_eq!(ahead.peek(), want, "{d:?}");
                assert_eq!(ahead.take(), want, "{d:?}");
            }
        }
    }

    #[test]
    fn a_scaled_lookahead_multiplies_every_draw_and_a_given_duration() {
        let d = DurationDist::Uniform {
            min: 1_000,
            max: 9_000,
        };
        let stream = || RngStream::new(5, &StreamKey::new(["dist"]));
        let mut plain = Lookahead::new(d.sampler().unwrap(), stream(), 1.0);
        let mut half = Lookahead::new(d.sampler().unwrap(), stream(), 0.5);
        for _ in 0..100 {
            assert_eq!(half.take(), plain.take() / 2);
        }
        assert_eq!((half.scaled(3_000), plain.scaled(3_001)), (1_500, 3_001));
    }

    #[test]
    fn invalid_parameters_are_rejected() {
        assert!(DurationDist::Exponential { mean: 0 }.sampler().is_err());
        assert!(DurationDist::Uniform { min: 5, max: 1 }.sampler().is_err());
        assert!(
            DurationDist::Lognormal { median: 10, p99: 5 }
                .sampler()
                .is_err()
        );
    }
}

#[cfg(test)]
mod empirical_tests {
    use super::*;
    use lambdasim_engine::StreamKey;

    #[test]
    fn an_empirical_distribution_draws_only_and_evenly_what_was_observed() {
        let dist = DurationDist::Empirical(Empirical::new(vec![30, 10, 20, 20]).unwrap());
        assert_eq!(dist.mean(), 20.0);
        let sampler = dist.sampler().unwrap();
        let mut rng = RngStream::new(7, &StreamKey::new(["empirical"]));
        let mut out = vec![0; 40_000];
        sampler.fill(&mut rng, &mut out);
        let count = |v| out.iter().filter(|&&x| x == v).count() as f64 / 40_000.0;
        assert!(out.iter().all(|v| [10, 20, 30].contains(v)));
        // 1/4, 1/2, 1/4, each within five standard errors.
        assert!((count(10) - 0.25).abs() < 0.011, "{}", count(10));
        assert!((count(20) - 0.5).abs() < 0.013, "{}", count(20));
        assert!((count(30) - 0.25).abs() < 0.011, "{}", count(30));
    }

    #[test]
    fn empirical_quantiles_are_observed_values_and_none_is_refused() {
        let e = Empirical::new((1..=100).rev().collect()).unwrap();
        assert_eq!(
            (
                e.quantile(0.0),
                e.quantile(0.5),
                e.quantile(0.99),
                e.quantile(1.0)
            ),
            (1, 50, 99, 100)
        );
        assert!(Empirical::new(Vec::new()).is_none());
        let json = serde_json::to_string(&DurationDist::Empirical(e)).unwrap();
        assert_eq!(
            json,
            r#"{"empirical":{"count":100,"min":1,"median":50,"p99":99,"max":100}}"#
        );
    }
}

/// A lognormal fitted to observed durations, and how far it is from them.
#[derive(Clone, Debug, PartialEq)]
pub struct LognormalFit {
    /// The fit, as a scenario writes it (median and 99th percentile).
    pub dist: DurationDist,
    /// The Kolmogorov–Smirnov distance: the largest gap between the observed and the
    /// fitted cumulative distributions (0: the same; above about 0.05, the shape is
    /// visibly off and the empirical distribution is the better input).
    pub ks_distance: f64,
}

/// Fits a lognormal by the mean and standard deviation of the logarithms (maximum
/// likelihood); `None` when a value is 0 (no logarithm) or all are equal.
pub fn fit_lognormal(observed: &Empirical) -> Option<LognormalFit> {
    let values = &observed.0;
    if values[0] == 0 {
        return None;
    }
    let n = values.len() as f64;
    let logs: Vec<f64> = values.iter().map(|&v| (v as f64).ln()).collect();
    let mu = logs.iter().sum::<f64>() / n;
    let sigma = (logs.iter().map(|l| (l - mu).powi(2)).sum::<f64>() / n).sqrt();
    if sigma.is_nan() || sigma <= 0.0 {
        return None;
    }
    let cdf = |l: f64| 0.5 * libm::erfc(-(l - mu) / (sigma * std::f64::consts::SQRT_2));
    let ks_distance = logs
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            let f = cdf(l);
            (f - i as f64 / n)
                .abs()
                .max((((i + 1) as f64) / n - f).abs())
        })
        .fold(0.0, f64::max);
    Some(LognormalFit {
        dist: DurationDist::Lognormal {
            median: to_nanos(mu.exp()),
            p99: to_nanos((mu + Z_P99 * sigma).exp()),
        },
        ks_distance,
    })
}

#[cfg(test)]
mod fit_tests {
    use super::*;
    use lambdasim_engine::StreamKey;

    #[test]
    fn a_lognormal_sample_fits_back_to_its_parameters_closely() {
        let truth = DurationDist::Lognormal {
            median: 100_000_000,
            p99: 900_000_000,
        };
        let mut rng = RngStream::new(3, &StreamKey::new(["fit"]));
        let mut draws = vec![0; 20_000];
        truth.sampler().unwrap().fill(&mut rng, &mut draws);
        let fit = fit_lognormal(&Empirical::new(draws).unwrap()).unwrap();
        let DurationDist::Lognormal { median, p99 } = fit.dist else {
            panic!("{fit:?}");
        };
        assert!((median as f64 / 1e8 - 1.0).abs() < 0.03, "{median}");
        assert!((p99 as f64 / 9e8 - 1.0).abs() < 0.05, "{p99}");
        assert!(fit.ks_distance < 0.015, "{}", fit.ks_distance);
    }

    #[test]
    fn a_two_peaked_sample_fits_badly_and_says_so() {
        let values = (0..1000).map(|i| {
            if i % 2 == 0 {
                10_000_000
            } else {
                1_000_000_000
            }
        });
        let fit = fit_lognormal(&Empirical::new(values.collect()).unwrap()).unwrap();
        assert!(fit.ks_distance > 0.2, "{}", fit.ks_distance);
        assert!(fit_lognormal(&Empirical::new(vec![5, 5]).unwrap()).is_none());
        assert!(fit_lognormal(&Empirical::new(vec![0, 5]).unwrap()).is_none());
    }
}
