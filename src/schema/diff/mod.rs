//! The schema diff: what changed between two schemas.
//!
//! Tables are matched by exact name first. Tables left over on both sides
//! are then paired as renames in order of trust: documented renames,
//! case-only renames (the lower-cased name unique on both sides), and
//! finally pairs whose columns are nearly the same, best pair first, above
//! [`DiffOptions::table_rename_similarity`]. Matched tables are compared
//! column by column in `columns.rs`. Everything is compared per table:
//! `Isp` in one table and `ISP` in another are never related.

mod columns;
mod order;
mod types;

pub use types::*;

use std::collections::{BTreeMap, HashSet};

use super::model::{Schema, Table};
use super::renames::documented;

/// Compares `old` with `new`.
pub fn diff(old: &Schema, new: &Schema, opts: &DiffOptions) -> SchemaDiff {
    let old_tables = by_name(old);
    let new_tables = by_name(new);
    let mut removed: Vec<&str> = old_tables
        .keys()
        .copied()
        .filter(|n| !new_tables.contains_key(n))
        .collect();
    let mut added: Vec<&str> = new_tables
        .keys()
        .copied()
        .filter(|n| !old_tables.contains_key(n))
        .collect();

    let mut renames = Vec::new();
    match_documented(&mut removed, &mut added, &mut renames);
    match_case_only(
        &mut removed,
        &mut added,
        &old_tables,
        &new_tables,
        &mut renames,
    );
    match_similar(
        &mut removed,
        &mut added,
        &old_tables,
        &new_tables,
        opts,
        &mut renames,
    );
    for r in &mut renames {
        r.similarity = jaccard(old_tables[r.from.as_str()], new_tables[r.to.as_str()]);
    }
    renames.sort_by(|a: &TableRename, b| a.from.cmp(&b.from));

    let mut pairs: Vec<(&Table, &Table)> = old_tables
        .iter()
        .filter_map(|(name, t)| new_tables.get(name).map(|n| (*t, *n)))
        .collect();
    for r in &renames {
        if let (Some(o), Some(n)) = (
            old_tables.get(r.from.as_str()),
            new_tables.get(r.to.as_str()),
        ) {
            pairs.push((o, n));
        }
    }
    let mut changed: Vec<TableDiff> = pairs
        .into_iter()
        .map(|(o, n)| columns::diff_table(o, n, opts))
        .filter(|d| !d.is_empty())
        .collect();
    changed.sort_by(|a, b| a.table.cmp(&b.table));

    let docs = documented();
    let mut out = SchemaDiff {
        tables_added: added
            .iter()
            .map(|n| {
                let counterpart = docs
                    .table_predecessor(n)
                    .filter(|p| new_tables.contains_key(p));
                summary(new_tables[n], counterpart)
            })
            .collect(),
        tables_removed: removed
            .iter()
            .map(|n| {
                let counterpart = docs
                    .table_successor(n)
                    .filter(|s| old_tables.contains_key(s));
                summary(old_tables[n], counterpart)
            })
            .collect(),
        tables_renamed: renames,
        tables_changed: changed,
        counts: DiffCounts::default(),
    };
    out.recount();
    out
}

/// Tables by name, ordered; the first of duplicate names wins.
fn by_name(schema: &Schema) -> BTreeMap<&str, &Table> {
    let mut map = BTreeMap::new();
    for t in &schema.tables {
        map.entry(t.name.as_str()).or_insert(t);
    }
    map
}

fn summary(t: &Table, counterpart: Option<&str>) -> TableSummary {
    TableSummary {
        name: t.name.clone(),
        section: t.section.clone(),
        column_count: t.columns.len(),
        documented_counterpart: counterpart.map(str::to_string),
    }
}

fn take_pair(removed: &mut Vec<&str>, added: &mut Vec<&str>, from: &str, to: &str) {
    removed.retain(|n| *n != from);
    added.retain(|n| *n != to);
}

fn match_documented(removed: &mut Vec<&str>, added: &mut Vec<&str>, out: &mut Vec<TableRename>) {
    for fact in &documented().tables {
        if removed.contains(&fact.old.as_str()) && added.contains(&fact.new.as_str()) {
            take_pair(removed, added, &fact.old, &fact.new);
            out.push(rename(&fact.old, &fact.new, RenameReason::Documented));
        }
    }
}

fn match_case_only(
    removed: &mut Vec<&str>,
    added: &mut Vec<&str>,
    old: &BTreeMap<&str, &Table>,
    new: &BTreeMap<&str, &Table>,
    out: &mut Vec<TableRename>,
) {
    let count = |names: &mut dyn Iterator<Item = &&str>, key: &str| {
        names.filter(|n| n.to_lowercase() == key).count()
    };
    for from in removed.clone() {
        let key = from.to_lowercase();
        let candidates: Vec<&str> = added
            .iter()
            .copied()
            .filter(|n| n.to_lowercase() == key)
            .collect();
        if let [to] = candidates[..] {
            if count(&mut old.keys(), &key) == 1 && count(&mut new.keys(), &key) == 1 {
                take_pair(removed, added, from, to);
                out.push(rename(from, to, RenameReason::CaseOnly));
            }
        }
    }
}

/// Fewest columns a table needs before its columns can identify it.
const MIN_COLUMNS_FOR_GUESS: usize = 3;

fn match_similar(
    removed: &mut Vec<&str>,
    added: &mut Vec<&str>,
    old: &BTreeMap<&str, &Table>,
    new: &BTreeMap<&str, &Table>,
    opts: &DiffOptions,
    out: &mut Vec<TableRename>,
) {
    if opts.table_rename_similarity > 1.0 || removed.is_empty() || added.is_empty() {
        return;
    }
    let mut scored: Vec<(f64, &str, &str)> = Vec::new();
    for from in removed.iter() {
        for to in added.iter() {
            let score = jaccard(old[from], new[to]);
            if score >= opts.table_rename_similarity {
                scored.push((score, *from, *to));
            }
        }
    }
    // Best pair first; ties broken by name so the result does not depend
    // on hash order.
    scored.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(y.1)).then(x.2.cmp(y.2)));
    for (_, from, to) in scored {
        if removed.contains(&from) && added.contains(&to) {
            take_pair(removed, added, from, to);
            out.push(rename(from, to, RenameReason::SimilarColumns));
        }
    }
}

/// Share of lower-cased column names two tables have in common; 0 when
/// either has too few columns to say anything.
fn jaccard(a: &Table, b: &Table) -> f64 {
    let set = |t: &Table| -> HashSet<String> {
        t.columns.iter().map(|c| c.name.to_lowercase()).collect()
    };
    let (a, b) = (set(a), set(b));
    if a.len() < MIN_COLUMNS_FOR_GUESS || b.len() < MIN_COLUMNS_FOR_GUESS {
        return 0.0;
    }
    let common = a.intersection(&b).count();
    common as f64 / (a.len() + b.len() - common) as f64
}

fn rename(from: &str, to: &str, reason: RenameReason) -> TableRename {
    TableRename {
        from: from.to_string(),
        to: to.to_string(),
        reason,
        similarity: 0.0,
    }
}
