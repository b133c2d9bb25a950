//! Trace timestamps: RFC 3339 date-times and epoch seconds, as exact integer
//! nanoseconds since the Unix epoch (only differences between rows matter).

const NANOS_PER_SEC: i128 = 1_000_000_000;

/// Parses an RFC 3339 timestamp (`2024-11-29T09:00:00Z`, `2024-11-29T10:00:00.25+01:00`),
/// the same without a zone, taken as UTC (`1998-04-30 21:30:00`, as in WorldCup98's
/// per-minute counts), or a number of seconds since the Unix epoch (`1732870800.5`).
pub(crate) fn parse(text: &str) -> Option<i128> {
    parse_epoch(text).or_else(|| parse_rfc3339(text))
}

fn parse_epoch(text: &str) -> Option<i128> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 18 || !digits(whole) || !digits(fraction) {
        return None;
    }
    let nanos = whole.parse::<i128>().ok()? * NANOS_PER_SEC + fraction_nanos(fraction)?;
    Some(if negative { -nanos } else { nanos })
}

/// Nanoseconds in a decimal fraction of a second given by its digits (truncated past
/// the ninth).
fn fraction_nanos(digits: &str) -> Option<i128> {
    if digits.is_empty() {
        return Some(0);
    }
    let digits = &digits[..digits.len().min(9)];
    let value: i128 = digits.parse().ok()?;
    Some(value * 10i128.pow(9 - digits.len() as u32))
}

fn parse_rfc3339(text: &str) -> Option<i128> {
    let bytes = text.as_bytes();
    if bytes.len() < 19 || !text.is_ascii() {
        return None;
    }
    let number = |from: usize, len: usize| -> Option<i64> {
        let part = &text[from..from + len];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let separators_ok = bytes[4] == b'-'
        && bytes[7] == b'-'
        && matches!(bytes[10], b'T' | b't' | b' ')
        && bytes[13] == b':'
        && bytes[16] == b':';
    if !separators_ok {
        return None;
    }
    let (year, month, day) = (number(0, 4)?, number(5, 2)?, number(8, 2)?);
    let (hour, minute, second) = (number(11, 2)?, number(14, 2)?, number(17, 2)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    let mut fraction = 0;
    if let Some(after_dot) = rest.strip_prefix('.') {
        let len = after_dot.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return None;
        }
        fraction = fraction_nanos(&after_dot[..len])?;
        rest = &after_dot[len..];
    }
    let offset_secs = match rest.as_bytes() {
        // No zone, as in `1998-04-30 21:30:00`: taken as UTC.
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |a: u8, b: u8| -> Option<i64> {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
            };
            let (hours, minutes) = (two(*h1, *h2)?, two(*m1, *m2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = hours * 3600 + minutes * 60;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return None,
    };
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
        - offset_secs;
    Some(i128::from(secs) * NANOS_PER_SEC + fraction)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date, counting in 400-year eras whose
/// years start in March (so the leap day is the last day of a year).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_matches_known_epoch_seconds() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse("2024-11-29T09:00:00Z"),
            Some(1_732_870_800 * NANOS_PER_SEC)
        );
        assert_eq!(
            parse("2024-11-29T10:30:00.5+01:30"),
            Some(1_732_870_800 * NANOS_PER_SEC + NANOS_PER_SEC / 2)
        );
        assert_eq!(
            parse("2024-02-29t00:00:00-00:00"),
            Some(1_709_164_800 * NANOS_PER_SEC)
        );
        assert_eq!(parse("1969-12-31 23:59:59Z"), Some(-NANOS_PER_SEC));
        assert_eq!(
            parse("1998-04-30 21:30:00"),
            Some(893_971_800 * NANOS_PER_SEC)
        );
    }

    #[test]
    fn epoch_seconds_are_exact() {
        assert_eq!(
            parse("1732870800.000000001"),
            Some(1_732_870_800 * NANOS_PER_SEC + 1)
        );
        assert_eq!(parse("-1.5"), Some(-3 * NANOS_PER_SEC / 2));
    }

    #[test]
    fn malformed_timestamps_are_rejected() {
        for bad in [
            "",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-11-29T24:00:00Z",
            "2024-11-29T09:00:00+1:00",
            "2024-11-29T09:00:00.Z",
            "2024/11/29T09:00:00Z",
            "1.2.3",
            "abc",
            "2024-11-29T09:00:00Zjunk",
            "2024-11-29T09:00:00Zé",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
