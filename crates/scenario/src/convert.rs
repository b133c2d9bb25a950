//! From the file as written to the model's configuration: defaults filled in, every
//! value range-checked, and every error placed at the value it is about.
//!
//! Values that came from a variant's `set:` entry carry that entry's location; values
//! nested inside them (a stream's `rate`, say) have no location of their own and are
//! reported at their nearest located parent, see [`pick`].

use crate::duration::{self, Dur};
use crate::error::{Position, ScenarioError};
use crate::raw::{
    BurstParams, NamedDist, RateParams, RawAccount, RawArchitecture, RawDist, RawFunction,
    RawInvocation, RawReuse, RawScaling, RawScalingMode, RawScenario, RawStream, TraceParams,
};
use crate::streams::{StreamKind, StreamSpec, TraceSpec, Window};
use crate::variants::Applied;
use lambdasim_engine::{NANOS_PER_SEC, Nanos, StreamKey};
use lambdasim_model::{
    AccountConfig, Architecture, ConfigError, DurationDist, FunctionConfig, InvocationType,
    ReusePolicy, ScalingConfig, SimConfig,
};
use serde_saphyr::{Location, Spanned};
use std::collections::HashSet;
use std::path::Path;

/// The most requests per second a generated stream may have: one per nanosecond, the
/// clock's resolution.
const MAX_RATE: f64 = 1e9;

/// A scenario (or variant) ready to run.
pub(crate) struct Resolved {
    pub config: SimConfig,
    pub streams: Vec<StreamSpec>,
}

/// Builds and validates the configuration and streams of `raw`, to which the variant
/// overrides `applied` have already been applied.
pub(crate) fn resolve(
    raw: &RawScenario,
    file: &Path,
    applied: &[Applied],
) -> Result<Resolved, ScenarioError> {
    let cx = Context {
        file,
        dir: file.parent().unwrap_or(Path::new("")),
    };
    let resolved = cx.scenario(raw)?;
    resolved
        .config
        .validate()
        .map_err(|e| cx.config_error(&e, raw, applied))?;
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

/// The one kind key of a traffic stream.
enum Kind<'a> {
    Poisson(&'a RateParams),
    Constant(&'a RateParams),
    Burst(&'a BurstParams),
    Trace(&'a TraceParams),
}

struct Context<'a> {
    file: &'a Path,
    /// Trace paths are relative to the scenario file's directory.
    dir: &'a Path,
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
        let account = match &raw.account {
            Some(a) => self.account(&a.value, a.referenced)?,
            None => AccountConfig::default(),
        };
        let functions = &raw.functions;
        if functions.value.is_empty() {
            return Err(self.error(
                functions.referenced,
                "found no functions, expected at least one",
            ));
        }
        let mut names = HashSet::new();
        let mut configs = Vec::with_capacity(functions.value.len());
        let mut streams = Vec::new();
        for (index, function) in functions.value.iter().enumerate() {
            let name = &function.value.name;
            if !names.insert(name.value.as_str()) {
                return Err(self.error(
                    pick(name.referenced, function.referenced),
                    format!(
                        "function name `{}` is used twice, expected unique names",
                        name.value
                    ),
                ));
            }
            configs.push(self.function(&function.value, function.referenced)?);
            if let Some(traffic) = &function.value.traffic {
                let parent = pick(traffic.referenced, function.referenced);
                for (stream_index, stream) in traffic.value.iter().enumerate() {
                    let key = StreamKey::new([
                        name.value.clone(),
                        "traffic".to_string(),
                        stream_index.to_string(),
                    ]);
                    let kind = self.stream(stream, parent, duration)?;
                    streams.push(StreamSpec {
                        function: index,
                        key,
                        kind,
                    });
                }
            }
        }
        Ok(Resolved {
            config: SimConfig {
                seed: raw.seed.as_ref().map_or(0, |s| s.value),
                duration,
                resolution,
                account,
                functions: configs,
            },
            streams,
        })
    }

    fn account(&self, raw: &RawAccount, at: Location) -> Result<AccountConfig, ScenarioError> {
        let defaults = AccountConfig::default();
        let region = raw
            .region
            .as_ref()
            .map_or(defaults.region, |r| r.value.clone());
        let scaling = match &raw.scaling {
            Some(s) => self.scaling(&s.value, pick(s.referenced, at), &region)?,
            None => ScalingConfig::PER_FUNCTION,
        };
        let rps_per_environment = match &raw.rps_per_environment {
            Some(rps) => self.non_negative(rps, at, "requests per second per environment")?,
            None => defaults.rps_per_environment,
        };
        Ok(AccountConfig {
            region,
            concurrency_limit: raw
                .concurrency_limit
                .as_ref()
                .map_or(defaults.concurrency_limit, |v| v.value),
            unreserved_minimum: raw
                .unreserved_minimum
                .as_ref()
                .map_or(defaults.unreserved_minimum, |v| v.value),
            scaling,
            rps_per_environment,
        })
    }

    fn scaling(
        &self,
        raw: &RawScaling,
        at: Location,
        region: &str,
    ) -> Result<ScalingConfig, ScenarioError> {
        let defaults = match raw.mode.as_ref().map(|m| m.value) {
            None | Some(RawScalingMode::PerFunction) => ScalingConfig::PER_FUNCTION,
            Some(RawScalingMode::Legacy) => ScalingConfig::legacy(region),
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
            (Some(s), None) => {
                (self.non_negative(s, at, "environments per second")? * 60.0).round() as u64
            }
            (None, Some(m)) => self.non_negative(m, at, "environments per minute")?.round() as u64,
            (None, None) => defaults.refill_per_minute,
        };
        Ok(ScalingConfig {
            mode: defaults.mode,
            burst,
            refill_per_minute,
        })
    }

    fn function(&self, raw: &RawFunction, at: Location) -> Result<FunctionConfig, ScenarioError> {
        let name = &raw.name;
        if name.value.is_empty() {
            return Err(self.error(
                pick(name.referenced, at),
                "found an empty function name, expected a name",
            ));
        }
        let mut config = FunctionConfig::new(name.value.clone());
        if let Some(memory) = &raw.memory_mb {
            if !(128..=10_240).contains(&memory.value) {
                return Err(self.error(
                    pick(memory.referenced, at),
                    format!(
                        "found memory_mb {}, expected 128 to 10240 (MB)",
                        memory.value
                    ),
                ));
            }
            config.memory_mb = memory.value;
        }
        if let Some(arch) = &raw.architecture {
            config.architecture = match arch.value {
                RawArchitecture::X86_64 => Architecture::X86_64,
                RawArchitecture::Arm64 => Architecture::Arm64,
            };
        }
        if let Some(dist) = &raw.init_duration {
            config.init_duration = self.dist(dist, at)?;
        }
        if let Some(dist) = &raw.duration {
            config.duration = self.dist(dist, at)?;
        }
        if let Some(idle) = &raw.idle_timeout {
            config.idle_timeout = idle.value.0;
        }
        if let Some(lifetime) = &raw.max_lifetime {
            config.max_lifetime = lifetime.value.0;
        }
        if let Some(reuse) = &raw.reuse {
            config.reuse = match reuse.value {
                RawReuse::Mru => ReusePolicy::Mru,
                RawReuse::Lru => ReusePolicy::Lru,
                RawReuse::Newest => ReusePolicy::Newest,
                RawReuse::Oldest => ReusePolicy::Oldest,
                RawReuse::Random => ReusePolicy::Random,
            };
        }
        config.reserved_concurrency = raw.reserved_concurrency.as_ref().map(|r| r.value);
        if let Some(provisioned) = &raw.provisioned_concurrency {
            config.provisioned_concurrency = provisioned.value;
        }
        if let Some(invocation) = &raw.invocation {
            config.invocation = match invocation.value {
                RawInvocation::Sync => InvocationType::Sync,
            };
        }
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
        };
        match dist.sampler() {
            Ok(_) => Ok(dist),
            Err(message) => Err(self.error(
                pick(raw.referenced, parent),
                format!("invalid distribution: {message}"),
            )),
        }
    }

    fn stream(
        &self,
        raw: &Spanned<RawStream>,
        parent: Location,
        duration: Nanos,
    ) -> Result<StreamKind, ScenarioError> {
        let at = pick(raw.referenced, parent);
        let s = &raw.value;
        let kind = match (&s.poisson, &s.constant, &s.burst, &s.trace) {
            (Some(p), None, None, None) => Kind::Poisson(p),
            (None, Some(p), None, None) => Kind::Constant(p),
            (None, None, Some(b), None) => Kind::Burst(b),
            (None, None, None, Some(t)) => Kind::Trace(t),
            _ => {
                let present: Vec<&str> = [
                    ("poisson", s.poisson.is_some()),
                    ("constant", s.constant.is_some()),
                    ("burst", s.burst.is_some()),
                    ("trace", s.trace.is_some()),
                ]
                .into_iter()
                .filter_map(|(name, present)| present.then_some(name))
                .collect();
                let found = if present.is_empty() {
                    "none".to_string()
                } else {
                    present.join(" and ")
                };
                return Err(self.error(
                    at,
                    format!(
                        "found {found}, expected exactly one of poisson, constant, burst or trace in a traffic stream"
                    ),
                ));
            }
        };
        let window = self.window(s, at, duration)?;
        let scale = match &s.scale {
            Some(scale) => self.non_negative(scale, at, "a scale factor")?,
            None => 1.0,
        };
        if let Some(speedup) = &s.speedup
            && !matches!(kind, Kind::Trace(_))
        {
            return Err(self.error(
                pick(speedup.referenced, at),
                "found speedup on a generated stream, expected it only on trace streams",
            ));
        }
        match kind {
            Kind::Poisson(p) => Ok(StreamKind::Poisson {
                rate: self.rate(p, at, scale)?,
                window,
            }),
            Kind::Constant(p) => Ok(StreamKind::Constant {
                rate: self.rate(p, at, scale)?,
                window,
            }),
            Kind::Burst(b) => {
                let time = b.at.value.0;
                if time < window.start || time >= window.end {
                    return Err(self.error(
                        pick(b.at.referenced, at),
                        format!(
                            "found a burst at {}, expected a time inside the stream's window [{}, {})",
                            duration::show(time),
                            duration::show(window.start),
                            duration::show(window.end)
                        ),
                    ));
                }
                let requests = if scale == 1.0 {
                    b.requests.value
                } else {
                    (b.requests.value as f64 * scale).round() as u64
                };
                Ok(StreamKind::Burst { at: time, requests })
            }
            Kind::Trace(t) => Ok(StreamKind::Trace(self.trace(t, s, at, scale, window)?)),
        }
    }

    /// A generated stream's rate after `scale`.
    fn rate(&self, p: &RateParams, at: Location, scale: f64) -> Result<f64, ScenarioError> {
        let rate = self.non_negative(&p.rate, at, "requests per second")? * scale;
        if rate > MAX_RATE {
            return Err(self.error(
                pick(p.rate.referenced, at),
                format!(
                    "found {rate} requests per second (after scale), expected at most {MAX_RATE} (one per nanosecond)"
                ),
            ));
        }
        Ok(rate)
    }

    fn trace(
        &self,
        trace: &TraceParams,
        s: &RawStream,
        at: Location,
        scale: f64,
        window: Window,
    ) -> Result<TraceSpec, ScenarioError> {
        let file_at = pick(trace.file.referenced, at);
        if trace.file.value.trim().is_empty() {
            return Err(self.error(file_at, "found an empty file name, expected a CSV path"));
        }
        let speedup = match &s.speedup {
            Some(v) if !(v.value.is_finite() && v.value > 0.0) => {
                return Err(self.error(
                    pick(v.referenced, at),
                    format!("found speedup {}, expected a number above 0", v.value),
                ));
            }
            Some(v) => v.value,
            None => 1.0,
        };
        let counts = match &trace.counts {
            Some(c) if c.value.0 == 0 => {
                return Err(self.error(
                    pick(c.referenced, at),
                    "found a counts interval of 0, expected the width of each row's interval (above 0)",
                ));
            }
            Some(c) => Some(c.value.0),
            None => None,
        };
        Ok(TraceSpec {
            path: self.dir.join(&trace.file.value),
            origin: Position::yaml(self.file, file_at),
            counts,
            scale,
            speedup,
            window,
        })
    }

    /// `start:` and `end:`, defaulting to the whole run and capped at its end.
    fn window(
        &self,
        s: &RawStream,
        at: Location,
        duration: Nanos,
    ) -> Result<Window, ScenarioError> {
        let start = s.start.as_ref().map_or(0, |v| v.value.0);
        let end = s.end.as_ref().map_or(duration, |v| v.value.0);
        if start >= duration {
            let location = s.start.as_ref().map_or(at, |v| pick(v.referenced, at));
            return Err(self.error(
                location,
                format!(
                    "found a stream starting at {}, expected a start before the scenario's end at {}",
                    duration::show(start),
                    duration::show(duration)
                ),
            ));
        }
        if end <= start {
            let location = s.end.as_ref().map_or(at, |v| pick(v.referenced, at));
            return Err(self.error(
                location,
                format!(
                    "found a window from {} to {}, expected its end after its start",
                    duration::show(start),
                    duration::show(end)
                ),
            ));
        }
        Ok(Window {
            start,
            end: end.min(duration),
        })
    }

    /// Places a configuration AWS would reject: at the `set:` entry that caused it
    /// when a variant did, else at the function or the `account` section.
    fn config_error(
        &self,
        error: &ConfigError,
        raw: &RawScenario,
        applied: &[Applied],
    ) -> ScenarioError {
        let functions_at = raw.functions.referenced;
        let (location, hint) = match error {
            ConfigError::PoolUnderMinimum { .. } => {
                let from_variant = applied.iter().rev().find(|a| a.affects_pool());
                let location = match (from_variant, &raw.account) {
                    (Some(a), _) => a.location,
                    (None, Some(account)) => account.referenced,
                    (None, None) => functions_at,
                };
                (
                    location,
                    "; expected less reserved or provisioned concurrency, or a higher account.concurrency_limit",
                )
            }
            _ => {
                let location = error.function().and_then(|name| {
                    applied
                        .iter()
                        .rev()
                        .find(|a| a.function() == Some(name))
                        .map(|a| a.location)
                        .or_else(|| {
                            raw.functions
                                .value
                                .iter()
                                .find(|f| f.value.name.value == name)
                                .map(|f| f.referenced)
                        })
                });
                let hint = match error {
                    ConfigError::ProvisionedAboveReserved { .. } => {
                        "; expected provisioned_concurrency at most reserved_concurrency"
                    }
                    _ => "",
                };
                (location.unwrap_or(functions_at), hint)
            }
        };
        self.error(location, format!("{error}{hint}"))
    }
}
