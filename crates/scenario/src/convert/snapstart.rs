//! `snapstart:`: new environments restore a snapshot instead of running Init (see
//! `SnapStart` in the model).

use super::{Context, pick};
use crate::error::ScenarioError;
use crate::raw::{RawFunction, RawSnapStart};
use lambdasim_model::{FunctionConfig, SnapStart, SnapStartRuntime};
use serde_saphyr::{Location, Spanned};

impl Context<'_> {
    /// Reads `snapstart`: `true` is Java's SnapStart with the default restore, `false`
    /// none; the map sets the runtime and the restore.
    pub(super) fn snapstart(
        &self,
        raw: &Spanned<RawSnapStart>,
        parent: Location,
    ) -> Result<Option<SnapStart>, ScenarioError> {
        let at = pick(raw.referenced, parent);
        Ok(match &raw.value {
            RawSnapStart::Flag(false) => None,
            RawSnapStart::Flag(true) => Some(SnapStart::new(SnapStartRuntime::Java)),
            RawSnapStart::Settings(settings) => {
                let runtime = settings
                    .runtime
                    .as_ref()
                    .map_or(SnapStartRuntime::Java, |r| r.value);
                let mut snapstart = SnapStart::new(runtime);
                if let Some(restore) = &settings.restore_duration {
                    snapstart.restore_duration = self.dist(restore, at)?;
                }
                Some(snapstart)
            }
        })
    }

    /// SnapStart with provisioned concurrency or `/tmp` above 512 MB is refused at the
    /// `snapstart` line, as AWS refuses it ("Improving startup performance with Lambda
    /// SnapStart").
    pub(super) fn snapstart_alone(
        &self,
        raw: &RawFunction,
        parent: Location,
        config: &FunctionConfig,
    ) -> Result<(), ScenarioError> {
        let Some(snapstart) = raw
            .snapstart
            .as_ref()
            .filter(|_| config.snapstart.is_some())
        else {
            return Ok(());
        };
        let (key, what) = if config.max_provisioned() > 0 {
            ("provisioned_concurrency", "provisioned concurrency")
        } else if config.ephemeral_storage_mb > 512 {
            (
                "ephemeral_storage_mb above 512",
                "ephemeral storage above 512 MB",
            )
        } else {
            return Ok(());
        };
        Err(self.error(
            pick(snapstart.referenced, parent),
            format!(
                "found snapstart with {key}, expected one or the other (AWS does not support SnapStart with {what})"
            ),
        ))
    }
}
