//! [`QueryResult`]: a response body plus what was learnt from it in one
//! scan, with row access that borrows from the body instead of copying it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::ControlFlow;

use serde::Serialize;
use serde_json::Value;

use super::cell::{string_inner, Cell, RawCell};
use super::envelope::{read_envelope, Column, Quota};
use super::error::ResultError;
use super::json_text::unescape_into;
use super::rows::{Emit, EmitSeed, KeyTable, Scan, ScanSeed};

/// One query's result, lossless: it owns the response body and reads rows
/// from it on demand.
///
/// Columns are the response's `Schema`, in order, followed by any key that
/// rows carry but the schema lacks (in order of first appearance, with an
/// empty type): such a key is kept as an extra column rather than dropped.
/// A row key names its column exactly (`LogonId` and `LogonID` are two
/// columns); a key with no exact column falls back to a column whose name
/// differs only in ASCII case, provided no row uses that column's exact
/// name.
#[derive(Debug, Clone)]
pub struct QueryResult {
    body: String,
    columns: Vec<Column>,
    schema_len: usize,
    quota: Quota,
    chart_type: Option<String>,
    row_count: usize,
    keys: KeyTable,
}

/// The first rows of a result, ready for the UI. Values that a JavaScript
/// number would round are strings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
    pub total_rows: usize,
}

impl QueryResult {
    /// Reads a `queryExecutor` response body (`Schema` and `Results`
    /// required, any key casing).
    pub fn from_body(body: Vec<u8>) -> Result<Self, ResultError> {
        Self::from_body_keep(body).map_err(|(err, _)| err)
    }

    /// Like [`from_body`](Self::from_body), but hands the body back on
    /// failure so the caller can show it.
    pub(crate) fn from_body_keep(body: Vec<u8>) -> Result<Self, (ResultError, Vec<u8>)> {
        let body = String::from_utf8(body).map_err(|err| {
            let offset = err.utf8_error().valid_up_to();
            (ResultError::NotUtf8 { offset }, err.into_bytes())
        })?;
        match Self::scan(&body) {
            Ok(parts) => Ok(parts.into_result(body)),
            Err(err) => Err((err, body.into_bytes())),
        }
    }

    fn scan(body: &str) -> Result<Parts, ResultError> {
        let mut scan = Scan::default();
        let read = read_envelope(body, true, ScanSeed(&mut scan));
        let envelope = read.map_err(|err| scan.problem.take().unwrap_or(err))?;
        let seen = || envelope.keys.join(", ");
        if !envelope.has_results {
            return Err(ResultError::Missing {
                key: "Results",
                seen: seen(),
            });
        }
        let Some(schema) = envelope.schema.clone() else {
            return Err(ResultError::Missing {
                key: "Schema",
                seen: seen(),
            });
        };
        let schema_len = schema.len();
        let mut keys = scan.table;
        let columns = assign_columns(schema, &mut keys);
        Ok(Parts {
            columns,
            schema_len,
            quota: envelope.quota,
            chart_type: envelope.chart_type,
            row_count: scan.rows,
            keys,
        })
    }

    /// The response body, byte for byte.
    pub fn body(&self) -> &[u8] {
        self.body.as_bytes()
    }

    /// Gives the body back.
    pub fn into_body(self) -> Vec<u8> {
        self.body.into_bytes()
    }

    /// All columns: the schema's, then extra keys found only in rows.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// How many of [`columns`](Self::columns) came from `Schema`.
    pub fn schema_column_count(&self) -> usize {
        self.schema_len
    }

    /// Keys that rows carried although `Schema` did not list them.
    pub fn extra_columns(&self) -> &[Column] {
        &self.columns[self.schema_len..]
    }

    pub fn quota(&self) -> &Quota {
        &self.quota
    }

    /// `ChartVisualization.ChartType`, when present (`"None"` is kept).
    pub fn chart_type(&self) -> Option<&str> {
        self.chart_type.as_deref()
    }

    pub fn row_count(&self) -> usize {
        self.row_count
    }

    /// Calls `f` with every row in order, cells in column order; a key the
    /// row lacks is [`Cell::Null`]. Stops at the first error of `f`.
    pub fn for_each_row<E, F>(&self, mut f: F) -> Result<(), E>
    where
        F: FnMut(&[Cell<'_>]) -> Result<(), E>,
        E: From<ResultError>,
    {
        let mut scratch = String::new();
        let mut spans: Vec<Option<(usize, usize)>> = vec![None; self.columns.len()];
        let mut store: Vec<Cell<'static>> = Vec::with_capacity(self.columns.len());
        let mut failure = None;
        self.for_each_raw_row(|raw| {
            // Unescape first, then borrow: the cells below point into
            // `scratch`, which must not grow while they live.
            scratch.clear();
            for (span, cell) in spans.iter_mut().zip(raw) {
                *span = match cell {
                    RawCell::Str(literal) if literal.contains('\\') => {
                        let start = scratch.len();
                        unescape_into(string_inner(literal), &mut scratch);
                        Some((start, scratch.len()))
                    }
                    _ => None,
                };
            }
            let mut cells = recycle(std::mem::take(&mut store));
            cells.extend(
                raw.iter()
                    .zip(&spans)
                    .map(|(cell, span)| decode(cell, *span, &scratch)),
            );
            let outcome = f(&cells);
            store = recycle(cells);
            match outcome {
                Ok(()) => ControlFlow::Continue(()),
                Err(err) => {
                    failure = Some(err);
                    ControlFlow::Break(())
                }
            }
        })?;
        match failure {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    /// Calls `f` with every row as raw cells until it breaks. Returns
    /// whether every row was visited.
    pub(crate) fn for_each_raw_row<'s, F>(&'s self, f: F) -> Result<bool, ResultError>
    where
        F: FnMut(&[RawCell<'s>]) -> ControlFlow<()>,
    {
        let mut emit = Emit::new(&self.keys, self.columns.len(), f);
        let walked = read_envelope(&self.body, false, EmitSeed(&mut emit));
        if emit.stopped {
            return Ok(false);
        }
        walked.map(|_| true)
    }

    /// The first `n` rows as display values (see
    /// [`Cell::to_display_value`]).
    pub fn preview(&self, n: usize) -> Result<Preview, ResultError> {
        let mut rows = Vec::with_capacity(n.min(self.row_count));
        if n > 0 {
            self.for_each_row(|cells| {
                rows.push(cells.iter().map(Cell::to_display_value).collect());
                if rows.len() >= n {
                    return Err(PreviewDone::Full);
                }
                Ok(())
            })
            .or_else(|done| match done {
                PreviewDone::Full => Ok(()),
                PreviewDone::Failed(err) => Err(err),
            })?;
        }
        Ok(Preview {
            columns: self.columns.clone(),
            rows,
            total_rows: self.row_count,
        })
    }
}

/// Ends a preview walk early, or carries a real failure.
enum PreviewDone {
    Full,
    Failed(ResultError),
}

impl From<ResultError> for PreviewDone {
    fn from(err: ResultError) -> Self {
        PreviewDone::Failed(err)
    }
}

/// What a scan learnt, before the body moves into the result.
struct Parts {
    columns: Vec<Column>,
    schema_len: usize,
    quota: Quota,
    chart_type: Option<String>,
    row_count: usize,
    keys: KeyTable,
}

impl Parts {
    fn into_result(self, body: String) -> QueryResult {
        QueryResult {
            body,
            columns: self.columns,
            schema_len: self.schema_len,
            quota: self.quota,
            chart_type: self.chart_type,
            row_count: self.row_count,
            keys: self.keys,
        }
    }
}

/// Decides the column of every row key (see [`QueryResult`] for the
/// rules) and returns the final column list.
fn assign_columns(mut columns: Vec<Column>, keys: &mut KeyTable) -> Vec<Column> {
    let mut exact: HashMap<&str, usize> = HashMap::with_capacity(columns.len());
    for (i, column) in columns.iter().enumerate() {
        exact.entry(column.name.as_str()).or_insert(i);
    }
    let mut claimed = vec![false; columns.len()];
    let mut to_column: Vec<Option<usize>> = keys
        .keys
        .iter()
        .map(|k| exact.get(k.as_str()).copied())
        .collect();
    for column in to_column.iter().flatten() {
        claimed[*column] = true;
    }
    for (key, slot) in keys.keys.iter().zip(to_column.iter_mut()) {
        if slot.is_none() {
            let fallback = (0..columns.len())
                .find(|&c| !claimed[c] && columns[c].name.eq_ignore_ascii_case(key));
            if let Some(c) = fallback {
                claimed[c] = true;
                *slot = Some(c);
            }
        }
    }
    keys.to_column = keys
        .keys
        .iter()
        .zip(to_column)
        .map(|(key, slot)| {
            slot.unwrap_or_else(|| {
                columns.push(Column::new(key.clone(), ""));
                columns.len() - 1
            })
        })
        .collect();
    columns
}

/// Turns a raw cell into a decoded one; `span` locates its unescaped text
/// in `scratch` when it had escapes.
fn decode<'a>(cell: &RawCell<'a>, span: Option<(usize, usize)>, scratch: &'a str) -> Cell<'a> {
    match *cell {
        RawCell::Null => Cell::Null,
        RawCell::Bool(b) => Cell::Bool(b),
        RawCell::Number(text) => Cell::Number(text),
        RawCell::Json(raw) => Cell::Json(raw),
        RawCell::Str(literal) => match span {
            Some((start, end)) => {
                Cell::Str(Cow::Borrowed(scratch.get(start..end).unwrap_or_default()))
            }
            None => Cell::Str(Cow::Borrowed(string_inner(literal))),
        },
    }
}

/// Reuses a vector's allocation for cells of another lifetime. The vector
/// is emptied first, so no cell outlives what it borrowed; the standard
/// library collects an emptied `IntoIter` back into the same allocation.
fn recycle<'b>(mut cells: Vec<Cell<'_>>) -> Vec<Cell<'b>> {
    cells.clear();
    cells.into_iter().map(|_| Cell::Null).collect()
}
