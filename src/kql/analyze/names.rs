//! Finding the names a query defines itself: aliases, tuples, `name:type`
//! declarations, `parse` outputs; and the `render` words that are neither
//! defined nor columns.

use super::analyzer::{Analyzer, Role};
use crate::kql::keywords::is_type_name;
use crate::kql::token::TokenKind;

impl<'a> Analyzer<'a> {
    pub(super) fn define(&mut self, k: usize, active_from: usize) {
        if !self.is_name(k) && !self.is_word(k) {
            return;
        }
        self.roles[k] = Role::Def;
        let name = self.name_of(k);
        let entry = self.defs.entry(name).or_insert(active_from);
        *entry = (*entry).min(active_from);
    }

    /// `(A, B) = …` defines A and B.
    pub(super) fn tuple_def(&mut self, close: usize) {
        let Some(open) = (0..close).rev().find(|&o| self.closer[o] == Some(close)) else {
            return;
        };
        let end = self.expression_end(close + 1, true);
        for k in open + 1..close {
            if self.is_name(k) && (self.op(k + 1, ",") || k + 1 == close) {
                self.define(k, end);
            }
        }
    }

    /// `parse Col with "x" Name "y" Other:int`: the names after `with`
    /// are outputs, with or without a type.
    pub(super) fn parse(&mut self, k: usize) {
        let end = self.expression_end(k, false);
        let Some(with) = (k + 1..end).find(|&m| self.kw(m, "with")) else {
            return;
        };
        for m in with + 1..end {
            if self.is_name(m) && !self.op(m + 1, "(") && self.roles[m] == Role::None {
                self.define(m, end);
            }
        }
    }

    /// `render timechart with (ysplit=panels, xcolumn=Timestamp)`: the
    /// chart kind and the values of the layout options are words, not
    /// columns; `xcolumn`, `ycolumns` and `series` do name columns.
    pub(super) fn render(&mut self, k: usize) {
        if self.is_name(k + 1) {
            self.roles[k + 1] = Role::Skip;
        }
        const LAYOUT: &[&str] = &["kind", "ysplit", "legend", "xaxis", "yaxis", "accumulate"];
        for m in k + 2..self.expression_end(k, false) {
            if self.op(m, "=") && LAYOUT.contains(&self.text(m - 1)) && self.is_name(m + 1) {
                self.roles[m + 1] = Role::Skip;
            }
        }
    }

    /// A plain name: is it defining something?
    pub(super) fn name_site(&mut self, k: usize) {
        if self.roles[k] != Role::None || (k > 0 && self.op(k - 1, ".")) {
            return;
        }
        if self.op(k + 1, "=") {
            // `X = …` in extend, project, summarize, project-rename …
            let end = self.expression_end(k, true);
            self.define(k, end);
        } else if self.op(k + 1, ":")
            && !self.in_parameter_schema(k)
            && (self.op(k + 2, "(")
                || self.tok(k + 2).is_some_and(|t| {
                    t.kind == TokenKind::Keyword && is_type_name(t.text(self.src))
                }))
        {
            // `Name:string` in parse, datatable, externaldata and
            // function parameters.
            let end = self.expression_end(k, true);
            self.define(k, end);
        } else if k >= 2 && self.op(k - 1, "=") && self.is_word(k - 2) {
            // The value of an option (`kind=…`) that skip_options did not
            // see because its operator is not one handled above.
            let key_is_option = self
                .tok(k - 2)
                .is_some_and(|t| t.kind == TokenKind::Keyword)
                || (k >= 3 && self.op(k - 3, "."));
            if key_is_option {
                self.option_value(k - 2, k);
            }
        }
    }
}
