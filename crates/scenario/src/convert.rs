//! From the file as written to the model's configuration: defaults filled in, every
//! value range-checked, and every error placed at the value it is about.
//!
//! Values that came from a variant's `set:` entry carry that entry's location; values
//! nested inside them (a stream's `rate`, say) have no location of their own and are
//! reported at their nearest located parent, see [`pick`].

mod front_door;
mod invocation;
mod memory;
mod observed;
mod provisioning;
mod snapstart;
mod sqs;
mod stream_mapping;
mod traffic;

use crate::duration::Dur;
use crate::empirical::Observations;
use crate::error::{Position, ScenarioError};
use crate::raw::{
    NamedDist, RawAccount, RawBilling, RawDist, RawFunction, RawPricing, RawScaling, RawScenario,
    RawTiers, RawWarmStart,
};
use crate::streams::StreamSpec;
use crate::variants::Applied;
use lambdasim_engine::{NANOS_PER_SEC, Nanos, StreamKey};
use lambdasim_model::pricing::PriceTable;
use lambdasim_model::{
    AccountConfig, BillingConfig, ConfigError, DurationDist, FunctionConfig, GatewayLimit,
    MAX_WARM_START, ScalingConfig, ScalingMode, SimConfig, TIMEOUT_RANGE,
};
use serde_saphyr::{Location, Spanned};
use std::collections::HashSet;
use std::fmt::Display;
use std::ops::RangeInclusive;
use std::path::Path;

/// A scenario (or variant) ready to run.
pub(crate) struct Resolved {
    pub config: SimConfig,
    pub streams: Vec<StreamSpec>,
    /// Per function: whether its `warm_start` is `auto`, written or by default (a
    /// function fed by a trace and given no `warm_start`).
    pub warm_auto: Vec<bool>,
    /// Every function's `observed:` sources.
    pub observed: Vec<crate::observed::ObservedSpec>,
}

/// Builds and validates the configuration and streams of `raw`, to which the variant
/// overrides `applied` have already been applied.
pub(crate) fn resolve(
    raw: &RawScenario,
    file: &Path,
    applied: &[Applied],
    observations: &Observations,
) -> Result<Resolved, ScenarioError> {
    let cx = Context {
        file,
        dir: file.parent().unwrap_or(Path::new("")),
        observations,
    };
    let mut resolved = cx.scenario(raw)?;
    resolved
        .config
        .validate()
        .map_err(|e| cx.config_error(&e, raw, applied))?;
    if resolved.warm_auto.contains(&true) {
        crate::warm::resolve_auto(&mut resolved.config, &resolved.streams, &resolved.warm_auto)?;
    }
    Ok(resolved)
}

/// The location itself when known, else the parent's (values that came from a variant
/// override have none of their own).
fn pick(location: Location, parent: Location) -> Location {
    if location.line() == 0 {
        parent
    } else {
        location
    }
}

struct Context<'a> {
    file: &'a Path,
    /// Trace paths are relative to the scenario file's directory.
    dir: &'a Path,
    /// Observed durations, read once for all variants.
    observations: &'a Observations,
}

impl Context<'_> {
    fn error(&self, location: Location, message: impl Into<String>) -> ScenarioError {
        ScenarioError::yaml(self.file, location, message)
    }

    /// A finite number, 0 or more.
    fn non_negative(
        &self,
        value: &Spanned<f64>,
        parent: Location,
        what: &str,
    ) -> Result<f64, ScenarioError> {
        let v = value.value;
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(self.error(
                pick(value.referenced, parent),
                format!("found {v}, expected {what} (a number, 0 or more)"),
            ))
        }
    }

    /// The value if `valid` accepts it, else an error at the value:
    /// "found {key} {value}, expected {expected}".
    fn checked<T: Copy + Display>(
        &self,
        value: &Spanned<T>,
        parent: Location,
        key: &str,
        valid: impl Fn(T) -> bool,
        expected: &str,
    ) -> Result<T, ScenarioError> {
        let v = value.value;
        if valid(v) {
            Ok(v)
        } else {
            Err(self.error(
                pick(value.referenced, parent),
                format!("found {key} {v}, expected {expected}"),
            ))
        }
    }

    /// The value if the model's `range` holds it, else an error at the value:
    /// "found {key} {value}, expected {min} to {max}{unit}".
    fn in_range<T: Copy + Display + PartialOrd>(
        &self,
        value: &Spanned<T>,
        parent: Location,
        key: &str,
        range: RangeInclusive<T>,
        unit: &str,
    ) -> Result<T, ScenarioError> {
        let expected = format!("{} to {}{unit}", range.start(), range.end());
        self.checked(value, parent, key, |v| range.contains(&v), &expected)
    }

    fn scenario(&self, raw: &RawScenario) -> Result<Resolved, ScenarioError> {
        let duration = raw.duration.value.0;
        if duration == 0 {
            return Err(self.error(
                raw.duration.referenced,
                "found a duration of 0, expected the simulated time span (above 0)",
            ));
        }
        let resolution = match &raw.resolution {
            Some(r) if r.value.0 == 0 => {
                return Err(self.error(
                    r.referenced,
                    "found a resolution of 0, expected a bucket width above 0",
                ));
            }
            Some(r) => r.value.0,
            None => NANOS_PER_SEC,
        };
        let buckets = duration.div_ceil(resolution);
        let max_buckets = SimConfig::MAX_BUCKETS;
        if buckets > max_buckets {
            let at = raw
                .resolution
                .as_ref()
                .map_or(raw.duration.referenced, |r| r.referenced);
            return Err(self.error(
                at,
                format!(
                    "found {} at a resolution of {}: {buckets} time-series buckets, expected at most {max_buckets} (a resolution of {} or coarser)",
                    crate::duration::show(duration),
                    crate::duration::show(resolution),
                    crate::duration::show(duration.div_ceil(max_buckets)),
                ),
            ));
        }
        let (account, stages) = match &raw.account {
            Some(a) => self.account(&a.value, a.referenced)?,
            None => (AccountConfig::default(), front_door::Stages::new()),
        };
        let functions = &raw.functions;
        if functions.value.is_empty() {
            return Err(self.error(
                functions.referenced,
                "found no functions, expected at least one",
            ));
        }
        let function_names: Vec<String> = functions
            .value
            .iter()
            .map(|f| f.value.name.value.clone())
            .collect();
        let mut names = HashSet::new();
        let mut configs = Vec::with_capacity(functions.value.len());
        let mut streams = Vec::new();
        let mut warm_auto = Vec::with_capacity(functions.value.len());
        let mut observed = Vec::new();
        for (index, function) in functions.value.iter().enumerate() {
            let name = &function.value.name;
            if !names.insert(name.value.as_str()) {
                return Err(self.error(
                    pick(name.referenced, function.referenced),
                    format!(
                        "function name `{}` is used twice, expected unique names",
                        crate::error::shown(&name.value)
                    ),
                ));
            }
            configs.push(self.function(&function.value, function.referenced, duration, &stages)?);
            if let Some(traffic) = &function.value.traffic {
                let parent = pick(traffic.referenced, function.referenced);
                for (stream_index, stream) in traffic.value.iter().enumerate() {
                    let key = StreamKey::new([
                        name.value.clone(),
                        "traffic".to_string(),
                        stream_index.to_string(),
                    ]);
                    let owner = traffic::Owner {
                        index,
                        functions: &function_names,
                    };
                    let kind = self.stream(stream, parent, duration, &owner)?;
                    streams.push(StreamSpec {
                        function: index,
                        key,
                        kind,
                    });
                }
            }
            if let Some(raw) = &function.value.observed {
                let owner = traffic::Owner {
                    index,
                    functions: &function_names,
                };
                observed.extend(self.observed(raw, function.referenced, &owner)?);
            }
            warm_auto.push(match function.value.warm_start.as_ref().map(|w| w.value) {
                Some(RawWarmStart::Auto) => true,
                Some(RawWarmStart::Count(_)) => false,
                None => streams.iter().any(|s| {
                    s.function == index && matches!(s.kind, crate::streams::StreamKind::Trace(_))
                }),
            });
        }
        let billing = self.billing(raw.billing.as_ref(), &account.region)?;
        Ok(Resolved {
            config: SimConfig {
                seed: raw.seed.as_ref().map_or(0, |s| s.value),
                duration,
                resolution,
                account,
                functions: configs,
                billing,
            },
            streams,
            warm_auto,
            observed,
        })
    }

    /// The account, and its API Gateway stages' default route limits.
    fn account(
        &self,
        raw: &RawAccount,
        at: Location,
    ) -> Result<(AccountConfig, front_door::Stages), ScenarioError> {
        let defaults = AccountConfig::default();
        // The Region picks the price table (and the legacy burst): one without a
        // table would be billed at another Region's prices without a word.
        let region = match &raw.region {
            Some(r) if PriceTable::region(&r.value).is_none() => {
                let known: Vec<_> = PriceTable::known_regions().collect();
                return Err(self.error(
                    pick(r.referenced, at),
                    format!(
                        "found region `{}`, expected one with a price table: {}",
                        crate::error::shown(&r.value),
                        known.join(", ")
                    ),
                ));
            }
            Some(r) => r.value.clone(),
            None => defaults.region,
        };
        let scaling = match &raw.scaling {
            Some(s) => self.scaling(&s.value, pick(s.referenced, at), &region)?,
            None => ScalingConfig::PER_FUNCTION,
        };
        let rps_per_environment = match &raw.rps_per_environment {
            Some(rps) => {
                self.non_negative(rps, at, "requests per second per unit of concurrency")?
            }
            None => defaults.rps_per_environment,
        };
        let (front_door, stages) = match &raw.front_door {
            Some(gateway) => self.account_gateway(gateway, at, &region)?,
            None => (
                GatewayLimit::account_default(&region),
                front_door::Stages::new(),
            ),
        };
        let account = AccountConfig {
            front_door,
            region,
            concurrency_limit: match &raw.concurrency_limit {
                Some(limit) => self.in_range(
                    limit,
                    at,
                    "account.concurrency_limit",
                    AccountConfig::CONCURRENCY_LIMIT_RANGE,
                    "",
                )?,
                None => defaults.concurrency_limit,
            },
            unreserved_minimum: raw
                .unreserved_minimum
                .as_ref()
                .map_or(defaults.unreserved_minimum, |v| v.value),
            scaling,
            rps_per_environment,
        };
        Ok((account, stages))
    }

    fn scaling(
        &self,
        raw: &RawScaling,
        at: Location,
        region: &str,
    ) -> Result<ScalingConfig, ScenarioError> {
        let defaults = match raw.mode.as_ref().map(|m| m.value) {
            None | Some(ScalingMode::PerFunction) => ScalingConfig::PER_FUNCTION,
            Some(ScalingMode::Legacy) => ScalingConfig::legacy(region),
        };
        let burst = match &raw.burst {
            Some(b) if b.value == 0 => {
                return Err(self.error(
                    pick(b.referenced, at),
                    "found a burst of 0, which would never allow an environment; expected 1 or more",
                ));
            }
            Some(b) => b.value,
            None => defaults.burst,
        };
        let refill_per_minute = match (&raw.refill_per_second, &raw.refill_per_minute) {
            (Some(_), Some(m)) => {
                return Err(self.error(
                    pick(m.referenced, at),
                    "found both refill_per_second and refill_per_minute, expected only one",
                ));
            }
            (Some(s), None) => self.per_minute(s, at, true)?,
            (None, Some(m)) => self.per_minute(m, at, false)?,
            (None, None) => defaults.refill_per_minute,
        };
        Ok(ScalingConfig {
            mode: defaults.mode,
            burst,
            refill_per_minute,
        })
    }

    /// A scaling refill rate (per second or per minute) as whole environments per
    /// minute: the token bucket adds one unit per nanosecond per environment a minute,
    /// so a fraction would be rounded away without a word.
    fn per_minute(
        &self,
        value: &Spanned<f64>,
        at: Location,
        per_second: bool,
    ) -> Result<u64, ScenarioError> {
        let (unit, factor) = if per_second {
            ("second", 60.0)
        } else {
            ("minute", 1.0)
        };
        let v = self.non_negative(value, at, &format!("environments per {unit}"))?;
        let rate = v * factor;
        let whole = rate.round();
        if (rate - whole).abs() <= 1e-9 * whole.max(1.0) && whole < u64::MAX as f64 {
            return Ok(whole as u64);
        }
        let expected = if per_second {
            "a whole number of environments per minute (a multiple of 1/60 per second, such as 0.5 or 100; refill_per_minute for slower rates)"
        } else {
            "a whole number of environments per minute"
        };
        Err(self.error(
            pick(value.referenced, at),
            format!("found {v} environments per {unit}, expected {expected}"),
        ))
    }

    /// One function; `duration` is the run's, which scheduled changes must fall within.
    fn function(
        &self,
        raw: &RawFunction,
        at: Location,
        duration: Nanos,
        stages: &front_door::Stages,
    ) -> Result<FunctionConfig, ScenarioError> {
        let name = &raw.name;
        if name.value.is_empty() {
            return Err(self.error(
                pick(name.referenced, at),
                "found an empty function name, expected a name",
            ));
        }
        if name.value.chars().any(char::is_control) {
            return Err(self.error(
                pick(name.referenced, at),
                format!(
                    "found function name `{}`, expected a name without control characters",
                    crate::error::shown(&name.value)
                ),
            ));
        }
        let mut config = FunctionConfig::new(name.value.clone());
        if let Some(memory) = &raw.memory_mb {
            config.memory_mb = self.in_range(
                memory,
                at,
                "memory_mb",
                FunctionConfig::MEMORY_MB_RANGE,
                " (MB)",
            )?;
        }
        if let Some(scaling) = &raw.memory_scaling {
            config.memory_scaling = Some(self.memory_scaling(scaling, at)?);
        }
        if let Some(storage) = &raw.ephemeral_storage_mb {
            config.ephemeral_storage_mb = self.in_range(
                storage,
                at,
                "ephemeral_storage_mb",
                FunctionConfig::EPHEMERAL_STORAGE_MB_RANGE,
                " (MB)",
            )?;
        }
        if let Some(arch) = &raw.architecture {
            config.architecture = arch.value;
        }
        if let Some(dist) = &raw.init_duration {
            config.init_duration = self.dist(dist, at)?;
        }
        if let Some(dist) = &raw.duration {
            config.duration = self.dist(dist, at)?;
        }
        if let Some(snapstart) = &raw.snapstart {
            config.snapstart = self.snapstart(snapstart, at)?;
        }
        if let Some(timeout) = &raw.timeout {
            let t = timeout.value.0;
            if !TIMEOUT_RANGE.contains(&t) {
                return Err(self.error(
                    pick(timeout.referenced, at),
                    format!(
                        "found timeout {}s, expected {}s to {}s (the range AWS accepts)",
                        t as f64 / 1e9,
                        TIMEOUT_RANGE.start() / NANOS_PER_SEC,
                        TIMEOUT_RANGE.end() / NANOS_PER_SEC,
                    ),
                ));
            }
            config.timeout = t;
        }
        if let Some(idle) = &raw.idle_timeout {
            config.idle_timeout = idle.value.0;
        }
        if let Some(idle) = &raw.function_idle_timeout {
            config.function_idle_timeout = idle.value.0;
        }
        if let Some(lifetime) = &raw.max_lifetime {
            config.max_lifetime = lifetime.value.0;
        }
        if let Some(warm) = &raw.warm_start
            && let RawWarmStart::Count(count) = warm.value
        {
            let count = Spanned {
                value: count,
                referenced: warm.referenced,
                defined: warm.defined,
            };
            let limit = u64::from(MAX_WARM_START);
            config.warm_start = self.checked(
                &count,
                at,
                "warm_start",
                |v| v <= limit,
                &format!("at most {MAX_WARM_START} environments"),
            )? as u32;
        }
        if let Some(reuse) = &raw.reuse {
            config.reuse = reuse.value;
        }
        config.reserved_concurrency = raw.reserved_concurrency.as_ref().map(|r| r.value);
        if let Some(provisioned) = &raw.provisioned_concurrency {
            (config.provisioned_concurrency, config.provisioning) =
                self.provisioned(provisioned, at, duration)?;
        }
        self.invocation(raw, at, &mut config)?;
        if let Some(front_door) = &raw.front_door {
            config.front_door = self.front_door(front_door, at, &config, stages)?;
        }
        self.snapstart_alone(raw, at, &config)?;
        Ok(config)
    }

    fn dist(
        &self,
        raw: &Spanned<RawDist>,
        parent: Location,
    ) -> Result<DurationDist, ScenarioError> {
        let dist = match &raw.value {
            RawDist::Plain(Dur(v)) | RawDist::Named(NamedDist::Constant(Dur(v))) => {
                DurationDist::Constant(*v)
            }
            RawDist::Named(NamedDist::Exponential(p)) => {
                DurationDist::Exponential { mean: p.mean.0 }
            }
            RawDist::Named(NamedDist::Normal(p)) => DurationDist::Normal {
                mean: p.mean.0,
                stddev: p.stddev.0,
            },
            RawDist::Named(NamedDist::Uniform(p)) => DurationDist::Uniform {
                min: p.min.0,
                max: p.max.0,
            },
            RawDist::Named(NamedDist::Lognormal(p)) => DurationDist::Lognormal {
                median: p.median.0,
                p99: p.p99.0,
            },
            RawDist::Named(NamedDist::Empirical(p)) => {
                let at = pick(p.file.referenced, pick(raw.referenced, parent));
                let path = self.dir.join(&p.file.value);
                let column = p.column.as_ref().map(|c| c.value.as_str());
                DurationDist::Empirical(self.observations.read(
                    &path,
                    column,
                    &Position::yaml(self.file, at),
                )?)
            }
        };
        match dist.sampler() {
            Ok(_) => Ok(dist),
            Err(message) => Err(self.error(
                pick(raw.referenced, parent),
                format!("invalid distribution: {message}"),
            )),
        }
    }

    /// Places a configuration AWS would reject: at the `set:` entry that caused it
    /// when a variant did, else at the function or the `account` section.
    fn config_error(
        &self,
        error: &ConfigError,
        raw: &RawScenario,
        applied: &[Applied],
    ) -> ScenarioError {
        let from_variant = applied.iter().rev().find(|a| a.caused(error));
        let location = match from_variant {
            Some(a) => a.location,
            None => base_location(error, raw),
        };
        let hint = match error {
            ConfigError::PoolUnderMinimum { .. } => {
                "; expected less reserved or provisioned concurrency, or a higher account.concurrency_limit"
            }
            ConfigError::ProvisionedAboveReserved { .. } => {
                "; expected provisioned_concurrency (its initial value, every scheduled value and the autoscaling max) at most reserved_concurrency"
            }
            _ => "",
        };
        self.error(location, format!("{error}{hint}"))
    }
}

/// Where the base file wrote what a configuration error is about: the error's
/// function, else the `account` section for an account setting, else `functions`.
fn base_location(error: &ConfigError, raw: &RawScenario) -> Location {
    let function = error.function().and_then(|name| {
        raw.functions
            .value
            .iter()
            .find(|f| f.value.name.value == name)
    });
    let about_account = error
        .fields()
        .iter()
        .any(|f| matches!(f, lambdasim_model::Field::Account(_)));
    match (function, &raw.account) {
        (Some(f), _) => f.referenced,
        (None, Some(account)) if about_account => account.referenced,
        _ => raw.functions.referenced,
    }
}

impl Context<'_> {
    /// `billing:`, each key defaulting to the current AWS bill at the Region's prices.
    fn billing(
        &self,
        raw: Option<&Spanned<RawBilling>>,
        region: &str,
    ) -> Result<BillingConfig, ScenarioError> {
        let defaults = BillingConfig::default();
        let mut prices = PriceTable::region(region).unwrap_or_default();
        let Some(raw) = raw else {
            return Ok(BillingConfig { prices, ..defaults });
        };
        let at = raw.referenced;
        let raw = &raw.value;
        if let Some(pricing) = &raw.pricing {
            self.pricing(&pricing.value, pick(pricing.referenced, at), &mut prices)?;
        }
        Ok(BillingConfig {
            init: raw.init.as_ref().map_or(defaults.init, |v| v.value),
            free_tier: raw
                .free_tier
                .as_ref()
                .map_or(defaults.free_tier, |v| v.value),
            prices,
        })
    }

    /// `billing.pricing:` overrides of the Region's prices.
    fn pricing(
        &self,
        raw: &RawPricing,
        at: Location,
        prices: &mut PriceTable,
    ) -> Result<(), ScenarioError> {
        let price = |v: &Spanned<f64>| self.non_negative(v, at, "a price in USD");
        if let Some(v) = &raw.requests_per_million {
            prices.request = price(v)? / 1e6;
        }
        if let Some(v) = &raw.ephemeral_storage_gb_s {
            prices.ephemeral_gb_s = price(v)?;
        }
        if let Some(v) = &raw.snapstart_cache_gb_s {
            prices.snapstart_cache_gb_s = price(v)?;
        }
        if let Some(v) = &raw.snapstart_restore_gb {
            prices.snapstart_restore_gb = price(v)?;
        }
        for (raw_arch, arch) in [
            (&raw.x86_64, &mut prices.x86_64),
            (&raw.arm64, &mut prices.arm64),
        ] {
            let Some(a) = raw_arch else { continue };
            let (a, at) = (&a.value, pick(a.referenced, at));
            let price = |v: &Spanned<f64>| self.non_negative(v, at, "a price in USD");
            match &a.duration_gb_s {
                Some(RawTiers::Flat(v)) => {
                    let p = price(v)?;
                    for tier in &mut arch.on_demand_tiers {
                        tier.1 = p;
                    }
                }
                Some(RawTiers::Tiers(tiers)) => {
                    for (tier, v) in arch.on_demand_tiers.iter_mut().zip(tiers) {
                        tier.1 = price(v)?;
                    }
                }
                None => {}
            }
            if let Some(v) = &a.provisioned_gb_s {
                arch.provisioned = price(v)?;
            }
            if let Some(v) = &a.provisioned_duration_gb_s {
                arch.provisioned_duration = price(v)?;
            }
        }
        prices.source.push_str(" + overrides");
        Ok(())
    }
}
