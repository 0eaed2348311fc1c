//! CSV and TSV: a streaming transcoder from result bodies to RFC 4180
//! text, through the csv crate's writer (CRLF, quotes only where needed).
//!
//! Cells: null is an empty field, strings verbatim, numbers as their exact
//! JSON text, booleans `true`/`false`, `Dynamic` values as compact JSON.

use std::io::Write;

use csv::{QuoteStyle, Terminator, WriterBuilder};

use super::error::ExportError;
use super::header::{is_identity, map_columns};
use crate::result::json_text::{has_insignificant_whitespace, minify_into};
use crate::result::{Cell, Column, QueryResult};

/// How a CSV file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvOptions {
    /// `b','` for CSV, `b'\t'` for TSV.
    pub delimiter: u8,
    /// Start with a UTF-8 byte order mark, so Excel reads UTF-8.
    pub bom: bool,
    /// Prefix `'` to text that a spreadsheet would run as a formula.
    pub neutralize_formulas: bool,
    /// Write the column names first.
    pub header: bool,
}

impl CsvOptions {
    /// For programs: no BOM, no changes to any value.
    pub fn machine() -> Self {
        CsvOptions {
            delimiter: b',',
            bom: false,
            neutralize_formulas: false,
            header: true,
        }
    }

    /// For spreadsheets: a BOM, and formula-like text neutralized (OWASP
    /// CSV injection: https://owasp.org/www-community/attacks/CSV_Injection).
    pub fn excel() -> Self {
        CsvOptions {
            bom: true,
            neutralize_formulas: true,
            ..Self::machine()
        }
    }

    /// The same options with `delimiter` (`b'\t'` makes TSV).
    pub fn with_delimiter(self, delimiter: u8) -> Self {
        CsvOptions { delimiter, ..self }
    }
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self::machine()
    }
}

/// Size of the csv writer's buffer: big enough that writes to the
/// underlying writer are few, small next to a result.
const BUFFER: usize = 64 << 10;

const BOM: &[u8] = b"\xef\xbb\xbf";

/// One CSV file made of one or more results, written as they come.
///
/// The file's columns are fixed by [`CsvExport::new`]; each later result is
/// mapped onto them by exact name (a missing column is an empty field, an
/// additional one is [`ExportError::ColumnMismatch`]).
pub struct CsvExport<W: Write> {
    writer: csv::Writer<W>,
    options: CsvOptions,
    header: Vec<String>,
    /// Reused for cells that need rewriting (neutralized or minified).
    scratch: Vec<u8>,
    rows: u64,
}

impl<W: Write> CsvExport<W> {
    /// Starts the file: the BOM and the header, if the options ask for them.
    pub fn new(mut out: W, options: CsvOptions, columns: &[Column]) -> Result<Self, ExportError> {
        if options.bom {
            out.write_all(BOM)?;
        }
        let writer = WriterBuilder::new()
            .delimiter(options.delimiter)
            .terminator(Terminator::CRLF)
            .quote_style(QuoteStyle::Necessary)
            .has_headers(false)
            .buffer_capacity(BUFFER)
            .from_writer(out);
        let header = columns.iter().map(|c| c.name.clone()).collect();
        let mut export = CsvExport {
            writer,
            options,
            header,
            scratch: Vec::new(),
            rows: 0,
        };
        if options.header {
            for i in 0..export.header.len() {
                let name = &export.header[i];
                write_text(
                    &mut export.writer,
                    name,
                    options.neutralize_formulas,
                    &mut export.scratch,
                )?;
            }
            export.writer.write_record(None::<&[u8]>)?;
        }
        Ok(export)
    }

    /// Appends every row of `result`; returns how many were written.
    pub fn write_result(&mut self, result: &QueryResult) -> Result<u64, ExportError> {
        let map = map_columns(&self.header, result.columns())?;
        let identity = is_identity(&map, result.columns().len());
        let CsvExport {
            writer,
            options,
            scratch,
            ..
        } = self;
        let neutralize = options.neutralize_formulas;
        let mut rows = 0;
        result.for_each_row(|cells| {
            if identity {
                for cell in cells {
                    write_cell(writer, cell, neutralize, scratch)?;
                }
            } else {
                for slot in &map {
                    match slot.and_then(|i| cells.get(i)) {
                        Some(cell) => write_cell(writer, cell, neutralize, scratch)?,
                        None => writer.write_field(b"")?,
                    }
                }
            }
            writer.write_record(None::<&[u8]>)?;
            rows += 1;
            Ok::<(), ExportError>(())
        })?;
        self.rows += rows;
        Ok(rows)
    }

    /// Rows written so far, over all results.
    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(self) -> Result<W, ExportError> {
        self.writer
            .into_inner()
            .map_err(|err| ExportError::Io(err.into_error()))
    }
}

/// Writes one cell as a field.
fn write_cell<W: Write>(
    writer: &mut csv::Writer<W>,
    cell: &Cell<'_>,
    neutralize: bool,
    scratch: &mut Vec<u8>,
) -> Result<(), csv::Error> {
    match cell {
        Cell::Null => writer.write_field(b""),
        Cell::Bool(true) => writer.write_field(b"true"),
        Cell::Bool(false) => writer.write_field(b"false"),
        Cell::Number(text) => writer.write_field(text),
        Cell::Str(text) => write_text(writer, text, neutralize, scratch),
        Cell::Json(raw) => {
            let raw = raw.get();
            if has_insignificant_whitespace(raw) {
                scratch.clear();
                minify_into(raw, scratch);
                writer.write_field(&scratch)
            } else {
                writer.write_field(raw)
            }
        }
    }
}

/// Writes text, with a leading `'` when it would start a formula and
/// `neutralize` is on.
fn write_text<W: Write>(
    writer: &mut csv::Writer<W>,
    text: &str,
    neutralize: bool,
    scratch: &mut Vec<u8>,
) -> Result<(), csv::Error> {
    if neutralize && starts_formula(text) {
        scratch.clear();
        scratch.push(b'\'');
        scratch.extend_from_slice(text.as_bytes());
        writer.write_field(&scratch)
    } else {
        writer.write_field(text)
    }
}

/// Whether a spreadsheet would treat `text` as a formula.
pub(crate) fn starts_formula(text: &str) -> bool {
    matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export(body: &str, options: CsvOptions) -> String {
        let result = QueryResult::from_body(body.as_bytes().to_vec()).expect("result");
        let mut csv = CsvExport::new(Vec::new(), options, result.columns()).expect("new");
        csv.write_result(&result).expect("write");
        String::from_utf8(csv.finish().expect("finish")).expect("utf-8")
    }

    const BODY: &str = r#"{"Schema":[{"Name":"N","Type":"Int64"},{"Name":"S","Type":"String"},
        {"Name":"B","Type":"Boolean"},{"Name":"D","Type":"Dynamic"}],
        "Results":[{"N":-1,"S":"=1+1","B":true,"D":{ "a" : [1, "x y"] }},
                   {"N":9223372036854775807,"S":"a,\"b\"\r\nc","B":null,"D":null},
                   {"N":0,"S":"","B":false,"D":"{\"k\":1}"}]}"#;

    #[test]
    fn machine_csv_is_exact() {
        assert_eq!(
            export(BODY, CsvOptions::machine()),
            "N,S,B,D\r\n-1,=1+1,true,\"{\"\"a\"\":[1,\"\"x y\"\"]}\"\r\n\
             9223372036854775807,\"a,\"\"b\"\"\r\nc\",,\r\n0,,false,\"{\"\"k\"\":1}\"\r\n"
        );
    }

    #[test]
    fn excel_csv_neutralizes_text_only() {
        let out = export(BODY, CsvOptions::excel());
        assert!(
            out.starts_with("\u{feff}N,S,B,D\r\n-1,'=1+1,true,"),
            "{out}"
        );
    }

    #[test]
    fn tsv_uses_tabs() {
        let out = export(BODY, CsvOptions::machine().with_delimiter(b'\t'));
        assert!(out.starts_with("N\tS\tB\tD\r\n-1\t=1+1\ttrue\t"), "{out}");
    }

    #[test]
    fn later_results_map_by_name_and_refuse_new_columns() {
        let first = QueryResult::from_body(
            br#"{"Schema":[{"Name":"A"},{"Name":"B"}],"Results":[{"A":1,"B":2}]}"#.to_vec(),
        )
        .expect("first");
        let reordered =
            QueryResult::from_body(br#"{"Schema":[{"Name":"B"}],"Results":[{"B":3}]}"#.to_vec())
                .expect("second");
        let wider = QueryResult::from_body(
            br#"{"Schema":[{"Name":"A"},{"Name":"C"}],"Results":[]}"#.to_vec(),
        )
        .expect("third");
        let mut csv =
            CsvExport::new(Vec::new(), CsvOptions::machine(), first.columns()).expect("new");
        csv.write_result(&first).expect("first");
        csv.write_result(&reordered).expect("second");
        let err = csv.write_result(&wider).expect_err("new column");
        assert_eq!(
            err.to_string(),
            "result has columns that the file's header lacks: C (header: A, B)"
        );
        assert_eq!(csv.rows_written(), 2);
        assert_eq!(
            String::from_utf8(csv.finish().expect("finish")).expect("utf-8"),
            "A,B\r\n1,2\r\n,3\r\n"
        );
    }

    #[test]
    fn a_lone_empty_field_is_quoted_so_the_row_survives() {
        let out = export(
            r#"{"Schema":[{"Name":"A"}],"Results":[{"A":""},{"A":null}]}"#,
            CsvOptions::machine(),
        );
        assert_eq!(out, "A\r\n\"\"\r\n\"\"\r\n");
    }
}
