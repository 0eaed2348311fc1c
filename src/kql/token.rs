//! Tokens produced by the lexer. A token holds only its kind and position;
//! its text is a slice of the source, so lexing a query allocates nothing
//! per token.

/// A byte range in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// How a string literal was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringStyle {
    /// `"…"` or `'…'`, where a backslash escapes the next character.
    Escaped,
    /// `@"…"` or `@'…'`, where only a doubled quote escapes a quote.
    Verbatim,
    /// ```` ```…``` ````, which may span lines.
    MultiLine,
}

/// The details of a string literal token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringLiteral {
    pub style: StringStyle,
    /// Written with an `h` or `H` prefix, which hides it from the logs.
    pub obfuscated: bool,
    /// False when the source ended (or, for one-line forms, the line ended)
    /// before the closing quote.
    pub terminated: bool,
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A plain name, or a `$`-prefixed one such as `$left`.
    Ident,
    /// A bracketed name: `['name']` or `["name"]`.
    QuotedIdent,
    /// A reserved word of the query language (operators, `by`, `and`, types…).
    Keyword,
    Number,
    /// A number with a time unit: `7d`, `1.5h`, `30min`.
    Timespan,
    String(StringLiteral),
    /// A literal written as a call: `datetime(2024-01-01)`, `guid(…)`,
    /// `timespan(…)`; its inside is not KQL and is kept as one token.
    TypedLiteral,
    /// Punctuation and symbolic operators: `|`, `==`, `=~`, `..`, `(` …
    Operator,
    /// `//` to the end of the line.
    Comment,
    /// A character the lexer does not know.
    Unknown,
}

/// One token with its place in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
    /// 1-based line of the first character.
    pub line: u32,
    /// 1-based column of the first character, counted in characters.
    pub column: u32,
}

impl Token {
    /// The token's source text.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.span.start..self.span.end).unwrap_or("")
    }

    /// The name an identifier token stands for: its text, or for a
    /// bracketed name the part between the quotes. `None` for other kinds.
    pub fn name<'a>(&self, src: &'a str) -> Option<&'a str> {
        self.name_span(src).map(|s| &src[s.start..s.end])
    }

    /// Where [`Token::name`] lies in the source.
    pub fn name_span(&self, src: &str) -> Option<Span> {
        match self.kind {
            TokenKind::Ident | TokenKind::Keyword => Some(self.span),
            TokenKind::QuotedIdent => {
                // `[` + optional `@` + quote … quote + `]`
                let text = self.text(src);
                let prefix = if text.as_bytes().get(1) == Some(&b'@') {
                    3
                } else {
                    2
                };
                (text.len() >= prefix + 2).then(|| Span {
                    start: self.span.start + prefix,
                    end: self.span.end - 2,
                })
            }
            _ => None,
        }
    }

    /// True for an operator token spelled exactly `op`.
    pub fn is_op(&self, src: &str, op: &str) -> bool {
        self.kind == TokenKind::Operator && self.text(src) == op
    }

    /// True for a keyword token spelled exactly `word`.
    pub fn is_keyword(&self, src: &str, word: &str) -> bool {
        self.kind == TokenKind::Keyword && self.text(src) == word
    }

    /// True for a string literal of any form.
    pub fn is_string(&self) -> bool {
        matches!(self.kind, TokenKind::String(_))
    }
}
