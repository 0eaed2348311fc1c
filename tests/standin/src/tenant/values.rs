//! One cell's value from its column's name and type. Entities are consistent
//! within a row (the device and user chosen for a row are the same in every
//! column that names them) and across tables (user 17 is always the same
//! person).

use super::text::{self, *};
use super::{Column, Table};
use crate::hash::{key, Rng};
use crate::model::{ColType, Value};
use crate::time::{TICKS_PER_DAY, TICKS_PER_MS};
use serde_json::json;

const MISSING_STRING: u64 = 40; // per mille
const MISSING_NUMBER: u64 = 30;
const ADVERSARIAL_RATE: u64 = 35;

pub fn cell(table: &Table, row: usize, col: &Column) -> Value {
    let row_key = key(&[table.seed, table.key, row as u64]);
    let mut r = Rng::new(key(&[row_key, col.key]));
    let ctx = Row {
        ts: table.times[row],
        device: row_key % 120,
        user: (row_key >> 24) % 200,
        user2: (row_key >> 40) % 200,
    };
    match col.ty {
        ColType::String => Value::Str(string(&col.name, &mut r, &ctx)),
        ColType::Guid => missing_or(&mut r, MISSING_NUMBER, |r| Value::Str(text::guid(r))),
        ColType::Int64 => int64(&col.name, &mut r),
        ColType::Int32 => int32(&col.name, &mut r),
        ColType::Double => missing_or(&mut r, MISSING_NUMBER, double),
        ColType::Boolean => missing_or(&mut r, MISSING_NUMBER, |r| {
            let b = r.chance(300);
            if col.alt_style {
                Value::SByte(b)
            } else {
                Value::Bool(b)
            }
        }),
        ColType::DateTime => missing_or(&mut r, 50, |r| {
            // Related times (process creation, last password change) lie
            // before the event; some are on exact millisecond boundaries.
            let t = ctx.ts - r.range(0, 7 * TICKS_PER_DAY);
            Value::Date(if r.chance(200) {
                t - t.rem_euclid(TICKS_PER_MS)
            } else {
                t
            })
        }),
        ColType::Dynamic => missing_or(&mut r, 50, |r| dynamic(r, col.alt_style, &ctx)),
    }
}

struct Row {
    ts: i64,
    device: u64,
    user: u64,
    user2: u64,
}

fn missing_or(r: &mut Rng, per_mille: u64, f: impl FnOnce(&mut Rng) -> Value) -> Value {
    if r.chance(per_mille) {
        Value::Null
    } else {
        f(r)
    }
}

fn string(name: &str, r: &mut Rng, ctx: &Row) -> String {
    let l = name.to_ascii_lowercase();
    if r.chance(MISSING_STRING) {
        return String::new();
    }
    // Hashes, ids and addresses are machine-made; free text is where hostile
    // content lands.
    let user = if l.starts_with("initiatingprocess") {
        ctx.user2
    } else {
        ctx.user
    };
    let machine = if l.ends_with("sha1") {
        Some(hex(r.next_u64(), 40))
    } else if l.ends_with("sha256") {
        Some(hex(r.next_u64(), 64))
    } else if l.ends_with("md5") {
        Some(hex(r.next_u64(), 32))
    } else if l == "aaddeviceid"
        || l.ends_with("objectid")
        || l.ends_with("correlationid")
        || l.ends_with("requestid")
        || l.ends_with("applicationid")
        || l.ends_with("tenantid")
    {
        Some(text::guid(r))
    } else if l.ends_with("deviceid") {
        Some(device_id(ctx.device))
    } else if l == "reportid" {
        Some(format!("{}", r.next_u64() >> 1))
    } else if l.ends_with("sid") {
        Some(format!(
            "S-1-5-21-{}-{}-{}-{}",
            1_000_000 + r.below(9_000_000),
            r.below(1 << 31),
            r.below(1 << 31),
            1000 + user
        ))
    } else if (l.ends_with("ip") || l.ends_with("ipaddress")) && !l.contains("ship") {
        Some(text::ip(r))
    } else if l == "actiontype" {
        Some(r.pick(ACTION_TYPES).to_string())
    } else if l == "protocol" {
        Some(r.pick(PROTOCOLS).to_string())
    } else if l.contains("country") {
        Some(r.pick(COUNTRIES).to_string())
    } else if l.ends_with("integritylevel") {
        Some(r.pick(INTEGRITY).to_string())
    } else if l.ends_with("tokenelevation") {
        Some(r.pick(ELEVATION).to_string())
    } else if l.contains("osplatform") {
        Some(r.pick(PLATFORMS).to_string())
    } else if l == "latitude" || l == "longitude" {
        Some(format!(
            "{:.4}",
            (r.below(1_800_000) as f64 - 900_000.0) / 10_000.0
        ))
    } else if l.ends_with("version") || l.ends_with("productversion") {
        Some(format!(
            "10.0.{}.{}",
            19_000 + r.below(4_000),
            r.below(5_000)
        ))
    } else if l.ends_with("devicename") {
        Some(device_name(ctx.device))
    } else if l.ends_with("accountdomain") {
        Some(
            r.pick(&["CORP", "EXAMPLE", "NT AUTHORITY", "WORKGROUP"])
                .to_string(),
        )
    } else {
        None
    };
    if let Some(m) = machine {
        return m;
    }
    if r.chance(ADVERSARIAL_RATE) {
        let bad = *r.pick(ADVERSARIAL);
        // Sometimes the whole cell, sometimes spliced into a normal value.
        return if r.chance(500) {
            bad.to_string()
        } else {
            format!("{}{bad}", word(r, 2))
        };
    }
    if l.contains("commandline") {
        if r.chance(30) {
            long_command(r)
        } else {
            command_line(r, user)
        }
    } else if l.ends_with("filename") {
        r.pick(FILES).to_string()
    } else if l.contains("folderpath") || l.ends_with("path") {
        format!("{}\\{}", r.pick(FOLDERS), r.pick(FILES))
    } else if l.ends_with("upn")
        || l.contains("email")
        || l.contains("address")
        || l.starts_with("sender")
        || l.starts_with("recipient")
    {
        email(r, user)
    } else if l.ends_with("accountname") || l.ends_with("username") {
        user_sam(user)
    } else if l.ends_with("displayname") {
        let (f, s) = user_first_last(user);
        format!("{f} {s}")
    } else if l.contains("url") {
        url(r)
    } else if l.contains("company") {
        company(r)
    } else if l == "additionalfields" || l.ends_with("details") || l.ends_with("info") {
        json_text(r)
    } else if l == "subject" {
        format!(
            "RE: {} {} #{}",
            capitalised(r, 2),
            word(r, 3),
            r.below(10_000)
        )
    } else if l.contains("useragent") {
        format!(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) ExampleBrowser/{}.0",
            100 + r.below(30)
        )
    } else if l.ends_with("id") {
        text::guid(r)
    } else {
        match r.below(3) {
            0 => capitalised(r, 3),
            1 => format!("{} {}", capitalised(r, 2), word(r, 2)),
            _ => format!("{}-{}", word(r, 2), r.below(1000)),
        }
    }
}

/// JSON written into a string column, as the portal's AdditionalFields are;
/// a fifth of them carry JSON inside JSON.
fn json_text(r: &mut Rng) -> String {
    let inner = json!({ "Source": word(r, 2), "Count": r.below(50), "Flag": r.chance(500) });
    if r.chance(200) {
        json!({ "Wrapped": inner.to_string(), "Level": r.below(4) }).to_string()
    } else {
        inner.to_string()
    }
}

fn int64(name: &str, r: &mut Rng) -> Value {
    let l = name.to_ascii_lowercase();
    if l == "reportid" {
        // Never null; a share above 2^53 so a JavaScript number corrupts it.
        return Value::Int(match r.below(100) {
            0..=1 => i64::MAX,
            2..=3 => (1i64 << 53) + 1,
            4..=53 => (1i64 << 53) + (r.next_u64() >> 2) as i64 % (i64::MAX - (1 << 53)),
            _ => (r.next_u64() >> 24) as i64,
        });
    }
    if r.chance(MISSING_NUMBER) {
        return Value::Null;
    }
    Value::Int(if l.contains("processid") || l.ends_with("parentid") {
        4 * r.range(1, 17_000)
    } else if l.contains("size") {
        r.range(0, 50_000_000)
    } else if l.contains("logonid") || l.contains("sessionid") {
        if r.chance(500) {
            (r.next_u64() >> 1) as i64
        } else {
            r.range(0, 1 << 20)
        }
    } else {
        match r.below(100) {
            0..=4 => (r.next_u64() >> 1) as i64,
            5..=6 => -r.range(1, 1000),
            _ => r.range(0, 100_000),
        }
    })
}

fn int32(name: &str, r: &mut Rng) -> Value {
    let l = name.to_ascii_lowercase();
    if r.chance(MISSING_NUMBER) {
        return Value::Null;
    }
    Value::Int(if l.ends_with("port") {
        *r.pick(&[443, 80, 53, 445, 3389, 22, 8080, 0])
            + if r.chance(400) {
                r.range(1024, 65535)
            } else {
                0
            }
    } else if l.contains("errorcode") {
        if r.chance(800) {
            0
        } else {
            *r.pick(&[50126, 50074, 16000, 53003, -1])
        }
    } else {
        match r.below(100) {
            0..=1 => -r.range(1, 100),
            2..=3 => i32::MAX as i64,
            _ => r.range(0, 10),
        }
    })
}

fn double(r: &mut Rng) -> Value {
    Value::Real(match r.below(10) {
        0 => 0.1 + 0.2,
        1 => 1e-7,
        2 => -0.5,
        3 => 123_456_789.123,
        _ => r.below(10_000_000) as f64 / 1000.0,
    })
}

/// Real JSON objects/arrays (nested, with integers past 2^53), or, for
/// columns in string style, the same JSON as text.
fn dynamic(r: &mut Rng, as_string: bool, ctx: &Row) -> Value {
    let v = match r.below(6) {
        0 => json!([]),
        1 => json!([user_upn(ctx.user), user_upn(ctx.user2)]),
        2 => {
            json!({ "Id": text::guid(r), "Name": capitalised(r, 3), "Nested": { "Level": 2, "Items": [1, "two", { "three": 3 }, null] } })
        }
        3 => {
            json!({ "Big": 9_007_199_254_740_993u64, "Max": i64::MAX, "Ratio": 0.1 + 0.2, "Text": "a \"quoted\", comma\r\nline" })
        }
        4 => json!({}),
        _ => {
            json!([{ "Key": word(r, 2), "Value": r.below(1000) }, { "Key": "emoji", "Value": "🔥" }])
        }
    };
    if as_string {
        if r.chance(200) {
            Value::Str(json!({ "Inner": v.to_string() }).to_string())
        } else {
            Value::Str(v.to_string())
        }
    } else {
        Value::Dyn(v)
    }
}
