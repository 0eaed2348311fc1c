//! Diff of the columns of one table that exists on both sides.
//!
//! Columns are matched by exact name first. What is left is matched as a
//! rename only when that is safe: a documented rename, or a case-only
//! rename where the lower-cased name occurs exactly once in the old table
//! and once in the new one. The second condition is what keeps `LogonId`
//! and `LogonID`, which the portal really has side by side, from being
//! paired with each other.

use std::collections::HashMap;

use super::order::moved_columns;
use super::types::{
    Change, ColumnRename, ColumnRetype, ColumnSummary, DescriptionChange, DiffOptions,
    RenameReason, TableDiff,
};
use crate::schema::model::{canonical_type, Column, Table};
use crate::schema::renames::documented;

/// Compares two versions of a table (possibly under different names).
pub(super) fn diff_table(old: &Table, new: &Table, opts: &DiffOptions) -> TableDiff {
    let mut out = TableDiff {
        table: new.name.clone(),
        renamed_from: (old.name != new.name).then(|| old.name.clone()),
        ..TableDiff::default()
    };
    diff_properties(old, new, &mut out);

    let new_index = index_by_name(&new.columns);
    let old_index = index_by_name(&old.columns);
    // matched[i] = index in `new` of the column that old column i became.
    let mut matched: Vec<Option<usize>> = old
        .columns
        .iter()
        .map(|c| new_index.get(c.name.as_str()).copied())
        .collect();
    let mut taken = vec![false; new.columns.len()];
    for j in matched.iter().flatten() {
        taken[*j] = true;
    }

    let mut renames: Vec<(usize, usize, RenameReason)> = Vec::new();
    // Most tables only gain columns; renames need a column on each side.
    if matched.iter().any(Option::is_none) && taken.iter().any(|t| !t) {
        match_documented(
            old,
            new,
            &old_index,
            &new_index,
            &mut matched,
            &taken,
            &mut renames,
        );
        match_case_only(old, new, &mut matched, &taken, &mut renames);
    }
    for (_, j, _) in &renames {
        taken[*j] = true;
    }

    for (i, col) in old.columns.iter().enumerate() {
        let Some(j) = matched[i] else {
            out.columns_removed.push(summary(col));
            continue;
        };
        let new_col = &new.columns[j];
        let retyped = type_changed(col, new_col);
        if let Some(&(_, _, reason)) = renames.iter().find(|(oi, _, _)| *oi == i) {
            out.columns_renamed.push(ColumnRename {
                from: col.name.clone(),
                to: new_col.name.clone(),
                reason,
                case_only: col.name.eq_ignore_ascii_case(&new_col.name),
                type_change: retyped.then(|| Change {
                    old: col.type_name.clone(),
                    new: new_col.type_name.clone(),
                }),
            });
        } else if retyped {
            out.columns_retyped.push(ColumnRetype {
                name: new_col.name.clone(),
                from: col.type_name.clone(),
                to: new_col.type_name.clone(),
            });
        }
        if let Some(change) = description_change(col, new_col) {
            out.descriptions_changed.push(change);
        }
    }
    out.columns_added = new
        .columns
        .iter()
        .zip(&taken)
        .filter(|(_, t)| !**t)
        .map(|(c, _)| summary(c))
        .collect();
    // Renames are listed in the new table's order, like the other lists
    // that name new columns.
    out.columns_renamed
        .sort_by_key(|r| new_index.get(r.to.as_str()).copied());
    out.descriptions_changed
        .sort_by_key(|d| new_index.get(d.column.as_str()).copied());
    if opts.include_order {
        out.columns_moved = moved_columns(&matched, &new.columns);
    }
    out
}

fn diff_properties(old: &Table, new: &Table, out: &mut TableDiff) {
    fn change<T: Clone + PartialEq>(a: &T, b: &T) -> Option<Change<T>> {
        (a != b).then(|| Change {
            old: a.clone(),
            new: b.clone(),
        })
    }
    out.section = change(&old.section, &new.section);
    out.table_type = change(&old.table_type, &new.table_type);
    out.has_data = change(&old.has_data, &new.has_data);
    out.retention = change(&old.retention, &new.retention);
}

/// Column name → position; the first of duplicate names wins, as it is the
/// one a query would see.
fn index_by_name(columns: &[Column]) -> HashMap<&str, usize> {
    let mut map = HashMap::with_capacity(columns.len());
    for (i, c) in columns.iter().enumerate() {
        map.entry(c.name.as_str()).or_insert(i);
    }
    map
}

fn match_documented(
    old: &Table,
    new: &Table,
    old_index: &HashMap<&str, usize>,
    new_index: &HashMap<&str, usize>,
    matched: &mut [Option<usize>],
    taken: &[bool],
    renames: &mut Vec<(usize, usize, RenameReason)>,
) {
    for fact in documented().columns_for(&old.name, &new.name) {
        let (Some(&i), Some(&j)) = (
            old_index.get(fact.old.as_str()),
            new_index.get(fact.new.as_str()),
        ) else {
            continue;
        };
        // Merges map several old columns onto one new column, so the new
        // side may already be claimed by a documented rename; it must not
        // be an existing column of the old table.
        if matched[i].is_none() && !taken[j] {
            matched[i] = Some(j);
            renames.push((i, j, RenameReason::Documented));
        }
    }
}

fn match_case_only(
    old: &Table,
    new: &Table,
    matched: &mut [Option<usize>],
    taken: &[bool],
    renames: &mut Vec<(usize, usize, RenameReason)>,
) {
    let claimed: Vec<usize> = renames.iter().map(|r| r.1).collect();
    let new_by_lower = lower_index(&new.columns);
    let old_by_lower = lower_index(&old.columns);
    for (i, col) in old.columns.iter().enumerate() {
        if matched[i].is_some() {
            continue;
        }
        let key = col.name.to_lowercase();
        let unique_old = old_by_lower.get(&key).is_some_and(|v| v.len() == 1);
        let Some(&[j]) = new_by_lower.get(&key).map(Vec::as_slice) else {
            continue;
        };
        if unique_old && !taken[j] && !claimed.contains(&j) {
            matched[i] = Some(j);
            renames.push((i, j, RenameReason::CaseOnly));
        }
    }
}

fn lower_index(columns: &[Column]) -> HashMap<String, Vec<usize>> {
    let mut map: HashMap<String, Vec<usize>> = HashMap::with_capacity(columns.len());
    for (i, c) in columns.iter().enumerate() {
        map.entry(c.name.to_lowercase()).or_default().push(i);
    }
    map
}

fn summary(c: &Column) -> ColumnSummary {
    ColumnSummary {
        name: c.name.clone(),
        type_name: c.type_name.clone(),
    }
}

fn type_changed(old: &Column, new: &Column) -> bool {
    match (&old.type_name, &new.type_name) {
        (Some(a), Some(b)) => canonical_type(a) != canonical_type(b),
        (a, b) => a.is_some() != b.is_some(),
    }
}

fn description_change(old: &Column, new: &Column) -> Option<DescriptionChange> {
    let a = old.description.as_deref().unwrap_or("");
    let b = new.description.as_deref().unwrap_or("");
    // A missing description and an empty one read the same on the page.
    (a != b).then(|| DescriptionChange {
        column: new.name.clone(),
        old: old.description.clone(),
        new: new.description.clone(),
        minor: normalized(a) == normalized(b),
    })
}

/// Text with case, runs of white space and a final period folded away.
fn normalized(s: &str) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    let joined = words.join(" ").to_lowercase();
    joined.trim_end_matches('.').to_string()
}
