//! The stored shapes of the history (schema version [`CURRENT_VERSION`]).
//!
//! An [`Entry`] is one query, folded over whitespace: every time it ran is
//! a [`Run`] beneath it. A run may have [`Unit`]s beneath it in turn: a bulk
//! job is one run whose units are the per-tenant or per-window queries it
//! made. Field names are camelCase because the same shapes are what the
//! panel sees and what an exported history file holds.

use serde::{Deserialize, Serialize};

/// The layout written today. Version 1 was the first release's flat list of
/// runs; `migrate` reads both.
pub const CURRENT_VERSION: u32 = 2;

/// Who ran the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// huntkit itself (side panel, bulk job).
    Huntkit,
    /// The portal's own editor, seen while huntkit was running in the tab.
    Portal,
    /// The portal's history (`reports/userHistory`), imported.
    Import,
}

impl Source {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "huntkit" => Some(Self::Huntkit),
            "portal" => Some(Self::Portal),
            "import" => Some(Self::Import),
            _ => None,
        }
    }
}

/// How a run ended. Runs huntkit did not make itself have no known outcome:
/// the portal's history does not say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Error { kind: String, message: String },
    Unknown,
}

impl Outcome {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Error { .. } => "error",
            Self::Unknown => "unknown",
        }
    }
}

/// The portal's quota figures for one run, as the portal wrote them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quota {
    pub query_cpu_usage: String,
    pub execution_time: String,
}

/// One part of a bulk run (a tenant, a time slice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Unit {
    pub label: String,
    pub start_ms: i64,
    pub end_ms: i64,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub duration_ms: Option<i64>,
    #[serde(default)]
    pub rows: Option<u64>,
    pub outcome: Outcome,
}

/// One execution of a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    /// Stable across export and import, so merging files never duplicates
    /// a run: the source and the start time, plus a counter if needed.
    /// Assigned when the run is recorded; a caller leaves it empty.
    #[serde(default)]
    pub id: String,
    pub source: Source,
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// The query's time range (what it searched), Unix ms UTC.
    pub start_ms: i64,
    pub end_ms: i64,
    /// When it ran.
    pub started_at_ms: i64,
    #[serde(default)]
    pub ended_at_ms: Option<i64>,
    #[serde(default)]
    pub duration_ms: Option<i64>,
    #[serde(default)]
    pub rows: Option<u64>,
    pub outcome: Outcome,
    #[serde(default)]
    pub quota: Option<Quota>,
    /// File names of the exports made from this run's result.
    #[serde(default)]
    pub exports: Vec<String>,
    #[serde(default)]
    pub units: Vec<Unit>,
    /// The portal history's own `Timestamp` for this run, once seen there:
    /// importing the same portal item twice then changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal_stamp: Option<String>,
}

/// One query and every time it ran, oldest run first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// A hash of the whitespace-normalised text (see `normalize`).
    pub id: String,
    /// The text as last run (whitespace as the analyst wrote it).
    pub query_text: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub pinned: bool,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Table names the query reads, for search (`kql::analyze`).
    #[serde(default)]
    pub tables: Vec<String>,
    pub runs: Vec<Run>,
}

impl Entry {
    /// When it last ran; entries are listed by this, newest first.
    pub fn last_run_ms(&self) -> i64 {
        self.runs
            .iter()
            .map(|r| r.started_at_ms)
            .max()
            .unwrap_or(i64::MIN)
    }
}

/// What the analyst chose in the History settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Record the queries run in the portal's own editor.
    pub capture_portal: bool,
    /// Runs older than this are dropped (pinned entries are kept whole).
    pub retention_days: u32,
    /// At most this many entries (pinned ones always stay).
    pub retention_count: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            capture_portal: true,
            retention_days: 180,
            // chrome.storage.local holds 10 MB without `unlimitedStorage`;
            // 2,000 entries of typical queries stay well under it.
            retention_count: 2_000,
        }
    }
}

/// The whole stored history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub version: u32,
    #[serde(default)]
    pub settings: Settings,
    /// The UTC day (`2026-12-03`) of the last automatic portal import.
    #[serde(default)]
    pub last_import_day: Option<String>,
    #[serde(default)]
    pub entries: Vec<Entry>,
}

impl Default for Document {
    fn default() -> Self {
        Self {
            version: CURRENT_VERSION,
            settings: Settings::default(),
            last_import_day: None,
            entries: Vec::new(),
        }
    }
}
