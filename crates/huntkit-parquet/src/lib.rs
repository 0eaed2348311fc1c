//! Parquet exports of huntkit results, in a crate of their own so that the
//! parquet code (a large share of a wasm module) loads only when an analyst
//! picks Parquet: the engine frame imports this module's wasm on first use.
//!
//! Design: the low-level parquet writer, without arrow (arrow would double
//! the module for no gain here). Each column's physical type comes from
//! [`huntkit::export::typing::column_kinds`], so a typed column never
//! receives a value it cannot hold:
//!
//! | kind     | parquet                                            |
//! |----------|----------------------------------------------------|
//! | Long     | INT64                                              |
//! | Int      | INT32                                              |
//! | Real     | DOUBLE                                             |
//! | Bool     | BOOLEAN (`0`/`1` included)                         |
//! | DateTime | INT64, TIMESTAMP(NANOS, UTC): 7 digits are exact   |
//! | Dynamic  | BYTE_ARRAY, JSON: compact JSON text                |
//! | Guid, Text | BYTE_ARRAY, STRING                               |
//!
//! Every column is OPTIONAL, so null stays null and `""` stays `""`.
//! Rows go out in row groups of [`ROW_GROUP_ROWS`], each handed to the
//! caller's flush hook when written, so only one row group is buffered.

mod error;
mod schema;
mod writer;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::ParquetExportError;
pub use writer::{write_parquet, ParquetExport, ROW_GROUP_ROWS};
