//! The analyzer's state and the helpers every pass uses: token access by
//! position among the non-comment tokens, bracket matching, expression
//! ends, and the final sorting of names into tables, columns and locals.

use std::collections::HashMap;

use super::NameRef;
use crate::kql::token::{Token, TokenKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    None,
    /// A tabular source; `bool` says whether it is a wildcard pattern.
    Table(bool),
    /// The place where a local name is defined.
    Def,
    /// Neither table nor column (an operator option's value).
    Skip,
}

pub(super) struct Analyzer<'a> {
    pub(super) src: &'a str,
    pub(super) tokens: &'a [Token],
    /// Indices of the non-comment tokens; the analyzer works on these.
    pub(super) sig: Vec<usize>,
    pub(super) roles: Vec<Role>,
    /// For each opening bracket, the position of its closing one.
    pub(super) closer: Vec<Option<usize>>,
    /// For each token, the innermost bracket it is inside.
    pub(super) parent: Vec<Option<usize>>,
    /// Local name → position from which it shadows columns.
    pub(super) defs: HashMap<&'a str, usize>,
}

impl<'a> Analyzer<'a> {
    pub(super) fn new(src: &'a str, tokens: &'a [Token], sig: Vec<usize>) -> Self {
        let mut closer = vec![None; sig.len()];
        let mut parent = vec![None; sig.len()];
        let mut open: Vec<usize> = Vec::new();
        for (k, &i) in sig.iter().enumerate() {
            parent[k] = open.last().copied();
            match tokens[i].kind {
                TokenKind::Operator => match tokens[i].text(src) {
                    "(" | "[" | "{" => open.push(k),
                    ")" | "]" | "}" => {
                        if let Some(o) = open.pop() {
                            closer[o] = Some(k);
                        }
                    }
                    _ => {}
                },
                _ => continue,
            }
        }
        let roles = vec![Role::None; sig.len()];
        Analyzer {
            src,
            tokens,
            sig,
            roles,
            closer,
            parent,
            defs: HashMap::new(),
        }
    }

    pub(super) fn tok(&self, k: usize) -> Option<&'a Token> {
        self.sig.get(k).map(|&i| &self.tokens[i])
    }

    pub(super) fn text(&self, k: usize) -> &'a str {
        self.tok(k).map_or("", |t| t.text(self.src))
    }

    pub(super) fn op(&self, k: usize, op: &str) -> bool {
        self.tok(k).is_some_and(|t| t.is_op(self.src, op))
    }

    pub(super) fn kw(&self, k: usize, word: &str) -> bool {
        self.tok(k).is_some_and(|t| t.is_keyword(self.src, word))
    }

    /// A name that can be a table or a column: not a keyword, not `$left`.
    pub(super) fn is_name(&self, k: usize) -> bool {
        self.tok(k).is_some_and(|t| match t.kind {
            TokenKind::Ident => !t.text(self.src).starts_with('$'),
            TokenKind::QuotedIdent => true,
            _ => false,
        })
    }

    /// Ident or keyword: the words operator options are made of.
    pub(super) fn is_word(&self, k: usize) -> bool {
        self.tok(k)
            .is_some_and(|t| matches!(t.kind, TokenKind::Ident | TokenKind::Keyword))
    }

    pub(super) fn name_of(&self, k: usize) -> &'a str {
        self.tok(k).and_then(|t| t.name(self.src)).unwrap_or("")
    }

    /// The `,` (with `stop_at_comma`), `|`, `;` or enclosing closing
    /// bracket that ends the expression containing position `k`.
    pub(super) fn expression_end(&self, k: usize, stop_at_comma: bool) -> usize {
        let mut j = k + 1;
        while let Some(t) = self.tok(j) {
            if t.kind == TokenKind::Operator {
                match t.text(self.src) {
                    "(" | "[" | "{" => {
                        j = self.closer[j].map_or(self.sig.len(), |c| c + 1);
                        continue;
                    }
                    ")" | "]" | "}" | "|" | ";" => return j,
                    "," if stop_at_comma => return j,
                    _ => {}
                }
            } else if stop_at_comma && t.is_keyword(self.src, "on") {
                // `mv-apply e = Arr to typeof(string) on (… e …)`: the
                // subquery after `on` already sees the new name.
                return j;
            }
            j += 1;
        }
        self.sig.len()
    }

    /// Like [`Self::expression_end`], but only `;` or an enclosing bracket
    /// ends a statement.
    pub(super) fn statement_end(&self, k: usize) -> usize {
        let mut j = k + 1;
        while let Some(t) = self.tok(j) {
            if t.kind == TokenKind::Operator {
                match t.text(self.src) {
                    "(" | "[" | "{" => {
                        j = self.closer[j].map_or(self.sig.len(), |c| c + 1);
                        continue;
                    }
                    ")" | "]" | "}" | ";" => return j,
                    _ => {}
                }
            }
            j += 1;
        }
        self.sig.len()
    }

    /// True when `*` directly follows the name at `k` (`Device*`).
    pub(super) fn glued_star(&self, k: usize) -> bool {
        match (self.tok(k), self.tok(k + 1)) {
            (Some(name), Some(star)) => {
                star.is_op(self.src, "*") && star.span.start == name.span.end
            }
            _ => false,
        }
    }

    pub(super) fn shadowed(&self, k: usize) -> bool {
        self.defs
            .get(self.name_of(k))
            .is_some_and(|&from| from <= k)
    }

    /// Inside `T:(Col:string)`: the columns a tabular parameter must
    /// have, which are real columns rather than new names.
    pub(super) fn in_parameter_schema(&self, k: usize) -> bool {
        self.parent[k].is_some_and(|p| p > 0 && self.op(p - 1, ":"))
    }

    pub(super) fn name_ref(&self, k: usize, wildcard: bool) -> NameRef {
        let t = &self.tokens[self.sig[k]];
        let mut span = t.name_span(self.src).unwrap_or(t.span);
        if wildcard {
            // Take the `*` and a name glued after it: `Device*Events`.
            span.end = self.tok(k + 1).map_or(span.end, |s| s.span.end);
            if let Some(tail) = self.tok(k + 2).filter(|n| n.span.start == span.end) {
                if tail.kind == TokenKind::Ident {
                    span.end = tail.span.end;
                }
            }
        }
        NameRef {
            token: self.sig[k],
            span,
            line: t.line,
            column: t.column,
            wildcard,
        }
    }

    pub(super) fn resolve(&self) -> (Vec<NameRef>, Vec<NameRef>, Vec<NameRef>) {
        let (mut tables, mut columns, mut locals) = (Vec::new(), Vec::new(), Vec::new());
        for k in 0..self.sig.len() {
            match self.roles[k] {
                // A let name in a table's place is the query's own table.
                Role::Table(wildcard) if !self.shadowed(k) => {
                    tables.push(self.name_ref(k, wildcard))
                }
                Role::Def => locals.push(self.name_ref(k, false)),
                Role::None if self.is_column(k) => columns.push(self.name_ref(k, false)),
                _ => {}
            }
        }
        (tables, columns, locals)
    }

    pub(super) fn is_column(&self, k: usize) -> bool {
        if !self.is_name(k) || self.op(k + 1, "(") || self.shadowed(k) {
            return false;
        }
        // After `.` a name is a property of a dynamic value, except in
        // `$left.Col` and `$right.Col`.
        if k > 0 && self.op(k - 1, ".") {
            return k >= 2 && self.text(k - 2).starts_with('$');
        }
        true
    }
}
