//! The AWS Lambda model: an account of functions whose execution environments move
//! through Init, Invoke and Idle under the concurrency limits, reserved and provisioned
//! concurrency, and the scaling rate. Driven by the engine's event queue; knows nothing
//! of YAML, CSV or charts.
//!
//! Start with [`Simulation`]; `docs/model.md` explains each rule and its source.
//!
//! # Example
//!
//! A run needs a [`SimConfig`] (the account and its functions) and, for each stream
//! of traffic, an [`ArrivalSource`] and the functions it feeds. Here one function takes
//! three requests at the same instant, which start three environments (three cold
//! starts), then two more a second later, which find two of them idle.
//!
//! ```
//! use lambdasim_engine::{NANOS_PER_MS, NANOS_PER_SEC};
//! use lambdasim_model::{
//!     AccountConfig, Arrival, ArrivalSource, BillingConfig, DiscardSeries, DurationDist,
//!     FunctionConfig, SimConfig, Simulation, SourceError, Traffic,
//! };
//!
//! /// Requests at given times, in order.
//! struct At(std::vec::IntoIter<u64>);
//!
//! impl ArrivalSource for At {
//!     fn next_arrival(&mut self) -> Result<Option<Arrival>, SourceError> {
//!         Ok(self.0.next().map(|time| Arrival { time, duration: None, target: 0 }))
//!     }
//! }
//!
//! let mut api = FunctionConfig::new("api");
//! api.init_duration = DurationDist::Constant(200 * NANOS_PER_MS);
//! api.duration = DurationDist::Constant(100 * NANOS_PER_MS);
//! let config = SimConfig {
//!     seed: 7,
//!     duration: 10 * NANOS_PER_SEC,
//!     resolution: NANOS_PER_SEC,
//!     account: AccountConfig::default(),
//!     functions: vec![api],
//!     billing: BillingConfig::default(),
//! };
//! let times = vec![0, 0, 0, NANOS_PER_SEC, NANOS_PER_SEC];
//! let traffic = vec![Traffic {
//!     targets: vec![0], // index into `config.functions`
//!     source: Box::new(At(times.into_iter())),
//! }];
//!
//! // `DiscardSeries` drops the time series; the closure ignores progress.
//! let summary = Simulation::new(config, traffic)?.run(&mut DiscardSeries, &mut |_| {})?;
//! let api = &summary.functions[0];
//! assert_eq!(api.requests, 5);
//! assert_eq!(api.invocations, 5);
//! assert_eq!(api.cold_starts, 3);
//! assert_eq!(api.throttles, 0);
//! assert_eq!(api.peak_concurrency, 3);
//! // A cold start's latency includes its Init: 200 ms + 100 ms (the maximum is exact).
//! assert_eq!(api.latency_ms.max, 300.0);
//! assert_eq!(summary.account.invocations, 5);
//! # Ok::<(), lambdasim_model::SimError>(())
//! ```

pub mod arrival;
pub mod config;
pub mod cost;
pub mod dist;
pub mod histogram;
pub mod observed;
pub mod pricing;
pub mod results;
pub mod series;
mod sim;
pub mod slo;

pub use arrival::{Arrival, ArrivalSource, SourceError};
pub use config::{
    AccountConfig, Architecture, AsyncConfig, AutoscalingConfig, BillingConfig, ClientRetries,
    ConfigError, Field, FrontDoor, FunctionConfig, GatewayLimit, InvocationType, MAX_WARM_START,
    MemoryScaling, Provisioning, ReusePolicy, ScalingConfig, ScalingMode, ScheduledValue,
    SimConfig, SnapStart, SnapStartRuntime, SqsConfig, SqsProvisioned, StreamConfig, StreamSource,
    TIMEOUT_RANGE,
};
pub use dist::DurationDist;
pub use observed::{ObservedMetric, ObservedSeries};
pub use results::{
    AsyncSummary, CostBreakdown, FunctionSummary, LatencySummary, RunSummary, SqsSummary,
    StreamSummary, ThrottleCounts,
};
pub use series::{BucketRow, CollectSeries, DiscardSeries, SeriesSink};
pub use sim::{SimError, Simulation, Traffic};
pub use slo::{Comparison, MetricOf, Objective, SLO_METRICS, SloMetric, SloScope};
