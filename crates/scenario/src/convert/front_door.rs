//! `front_door:`: API Gateway in front, the account's throttle, its stages' default
//! route limits, and a function's place behind it (see `GatewayLimit` and `FrontDoor`
//! in the model).
//!
//! A stage's limit is a default for each route (method) in it, applied to each one
//! apart, not shared among them: "per-API, per-stage throttling limits are applied at
//! the API method level for a stage" (Amazon API Gateway Developer Guide, "Throttle
//! requests to your REST APIs for better throughput in API Gateway"). So a stage only
//! gives the routes behind it their limit; the model sees one limit per route.

use super::{Context, pick};
use crate::duration::Dur;
use crate::error::ScenarioError;
use crate::raw::{RawAccountGateway, RawFrontDoor, RawGatewayLimit, RawRoute};
use lambdasim_engine::Nanos;
use lambdasim_model::{FrontDoor, FunctionConfig, GatewayLimit, InvocationType};
use serde_saphyr::{Location, Spanned};
use std::collections::BTreeMap;

/// Each stage's default route limit, by name.
pub(super) type Stages = BTreeMap<String, GatewayLimit>;

impl Context<'_> {
    /// A `{ rate, burst }` limit; a key left out takes `defaults`' value, and is
    /// required without defaults.
    pub(super) fn gateway_limit(
        &self,
        raw: &Spanned<RawGatewayLimit>,
        parent: Location,
        defaults: Option<GatewayLimit>,
    ) -> Result<GatewayLimit, ScenarioError> {
        let at = pick(raw.referenced, parent);
        let read = |value: &Option<Spanned<u64>>, key: &str, min: u64, default: Option<u64>| {
            match (
            value, default,
        ) {
            (Some(v), _) => self.in_range(v, at, key, min..=GatewayLimit::MAX, ""),
            (None, Some(d)) => Ok(d),
            (None, None) => Err(self.error(
                at,
                format!(
                    "found no {key}, expected both rate and burst for a route's limit (or a stage: to take them from)"
                ),
            )),
        }
        };
        Ok(GatewayLimit {
            rate_per_second: read(
                &raw.value.rate,
                "rate",
                0,
                defaults.map(|d| d.rate_per_second),
            )?,
            burst: read(&raw.value.burst, "burst", 1, defaults.map(|d| d.burst))?,
        })
    }

    /// `account.front_door:`: the account's limit (each key defaulting to AWS's quota
    /// in `region`) and its stages' default route limits (both keys each).
    pub(super) fn account_gateway(
        &self,
        raw: &Spanned<RawAccountGateway>,
        parent: Location,
        region: &str,
    ) -> Result<(GatewayLimit, Stages), ScenarioError> {
        let at = pick(raw.referenced, parent);
        let account = Spanned {
            value: RawGatewayLimit {
                rate: raw.value.rate.clone(),
                burst: raw.value.burst.clone(),
            },
            referenced: raw.referenced,
            defined: raw.defined,
        };
        let limit = self.gateway_limit(
            &account,
            parent,
            Some(GatewayLimit::account_default(region)),
        )?;
        let mut stages = Stages::new();
        if let Some(raw_stages) = &raw.value.stages {
            let stages_at = pick(raw_stages.referenced, at);
            for (name, stage) in &raw_stages.value {
                stages.insert(name.clone(), self.gateway_limit(stage, stages_at, None)?);
            }
        }
        Ok((limit, stages))
    }

    /// A function's `front_door`: `true` puts it behind the gateway, a map also gives
    /// its route a limit, its own or its stage's. Only a synchronous function can be
    /// behind it.
    pub(super) fn front_door(
        &self,
        raw: &Spanned<RawFrontDoor>,
        parent: Location,
        config: &FunctionConfig,
        stages: &Stages,
    ) -> Result<FrontDoor, ScenarioError> {
        let at = pick(raw.referenced, parent);
        let front_door = match &raw.value {
            RawFrontDoor::Flag(false) => return Ok(FrontDoor::Direct),
            RawFrontDoor::Flag(true) => FrontDoor::BEHIND,
            RawFrontDoor::Route(route) => FrontDoor::Behind {
                route: match (&route.stage, &route.rate, &route.burst) {
                    (None, None, None) => None,
                    _ => Some(self.route_limit(route, at, stages)?),
                },
                integration_timeout: self.integration_timeout(route, at)?,
            },
        };
        if config.invocation != InvocationType::Sync {
            let kind = match config.invocation {
                InvocationType::Sqs => "an SQS",
                InvocationType::Stream => "a stream",
                _ => "an async",
            };
            return Err(self.error(
                at,
                format!("found front_door on {kind} function, expected a sync one (API Gateway's Lambda integration waits for the response)"),
            ));
        }
        Ok(front_door)
    }

    /// A route's `integration_timeout:`, API Gateway's default when left out.
    fn integration_timeout(&self, route: &RawRoute, at: Location) -> Result<Nanos, ScenarioError> {
        let Some(timeout) = &route.integration_timeout else {
            return Ok(FrontDoor::INTEGRATION_TIMEOUT);
        };
        let range = FrontDoor::INTEGRATION_TIMEOUT_RANGE;
        if !range.contains(&timeout.value.0) {
            return Err(self.error(
                pick(timeout.referenced, at),
                format!(
                    "found integration_timeout {}, expected {} to {} (API Gateway's range; above 29 s only for a Regional or private REST API, after a quota increase)",
                    timeout.value,
                    Dur(*range.start()),
                    Dur(*range.end()),
                ),
            ));
        }
        Ok(timeout.value.0)
    }

    /// A route's limit: its own keys, any left out taken from its stage's.
    fn route_limit(
        &self,
        route: &RawRoute,
        at: Location,
        stages: &Stages,
    ) -> Result<GatewayLimit, ScenarioError> {
        let stage = match &route.stage {
            None => None,
            Some(name) => Some(*stages.get(&name.value).ok_or_else(|| {
                let known: Vec<&str> = stages.keys().map(String::as_str).collect();
                self.error(
                    pick(name.referenced, at),
                    format!(
                        "found stage `{}`, expected one of account.front_door.stages{}",
                        crate::error::shown(&name.value),
                        if known.is_empty() {
                            " (there are none)".to_string()
                        } else {
                            format!(": `{}`", known.join("`, `"))
                        }
                    ),
                )
            })?),
        };
        let own = Spanned {
            value: RawGatewayLimit {
                rate: route.rate.clone(),
                burst: route.burst.clone(),
            },
            referenced: at,
            defined: at,
        };
        self.gateway_limit(&own, at, stage)
    }
}
