//! The AWS Lambda model: an account of functions whose execution environments move
//! through Init, Invoke and Idle under the concurrency limits, reserved and provisioned
//! concurrency, and the scaling rate. Driven by the engine's event queue; knows nothing
//! of YAML, CSV or charts.
//!
//! Start with [`Simulation`]; `docs/model.md` explains each rule and its source.

pub mod arrival;
pub mod config;
pub mod cost;
pub mod dist;
pub mod histogram;
pub mod pricing;
pub mod results;
pub mod series;
mod sim;
pub mod slo;

pub use arrival::{Arrival, ArrivalSource, SourceError};
pub use config::{
    AccountConfig, Architecture, AsyncConfig, AutoscalingConfig, BillingConfig, ClientRetries,
    ConfigError, Field, FunctionConfig, InvocationType, MAX_WARM_START, Provisioning, ReusePolicy,
    ScalingConfig, ScalingMode, ScheduledValue, SimConfig, TIMEOUT_RANGE,
};
pub use dist::DurationDist;
pub use results::{
    AsyncSummary, CostBreakdown, FunctionSummary, LatencySummary, RunSummary, ThrottleCounts,
};
pub use series::{BucketRow, CollectSeries, DiscardSeries, SeriesSink};
pub use sim::{SimError, Simulation, Traffic};
pub use slo::{Comparison, MetricOf, Objective, SLO_METRICS, SloMetric, SloScope};
