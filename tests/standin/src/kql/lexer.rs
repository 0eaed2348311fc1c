//! Tokenizer for the KQL subset.

use crate::time::{TICKS_PER_DAY, TICKS_PER_HOUR, TICKS_PER_MIN, TICKS_PER_MS, TICKS_PER_SEC};

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// Identifiers and keywords, including negated/case-insensitive operator
    /// spellings glued by the lexer (`!in`, `in~`, `!has`, `!contains`, ...).
    Ident(String),
    Str(String),
    Int(i64),
    Real(f64),
    /// A timespan literal (`7d`, `1h`, `30m`, `10s`, `100ms`) in ticks.
    Span(i64),
    /// The raw text inside `datetime(...)`.
    DateText(String),
    Pipe,
    LParen,
    RParen,
    Comma,
    DotDot,
    Semi,
    /// Operators: == != =~ !~ < <= > >= =
    Op(&'static str),
}

#[derive(Debug, PartialEq)]
pub struct LexError(pub String);

pub fn lex(src: &str) -> Result<Vec<Tok>, LexError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '"' || c == '\'' {
            let (s, end) = quoted(&chars, i + 1, c)?;
            out.push(Tok::Str(s));
            i = end;
        } else if (c == '@' || c == 'h' || c == 'H') && matches!(next, Some('"') | Some('\'')) {
            // @"..." is verbatim (doubled quotes); h"..." is an obfuscated
            // string, which is still an ordinary escaped literal.
            let q = next.unwrap_or('"');
            let (s, end) = if c == '@' {
                verbatim(&chars, i + 2, q)?
            } else {
                quoted(&chars, i + 2, q)?
            };
            out.push(Tok::Str(s));
            i = end;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || chars[i] == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
            {
                i += 1;
            }
            let num: String = chars[start..i].iter().collect();
            let unit_start = i;
            while i < chars.len() && chars[i].is_ascii_alphabetic() {
                i += 1;
            }
            let unit: String = chars[unit_start..i].iter().collect();
            let bad = || LexError(format!("bad number '{num}{unit}'"));
            if unit.is_empty() {
                if num.contains('.') {
                    out.push(Tok::Real(num.parse().map_err(|_| bad())?));
                } else {
                    out.push(Tok::Int(num.parse().map_err(|_| bad())?));
                }
            } else {
                let per = match unit.as_str() {
                    "d" | "day" | "days" => TICKS_PER_DAY,
                    "h" | "hr" | "hrs" | "hour" | "hours" => TICKS_PER_HOUR,
                    "m" | "min" | "minute" | "minutes" => TICKS_PER_MIN,
                    "s" | "sec" | "second" | "seconds" => TICKS_PER_SEC,
                    "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => TICKS_PER_MS,
                    "tick" | "ticks" => 1,
                    _ => return Err(bad()),
                };
                let v: f64 = num.parse().map_err(|_| bad())?;
                out.push(Tok::Span((v * per as f64).round() as i64));
            }
        } else if c.is_alphabetic()
            || c == '_'
            || c == '$'
            || (c == '!' && next.is_some_and(|n| n.is_ascii_alphabetic()))
        {
            let start = i;
            i += 1;
            while i < chars.len()
                && (chars[i].is_alphanumeric()
                    || chars[i] == '_'
                    || chars[i] == '-'
                        && chars.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic())
                        && is_dash_keyword(&chars[start..i]))
            {
                i += 1;
            }
            if i < chars.len() && chars[i] == '~' {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if word == "datetime" {
                let mut j = i;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                if chars.get(j) == Some(&'(') {
                    let close = chars[j..]
                        .iter()
                        .position(|c| *c == ')')
                        .ok_or_else(|| LexError("unclosed datetime(".into()))?;
                    out.push(Tok::DateText(chars[j + 1..j + close].iter().collect()));
                    i = j + close + 1;
                    continue;
                }
            }
            out.push(Tok::Ident(word));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op2 = ["==", "!=", "=~", "!~", "<=", ">="]
                .into_iter()
                .find(|o| *o == two);
            if let Some(o) = op2 {
                out.push(Tok::Op(o));
                i += 2;
                continue;
            }
            if two == ".." {
                out.push(Tok::DotDot);
                i += 2;
                continue;
            }
            out.push(match c {
                '|' => Tok::Pipe,
                '(' => Tok::LParen,
                ')' => Tok::RParen,
                ',' => Tok::Comma,
                ';' => Tok::Semi,
                '<' => Tok::Op("<"),
                '>' => Tok::Op(">"),
                '=' => Tok::Op("="),
                '-' => Tok::Op("-"),
                other => return Err(LexError(format!("unexpected character '{other}'"))),
            });
            i += 1;
        }
    }
    Ok(out)
}

/// `project-away`, `project-rename` and similar keep their dash.
fn is_dash_keyword(prefix: &[char]) -> bool {
    let p: String = prefix.iter().collect();
    p == "project" || p == "mv"
}

fn quoted(chars: &[char], mut i: usize, q: char) -> Result<(String, usize), LexError> {
    let mut s = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c == q {
            return Ok((s, i + 1));
        }
        if c == '\n' {
            break;
        }
        if c == '\\' {
            let e = chars
                .get(i + 1)
                .ok_or_else(|| LexError("unterminated string".into()))?;
            match e {
                'n' => s.push('\n'),
                'r' => s.push('\r'),
                't' => s.push('\t'),
                '\\' => s.push('\\'),
                '"' => s.push('"'),
                '\'' => s.push('\''),
                '0' => s.push('\0'),
                'u' => {
                    let hex: String = chars
                        .get(i + 2..i + 6)
                        .ok_or_else(|| LexError("bad \\u".into()))?
                        .iter()
                        .collect();
                    let cp =
                        u32::from_str_radix(&hex, 16).map_err(|_| LexError("bad \\u".into()))?;
                    s.push(char::from_u32(cp).ok_or_else(|| LexError("bad \\u".into()))?);
                    i += 4;
                }
                other => return Err(LexError(format!("unknown escape \\{other}"))),
            }
            i += 2;
            continue;
        }
        s.push(c);
        i += 1;
    }
    Err(LexError("unterminated string".into()))
}

fn verbatim(chars: &[char], mut i: usize, q: char) -> Result<(String, usize), LexError> {
    let mut s = String::new();
    while i < chars.len() {
        if chars[i] == q {
            if chars.get(i + 1) == Some(&q) {
                s.push(q);
                i += 2;
                continue;
            }
            return Ok((s, i + 1));
        }
        s.push(chars[i]);
        i += 1;
    }
    Err(LexError("unterminated string".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_escapes() {
        let t = lex(r#"'a\'b' "c\"d\\" @"C:\x""y" h'z'"#).expect("lex");
        assert_eq!(
            t,
            vec![
                Tok::Str("a'b".into()),
                Tok::Str("c\"d\\".into()),
                Tok::Str("C:\\x\"y".into()),
                Tok::Str("z".into())
            ]
        );
    }

    #[test]
    fn operators_spans_comments() {
        let t =
            lex("T // c\n| where A !in~ (1) and B >= ago(7d) and C !has \"x\" | project-away X")
                .expect("lex");
        assert!(t.contains(&Tok::Ident("!in~".into())));
        assert!(t.contains(&Tok::Span(7 * TICKS_PER_DAY)));
        assert!(t.contains(&Tok::Ident("!has".into())));
        assert!(t.contains(&Tok::Op(">=")));
        assert!(t.contains(&Tok::Ident("project-away".into())));
        assert!(!t.iter().any(|x| *x == Tok::Ident("c".into())));
        let d = lex("datetime(2024-01-01 10:00:00.5)").expect("lex");
        assert_eq!(d, vec![Tok::DateText("2024-01-01 10:00:00.5".into())]);
    }
}
