//! `invocation: { sqs: { ... } }`: an SQS event source mapping (see `SqsConfig` in the
//! model), each setting checked against AWS's range at its line.

use super::{Context, pick};
use crate::duration::Dur;
use crate::error::ScenarioError;
use crate::raw::{RawFunction, RawSqs, RawSqsProvisioned};
use lambdasim_engine::{NANOS_PER_SEC, Nanos};
use lambdasim_model::{InvocationType, SqsConfig, SqsProvisioned};
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
        if let Some(provisioned) = &s.provisioned {
            config.provisioned = Some(self.sqs_provisioned(provisioned, at)?);
            if let Some(max) = &s.maximum_concurrency {
                return Err(self.error(
                    pick(max.referenced, at),
                    "found maximum_concurrency with provisioned, expected one of them (AWS calls them mutually exclusive)",
                ));
            }
        }
        if let Some(report) = &s.report_batch_item_failures {
            config.report_batch_item_failures = report.value;
        }
        if self.sqs_fifo(s, at, &mut config)? {
            return Ok(config);
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

    /// `provisioned: { minimum_pollers, maximum_pollers }`, each in AWS's range and the
    /// maximum at least the minimum.
    fn sqs_provisioned(
        &self,
        raw: &Spanned<RawSqsProvisioned>,
        parent: Location,
    ) -> Result<SqsProvisioned, ScenarioError> {
        let at = pick(raw.referenced, parent);
        let mut p = SqsProvisioned::default();
        if let Some(min) = &raw.value.minimum_pollers {
            p.minimum_pollers = self.in_range(
                min,
                at,
                "minimum_pollers",
                SqsProvisioned::MINIMUM_RANGE,
                "",
            )?;
        }
        if let Some(max) = &raw.value.maximum_pollers {
            p.maximum_pollers = self.in_range(
                max,
                at,
                "maximum_pollers",
                SqsProvisioned::MAXIMUM_RANGE,
                "",
            )?;
        }
        if p.maximum_pollers < p.minimum_pollers {
            let max = raw.value.maximum_pollers.as_ref();
            return Err(self.error(
                max.map_or(at, |m| pick(m.referenced, at)),
                format!(
                    "found maximum_pollers {} under minimum_pollers {}, expected at least the minimum",
                    p.maximum_pollers, p.minimum_pollers
                ),
            ));
        }
        Ok(p)
    }

    /// `fifo: true` with `message_groups` (default 1): sets a FIFO queue and checks
    /// what AWS refuses for one (a batch above 10 messages, a batch window). Returns
    /// whether the queue is FIFO; `message_groups` on a standard queue is an error.
    fn sqs_fifo(
        &self,
        s: &RawSqs,
        at: Location,
        config: &mut SqsConfig,
    ) -> Result<bool, ScenarioError> {
        let fifo = s.fifo.as_ref().is_some_and(|f| f.value);
        if !fifo {
            if let Some(groups) = &s.message_groups {
                return Err(self.error(
                    pick(groups.referenced, at),
                    "found message_groups on a standard queue, expected fifo: true with it",
                ));
            }
            return Ok(false);
        }
        config.message_groups = Some(match &s.message_groups {
            Some(groups) => self.in_range(
                groups,
                at,
                "message_groups",
                SqsConfig::MESSAGE_GROUPS_RANGE,
                "",
            )?,
            None => 1,
        });
        if let Some(size) = &s.batch_size {
            self.in_range(
                size,
                at,
                "batch_size",
                SqsConfig::FIFO_BATCH_SIZE_RANGE,
                " messages (a FIFO queue's)",
            )?;
        }
        if let Some(window) = &s.batch_window
            && window.value.0 > 0
        {
            return Err(self.error(
                pick(window.referenced, at),
                "found a batch_window on a FIFO queue, expected none (AWS supports no batching window for FIFO queues)",
            ));
        }
        Ok(true)
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
