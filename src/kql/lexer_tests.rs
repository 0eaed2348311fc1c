//! Unit tests of the lexer: every literal form, positions, and the cases
//! that regex-based tokenizers get wrong.

use super::tokenize;
use crate::kql::token::{StringLiteral, StringStyle, Token, TokenKind};
use proptest::prelude::*;

fn lex(src: &str) -> Vec<(TokenKind, &str)> {
    tokenize(src)
        .iter()
        .map(|t| (t.kind, t.text(src)))
        .collect()
}

fn texts(src: &str) -> Vec<&str> {
    tokenize(src).iter().map(|t| t.text(src)).collect()
}

fn string(style: StringStyle) -> TokenKind {
    TokenKind::String(StringLiteral {
        style,
        obfuscated: false,
        terminated: true,
    })
}

fn only(src: &str) -> Token {
    let tokens = tokenize(src);
    assert_eq!(tokens.len(), 1, "{src:?} gave {:?}", lex(src));
    tokens[0]
}

#[test]
fn positions_are_bytes_lines_and_columns() {
    let src = "T\n| where X == 'a'";
    let t = tokenize(src);
    let pos: Vec<(&str, usize, u32, u32)> = t
        .iter()
        .map(|t| (t.text(src), t.span.start, t.line, t.column))
        .collect();
    assert_eq!(
        pos,
        vec![
            ("T", 0, 1, 1),
            ("|", 2, 2, 1),
            ("where", 4, 2, 3),
            ("X", 10, 2, 9),
            ("==", 12, 2, 11),
            ("'a'", 15, 2, 14),
        ]
    );
    assert_eq!(t[2].kind, TokenKind::Keyword);
    assert_eq!(t[3].kind, TokenKind::Ident);
}

#[test]
fn columns_count_characters_not_bytes() {
    let src = "\"é€\" X";
    let x = tokenize(src)[1];
    assert_eq!((x.line, x.column), (1, 6));
    assert_eq!(x.span.start, 8);
}

#[test]
fn escaped_quote_stays_inside_the_string() {
    assert_eq!(only(r#""a\"b""#).kind, string(StringStyle::Escaped));
    assert_eq!(only(r"'a\'b'").kind, string(StringStyle::Escaped));
    assert_eq!(texts(r#""a\\" X"#), vec![r#""a\\""#, "X"]);
    assert_eq!(texts(r#""it's" X"#), vec![r#""it's""#, "X"]);
}

#[test]
fn verbatim_strings_escape_by_doubling() {
    assert_eq!(only(r#"@"a""b""#).kind, string(StringStyle::Verbatim));
    assert_eq!(only("@'a''b'").kind, string(StringStyle::Verbatim));
    // A backslash does not escape in a verbatim string.
    assert_eq!(texts(r"@'C:\temp\' X"), vec![r"@'C:\temp\'", "X"]);
    assert_eq!(texts(r#"@"a\" X"#), vec![r#"@"a\""#, "X"]);
}

#[test]
fn multi_line_strings_span_lines() {
    let src = "```line one\n\"quote\" // not a comment\n```\n| X";
    let t = tokenize(src);
    assert_eq!(t.len(), 3, "{:?}", lex(src));
    assert_eq!(t[0].kind, string(StringStyle::MultiLine));
    assert_eq!((t[1].line, t[1].column), (4, 1));
    assert_eq!((t[2].text(src), t[2].line, t[2].column), ("X", 4, 3));
}

#[test]
fn obfuscated_strings_in_every_form() {
    for src in [
        r#"h"secret""#,
        "H'secret'",
        r#"h@"c:\x""#,
        "h@'a''b'",
        "h```a\nb```",
    ] {
        let t = only(src);
        let TokenKind::String(lit) = t.kind else {
            panic!("{src:?} is not a string: {t:?}");
        };
        assert!(lit.obfuscated && lit.terminated, "{src:?}");
    }
    // `h` followed by a space is a name, then a string.
    assert_eq!(texts(r#"h "x""#), vec!["h", r#""x""#]);
}

#[test]
fn comments_run_to_the_end_of_the_line() {
    let src = "X // a \"quote and 'another\nY";
    assert_eq!(
        lex(src),
        vec![
            (TokenKind::Ident, "X"),
            (TokenKind::Comment, "// a \"quote and 'another"),
            (TokenKind::Ident, "Y"),
        ]
    );
    assert_eq!(
        only(r#""http://example.com""#).kind,
        string(StringStyle::Escaped)
    );
}

#[test]
fn unterminated_one_line_strings_stop_at_the_line_end() {
    let src = "\"abc\nT";
    let t = tokenize(src);
    let TokenKind::String(lit) = t[0].kind else {
        panic!("{:?}", t[0]);
    };
    assert!(!lit.terminated);
    assert_eq!(t[0].text(src), "\"abc");
    assert_eq!((t[1].text(src), t[1].line), ("T", 2));
    let unterminated_multi = only("```abc\nT");
    assert!(matches!(
        unterminated_multi.kind,
        TokenKind::String(StringLiteral {
            terminated: false,
            ..
        })
    ));
}

#[test]
fn bracketed_names_and_their_inner_name() {
    let src = r#"extend ['My Col'] = 1, ["x"]"#;
    let t = tokenize(src);
    assert_eq!(t[1].kind, TokenKind::QuotedIdent);
    assert_eq!(t[1].name(src), Some("My Col"));
    assert_eq!(t[5].kind, TokenKind::QuotedIdent);
    assert_eq!(t[5].name(src), Some("x"));
}

#[test]
fn index_and_array_brackets_are_not_names() {
    assert_eq!(
        lex(r#"AdditionalFields["Key"]"#),
        vec![
            (TokenKind::Ident, "AdditionalFields"),
            (TokenKind::Operator, "["),
            (string(StringStyle::Escaped), r#""Key""#),
            (TokenKind::Operator, "]"),
        ]
    );
    assert_eq!(tokenize(r#"f(x)['a']"#)[4].kind, TokenKind::Operator);
    let src = r#"dynamic(["cmd.exe"]) "#;
    assert!(
        tokenize(src)
            .iter()
            .all(|t| t.kind != TokenKind::QuotedIdent),
        "{:?}",
        lex(src)
    );
    let nested = r#"dynamic({"a": [["b"]]})"#;
    assert!(tokenize(nested)
        .iter()
        .all(|t| t.kind != TokenKind::QuotedIdent));
}

#[test]
fn numbers_and_timespans() {
    let kinds: Vec<TokenKind> = ["7d", "1h", "1.5h", "30min", "10ms", "2days"]
        .iter()
        .map(|s| only(s).kind)
        .collect();
    assert!(kinds.iter().all(|k| *k == TokenKind::Timespan), "{kinds:?}");
    for n in ["100", "0x1F", "1e5", "2.5", "1.5e-3"] {
        assert_eq!(only(n).kind, TokenKind::Number, "{n}");
    }
    assert_eq!(
        lex("1..5"),
        vec![
            (TokenKind::Number, "1"),
            (TokenKind::Operator, ".."),
            (TokenKind::Number, "5"),
        ]
    );
    // Letters glued to a number never become a name of their own.
    assert_eq!(only("00Z").kind, TokenKind::Number);
}

#[test]
fn typed_literals_are_one_token() {
    for src in [
        "datetime(2024-01-01T00:00:00Z)",
        "guid(74be27de-1e4e-49d9-b579-fe0b331d3642)",
        "timespan(1d)",
    ] {
        assert_eq!(only(src).kind, TokenKind::TypedLiteral, "{src}");
    }
    // With a string inside it is a call, not a literal.
    assert_eq!(tokenize("datetime('x')").len(), 4);
    assert_eq!(
        tokenize("datetime_diff('day', a, b)")[0].kind,
        TokenKind::Ident
    );
}

#[test]
fn operators_take_the_longest_match() {
    assert_eq!(
        texts("a==b=~c!=d!~e<=f..g=h|(i),j.k;"),
        vec![
            "a", "==", "b", "=~", "c", "!=", "d", "!~", "e", "<=", "f", "..", "g", "=", "h", "|",
            "(", "i", ")", ",", "j", ".", "k", ";"
        ]
    );
}

#[test]
fn hyphenated_operators_are_one_keyword() {
    assert_eq!(only("project-rename").kind, TokenKind::Keyword);
    assert_eq!(only("mv-expand").kind, TokenKind::Keyword);
    assert_eq!(texts("a-b"), vec!["a", "-", "b"]);
    assert_eq!(texts("project-x"), vec!["project", "-", "x"]);
}

#[test]
fn dollar_names_and_invisible_spaces() {
    assert_eq!(texts("$left.DeviceId"), vec!["$left", ".", "DeviceId"]);
    assert_eq!(tokenize("$left.DeviceId")[0].kind, TokenKind::Ident);
    let src = "\u{200B} AlertInfo\u{A0}| take 1";
    assert_eq!(texts(src), vec!["AlertInfo", "|", "take", "1"]);
    assert_eq!(tokenize("§")[0].kind, TokenKind::Unknown);
}

proptest! {
    /// Whatever the input, tokens are in order, inside the text, on
    /// character boundaries, and their line and column match the text.
    #[test]
    fn tokens_are_well_formed(src in "(?s)[a-zA-Z0-9 _\\n\"'@`h\\[\\]\\\\/|=(){}.,;é€-]{0,80}") {
        let tokens = tokenize(&src);
        let mut last_end = 0;
        for t in &tokens {
            prop_assert!(t.span.start >= last_end && t.span.end > t.span.start);
            prop_assert!(t.span.end <= src.len());
            prop_assert!(src.is_char_boundary(t.span.start) && src.is_char_boundary(t.span.end));
            let before = &src[..t.span.start];
            let line = before.matches('\n').count() as u32 + 1;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = src[line_start..t.span.start].chars().count() as u32 + 1;
            prop_assert_eq!((t.line, t.column), (line, column));
            last_end = t.span.end;
        }
        // Nothing but white space is left between tokens.
        let mut covered = vec![false; src.len()];
        for t in &tokens {
            covered[t.span.start..t.span.end].iter_mut().for_each(|c| *c = true);
        }
        for (i, c) in src.char_indices() {
            prop_assert!(covered[i] || c.is_whitespace(), "{:?} at {} dropped", c, i);
        }
    }
}
