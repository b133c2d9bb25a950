//! How a function is invoked: sync or async, Lambda's retries of async events, the
//! function's error rate and synchronous callers' own retries.

use super::{Context, pick};
use crate::duration::Dur;
use crate::error::ScenarioError;
use crate::raw::{RawClientRetries, RawFunction};
use lambdasim_engine::NANOS_PER_SEC;
use lambdasim_model::{ClientRetries, FunctionConfig, InvocationType};
use serde_saphyr::{Location, Spanned};

/// The range AWS allows for `max_event_age` (facts §4.2).
const MIN_EVENT_AGE: u64 = 60 * NANOS_PER_SEC;
const MAX_EVENT_AGE: u64 = 6 * 3600 * NANOS_PER_SEC;

/// The most retries a client may make: enough for any SDK's setting, few enough that a
/// caller retrying at once (a `base` of 0) cannot stall the run.
const MAX_CLIENT_ATTEMPTS: u32 = 10;

impl Context<'_> {
    /// Reads `invocation`, `max_event_age`, `retry_attempts`, `error_rate` and
    /// `client_retries` into `config`. The async settings are accepted on a synchronous
    /// function (a variant may switch it to async) and then have no effect.
    pub(super) fn invocation(
        &self,
        raw: &RawFunction,
        at: Location,
        config: &mut FunctionConfig,
    ) -> Result<(), ScenarioError> {
        if let Some(invocation) = &raw.invocation {
            config.invocation = invocation.value;
        }
        if let Some(age) = &raw.max_event_age {
            config.async_config.max_event_age = self
                .checked(
                    age,
                    at,
                    "max_event_age",
                    |a: Dur| (MIN_EVENT_AGE..=MAX_EVENT_AGE).contains(&a.0),
                    "60s to 6h",
                )?
                .0;
        }
        if let Some(attempts) = &raw.retry_attempts {
            config.async_config.retry_attempts =
                self.checked(attempts, at, "retry_attempts", |n| n <= 2, "0, 1 or 2")?;
        }
        if let Some(rate) = &raw.error_rate {
            config.error_rate = self.checked(
                rate,
                at,
                "error_rate",
                |r| (0.0..=1.0).contains(&r),
                "0 to 1 (the share of invocations that fail)",
            )?;
        }
        if let Some(retries) = &raw.client_retries {
            config.client_retries = Some(self.client_retries(retries, at, config)?);
        }
        Ok(())
    }

    /// Callers' retries exist only on the synchronous path: Lambda itself retries
    /// asynchronous events.
    fn client_retries(
        &self,
        raw: &Spanned<RawClientRetries>,
        parent: Location,
        config: &FunctionConfig,
    ) -> Result<ClientRetries, ScenarioError> {
        let at = pick(raw.referenced, parent);
        if config.invocation == InvocationType::Async {
            return Err(self.error(
                at,
                format!(
                    "found client_retries on `{}`, which is invoked async; expected them only \
                     on synchronous functions (Lambda retries async events itself, see \
                     max_event_age and retry_attempts)",
                    config.name
                ),
            ));
        }
        let attempts = self.checked(
            &raw.value.attempts,
            at,
            "attempts",
            |n| n <= MAX_CLIENT_ATTEMPTS,
            &format!("0 to {MAX_CLIENT_ATTEMPTS} retries"),
        )?;
        Ok(ClientRetries {
            attempts,
            base: raw.value.base.value.0,
        })
    }
}
