//! Comparing the row counts of two runs ("did last week's hunt find more?").

use serde::Serialize;

use super::error::HistoryError;
use super::model::Run;
use super::store::History;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowComparison {
    pub first: RunRows,
    pub second: RunRows,
    /// `second − first`, when both counts are known.
    pub difference: Option<i64>,
    /// The change in percent of the first count, when that is not zero.
    pub change_percent: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRows {
    pub run_id: String,
    pub entry_id: String,
    pub started_at_ms: i64,
    pub start_ms: i64,
    pub end_ms: i64,
    pub rows: Option<u64>,
}

impl History {
    /// The row counts of two runs, older one first.
    pub fn compare_runs(&self, a: &str, b: &str) -> Result<RowComparison, HistoryError> {
        let side = |id: &str| {
            self.run(id)
                .map(|(entry, run)| rows_of(&entry.id, run))
                .ok_or_else(|| HistoryError::NoRun(id.to_owned()))
        };
        let (mut first, mut second) = (side(a)?, side(b)?);
        if second.started_at_ms < first.started_at_ms {
            std::mem::swap(&mut first, &mut second);
        }
        let difference = match (first.rows, second.rows) {
            (Some(x), Some(y)) => Some(y as i64 - x as i64),
            _ => None,
        };
        let change_percent = match (first.rows, difference) {
            (Some(x), Some(d)) if x > 0 => Some(d as f64 * 100.0 / x as f64),
            _ => None,
        };
        Ok(RowComparison {
            first,
            second,
            difference,
            change_percent,
        })
    }
}

fn rows_of(entry_id: &str, run: &Run) -> RunRows {
    RunRows {
        run_id: run.id.clone(),
        entry_id: entry_id.to_owned(),
        started_at_ms: run.started_at_ms,
        start_ms: run.start_ms,
        end_ms: run.end_ms,
        rows: run.rows,
    }
}
