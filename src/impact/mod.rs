//! Which saved queries a schema change breaks.
//!
//! Design: queries are tokenized and analysed once into a [`QueryIndex`]
//! (the analysis is the expensive part), and the diff is turned into two
//! hash maps: old table name → change, and old column name → the tables it
//! changed in. Checking a query is then one lookup per table and column
//! reference, so the whole run is linear in the size of the queries.
//!
//! A column change counts only where the query reads one of the changed
//! tables (directly, through a `let`, or through `union`/`find` patterns
//! such as `Device*`), and only for a name token spelled exactly like the
//! column, as KQL is case-sensitive. Names in strings, comments, aliases
//! and `let` bindings are never references (see [`crate::kql`]).

mod changes;
mod query_file;

use serde::{Deserialize, Serialize};

use crate::kql::analyze;
use crate::schema::SchemaDiff;
use changes::ChangeIndex;
pub use query_file::{parse_query_file, QueryFileError};

/// A query to check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryRef {
    pub id: String,
    pub name: String,
    pub text: String,
}

/// How a change affects a query.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ChangeKind {
    TableRemoved,
    TableRenamed { to: String },
    ColumnRemoved,
    ColumnRenamed { to: String },
    ColumnRetyped { from: String, to: String },
}

/// One place in one query that a change affects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImpactHit {
    pub query_id: String,
    pub query_name: String,
    /// 1-based line and column of the name in the query text.
    pub line: u32,
    pub column: u32,
    /// The table the change belongs to (its old name).
    pub table: String,
    /// The name as the query spells it.
    pub name: String,
    pub change: ChangeKind,
}

/// One query, analysed: what the impact check needs, without the tokens.
#[derive(Debug, Clone)]
struct PreparedQuery {
    id: String,
    name: String,
    /// (name, line, column, is a wildcard pattern)
    tables: Vec<(String, u32, u32, bool)>,
    /// (name, line, column)
    columns: Vec<(String, u32, u32)>,
}

/// Queries analysed once, to be checked against any number of diffs.
#[derive(Debug, Clone, Default)]
pub struct QueryIndex {
    queries: Vec<PreparedQuery>,
}

impl QueryIndex {
    /// Tokenizes and analyses every query.
    pub fn new(queries: &[QueryRef]) -> Self {
        let queries = queries
            .iter()
            .map(|q| {
                let a = analyze(&q.text);
                let src = q.text.as_str();
                PreparedQuery {
                    id: q.id.clone(),
                    name: q.name.clone(),
                    tables: a
                        .tables
                        .iter()
                        .map(|r| (r.name(src).to_string(), r.line, r.column, r.wildcard))
                        .collect(),
                    columns: a
                        .columns
                        .iter()
                        .map(|r| (r.name(src).to_string(), r.line, r.column))
                        .collect(),
                }
            })
            .collect();
        QueryIndex { queries }
    }

    /// Number of queries in the index.
    pub fn len(&self) -> usize {
        self.queries.len()
    }

    /// True when the index holds no query.
    pub fn is_empty(&self) -> bool {
        self.queries.is_empty()
    }

    /// Every place where `diff` affects a query: by query (in index order),
    /// then line, column, table, name and change.
    pub fn impact(&self, diff: &SchemaDiff) -> Vec<ImpactHit> {
        let changes = ChangeIndex::new(diff);
        let mut hits = Vec::new();
        for q in &self.queries {
            let start = hits.len();
            check_query(q, &changes, &mut hits);
            hits[start..].sort_by(|a: &ImpactHit, b| {
                (a.line, a.column, &a.table, &a.name, &a.change)
                    .cmp(&(b.line, b.column, &b.table, &b.name, &b.change))
            });
        }
        hits
    }
}

/// Checks `queries` against `diff`; see [`QueryIndex::impact`].
pub fn impact(diff: &SchemaDiff, queries: &[QueryRef]) -> Vec<ImpactHit> {
    QueryIndex::new(queries).impact(diff)
}

fn check_query(q: &PreparedQuery, changes: &ChangeIndex, hits: &mut Vec<ImpactHit>) {
    let hit = |line, column, table: &str, name: &str, change: &ChangeKind| ImpactHit {
        query_id: q.id.clone(),
        query_name: q.name.clone(),
        line,
        column,
        table: table.to_string(),
        name: name.to_string(),
        change: change.clone(),
    };
    for (name, line, column, wildcard) in &q.tables {
        // A pattern keeps working when one of the tables it matches goes.
        if *wildcard {
            continue;
        }
        if let Some(change) = changes.table(name) {
            hits.push(hit(*line, *column, name, name, change));
        }
    }
    if q.columns.is_empty() || !changes.has_columns() {
        return;
    }
    for (name, line, column) in &q.columns {
        for (table, change) in changes.columns(name) {
            let read = q.tables.iter().any(|(t, _, _, wildcard)| {
                if *wildcard {
                    glob_matches(t, table)
                } else {
                    t == table
                }
            });
            if read {
                hits.push(hit(*line, *column, table, name, change));
            }
        }
    }
}

/// `*` matches any run of characters; everything else matches itself.
fn glob_matches(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return false;
    };
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn glob() {
        assert!(glob_matches("Device*", "DeviceEvents"));
        assert!(glob_matches("Device*Events", "DeviceFileEvents"));
        assert!(!glob_matches("Device*Events", "DeviceInfo"));
        assert!(glob_matches("*", "X"));
        assert!(!glob_matches("Email", "EmailEvents"));
        assert!(glob_matches("Email", "Email"));
    }
}
