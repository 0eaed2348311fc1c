//! Why a Parquet export stopped.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ParquetExportError {
    #[error("cannot write parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error("cannot read the result: {0}")]
    Result(#[from] huntkit::result::ResultError),
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    /// A later result of a multi-result file has a value its column's type
    /// (fixed by the first result) cannot hold.
    #[error(
        "column {column:?} is {kind} in this file, but a later result has the value {value:?}"
    )]
    ValueDoesNotFit {
        column: String,
        kind: String,
        value: String,
    },
    #[error("result has columns that the file lacks: {new_columns} (file: {columns})")]
    ColumnMismatch {
        new_columns: String,
        columns: String,
    },
}
