//! Small helpers over JSON text: unescape a string's contents, escape text
//! into a JSON string, and minify a raw JSON value.
//!
//! They work on text that serde_json has already validated, so they never
//! need to report syntax errors; they still avoid panicking on odd input.
//! They exist so the hot export path can copy bytes instead of building a
//! `serde_json::Value` per cell.

/// Appends the unescaped contents of a JSON string (without its quotes) to
/// `out`.
///
/// A lone UTF-16 surrogate escape (`\ud800` without its pair) cannot be held
/// in a Rust string; it becomes U+FFFD. The JSON exports copy the raw text
/// instead, so they keep such strings exactly.
pub(crate) fn unescape_into(inner: &str, out: &mut String) {
    let mut rest = inner;
    while let Some(pos) = rest.find('\\') {
        out.push_str(&rest[..pos]);
        rest = unescape_one(&rest[pos + 1..], out);
    }
    out.push_str(rest);
}

/// Decodes the escape whose letter starts `after` and returns the text after
/// it.
fn unescape_one<'t>(after: &'t str, out: &mut String) -> &'t str {
    let mut chars = after.chars();
    let decoded = match chars.next() {
        Some('n') => '\n',
        Some('r') => '\r',
        Some('t') => '\t',
        Some('b') => '\u{8}',
        Some('f') => '\u{c}',
        Some('u') => return unescape_unicode(&after[1..], out),
        Some(other) => other,
        None => return after,
    };
    out.push(decoded);
    chars.as_str()
}

/// Decodes `XXXX` (after `\u`), joining a surrogate pair when one follows.
fn unescape_unicode<'t>(hex: &'t str, out: &mut String) -> &'t str {
    let Some(first) = hex4(hex) else {
        out.push('\u{fffd}');
        return hex;
    };
    let rest = &hex[4..];
    if (0xd800..0xdc00).contains(&first) {
        if let Some(second) = rest.strip_prefix("\\u").and_then(hex4) {
            if (0xdc00..0xe000).contains(&second) {
                let code = 0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00);
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                return &rest[6..];
            }
        }
    }
    out.push(char::from_u32(first).unwrap_or('\u{fffd}'));
    rest
}

fn hex4(text: &str) -> Option<u32> {
    let digits = text.get(..4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

/// Appends `text` as a JSON string literal (with quotes) to `out`.
pub(crate) fn escape_into(text: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escaped);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `raw` (one valid JSON value) to `out` without insignificant
/// whitespace; key order and every token stay as they were.
pub(crate) fn minify_into(raw: &str, out: &mut Vec<u8>) {
    let bytes = raw.as_bytes();
    let mut in_string = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            out.extend_from_slice(&bytes[start..i]);
            start = i + 1;
        }
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Whether `raw` (one valid JSON value) has whitespace outside strings, so
/// that callers can skip [`minify_into`] for the usual compact value.
pub(crate) fn has_insignificant_whitespace(raw: &str) -> bool {
    let mut in_string = false;
    let mut escaped = false;
    for &b in raw.as_bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unescape(inner: &str) -> String {
        let mut out = String::new();
        unescape_into(inner, &mut out);
        out
    }

    #[test]
    fn unescapes_every_escape() {
        assert_eq!(
            unescape(r#"a\"b\\c\/d\n\r\t\b\f"#),
            "a\"b\\c/d\n\r\t\u{8}\u{c}"
        );
        assert_eq!(unescape(r"\u00e9\u4e2d"), "é中");
        assert_eq!(unescape(r"\ud83d\ude00!"), "😀!");
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(unescape(r"x\ud800y"), "x\u{fffd}y");
        assert_eq!(unescape(r"\udc00"), "\u{fffd}");
        assert_eq!(unescape(r"\ud800\u0041"), "\u{fffd}A");
    }

    #[test]
    fn escape_round_trips_through_serde_json() {
        let text = "q\"b\\s\n\r\t\u{1}\u{1f}\u{7f}é😀\u{2028}";
        let mut out = Vec::new();
        escape_into(text, &mut out);
        let back: String = serde_json::from_slice(&out).expect("valid json");
        assert_eq!(back, text);
    }

    #[test]
    fn minify_keeps_strings_and_key_order() {
        let raw = "{ \"b\" : [ 1 , 2 ],\n \"a\":\"x y\\\" z\" }";
        let mut out = Vec::new();
        minify_into(raw, &mut out);
        assert_eq!(out, br#"{"b":[1,2],"a":"x y\" z"}"#);
        assert!(has_insignificant_whitespace(raw));
        assert!(!has_insignificant_whitespace(r#"{"a":"x y"}"#));
    }
}
