//! `provisioned_concurrency:` to the model's static value and [`Provisioning`]: the
//! schedule, autoscaling and allocation settings, each checked where it is written.

use super::{Context, pick};
use crate::duration::{self, Dur};
use crate::error::ScenarioError;
use crate::raw::{RawAutoscaling, RawProvisioned, RawProvisioning, RawScheduled};
use lambdasim_engine::Nanos;
use lambdasim_model::{AutoscalingConfig, Provisioning, ScheduledValue};
use serde_saphyr::{Location, Spanned};

impl Context<'_> {
    /// The value ready at time 0 and its changes over time. The plain-number form is
    /// static; the map form's `initial` defaults to 0.
    pub(super) fn provisioned(
        &self,
        raw: &Spanned<RawProvisioned>,
        parent: Location,
        duration: Nanos,
    ) -> Result<(u32, Provisioning), ScenarioError> {
        match &raw.value {
            RawProvisioned::Static(value) => Ok((*value, Provisioning::default())),
            RawProvisioned::Dynamic(map) => {
                let at = pick(raw.referenced, parent);
                let initial = map.initial.as_ref().map_or(0, |i| i.value);
                Ok((initial, self.provisioning(map, at, duration)?))
            }
        }
    }

    fn provisioning(
        &self,
        raw: &RawProvisioning,
        at: Location,
        duration: Nanos,
    ) -> Result<Provisioning, ScenarioError> {
        let defaults = Provisioning::default();
        let schedule = match &raw.schedule {
            Some(entries) => {
                let at = pick(entries.referenced, at);
                entries
                    .value
                    .iter()
                    .map(|entry| self.scheduled(entry, at, duration))
                    .collect::<Result<_, _>>()?
            }
            None => Vec::new(),
        };
        let autoscaling = match &raw.autoscaling {
            Some(a) => Some(self.autoscaling(&a.value, pick(a.referenced, at))?),
            None => None,
        };
        let allocation_delay = match &raw.allocation_delay {
            Some(dist) => self.dist(dist, at)?,
            None => defaults.allocation_delay,
        };
        let allocation_per_minute = match &raw.allocation_per_minute {
            Some(rate) => Some(self.checked(
                rate,
                at,
                "allocation_per_minute",
                |v| v > 0,
                "1 or more (environments per minute)",
            )?),
            None => defaults.allocation_per_minute,
        };
        Ok(Provisioning {
            schedule,
            autoscaling,
            allocation_delay,
            allocation_per_minute,
        })
    }

    /// A schedule entry; its time must fall inside the run, `[0, duration)`. Entries may
    /// come in any order (the model sorts them).
    fn scheduled(
        &self,
        raw: &Spanned<RawScheduled>,
        parent: Location,
        duration: Nanos,
    ) -> Result<ScheduledValue, ScenarioError> {
        let at = pick(raw.referenced, parent);
        let time = self.checked(
            &raw.value.at,
            at,
            "at",
            |t| t.0 < duration,
            &format!(
                "a time within the run, before its duration of {}",
                duration::show(duration)
            ),
        )?;
        Ok(ScheduledValue {
            at: time.0,
            value: raw.value.value.value,
        })
    }

    /// Target tracking: `min` at most `max`, the target within the model's range.
    fn autoscaling(
        &self,
        raw: &RawAutoscaling,
        at: Location,
    ) -> Result<AutoscalingConfig, ScenarioError> {
        let min = raw.min.value;
        let max = self.checked(
            &raw.max,
            at,
            "max",
            |max| max >= min,
            &format!("at least min ({min})"),
        )?;
        let target_utilization = self.in_range(
            &raw.target_utilization,
            at,
            "target_utilization",
            AutoscalingConfig::TARGET_UTILIZATION_RANGE,
            " (the share of provisioned environments in use to aim for)",
        )?;
        let cooldown = |c: &Option<Spanned<Dur>>| c.as_ref().map_or(0, |c| c.value.0);
        Ok(AutoscalingConfig {
            min,
            max,
            target_utilization,
            scale_out_cooldown: cooldown(&raw.scale_out_cooldown),
            scale_in_cooldown: cooldown(&raw.scale_in_cooldown),
        })
    }
}
