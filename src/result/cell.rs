//! One value of a result row, as the portal sent it.
//!
//! [`Cell`] is the public, decoded view: strings are unescaped, everything
//! else keeps its exact JSON text. [`RawCell`] is the crate-internal view
//! that keeps strings escaped too, so the JSON exports can copy them
//! byte for byte.

use std::borrow::Cow;

use serde_json::value::RawValue;
use serde_json::Value;

/// One cell of a row. Nothing is converted: an `Int64` beyond 2^53 keeps
/// every digit, a 7-digit timestamp stays the string it was, an `SByte`
/// boolean stays the number `0` or `1`, and `""` is not [`Cell::Null`].
#[derive(Debug, Clone)]
pub enum Cell<'a> {
    /// JSON `null`, or a key the row did not have.
    Null,
    /// JSON `true` / `false`.
    Bool(bool),
    /// A JSON number, as its exact text (never parsed through `f64`).
    Number(&'a str),
    /// A JSON string, unescaped. Borrowed from the body unless it had
    /// escapes.
    Str(Cow<'a, str>),
    /// A JSON object or array (a `Dynamic` value), as its raw text.
    Json(&'a RawValue),
}

impl PartialEq for Cell<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Cell::Null, Cell::Null) => true,
            (Cell::Bool(a), Cell::Bool(b)) => a == b,
            (Cell::Number(a), Cell::Number(b)) => a == b,
            (Cell::Str(a), Cell::Str(b)) => a == b,
            (Cell::Json(a), Cell::Json(b)) => a.get() == b.get(),
            _ => false,
        }
    }
}

/// Largest integer a JavaScript number holds exactly (2^53).
const JS_SAFE: u64 = 1 << 53;

impl Cell<'_> {
    /// A JSON value for display in the UI. Numbers that a JavaScript number
    /// would round (integers beyond 2^53, values out of `f64` range) become
    /// strings with their exact digits; so do such numbers nested inside
    /// `Dynamic` values.
    pub fn to_display_value(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Bool(b) => Value::Bool(*b),
            Cell::Number(text) => number_for_js(text),
            Cell::Str(text) => Value::String(text.to_string()),
            Cell::Json(raw) => match serde_json::from_str::<Value>(raw.get()) {
                Ok(value) => js_safe(value),
                Err(_) => Value::String(raw.get().to_owned()),
            },
        }
    }
}

/// Parses number text into a value JavaScript keeps exactly, or a string.
fn number_for_js(text: &str) -> Value {
    let is_integer = !text.contains(['.', 'e', 'E']);
    if is_integer {
        let magnitude = text.trim_start_matches('-').parse::<u64>();
        if matches!(magnitude, Ok(m) if m <= JS_SAFE) {
            if let Ok(value) = serde_json::from_str::<Value>(text) {
                return value;
            }
        }
        return Value::String(text.to_owned());
    }
    match text
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
    {
        Some(number) => Value::Number(number),
        None => Value::String(text.to_owned()),
    }
}

/// Replaces integers that JavaScript would round, anywhere in `value`.
fn js_safe(value: Value) -> Value {
    match value {
        Value::Number(n) => {
            let unsafe_int = n.as_u64().is_some_and(|u| u > JS_SAFE)
                || n.as_i64().is_some_and(|i| i.unsigned_abs() > JS_SAFE);
            if unsafe_int {
                Value::String(n.to_string())
            } else {
                Value::Number(n)
            }
        }
        Value::Array(items) => Value::Array(items.into_iter().map(js_safe).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, js_safe(v))).collect())
        }
        other => other,
    }
}

/// A cell before string unescaping; `Str` holds the JSON string literal
/// with its quotes and escapes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RawCell<'a> {
    Null,
    Bool(bool),
    Number(&'a str),
    Str(&'a str),
    Json(&'a RawValue),
}

impl<'a> RawCell<'a> {
    /// Classifies one raw JSON value by its first byte; serde_json has
    /// already validated it.
    pub(crate) fn from_raw(raw: &'a RawValue) -> Self {
        let text = raw.get();
        match text.as_bytes().first() {
            Some(b'"') => RawCell::Str(text),
            Some(b'{' | b'[') => RawCell::Json(raw),
            Some(b't') => RawCell::Bool(true),
            Some(b'f') => RawCell::Bool(false),
            Some(b'n') | None => RawCell::Null,
            Some(_) => RawCell::Number(text),
        }
    }
}

/// The text between the quotes of a JSON string literal.
pub(crate) fn string_inner(literal: &str) -> &str {
    literal
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(literal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_values_keep_big_integers_as_strings() {
        assert_eq!(
            Cell::Number("9223372036854775807").to_display_value(),
            Value::String("9223372036854775807".into())
        );
        assert_eq!(
            Cell::Number("-9007199254740993").to_display_value(),
            Value::String("-9007199254740993".into())
        );
        assert_eq!(
            Cell::Number("9007199254740992").to_display_value(),
            serde_json::json!(9007199254740992u64)
        );
        assert_eq!(
            Cell::Number("-12").to_display_value(),
            serde_json::json!(-12)
        );
        assert_eq!(
            Cell::Number("4.621215").to_display_value(),
            serde_json::json!(4.621215)
        );
        assert_eq!(
            Cell::Number("1e400").to_display_value(),
            Value::String("1e400".into())
        );
    }

    #[test]
    fn display_values_fix_nested_big_integers() {
        let raw: Box<RawValue> =
            serde_json::from_str(r#"{"id":18446744073709551615,"n":[1,-9223372036854775808]}"#)
                .expect("json");
        let value = Cell::Json(&raw).to_display_value();
        assert_eq!(
            value,
            serde_json::json!({"id":"18446744073709551615","n":[1,"-9223372036854775808"]})
        );
    }

    #[test]
    fn raw_cells_classify_by_first_byte() {
        let raw: Box<RawValue> = serde_json::from_str("-0.5e3").expect("json");
        assert!(matches!(RawCell::from_raw(&raw), RawCell::Number("-0.5e3")));
        let raw: Box<RawValue> = serde_json::from_str(r#""a\"b""#).expect("json");
        assert!(matches!(RawCell::from_raw(&raw), RawCell::Str(r#""a\"b""#)));
        assert_eq!(string_inner(r#""a\"b""#), r#"a\"b"#);
    }
}
