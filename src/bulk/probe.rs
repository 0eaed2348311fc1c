//! The row-count probe: one cheap query that tells a sliced run how many
//! rows each stretch of its range holds, so windows can be cut to just
//! under the row cap instead of guessed.
//!
//! The probe is the analyst's query followed by
//! `| summarize HuntkitRows = count() by Timestamp = bin_at(Timestamp, <w>ms, datetime(<start>))`,
//! with bins anchored at the region's start so that every bin edge is a
//! whole millisecond of the window grid. Its answer has one row per
//! non-empty bin, well under the row cap (see [`bin_width_ms`]). It costs one
//! call and one scan of the range (counting, without returning columns).
//! If the portal refuses it, the run falls back to sizing windows from the
//! density it measures.

use crate::portal::iso_millis;
use crate::result::{Cell, QueryResult};

use super::rows::timestamp_column;
use super::scan::{scan, Kind};
use super::ticks::{parse_ticks, Window};

/// The column holding each bin's row count.
pub const PROBE_COUNT_COLUMN: &str = "HuntkitRows";

/// The most bins one probe asks for, whatever the row cap.
pub const MAX_PROBE_BINS: i64 = 99_000;

/// The bin width for probing `region`: as fine as the bin count allows
/// (fewer bins than the row cap, at most [`MAX_PROBE_BINS`]).
pub fn bin_width_ms(region: Window, row_cap: u64) -> i64 {
    let cap_bins = i64::try_from(row_cap.saturating_sub(1)).unwrap_or(i64::MAX);
    let bins = cap_bins.clamp(1, MAX_PROBE_BINS);
    let width = region.width_ms().max(1);
    (width + bins - 1) / bins
}

/// The probe's query text.
pub fn probe_query(query: &str, region: Window, bin_ms: i64) -> String {
    format!(
        "{}\n| summarize {PROBE_COUNT_COLUMN} = count() by Timestamp = bin_at(Timestamp, {bin_ms}ms, datetime({}))",
        without_final_semicolon(query),
        iso_millis(region.start_ms)
    )
}

/// `query` without a trailing `;` (which would end the statement before
/// the appended operator).
fn without_final_semicolon(query: &str) -> &str {
    let last_code = scan(query)
        .into_iter()
        .rev()
        .find(|t| t.kind != Kind::Comment);
    match last_code {
        Some(t) if t.is_punct(";") => query[..t.start].trim_end(),
        _ => query.trim_end(),
    }
}

/// Reads a probe's answer: `(bin start in 100 ns ticks, rows)` per row.
pub fn read_histogram(result: &QueryResult) -> Result<Vec<(i64, u64)>, String> {
    let time =
        timestamp_column(result.columns()).ok_or("the probe's answer has no Timestamp column")?;
    let count = result
        .columns()
        .iter()
        .position(|c| c.name == PROBE_COUNT_COLUMN)
        .ok_or_else(|| format!("the probe's answer has no {PROBE_COUNT_COLUMN} column"))?;
    let mut bins = Vec::with_capacity(result.row_count());
    result
        .for_each_row(|cells: &[Cell<'_>]| -> Result<(), ProbeError> {
            let start = match cells.get(time) {
                Some(Cell::Str(t)) => parse_ticks(t).map_err(|e| ProbeError(e.to_string()))?,
                _ => return Err(ProbeError("a bin without a time".into())),
            };
            let rows = match cells.get(count) {
                Some(Cell::Number(n)) => n.parse::<u64>().ok(),
                Some(Cell::Str(n)) => n.parse::<u64>().ok(),
                _ => None,
            }
            .ok_or_else(|| ProbeError("a bin without a whole row count".into()))?;
            bins.push((start, rows));
            Ok(())
        })
        .map_err(|e| e.0)?;
    Ok(bins)
}

struct ProbeError(String);

impl From<crate::result::ResultError> for ProbeError {
    fn from(err: crate::result::ResultError) -> Self {
        ProbeError(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_the_count_after_the_query() {
        let region = Window::new(1_704_067_200_000, 1_704_067_260_000);
        assert_eq!(
            probe_query("T | where A == \";\" ;\n// end", region, bin_width_ms(region, 50_000)),
            "T | where A == \";\"\n| summarize HuntkitRows = count() by Timestamp = bin_at(Timestamp, 2ms, \
             datetime(2024-01-01T00:00:00.000Z))"
        );
        assert_eq!(bin_width_ms(region, 50_000), 2);
        assert_eq!(bin_width_ms(region, 100_000), 1);
        assert_eq!(bin_width_ms(region, 101), 600);
        assert_eq!(bin_width_ms(Window::new(0, 1), 2), 1);
    }

    #[test]
    fn reads_bins() {
        let body = r#"{"Schema":[{"Name":"Timestamp","Type":"DateTime"},{"Name":"HuntkitRows","Type":"Int64"}],
            "Results":[{"Timestamp":"1970-01-01T00:00:00.002Z","HuntkitRows":7}]}"#;
        let result = QueryResult::from_body(body.as_bytes().to_vec()).expect("result");
        assert_eq!(read_histogram(&result), Ok(vec![(20_000, 7)]));
    }
}
