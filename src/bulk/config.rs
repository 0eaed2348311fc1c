//! Job settings, with conservative defaults.
//!
//! Stored with every job (so a resumed job keeps its settings); fields
//! missing from older saved jobs take their defaults. Fractions are whole
//! percentages so that a saved job reads back bit for bit.

use serde::{Deserialize, Serialize};

use super::pacer::u64_text;
use super::template::BatchLimits;
use super::BulkError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct JobConfig {
    /// Calls in flight at once.
    pub concurrency: usize,
    /// The portal's call quota (PORTAL.md: at least 45 a minute and 1,500
    /// an hour per tenant). 0 turns a rule off.
    pub calls_per_minute: u32,
    pub calls_per_hour: u32,
    /// Added to each quota window, for the delay between a call leaving
    /// and the portal counting it.
    pub pacing_margin_ms: u64,
    /// Retries after a 5xx, a timeout, a dropped connection or a refused
    /// token, before the unit fails.
    pub max_retries: u32,
    /// Waits for 429s and CPU blocks one unit may sit out before it fails.
    pub max_waits: u32,
    /// First backoff delay (doubled per attempt, with jitter) and its cap.
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    /// Rows per query the portal returns at most; an answer this long may
    /// be cut short.
    pub row_cap: u64,
    /// The portal's result size limit; an answer within 10 % of it may be
    /// cut short.
    pub size_cap_bytes: u64,
    /// Share of the row cap a window aims at when its rows were counted by
    /// a probe, and when they are estimated from density (percent).
    pub fill_counted_percent: u8,
    pub fill_estimated_percent: u8,
    /// Count rows per time bin first (one extra call) so windows can be cut
    /// to just under the cap.
    pub probe: bool,
    /// Padding on each side of a window's request.
    pub pad_ms: i64,
    pub batch: BatchLimits,
    /// Seed of the backoff jitter.
    #[serde(with = "u64_text")]
    pub seed: u64,
    /// `MaxRecordCount` in requests; `None` sends `null`, as the portal does.
    pub max_record_count: Option<u64>,
}

impl Default for JobConfig {
    fn default() -> Self {
        JobConfig {
            concurrency: 2,
            calls_per_minute: 45,
            calls_per_hour: 1_500,
            pacing_margin_ms: 500,
            max_retries: 3,
            max_waits: 20,
            backoff_base_ms: 2_000,
            backoff_max_ms: 120_000,
            row_cap: 100_000,
            size_cap_bytes: 64 * 1024 * 1024,
            fill_counted_percent: 98,
            fill_estimated_percent: 80,
            probe: true,
            pad_ms: 1,
            batch: BatchLimits::default(),
            seed: 0x5EED,
            max_record_count: None,
        }
    }
}

impl JobConfig {
    pub fn validate(&self) -> Result<(), BulkError> {
        let bad = |name: &'static str, value: String, why: &'static str| {
            Err(BulkError::Config { name, value, why })
        };
        if self.concurrency == 0 {
            return bad(
                "concurrency",
                self.concurrency.to_string(),
                "at least one call must be allowed",
            );
        }
        if self.row_cap < 2 {
            return bad("rowCap", self.row_cap.to_string(), "must be at least 2");
        }
        for (name, pct) in [
            ("fillCountedPercent", self.fill_counted_percent),
            ("fillEstimatedPercent", self.fill_estimated_percent),
        ] {
            if pct == 0 || pct > 100 {
                return bad(name, pct.to_string(), "must be between 1 and 100");
            }
        }
        if self.pad_ms < 1 {
            return bad(
                "padMs",
                self.pad_ms.to_string(),
                "must be at least 1 ms to cover either edge behaviour",
            );
        }
        if self.batch.max_values == 0 {
            return bad("batch.maxValues", "0".into(), "must be at least 1");
        }
        Ok(())
    }

    /// Rows a window aims at, from a percentage of the cap, staying below
    /// the cap itself (an answer of exactly the cap may be cut short).
    pub(crate) fn target_rows(&self, percent: u8) -> u64 {
        let rows = u128::from(self.row_cap) * u128::from(percent) / 100;
        u64::try_from(rows)
            .unwrap_or(u64::MAX)
            .clamp(1, self.row_cap - 1)
    }

    /// Bytes above which an answer may have been cut by the size limit.
    pub(crate) fn size_alarm_bytes(&self) -> u64 {
        self.size_cap_bytes / 10 * 9
    }
}
