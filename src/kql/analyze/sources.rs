//! Finding tabular sources: statement starts, `let` values, `union`,
//! `join`/`lookup`, `find`/`search in (…)` and parenthesised pipelines.

use super::analyzer::{Analyzer, Role};
use crate::kql::token::TokenKind;

impl<'a> Analyzer<'a> {
    /// Statements start the query and follow `;`, `{` (function bodies)
    /// and blank lines: the portal's editor treats text after a blank line
    /// as the next query, and shared hunting files rely on that. `let`
    /// always starts one, even where a `;` was forgotten before it.
    pub(super) fn find_statements(&mut self) {
        let mut at_start = true;
        for k in 0..self.sig.len() {
            if at_start || self.kw(k, "let") || self.after_blank_line(k) {
                self.statement(k);
            }
            at_start = self.op(k, ";") || self.op(k, "{");
        }
    }

    /// True when a blank line precedes `k` and the text before it reads
    /// as finished: outside brackets and not after `,`, `|`, `=` or any
    /// other operator that needs a right-hand side.
    pub(super) fn after_blank_line(&self, k: usize) -> bool {
        let (Some(prev), Some(cur)) = (k.checked_sub(1).and_then(|p| self.tok(p)), self.tok(k))
        else {
            return false;
        };
        let open_ended =
            prev.kind == TokenKind::Operator && !matches!(prev.text(self.src), ")" | "]" | "}");
        if self.parent[k].is_some() || open_ended {
            return false;
        }
        let gap = &self.src.as_bytes()[prev.span.end..cur.span.start];
        let mut newline_seen = false;
        let mut blank_so_far = false;
        for &b in gap {
            match b {
                b'\n' if newline_seen && blank_so_far => return true,
                b'\n' => (newline_seen, blank_so_far) = (true, true),
                b' ' | b'\t' | b'\r' => {}
                _ => blank_so_far = false,
            }
        }
        false
    }

    pub(super) fn statement(&mut self, k: usize) {
        if self.kw(k, "let") {
            let end = self.statement_end(k);
            self.define(k + 1, end);
            if self.op(k + 2, "=") {
                self.tabular_start(k + 3);
            }
        } else if !["set", "declare", "alias", "pattern", "restrict"]
            .iter()
            .any(|w| self.kw(k, w))
        {
            self.tabular_start(k);
        }
    }

    /// Marks `k` as a table when it is a name in a place where a tabular
    /// expression starts.
    pub(super) fn tabular_start(&mut self, k: usize) {
        if self.op(k, "(") {
            return self.tabular_start(k + 1);
        }
        // Only a name that the pipeline continues from (or that stands
        // alone) is a source; `(x:string)` opens a parameter list.
        let ends_source = self.tok(k + 1).is_none()
            || ["|", ";", ")", "}"].iter().any(|op| self.op(k + 1, op))
            || self.kw(k + 1, "let")
            || self.glued_star(k);
        if self.is_name(k) && ends_source {
            self.mark_table(k);
        }
    }

    pub(super) fn mark_table(&mut self, k: usize) {
        if self.roles[k] != Role::None {
            return;
        }
        let wildcard = self.glued_star(k);
        self.roles[k] = Role::Table(wildcard);
    }

    pub(super) fn find_operators(&mut self) {
        for k in 0..self.sig.len() {
            let Some(t) = self.tok(k) else { break };
            match (t.kind, t.text(self.src)) {
                (TokenKind::Operator, "(") => self.paren(k),
                (TokenKind::Operator, ")") if self.op(k + 1, "=") => self.tuple_def(k),
                (TokenKind::Keyword, "union") => self.union(k),
                (TokenKind::Keyword, "join" | "lookup") => self.join(k),
                (TokenKind::Keyword, "find" | "search") => self.find(k),
                (TokenKind::Keyword, "as") if self.is_name(k + 1) => self.define(k + 1, k + 2),
                (TokenKind::Keyword, "parse" | "parse-where") => self.parse(k),
                (TokenKind::Keyword, "render") => self.render(k),
                (TokenKind::Ident | TokenKind::QuotedIdent, _) => self.name_site(k),
                _ => {}
            }
        }
    }

    /// `(T | …)` anywhere, and `(T)` where only a table can stand.
    pub(super) fn paren(&mut self, k: usize) {
        if !self.is_name(k + 1) {
            return;
        }
        let tabular_context = k > 0
            && (["union", "join", "lookup"]
                .iter()
                .any(|w| self.kw(k - 1, w))
                || ["materialize", "toscalar"].contains(&self.text(k - 1)));
        if self.op(k + 2, "|") || (self.op(k + 2, ")") && tabular_context) {
            self.mark_table(k + 1);
        }
    }

    /// Skips `kind=inner`, `hint.strategy=shuffle`, `withsource=T` …
    /// after an operator keyword; returns the position after them.
    pub(super) fn skip_options(&mut self, mut j: usize) -> usize {
        loop {
            let mut m = j;
            while self.is_word(m) && self.op(m + 1, ".") {
                m += 2;
            }
            if !(self.is_word(m) && self.op(m + 1, "=")) {
                return j;
            }
            self.option_value(m, m + 2);
            j = m + 3;
        }
    }

    /// The value of option `key`: a name it defines, or nothing at all.
    pub(super) fn option_value(&mut self, key: usize, value: usize) {
        if !self.is_name(value) || self.roles[value] != Role::None {
            return;
        }
        if ["withsource", "with_itemindex"].contains(&self.text(key)) {
            self.define(value, value);
        } else {
            self.roles[value] = Role::Skip;
        }
    }

    pub(super) fn union(&mut self, k: usize) {
        let mut j = self.skip_options(k + 1);
        loop {
            if self.op(j, "(") {
                self.tabular_start(j + 1);
                if self.is_name(j + 1) && self.op(j + 2, ")") {
                    self.mark_table(j + 1);
                }
                j = self.closer[j].map_or(self.sig.len(), |c| c + 1);
            } else if self.is_name(j) && !self.op(j + 1, "(") {
                self.mark_table(j);
                j += 1 + usize::from(self.glued_star(j));
            } else {
                return;
            }
            if !self.op(j, ",") {
                return;
            }
            j += 1;
        }
    }

    pub(super) fn join(&mut self, k: usize) {
        let j = self.skip_options(k + 1);
        if self.op(j, "(") {
            self.tabular_start(j + 1);
            if self.is_name(j + 1) && self.op(j + 2, ")") {
                self.mark_table(j + 1);
            }
        } else if self.is_name(j) && !self.op(j + 1, "(") {
            self.mark_table(j);
        }
    }

    /// `find in (T1, T2) where …` and `search in (T1, T2) …`.
    pub(super) fn find(&mut self, k: usize) {
        let j = self.skip_options(k + 1);
        if !(self.kw(j, "in") && self.op(j + 1, "(")) {
            return;
        }
        let end = self.closer[j + 1].unwrap_or(self.sig.len());
        let mut m = j + 2;
        while m < end {
            if self.is_name(m) {
                self.mark_table(m);
            }
            // Move past the operand, pattern tail included, to the next `,`.
            while m < end && !self.op(m, ",") {
                m += 1;
            }
            m += 1;
        }
    }
}
