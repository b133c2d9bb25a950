//! `invocation: { stream: { ... } }`: a Kinesis or DynamoDB stream event source mapping
//! (see `StreamConfig` in the model), each setting checked against AWS's range at its
//! line.

use super::sqs::seconds;
use super::{Context, pick};
use crate::duration::Dur;
use crate::error::ScenarioError;
use crate::raw::RawStreamMapping;
use lambdasim_model::{StreamConfig, StreamSource};
use serde_saphyr::{Location, Spanned};

impl Context<'_> {
    /// Reads the mapping's settings; those not given keep AWS's defaults.
    pub(super) fn stream_mapping(
        &self,
        raw: &Spanned<RawStreamMapping>,
        parent: Location,
    ) -> Result<StreamConfig, ScenarioError> {
        let at = pick(raw.referenced, parent);
        let s = &raw.value;
        let source = s.source.as_ref().map_or(StreamSource::Kinesis, |s| s.value);
        let mut config = StreamConfig::new(source);
        if let Some(shards) = &s.shards {
            let range = StreamConfig::SHARDS_RANGE;
            config.shards = self.in_range(shards, at, "shards", range, "")?;
        }
        if let Some(factor) = &s.parallelization_factor {
            let range = StreamConfig::PARALLELIZATION_FACTOR_RANGE;
            config.parallelization_factor =
                self.in_range(factor, at, "parallelization_factor", range, "")?;
        }
        if let Some(size) = &s.batch_size {
            let range = StreamConfig::BATCH_SIZE_RANGE;
            config.batch_size = self.in_range(size, at, "batch_size", range, " records")?;
        }
        if let Some(window) = &s.batch_window {
            let range = StreamConfig::BATCH_WINDOW_RANGE;
            let valid = |w: Dur| range.contains(&w.0);
            config.batch_window = self
                .checked(window, at, "batch_window", valid, &seconds(&range))?
                .0;
        }
        if let Some(retries) = &s.maximum_retry_attempts {
            let range = StreamConfig::MAXIMUM_RETRY_ATTEMPTS_RANGE;
            let valid = |n: i64| n == -1 || u32::try_from(n).is_ok_and(|n| range.contains(&n));
            let expected = format!(
                "-1 (retry until the records expire) or 0 to {}",
                range.end()
            );
            let n = self.checked(retries, at, "maximum_retry_attempts", valid, &expected)?;
            config.maximum_retry_attempts = u32::try_from(n).ok();
        }
        if let Some(age) = &s.maximum_record_age {
            let range = StreamConfig::MAXIMUM_RECORD_AGE_RANGE;
            let valid = |a: Dur| range.contains(&a.0);
            let expected = "60 s to 604800 s (7 days); leave it out for AWS's -1 (until the stream's 24-hour retention)";
            config.maximum_record_age = Some(
                self.checked(age, at, "maximum_record_age", valid, expected)?
                    .0,
            );
        }
        if let Some(bisect) = &s.bisect_batch_on_error {
            config.bisect_batch_on_error = bisect.value;
        }
        Ok(config)
    }
}
