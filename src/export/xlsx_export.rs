//! XLSX: one worksheet with typed cells, through rust_xlsxwriter.
//!
//! Cells by column type and value:
//! - `Int64` columns, and any number with more than 15 significant digits,
//!   are text: Excel holds numbers as doubles and would round a 19-digit id.
//! - Other numbers are numbers (a negative port stays a number); `Boolean`
//!   and `SByte` `0`/`1` are booleans.
//! - `DateTime` values are real Excel dates in UTC, shown as
//!   `yyyy-mm-dd hh:mm:ss.000`. Excel keeps milliseconds at most, so the
//!   last 4 of the portal's 7 fractional digits are lost here; the machine
//!   formats (CSV, JSON, NDJSON, Parquet) keep them.
//! - `Dynamic` values are compact JSON text; null is a blank cell and `""`
//!   an empty-text cell (the formula `=""`, as Excel itself writes empty
//!   text), so the two stay apart.
//! - With formula neutralising on, text that a spreadsheet would run as a
//!   formula gets Excel's quote-prefix style: the value is unchanged, and
//!   editing the cell cannot turn it into a formula.
//! - Text longer than Excel's 32,767-character cell limit is cut to it;
//!   [`XlsxExport::truncated_cells`] counts such cells.
//!
//! Memory: rust_xlsxwriter's constant-memory mode spills rows to a temporary
//! file, which wasm in a browser does not have, so the sheet is held in
//! memory and the zip is built at [`XlsxExport::finish`]; that is several
//! times the size of the data (see docs/BENCHMARKS.md).

use std::io::Write;

use rust_xlsxwriter::{ColNum, Format, Formula, RowNum, Workbook, Worksheet, XlsxError};

use super::csv_export::starts_formula;
use super::error::ExportError;
use super::header::{is_identity, map_columns};
use super::typing::{parse_timestamp, schema_kinds, significant_digits, ColumnKind};
use crate::result::json_text::minify_into;
use crate::result::{Cell, Column, QueryResult};

/// Excel's row limit, header included.
pub const MAX_ROWS: u32 = 1_048_576;
/// Excel's column limit.
const MAX_COLUMNS: usize = 16_384;
/// Excel's cell text limit, in UTF-16 units.
const MAX_TEXT: usize = 32_767;
/// Rows sampled for column widths.
const WIDTH_SAMPLE: u32 = 500;
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;
/// Wide enough for `2024-10-26 08:39:36.820`.
const DATE_WIDTH: usize = 24;
/// Days from Excel's epoch (1899-12-30) to the Unix epoch.
const UNIX_EPOCH_SERIAL: f64 = 25_569.0;
/// 1900-03-01 as a serial: earlier dates meet Excel's 1900 leap-year bug,
/// so they are written as text.
const FIRST_SAFE_SERIAL: f64 = 61.0;

struct Formats {
    header: Format,
    date: Format,
    quoted: Format,
}

/// One XLSX file made of one or more results (columns fixed by the first,
/// as for CSV).
pub struct XlsxExport<W: Write> {
    out: W,
    sheet: Worksheet,
    header: Vec<String>,
    kinds: Vec<ColumnKind>,
    widths: Vec<usize>,
    formats: Formats,
    neutralize: bool,
    next_row: RowNum,
    truncated: u64,
    scratch: Vec<u8>,
}

impl<W: Write> XlsxExport<W> {
    /// Starts the sheet with a bold, frozen header row. `neutralize` turns
    /// on the quote-prefix style for formula-like text.
    pub fn new(out: W, neutralize: bool, columns: &[Column]) -> Result<Self, ExportError> {
        if columns.len() > MAX_COLUMNS {
            return Err(ExportError::TooManyColumns {
                columns: columns.len(),
                limit: MAX_COLUMNS,
            });
        }
        let mut sheet = Worksheet::new();
        sheet.set_name("Results")?;
        sheet.set_freeze_panes(1, 0)?;
        // The cached result of the `=""` cells that hold empty text: empty,
        // not the default `0`, so readers that do not recalculate see "".
        sheet.set_formula_result_default("");
        let formats = Formats {
            header: Format::new().set_bold(),
            date: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss.000"),
            quoted: Format::new().set_quote_prefix(),
        };
        let kinds = schema_kinds(columns);
        let mut widths = Vec::with_capacity(columns.len());
        for (i, (column, kind)) in columns.iter().zip(&kinds).enumerate() {
            let col = col_num(i);
            let format = match neutralize && starts_formula(&column.name) {
                true => formats.header.clone().set_quote_prefix(),
                false => formats.header.clone(),
            };
            sheet.write_string_with_format(0, col, column.name.as_str(), &format)?;
            let floor = if *kind == ColumnKind::DateTime {
                DATE_WIDTH
            } else {
                MIN_WIDTH
            };
            widths.push(column.name.chars().count().max(floor));
        }
        Ok(XlsxExport {
            out,
            sheet,
            header: columns.iter().map(|c| c.name.clone()).collect(),
            kinds,
            widths,
            formats,
            neutralize,
            next_row: 1,
            truncated: 0,
            scratch: Vec::new(),
        })
    }

    /// Appends every row of `result`; returns how many were written.
    pub fn write_result(&mut self, result: &QueryResult) -> Result<u64, ExportError> {
        let map = map_columns(&self.header, result.columns())?;
        let identity = is_identity(&map, result.columns().len());
        let mut rows = 0;
        result.for_each_row(|cells| {
            if self.next_row >= MAX_ROWS {
                return Err(ExportError::TooManyRows {
                    format: "xlsx",
                    limit: u64::from(MAX_ROWS - 1),
                });
            }
            for (col, slot) in map.iter().enumerate() {
                let source = if identity { Some(col) } else { *slot };
                if let Some(cell) = source.and_then(|i| cells.get(i)) {
                    self.write_cell(col, cell)?;
                }
            }
            self.next_row += 1;
            rows += 1;
            Ok(())
        })?;
        Ok(rows)
    }

    /// Rows written so far, over all results.
    pub fn rows_written(&self) -> u64 {
        u64::from(self.next_row - 1)
    }

    /// Cells whose text was cut to Excel's 32,767-character limit.
    pub fn truncated_cells(&self) -> u64 {
        self.truncated
    }

    /// Sets the column widths, builds the file, writes it to the output and
    /// returns the output.
    pub fn finish(mut self) -> Result<W, ExportError> {
        for (i, width) in self.widths.iter().enumerate() {
            // Character counts plus a margin; Excel's width unit is about
            // one digit of the default font.
            self.sheet
                .set_column_width(col_num(i), (width + 2).min(MAX_WIDTH) as f64)?;
        }
        let mut workbook = Workbook::new();
        workbook.push_worksheet(self.sheet);
        let bytes = workbook.save_to_buffer()?;
        self.out.write_all(&bytes)?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn write_cell(&mut self, col: usize, cell: &Cell<'_>) -> Result<(), ExportError> {
        let row = self.next_row;
        let c = col_num(col);
        let kind = self.kinds[col];
        let shown = match cell {
            Cell::Null => return Ok(()),
            Cell::Bool(b) => {
                self.sheet.write_boolean(row, c, *b)?;
                5
            }
            Cell::Number(n) if kind == ColumnKind::Bool && matches!(*n, "0" | "1") => {
                self.sheet.write_boolean(row, c, *n == "1")?;
                5
            }
            Cell::Number(n) => {
                match excel_number(n, kind) {
                    Some(value) => self.sheet.write_number(row, c, value)?,
                    // Numbers are never neutralised: `-5` is not a formula.
                    None => self.sheet.write_string(row, c, *n)?,
                };
                n.len()
            }
            Cell::Str(text) if kind == ColumnKind::DateTime => match excel_date(text) {
                Some(serial) => {
                    self.sheet
                        .write_number_with_format(row, c, serial, &self.formats.date)?;
                    DATE_WIDTH
                }
                None => self.write_text(row, c, text)?,
            },
            Cell::Str(text) => self.write_text(row, c, text)?,
            Cell::Json(raw) => {
                self.scratch.clear();
                minify_into(raw.get(), &mut self.scratch);
                let text = String::from_utf8_lossy(&self.scratch).into_owned();
                self.write_text(row, c, &text)?
            }
        };
        if row <= WIDTH_SAMPLE && shown > self.widths[col] {
            self.widths[col] = shown;
        }
        Ok(())
    }

    /// Writes a text cell; returns its length in characters (for widths).
    fn write_text(&mut self, row: RowNum, col: ColNum, text: &str) -> Result<usize, XlsxError> {
        if text.is_empty() {
            // rust_xlsxwriter skips empty strings; `=""` is Excel's own
            // empty text, which a reader tells apart from a blank cell.
            self.sheet.write_formula(row, col, Formula::new("=\"\""))?;
            return Ok(0);
        }
        let text = match utf16_prefix(text, MAX_TEXT) {
            Some(cut) => {
                self.truncated += 1;
                cut
            }
            None => text,
        };
        if self.neutralize && starts_formula(text) {
            self.sheet
                .write_string_with_format(row, col, text, &self.formats.quoted)?;
        } else {
            self.sheet.write_string(row, col, text)?;
        }
        Ok(text.chars().count())
    }
}

/// The number Excel should hold for `text`, or `None` when it must stay
/// text: every `Int64`, and numbers a double would round.
fn excel_number(text: &str, kind: ColumnKind) -> Option<f64> {
    if kind == ColumnKind::Long || significant_digits(text) > 15 {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The Excel serial date of a UTC timestamp, or `None` when it is not one
/// or falls before 1900-03-01.
fn excel_date(text: &str) -> Option<f64> {
    let nanos = parse_timestamp(text)?;
    let serial = nanos as f64 / 86_400e9 + UNIX_EPOCH_SERIAL;
    (FIRST_SAFE_SERIAL..2_958_466.0)
        .contains(&serial)
        .then_some(serial)
}

/// The longest prefix of `text` of at most `limit` UTF-16 units, or `None`
/// when all of `text` fits.
fn utf16_prefix(text: &str, limit: usize) -> Option<&str> {
    let mut units = 0;
    for (i, c) in text.char_indices() {
        units += c.len_utf16();
        if units > limit {
            return Some(&text[..i]);
        }
    }
    None
}

/// Column positions fit: the column count is checked against Excel's limit.
fn col_num(i: usize) -> ColNum {
    ColNum::try_from(i).unwrap_or(ColNum::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_excel_serials() {
        let serial = excel_date("1970-01-02T12:00:00Z").expect("date");
        assert!((serial - 25_570.5).abs() < 1e-9);
        assert_eq!(excel_date("1899-01-01T00:00:00Z"), None);
        assert_eq!(excel_date("yesterday"), None);
    }

    #[test]
    fn long_numbers_stay_text() {
        assert_eq!(excel_number("443", ColumnKind::Int), Some(443.0));
        assert_eq!(excel_number("-5", ColumnKind::Text), Some(-5.0));
        assert_eq!(excel_number("12", ColumnKind::Long), None);
        assert_eq!(excel_number("9007199254740993", ColumnKind::Real), None);
    }

    #[test]
    fn text_is_cut_on_a_character_boundary() {
        assert_eq!(utf16_prefix("abc", 3), None);
        assert_eq!(utf16_prefix("a😀b", 2), Some("a"));
    }
}
