//! Recursive-descent parser for the KQL subset. Errors carry the portal's
//! generic "A recognition error occurred." (what the portal shows for syntax
//! it cannot parse) plus a detail for the stand-in's log.

use super::ast::*;
use super::lexer::{lex, Tok};
use super::QueryError;
use crate::time;

pub fn parse(src: &str) -> Result<Query, QueryError> {
    let toks = lex(src).map_err(|e| QueryError::syntax(&e.0))?;
    let mut p = Parser { toks, pos: 0 };
    let q = p.query()?;
    Ok(q)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

fn keyword(t: Option<&Tok>, kw: &str) -> bool {
    matches!(t, Some(Tok::Ident(s)) if s == kw)
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expect(&mut self, want: &Tok, what: &str) -> Result<(), QueryError> {
        match self.next() {
            Some(ref t) if t == want => Ok(()),
            other => Err(QueryError::syntax(&format!(
                "expected {what}, found {other:?}"
            ))),
        }
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if keyword(self.peek(), kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn ident(&mut self, what: &str) -> Result<String, QueryError> {
        match self.next() {
            Some(Tok::Ident(s)) => Ok(s),
            other => Err(QueryError::syntax(&format!(
                "expected {what}, found {other:?}"
            ))),
        }
    }

    fn count_arg(&mut self) -> Result<u64, QueryError> {
        match self.next() {
            Some(Tok::Int(n)) if n >= 0 => Ok(n as u64),
            other => Err(QueryError::syntax(&format!(
                "expected a row count, found {other:?}"
            ))),
        }
    }

    fn query(&mut self) -> Result<Query, QueryError> {
        let table = self.ident("a table name")?;
        let mut ops = Vec::new();
        while let Some(t) = self.next() {
            match t {
                Tok::Pipe => ops.push(self.operator()?),
                Tok::Semi if self.peek().is_none() => break,
                other => return Err(QueryError::syntax(&format!("unexpected {other:?}"))),
            }
        }
        Ok(Query { table, ops })
    }

    fn operator(&mut self) -> Result<Op, QueryError> {
        let name = self.ident("an operator")?;
        match name.as_str() {
            "where" | "filter" => Ok(Op::Where(self.expr()?)),
            "project" => {
                let mut cols = Vec::new();
                loop {
                    let first = self.ident("a column")?;
                    if self.peek() == Some(&Tok::Op("=")) {
                        self.pos += 1;
                        let src = self.ident("a column")?;
                        cols.push((first, src));
                    } else {
                        cols.push((first.clone(), first));
                    }
                    if self.peek() != Some(&Tok::Comma) {
                        break;
                    }
                    self.pos += 1;
                }
                Ok(Op::Project(cols))
            }
            "take" | "limit" => Ok(Op::Take(self.count_arg()?)),
            "count" => Ok(Op::Count),
            "getschema" => Ok(Op::GetSchema),
            "summarize" => {
                let mut out = "count_".to_string();
                if let (Some(Tok::Ident(n)), Some(Tok::Op("="))) = (
                    self.toks.get(self.pos).cloned(),
                    self.toks.get(self.pos + 1),
                ) {
                    out = n;
                    self.pos += 2;
                }
                let f = self.ident("an aggregation")?;
                if f != "count" {
                    return Err(QueryError::unsupported(&format!("aggregation {f}()")));
                }
                self.expect(&Tok::LParen, "(")?;
                self.expect(&Tok::RParen, ")")?;
                let mut by = Vec::new();
                if self.eat_kw("by") {
                    loop {
                        by.push(self.by_key()?);
                        if self.peek() != Some(&Tok::Comma) {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                Ok(Op::SummarizeCount(out, by))
            }
            "sort" | "order" => {
                if !self.eat_kw("by") {
                    return Err(QueryError::syntax("expected 'by'"));
                }
                let mut keys = vec![self.sort_key()?];
                while self.peek() == Some(&Tok::Comma) {
                    self.pos += 1;
                    keys.push(self.sort_key()?);
                }
                Ok(Op::Sort(keys))
            }
            "top" => {
                let n = self.count_arg()?;
                if !self.eat_kw("by") {
                    return Err(QueryError::syntax("expected 'by'"));
                }
                Ok(Op::Top(n, self.sort_key()?))
            }
            other => Err(QueryError::unsupported(&format!("operator '{other}'"))),
        }
    }

    fn sort_key(&mut self) -> Result<SortKey, QueryError> {
        let column = self.ident("a column")?;
        // Kusto sorts descending unless told otherwise; nulls go first when
        // ascending and last when descending.
        let desc = if self.eat_kw("asc") {
            false
        } else {
            self.eat_kw("desc");
            true
        };
        let mut nulls_first = !desc;
        if self.eat_kw("nulls") {
            if self.eat_kw("first") {
                nulls_first = true;
            } else if self.eat_kw("last") {
                nulls_first = false;
            } else {
                return Err(QueryError::syntax("expected first or last"));
            }
        }
        Ok(SortKey {
            column,
            desc,
            nulls_first,
        })
    }

    fn expr(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.and_expr()?;
        while self.eat_kw("or") {
            let right = self.and_expr()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.unary()?;
        while self.eat_kw("and") {
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        if keyword(self.peek(), "not") && self.toks.get(self.pos + 1) == Some(&Tok::LParen) {
            self.pos += 2;
            let e = self.expr()?;
            self.expect(&Tok::RParen, ")")?;
            return Ok(Expr::Not(Box::new(e)));
        }
        if self.peek() == Some(&Tok::LParen) {
            self.pos += 1;
            let e = self.expr()?;
            self.expect(&Tok::RParen, ")")?;
            return Ok(e);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, QueryError> {
        let term = self.term()?;
        let op = match self.peek().cloned() {
            Some(Tok::Op(o)) => {
                self.pos += 1;
                match o {
                    "==" => CmpOp::Eq,
                    "!=" => CmpOp::Ne,
                    "=~" => CmpOp::EqCi,
                    "!~" => CmpOp::NeCi,
                    "<" => CmpOp::Lt,
                    "<=" => CmpOp::Le,
                    ">" => CmpOp::Gt,
                    ">=" => CmpOp::Ge,
                    other => return Err(QueryError::syntax(&format!("unexpected '{other}'"))),
                }
            }
            Some(Tok::Ident(w)) => {
                let (neg, base) = match w.strip_prefix('!') {
                    Some(b) => (true, b.to_string()),
                    None => (false, w.clone()),
                };
                match base.as_str() {
                    "in" | "in~" => {
                        self.pos += 1;
                        let list = self.lit_list()?;
                        return Ok(Expr::In {
                            term,
                            list,
                            negated: neg,
                            case_insensitive: base == "in~",
                        });
                    }
                    "between" => {
                        self.pos += 1;
                        self.expect(&Tok::LParen, "(")?;
                        let lo = self.lit()?;
                        self.expect(&Tok::DotDot, "..")?;
                        let hi = self.lit()?;
                        self.expect(&Tok::RParen, ")")?;
                        return Ok(Expr::Between {
                            term,
                            lo,
                            hi,
                            negated: neg,
                        });
                    }
                    _ => {}
                }
                let (kind, cs) = match base.as_str() {
                    "has" => (StrOp::Has, false),
                    "has_cs" => (StrOp::Has, true),
                    "contains" => (StrOp::Contains, false),
                    "contains_cs" => (StrOp::Contains, true),
                    "startswith" => (StrOp::StartsWith, false),
                    "startswith_cs" => (StrOp::StartsWith, true),
                    "endswith" => (StrOp::EndsWith, false),
                    "endswith_cs" => (StrOp::EndsWith, true),
                    "and" | "or" => return Ok(Expr::Bare(term)),
                    other => return Err(QueryError::unsupported(&format!("operator '{other}'"))),
                };
                self.pos += 1;
                CmpOp::Str(kind, neg, cs)
            }
            _ => return Ok(Expr::Bare(term)),
        };
        let rhs = self.term()?;
        Ok(Expr::Cmp(term, op, rhs))
    }

    fn lit_list(&mut self) -> Result<Vec<Lit>, QueryError> {
        self.expect(&Tok::LParen, "(")?;
        let mut list = Vec::new();
        if self.peek() == Some(&Tok::RParen) {
            self.pos += 1;
            return Ok(list);
        }
        loop {
            list.push(self.lit()?);
            match self.next() {
                Some(Tok::Comma) => continue,
                Some(Tok::RParen) => break,
                other => {
                    return Err(QueryError::syntax(&format!(
                        "expected , or ), found {other:?}"
                    )))
                }
            }
        }
        Ok(list)
    }

    /// `[Name =] Col`, `[Name =] bin(Col, span)` or
    /// `[Name =] bin_at(Col, span, anchor)`.
    fn by_key(&mut self) -> Result<ByKey, QueryError> {
        let mut out = None;
        if let (Some(Tok::Ident(n)), Some(Tok::Op("="))) = (
            self.toks.get(self.pos).cloned(),
            self.toks.get(self.pos + 1),
        ) {
            out = Some(n);
            self.pos += 2;
        }
        let name = self.ident("a column")?;
        if self.peek() != Some(&Tok::LParen) {
            return Ok(ByKey {
                out: out.unwrap_or_else(|| name.clone()),
                column: name,
                bin: None,
            });
        }
        let with_anchor = match name.as_str() {
            "bin" | "floor" => false,
            "bin_at" => true,
            other => {
                return Err(QueryError::unsupported(&format!(
                    "function {other}() in summarize by"
                )))
            }
        };
        self.expect(&Tok::LParen, "(")?;
        let column = self.ident("a column")?;
        self.expect(&Tok::Comma, ",")?;
        let span = self.lit()?;
        let anchor = if with_anchor {
            self.expect(&Tok::Comma, ",")?;
            Some(self.lit()?)
        } else {
            None
        };
        self.expect(&Tok::RParen, ")")?;
        Ok(ByKey {
            out: out.unwrap_or_else(|| column.clone()),
            column,
            bin: Some(Bin { span, anchor }),
        })
    }

    fn term(&mut self) -> Result<Term, QueryError> {
        if let Some(Tok::Ident(name)) = self.peek().cloned() {
            let is_call = self.toks.get(self.pos + 1) == Some(&Tok::LParen);
            let is_lit = matches!(name.as_str(), "true" | "false" | "ago" | "now");
            if !is_call && !is_lit {
                self.pos += 1;
                return Ok(Term::Col(name));
            }
        }
        Ok(Term::Lit(self.lit()?))
    }

    fn lit(&mut self) -> Result<Lit, QueryError> {
        let neg = if self.peek() == Some(&Tok::Op("-")) {
            self.pos += 1;
            true
        } else {
            false
        };
        let t = self.next();
        let lit = match t {
            Some(Tok::Str(s)) => Lit::Str(s),
            Some(Tok::Int(i)) => Lit::Int(i),
            Some(Tok::Real(f)) => Lit::Real(f),
            Some(Tok::Span(s)) => Lit::Span(s),
            Some(Tok::DateText(d)) => Lit::Date(
                time::parse(&d).ok_or_else(|| QueryError::syntax(&format!("bad datetime({d})")))?,
            ),
            Some(Tok::Ident(w)) => match w.as_str() {
                "true" => Lit::Bool(true),
                "false" => Lit::Bool(false),
                "ago" => {
                    self.expect(&Tok::LParen, "(")?;
                    let span = match self.next() {
                        Some(Tok::Span(s)) => s,
                        other => {
                            return Err(QueryError::syntax(&format!(
                                "ago() needs a timespan, found {other:?}"
                            )))
                        }
                    };
                    self.expect(&Tok::RParen, ")")?;
                    Lit::Ago(span)
                }
                "now" => {
                    self.expect(&Tok::LParen, "(")?;
                    self.expect(&Tok::RParen, ")")?;
                    Lit::Now
                }
                "long" | "int" | "real" | "double" | "bool" | "string" | "guid" | "dynamic"
                    if self.peek() == Some(&Tok::LParen) =>
                {
                    self.pos += 1;
                    let inner = if keyword(self.peek(), "null") {
                        self.pos += 1;
                        Lit::Null
                    } else {
                        self.lit()?
                    };
                    self.expect(&Tok::RParen, ")")?;
                    inner
                }
                other => {
                    return Err(QueryError::unsupported(&format!(
                        "function or literal '{other}'"
                    )))
                }
            },
            other => {
                return Err(QueryError::syntax(&format!(
                    "expected a literal, found {other:?}"
                )))
            }
        };
        Ok(if neg {
            match lit {
                Lit::Int(i) => Lit::Int(-i),
                Lit::Real(f) => Lit::Real(-f),
                Lit::Span(s) => Lit::Span(-s),
                _ => return Err(QueryError::syntax("bad negative literal")),
            }
        } else {
            lit
        })
    }
}
