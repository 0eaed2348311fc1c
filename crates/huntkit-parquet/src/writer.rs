//! [`ParquetExport`]: results in, row groups out.

use std::io::Write;
use std::sync::Arc;

use huntkit::export::cell_text;
use huntkit::export::typing::{column_kinds, parse_timestamp, ColumnKind};
use huntkit::result::{Cell, Column, QueryResult};
use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;

use crate::error::ParquetExportError;
use crate::schema::message_type;

/// Rows per row group: large enough for good compression and few footer
/// entries, small enough that one group of a wide result stays a few tens
/// of megabytes.
pub const ROW_GROUP_ROWS: usize = 65_536;

/// Values of one column for the row group being built.
enum Values {
    Long(Vec<i64>),
    Int(Vec<i32>),
    Real(Vec<f64>),
    Bool(Vec<bool>),
    Bytes(Vec<ByteArray>),
}

struct ColumnBuffer {
    kind: ColumnKind,
    values: Values,
    /// Definition levels: 0 for null, 1 for a value.
    defs: Vec<i16>,
}

impl ColumnBuffer {
    fn new(kind: ColumnKind) -> Self {
        let values = match kind {
            ColumnKind::Long | ColumnKind::DateTime => Values::Long(Vec::new()),
            ColumnKind::Int => Values::Int(Vec::new()),
            ColumnKind::Real => Values::Real(Vec::new()),
            ColumnKind::Bool => Values::Bool(Vec::new()),
            ColumnKind::Dynamic | ColumnKind::Guid | ColumnKind::Text => Values::Bytes(Vec::new()),
        };
        ColumnBuffer {
            kind,
            values,
            defs: Vec::new(),
        }
    }

    /// Adds one cell; `false` when the value does not fit the column.
    fn push(&mut self, cell: &Cell<'_>, scratch: &mut Vec<u8>) -> bool {
        if matches!(cell, Cell::Null) {
            self.defs.push(0);
            return true;
        }
        let pushed = match (&mut self.values, cell) {
            (Values::Long(v), Cell::Number(n)) if self.kind == ColumnKind::Long => {
                n.parse().map(|x| v.push(x)).is_ok()
            }
            (Values::Long(v), Cell::Str(s)) if self.kind == ColumnKind::DateTime => {
                parse_timestamp(s).map(|x| v.push(x)).is_some()
            }
            (Values::Int(v), Cell::Number(n)) => n.parse().map(|x| v.push(x)).is_ok(),
            (Values::Real(v), Cell::Number(n)) => n.parse().map(|x| v.push(x)).is_ok(),
            (Values::Bool(v), Cell::Bool(b)) => {
                v.push(*b);
                true
            }
            (Values::Bool(v), Cell::Number(n)) if matches!(*n, "0" | "1") => {
                v.push(*n == "1");
                true
            }
            (Values::Bytes(v), cell) => {
                let text = match (self.kind, cell) {
                    // JSON-typed: a string value is written as a JSON string.
                    (ColumnKind::Dynamic, Cell::Str(s)) => json_string(s),
                    _ => cell_text(cell, scratch),
                };
                v.push(ByteArray::from(text.into_bytes()));
                true
            }
            _ => false,
        };
        if pushed {
            self.defs.push(1);
        }
        pushed
    }

    fn clear(&mut self) {
        self.defs.clear();
        match &mut self.values {
            Values::Long(v) => v.clear(),
            Values::Int(v) => v.clear(),
            Values::Real(v) => v.clear(),
            Values::Bool(v) => v.clear(),
            Values::Bytes(v) => v.clear(),
        }
    }
}

fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One Parquet file made of one or more results. Column types are fixed
/// by the first result (see [`ParquetExport::for_result`]).
pub struct ParquetExport<W: Write + Send> {
    writer: SerializedFileWriter<W>,
    columns: Vec<Column>,
    buffers: Vec<ColumnBuffer>,
    buffered: usize,
    rows: u64,
}

impl<W: Write + Send> ParquetExport<W> {
    /// Starts a file whose columns and types are those of `result`.
    pub fn for_result(out: W, result: &QueryResult) -> Result<Self, ParquetExportError> {
        let kinds = column_kinds(result)?;
        Self::new(out, result.columns(), &kinds)
    }

    /// Starts a file with `columns` typed as `kinds`.
    pub fn new(
        out: W,
        columns: &[Column],
        kinds: &[ColumnKind],
    ) -> Result<Self, ParquetExportError> {
        let schema = message_type(columns, kinds)?;
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_size(ROW_GROUP_ROWS)
            .set_created_by(format!("huntkit {}", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(ParquetExport {
            writer: SerializedFileWriter::new(out, schema, Arc::new(properties))?,
            columns: columns.to_vec(),
            buffers: kinds.iter().map(|k| ColumnBuffer::new(*k)).collect(),
            buffered: 0,
            rows: 0,
        })
    }

    /// Appends every row of `result`, writing a row group every
    /// [`ROW_GROUP_ROWS`] rows and calling `flushed` with the output after
    /// each (so a caller can move the bytes on). Returns the rows written.
    pub fn write_result(
        &mut self,
        result: &QueryResult,
        flushed: &mut dyn FnMut(&mut W) -> std::io::Result<()>,
    ) -> Result<u64, ParquetExportError> {
        let map = self.column_map(result.columns())?;
        let mut scratch = Vec::new();
        let mut rows = 0;
        result.for_each_row(|cells| {
            for (col, slot) in map.iter().enumerate() {
                let cell = slot.and_then(|i| cells.get(i)).unwrap_or(&Cell::Null);
                let buffer = &mut self.buffers[col];
                if !buffer.push(cell, &mut scratch) {
                    return Err(ParquetExportError::ValueDoesNotFit {
                        column: self.columns[col].name.clone(),
                        kind: format!("{:?}", buffer.kind).to_lowercase(),
                        value: cell_text(cell, &mut scratch),
                    });
                }
            }
            self.buffered += 1;
            rows += 1;
            if self.buffered == ROW_GROUP_ROWS {
                self.write_row_group()?;
                flushed(self.writer.inner_mut())?;
            }
            Ok(())
        })?;
        self.rows += rows;
        Ok(rows)
    }

    /// Rows written so far, over all results.
    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    /// Writes the last row group and the footer; returns the output.
    pub fn finish(mut self) -> Result<W, ParquetExportError> {
        if self.buffered > 0 {
            self.write_row_group()?;
        }
        Ok(self.writer.into_inner()?)
    }

    fn write_row_group(&mut self) -> Result<(), ParquetError> {
        let mut group = self.writer.next_row_group()?;
        for buffer in &mut self.buffers {
            let mut column = group.next_column()?.ok_or_else(|| {
                ParquetError::General("the schema has fewer columns than the result".into())
            })?;
            let defs = Some(buffer.defs.as_slice());
            match &buffer.values {
                Values::Long(v) => column.typed::<Int64Type>().write_batch(v, defs, None)?,
                Values::Int(v) => column.typed::<Int32Type>().write_batch(v, defs, None)?,
                Values::Real(v) => column.typed::<DoubleType>().write_batch(v, defs, None)?,
                Values::Bool(v) => column.typed::<BoolType>().write_batch(v, defs, None)?,
                Values::Bytes(v) => column.typed::<ByteArrayType>().write_batch(v, defs, None)?,
            };
            column.close()?;
            buffer.clear();
        }
        group.close()?;
        self.buffered = 0;
        Ok(())
    }

    /// For each file column, the result column of the same name.
    fn column_map(&self, columns: &[Column]) -> Result<Vec<Option<usize>>, ParquetExportError> {
        let names = |cols: &mut dyn Iterator<Item = &Column>| {
            cols.map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
        };
        let mut new = columns
            .iter()
            .filter(|c| !self.columns.iter().any(|f| f.name == c.name));
        let new_columns = names(&mut new);
        if !new_columns.is_empty() {
            return Err(ParquetExportError::ColumnMismatch {
                new_columns,
                columns: names(&mut self.columns.iter()),
            });
        }
        Ok(self
            .columns
            .iter()
            .map(|f| columns.iter().position(|c| c.name == f.name))
            .collect())
    }
}

/// Writes one result as a whole Parquet file to `out`, calling `flushed`
/// after each row group; returns the output and the number of rows.
pub fn write_parquet<W: Write + Send>(
    result: &QueryResult,
    out: W,
    flushed: &mut dyn FnMut(&mut W) -> std::io::Result<()>,
) -> Result<(W, u64), ParquetExportError> {
    let mut export = ParquetExport::for_result(out, result)?;
    let rows = export.write_result(result, flushed)?;
    Ok((export.finish()?, rows))
}
