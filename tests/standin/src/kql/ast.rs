//! Syntax tree of the KQL subset.

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub table: String,
    pub ops: Vec<Op>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Where(Expr),
    /// (output name, source column)
    Project(Vec<(String, String)>),
    Take(u64),
    Count,
    /// (output name of the count, group-by keys)
    SummarizeCount(String, Vec<ByKey>),
    Sort(Vec<SortKey>),
    Top(u64, SortKey),
    GetSchema,
}

/// One `by` key of a summarize: a column, optionally binned
/// (`bin(Col, span)`, `bin_at(Col, span, anchor)`), optionally renamed.
#[derive(Debug, Clone, PartialEq)]
pub struct ByKey {
    pub out: String,
    pub column: String,
    pub bin: Option<Bin>,
}

/// Rounds a value down to `anchor + k * span` (ticks for times, plain
/// numbers otherwise), as KQL's `bin_at` does; `bin` anchors at 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Bin {
    pub span: Lit,
    pub anchor: Option<Lit>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub column: String,
    pub desc: bool,
    pub nulls_first: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp(Term, CmpOp, Term),
    In {
        term: Term,
        list: Vec<Lit>,
        negated: bool,
        case_insensitive: bool,
    },
    Between {
        term: Term,
        lo: Lit,
        hi: Lit,
        negated: bool,
    },
    /// A boolean column or literal used as a predicate.
    Bare(Term),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    Col(String),
    Lit(Lit),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Int(i64),
    Real(f64),
    Bool(bool),
    Null,
    /// Absolute instant in ticks.
    Date(i64),
    /// `ago(span)`: resolved against the tenant's `now` at execution.
    Ago(i64),
    Now,
    Span(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    EqCi,
    NeCi,
    Lt,
    Le,
    Gt,
    Ge,
    /// String operators: (kind, negated, case_sensitive)
    Str(StrOp, bool, bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrOp {
    Has,
    Contains,
    StartsWith,
    EndsWith,
}
