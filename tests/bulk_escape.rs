//! Values cannot break out of the KQL string literals huntkit writes.
//!
//! Each value is placed in `T | where X in (<lit>, <lit>)`; the query must
//! then tokenize (with `huntkit::kql`) into exactly the two string literals
//! put there, and decoding them (with a literal decoder written here, which
//! accepts only the escapes Kusto documents) must give the values back.

use huntkit::bulk::{is_refused_char, kql_string, kql_string_list, Template};
use huntkit::kql::{tokenize, TokenKind};
use proptest::prelude::*;

/// Decodes one double-quoted KQL literal at the start of `text`: returns
/// the value and the rest of the text. Only `\\ \" \' \n \r \t` escapes
/// are accepted, and a raw line break ends nothing: it is an error.
fn decode_literal(text: &str) -> Result<(String, &str), String> {
    let mut chars = text.char_indices();
    if chars.next().map(|(_, c)| c) != Some('"') {
        return Err(format!("no opening quote in {text:?}"));
    }
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &text[i + 1..])),
            '\\' => match chars.next().map(|(_, e)| e) {
                Some('\\') => out.push('\\'),
                Some('"') => out.push('"'),
                Some('\'') => out.push('\''),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                other => return Err(format!("undocumented escape {other:?}")),
            },
            '\n' | '\r' => return Err("raw line break inside a literal".into()),
            c if c.is_control() => return Err(format!("raw control character U+{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    Err("unterminated literal".into())
}

/// Checks one pair of values end to end.
fn round_trip(a: &str, b: &str) -> Result<(), TestCaseError> {
    let (la, lb) = (kql_string(a).expect("a"), kql_string(b).expect("b"));
    let query = format!("T | where X in ({la}, {lb})");

    // Our decoder: the text is exactly prefix, literal, ", ", literal, ")".
    let rest = query.strip_prefix("T | where X in (").expect("prefix");
    let (da, rest) = decode_literal(rest).map_err(TestCaseError::fail)?;
    let rest = rest
        .strip_prefix(", ")
        .ok_or_else(|| TestCaseError::fail(format!("no separator: {rest:?}")))?;
    let (db, rest) = decode_literal(rest).map_err(TestCaseError::fail)?;
    prop_assert_eq!(rest, ")");
    prop_assert_eq!(&da, a);
    prop_assert_eq!(&db, b);

    // The project's tokenizer sees two terminated strings exactly where we
    // put them, and nothing unknown.
    let tokens = tokenize(&query);
    let strings: Vec<&str> = tokens
        .iter()
        .filter(|t| matches!(t.kind, TokenKind::String(_)))
        .map(|t| &query[t.span.start..t.span.end])
        .collect();
    prop_assert_eq!(strings, vec![la.as_str(), lb.as_str()]);
    for t in &tokens {
        prop_assert!(
            t.kind != TokenKind::Unknown,
            "unknown token {:?}",
            &query[t.span.start..t.span.end]
        );
        if let TokenKind::String(s) = t.kind {
            prop_assert!(s.terminated);
        }
    }
    let last = tokens.last().expect("tokens");
    prop_assert_eq!(&query[last.span.start..last.span.end], ")");
    Ok(())
}

/// Strings made of the pieces most likely to break a literal.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\"".to_owned()),
        Just("\\".to_owned()),
        Just("\\\"".to_owned()),
        Just("\"|".to_owned()),
        Just("'".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\t".to_owned()),
        Just("//".to_owned()),
        Just("```".to_owned()),
        Just("@\"".to_owned()),
        Just("h\"".to_owned()),
        Just(") | take 1 //".to_owned()),
        Just("{{values}}".to_owned()),
        Just("é😀\u{202e}\u{200b}\u{feff}".to_owned()),
        "[a-z0-9.:]{0,4}",
        any::<char>()
            .prop_filter("allowed", |c| !is_refused_char(*c))
            .prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn hostile_values_round_trip(a in hostile(), b in hostile()) {
        round_trip(&a, &b)?;
    }

    #[test]
    fn any_allowed_string_round_trips(a in any::<String>(), b in any::<String>()) {
        let clean = |s: String| s.chars().filter(|c| !is_refused_char(*c)).collect::<String>();
        round_trip(&clean(a), &clean(b))?;
    }

    #[test]
    fn refused_characters_are_reported_where_they_are(prefix in "[a-z\"\\\\]{0,6}", code in prop_oneof![0u32..9, 11u32..13, 14u32..32, 127u32..160, Just(0x2028u32), Just(0x2029u32)]) {
        let c = char::from_u32(code).expect("char");
        let value = format!("{prefix}{c}x");
        let err = kql_string(&value).expect_err("refused");
        prop_assert_eq!(err.code, code);
        prop_assert_eq!(err.position, prefix.chars().count() + 1);
        let named = format!("U+{:04X}", code);
        prop_assert!(err.to_string().contains(&named), "{} does not name {}", err, named);
    }

    #[test]
    fn templates_render_values_as_literals(values in prop::collection::vec(hostile(), 1..6)) {
        let template = Template::parse("T\n| where X in ({{values}})").expect("template");
        let query = template.render(&values).expect("render");
        let list = kql_string_list(&values).expect("list");
        prop_assert_eq!(query, format!("T\n| where X in ({list})"));
        let mut rest = list.as_str();
        for v in &values {
            let (decoded, after) = decode_literal(rest).map_err(TestCaseError::fail)?;
            prop_assert_eq!(&decoded, v);
            rest = after.strip_prefix(", ").unwrap_or(after);
        }
        prop_assert_eq!(rest, "");
    }
}

#[test]
fn the_decoder_here_rejects_broken_literals() {
    // The test's own decoder must be able to fail, or it proves nothing.
    assert!(decode_literal("\"a\nb\"").is_err());
    assert!(decode_literal("\"a\\x\"").is_err());
    assert!(decode_literal("\"abc").is_err());
    assert!(decode_literal("\"a\u{1}\"").is_err());
    assert_eq!(
        decode_literal("\"a\\\"b\") rest"),
        Ok(("a\"b".to_owned(), ") rest"))
    );
}
