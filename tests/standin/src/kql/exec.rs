//! Executes a parsed query over the tenant. Frames stay lazy (row indices into
//! a generated table) until an operator needs new rows (count, summarize,
//! getschema), so filtering a million rows never materialises them.

use super::ast::*;
use super::parser::parse;
use super::QueryError;
use crate::model::{ColType, Value};
use crate::tenant::{Table, Tenant};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

/// The request's context: the tenant clock for ago()/now() and the time
/// window from StartTime/EndTime.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub start: i64,
    pub end: i64,
    pub inclusive_end: bool,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct RunStats {
    pub rows_scanned: u64,
    /// Whether the first operator touching the data was getschema (no scan).
    pub metadata_only: bool,
}

#[derive(Clone, Copy, Debug)]
enum Src {
    Table(usize),
    Mat(usize),
}

#[derive(Clone, Debug)]
pub struct OutCol {
    pub name: String,
    pub ty: ColType,
    src: Src,
}

enum Rows {
    Lazy { table: Arc<Table>, idx: Vec<u32> },
    Mat(Vec<Vec<Value>>),
}

pub struct Frame {
    pub cols: Vec<OutCol>,
    rows: Rows,
}

impl Frame {
    pub fn len(&self) -> usize {
        match &self.rows {
            Rows::Lazy { idx, .. } => idx.len(),
            Rows::Mat(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn cell(&self, row: usize, col: usize) -> Value {
        match (&self.rows, self.cols[col].src) {
            (Rows::Lazy { table, idx }, Src::Table(c)) => table.cell(idx[row] as usize, c),
            (Rows::Mat(rows), Src::Mat(c)) => rows[row][c].clone(),
            // A frame's columns always match its row kind; a mismatch cannot
            // be built by this module.
            _ => Value::Null,
        }
    }

    pub fn truncate(&mut self, n: usize) {
        match &mut self.rows {
            Rows::Lazy { idx, .. } => idx.truncate(n),
            Rows::Mat(r) => r.truncate(n),
        }
    }

    fn select(&mut self, order: Vec<usize>) {
        match &mut self.rows {
            Rows::Lazy { idx, .. } => *idx = order.iter().map(|i| idx[*i]).collect(),
            Rows::Mat(rows) => {
                let mut old: Vec<Option<Vec<Value>>> =
                    std::mem::take(rows).into_iter().map(Some).collect();
                *rows = order.iter().filter_map(|i| old[*i].take()).collect();
            }
        }
    }

    fn col(&self, op: &str, name: &str) -> Result<usize, QueryError> {
        self.cols
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| QueryError::unresolved(op, name))
    }

    pub(crate) fn materialised(cols: Vec<(String, ColType)>, rows: Vec<Vec<Value>>) -> Frame {
        let cols = cols
            .into_iter()
            .enumerate()
            .map(|(i, (name, ty))| OutCol {
                name,
                ty,
                src: Src::Mat(i),
            })
            .collect();
        Frame {
            cols,
            rows: Rows::Mat(rows),
        }
    }
}

pub fn run(
    tenant: &Tenant,
    text: &str,
    window: Option<Window>,
) -> Result<(Frame, RunStats), QueryError> {
    let q = parse(text)?;
    let table = tenant
        .table(&q.table)
        .ok_or_else(|| QueryError::unknown_table(&q.table))?;
    let (lo, hi) = match (table.ts_col, window) {
        (Some(_), Some(w)) => table.window(w.start, w.end, w.inclusive_end),
        _ => (0, table.rows()),
    };
    let mut stats = RunStats {
        rows_scanned: (hi - lo) as u64,
        metadata_only: q.ops.first() == Some(&Op::GetSchema),
    };
    if stats.metadata_only {
        stats.rows_scanned = 0;
    }
    let cols = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| OutCol {
            name: c.name.clone(),
            ty: c.ty,
            src: Src::Table(i),
        })
        .collect();
    let mut frame = Frame {
        cols,
        rows: Rows::Lazy {
            table: table.clone(),
            idx: (lo as u32..hi as u32).collect(),
        },
    };
    for op in &q.ops {
        frame = apply(frame, op, tenant.now)?;
    }
    Ok((frame, stats))
}

fn apply(mut f: Frame, op: &Op, now: i64) -> Result<Frame, QueryError> {
    match op {
        Op::Where(e) => {
            let b = bind(&f, e, now)?;
            let keep: Vec<usize> = (0..f.len()).filter(|r| eval(&f, &b, *r)).collect();
            f.select(keep);
            Ok(f)
        }
        Op::Project(list) => {
            let mut cols = Vec::with_capacity(list.len());
            for (out, src) in list {
                let c = f.col("project", src)?;
                cols.push(OutCol {
                    name: out.clone(),
                    ..f.cols[c].clone()
                });
            }
            f.cols = cols;
            Ok(f)
        }
        Op::Take(n) => {
            f.truncate((*n).min(usize::MAX as u64) as usize);
            Ok(f)
        }
        Op::Count => Ok(Frame::materialised(
            vec![("Count".into(), ColType::Int64)],
            vec![vec![Value::Int(f.len() as i64)]],
        )),
        Op::SummarizeCount(out, by) => {
            let keys: Vec<usize> = by
                .iter()
                .map(|b| f.col("summarize", &b.column))
                .collect::<Result<_, _>>()?;
            let bins: Vec<Option<(Value, Value)>> = by
                .iter()
                .map(|b| {
                    b.bin.as_ref().map(|bin| {
                        let anchor = bin
                            .anchor
                            .as_ref()
                            .map_or(Value::Int(0), |a| lit_value(a, now));
                        (lit_value(&bin.span, now), anchor)
                    })
                })
                .collect();
            let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
            let mut groups: Vec<(Vec<Value>, i64)> = Vec::new();
            for r in 0..f.len() {
                let vals: Vec<Value> = keys
                    .iter()
                    .zip(&bins)
                    .map(|(c, bin)| binned(f.cell(r, *c), bin.as_ref()))
                    .collect();
                let mut k = Vec::new();
                for v in &vals {
                    v.write_json(&mut k);
                    k.push(0);
                }
                let g = *index.entry(k).or_insert_with(|| {
                    groups.push((vals, 0));
                    groups.len() - 1
                });
                groups[g].1 += 1;
            }
            if keys.is_empty() && groups.is_empty() {
                groups.push((Vec::new(), 0));
            }
            let mut cols: Vec<(String, ColType)> = keys
                .iter()
                .zip(by)
                .map(|(c, b)| (b.out.clone(), f.cols[*c].ty))
                .collect();
            cols.push((out.clone(), ColType::Int64));
            let rows = groups
                .into_iter()
                .map(|(mut v, n)| {
                    v.push(Value::Int(n));
                    v
                })
                .collect();
            Ok(Frame::materialised(cols, rows))
        }
        Op::Sort(keys) => sort(f, keys),
        Op::Top(n, key) => {
            let mut f = sort(f, std::slice::from_ref(key))?;
            f.truncate(*n as usize);
            Ok(f)
        }
        Op::GetSchema => {
            let rows = f
                .cols
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let (dt, ct) = c.ty.getschema_names();
                    vec![
                        Value::Str(c.name.clone()),
                        Value::Int(i as i64),
                        Value::Str(dt.into()),
                        Value::Str(ct.into()),
                    ]
                })
                .collect();
            Ok(Frame::materialised(
                vec![
                    ("ColumnName".into(), ColType::String),
                    ("ColumnOrdinal".into(), ColType::Int32),
                    ("DataType".into(), ColType::String),
                    ("ColumnType".into(), ColType::String),
                ],
                rows,
            ))
        }
    }
}

fn sort(mut f: Frame, keys: &[SortKey]) -> Result<Frame, QueryError> {
    let cols: Vec<usize> = keys
        .iter()
        .map(|k| f.col("sort", &k.column))
        .collect::<Result<_, _>>()?;
    let vals: Vec<Vec<Value>> = (0..f.len())
        .map(|r| cols.iter().map(|c| f.cell(r, *c)).collect())
        .collect();
    let mut order: Vec<usize> = (0..f.len()).collect();
    // Stable, so equal keys keep the natural (time-ascending) order.
    order.sort_by(|a, b| {
        for (i, k) in keys.iter().enumerate() {
            let (x, y) = (&vals[*a][i], &vals[*b][i]);
            let o = match (x == &Value::Null, y == &Value::Null) {
                (true, true) => Ordering::Equal,
                (true, false) => {
                    if k.nulls_first {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    }
                }
                (false, true) => {
                    if k.nulls_first {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    }
                }
                _ => {
                    let o = order_values(x, y).unwrap_or(Ordering::Equal);
                    if k.desc {
                        o.reverse()
                    } else {
                        o
                    }
                }
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
    f.select(order);
    Ok(f)
}

enum BTerm {
    Col(usize),
    Val(Value),
}

enum Bound {
    Or(Box<Bound>, Box<Bound>),
    And(Box<Bound>, Box<Bound>),
    Not(Box<Bound>),
    Cmp(BTerm, CmpOp, BTerm),
    In(BTerm, Vec<Value>, bool, bool),
    Between(BTerm, Value, Value, bool),
    Bare(BTerm),
}

#[derive(PartialEq, Clone, Copy)]
enum Class {
    Str,
    Num,
    Bool,
    Date,
    Dyn,
    Null,
}

fn class_of_type(t: ColType) -> Class {
    match t {
        ColType::String | ColType::Guid => Class::Str,
        ColType::Int32 | ColType::Int64 | ColType::Double => Class::Num,
        ColType::Boolean => Class::Bool,
        ColType::DateTime => Class::Date,
        ColType::Dynamic => Class::Dyn,
    }
}

fn class_of_value(v: &Value) -> Class {
    match v {
        Value::Null => Class::Null,
        Value::Str(_) => Class::Str,
        Value::Int(_) | Value::Real(_) => Class::Num,
        Value::Bool(_) | Value::SByte(_) => Class::Bool,
        Value::Date(_) => Class::Date,
        Value::Dyn(_) => Class::Dyn,
    }
}

fn class_name(c: Class) -> &'static str {
    match c {
        Class::Str => "string",
        Class::Num => "long",
        Class::Bool => "bool",
        Class::Date => "datetime",
        Class::Dyn => "dynamic",
        Class::Null => "null",
    }
}

/// KQL's `bin_at(value, span, anchor)`: the value rounded down to the
/// nearest `anchor + k * span`. Times bin on ticks (a datetime anchor, or
/// the epoch for `bin`); numbers on their value; anything else stays.
fn binned(value: Value, bin: Option<&(Value, Value)>) -> Value {
    let Some((span, anchor)) = bin else {
        return value;
    };
    let span = match span {
        Value::Int(n) => *n,
        _ => return value,
    };
    if span <= 0 {
        return value;
    }
    let anchor = match anchor {
        Value::Date(t) | Value::Int(t) => *t,
        _ => 0,
    };
    match value {
        Value::Date(t) => Value::Date(anchor + (t - anchor).div_euclid(span) * span),
        Value::Int(n) => Value::Int(anchor + (n - anchor).div_euclid(span) * span),
        other => other,
    }
}

fn lit_value(l: &Lit, now: i64) -> Value {
    match l {
        Lit::Str(s) => Value::Str(s.clone()),
        Lit::Int(i) => Value::Int(*i),
        Lit::Real(f) => Value::Real(*f),
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Null => Value::Null,
        Lit::Date(t) => Value::Date(*t),
        Lit::Ago(s) => Value::Date(now - s),
        Lit::Now => Value::Date(now),
        Lit::Span(s) => Value::Int(*s),
    }
}

fn bind(f: &Frame, e: &Expr, now: i64) -> Result<Bound, QueryError> {
    let term = |t: &Term| -> Result<(BTerm, Class), QueryError> {
        Ok(match t {
            Term::Col(n) => {
                let c = f.col("where", n)?;
                (BTerm::Col(c), class_of_type(f.cols[c].ty))
            }
            Term::Lit(l) => {
                let v = lit_value(l, now);
                let cl = class_of_value(&v);
                (BTerm::Val(v), cl)
            }
        })
    };
    let compatible = |a: Class, b: Class| {
        a == b
            || a == Class::Dyn
            || b == Class::Dyn
            || a == Class::Null
            || b == Class::Null
            || matches!(
                (a, b),
                (Class::Bool, Class::Num) | (Class::Num, Class::Bool)
            )
    };
    let mismatch = |a: Class, b: Class| {
        QueryError::semantic(format!(
            "Cannot compare values of types {} and {}. Try adding explicit casts",
            class_name(a),
            class_name(b)
        ))
    };
    Ok(match e {
        Expr::Or(a, b) => Bound::Or(Box::new(bind(f, a, now)?), Box::new(bind(f, b, now)?)),
        Expr::And(a, b) => Bound::And(Box::new(bind(f, a, now)?), Box::new(bind(f, b, now)?)),
        Expr::Not(a) => Bound::Not(Box::new(bind(f, a, now)?)),
        Expr::Cmp(a, op, b) => {
            let (ta, ca) = term(a)?;
            let (tb, cb) = term(b)?;
            if !matches!(op, CmpOp::Str(..)) && !compatible(ca, cb) {
                return Err(mismatch(ca, cb));
            }
            Bound::Cmp(ta, *op, tb)
        }
        Expr::In {
            term: t,
            list,
            negated,
            case_insensitive,
        } => {
            let (bt, _) = term(t)?;
            Bound::In(
                bt,
                list.iter().map(|l| lit_value(l, now)).collect(),
                *negated,
                *case_insensitive,
            )
        }
        Expr::Between {
            term: t,
            lo,
            hi,
            negated,
        } => {
            let (bt, c) = term(t)?;
            let lo = lit_value(lo, now);
            let mut hi = lit_value(hi, now);
            // `between (datetime .. timespan)` means an offset from the start.
            if let (Value::Date(l), Lit::Span(s)) = (&lo, hi_lit(e)) {
                hi = Value::Date(l + s);
            }
            for v in [&lo, &hi] {
                if !compatible(c, class_of_value(v)) {
                    return Err(mismatch(c, class_of_value(v)));
                }
            }
            Bound::Between(bt, lo, hi, *negated)
        }
        Expr::Bare(t) => {
            let (bt, c) = term(t)?;
            if c != Class::Bool {
                return Err(QueryError::semantic(format!(
                    "'where' operator: the predicate must be of type bool, found {}",
                    class_name(c)
                )));
            }
            Bound::Bare(bt)
        }
    })
}

fn hi_lit(e: &Expr) -> &Lit {
    match e {
        Expr::Between { hi, .. } => hi,
        _ => &Lit::Null,
    }
}

fn value_of(f: &Frame, t: &BTerm, r: usize) -> Value {
    match t {
        BTerm::Col(c) => f.cell(r, *c),
        BTerm::Val(v) => v.clone(),
    }
}

fn eval(f: &Frame, b: &Bound, r: usize) -> bool {
    match b {
        Bound::Or(a, c) => eval(f, a, r) || eval(f, c, r),
        Bound::And(a, c) => eval(f, a, r) && eval(f, c, r),
        Bound::Not(a) => !eval(f, a, r),
        Bound::Cmp(a, op, c) => compare(&value_of(f, a, r), *op, &value_of(f, c, r)),
        Bound::In(t, list, neg, ci) => {
            let v = value_of(f, t, r);
            if v == Value::Null {
                return *neg;
            }
            let op = if *ci { CmpOp::EqCi } else { CmpOp::Eq };
            list.iter().any(|x| compare(&v, op, x)) != *neg
        }
        Bound::Between(t, lo, hi, neg) => {
            let v = value_of(f, t, r);
            if v == Value::Null {
                return false;
            }
            let inside =
                matches!(
                    order_values(&v, lo),
                    Some(Ordering::Greater | Ordering::Equal)
                ) && matches!(order_values(&v, hi), Some(Ordering::Less | Ordering::Equal));
            inside != *neg
        }
        Bound::Bare(t) => matches!(value_of(f, t, r), Value::Bool(true) | Value::SByte(true)),
    }
}

/// Ordering across the comparable kinds; None where Kusto yields null.
pub fn order_values(a: &Value, b: &Value) -> Option<Ordering> {
    use Value::*;
    let num = |v: &Value| -> Option<f64> {
        match v {
            Int(i) => Some(*i as f64),
            Real(f) => Some(*f),
            Bool(x) | SByte(x) => Some(*x as i64 as f64),
            _ => None,
        }
    };
    match (a, b) {
        (Null, _) | (_, Null) => None,
        (Str(x), Str(y)) => Some(x.cmp(y)),
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (Date(x), Date(y)) => Some(x.cmp(y)),
        (Bool(x) | SByte(x), Bool(y) | SByte(y)) => Some(x.cmp(y)),
        (Dyn(_), _) | (_, Dyn(_)) => Some(a.csv_field().cmp(&b.csv_field())),
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y),
            _ => None,
        },
    }
}

fn compare(a: &Value, op: CmpOp, b: &Value) -> bool {
    if let CmpOp::Str(kind, neg, cs) = op {
        let (Some(h), Some(n)) = (a.as_text(), b.as_text()) else {
            return neg;
        };
        let (h, n) = if cs {
            (h, n)
        } else {
            (h.to_lowercase(), n.to_lowercase())
        };
        let hit = match kind {
            StrOp::Contains => h.contains(&n),
            StrOp::StartsWith => h.starts_with(&n),
            StrOp::EndsWith => h.ends_with(&n),
            StrOp::Has => has_term(&h, &n),
        };
        return hit != neg;
    }
    if *a == Value::Null || *b == Value::Null {
        return matches!(op, CmpOp::Ne | CmpOp::NeCi) && a != b;
    }
    match op {
        CmpOp::EqCi | CmpOp::NeCi => {
            let eq = match (a, b) {
                (Value::Str(x), Value::Str(y)) => x.to_lowercase() == y.to_lowercase(),
                _ => order_values(a, b) == Some(Ordering::Equal),
            };
            eq == (op == CmpOp::EqCi)
        }
        _ => {
            let o = order_values(a, b);
            match op {
                CmpOp::Eq => o == Some(Ordering::Equal),
                CmpOp::Ne => o != Some(Ordering::Equal),
                CmpOp::Lt => o == Some(Ordering::Less),
                CmpOp::Le => matches!(o, Some(Ordering::Less | Ordering::Equal)),
                CmpOp::Gt => o == Some(Ordering::Greater),
                CmpOp::Ge => matches!(o, Some(Ordering::Greater | Ordering::Equal)),
                _ => false,
            }
        }
    }
}

/// Kusto's `has`: the needle must match whole terms (runs of letters and
/// digits) at both of its ends.
fn has_term(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    let starts_alnum = needle.chars().next().is_some_and(char::is_alphanumeric);
    let ends_alnum = needle.chars().last().is_some_and(char::is_alphanumeric);
    let mut from = 0;
    while let Some(pos) = hay[from..].find(needle) {
        let i = from + pos;
        let j = i + needle.len();
        let before_ok =
            !starts_alnum || !hay[..i].chars().last().is_some_and(char::is_alphanumeric);
        let after_ok = !ends_alnum || !hay[j..].chars().next().is_some_and(char::is_alphanumeric);
        if before_ok && after_ok {
            return true;
        }
        from = i + needle.chars().next().map_or(1, char::len_utf8);
    }
    false
}

#[cfg(test)]
mod tests;
