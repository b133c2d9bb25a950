//! `invocation: { sqs: { ... } }`: an SQS event source mapping (see `SqsConfig` in the
//! model), each setting checked against AWS's range at its line.

use super::{Context, pick};
use crate::duration::Dur;
use crate::error::ScenarioError;
use crate::raw::{RawFunction, RawSqs};
use lambdasim_engine::{NANOS_PER_SEC, Nanos};
use lambdasim_model::{InvocationType, SqsConfig};
use serde_saphyr::{Location, Spanned};
use std::ops::RangeInclusive;

/// A range of durations as a message shows it, in seconds.
pub(super) fn seconds(range: &RangeInclusive<Nanos>) -> String {
    format!(
        "{} s to {} s",
        range.start() / NANOS_PER_SEC,
        range.end() / NANOS_PER_SEC
    )
}

impl Context<'_> {
    /// Reads the mapping's settings; those not given keep AWS's defaults.
    pub(super) fn sqs(
        &self,
        raw: &Spanned<RawSqs>,
        parent: Location,
    ) -> Result<SqsConfig, ScenarioError> {
        let at = pick(raw.referenced, parent);
        let s = &raw.value;
        let mut config = SqsConfig::default();
        if let Some(size) = &s.batch_size {
            config.batch_size = self.in_range(
                size,
                at,
                "batch_size",
                SqsConfig::BATCH_SIZE_RANGE,
                " messages",
            )?;
        }
        if let Some(window) = &s.batch_window {
            let range = SqsConfig::BATCH_WINDOW_RANGE;
            config.batch_window = self
                .checked(
                    window,
                    at,
                    "batch_window",
                    |w: Dur| range.contains(&w.0),
                    &seconds(&range),
                )?
                .0;
        }
        if let Some(max) = &s.maximum_concurrency {
            let range = SqsConfig::MAXIMUM_CONCURRENCY_RANGE;
            config.maximum_concurrency =
                Some(self.in_range(max, at, "maximum_concurrency", range, "")?);
        }
        if let Some(timeout) = &s.visibility_timeout {
            let range = SqsConfig::VISIBILITY_TIMEOUT_RANGE;
            let expected = "0 s to 12h";
            config.visibility_timeout = self
                .checked(
                    timeout,
                    at,
                    "visibility_timeout",
                    |t: Dur| range.contains(&t.0),
                    expected,
                )?
                .0;
        }
        if let Some(count) = &s.max_receive_count {
            let range = SqsConfig::MAX_RECEIVE_COUNT_RANGE;
            config.max_receive_count =
                Some(self.in_range(count, at, "max_receive_count", range, "")?);
        }
        if config.batch_size > SqsConfig::BATCH_SIZE_WITHOUT_WINDOW
            && config.batch_window < NANOS_PER_SEC
        {
            let size = s.batch_size.as_ref().map_or(at, |b| pick(b.referenced, at));
            return Err(self.error(
                size,
                format!(
                    "found batch_size {} with a batch_window under 1s, expected a batch_window of at least 1s (AWS requires one above {} messages)",
                    config.batch_size,
                    SqsConfig::BATCH_SIZE_WITHOUT_WINDOW
                ),
            ));
        }
        Ok(config)
    }

    /// The settings that make no sense for a function behind an event source mapping
    /// (`kind`: SQS or a stream), refused at their line: Lambda's async retries and a
    /// synchronous caller's (the mapping retries).
    pub(super) fn mapping_alone(
        &self,
        raw: &RawFunction,
        parent: Location,
        kind: InvocationType,
    ) -> Result<(), ScenarioError> {
        let why = match kind {
            InvocationType::Stream => {
                "a stream function, expected none (the mapping retries a failed batch up to maximum_retry_attempts or maximum_record_age)"
            }
            _ => {
                "an SQS function, expected none (the queue retries a failed batch after its visibility_timeout, up to max_receive_count)"
            }
        };
        let found = |key: &str, location: Location| {
            Err(self.error(pick(location, parent), format!("found {key} on {why}")))
        };
        if let Some(age) = &raw.max_event_age {
            return found("max_event_age", age.referenced);
        }
        if let Some(attempts) = &raw.retry_attempts {
            return found("retry_attempts", attempts.referenced);
        }
        if let Some(retries) = &raw.client_retries {
            return found("client_retries", retries.referenced);
        }
        Ok(())
    }
}
