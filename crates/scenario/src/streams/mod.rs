//! Traffic streams resolved from the scenario, and the arrival sources they open.
//!
//! A [`StreamSpec`] is plain data, checked once when the scenario loads; each run opens
//! fresh sources from it, so runs never share state.

mod burst;
mod constant;
mod even;
mod nhpp;
pub(crate) mod shapes;
mod timestamp;
mod trace;

pub(crate) use trace::{
    COARSE_PERIOD, CsvColumns, DEFAULT_REORDER, JsonFields, PeakToMean, Periods, Routes, Spread,
    Statistic, TimeUnit, TraceFile, TraceFormat, TraceSpec, epoch, matching_files, period, periods,
    validate_trace,
};

use crate::error::ScenarioError;
use lambdasim_engine::{Nanos, RngStream, StreamKey};
use lambdasim_model::{ArrivalSource, Traffic};
use shapes::Shape;
use std::sync::atomic::AtomicBool;

/// The span of simulated time a stream is active in: arrivals at `start` or later and
/// before `end` (already capped at the scenario duration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    pub start: Nanos,
    pub end: Nanos,
}

impl Window {
    /// The window's length in seconds.
    pub(crate) fn seconds(&self) -> f64 {
        lambdasim_engine::nanos_to_secs(self.end.saturating_sub(self.start))
    }

    /// Whether every time in `[start, start + width)` (`start` alone when `width` is 0)
    /// is inside the window.
    pub(crate) fn holds(&self, start: Nanos, width: Nanos) -> bool {
        start >= self.start && start.saturating_add(width.max(1)) <= self.end
    }
}

/// One traffic stream of one function.
#[derive(Clone, Debug)]
pub(crate) struct StreamSpec {
    /// Index of the function in the configuration.
    pub function: usize,
    /// Names the stream's random numbers: `[function, "traffic", index]`, so adding a
    /// function or a stream elsewhere leaves this stream's arrivals unchanged.
    pub key: StreamKey,
    pub kind: StreamKind,
}

/// What a stream generates, with `scale` already applied to rates and counts.
#[derive(Clone, Debug)]
pub(crate) enum StreamKind {
    /// Poisson arrivals at a rate that follows the shape (`poisson` is a flat shape).
    Poisson {
        shape: Shape,
        window: Window,
    },
    /// Evenly spaced arrivals following the shape (`arrivals: even`).
    Even {
        shape: Shape,
        window: Window,
    },
    /// `constant`: the first request at the window start, then one every 1/rate.
    Constant {
        rate: f64,
        window: Window,
    },
    Burst {
        at: Nanos,
        requests: u64,
    },
    Trace(Box<TraceSpec>),
}

impl StreamKind {
    /// The expected number of requests the stream generates, `None` for a trace.
    pub(crate) fn expected_requests(&self) -> Option<f64> {
        match self {
            Self::Poisson { shape, window } | Self::Even { shape, window } => {
                Some(integral(shape, *window))
            }
            Self::Constant { rate, window } => Some(rate * window.seconds()),
            Self::Burst { requests, .. } => Some(*requests as f64),
            Self::Trace(_) => None,
        }
    }
}

/// The integral of a shape's rate over a window, piece by piece.
fn integral(shape: &Shape, window: Window) -> f64 {
    let mut total = 0.0;
    let mut t = window.start;
    while t < window.end {
        let piece = shape.piece_at(t);
        total += piece.integral(piece.width(window.end));
        if piece.end <= t {
            break;
        }
        t = piece.end;
    }
    total
}

impl StreamSpec {
    /// The requests a trace stream replays in its window (`None` for a generated
    /// stream, or when `stop` was raised first): read from the file, row by row.
    pub(crate) fn trace_requests(&self, stop: &AtomicBool) -> Result<Option<f64>, ScenarioError> {
        let StreamKind::Trace(spec) = &self.kind else {
            return Ok(None);
        };
        let rng = RngStream::new(0, &self.key);
        trace::TraceSource::open(spec, rng)?.count_requests(stop)
    }

    /// Adds to `busy` (per function, in nanoseconds) the Invoke time of the stream's
    /// requests arriving before `span`: expected from the rate for a generated stream
    /// (at the function's mean duration, `times`), read from the file row by row for
    /// a trace (each request's own duration if it has one). Bursts add nothing (see
    /// `warm.rs`).
    pub(crate) fn first_busy_nanos(
        &self,
        span: Nanos,
        times: &[crate::warm::InvokeTime],
        busy: &mut [f64],
    ) -> Result<(), ScenarioError> {
        let f = self.function;
        match &self.kind {
            StreamKind::Poisson { shape, window } | StreamKind::Even { shape, window } => {
                if let Some(head) = crate::warm::head(*window, span) {
                    busy[f] += integral(shape, head) * times[f].mean;
                }
            }
            StreamKind::Constant { rate, window } => {
                if let Some(head) = crate::warm::head(*window, span) {
                    busy[f] += rate * head.seconds() * times[f].mean;
                }
            }
            StreamKind::Burst { .. } => {}
            StreamKind::Trace(spec) => {
                let rng = RngStream::new(0, &self.key);
                trace::TraceSource::open(spec, rng)?.busy_before(span, times, busy)?;
            }
        }
        Ok(())
    }

    /// A fresh source for one run under the run seed, with the functions it feeds.
    pub(crate) fn open(&self, seed: u64) -> Result<Traffic, ScenarioError> {
        let rng = RngStream::new(seed, &self.key);
        let source: Box<dyn ArrivalSource> = match &self.kind {
            StreamKind::Poisson { shape, window } => {
                Box::new(nhpp::NhppSource::new(rng, shape.clone(), *window))
            }
            StreamKind::Even { shape, window } => {
                Box::new(even::EvenSource::new(shape.clone(), *window))
            }
            StreamKind::Constant { rate, window } => {
                Box::new(constant::ConstantSource::new(*rate, *window))
            }
            StreamKind::Burst { at, requests } => Box::new(burst::BurstSource::new(*at, *requests)),
            StreamKind::Trace(spec) => {
                let source = trace::TraceSource::open(spec, rng)?;
                return Ok(Traffic {
                    targets: source.targets(),
                    source: Box::new(source),
                });
            }
        };
        Ok(Traffic {
            targets: vec![self.function],
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_engine::NANOS_PER_SEC;
    use lambdasim_model::Arrival;

    fn drain(spec: &StreamSpec, seed: u64) -> Vec<Arrival> {
        let mut source = spec.open(seed).unwrap().source;
        std::iter::from_fn(|| source.next_arrival().unwrap()).collect()
    }

    fn spec(kind: StreamKind) -> StreamSpec {
        StreamSpec {
            function: 0,
            key: StreamKey::new(["f", "traffic", "0"]),
            kind,
        }
    }

    fn window(start_s: u64, end_s: u64) -> Window {
        Window {
            start: start_s * NANOS_PER_SEC,
            end: end_s * NANOS_PER_SEC,
        }
    }

    #[test]
    fn poisson_count_matches_rate_times_window() {
        let arrivals = drain(
            &spec(StreamKind::Poisson {
                shape: Shape::flat(50.0),
                window: window(100, 1100),
            }),
            1,
        );
        // 50,000 expected; the standard deviation is about 224.
        let n = arrivals.len() as f64;
        assert!((n - 50_000.0).abs() < 5.0 * 224.0, "{n}");
        assert!(arrivals.windows(2).all(|w| w[0].time <= w[1].time));
        assert!(arrivals.first().unwrap().time >= 100 * NANOS_PER_SEC);
        assert!(arrivals.last().unwrap().time < 1100 * NANOS_PER_SEC);
    }

    #[test]
    fn poisson_is_reproducible_and_rate_zero_is_silent() {
        let s = spec(StreamKind::Poisson {
            shape: Shape::flat(5.0),
            window: window(0, 100),
        });
        assert_eq!(drain(&s, 9), drain(&s, 9));
        assert_ne!(drain(&s, 9), drain(&s, 10));
        let silent = spec(StreamKind::Poisson {
            shape: Shape::flat(0.0),
            window: window(0, 100),
        });
        assert!(drain(&silent, 9).is_empty());
    }

    #[test]
    fn constant_spacing_is_exact() {
        let arrivals = drain(
            &spec(StreamKind::Constant {
                rate: 4.0,
                window: window(10, 20),
            }),
            0,
        );
        assert_eq!(arrivals.len(), 40);
        for (k, a) in arrivals.iter().enumerate() {
            assert_eq!(a.time, 10 * NANOS_PER_SEC + k as u64 * NANOS_PER_SEC / 4);
        }
        let third = drain(
            &spec(StreamKind::Constant {
                rate: 3.0,
                window: window(0, 1_000_000),
            }),
            0,
        );
        assert_eq!(third.len(), 3_000_000);
        assert_eq!(third[2_999_999].time, 999_999_666_666_667);
    }

    #[test]
    fn burst_arrives_at_one_instant() {
        let arrivals = drain(
            &spec(StreamKind::Burst {
                at: 30 * NANOS_PER_SEC,
                requests: 1000,
            }),
            0,
        );
        assert_eq!(arrivals.len(), 1000);
        assert!(arrivals.iter().all(|a| a.time == 30 * NANOS_PER_SEC));
    }
}
