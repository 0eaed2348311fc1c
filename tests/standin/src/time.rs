//! Time as the portal sees it: instants are counted in 100 ns ticks since the
//! Unix epoch (the resolution of .NET's DateTime and of Kusto's datetime), so
//! that rows can carry 7 fractional digits and be compared exactly against the
//! millisecond request times.

pub const TICKS_PER_MS: i64 = 10_000;
pub const TICKS_PER_SEC: i64 = 10_000_000;
pub const TICKS_PER_MIN: i64 = 60 * TICKS_PER_SEC;
pub const TICKS_PER_HOUR: i64 = 60 * TICKS_PER_MIN;
pub const TICKS_PER_DAY: i64 = 24 * TICKS_PER_HOUR;

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn push_num(out: &mut Vec<u8>, v: i64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut n = v.unsigned_abs();
    let mut i = digits.len();
    while n > 0 {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let len = (digits.len() - i).max(width);
    out.extend_from_slice(&digits[digits.len() - len..]);
}

/// Appends `YYYY-MM-DDTHH:MM:SS` plus `digits` fractional digits and `Z`.
pub fn write_ticks(out: &mut Vec<u8>, ticks: i64, digits: usize) {
    let days = ticks.div_euclid(TICKS_PER_DAY);
    let rem = ticks.rem_euclid(TICKS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    push_num(out, y, 4);
    out.push(b'-');
    push_num(out, m as i64, 2);
    out.push(b'-');
    push_num(out, d as i64, 2);
    out.push(b'T');
    push_num(out, rem / TICKS_PER_HOUR, 2);
    out.push(b':');
    push_num(out, rem / TICKS_PER_MIN % 60, 2);
    out.push(b':');
    push_num(out, rem / TICKS_PER_SEC % 60, 2);
    if digits > 0 {
        out.push(b'.');
        let frac = rem % TICKS_PER_SEC;
        let scaled = frac / 10i64.pow(7 - digits.min(7) as u32);
        push_num(out, scaled, digits.min(7));
    }
    out.push(b'Z');
}

/// `2024-10-26T08:39:36.8200123Z`: the portal's 7-digit row format.
pub fn fmt7(ticks: i64) -> String {
    let mut v = Vec::with_capacity(28);
    write_ticks(&mut v, ticks, 7);
    String::from_utf8_lossy(&v).into_owned()
}

/// `2024-10-26T08:39:36.820Z`: the request format (milliseconds).
pub fn fmt3(ticks: i64) -> String {
    let mut v = Vec::with_capacity(24);
    write_ticks(&mut v, ticks, 3);
    String::from_utf8_lossy(&v).into_owned()
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses ISO 8601 / RFC 3339 the way Kusto's `datetime()` and the request
/// body need it: a date, optionally `T` or a space and `HH:MM[:SS[.f{1,7}]]`,
/// optionally `Z` or `±HH:MM`. No zone means UTC. More than 7 fractional
/// digits is an error rather than a silent rounding.
pub fn parse(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, rest) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    let mut dp = date.split('-');
    let y = num(dp.next()?)?;
    let mo = num(dp.next()?)? as u32;
    let d = num(dp.next()?)? as u32;
    if dp.next().is_some() || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ticks = days_from_civil(y, mo, d) * TICKS_PER_DAY;
    if rest.is_empty() {
        return Some(ticks);
    }
    let (time, offset) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (h, m) = rest[i + 1..].split_once(':')?;
        let off = num(h)? * TICKS_PER_HOUR + num(m)? * TICKS_PER_MIN;
        (&rest[..i], if &rest[i..i + 1] == "-" { -off } else { off })
    } else {
        (rest, 0)
    };
    let (hms, frac) = match time.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (time, None),
    };
    let mut tp = hms.split(':');
    let h = num(tp.next()?)?;
    let mi = num(tp.next()?)?;
    let sec = match tp.next() {
        Some(x) => num(x)?,
        None => 0,
    };
    if tp.next().is_some() || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    ticks += h * TICKS_PER_HOUR + mi * TICKS_PER_MIN + sec * TICKS_PER_SEC;
    if let Some(f) = frac {
        if f.is_empty() || f.len() > 7 {
            return None;
        }
        ticks += num(f)? * 10i64.pow(7 - f.len() as u32);
    }
    Some(ticks - offset)
}

/// A .NET `TimeSpan.ToString()` ("c" format): `[-][d.]hh:mm:ss[.fffffff]`,
/// the fraction only when non-zero. The portal uses it for ExecutionTime,
/// TotalCpuTime and in the CPU-quota message.
pub fn timespan(ticks: i64) -> String {
    let neg = ticks < 0;
    let t = ticks.unsigned_abs() as i64;
    let days = t / TICKS_PER_DAY;
    let rem = t % TICKS_PER_DAY;
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if days > 0 {
        s.push_str(&format!("{days}."));
    }
    s.push_str(&format!(
        "{:02}:{:02}:{:02}",
        rem / TICKS_PER_HOUR,
        rem / TICKS_PER_MIN % 60,
        rem / TICKS_PER_SEC % 60
    ));
    let frac = rem % TICKS_PER_SEC;
    if frac != 0 {
        s.push_str(&format!(".{frac:07}"));
    }
    s
}

/// Wall clock in ticks.
pub fn wall_now() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    d.as_secs() as i64 * TICKS_PER_SEC + (d.subsec_nanos() / 100) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_7_digits() {
        let t = parse("2024-10-26T08:39:36.8200123Z").expect("parse");
        assert_eq!(fmt7(t), "2024-10-26T08:39:36.8200123Z");
        assert_eq!(fmt3(t), "2024-10-26T08:39:36.820Z");
    }

    #[test]
    fn parse_variants() {
        let base = parse("2024-01-01T00:00:00Z").expect("base");
        assert_eq!(parse("2024-01-01"), Some(base));
        assert_eq!(parse("2024-01-01 00:00"), Some(base));
        assert_eq!(parse("2024-01-01T01:00:00+01:00"), Some(base));
        assert_eq!(parse("2024-01-01T00:00:00.5Z"), Some(base + 5_000_000));
        assert_eq!(parse("2024-01-01T00:00:00.12345678Z"), None);
        assert_eq!(parse("nonsense"), None);
        assert_eq!(fmt7(0), "1970-01-01T00:00:00.0000000Z");
        assert_eq!(fmt7(-1), "1969-12-31T23:59:59.9999999Z");
    }

    #[test]
    fn dotnet_timespan() {
        assert_eq!(timespan(0), "00:00:00");
        assert_eq!(timespan(11_144_704), "00:00:01.1144704");
        assert_eq!(timespan(441 * TICKS_PER_SEC), "00:07:21");
        assert_eq!(timespan(TICKS_PER_DAY + TICKS_PER_HOUR), "1.01:00:00");
    }
}
