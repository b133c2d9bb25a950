//! How a function is invoked: sync, async, by an SQS queue (`sqs.rs`) or a stream
//! (`stream_mapping.rs`), Lambda's retries of async events, the function's error rate and
//! synchronous callers' own retries.

use super::{Context, pick};
use crate::duration::Dur;
use crate::error::ScenarioError;
use crate::raw::{RawClientRetries, RawFunction, RawInvocation};
use lambdasim_engine::{NANOS_PER_SEC, Nanos};
use lambdasim_model::{AsyncConfig, ClientRetries, FunctionConfig, InvocationType};
use serde_saphyr::{Location, Spanned};
use std::ops::RangeInclusive;

/// A bound of `max_event_age` as its message shows it: in hours when whole (`6h`),
/// else in seconds (`60s`).
fn shown_age(nanos: Nanos) -> String {
    let secs = nanos / NANOS_PER_SEC;
    if secs.is_multiple_of(3600) {
        format!("{}h", secs / 3600)
    } else {
        format!("{secs}s")
    }
}

/// Every value of a small range as a message lists them: "0, 1 or 2".
fn each_of(range: RangeInclusive<u32>) -> String {
    let values: Vec<String> = range.map(|v| v.to_string()).collect();
    match values.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => values.concat(),
    }
}

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
            match &invocation.value {
                RawInvocation::Type(kind) => config.invocation = *kind,
                RawInvocation::Mapping(mapping) => {
                    let here = pick(invocation.referenced, at);
                    match (&mapping.sqs, &mapping.stream) {
                        (Some(sqs), None) => {
                            config.invocation = InvocationType::Sqs;
                            config.sqs = self.sqs(sqs, here)?;
                        }
                        (None, Some(stream)) => {
                            config.invocation = InvocationType::Stream;
                            config.stream = self.stream_mapping(stream, here)?;
                        }
                        _ => {
                            let message = "found a map with both sqs and stream or neither, expected one of { sqs: { ... } } or { stream: { ... } }";
                            return Err(self.error(here, message));
                        }
                    }
                }
            }
            if matches!(
                config.invocation,
                InvocationType::Sqs | InvocationType::Stream
            ) {
                self.mapping_alone(raw, at, config.invocation)?;
            }
        }
        if let Some(age) = &raw.max_event_age {
            let ages = AsyncConfig::MAX_EVENT_AGE_RANGE;
            let expected = format!("{} to {}", shown_age(*ages.start()), shown_age(*ages.end()));
            config.async_config.max_event_age = self
                .checked(
                    age,
                    at,
                    "max_event_age",
                    |a: Dur| ages.contains(&a.0),
                    &expected,
                )?
                .0;
        }
        if let Some(attempts) = &raw.retry_attempts {
            let range = AsyncConfig::RETRY_ATTEMPTS_RANGE;
            let expected = each_of(range.clone());
            config.async_config.retry_attempts = self.checked(
                attempts,
                at,
                "retry_attempts",
                |n| range.contains(&n),
                &expected,
            )?;
        }
        if let Some(rate) = &raw.error_rate {
            config.error_rate = self.in_range(
                rate,
                at,
                "error_rate",
                FunctionConfig::ERROR_RATE_RANGE,
                " (the share of invocations that fail)",
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
            |n| n <= ClientRetries::MAX_ATTEMPTS,
            &format!("0 to {} retries", ClientRetries::MAX_ATTEMPTS),
        )?;
        Ok(ClientRetries {
            attempts,
            base: raw.value.base.value.0,
        })
    }
}
