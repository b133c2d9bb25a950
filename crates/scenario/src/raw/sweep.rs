//! `sweep:` as written: swept keys with their values (a list or a range), and `zip:`
//! groups of keys that move together, each with where it was written.
//!
//! Nothing here knows which keys exist or what their values mean; `crate::sweep`
//! checks the keys against what `set:` accepts and expands ranges.

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// The key that introduces zipped keys inside `sweep:`.
pub(crate) const ZIP: &str = "zip";

/// `sweep:`, in file order.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawSweep(pub Vec<RawSweepEntry>);

/// One entry of `sweep:`: a key swept on its own, or the `zip:` groups.
#[derive(Clone, Debug)]
pub(crate) enum RawSweepEntry {
    Axis(Box<RawAxis>),
    /// `zip:` (its key, then the groups: one map, or a list of maps).
    Zip(Spanned<String>, Vec<Spanned<RawZipGroup>>),
}

/// `dotted.path: values`.
#[derive(Clone, Debug)]
pub(crate) struct RawAxis {
    pub path: Spanned<String>,
    pub values: Spanned<RawValues>,
}

/// A swept key's values: a list, or `{ from, to, step }`.
#[derive(Clone, Debug)]
pub(crate) enum RawValues {
    List(Vec<Spanned<serde_json::Value>>),
    Range(Box<RawRange>),
}

/// `{ from, to, step }`: every key required, checked by `crate::sweep`.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawRange {
    pub from: Option<Spanned<serde_json::Value>>,
    pub to: Option<Spanned<serde_json::Value>>,
    pub step: Option<Spanned<serde_json::Value>>,
}

/// One map of zipped keys: its keys take their values' first, second, … together.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawZipGroup(pub Vec<RawAxis>);

impl<'de> Deserialize<'de> for RawSweep {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SweepVisitor;

        impl<'de> Visitor<'de> for SweepVisitor {
            type Value = RawSweep;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a map of setting paths to lists or ranges, like \
                     `functions.api.memory_mb: [512, 1024]`, and optionally `zip:`",
                )
            }

            fn visit_unit<E: de::Error>(self) -> Result<RawSweep, E> {
                Ok(RawSweep::default())
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawSweep, A::Error> {
                let mut entries = Vec::new();
                while let Some(path) = map.next_key::<Spanned<String>>()? {
                    if path.value == ZIP {
                        let groups: ZipGroups = map.next_value()?;
                        entries.push(RawSweepEntry::Zip(path, groups.0));
                    } else {
                        entries.push(RawSweepEntry::Axis(Box::new(RawAxis {
                            path,
                            values: map.next_value()?,
                        })));
                    }
                }
                Ok(RawSweep(entries))
            }
        }

        deserializer.deserialize_any(SweepVisitor)
    }
}

/// `zip:`'s value: one group, or a list of them.
struct ZipGroups(Vec<Spanned<RawZipGroup>>);

impl<'de> Deserialize<'de> for ZipGroups {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct GroupsVisitor;

        impl<'de> Visitor<'de> for GroupsVisitor {
            type Value = ZipGroups;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a map of setting paths to lists of equal length, or a list of such maps",
                )
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ZipGroups, A::Error> {
                let group = axes(map)?;
                // The group's own location is its first key's.
                let at = group.first().map(|a| a.path.referenced);
                let at = at.unwrap_or(serde_saphyr::Location::UNKNOWN);
                Ok(ZipGroups(vec![Spanned::new(RawZipGroup(group), at, at)]))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ZipGroups, A::Error> {
                let mut groups = Vec::new();
                while let Some(group) = seq.next_element()? {
                    groups.push(group);
                }
                Ok(ZipGroups(groups))
            }
        }

        deserializer.deserialize_any(GroupsVisitor)
    }
}

impl<'de> Deserialize<'de> for RawZipGroup {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct GroupVisitor;

        impl<'de> Visitor<'de> for GroupVisitor {
            type Value = RawZipGroup;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of setting paths to lists of equal length")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawZipGroup, A::Error> {
                axes(map).map(RawZipGroup)
            }
        }

        deserializer.deserialize_any(GroupVisitor)
    }
}

/// The `path: values` entries of a map, in order.
fn axes<'de, A: MapAccess<'de>>(mut map: A) -> Result<Vec<RawAxis>, A::Error> {
    let mut axes = Vec::new();
    while let Some(path) = map.next_key()? {
        axes.push(RawAxis {
            path,
            values: map.next_value()?,
        });
    }
    Ok(axes)
}

impl<'de> Deserialize<'de> for RawValues {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValuesVisitor;

        impl<'de> Visitor<'de> for ValuesVisitor {
            type Value = RawValues;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of values, like `[0, 10, 20]`, or a range `{ from, to, step }`")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawValues, A::Error> {
                let mut values = Vec::new();
                while let Some(value) = seq.next_element()? {
                    values.push(value);
                }
                Ok(RawValues::List(values))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawValues, A::Error> {
                let mut range = RawRange::default();
                while let Some(key) = map.next_key::<String>()? {
                    let slot = match key.as_str() {
                        "from" => &mut range.from,
                        "to" => &mut range.to,
                        "step" => &mut range.step,
                        other => {
                            return Err(de::Error::unknown_field(other, &["from", "to", "step"]));
                        }
                    };
                    if slot.is_some() {
                        return Err(de::Error::duplicate_field("from, to or step"));
                    }
                    *slot = Some(map.next_value()?);
                }
                Ok(RawValues::Range(Box::new(range)))
            }
        }

        deserializer.deserialize_any(ValuesVisitor)
    }
}
