//! A small KQL scanner: just enough to tell code from string literals and
//! comments, so the slicing check and the template placeholders never
//! mistake text inside a string or a comment for an operator.
//!
//! It follows the lexical rules that matter here: `"…"` and `'…'` with
//! backslash escapes (ending at the line's end when unterminated, so one
//! stray quote cannot swallow the query), `@"…"` verbatim strings with
//! doubled quotes, ```` ```…``` ```` multi-line strings, the `h`/`H`
//! obfuscation prefix, `//` comments, bracketed names (`['Timestamp']`),
//! and the hyphenated operator names (`project-away`, `make-series`, …).

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A name or keyword; hyphenated operator names are one word.
    Word,
    /// A bracketed name such as `['Timestamp']`; its text is the name.
    Name,
    Str,
    Comment,
    Number,
    Punct,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    /// Byte range in the source.
    pub start: usize,
    pub end: usize,
    /// For `Name`, the name between the quotes; otherwise the source text.
    pub text: String,
}

impl Token {
    pub fn is_punct(&self, p: &str) -> bool {
        self.kind == Kind::Punct && self.text == p
    }

    /// A name token (plain or bracketed) spelled `name`.
    pub fn is_name(&self, name: &str) -> bool {
        matches!(self.kind, Kind::Word | Kind::Name) && self.text == name
    }
}

/// Operator names written with a hyphen, joined into one word.
const HYPHENATED: &[&str] = &[
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "project-smart",
    "make-series",
    "make-graph",
    "mv-expand",
    "mv-apply",
    "top-nested",
    "top-hitters",
    "sample-distinct",
    "parse-where",
    "parse-kv",
    "graph-match",
    "graph-merge",
    "graph-to-table",
    "graph-shortest-paths",
    "graph-mark-components",
];

const TWO_CHAR: &[&str] = &["==", "!=", "=~", "!~", "<=", ">=", "<>", "=>", ".."];

/// Splits `src` into tokens (white space left out).
pub(crate) fn scan(src: &str) -> Vec<Token> {
    let b = src.as_bytes();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            i = line_end(b, i);
            out.push(token(src, Kind::Comment, start, i));
            continue;
        }
        if let Some(end) = string_at(b, i) {
            i = end;
            out.push(token(src, Kind::Str, start, i));
            continue;
        }
        if c == b'[' && !indexes(out.last()) {
            if let Some((name, end)) = bracketed_name(src, i) {
                out.push(Token {
                    kind: Kind::Name,
                    start,
                    end,
                    text: name,
                });
                i = end;
                continue;
            }
        }
        if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80 {
            i = word_end(b, i);
            let mut end = i;
            // Join `project` `-` `away` into one operator name.
            while b.get(end) == Some(&b'-') && b.get(end + 1).is_some_and(u8::is_ascii_alphabetic) {
                let next = word_end(b, end + 1);
                let candidate = &src[start..next];
                let prefix = format!("{candidate}-");
                if HYPHENATED
                    .iter()
                    .any(|h| *h == candidate || h.starts_with(&prefix))
                {
                    end = next;
                } else {
                    break;
                }
            }
            if HYPHENATED.contains(&&src[start..end]) {
                i = end;
            }
            out.push(token(src, Kind::Word, start, i));
            continue;
        }
        if c.is_ascii_digit() {
            while i < b.len()
                && (b[i].is_ascii_alphanumeric()
                    || b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
            {
                i += 1;
            }
            out.push(token(src, Kind::Number, start, i));
            continue;
        }
        let two = src.get(i..i + 2).filter(|t| TWO_CHAR.contains(t));
        i += two.map_or(1, str::len);
        out.push(token(src, Kind::Punct, start, i));
    }
    out
}

fn token(src: &str, kind: Kind, start: usize, end: usize) -> Token {
    Token {
        kind,
        start,
        end,
        text: src.get(start..end).unwrap_or_default().to_owned(),
    }
}

fn line_end(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| from + p)
}

fn word_end(b: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < b.len()
        && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$' || b[i] >= 0x80)
    {
        i += 1;
    }
    i
}

/// Words after which a `[` starts a bracketed name, not an index.
const NAME_BEFORE: &[&str] = &[
    "project",
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "extend",
    "where",
    "filter",
    "by",
    "on",
    "and",
    "or",
    "not",
    "in",
    "distinct",
    "mv-expand",
    "let",
    "asc",
    "desc",
];

/// A `[` right after a value indexes into it (`Fields["Key"]`); anywhere
/// else (also after an operator word such as `project`) `['x']` is a
/// bracketed name.
fn indexes(prev: Option<&Token>) -> bool {
    prev.is_some_and(|t| match t.kind {
        Kind::Word => !NAME_BEFORE.contains(&t.text.as_str()),
        Kind::Name | Kind::Str | Kind::Number => true,
        Kind::Punct => t.text == ")" || t.text == "]",
        Kind::Comment => false,
    })
}

/// If a string literal starts at `i`, where it ends.
fn string_at(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    if matches!(b[j], b'h' | b'H') && matches!(b.get(j + 1), Some(b'"' | b'\'' | b'@' | b'`')) {
        j += 1;
    }
    if b.get(j..j + 3) == Some(b"```") {
        let body = j + 3;
        let close = b[body..].windows(3).position(|w| w == b"```");
        return Some(close.map_or(b.len(), |p| body + p + 3));
    }
    let verbatim = b.get(j) == Some(&b'@');
    if verbatim {
        j += 1;
    }
    let quote = *b.get(j).filter(|q| matches!(q, b'"' | b'\''))?;
    let mut k = j + 1;
    while k < b.len() {
        match b[k] {
            b'\n' => return Some(k),
            b'\\' if !verbatim => k += 2,
            c if c == quote => {
                if verbatim && b.get(k + 1) == Some(&quote) {
                    k += 2;
                } else {
                    return Some(k + 1);
                }
            }
            _ => k += 1,
        }
    }
    Some(b.len())
}

/// `['name']`, `["name"]` or `[@'name']` starting at `i`: the name and the
/// end of the `]`.
fn bracketed_name(src: &str, i: usize) -> Option<(String, usize)> {
    let b = src.as_bytes();
    let mut j = i + 1;
    while b.get(j).is_some_and(u8::is_ascii_whitespace) {
        j += 1;
    }
    let str_start = j;
    let str_end = string_at(b, j)?;
    let mut k = str_end;
    while b.get(k).is_some_and(u8::is_ascii_whitespace) {
        k += 1;
    }
    if b.get(k) != Some(&b']') {
        return None;
    }
    let literal = &src[str_start..str_end];
    let inner = literal.trim_start_matches('@');
    let name = inner
        .get(1..inner.len().saturating_sub(1))
        .unwrap_or_default();
    Some((name.to_owned(), k + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, String)> {
        scan(src).into_iter().map(|t| (t.kind, t.text)).collect()
    }

    #[test]
    fn strings_and_comments_hide_their_contents() {
        let toks =
            kinds("T | where A == \"x | take 1\" // | summarize\n| project-away ['Timestamp']");
        assert_eq!(
            toks,
            vec![
                (Kind::Word, "T".into()),
                (Kind::Punct, "|".into()),
                (Kind::Word, "where".into()),
                (Kind::Word, "A".into()),
                (Kind::Punct, "==".into()),
                (Kind::Str, "\"x | take 1\"".into()),
                (Kind::Comment, "// | summarize".into()),
                (Kind::Punct, "|".into()),
                (Kind::Word, "project-away".into()),
                (Kind::Name, "Timestamp".into()),
            ]
        );
    }

    #[test]
    fn verbatim_obfuscated_and_multiline_strings() {
        let toks = kinds(r#"@"a""b" h'c\'d' ```x " y``` x-y"#);
        assert_eq!(toks[0], (Kind::Str, r#"@"a""b""#.into()));
        assert_eq!(toks[1], (Kind::Str, r"h'c\'d'".into()));
        assert_eq!(toks[2], (Kind::Str, "```x \" y```".into()));
        assert_eq!(toks[3], (Kind::Word, "x".into()));
        assert_eq!(toks[4], (Kind::Punct, "-".into()));
    }

    #[test]
    fn an_unterminated_string_ends_at_the_line() {
        let toks = kinds("\"abc\n| take 5");
        assert_eq!(toks[0], (Kind::Str, "\"abc".into()));
        assert_eq!(toks[1], (Kind::Punct, "|".into()));
        assert_eq!(toks[2], (Kind::Word, "take".into()));
    }

    #[test]
    fn an_index_is_not_a_bracketed_name() {
        let toks = kinds("F[\"Timestamp\"]");
        assert_eq!(toks[1], (Kind::Punct, "[".into()));
        assert_eq!(toks[2], (Kind::Str, "\"Timestamp\"".into()));
    }
}
