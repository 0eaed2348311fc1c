//! The portal's own history (`reports/userHistory`) into ours.
//!
//! Everything in that answer is untrusted display data: a page script can
//! run any query text it likes, and the portal records it. So each item is
//! checked (types, sizes, parseable times) and a bad item is skipped, not
//! trusted; the panel shows the text as text only.
//!
//! The portal also records the queries huntkit ran. Such an item is linked
//! to huntkit's own run (same text and range, started within
//! [`LINK_WINDOW_MS`]) instead of being added a second time; an item seen
//! before (same portal timestamp) changes nothing.

use jiff::Timestamp;
use serde_json::Value;

use super::error::HistoryError;
use super::model::{Outcome, Run, Source};
use super::normalize::entry_id;
use super::store::{check_query, History};

/// The portal keeps 30; more than this in one answer is not the portal.
const MAX_ITEMS: usize = 100;
const MAX_STAMP_CHARS: usize = 40;
/// How far the portal's clock and the browser's may disagree about when a
/// huntkit run started for the two to count as the same run.
pub const LINK_WINDOW_MS: i64 = 5 * 60_000;

/// One query from the portal's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalItem {
    pub query_text: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub ran_at_ms: i64,
    /// The portal's `Timestamp`, verbatim.
    pub stamp: String,
}

/// The items of a `userHistory` answer, and how many were skipped as
/// malformed.
pub fn parse_user_history(body: &[u8]) -> Result<(Vec<PortalItem>, usize), HistoryError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        let start = String::from_utf8_lossy(&body[..body.len().min(120)]).into_owned();
        HistoryError::PortalShape(format!("not JSON ({e}): {start:?}"))
    })?;
    let Value::Array(items) = value else {
        return Err(HistoryError::PortalShape(format!(
            "expected a list of queries, got {}",
            kind_of(&value)
        )));
    };
    if items.len() > MAX_ITEMS {
        return Err(HistoryError::PortalShape(format!(
            "{} items, the portal keeps at most 30",
            items.len()
        )));
    }
    let mut skipped = 0;
    let parsed = items
        .iter()
        .filter_map(|item| {
            let parsed = parse_item(item);
            skipped += usize::from(parsed.is_none());
            parsed
        })
        .collect();
    Ok((parsed, skipped))
}

fn parse_item(item: &Value) -> Option<PortalItem> {
    let text = item.get("QueryText")?.as_str()?;
    check_query(text).ok()?;
    let stamp = item.get("Timestamp")?.as_str()?;
    if stamp.len() > MAX_STAMP_CHARS {
        return None;
    }
    Some(PortalItem {
        query_text: text.to_owned(),
        start_ms: parse_ms(item.get("StartTime")?)?,
        end_ms: parse_ms(item.get("EndTime")?)?,
        ran_at_ms: parse_ms(item.get("Timestamp")?)?,
        stamp: stamp.to_owned(),
    })
}

fn parse_ms(value: &Value) -> Option<i64> {
    let text = value.as_str()?;
    if text.len() > MAX_STAMP_CHARS {
        return None;
    }
    text.parse::<Timestamp>().ok().map(|t| t.as_millisecond())
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// New runs added.
    pub added: usize,
    /// Items recognised as huntkit's own runs.
    pub linked: usize,
    /// Items imported before.
    pub known: usize,
    /// Malformed items left out.
    pub skipped: usize,
}

impl History {
    /// Files the portal's items as runs from `source` (`Portal` when seen
    /// in the editor, `Import` otherwise), in `tenant_id` if known.
    pub fn import_portal(
        &mut self,
        items: &[PortalItem],
        source: Source,
        tenant_id: Option<&str>,
    ) -> ImportReport {
        let mut report = ImportReport::default();
        // Oldest first, so a text run twice is linked in order.
        let mut items: Vec<&PortalItem> = items.iter().collect();
        items.sort_by_key(|item| item.ran_at_ms);
        for item in items {
            let id = entry_id(&item.query_text);
            if let Ok(i) = self.position(&id) {
                let entry = self.entry_mut(i);
                if entry
                    .runs
                    .iter()
                    .any(|r| r.portal_stamp.as_deref() == Some(&item.stamp))
                {
                    report.known += 1;
                    continue;
                }
                let own = entry.runs.iter_mut().find(|r| {
                    r.source == Source::Huntkit
                        && r.portal_stamp.is_none()
                        && r.start_ms == item.start_ms
                        && r.end_ms == item.end_ms
                        && (r.started_at_ms - item.ran_at_ms).abs() <= LINK_WINDOW_MS
                });
                if let Some(own) = own {
                    own.portal_stamp = Some(item.stamp.clone());
                    report.linked += 1;
                    continue;
                }
            }
            let run = Run {
                id: String::new(),
                source,
                tenant_id: tenant_id.map(str::to_owned),
                start_ms: item.start_ms,
                end_ms: item.end_ms,
                started_at_ms: item.ran_at_ms,
                ended_at_ms: None,
                duration_ms: None,
                rows: None,
                outcome: Outcome::Unknown,
                quota: None,
                exports: Vec::new(),
                units: Vec::new(),
                portal_stamp: Some(item.stamp.clone()),
            };
            match self.record(&item.query_text, run) {
                Ok(_) => report.added += 1,
                Err(_) => report.skipped += 1,
            }
        }
        report
    }
}
