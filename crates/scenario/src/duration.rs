//! Durations as users write them (`250ms`, `1.5s`, `2h`), converted exactly to integer
//! nanoseconds. A number without a unit is refused (but `0`): `duration: 100` meant
//! milliseconds to one reader and seconds to the next, and ran silently as 100 s.

use lambdasim_engine::{NANOS_PER_MS, NANOS_PER_SEC, Nanos, nanos_to_secs};
use serde::de::{self, Deserialize, Deserializer, Visitor};
use std::fmt;

const EXPECTED: &str = "a duration: a non-negative number with a unit (ns, us, ms, s, m, h, d) \
                        like `250ms`, `1.5s` or `1h30m`";

/// The message for a number written without a unit: which units it could take.
fn unitless(shown: &str) -> String {
    format!(
        "found `{shown}`, a number without a unit; expected a duration with its unit, \
         like `{shown}ms` or `{shown}s` (units: ns, us, ms, s, m, h, d)"
    )
}

/// Parses a duration string: one or more `<number><unit>` terms, added up (`1h30m`).
/// Decimals are exact (no float rounding): `0.1s` is 100,000,000 ns. A number alone is
/// an error asking for a unit, except zero, which is the same in every unit.
pub(crate) fn parse(text: &str) -> Result<Nanos, String> {
    let shown = crate::error::shown(text);
    let invalid = || format!("found `{shown}`, expected {EXPECTED}");
    let too_large = || format!("found `{shown}`, which is too large for a duration");
    let mut rest = text.trim();
    if rest.starts_with('-') {
        return Err(format!(
            "found `{shown}`, a negative duration; expected {EXPECTED}"
        ));
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    let mut first = true;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        let after = after.trim_start();
        let unit_len = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let unit_nanos: u128 = match unit {
            "ns" => 1,
            "us" => 1_000,
            "ms" => NANOS_PER_MS.into(),
            "s" => NANOS_PER_SEC.into(),
            // A bare number on its own: zero needs no unit, anything else does.
            "" if first && after.trim().is_empty() => {
                return match decimal_times(number, 1) {
                    None => Err(invalid()),
                    Some(_) if number.bytes().all(|b| b == b'0' || b == b'.') => Ok(0),
                    Some(_) => Err(unitless(&shown)),
                };
            }
            "m" => (60 * NANOS_PER_SEC).into(),
            "h" => (3_600 * NANOS_PER_SEC).into(),
            "d" => (86_400 * NANOS_PER_SEC).into(),
            _ => return Err(invalid()),
        };
        let term = decimal_times(number, unit_nanos)
            .ok_or_else(invalid)?
            .ok_or_else(too_large)?;
        total = total.checked_add(term).ok_or_else(too_large)?;
        rest = after.trim_start();
        first = false;
    }
    Nanos::try_from(total).map_err(|_| too_large())
}

/// `number × unit`, rounded to the nearest unit of 1: `None` if `number` is not a
/// plain decimal, `Some(None)` if the product overflows.
fn decimal_times(number: &str, unit: u128) -> Option<Option<u128>> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits_only(whole) || !digits_only(fraction) {
        return None;
    }
    let Ok(whole) = (if whole.is_empty() {
        Ok(0)
    } else {
        whole.parse::<u128>()
    }) else {
        return Some(None);
    };
    // 18 fractional digits are finer than a nanosecond for every unit up to a day.
    let fraction = &fraction[..fraction.len().min(18)];
    let scale = 10u128.pow(fraction.len() as u32);
    let fraction: u128 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().ok()?
    };
    Some(
        whole
            .checked_mul(unit)
            .and_then(|w| w.checked_add((fraction * unit + scale / 2) / scale)),
    )
}

/// A duration written as a YAML number: zero, or an error asking for a unit.
pub(crate) fn from_number(secs: f64) -> Result<Nanos, String> {
    if !secs.is_finite() || secs < 0.0 {
        Err(format!("found {secs}, expected {EXPECTED}"))
    } else if secs == 0.0 {
        Ok(0)
    } else {
        Err(unitless(&secs.to_string()))
    }
}

/// Formats nanoseconds as seconds for messages, e.g. `7200s` or `0.25s`.
pub(crate) fn show(nanos: Nanos) -> String {
    format!("{}s", nanos_to_secs(nanos))
}

/// A duration field of the scenario file, parsed while deserializing so that a bad
/// value is reported at its own line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dur(pub Nanos);

/// Shown in seconds, as in error messages (`7200s`).
impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&show(self.0))
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DurVisitor).map(Dur)
    }
}

struct DurVisitor;

impl Visitor<'_> for DurVisitor {
    type Value = Nanos;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Nanos, E> {
        parse(v).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Nanos, E> {
        if v == 0 {
            Ok(0)
        } else {
            Err(E::custom(unitless(&v.to_string())))
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Nanos, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::custom(format!(
                "found {v}, a negative duration; expected {EXPECTED}"
            ))),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Nanos, E> {
        from_number(v).map_err(E::custom)
    }
}

/// A duration, or `none` for a timer that is off (`max_lifetime`,
/// `function_idle_timeout`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Lifetime(pub Option<Nanos>);

impl<'de> Deserialize<'de> for Lifetime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LifetimeVisitor).map(Lifetime)
    }
}

struct LifetimeVisitor;

impl Visitor<'_> for LifetimeVisitor {
    type Value = Option<Nanos>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`none` or {EXPECTED}")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim() == "none" {
            Ok(None)
        } else {
            parse(v).map(Some).map_err(|_| {
                let shown = crate::error::shown(v);
                E::custom(format!("found `{shown}`, expected `none` or {EXPECTED}"))
            })
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        DurVisitor.visit_u64(v).map(Some)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        DurVisitor.visit_i64(v).map(Some)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        DurVisitor.visit_f64(v).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_decimals_are_exact() {
        assert_eq!(parse("250ms"), Ok(250 * NANOS_PER_MS));
        assert_eq!(parse("1.5s"), Ok(1_500 * NANOS_PER_MS));
        assert_eq!(parse("0.1s"), Ok(100 * NANOS_PER_MS));
        assert_eq!(parse("10m"), Ok(600 * NANOS_PER_SEC));
        assert_eq!(parse("2h"), Ok(7_200 * NANOS_PER_SEC));
        assert_eq!(parse("1d"), Ok(86_400 * NANOS_PER_SEC));
        assert_eq!(parse("7ns"), Ok(7));
        assert_eq!(parse("3us"), Ok(3_000));
        assert_eq!(parse(".5ms"), Ok(500_000));
        assert_eq!(parse(" 5 s "), Ok(5 * NANOS_PER_SEC));
        assert_eq!(parse("1.0000000005s"), Ok(1_000_000_001));
        assert_eq!(parse("1h30m"), Ok(5_400 * NANOS_PER_SEC));
        assert_eq!(parse("59m 58.5s"), Ok(3_598_500 * NANOS_PER_MS));
    }

    #[test]
    fn bad_strings_say_what_was_expected() {
        for bad in [
            "", "s", "5x", "5 sec", "1..2s", "1.2.3s", "abc", "5s5", "+5s", ".", "5 5s", "1h-5m",
            "0s 2", "1.", "2 2",
        ] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains("expected"), "{bad}: {err}");
        }
        assert!(parse("-5s").unwrap_err().contains("negative"));
        assert!(
            parse("99999999999999999999d")
                .unwrap_err()
                .contains("too large")
        );
    }

    #[test]
    fn a_number_without_a_unit_asks_for_one_but_zero() {
        let want = "found `100`, a number without a unit; expected a duration with its \
                    unit, like `100ms` or `100s` (units: ns, us, ms, s, m, h, d)";
        assert_eq!(parse("100").unwrap_err(), want);
        assert_eq!(parse("0"), Ok(0));
        assert_eq!(parse("0.0"), Ok(0));
        assert!(parse("0.25").unwrap_err().contains("`0.25ms` or `0.25s`"));
        // As YAML numbers: integers and decimals alike.
        let err = serde_json::from_str::<Dur>("100").unwrap_err().to_string();
        assert!(err.starts_with(want), "{err}");
        let err = serde_json::from_str::<Dur>("2.5").unwrap_err().to_string();
        assert!(err.contains("`2.5ms` or `2.5s`"), "{err}");
        assert_eq!(serde_json::from_str::<Dur>("0").unwrap(), Dur(0));
        assert!(
            serde_json::from_str::<Dur>("-3")
                .unwrap_err()
                .to_string()
                .contains("negative")
        );
        let err = serde_json::from_str::<Lifetime>("90")
            .unwrap_err()
            .to_string();
        assert!(err.contains("without a unit"), "{err}");
        let lifetime: Lifetime = serde_json::from_str("\"none\"").unwrap();
        assert_eq!(lifetime, Lifetime(None));
    }
}
