//! The KQL lexer: one pass over the bytes, no regular expressions and no
//! backtracking beyond a bracketed name that turns out to be an index.
//!
//! Positions: spans are byte offsets; lines and columns are 1-based, and
//! columns count characters (not bytes), which is what a person reading
//! the query counts. Broken input never stops the lexer: an unterminated
//! one-line string ends at the end of its line, so one stray quote cannot
//! turn the rest of the query into a string, and an unknown character
//! becomes an [`TokenKind::Unknown`] token.
//!
//! A `[` right after a name, a literal, `)` or `]` indexes into a value
//! (`AdditionalFields["Key"]`), and inside `dynamic(…)` it opens an array;
//! anywhere else `['x']` is a bracketed name. The lexer tracks the brackets
//! it is inside to tell these apart.

use super::keywords::{is_hyphenated_keyword, is_keyword, is_timespan_unit, is_typed_literal_name};
use super::token::{Span, StringLiteral, StringStyle, Token, TokenKind};

/// Splits `src` into tokens, comments included, white space left out.
pub fn tokenize(src: &str) -> Vec<Token> {
    let mut lx = Lexer {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        line: 1,
        column: 1,
        tokens: Vec::with_capacity(src.len() / 4),
        in_dynamic: Vec::new(),
    };
    lx.run();
    lx.tokens
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    column: u32,
    tokens: Vec<Token>,
    /// One entry per open bracket: whether it belongs to a `dynamic(…)`.
    in_dynamic: Vec<bool>,
}

const TWO_CHAR_OPS: &[&[u8; 2]] = &[
    b"==", b"!=", b"=~", b"!~", b"<=", b">=", b"<>", b"=>", b"..",
];
const ONE_CHAR_OPS: &[u8] = b"|=()[]{},.;:+-*/%<>!~?@#&^";

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    /// Moves to byte `end`, counting lines and characters on the way.
    fn advance_to(&mut self, end: usize) {
        let end = end.min(self.bytes.len());
        for &b in &self.bytes[self.pos..end] {
            if b == b'\n' {
                self.line += 1;
                self.column = 1;
            } else if b & 0xC0 != 0x80 {
                // Not a UTF-8 continuation byte: a new character starts.
                self.column += 1;
            }
        }
        self.pos = end;
    }

    fn push(&mut self, kind: TokenKind, end: usize) {
        let token = Token {
            kind,
            span: Span {
                start: self.pos,
                end,
            },
            line: self.line,
            column: self.column,
        };
        self.tokens.push(token);
        self.advance_to(end);
    }

    fn run(&mut self) {
        while let Some(b) = self.peek(0) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | 0x0B | 0x0C => self.advance_to(self.pos + 1),
                b'/' if self.peek(1) == Some(b'/') => {
                    let end = self.line_end(self.pos);
                    self.push(TokenKind::Comment, end);
                }
                b'"' | b'\'' => self.string_at(self.pos, false),
                b'@' if matches!(self.peek(1), Some(b'"' | b'\'')) => {
                    self.string_at(self.pos, false)
                }
                b'`' if self.bytes[self.pos..].starts_with(b"```") => {
                    self.string_at(self.pos, false)
                }
                b'h' | b'H' if self.starts_string(self.pos + 1) => {
                    self.string_at(self.pos + 1, true)
                }
                b'[' => self.bracket(),
                b'0'..=b'9' => self.number(),
                b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'$' => self.word(),
                0x80..=0xFF => self.non_ascii(),
                _ => self.operator(),
            }
        }
    }

    /// Index of the `\n` ending the line that holds `from`, or the end.
    fn line_end(&self, from: usize) -> usize {
        self.bytes[from..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.bytes.len(), |i| from + i)
    }

    /// Whether a string literal (any form) starts at byte `at`.
    fn starts_string(&self, at: usize) -> bool {
        match self.bytes.get(at) {
            Some(b'"' | b'\'') => true,
            Some(b'@') => matches!(self.bytes.get(at + 1), Some(b'"' | b'\'')),
            Some(b'`') => self.bytes[at..].starts_with(b"```"),
            _ => false,
        }
    }

    /// Lexes a string token starting here whose opening quote (or `@`, or
    /// first backtick) is at `open`: past an `h` prefix when obfuscated.
    fn string_at(&mut self, open: usize, obfuscated: bool) {
        let (style, end, terminated) = scan_string(self.bytes, open);
        let kind = TokenKind::String(StringLiteral {
            style,
            obfuscated,
            terminated,
        });
        self.push(kind, end);
    }

    /// `[` opens a bracketed name unless it indexes or builds an array.
    fn bracket(&mut self) {
        if !self.bracket_is_index() {
            let open = self.pos + 1;
            if self.starts_string(open) && self.bytes.get(open) != Some(&b'`') {
                let (_, end, terminated) = scan_string(self.bytes, open);
                if terminated && self.bytes.get(end) == Some(&b']') {
                    self.push(TokenKind::QuotedIdent, end + 1);
                    return;
                }
            }
        }
        self.operator();
    }

    fn bracket_is_index(&self) -> bool {
        if self.in_dynamic.last() == Some(&true) {
            return true;
        }
        let Some(prev) = self
            .tokens
            .iter()
            .rev()
            .find(|t| t.kind != TokenKind::Comment)
        else {
            return false;
        };
        match prev.kind {
            TokenKind::Ident
            | TokenKind::QuotedIdent
            | TokenKind::Number
            | TokenKind::Timespan
            | TokenKind::String(_)
            | TokenKind::TypedLiteral => true,
            TokenKind::Operator => matches!(prev.text(self.src), ")" | "]"),
            _ => false,
        }
    }

    fn number(&mut self) {
        let b = self.bytes;
        let mut i = self.pos;
        if b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X')) {
            i += 2;
            while b.get(i).is_some_and(u8::is_ascii_hexdigit) {
                i += 1;
            }
        } else {
            i = digits(b, i);
            // `1..5` is a range, not the number `1.`
            if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                i = digits(b, i + 1);
            }
            if matches!(b.get(i), Some(b'e' | b'E')) {
                let sign = usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
                if b.get(i + 1 + sign).is_some_and(u8::is_ascii_digit) {
                    i = digits(b, i + 1 + sign);
                }
            }
        }
        // Letters glued to a number belong to it: a time unit, or junk such
        // as the `Z` of a bare ISO date, which must not become a name.
        let suffix_start = i;
        while b
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            i += 1;
        }
        let suffix = &self.src[suffix_start..i];
        let kind = if !suffix.is_empty() && is_timespan_unit(suffix) {
            TokenKind::Timespan
        } else {
            TokenKind::Number
        };
        self.push(kind, i);
    }

    fn word(&mut self) {
        let b = self.bytes;
        let first = self.src[self.pos..]
            .chars()
            .next()
            .map_or(1, char::len_utf8);
        let mut end = self.pos + first;
        while end < b.len() {
            let c = b[end];
            if c.is_ascii_alphanumeric() || c == b'_' {
                end += 1;
            } else if c >= 0x80 {
                match self.src[end..].chars().next() {
                    Some(ch) if ch.is_alphanumeric() => end += ch.len_utf8(),
                    _ => break,
                }
            } else {
                break;
            }
        }
        // `project-rename`, `mv-expand` …: join when the whole is a keyword.
        if b.get(end) == Some(&b'-') && b.get(end + 1).is_some_and(u8::is_ascii_alphabetic) {
            let mut next = end + 1;
            while b
                .get(next)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
            {
                next += 1;
            }
            if is_hyphenated_keyword(&self.src[self.pos..next]) {
                end = next;
            }
        }
        let text = &self.src[self.pos..end];
        if is_typed_literal_name(text) {
            if let Some(close) = self.typed_literal_end(end) {
                self.push(TokenKind::TypedLiteral, close);
                return;
            }
        }
        let kind = if is_keyword(text) {
            TokenKind::Keyword
        } else {
            TokenKind::Ident
        };
        self.push(kind, end);
    }

    /// For `datetime(…)` and friends: the end of the literal, when what
    /// follows is `(`, text without quotes, parentheses or line breaks, `)`.
    fn typed_literal_end(&self, after_name: usize) -> Option<usize> {
        let b = self.bytes;
        let mut i = after_name;
        while matches!(b.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        if b.get(i) != Some(&b'(') {
            return None;
        }
        for (k, &c) in b[i + 1..].iter().enumerate() {
            match c {
                b')' => return Some(i + 1 + k + 1),
                b'(' | b'"' | b'\'' | b'\n' | b'`' => return None,
                _ => {}
            }
        }
        None
    }

    fn non_ascii(&mut self) {
        let ch = self.src[self.pos..].chars().next().unwrap_or('\u{FFFD}');
        if ch.is_whitespace()
            || matches!(
                ch,
                '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
            )
        {
            // Queries pasted from web pages carry no-break and zero-width
            // spaces and byte order marks; Kusto skips them too.
            self.advance_to(self.pos + ch.len_utf8());
        } else if ch.is_alphabetic() {
            self.word();
        } else {
            self.push(TokenKind::Unknown, self.pos + ch.len_utf8());
        }
    }

    fn operator(&mut self) {
        let rest = &self.bytes[self.pos..];
        if rest.len() >= 2 && TWO_CHAR_OPS.iter().any(|op| rest[..2] == op[..]) {
            self.push(TokenKind::Operator, self.pos + 2);
            return;
        }
        let c = rest[0];
        if !ONE_CHAR_OPS.contains(&c) {
            self.push(TokenKind::Unknown, self.pos + 1);
            return;
        }
        match c {
            b'(' | b'[' | b'{' => {
                let dynamic = self.in_dynamic.last() == Some(&true)
                    || (c == b'('
                        && self
                            .tokens
                            .last()
                            .is_some_and(|t| t.text(self.src) == "dynamic"));
                self.in_dynamic.push(dynamic);
            }
            b')' | b']' | b'}' => {
                self.in_dynamic.pop();
            }
            _ => {}
        }
        self.push(TokenKind::Operator, self.pos + 1);
    }
}

fn digits(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// Scans a string literal whose opening (`"`, `'`, `@`, or the first of
/// three backticks) is at `open`. Returns its style, the end of the token
/// and whether it was closed.
fn scan_string(b: &[u8], open: usize) -> (StringStyle, usize, bool) {
    if b[open..].starts_with(b"```") {
        return match find(b, open + 3, b"```") {
            Some(i) => (StringStyle::MultiLine, i + 3, true),
            None => (StringStyle::MultiLine, b.len(), false),
        };
    }
    let verbatim = b[open] == b'@';
    let quote_at = open + usize::from(verbatim);
    let quote = b[quote_at];
    let mut i = quote_at + 1;
    while let Some(&c) = b.get(i) {
        match c {
            b'\n' => break,
            // A backslash escapes the next character, except a line break:
            // one-line literals end at the line either way.
            b'\\' if !verbatim && b.get(i + 1) != Some(&b'\n') => i += 2,
            _ if c == quote => {
                if verbatim && b.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    let style = if verbatim {
                        StringStyle::Verbatim
                    } else {
                        StringStyle::Escaped
                    };
                    return (style, i + 1, true);
                }
            }
            _ => i += 1,
        }
    }
    let style = if verbatim {
        StringStyle::Verbatim
    } else {
        StringStyle::Escaped
    };
    // An escape as the very last byte may have stepped past the end.
    (style, i.min(b.len()), false)
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

#[cfg(test)]
#[path = "lexer_tests.rs"]
mod tests;
