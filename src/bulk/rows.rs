//! The client-side half of exact slicing: which rows of a window's answer
//! belong to that window.
//!
//! Each window is requested with padding (see [`Window::padded`]), so its
//! answer may hold rows of the neighbouring windows; a row is kept only when
//! its `Timestamp`, read exactly to 100 ns, lies in `[start, end)`. Windows
//! tile the range, so every row is kept by exactly one of them.

use std::ops::Range;

use crate::result::{Cell, Column, QueryResult, ResultError};

use super::ticks::{parse_ticks, TimestampError};

/// The column sliced runs filter on.
pub const TIMESTAMP_COLUMN: &str = "Timestamp";

/// Why the rows of an answer could not be placed in time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowTimeError {
    #[error("the result has no Timestamp column (columns: {columns})")]
    NoTimestampColumn { columns: String },
    #[error("row {row}: {source}")]
    Unreadable { row: usize, source: TimestampError },
    #[error("row {row}: Timestamp is {found}, not a date-time string")]
    NotText { row: usize, found: String },
    #[error(transparent)]
    Result(#[from] ResultError),
}

/// The index of the `Timestamp` column: the exact name, else the first name
/// equal to it ignoring ASCII case.
pub fn timestamp_column(columns: &[Column]) -> Option<usize> {
    columns
        .iter()
        .position(|c| c.name == TIMESTAMP_COLUMN)
        .or_else(|| {
            columns
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(TIMESTAMP_COLUMN))
        })
}

/// Every row's `Timestamp` in 100 ns ticks, in row order.
pub fn row_ticks(result: &QueryResult) -> Result<Vec<i64>, RowTimeError> {
    let mut ticks = Vec::with_capacity(result.row_count());
    for_each_row_tick(result, |_, t, _| {
        ticks.push(t);
    })?;
    Ok(ticks)
}

/// The indices (in row order) of the rows whose `Timestamp` lies in
/// `window` (100 ns ticks, half-open).
pub fn kept_row_indices(
    result: &QueryResult,
    window: Range<i64>,
) -> Result<Vec<usize>, RowTimeError> {
    let mut kept = Vec::new();
    for_each_row_tick(result, |row, t, _| {
        if window.contains(&t) {
            kept.push(row);
        }
    })?;
    Ok(kept)
}

/// Calls `f(row_index, cells)` for each row whose `Timestamp` lies in
/// `window` (100 ns ticks, half-open); returns how many rows it kept.
pub fn for_each_kept_row<F>(
    result: &QueryResult,
    window: Range<i64>,
    mut f: F,
) -> Result<usize, RowTimeError>
where
    F: FnMut(usize, &[Cell<'_>]),
{
    let mut kept = 0;
    for_each_row_tick(result, |row, t, cells| {
        if window.contains(&t) {
            kept += 1;
            f(row, cells);
        }
    })?;
    Ok(kept)
}

/// Walks the rows with their parsed `Timestamp`; the first unreadable one
/// stops the walk, because a row that cannot be placed in time would make
/// the whole slicing inexact.
fn for_each_row_tick<F>(result: &QueryResult, mut f: F) -> Result<(), RowTimeError>
where
    F: FnMut(usize, i64, &[Cell<'_>]),
{
    let Some(column) = timestamp_column(result.columns()) else {
        let columns = result
            .columns()
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(RowTimeError::NoTimestampColumn { columns });
    };
    let mut row = 0;
    result.for_each_row(|cells: &[Cell<'_>]| {
        let t = match cells.get(column) {
            Some(Cell::Str(text)) => {
                parse_ticks(text).map_err(|source| RowTimeError::Unreadable { row, source })?
            }
            Some(other) => {
                return Err(RowTimeError::NotText {
                    row,
                    found: describe(other),
                })
            }
            None => {
                return Err(RowTimeError::NotText {
                    row,
                    found: "missing".into(),
                })
            }
        };
        f(row, t, cells);
        row += 1;
        Ok(())
    })
}

fn describe(cell: &Cell<'_>) -> String {
    match cell {
        Cell::Null => "null".into(),
        Cell::Bool(b) => b.to_string(),
        Cell::Number(text) => format!("the number {text}"),
        Cell::Str(text) => format!("{text:?}"),
        Cell::Json(raw) => format!("the json {}", raw.get()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(rows: &str) -> QueryResult {
        let body = format!(
            r#"{{"Schema":[{{"Name":"DeviceName","Type":"String"}},{{"Name":"timestamp","Type":"DateTime"}}],"Results":[{rows}]}}"#
        );
        QueryResult::from_body(body.into_bytes()).expect("result")
    }

    #[test]
    fn keeps_rows_inside_the_half_open_window() {
        let r = result(
            r#"{"DeviceName":"a","timestamp":"1970-01-01T00:00:00.0009999Z"},
               {"DeviceName":"b","timestamp":"1970-01-01T00:00:00.001Z"},
               {"DeviceName":"c","timestamp":"1970-01-01T00:00:00.0019999Z"},
               {"DeviceName":"d","timestamp":"1970-01-01T00:00:00.002Z"}"#,
        );
        let window = super::super::ticks::Window::new(1, 2).ticks();
        assert_eq!(kept_row_indices(&r, window.clone()), Ok(vec![1, 2]));
        let mut names = Vec::new();
        let kept = for_each_kept_row(&r, window, |_, cells| {
            if let Cell::Str(name) = &cells[0] {
                names.push(name.to_string());
            }
        });
        assert_eq!(kept, Ok(2));
        assert_eq!(names, ["b", "c"]);
    }

    #[test]
    fn missing_or_bad_timestamps_are_errors() {
        let body = r#"{"Schema":[{"Name":"N","Type":"Int64"}],"Results":[{"N":1}]}"#;
        let r = QueryResult::from_body(body.as_bytes().to_vec()).expect("result");
        assert_eq!(
            row_ticks(&r).expect_err("no column").to_string(),
            "the result has no Timestamp column (columns: N)"
        );
        let r = result(r#"{"DeviceName":"a","timestamp":null}"#);
        assert_eq!(
            row_ticks(&r).expect_err("null").to_string(),
            "row 0: Timestamp is null, not a date-time string"
        );
        let r = result(r#"{"DeviceName":"a","timestamp":"yesterday"}"#);
        assert!(matches!(
            row_ticks(&r),
            Err(RowTimeError::Unreadable { row: 0, .. })
        ));
    }

    #[test]
    fn exact_name_wins_over_other_casing() {
        let cols = [
            Column::new("timestamp", "DateTime"),
            Column::new("Timestamp", "DateTime"),
        ];
        assert_eq!(timestamp_column(&cols), Some(1));
        assert_eq!(timestamp_column(&cols[..1]), Some(0));
        assert_eq!(timestamp_column(&[]), None);
    }
}
