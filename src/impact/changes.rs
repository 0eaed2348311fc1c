//! The breaking part of a schema diff, indexed by the names an old query
//! would use. Added columns and description changes break nothing and are
//! left out.

use std::collections::HashMap;

use super::ChangeKind;
use crate::schema::SchemaDiff;

pub(super) struct ChangeIndex {
    tables: HashMap<String, ChangeKind>,
    /// Column name → (table, change). A renamed table's columns are filed
    /// under both its names, as a query may already use the new one.
    columns: HashMap<String, Vec<(String, ChangeKind)>>,
}

impl ChangeIndex {
    pub(super) fn new(diff: &SchemaDiff) -> Self {
        let mut tables = HashMap::new();
        for t in &diff.tables_removed {
            tables.insert(t.name.clone(), ChangeKind::TableRemoved);
        }
        for r in &diff.tables_renamed {
            tables.insert(
                r.from.clone(),
                ChangeKind::TableRenamed { to: r.to.clone() },
            );
        }
        let mut columns: HashMap<String, Vec<(String, ChangeKind)>> = HashMap::new();
        for t in &diff.tables_changed {
            let names: Vec<&String> = std::iter::once(&t.table).chain(&t.renamed_from).collect();
            let mut add = |column: &str, change: ChangeKind| {
                for table in &names {
                    columns
                        .entry(column.to_string())
                        .or_default()
                        .push(((*table).clone(), change.clone()));
                }
            };
            for c in &t.columns_removed {
                add(&c.name, ChangeKind::ColumnRemoved);
            }
            for r in &t.columns_renamed {
                add(&r.from, ChangeKind::ColumnRenamed { to: r.to.clone() });
            }
            for r in &t.columns_retyped {
                let from = r.from.clone().unwrap_or_default();
                let to = r.to.clone().unwrap_or_default();
                add(&r.name, ChangeKind::ColumnRetyped { from, to });
            }
        }
        ChangeIndex { tables, columns }
    }

    pub(super) fn table(&self, name: &str) -> Option<&ChangeKind> {
        self.tables.get(name)
    }

    pub(super) fn has_columns(&self) -> bool {
        !self.columns.is_empty()
    }

    pub(super) fn columns(&self, name: &str) -> impl Iterator<Item = &(String, ChangeKind)> {
        self.columns.get(name).into_iter().flatten()
    }
}
