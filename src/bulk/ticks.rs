//! Exact time: the portal's ISO timestamps as 100 ns ticks since the Unix
//! epoch, and the half-open millisecond [`Window`]s a sliced run tiles its
//! range with.
//!
//! Timestamps are parsed digit by digit into an `i64`, never through `f64`:
//! a float cannot hold today's date to 100 ns, and a row one tick off could
//! land in the neighbouring window (kept twice, or not at all).

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::portal::iso_millis;

/// 100 ns ticks in one millisecond.
pub const TICKS_PER_MS: i64 = 10_000;

/// A half-open time range `[start_ms, end_ms)` in Unix milliseconds (UTC).
///
/// Sliced runs tile their range with windows whose edges meet exactly, so a
/// row belongs to exactly one window whatever its sub-millisecond part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Window {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl Window {
    pub fn new(start_ms: i64, end_ms: i64) -> Self {
        Window { start_ms, end_ms }
    }

    pub fn width_ms(&self) -> i64 {
        self.end_ms.saturating_sub(self.start_ms)
    }

    pub fn is_empty(&self) -> bool {
        self.end_ms <= self.start_ms
    }

    /// The same range in 100 ns ticks: a row with timestamp `t` belongs to
    /// this window when `ticks().contains(&t)`.
    pub fn ticks(&self) -> Range<i64> {
        self.start_ms.saturating_mul(TICKS_PER_MS)..self.end_ms.saturating_mul(TICKS_PER_MS)
    }

    /// The request range for this window, widened by `pad_ms` on both
    /// sides. Nobody knows whether the portal's start and end are inclusive
    /// or exclusive, nor how it compares 100 ns data against millisecond
    /// request times; one millisecond of padding covers every combination,
    /// and the client-side filter drops what the padding let in.
    pub fn padded(&self, pad_ms: i64) -> (i64, i64) {
        (
            self.start_ms.saturating_sub(pad_ms),
            self.end_ms.saturating_add(pad_ms),
        )
    }

    /// Both halves, split on a whole millisecond; `None` for a window one
    /// millisecond wide, which cannot be split further.
    pub fn halves(&self) -> Option<(Window, Window)> {
        if self.width_ms() < 2 {
            return None;
        }
        let mid = self.start_ms + self.width_ms() / 2;
        Some((
            Window::new(self.start_ms, mid),
            Window::new(mid, self.end_ms),
        ))
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "[{}, {})",
            iso_millis(self.start_ms),
            iso_millis(self.end_ms)
        )
    }
}

/// A timestamp huntkit could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read timestamp {value:?}: {reason}")]
pub struct TimestampError {
    pub value: String,
    pub reason: &'static str,
}

/// Reads `2024-10-26T08:39:36.8200123Z` (0 to 7 fractional digits, `T` or
/// a space between date and time, `Z`, `+hh:mm`, `-hh:mm` or no zone, which
/// means UTC) into 100 ns ticks since the Unix epoch. Digits beyond the
/// seventh are dropped (rounded down): the result is still one fixed tick
/// per text, which is all that window membership needs.
pub fn parse_ticks(text: &str) -> Result<i64, TimestampError> {
    let fail = |reason| TimestampError {
        value: text.to_owned(),
        reason,
    };
    let b = text.trim().as_bytes();
    if b.len() < 19 {
        return Err(fail("too short for yyyy-mm-ddThh:mm:ss"));
    }
    let num = |from: usize, len: usize| -> Result<i64, TimestampError> {
        let digits = b.get(from..from + len).ok_or_else(|| fail("cut short"))?;
        digits.iter().try_fold(0i64, |acc, &d| {
            if d.is_ascii_digit() {
                Ok(acc * 10 + i64::from(d - b'0'))
            } else {
                Err(fail("expected a digit"))
            }
        })
    };
    let sep_ok = b[4] == b'-' && b[7] == b'-' && b[13] == b':' && b[16] == b':';
    if !sep_ok || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ') {
        return Err(fail("expected yyyy-mm-ddThh:mm:ss"));
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err(fail("no such date"));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(fail("no such time of day"));
    }
    let mut pos = 19;
    let mut fraction = 0i64;
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let start = pos;
        while b.get(pos).is_some_and(u8::is_ascii_digit) {
            if pos - start < 7 {
                fraction = fraction * 10 + i64::from(b[pos] - b'0');
            }
            pos += 1;
        }
        let digits = pos - start;
        if digits == 0 {
            return Err(fail("a dot without fractional digits"));
        }
        for _ in digits..7 {
            fraction *= 10;
        }
    }
    let offset_minutes = match b.get(pos..) {
        Some([]) | Some([b'Z' | b'z']) => 0,
        Some([sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]) => {
            let h = num(pos + 1, 2)?;
            let m = num(pos + 4, 2)?;
            if !(h1.is_ascii_digit()
                && h2.is_ascii_digit()
                && m1.is_ascii_digit()
                && m2.is_ascii_digit())
                || h > 23
                || m > 59
            {
                return Err(fail("bad time zone offset"));
            }
            let total = h * 60 + m;
            if *sign == b'-' {
                -total
            } else {
                total
            }
        }
        _ => return Err(fail("unexpected text after the time")),
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Ok(seconds * 10_000_000 + fraction)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`, which is exact for every year an `i64` holds here).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_digits_are_exact_ticks() {
        // 2024-10-26T08:39:36Z is 1_729_931_976 s after the epoch.
        let base = 1_729_931_976 * 10_000_000;
        assert_eq!(
            parse_ticks("2024-10-26T08:39:36.8200123Z"),
            Ok(base + 8_200_123)
        );
        assert_eq!(
            parse_ticks("2024-10-26T08:39:36.820012Z"),
            Ok(base + 8_200_120)
        );
        assert_eq!(
            parse_ticks("2024-10-26T08:39:36.82001Z"),
            Ok(base + 8_200_100)
        );
        assert_eq!(
            parse_ticks("2024-10-26T08:39:36.820Z"),
            Ok(base + 8_200_000)
        );
        assert_eq!(parse_ticks("2024-10-26T08:39:36Z"), Ok(base));
        assert_eq!(parse_ticks("2024-10-26 08:39:36"), Ok(base));
        assert_eq!(
            parse_ticks("2024-10-26T08:39:36.820012345Z"),
            Ok(base + 8_200_123)
        );
        assert_eq!(parse_ticks("2024-10-26T10:39:36+02:00"), Ok(base));
    }

    #[test]
    fn dates_around_the_epoch_and_leap_days() {
        assert_eq!(parse_ticks("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_ticks("1969-12-31T23:59:59.9999999Z"), Ok(-1));
        assert_eq!(
            parse_ticks("2000-03-01T00:00:00Z"),
            Ok(951_868_800 * 10_000_000)
        );
        assert!(parse_ticks("2023-02-29T00:00:00Z").is_err());
        assert!(parse_ticks("2024-02-29T00:00:00Z").is_ok());
    }

    #[test]
    fn bad_text_names_the_value() {
        let err = parse_ticks("2024-13-01T00:00:00Z").expect_err("month 13");
        assert_eq!(
            err.to_string(),
            "cannot read timestamp \"2024-13-01T00:00:00Z\": no such date"
        );
        assert!(parse_ticks("").is_err());
        assert!(parse_ticks("2024-10-26T08:39:36.Z").is_err());
        assert!(parse_ticks("2024-10-26T08:39:36Zjunk").is_err());
    }

    #[test]
    fn windows_split_on_whole_milliseconds() {
        let w = Window::new(10, 13);
        assert_eq!(w.halves(), Some((Window::new(10, 11), Window::new(11, 13))));
        assert_eq!(Window::new(10, 11).halves(), None);
        assert_eq!(w.ticks(), 100_000..130_000);
        assert_eq!(w.padded(1), (9, 14));
    }
}
