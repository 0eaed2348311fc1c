//! What the driver hands back for a finished call, and what the job tells
//! it to do with the rows.
//!
//! The driver keeps the [`QueryResult`] (large data stays where it is);
//! the job only needs counts, the quota and, for a sliced window, each
//! row's `Timestamp`. [`UnitOutcome::read`] extracts those; the job answers
//! with a [`Disposition`] naming the rows to write, by index into the
//! result the driver holds.

use serde::{Deserialize, Serialize};

use crate::result::{QueryResult, Quota};

use super::probe::read_histogram;
use super::rows::{row_ticks, RowTimeError};

/// The portal's resource figures for one call (`Quota` in the response).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitQuota {
    pub query_cpu_usage: f64,
    pub cpu_load: f64,
    pub execution_time: String,
    pub total_cpu_time: String,
}

impl From<&Quota> for UnitQuota {
    fn from(q: &Quota) -> Self {
        UnitQuota {
            query_cpu_usage: q.query_cpu_usage,
            cpu_load: q.cpu_load,
            execution_time: q.execution_time.clone(),
            total_cpu_time: q.total_cpu_time.clone(),
        }
    }
}

/// What a unit's answer must yield.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Counts only (query lists, templates).
    Rows,
    /// Every row's `Timestamp` (sliced windows).
    Timestamps,
    /// Rows per time bin (probes).
    Histogram,
}

/// What the job learnt from an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Rows,
    /// Each row's `Timestamp` in 100 ns ticks, in row order.
    Timestamps(Result<Vec<i64>, RowTimeError>),
    /// `(bin start in ticks, rows)` per probe row.
    Histogram(Result<Vec<(i64, u64)>, String>),
}

/// A successful call, as the job needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitOutcome {
    pub row_count: usize,
    /// Size of the response body, to notice answers near the size cap.
    pub body_bytes: usize,
    pub quota: Option<UnitQuota>,
    /// How long the call took; 0 lets the job use its own clock.
    pub duration_ms: u64,
    pub content: Content,
}

impl UnitOutcome {
    /// Extracts what `reading` asks for from a result.
    pub fn read(result: &QueryResult, reading: Reading, duration_ms: u64) -> UnitOutcome {
        let content = match reading {
            Reading::Rows => Content::Rows,
            Reading::Timestamps => Content::Timestamps(row_ticks(result)),
            Reading::Histogram => Content::Histogram(read_histogram(result)),
        };
        UnitOutcome {
            row_count: result.row_count(),
            body_bytes: result.body().len(),
            quota: Some(UnitQuota::from(result.quota())),
            duration_ms,
            content,
        }
    }

    /// An answer of `row_count` rows (for simulations and tests).
    pub fn rows(row_count: usize) -> UnitOutcome {
        UnitOutcome {
            row_count,
            body_bytes: 0,
            quota: None,
            duration_ms: 0,
            content: Content::Rows,
        }
    }

    /// An answer whose rows have these timestamps (ticks).
    pub fn timestamps(ticks: Vec<i64>) -> UnitOutcome {
        UnitOutcome {
            row_count: ticks.len(),
            content: Content::Timestamps(Ok(ticks)),
            ..UnitOutcome::rows(0)
        }
    }

    /// A probe's answer: `(bin start in ticks, rows)`.
    pub fn histogram(bins: Vec<(i64, u64)>) -> UnitOutcome {
        UnitOutcome {
            row_count: bins.len(),
            content: Content::Histogram(Ok(bins)),
            ..UnitOutcome::rows(0)
        }
    }

    pub fn with_duration(mut self, duration_ms: u64) -> Self {
        self.duration_ms = duration_ms;
        self
    }

    pub fn with_body_bytes(mut self, body_bytes: usize) -> Self {
        self.body_bytes = body_bytes;
        self
    }

    pub fn with_quota(mut self, quota: UnitQuota) -> Self {
        self.quota = Some(quota);
        self
    }
}

/// Which rows of an answer belong to the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeptRows {
    All,
    /// Row indices, ascending, into the answer.
    Indices(Vec<usize>),
}

/// What to do with an answer's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Write these rows: they are final (check the unit's `cut_short` for
    /// answers that may be incomplete).
    Keep(KeptRows),
    /// Write nothing: the unit is retried or re-planned, the answer was a
    /// probe, or it came too late (the unit was no longer running).
    Discard,
}
