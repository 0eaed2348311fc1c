//! Values as KQL string literals that nothing inside them can break out of.
//!
//! Every value becomes a double-quoted literal. Inside it, `\` is written
//! `\\`, `"` is written `\"`, and line feed, carriage return and tab are
//! written `\n`, `\r` and `\t` — the escapes Kusto documents for
//! double-quoted strings. Everything else is copied as is: single quotes,
//! pipes, `//`, `{{`, and any Unicode letter, symbol, emoji or format
//! character (so a right-to-left override in a malware file name can still
//! be hunted for).
//!
//! Refused, with an error that names the value and the character: the
//! other C0 control characters (U+0000–U+001F but tab, LF and CR), DEL
//! (U+007F), the C1 controls (U+0080–U+009F) and the line and paragraph
//! separators (U+2028, U+2029). Kusto documents no escape for them, and a
//! raw one could end the literal's line in some reader of the query text;
//! no indicator needs them.

use std::fmt::Write;

/// A value that cannot be written as a KQL string literal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "value {value:?} holds the control character U+{code:04X} at character {position}; \
     huntkit does not put control characters into query text, so remove it from the value"
)]
pub struct LiteralError {
    pub value: String,
    pub code: u32,
    /// 1-based position of the character, counted in characters.
    pub position: usize,
}

/// `value` as a double-quoted KQL string literal.
pub fn kql_string(value: &str) -> Result<String, LiteralError> {
    let mut out = String::with_capacity(value.len() + 2);
    push_kql_string(&mut out, value)?;
    Ok(out)
}

/// Appends `value` as a double-quoted KQL string literal to `out`; on error
/// `out` is left as it was.
pub fn push_kql_string(out: &mut String, value: &str) -> Result<(), LiteralError> {
    check(value)?;
    out.reserve(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(())
}

/// Whether `c` is refused (see the module documentation).
pub fn is_refused_char(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' => true,
        _ => false,
    }
}

/// Checks that `value` can be written as a literal.
pub fn check(value: &str) -> Result<(), LiteralError> {
    match value.chars().enumerate().find(|(_, c)| is_refused_char(*c)) {
        Some((i, c)) => Err(LiteralError {
            value: value.to_owned(),
            code: u32::from(c),
            position: i + 1,
        }),
        None => Ok(()),
    }
}

/// The literals of `values`, comma-separated, for an `in (…)` list.
pub fn kql_string_list<S: AsRef<str>>(values: &[S]) -> Result<String, LiteralError> {
    let mut out = String::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_kql_string(&mut out, v.as_ref())?;
    }
    Ok(out)
}

/// A short, printable form of a value for messages and manifests.
pub fn shown(value: &str) -> String {
    let mut out = String::new();
    for c in value.chars().take(200) {
        if is_refused_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_kusto_documents() {
        assert_eq!(
            kql_string("a\"b\\c\nd\re\tf").as_deref(),
            Ok("\"a\\\"b\\\\c\\nd\\re\\tf\"")
        );
        assert_eq!(
            kql_string("it's | // {{x}} é 😀").as_deref(),
            Ok("\"it's | // {{x}} é 😀\"")
        );
        assert_eq!(kql_string("").as_deref(), Ok("\"\""));
        assert_eq!(
            kql_string_list(&["a", "b\""]).as_deref(),
            Ok("\"a\", \"b\\\"\"")
        );
    }

    #[test]
    fn refuses_control_characters_by_name() {
        let err = kql_string("ab\u{0}c").expect_err("nul");
        assert_eq!(err.code, 0);
        assert_eq!(err.position, 3);
        assert_eq!(
            err.to_string(),
            "value \"ab\\0c\" holds the control character U+0000 at character 3; huntkit does not put control \
             characters into query text, so remove it from the value"
        );
        assert!(kql_string("x\u{2028}").is_err());
        assert!(kql_string("x\u{85}").is_err());
        assert!(kql_string("x\u{7f}").is_err());
        assert!(kql_string("invoice\u{202e}fdp.exe").is_ok());
    }
}
