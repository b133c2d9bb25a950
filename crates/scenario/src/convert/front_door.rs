//! `front_door:`: API Gateway in front, the account's throttle and a function's place
//! behind it (see `GatewayLimit` and `FrontDoor` in the model).

use super::{Context, pick};
use crate::error::ScenarioError;
use crate::raw::{RawFrontDoor, RawGatewayLimit};
use lambdasim_model::{FrontDoor, FunctionConfig, GatewayLimit, InvocationType};
use serde_saphyr::{Location, Spanned};

impl Context<'_> {
    /// A `{ rate, burst }` limit; a key left out takes `defaults`' value, and is
    /// required without defaults (a route's limit).
    pub(super) fn gateway_limit(
        &self,
        raw: &Spanned<RawGatewayLimit>,
        parent: Location,
        defaults: Option<GatewayLimit>,
    ) -> Result<GatewayLimit, ScenarioError> {
        let at = pick(raw.referenced, parent);
        let read = |value: &Option<Spanned<u64>>, key: &str, min: u64, default: Option<u64>| match (
            value, default,
        ) {
            (Some(v), _) => self.in_range(v, at, key, min..=GatewayLimit::MAX, ""),
            (None, Some(d)) => Ok(d),
            (None, None) => Err(self.error(
                at,
                format!("found no {key}, expected both rate and burst for a route's limit"),
            )),
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

    /// A function's `front_door`: `true` puts it behind the gateway, a map also gives
    /// its route a limit. Only a synchronous function can be behind it.
    pub(super) fn front_door(
        &self,
        raw: &Spanned<RawFrontDoor>,
        parent: Location,
        config: &FunctionConfig,
    ) -> Result<FrontDoor, ScenarioError> {
        let at = pick(raw.referenced, parent);
        let front_door = match &raw.value {
            RawFrontDoor::Flag(false) => return Ok(FrontDoor::Direct),
            RawFrontDoor::Flag(true) => FrontDoor::Behind { route: None },
            RawFrontDoor::Route(limit) => {
                let limit = Spanned {
                    value: limit.clone(),
                    referenced: raw.referenced,
                    defined: raw.defined,
                };
                FrontDoor::Behind {
                    route: Some(self.gateway_limit(&limit, parent, None)?),
                }
            }
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
}
