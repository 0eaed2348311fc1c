//! Exports: streaming transcoders from result bodies to CSV, TSV, JSON,
//! NDJSON and XLSX, written to any `std::io::Write`, and clipboard texts
//! (Markdown, KQL `datatable`). Parquet lives in its own crate
//! (`crates/huntkit-parquet`) so its weight loads only when it is used;
//! it shares [`typing`] with the other typed formats.
//!
//! Design: an export never builds the output in memory; it walks the rows
//! of a [`QueryResult`](crate::result::QueryResult) (which borrow from the
//! response body) and writes each value as it goes, through a buffer of a
//! fixed size. Several results can go into one file (a bulk job writes all
//! its units into one export), so every format is a writer object with
//! `new`, `write_result` and `finish`; [`Exporter`] picks one by
//! [`ExportFormat`]. XLSX is the exception to "never in memory": the sheet
//! is held until the zip is built (see [`XlsxExport`]).

mod clipboard;
mod csv_export;
mod datatable;
mod error;
mod format;
mod header;
mod json_export;
pub mod typing;
mod xlsx_export;

use std::io::Write;

pub use clipboard::{
    cell_text, clipboard_text, markdown_table, ClipboardFormat, ClipboardText, CLIPBOARD_ROWS,
};
pub use csv_export::{CsvExport, CsvOptions};
pub use datatable::kql_datatable;
pub use error::ExportError;
pub use format::{export_file_name, query_name_from_text, ExportFormat};
pub use json_export::{write_json_rows, JsonExport, NdjsonExport};
pub use xlsx_export::XlsxExport;

use crate::result::{Column, QueryResult};

/// Writes one result in `format` to `out`, with the lossless CSV preset
/// ([`CsvOptions::machine`]); returns the number of rows.
pub fn write_export<W: Write>(
    result: &QueryResult,
    format: ExportFormat,
    out: W,
) -> Result<u64, ExportError> {
    write_export_with(result, format, CsvOptions::machine(), out)
}

/// Like [`write_export`], with the CSV options chosen by the caller (for
/// example [`CsvOptions::excel`] for files meant for a spreadsheet).
pub fn write_export_with<W: Write>(
    result: &QueryResult,
    format: ExportFormat,
    csv: CsvOptions,
    out: W,
) -> Result<u64, ExportError> {
    let mut export = Exporter::new(format, out, csv, result.columns())?;
    let rows = export.write_result(result)?;
    export.finish()?;
    Ok(rows)
}

/// An export of any format.
pub enum Exporter<W: Write> {
    /// Boxed: the csv writer carries its buffer state inline.
    Csv(Box<CsvExport<W>>),
    Json(JsonExport<W>),
    Ndjson(NdjsonExport<W>),
    Xlsx(Box<XlsxExport<W>>),
}

impl<W: Write> Exporter<W> {
    /// Starts an export. `csv` applies to CSV and TSV (TSV forces a tab
    /// delimiter); its `neutralize_formulas` applies to XLSX too. `columns`
    /// fixes the CSV and XLSX header (JSON formats take each result's own
    /// columns). Parquet is refused: its writer is in `huntkit-parquet`.
    pub fn new(
        format: ExportFormat,
        out: W,
        csv: CsvOptions,
        columns: &[Column],
    ) -> Result<Self, ExportError> {
        Ok(match format {
            ExportFormat::Csv => Exporter::Csv(Box::new(CsvExport::new(
                out,
                csv.with_delimiter(b','),
                columns,
            )?)),
            ExportFormat::Tsv => Exporter::Csv(Box::new(CsvExport::new(
                out,
                csv.with_delimiter(b'\t'),
                columns,
            )?)),
            ExportFormat::Json => Exporter::Json(JsonExport::new(out)?),
            ExportFormat::Ndjson => Exporter::Ndjson(NdjsonExport::new(out)?),
            ExportFormat::Xlsx => Exporter::Xlsx(Box::new(XlsxExport::new(
                out,
                csv.neutralize_formulas,
                columns,
            )?)),
            ExportFormat::Parquet => return Err(ExportError::NotInCore { format: "parquet" }),
        })
    }

    /// Appends every row of `result`; returns how many were written.
    pub fn write_result(&mut self, result: &QueryResult) -> Result<u64, ExportError> {
        match self {
            Exporter::Csv(e) => e.write_result(result),
            Exporter::Json(e) => e.write_result(result),
            Exporter::Ndjson(e) => e.write_result(result),
            Exporter::Xlsx(e) => e.write_result(result),
        }
    }

    /// XLSX cells cut to Excel's text limit (0 for other formats).
    pub fn truncated_cells(&self) -> u64 {
        match self {
            Exporter::Xlsx(e) => e.truncated_cells(),
            _ => 0,
        }
    }

    pub fn rows_written(&self) -> u64 {
        match self {
            Exporter::Csv(e) => e.rows_written(),
            Exporter::Json(e) => e.rows_written(),
            Exporter::Ndjson(e) => e.rows_written(),
            Exporter::Xlsx(e) => e.rows_written(),
        }
    }

    /// Ends the file, flushes and returns the underlying writer.
    pub fn finish(self) -> Result<W, ExportError> {
        match self {
            Exporter::Csv(e) => e.finish(),
            Exporter::Json(e) => e.finish(),
            Exporter::Ndjson(e) => e.finish(),
            Exporter::Xlsx(e) => e.finish(),
        }
    }
}
