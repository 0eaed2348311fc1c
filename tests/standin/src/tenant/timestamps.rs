//! Event times with the shape of real telemetry: a uniform background, busy
//! hours, very dense minutes and seconds, many rows sharing one exact instant,
//! and rows sitting exactly on millisecond, second, minute and hour
//! boundaries, so a client's window edges meet real rows.

use crate::hash::{key, Rng};
use crate::time::{TICKS_PER_HOUR, TICKS_PER_MIN, TICKS_PER_MS, TICKS_PER_SEC};

pub fn generate(seed: u64, table_key: u64, n: usize, start: i64, end: i64) -> Vec<i64> {
    let span = end - start;
    if n == 0 || span <= 0 {
        return Vec::new();
    }
    let mut setup = Rng::new(key(&[seed, table_key, 0x71AE]));
    let hot_hours: Vec<i64> = (0..8)
        .map(|_| floor(setup.range(start, end), TICKS_PER_HOUR))
        .collect();
    let hot_minutes: Vec<i64> = (0..6)
        .map(|_| floor(setup.range(start, end), TICKS_PER_MIN))
        .collect();
    let hot_seconds: Vec<i64> = (0..3)
        .map(|_| floor(setup.range(start, end), TICKS_PER_SEC))
        .collect();
    // Shared instants with arbitrary 7-digit fractions; duplicates of these
    // are what breaks a client that de-duplicates or pages by timestamp.
    let shared: Vec<i64> = (0..40).map(|_| setup.range(start, end)).collect();

    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut r = Rng::new(key(&[seed, table_key, i as u64, 0x7157]));
        let p = r.below(1000);
        let t = if p < 550 {
            r.range(start, end)
        } else if p < 750 {
            r.pick(&hot_hours) + r.range(0, TICKS_PER_HOUR)
        } else if p < 850 {
            r.pick(&hot_minutes) + r.range(0, TICKS_PER_MIN)
        } else if p < 900 {
            r.pick(&hot_seconds) + r.range(0, TICKS_PER_SEC)
        } else if p < 950 {
            *r.pick(&shared)
        } else {
            // On a boundary: 2 % ms, 1.5 % second, 1 % minute, 0.5 % hour.
            let t = r.range(start, end);
            let q = p - 950;
            let unit = if q < 20 {
                TICKS_PER_MS
            } else if q < 35 {
                TICKS_PER_SEC
            } else if q < 45 {
                TICKS_PER_MIN
            } else {
                TICKS_PER_HOUR
            };
            floor(t, unit)
        };
        out.push(t.clamp(start, end - 1));
    }
    out.sort_unstable();
    out
}

fn floor(t: i64, unit: i64) -> i64 {
    t - t.rem_euclid(unit)
}
