//! The simulation driver (skeleton; being implemented).

use crate::arrival::{ArrivalSource, SourceError};
use crate::config::{ConfigError, SimConfig};
use crate::results::RunSummary;
use crate::series::SeriesSink;

/// One arrival stream and the functions it feeds.
pub struct Traffic {
    /// Function indices; an [`crate::Arrival`]'s `target` indexes into this list.
    pub targets: Vec<usize>,
    pub source: Box<dyn ArrivalSource>,
}

/// Why a run could not complete.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("writing the time series failed: {0}")]
    Sink(#[from] std::io::Error),
}

/// A configured run, ready to go.
pub struct Simulation {
    config: SimConfig,
    traffic: Vec<Traffic>,
}

impl Simulation {
    /// Validates the configuration and prepares the run.
    pub fn new(config: SimConfig, traffic: Vec<Traffic>) -> Result<Self, SimError> {
        config.validate()?;
        Ok(Self { config, traffic })
    }

    /// Runs to the end of the simulated span, streaming buckets into `sink`; `progress`
    /// is called now and then with the fraction of simulated time done.
    pub fn run(
        self,
        sink: &mut dyn SeriesSink,
        progress: &mut dyn FnMut(f64),
    ) -> Result<RunSummary, SimError> {
        let _ = (&self.config, &self.traffic, sink, progress);
        todo!("simulation driver")
    }
}
