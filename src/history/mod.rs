//! The query history: every query huntkit runs, the portal's own history,
//! and the queries run in the portal's editor, folded by text, searchable,
//! kept in the browser only.
//!
//! Design: the logic here is pure and native-testable: [`History`] holds the
//! [`Document`] in memory with an index and lower-cased search text per
//! entry; [`HistoryService`] keeps it in a [`crate::platform::Storage`] with
//! a schema version (`migrate` reads every version since the first) and a
//! revision that lets several portal tabs share one stored history. The
//! browser side (`crate::wasm::history`) adds only the portal call and the
//! JavaScript boundary.

mod compare;
mod error;
mod migrate;
mod model;
mod normalize;
mod portal_import;
mod search;
mod service;
mod store;

pub use compare::{RowComparison, RunRows};
pub use error::HistoryError;
pub use migrate::{read_document, read_versioned, write_document};
pub use model::{Document, Entry, Outcome, Quota, Run, Settings, Source, Unit, CURRENT_VERSION};
pub use normalize::{entry_id, normalize};
pub use portal_import::{parse_user_history, ImportReport, PortalItem, LINK_WINDOW_MS};
pub use search::{EntryView, Filter, SearchPage};
pub use service::{HistoryService, DOC_KEY, REV_KEY, UNREADABLE_KEY};
pub use store::{EntryUpdate, History, MergeReport, RunRef, MAX_QUERY_CHARS, MAX_RUNS_PER_ENTRY};

/// The UTC day of `ms`, `2026-12-03`: the unit of the daily import.
pub fn utc_day(ms: i64) -> String {
    let iso = crate::portal::iso_millis(ms);
    iso.get(..10).unwrap_or(&iso).to_owned()
}

#[cfg(test)]
mod tests;
