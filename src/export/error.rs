//! Why an export stopped.

use std::io;

use thiserror::Error;

use crate::result::ResultError;

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("cannot write the export: {0}")]
    Io(#[from] io::Error),
    #[error("cannot write csv: {0}")]
    Csv(#[from] csv::Error),
    /// A result appended to a CSV file has columns the file's header lacks.
    #[error("result has columns that the file's header lacks: {} (header: {})", new_columns.join(", "), header.join(", "))]
    ColumnMismatch {
        new_columns: Vec<String>,
        header: Vec<String>,
    },
    #[error("cannot read the result: {0}")]
    Result(#[from] ResultError),
    #[error("cannot write xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The rows do not fit the format (Excel stops at 1,048,575 data rows).
    #[error("{format} holds at most {limit} rows; export this result as csv or ndjson instead")]
    TooManyRows { format: &'static str, limit: u64 },
    #[error("xlsx holds at most {limit} columns, the result has {columns}")]
    TooManyColumns { columns: usize, limit: usize },
    /// The format is written by a separate module, not by the core.
    #[error("{format} is written by its own module (huntkit-parquet), not by the core")]
    NotInCore { format: &'static str },
}
