//! A light reading of a token stream: which names are tables, which are
//! columns, and which the query defines itself.
//!
//! This is not a parser. It looks for the places where KQL puts a tabular
//! source (the start of a statement or of a `let` value, `union` operands,
//! the right side of `join` and `lookup`, `find in (…)`, a parenthesised
//! pipeline) and for the places where a query names something new (`let`,
//! `X = …` aliases, `(A, B) = …`, `name:type` declarations, the outputs of
//! `parse … with`, `as`, `withsource=`). Every other plain name that is not
//! a function call or a property after `.` counts as a column reference.
//!
//! A defined name stops counting as a column from the end of the
//! expression that defines it, for the rest of the query: the right side
//! of `extend FileName = tolower(FileName)` still reads the real column,
//! later uses read the alias. Scopes are not tracked beyond that, which
//! errs towards reporting fewer columns. Strings and comments are whole
//! tokens, so nothing inside them can ever be reported.

mod analyzer;
mod names;
mod sources;

use super::lexer::tokenize;
use super::token::{Span, Token, TokenKind};
use analyzer::Analyzer;

/// A name found in a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameRef {
    /// Index of the token in [`Analysis::tokens`].
    pub token: usize,
    /// Where the name is; for a bracketed name, only the part inside the
    /// quotes; for a wildcard table pattern, the whole pattern.
    pub span: Span,
    pub line: u32,
    pub column: u32,
    /// A table pattern such as `Device*` (in `union` or `find`).
    pub wildcard: bool,
}

impl NameRef {
    /// The name as written.
    pub fn name<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.span.start..self.span.end).unwrap_or("")
    }
}

/// What [`analyze`] found, each list in source order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    pub tokens: Vec<Token>,
    pub tables: Vec<NameRef>,
    pub columns: Vec<NameRef>,
    /// Where the query defines a name of its own.
    pub locals: Vec<NameRef>,
}

impl Analysis {
    /// Distinct table names (patterns included), sorted.
    pub fn table_names<'a>(&self, src: &'a str) -> Vec<&'a str> {
        distinct(&self.tables, src)
    }

    /// Distinct column names, sorted.
    pub fn column_names<'a>(&self, src: &'a str) -> Vec<&'a str> {
        distinct(&self.columns, src)
    }

    /// Distinct locally defined names, sorted.
    pub fn local_names<'a>(&self, src: &'a str) -> Vec<&'a str> {
        distinct(&self.locals, src)
    }
}

fn distinct<'a>(refs: &[NameRef], src: &'a str) -> Vec<&'a str> {
    let mut names: Vec<&str> = refs.iter().map(|r| r.name(src)).collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Tokenizes `src` and finds its table, column and local names.
pub fn analyze(src: &str) -> Analysis {
    let tokens = tokenize(src);
    let sig: Vec<usize> = (0..tokens.len())
        .filter(|&i| tokens[i].kind != TokenKind::Comment)
        .collect();
    let mut a = Analyzer::new(src, &tokens, sig);
    a.find_statements();
    a.find_operators();
    let (tables, columns, locals) = a.resolve();
    Analysis {
        tables,
        columns,
        locals,
        tokens,
    }
}

#[cfg(test)]
mod tests;
