//! The Advanced Hunting schema: its model, reading and writing the portal's
//! schema response, snapshots, and the diff between two schemas with its
//! Markdown rendering, and the catalog of stored snapshots.
//!
//! Design: the model mirrors the wire format (`model.rs`, `parse.rs`), so a
//! snapshot can be stored and re-imported as the portal sent it. The diff
//! (`diff/`) works per table and reports renames only where it can justify
//! them, since a wrong rename hides a removal that breaks queries. Its
//! output is plain data, serialized in camelCase for the extension's pages
//! and read by the impact analysis in [`crate::impact`].

mod catalog;
mod diff;
mod model;
mod parse;
mod renames;
mod render;
mod snapshot;

pub use catalog::{
    body_key, utc_day, Added, Catalog, DailyMarks, NewSnapshot, SchemaSettings, SnapshotMeta,
    CATALOG_KEY, DAILY_KEY, MAX_KEEP_COUNT, SETTINGS_KEY,
};
pub use diff::{
    diff, Change, ColumnRename, ColumnRetype, ColumnSummary, DescriptionChange, DiffCounts,
    DiffOptions, RenameReason, SchemaDiff, TableDiff, TableRename, TableSummary,
};
pub use model::{canonical_type, Column, Retention, Schema, Table};
pub use parse::{parse_schema, SchemaError};
pub use render::{to_markdown, DiffLabels};
pub use snapshot::{SchemaSnapshot, SnapshotSource};
