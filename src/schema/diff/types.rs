//! The result of a schema diff. Field names serialize in camelCase because
//! the extension's pages read this JSON directly.

use serde::{Deserialize, Serialize};

use crate::schema::model::Retention;

/// What the diff looks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DiffOptions {
    /// Report columns whose position changed. Off by default: the portal
    /// reorders columns between releases and queries do not depend on it.
    pub include_order: bool,
    /// Smallest share of columns (by lower-cased name, Jaccard index) that a
    /// removed and an added table must have in common to be reported as a
    /// rename when no rename is documented. Above 1.0 turns the guess off.
    pub table_rename_similarity: f64,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            include_order: false,
            table_rename_similarity: 0.8,
        }
    }
}

/// Everything that changed between two schemas, in a deterministic order:
/// tables by name (ordinal), columns in schema order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaDiff {
    pub counts: DiffCounts,
    pub tables_added: Vec<TableSummary>,
    pub tables_removed: Vec<TableSummary>,
    pub tables_renamed: Vec<TableRename>,
    /// Tables present on both sides (or renamed) whose content changed.
    pub tables_changed: Vec<TableDiff>,
}

/// How many changes of each kind the diff holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffCounts {
    pub tables_added: usize,
    pub tables_removed: usize,
    pub tables_renamed: usize,
    pub tables_changed: usize,
    pub columns_added: usize,
    pub columns_removed: usize,
    pub columns_renamed: usize,
    pub columns_retyped: usize,
    pub description_changes: usize,
    /// Description changes that differ only in case, spacing or a final
    /// period; included in `description_changes`.
    pub minor_description_changes: usize,
    /// Section, table type, retention and HasData changes.
    pub property_changes: usize,
    /// Tables whose column order changed (only with
    /// [`DiffOptions::include_order`]).
    pub order_changes: usize,
}

/// A table that exists on one side only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableSummary {
    pub name: String,
    pub section: Option<String>,
    pub column_count: usize,
    /// For an added table: the table it is documented to replace, when that
    /// one still exists beside it. For a removed table: its documented
    /// successor, when that one already existed before.
    pub documented_counterpart: Option<String>,
}

/// Why two differently named things are taken to be the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RenameReason {
    /// Microsoft documented the rename.
    Documented,
    /// The names differ only in letter case and neither side holds another
    /// name that differs from them only in case.
    CaseOnly,
    /// Not documented, but the tables share most of their columns.
    SimilarColumns,
}

/// A table that changed its name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableRename {
    pub from: String,
    pub to: String,
    pub reason: RenameReason,
    /// Jaccard index of the two tables' lower-cased column names.
    pub similarity: f64,
}

/// A value that differs between the two sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change<T> {
    pub old: T,
    pub new: T,
}

/// The changes inside one table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableDiff {
    /// The table's name in the new schema.
    pub table: String,
    /// The table's name in the old schema, when it was renamed.
    pub renamed_from: Option<String>,
    pub section: Option<Change<Option<String>>>,
    pub table_type: Option<Change<Option<String>>>,
    pub has_data: Option<Change<Option<bool>>>,
    pub retention: Option<Change<Option<Retention>>>,
    pub columns_added: Vec<ColumnSummary>,
    pub columns_removed: Vec<ColumnSummary>,
    pub columns_renamed: Vec<ColumnRename>,
    pub columns_retyped: Vec<ColumnRetype>,
    /// Kept apart from the other changes so a page can collapse them: most
    /// are rewordings of the documentation.
    pub descriptions_changed: Vec<DescriptionChange>,
    /// Columns (new names, in new order) that moved relative to the others;
    /// filled only with [`DiffOptions::include_order`].
    pub columns_moved: Vec<String>,
}

/// A column that exists on one side only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnSummary {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: Option<String>,
}

/// A column that changed its name (and maybe its type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnRename {
    pub from: String,
    pub to: String,
    pub reason: RenameReason,
    /// True when the names differ only in letter case.
    pub case_only: bool,
    /// Set when the type changed along with the name.
    pub type_change: Option<Change<Option<String>>>,
}

/// A column whose type changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnRetype {
    pub name: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A column whose description changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescriptionChange {
    /// The column's name in the new schema.
    pub column: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// True when the texts differ only in case, spacing or a final period.
    pub minor: bool,
}

impl TableDiff {
    /// True when nothing in the table changed.
    pub fn is_empty(&self) -> bool {
        self.renamed_from.is_none()
            && self.property_change_count() == 0
            && self.columns_added.is_empty()
            && self.columns_removed.is_empty()
            && self.columns_renamed.is_empty()
            && self.columns_retyped.is_empty()
            && self.descriptions_changed.is_empty()
            && self.columns_moved.is_empty()
    }

    /// How many of section, table type, retention and HasData changed.
    pub fn property_change_count(&self) -> usize {
        usize::from(self.section.is_some())
            + usize::from(self.table_type.is_some())
            + usize::from(self.has_data.is_some())
            + usize::from(self.retention.is_some())
    }
}

impl SchemaDiff {
    /// True when the two schemas are the same as far as the diff looks.
    pub fn is_empty(&self) -> bool {
        self.tables_added.is_empty()
            && self.tables_removed.is_empty()
            && self.tables_renamed.is_empty()
            && self.tables_changed.is_empty()
    }

    /// Serialized for the extension's pages.
    pub fn to_json(&self) -> String {
        // Only strings, numbers and booleans: serialization cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Recomputes [`SchemaDiff::counts`] from the lists.
    pub(crate) fn recount(&mut self) {
        let t = &self.tables_changed;
        let sum = |f: &dyn Fn(&TableDiff) -> usize| t.iter().map(f).sum::<usize>();
        self.counts = DiffCounts {
            tables_added: self.tables_added.len(),
            tables_removed: self.tables_removed.len(),
            tables_renamed: self.tables_renamed.len(),
            tables_changed: t.len(),
            columns_added: sum(&|d| d.columns_added.len()),
            columns_removed: sum(&|d| d.columns_removed.len()),
            columns_renamed: sum(&|d| d.columns_renamed.len()),
            columns_retyped: sum(&|d| d.columns_retyped.len()),
            description_changes: sum(&|d| d.descriptions_changed.len()),
            minor_description_changes: sum(&|d| {
                d.descriptions_changed.iter().filter(|c| c.minor).count()
            }),
            property_changes: sum(&|d| d.property_change_count()),
            order_changes: sum(&|d| usize::from(!d.columns_moved.is_empty())),
        };
    }
}
