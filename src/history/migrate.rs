//! Reading a stored or exported history of any version this huntkit knows.
//!
//! Version 1 (the first release) kept a flat list of runs, one record per
//! execution, with the error as a bare message:
//! `{"version":1,"runs":[{"queryText","tenantId","startMs","endMs",
//! "ranAtMs","durationMs","rowCount","error","source","exports"}]}`.
//! Version 2 folds runs into entries (see `model`). Each step upgrades one
//! version, so a future version 3 adds one function here.

use serde::Deserialize;
use serde_json::Value;

use super::error::HistoryError;
use super::model::{Document, Outcome, Run, Source, CURRENT_VERSION};
use super::store::History;

/// Parses `text` and brings it to the current version.
pub fn read_document(text: &str) -> Result<Document, HistoryError> {
    read_versioned(text).map(|(doc, _)| doc)
}

/// Like [`read_document`], and says which version `text` was written in.
pub fn read_versioned(text: &str) -> Result<(Document, u32), HistoryError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| HistoryError::Parse(e.to_string()))?;
    let version = value
        .get("version")
        .and_then(Value::as_u64)
        .ok_or_else(|| HistoryError::Parse("no \"version\" number at the top".into()))?;
    let version = u32::try_from(version).map_err(|_| HistoryError::TooNew {
        found: u32::MAX,
        max: CURRENT_VERSION,
    })?;
    let doc = match version {
        1 => from_v1(value),
        CURRENT_VERSION => {
            serde_json::from_value(value).map_err(|e| HistoryError::Parse(e.to_string()))
        }
        v if v > CURRENT_VERSION => Err(HistoryError::TooNew {
            found: v,
            max: CURRENT_VERSION,
        }),
        v => Err(HistoryError::UnknownVersion(v)),
    }?;
    Ok((doc, version))
}

pub fn write_document(doc: &Document) -> Result<String, HistoryError> {
    serde_json::to_string(doc).map_err(|e| HistoryError::Parse(e.to_string()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V1 {
    runs: Vec<V1Run>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V1Run {
    query_text: String,
    #[serde(default)]
    tenant_id: Option<String>,
    start_ms: i64,
    end_ms: i64,
    ran_at_ms: i64,
    #[serde(default)]
    duration_ms: Option<i64>,
    #[serde(default)]
    row_count: Option<u64>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    exports: Vec<String>,
}

/// Version 1 → 2: every run is filed under the entry of its text, as if it
/// had just been recorded. A run whose text is unusable is dropped.
fn from_v1(value: Value) -> Result<Document, HistoryError> {
    let v1: V1 = serde_json::from_value(value)
        .map_err(|e| HistoryError::Parse(format!("version 1: {e}")))?;
    let mut history = History::new(Document::default());
    for old in v1.runs {
        let outcome = match (old.error, old.row_count) {
            (Some(message), _) => Outcome::Error {
                kind: "unknown".into(),
                message,
            },
            (None, Some(_)) => Outcome::Ok,
            (None, None) => Outcome::Unknown,
        };
        let run = Run {
            id: String::new(),
            source: old
                .source
                .as_deref()
                .and_then(Source::parse)
                .unwrap_or(Source::Huntkit),
            tenant_id: old.tenant_id,
            start_ms: old.start_ms,
            end_ms: old.end_ms,
            started_at_ms: old.ran_at_ms,
            ended_at_ms: old.duration_ms.map(|d| old.ran_at_ms + d),
            duration_ms: old.duration_ms,
            rows: old.row_count,
            outcome,
            quota: None,
            exports: old.exports,
            units: Vec::new(),
            portal_stamp: None,
        };
        let _ = history.record(&old.query_text, run);
    }
    Ok(history.document().clone())
}
