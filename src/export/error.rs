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
}
