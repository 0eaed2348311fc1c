//! JSON (one array of objects) and NDJSON (one object per line): streaming
//! transcoders that copy each value's JSON text from the response.
//!
//! Keys are the column names in column order, a missing key is `null`.
//! Values are exactly as received: numbers and strings keep their text
//! (escapes included, so even a lone surrogate escape survives), `Dynamic`
//! values keep their structure, written compactly. Each result contributes
//! its own columns, so results with different columns can share a file.

use std::io::{BufWriter, Write};
use std::ops::ControlFlow;

use super::error::ExportError;
use crate::result::json_text::{escape_into, has_insignificant_whitespace, minify_into};
use crate::result::{Column, QueryResult, RawCell};

/// Size of the buffer in front of the output.
const BUFFER: usize = 64 << 10;

/// One JSON file holding the rows of one or more results as one array.
pub struct JsonExport<W: Write> {
    out: BufWriter<W>,
    rows: u64,
}

impl<W: Write> JsonExport<W> {
    pub fn new(out: W) -> Result<Self, ExportError> {
        let mut out = BufWriter::with_capacity(BUFFER, out);
        out.write_all(b"[")?;
        Ok(JsonExport { out, rows: 0 })
    }

    /// Appends every row of `result`; returns how many were written.
    pub fn write_result(&mut self, result: &QueryResult) -> Result<u64, ExportError> {
        let first = self.rows == 0;
        let written = write_objects(
            &mut self.out,
            result,
            |_| true,
            |n| if first && n == 0 { b"\n" } else { b",\n" },
            b"",
        )?;
        self.rows += written;
        Ok(written)
    }

    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    /// Closes the array, flushes and returns the underlying writer.
    pub fn finish(mut self) -> Result<W, ExportError> {
        self.out.write_all(b"\n]\n")?;
        self.out
            .into_inner()
            .map_err(|err| ExportError::Io(err.into_error()))
    }
}

/// One NDJSON file: one object per line, any number of results.
pub struct NdjsonExport<W: Write> {
    out: BufWriter<W>,
    rows: u64,
}

impl<W: Write> NdjsonExport<W> {
    pub fn new(out: W) -> Result<Self, ExportError> {
        Ok(NdjsonExport {
            out: BufWriter::with_capacity(BUFFER, out),
            rows: 0,
        })
    }

    /// Appends every row of `result`; returns how many were written.
    pub fn write_result(&mut self, result: &QueryResult) -> Result<u64, ExportError> {
        let written = write_objects(&mut self.out, result, |_| true, |_| b"", b"\n")?;
        self.rows += written;
        Ok(written)
    }

    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(self) -> Result<W, ExportError> {
        self.out
            .into_inner()
            .map_err(|err| ExportError::Io(err.into_error()))
    }
}

/// Writes the rows of `result` that `keep(row index)` accepts as objects
/// separated by commas, with no brackets around them: the body of a JSON
/// array. The bulk runner stores each finished unit's kept rows this way
/// inside a portal-shaped envelope, so that they can be exported later by
/// the same writers as any result.
pub fn write_json_rows<W: Write>(
    out: &mut W,
    result: &QueryResult,
    keep: impl Fn(u64) -> bool,
) -> Result<u64, ExportError> {
    write_objects(out, result, keep, |n| if n == 0 { b"" } else { b"," }, b"")
}

/// Writes each row of `result` that `keep(row index)` accepts as an object,
/// preceded by `before(n)` for the n-th written row and followed by `after`.
fn write_objects<W: Write>(
    out: &mut W,
    result: &QueryResult,
    keep: impl Fn(u64) -> bool,
    before: impl Fn(u64) -> &'static [u8],
    after: &[u8],
) -> Result<u64, ExportError> {
    let prefixes = key_prefixes(result.columns());
    let mut scratch = Vec::new();
    let mut rows = 0;
    let mut index = 0;
    let mut failure = None;
    result.for_each_raw_row(|cells| {
        index += 1;
        if !keep(index - 1) {
            return ControlFlow::Continue(());
        }
        let written = write_object(out, before(rows), &prefixes, cells, after, &mut scratch);
        match written {
            Ok(()) => {
                rows += 1;
                ControlFlow::Continue(())
            }
            Err(err) => {
                failure = Some(err);
                ControlFlow::Break(())
            }
        }
    })?;
    match failure {
        Some(err) => Err(err.into()),
        None => Ok(rows),
    }
}

/// `{"A":`, `,"B":`, …: each column's key with what precedes it, escaped
/// once per result instead of once per cell.
fn key_prefixes(columns: &[Column]) -> Vec<Vec<u8>> {
    columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let mut prefix = vec![if i == 0 { b'{' } else { b',' }];
            escape_into(&column.name, &mut prefix);
            prefix.push(b':');
            prefix
        })
        .collect()
}

fn write_object<W: Write>(
    out: &mut W,
    before: &[u8],
    prefixes: &[Vec<u8>],
    cells: &[RawCell<'_>],
    after: &[u8],
    scratch: &mut Vec<u8>,
) -> std::io::Result<()> {
    out.write_all(before)?;
    if prefixes.is_empty() {
        out.write_all(b"{")?;
    }
    for (prefix, cell) in prefixes.iter().zip(cells) {
        out.write_all(prefix)?;
        match cell {
            RawCell::Null => out.write_all(b"null")?,
            RawCell::Bool(true) => out.write_all(b"true")?,
            RawCell::Bool(false) => out.write_all(b"false")?,
            RawCell::Number(text) | RawCell::Str(text) => out.write_all(text.as_bytes())?,
            RawCell::Json(raw) => {
                let raw = raw.get();
                if has_insignificant_whitespace(raw) {
                    scratch.clear();
                    minify_into(raw, scratch);
                    out.write_all(scratch)?;
                } else {
                    out.write_all(raw.as_bytes())?;
                }
            }
        }
    }
    out.write_all(b"}")?;
    out.write_all(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"{"Schema":[{"Name":"N"},{"Name":"S"},{"Name":"D"},{"Name":"q\"k"}],
        "Results":[{"N":9223372036854775807,"S":"a\"\n\ud800","D":{ "b" : [1, 2.50] }},{"N":null,"S":"","q\"k":true}]}"#;

    fn result() -> QueryResult {
        QueryResult::from_body(BODY.as_bytes().to_vec()).expect("result")
    }

    #[test]
    fn ndjson_copies_values_exactly() {
        let mut nd = NdjsonExport::new(Vec::new()).expect("new");
        assert_eq!(nd.write_result(&result()).expect("write"), 2);
        let text = String::from_utf8(nd.finish().expect("finish")).expect("utf-8");
        assert_eq!(
            text,
            "{\"N\":9223372036854775807,\"S\":\"a\\\"\\n\\ud800\",\"D\":{\"b\":[1,2.50]},\"q\\\"k\":null}\n\
             {\"N\":null,\"S\":\"\",\"D\":null,\"q\\\"k\":true}\n"
        );
    }

    #[test]
    fn json_merges_results_into_one_array() {
        // serde_json refuses lone surrogates, so this body has none.
        let body = BODY.replace("\\ud800", "\\ud83d\\ude00");
        let result = QueryResult::from_body(body.into_bytes()).expect("result");
        let mut json = JsonExport::new(Vec::new()).expect("new");
        json.write_result(&result).expect("first");
        json.write_result(&result).expect("second");
        let text = json.finish().expect("finish");
        let value: serde_json::Value = serde_json::from_slice(&text).expect("valid json");
        assert_eq!(value.as_array().map(Vec::len), Some(4));
        assert_eq!(value[3]["q\"k"], true);
        let empty = JsonExport::new(Vec::new())
            .expect("new")
            .finish()
            .expect("finish");
        assert_eq!(empty, b"[\n]\n");
    }
}
