//! `provisioned_concurrency:` as written: a plain number (static, ready at time 0) or a
//! map that adds a schedule, target-tracking autoscaling and allocation settings.

use super::RawDist;
use crate::duration::Dur;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// The two forms of `provisioned_concurrency:`. The plain number stays valid so that
/// every scenario written before schedules existed keeps its meaning.
#[derive(Clone, Debug)]
pub(crate) enum RawProvisioned {
    Static(u32),
    Dynamic(Box<RawProvisioning>),
}

/// The map form: `{ initial, schedule, autoscaling, allocation_delay,
/// allocation_per_minute }`, every key optional.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProvisioning {
    pub initial: Option<Spanned<u32>>,
    pub schedule: Option<Spanned<Vec<Spanned<RawScheduled>>>>,
    pub autoscaling: Option<Spanned<RawAutoscaling>>,
    pub allocation_delay: Option<Spanned<RawDist>>,
    pub allocation_per_minute: Option<Spanned<u32>>,
}

/// One entry of `schedule:`: `{ at: 8h, value: 500 }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScheduled {
    pub at: Spanned<Dur>,
    pub value: Spanned<u32>,
}

/// `autoscaling: { min, max, target_utilization, scale_out_cooldown, scale_in_cooldown }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAutoscaling {
    pub min: Spanned<u32>,
    pub max: Spanned<u32>,
    pub target_utilization: Spanned<f64>,
    pub scale_out_cooldown: Option<Spanned<Dur>>,
    pub scale_in_cooldown: Option<Spanned<Dur>>,
}

impl<'de> Deserialize<'de> for RawProvisioned {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ProvisionedVisitor;

        impl<'de> Visitor<'de> for ProvisionedVisitor {
            type Value = RawProvisioned;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a number of environments, or a map with initial, schedule, autoscaling, \
                     allocation_delay or allocation_per_minute",
                )
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawProvisioned, E> {
                u32::try_from(v).map(RawProvisioned::Static).map_err(|_| {
                    E::custom(format!(
                        "found {v}, expected a number of environments up to {}",
                        u32::MAX
                    ))
                })
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawProvisioned, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::custom(format!(
                        "found {v}, expected a number of environments (0 or more)"
                    ))),
                }
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawProvisioned, A::Error> {
                RawProvisioning::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|map| RawProvisioned::Dynamic(Box::new(map)))
            }
        }

        deserializer.deserialize_any(ProvisionedVisitor)
    }
}
