//! Helpers for the model's integration tests: tiny configurations and arrival lists.
#![allow(dead_code)]

use lambdasim_engine::{NANOS_PER_MS, NANOS_PER_SEC, Nanos, RngStream, StreamKey};
use lambdasim_model::*;

pub const MS: Nanos = NANOS_PER_MS;
pub const S: Nanos = NANOS_PER_SEC;

/// Arrivals from a list.
pub struct ListSource(pub std::vec::IntoIter<Arrival>);

impl ArrivalSource for ListSource {
    fn next_arrival(&mut self) -> Result<Option<Arrival>, SourceError> {
        Ok(self.0.next())
    }
}

/// Poisson arrivals at `rate` per second.
pub struct PoissonSource {
    pub rng: RngStream,
    pub rate: f64,
    pub t: f64,
}

impl ArrivalSource for PoissonSource {
    fn next_arrival(&mut self) -> Result<Option<Arrival>, SourceError> {
        self.t += -self.rng.open01().ln() / self.rate;
        Ok(Some(Arrival {
            time: (self.t * 1e9) as Nanos,
            duration: None,
            target: 0,
        }))
    }
}

pub fn at(times: impl IntoIterator<Item = Nanos>) -> Box<dyn ArrivalSource> {
    let list: Vec<Arrival> = times
        .into_iter()
        .map(|time| Arrival {
            time,
            duration: None,
            target: 0,
        })
        .collect();
    Box::new(ListSource(list.into_iter()))
}

/// `n` requests at the same instant.
pub fn burst(time: Nanos, n: usize) -> Box<dyn ArrivalSource> {
    at(std::iter::repeat_n(time, n))
}

/// Evenly spaced requests at `rate` per second over `[0, span)`.
pub fn even(rate: u64, span: Nanos) -> Box<dyn ArrivalSource> {
    let gap = S / rate;
    at((0..span / gap).map(move |i| i * gap))
}

pub fn poisson(seed: u64, rate: f64) -> Box<dyn ArrivalSource> {
    Box::new(PoissonSource {
        rng: RngStream::new(seed, &StreamKey::new(["test"])),
        rate,
        t: 0.0,
    })
}

/// A function with constant durations, no Init time unless given.
pub fn function(name: &str, duration: Nanos) -> FunctionConfig {
    let mut f = FunctionConfig::new(name);
    f.duration = DurationDist::Constant(duration);
    f.init_duration = DurationDist::Constant(0);
    f
}

pub fn config(duration: Nanos, functions: Vec<FunctionConfig>) -> SimConfig {
    SimConfig {
        seed: 1,
        duration,
        resolution: S,
        account: AccountConfig::default(),
        functions,
        billing: BillingConfig::default(),
    }
}

pub fn feed(source: Box<dyn ArrivalSource>, function: usize) -> Traffic {
    Traffic {
        targets: vec![function],
        source,
    }
}

/// Runs with invariant checks after every event, keeping every bucket row.
pub fn run(config: SimConfig, traffic: Vec<Traffic>) -> (RunSummary, Vec<BucketRow>) {
    run_with(config, traffic, true)
}

/// Runs without invariant checks (which recount every environment after every event),
/// for runs with large fleets.
pub fn run_unchecked(config: SimConfig, traffic: Vec<Traffic>) -> (RunSummary, Vec<BucketRow>) {
    run_with(config, traffic, false)
}

fn run_with(
    config: SimConfig,
    traffic: Vec<Traffic>,
    checked: bool,
) -> (RunSummary, Vec<BucketRow>) {
    let mut series = CollectSeries::default();
    let mut sim = Simulation::new(config, traffic).expect("valid configuration");
    if checked {
        sim = sim.with_invariant_checks();
    }
    let summary = sim.run(&mut series, &mut |_| {}).expect("run completes");
    (summary, series.rows)
}
