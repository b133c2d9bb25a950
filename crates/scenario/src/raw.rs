//! The scenario file exactly as written: serde types mirroring the YAML schema, with
//! the source location of every value a later check may need to point at.
//!
//! Nothing here applies defaults or cross-field rules; `convert` does that. Values a
//! variant may override are `Option<Spanned<_>>`, so an override can replace both the
//! value and its location.

mod provisioning;
mod slo;
mod sweep;

pub(crate) use provisioning::{RawAutoscaling, RawProvisioned, RawProvisioning, RawScheduled};
pub(crate) use slo::{Entries, RawSlo};
pub(crate) use sweep::{RawAxis, RawRange, RawSweep, RawSweepEntry, RawValues, RawZipGroup};

use crate::duration::{Dur, Lifetime};
use lambdasim_model::{
    Architecture, InvocationType, ReusePolicy, ScalingMode, SnapStartRuntime, StreamSource,
};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::fmt;

/// The whole scenario file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub name: Spanned<String>,
    pub seed: Option<Spanned<u64>>,
    pub duration: Spanned<Dur>,
    pub resolution: Option<Spanned<Dur>>,
    pub account: Option<Spanned<RawAccount>>,
    pub functions: Spanned<Vec<Spanned<RawFunction>>>,
    pub billing: Option<Spanned<RawBilling>>,
    pub report: Option<Spanned<RawReport>>,
    #[serde(default)]
    pub variants: Vec<RawVariant>,
    /// `sweep:`: a grid of settings, run with every variant.
    pub sweep: Option<Spanned<RawSweep>>,
    /// `slo:`: the objectives every configuration is judged by.
    pub slo: Option<Spanned<RawSlo>>,
    /// `objective:`: what `run` optimises (`cost` makes it plan, as `lambdasim plan`).
    pub objective: Option<Spanned<String>>,
}

/// `report:`: how the HTML report shows the run.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReport {
    pub focus: Option<Spanned<RawFocus>>,
}

/// `report.focus: { start, end }`: the window of the focus chart.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFocus {
    pub start: Spanned<Dur>,
    pub end: Spanned<Dur>,
}

/// `billing:`: what the bill includes.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBilling {
    pub init: Option<Spanned<bool>>,
    pub free_tier: Option<Spanned<bool>>,
    pub pricing: Option<Spanned<RawPricing>>,
}

/// `billing.pricing:`: prices that replace the Region's, every key optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPricing {
    pub requests_per_million: Option<Spanned<f64>>,
    pub ephemeral_storage_gb_s: Option<Spanned<f64>>,
    pub snapstart_cache_gb_s: Option<Spanned<f64>>,
    pub snapstart_restore_gb: Option<Spanned<f64>>,
    pub x86_64: Option<Spanned<RawArchPricing>>,
    pub arm64: Option<Spanned<RawArchPricing>>,
}

/// One architecture's prices per GB-second.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawArchPricing {
    pub duration_gb_s: Option<RawTiers>,
    pub provisioned_gb_s: Option<Spanned<f64>>,
    pub provisioned_duration_gb_s: Option<Spanned<f64>>,
}

/// A duration price: one for every tier, or the three monthly tiers.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum RawTiers {
    Flat(Spanned<f64>),
    Tiers([Spanned<f64>; 3]),
}

/// `account:`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAccount {
    pub region: Option<Spanned<String>>,
    pub concurrency_limit: Option<Spanned<u32>>,
    pub unreserved_minimum: Option<Spanned<u32>>,
    pub scaling: Option<Spanned<RawScaling>>,
    pub rps_per_environment: Option<Spanned<f64>>,
    pub front_door: Option<Spanned<RawAccountGateway>>,
}

/// `front_door: { rate, burst }`: an API Gateway throttle (per second, requests).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGatewayLimit {
    pub rate: Option<Spanned<u64>>,
    pub burst: Option<Spanned<u64>>,
}

/// `account.front_door:`: the account's throttle, and each stage's default route limit.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAccountGateway {
    pub rate: Option<Spanned<u64>>,
    pub burst: Option<Spanned<u64>>,
    pub stages: Option<Spanned<BTreeMap<String, Spanned<RawGatewayLimit>>>>,
}

/// A function's route behind the gateway: its stage, its own limit (any key left out
/// taken from the stage's), and how long the gateway waits for the function.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRoute {
    pub stage: Option<Spanned<String>>,
    pub rate: Option<Spanned<u64>>,
    pub burst: Option<Spanned<u64>>,
    pub integration_timeout: Option<Spanned<Dur>>,
}

/// A function's `front_door:`: `true` (behind the gateway), `false`, or its route
/// `{ stage, rate, burst, integration_timeout }`.
#[derive(Clone, Debug)]
pub(crate) enum RawFrontDoor {
    Flag(bool),
    Route(Box<RawRoute>),
}

impl<'de> Deserialize<'de> for RawFrontDoor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FrontDoorVisitor;

        impl<'de> Visitor<'de> for FrontDoorVisitor {
            type Value = RawFrontDoor;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true, false or a route { stage, rate, burst, integration_timeout }")
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawFrontDoor, E> {
                Ok(RawFrontDoor::Flag(v))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawFrontDoor, A::Error> {
                RawRoute::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|r| RawFrontDoor::Route(Box::new(r)))
            }
        }

        deserializer.deserialize_any(FrontDoorVisitor)
    }
}

/// `account.scaling:`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScaling {
    pub mode: Option<Spanned<ScalingMode>>,
    pub burst: Option<Spanned<u64>>,
    pub refill_per_second: Option<Spanned<f64>>,
    pub refill_per_minute: Option<Spanned<f64>>,
}

/// One entry of `functions:`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFunction {
    pub name: Spanned<String>,
    pub memory_mb: Option<Spanned<u32>>,
    pub memory_scaling: Option<Spanned<RawMemoryScaling>>,
    pub architecture: Option<Spanned<Architecture>>,
    pub init_duration: Option<Spanned<RawDist>>,
    pub snapstart: Option<Spanned<RawSnapStart>>,
    pub duration: Option<Spanned<RawDist>>,
    pub timeout: Option<Spanned<Dur>>,
    pub idle_timeout: Option<Spanned<Dur>>,
    pub function_idle_timeout: Option<Spanned<Lifetime>>,
    pub max_lifetime: Option<Spanned<Lifetime>>,
    pub warm_start: Option<Spanned<RawWarmStart>>,
    pub reuse: Option<Spanned<ReusePolicy>>,
    pub reserved_concurrency: Option<Spanned<u32>>,
    pub provisioned_concurrency: Option<Spanned<RawProvisioned>>,
    pub invocation: Option<Spanned<RawInvocation>>,
    pub max_event_age: Option<Spanned<Dur>>,
    pub retry_attempts: Option<Spanned<u32>>,
    pub error_rate: Option<Spanned<f64>>,
    pub client_retries: Option<Spanned<RawClientRetries>>,
    pub front_door: Option<Spanned<RawFrontDoor>>,
    pub ephemeral_storage_mb: Option<Spanned<u32>>,
    pub traffic: Option<Spanned<Vec<Spanned<RawStream>>>>,
    /// `observed:`: what the function did in production, to compare the run against.
    pub observed: Option<Spanned<RawObserved>>,
}

/// `observed:`: per metric, a per-interval source with the keys of a `trace:`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawObserved {
    pub throttles: Option<Spanned<TraceParams>>,
    pub invocations: Option<Spanned<TraceParams>>,
    pub cold_starts: Option<Spanned<TraceParams>>,
    pub concurrency: Option<Spanned<TraceParams>>,
    pub spillover: Option<Spanned<TraceParams>>,
}

/// `invocation:`: `sync`, `async`, `sqs` or `stream` (an event source mapping with
/// AWS's defaults), or `{ sqs: { ... } }` or `{ stream: { ... } }` with its settings.
#[derive(Clone, Debug)]
pub(crate) enum RawInvocation {
    Type(InvocationType),
    Mapping(Box<RawMapping>),
}

/// `{ sqs: { ... } }` or `{ stream: { ... } }`: the map form of `invocation:` (one of
/// the two, checked in `convert/invocation.rs`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMapping {
    pub sqs: Option<Spanned<RawSqs>>,
    pub stream: Option<Spanned<RawStreamMapping>>,
}

/// A Kinesis or DynamoDB stream event source mapping's settings, each optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStreamMapping {
    pub source: Option<Spanned<StreamSource>>,
    pub shards: Option<Spanned<u32>>,
    pub parallelization_factor: Option<Spanned<u32>>,
    pub batch_size: Option<Spanned<u32>>,
    pub batch_window: Option<Spanned<Dur>>,
    /// -1 (infinite, AWS's default) or 0 to 10,000.
    pub maximum_retry_attempts: Option<Spanned<i64>>,
    pub maximum_record_age: Option<Spanned<Dur>>,
    pub bisect_batch_on_error: Option<Spanned<bool>>,
}

/// An SQS event source mapping's settings, each optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSqs {
    pub batch_size: Option<Spanned<u32>>,
    pub batch_window: Option<Spanned<Dur>>,
    pub maximum_concurrency: Option<Spanned<u32>>,
    pub visibility_timeout: Option<Spanned<Dur>>,
    pub max_receive_count: Option<Spanned<u32>>,
    pub provisioned: Option<Spanned<RawSqsProvisioned>>,
    pub fifo: Option<Spanned<bool>>,
    pub message_groups: Option<Spanned<u32>>,
    pub report_batch_item_failures: Option<Spanned<bool>>,
}

/// `provisioned: { minimum_pollers, maximum_pollers }`: an SQS mapping's provisioned
/// mode, each optional (AWS's defaults).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSqsProvisioned {
    pub minimum_pollers: Option<Spanned<u32>>,
    pub maximum_pollers: Option<Spanned<u32>>,
}

impl<'de> Deserialize<'de> for RawInvocation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InvocationVisitor;

        impl<'de> Visitor<'de> for InvocationVisitor {
            type Value = RawInvocation;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "sync, async, sqs, stream or a map { sqs: { ... } } or { stream: { ... } }",
                )
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawInvocation, E> {
                InvocationType::deserialize(de::value::StrDeserializer::new(v))
                    .map(RawInvocation::Type)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawInvocation, A::Error> {
                RawMapping::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|mapping| RawInvocation::Mapping(Box::new(mapping)))
            }
        }

        deserializer.deserialize_any(InvocationVisitor)
    }
}

/// `memory_scaling: { reference_mb, cpu_share, threads }`: how the Invoke duration
/// changes with `memory_mb`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMemoryScaling {
    pub reference_mb: Spanned<u32>,
    pub cpu_share: Spanned<f64>,
    pub threads: Option<Spanned<u32>>,
}

/// `snapstart:`: `true` or `false`, or the map of its settings.
#[derive(Clone, Debug)]
pub(crate) enum RawSnapStart {
    Flag(bool),
    Settings(Box<RawSnapStartSettings>),
}

/// `snapstart: { runtime, restore_duration }`, both optional.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSnapStartSettings {
    pub runtime: Option<Spanned<SnapStartRuntime>>,
    pub restore_duration: Option<Spanned<RawDist>>,
}

impl<'de> Deserialize<'de> for RawSnapStart {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SnapStartVisitor;

        impl<'de> Visitor<'de> for SnapStartVisitor {
            type Value = RawSnapStart;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true, false or a map of runtime and restore_duration")
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawSnapStart, E> {
                Ok(RawSnapStart::Flag(v))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawSnapStart, A::Error> {
                RawSnapStartSettings::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|settings| RawSnapStart::Settings(Box::new(settings)))
            }
        }

        deserializer.deserialize_any(SnapStartVisitor)
    }
}

/// `warm_start:`: a number of environments, or `auto` (what the first minute's load
/// implies).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RawWarmStart {
    Count(u64),
    Auto,
}

impl<'de> Deserialize<'de> for RawWarmStart {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct WarmVisitor;

        impl Visitor<'_> for WarmVisitor {
            type Value = RawWarmStart;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of environments or `auto`")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(RawWarmStart::Count(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                u64::try_from(v).map(RawWarmStart::Count).map_err(|_| {
                    E::custom(format!(
                        "found {v}, expected a number of environments (0 or more) or `auto`"
                    ))
                })
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                if v.trim() == "auto" {
                    return Ok(RawWarmStart::Auto);
                }
                v.trim().parse().map(RawWarmStart::Count).map_err(|_| {
                    E::custom(format!(
                        "found `{}`, expected a number of environments or `auto`",
                        crate::error::shown(v)
                    ))
                })
            }
        }

        deserializer.deserialize_any(WarmVisitor)
    }
}

/// `client_retries: { attempts, base }`: synchronous callers retrying throttles.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawClientRetries {
    pub attempts: Spanned<u32>,
    pub base: Spanned<Dur>,
}

/// A duration distribution: a plain duration (a constant) or a one-key map naming the
/// distribution.
#[derive(Clone, Debug)]
pub(crate) enum RawDist {
    Plain(Dur),
    Named(NamedDist),
}

/// The map forms of a distribution, e.g. `{ lognormal: { median: 120ms, p99: 900ms } }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum NamedDist {
    Constant(Dur),
    Exponential(ExponentialParams),
    Normal(NormalParams),
    Uniform(UniformParams),
    Lognormal(LognormalParams),
    Empirical(EmpiricalParams),
}

/// `{ empirical: { file, column } }`: observed durations (see `empirical.rs`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EmpiricalParams {
    pub file: Spanned<String>,
    pub column: Option<Spanned<String>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExponentialParams {
    pub mean: Dur,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NormalParams {
    pub mean: Dur,
    pub stddev: Dur,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UniformParams {
    pub min: Dur,
    pub max: Dur,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LognormalParams {
    pub median: Dur,
    pub p99: Dur,
}

impl<'de> Deserialize<'de> for RawDist {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DistVisitor;

        impl<'de> Visitor<'de> for DistVisitor {
            type Value = RawDist;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a duration or a distribution map (constant, exponential, normal, \
                     uniform, lognormal or empirical)",
                )
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDist, E> {
                Dur::deserialize(de::value::StrDeserializer::new(v)).map(RawDist::Plain)
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDist, E> {
                Dur::deserialize(de::value::U64Deserializer::new(v)).map(RawDist::Plain)
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDist, E> {
                Dur::deserialize(de::value::I64Deserializer::new(v)).map(RawDist::Plain)
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawDist, E> {
                Dur::deserialize(de::value::F64Deserializer::new(v)).map(RawDist::Plain)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawDist, A::Error> {
                NamedDist::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(RawDist::Named)
            }
        }

        deserializer.deserialize_any(DistVisitor)
    }
}

/// One traffic stream: exactly one kind key (`poisson`, `constant`, `burst`, `ramp`,
/// `profile`, `diurnal`, `spike`, `trace`) plus window, scaling and placement keys beside
/// it in the same map.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStream {
    pub poisson: Option<RateParams>,
    pub constant: Option<RateParams>,
    pub burst: Option<BurstParams>,
    pub ramp: Option<RampParams>,
    pub profile: Option<ProfileParams>,
    pub diurnal: Option<DiurnalParams>,
    pub spike: Option<SpikeParams>,
    pub trace: Option<TraceParams>,
    pub start: Option<Spanned<Dur>>,
    pub end: Option<Spanned<Dur>>,
    pub scale: Option<Spanned<f64>>,
    pub speedup: Option<Spanned<f64>>,
    pub offset: Option<Spanned<Dur>>,
    pub arrivals: Option<Spanned<RawArrivals>>,
}

/// `arrivals:` on a rate shape.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RawArrivals {
    Poisson,
    Even,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RateParams {
    pub rate: Spanned<f64>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BurstParams {
    pub at: Spanned<Dur>,
    pub requests: Spanned<u64>,
}

/// `ramp: { from, to, start, end }`: `start`/`end` say where the rate changes and
/// default to the stream's window.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RampParams {
    pub from: Spanned<f64>,
    pub to: Spanned<f64>,
    pub start: Option<Spanned<Dur>>,
    pub end: Option<Spanned<Dur>>,
}

/// `profile: { points: [[time, rate], ...], interpolate }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProfileParams {
    pub points: Spanned<Vec<(Dur, f64)>>,
    pub interpolate: Option<Spanned<RawInterpolate>>,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RawInterpolate {
    Linear,
    Step,
}

/// `diurnal: { mean, amplitude, period, peak_at }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DiurnalParams {
    pub mean: Spanned<f64>,
    pub amplitude: Spanned<f64>,
    pub period: Option<Spanned<Dur>>,
    pub peak_at: Option<Spanned<Dur>>,
}

/// `spike: { at, rate, ramp_up, hold, ramp_down }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SpikeParams {
    pub at: Spanned<Dur>,
    pub rate: Spanned<f64>,
    pub ramp_up: Option<Dur>,
    pub hold: Option<Dur>,
    pub ramp_down: Option<Dur>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TraceParams {
    pub file: Spanned<String>,
    /// Present for per-interval count traces: the width of each row's interval.
    pub counts: Option<Spanned<Dur>>,
    pub format: Option<Spanned<RawTraceFormat>>,
    /// For `format: azure2019`, the `HashFunction` to replay.
    pub function: Option<Spanned<String>>,
    pub time_column: Option<Spanned<String>>,
    /// For `format: cloudwatch`, the series (by Id or Label) to replay, summed.
    pub series: Option<Spanned<Vec<String>>>,
    /// For a `format: cloudwatch` CSV file, its count column's name.
    pub count_column: Option<Spanned<String>>,
    pub spread: Option<Spanned<RawSpread>>,
    /// For per-interval traces: the peak rate inside each interval over its mean.
    pub peak_to_mean: Option<Spanned<f64>>,
    /// For access logs (`alb`, `jsonl`): each route's function, or `~` to leave it out.
    pub routes: Option<Spanned<BTreeMap<String, Option<String>>>>,
    /// For access logs: how late a request may be logged after later arrivals.
    pub reorder_window: Option<Spanned<Dur>>,
    /// For `format: jsonl`: the fields read.
    pub time_field: Option<Spanned<String>>,
    pub time_unit: Option<Spanned<RawTimeUnit>>,
    pub duration_field: Option<Spanned<String>>,
    pub route_field: Option<Spanned<String>>,
    /// For a `format: jsonl` log under `observed: throttles`: the field holding each
    /// response's status, whose 429s (the gateway's own throttles) are counted...
    pub status_field: Option<Spanned<String>>,
    /// ...and the field holding what Lambda answered the gateway (`integrationStatus`),
    /// whose 429s are Lambda's throttles (the client saw a 500).
    pub integration_status_field: Option<Spanned<String>>,
}

/// The unit of a JSON log's numeric time field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub(crate) enum RawTimeUnit {
    #[serde(rename = "s")]
    Seconds,
    #[serde(rename = "ms")]
    Milliseconds,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RawTraceFormat {
    Csv,
    Azure2019,
    Cloudwatch,
    Alb,
    Jsonl,
    LambdaLog,
}

impl RawTraceFormat {
    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Csv => "CSV",
            Self::Azure2019 => "azure2019",
            Self::Cloudwatch => "cloudwatch",
            Self::Alb => "alb",
            Self::Jsonl => "jsonl",
            Self::LambdaLog => "lambda_log",
        }
    }

    /// A log: a line per request, written as requests end and so put back in arrival
    /// order (`reorder_window:`).
    pub fn is_log(self) -> bool {
        matches!(self, Self::Alb | Self::Jsonl | Self::LambdaLog)
    }

    /// An access log: a log of several routes, sent to functions by `routes:`.
    pub fn is_access_log(self) -> bool {
        matches!(self, Self::Alb | Self::Jsonl)
    }

    /// A table of times and counts (or times alone) with named columns.
    pub fn is_table(self) -> bool {
        matches!(self, Self::Csv | Self::Cloudwatch)
    }
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RawSpread {
    Random,
    Even,
}

/// One entry of `variants:`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVariant {
    pub name: Spanned<String>,
    #[serde(default)]
    pub set: SetEntries,
}

/// A variant's `set:` map, in file order, keeping where each path and value was written.
#[derive(Clone, Debug, Default)]
pub(crate) struct SetEntries(pub Vec<SetEntry>);

/// `dotted.path: value`.
#[derive(Clone, Debug)]
pub(crate) struct SetEntry {
    pub path: Spanned<String>,
    pub value: Spanned<serde_json::Value>,
}

impl<'de> Deserialize<'de> for SetEntries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SetVisitor;

        impl<'de> Visitor<'de> for SetVisitor {
            type Value = SetEntries;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a map of setting paths to values, like `account.concurrency_limit: 3000`",
                )
            }

            fn visit_unit<E: de::Error>(self) -> Result<SetEntries, E> {
                Ok(SetEntries::default())
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SetEntries, A::Error> {
                let mut entries = Vec::new();
                while let Some(path) = map.next_key()? {
                    entries.push(SetEntry {
                        path,
                        value: map.next_value()?,
                    });
                }
                Ok(SetEntries(entries))
            }
        }

        deserializer.deserialize_any(SetVisitor)
    }
}
