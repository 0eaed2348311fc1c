//! When two query texts are "the same query".
//!
//! White space between tokens does not change what a KQL query does, white
//! space inside a string literal does. So the text is tokenized and put back
//! together with one space wherever there was any white space: `T  |
//! take 1` and `T |\n  take 1` fold, `where A == "x  y"` and `"x y"` do not.

use crate::kql::tokenize;

/// The text with white space between tokens collapsed to one space.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_end: Option<usize> = None;
    for token in tokenize(text) {
        let (start, end) = (token.span.start, token.span.end);
        if let Some(prev) = last_end {
            if start > prev {
                out.push(' ');
            }
        }
        out.push_str(text.get(start..end).unwrap_or(""));
        last_end = Some(end);
    }
    out
}

/// The entry id of a text: FNV-1a (64 bits) of its normalised form, in hex.
/// A hash keeps ids short and lets two browsers' exports agree on them.
pub fn entry_id(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in normalize(text).bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_space_between_tokens_folds() {
        assert_eq!(normalize("  T  |\n\ttake   1 "), "T | take 1");
        assert_eq!(normalize("T|take 1"), "T|take 1");
        assert_eq!(entry_id("T | take 1"), entry_id("T\n| take    1\n"));
    }

    #[test]
    fn white_space_inside_strings_and_comments_is_kept() {
        assert_eq!(
            normalize("T | where A == \"x   y\""),
            "T | where A == \"x   y\""
        );
        assert_ne!(
            entry_id("T | where A == \"x  y\""),
            entry_id("T | where A == \"x y\"")
        );
        assert_ne!(entry_id("T | take 1"), entry_id("T | take 2"));
    }
}
