//! Finding entries: full-text terms over the text, tables, titles, tags and
//! errors, and filters over the runs.
//!
//! A term matches anywhere (case-insensitive substring); every term must
//! match. The run filters (tenant, status, source, dates) hold together on
//! one run: "an error in tenant A" is not "an error somewhere, and tenant A
//! somewhere". Entries come newest first by their newest matching run.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::model::{Entry, Run, Source};
use super::store::History;

/// At most this many runs per entry go to the panel; the count says how
/// many there are.
const RUNS_SHOWN: usize = 20;
const DEFAULT_LIMIT: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Filter {
    pub text: String,
    pub tenant_id: Option<String>,
    /// `ok`, `error` or `unknown`.
    pub status: Option<String>,
    pub source: Option<Source>,
    /// Runs that started at or after this (Unix ms).
    pub from_ms: Option<i64>,
    /// Runs that started before this.
    pub to_ms: Option<i64>,
    pub pinned_only: bool,
    pub tag: Option<String>,
    /// How many entries to return (the total is always counted).
    pub limit: Option<usize>,
}

impl Filter {
    fn has_run_filter(&self) -> bool {
        self.tenant_id.is_some()
            || self.status.is_some()
            || self.source.is_some()
            || self.from_ms.is_some()
            || self.to_ms.is_some()
    }

    fn run_matches(&self, run: &Run) -> bool {
        self.tenant_id
            .as_ref()
            .is_none_or(|t| run.tenant_id.as_ref() == Some(t))
            && self
                .status
                .as_deref()
                .is_none_or(|s| run.outcome.name() == s)
            && self.source.is_none_or(|s| run.source == s)
            && self.from_ms.is_none_or(|from| run.started_at_ms >= from)
            && self.to_ms.is_none_or(|to| run.started_at_ms < to)
    }
}

/// One entry as the panel lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryView<'a> {
    pub id: &'a str,
    pub query_text: &'a str,
    pub title: Option<&'a str>,
    pub pinned: bool,
    pub tags: &'a [String],
    pub tables: &'a [String],
    pub run_count: usize,
    pub last_run_ms: i64,
    /// Newest first.
    pub runs: Vec<&'a Run>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchPage<'a> {
    /// How many entries match in all.
    pub total: usize,
    pub entries: Vec<EntryView<'a>>,
    /// Every tenant and tag in the history, for the filter lists.
    pub tenants: Vec<&'a str>,
    pub tags: Vec<&'a str>,
}

impl History {
    pub fn search(&self, filter: &Filter) -> SearchPage<'_> {
        let terms: Vec<String> = filter
            .text
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let run_filter = filter.has_run_filter();
        let mut hits: Vec<(i64, &Entry)> = Vec::new();
        for (entry, haystack) in self.doc.entries.iter().zip(&self.haystacks) {
            if filter.pinned_only && !entry.pinned {
                continue;
            }
            if let Some(tag) = &filter.tag {
                if !entry.tags.contains(tag) {
                    continue;
                }
            }
            if !terms.iter().all(|t| haystack.contains(t.as_str())) {
                continue;
            }
            let newest = if run_filter {
                entry
                    .runs
                    .iter()
                    .filter(|r| filter.run_matches(r))
                    .map(|r| r.started_at_ms)
                    .max()
            } else {
                Some(entry.last_run_ms())
            };
            if let Some(newest) = newest {
                hits.push((newest, entry));
            }
        }
        hits.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
        let total = hits.len();
        let entries = hits
            .into_iter()
            .take(filter.limit.unwrap_or(DEFAULT_LIMIT))
            .map(|(_, e)| view(e))
            .collect();
        SearchPage {
            total,
            entries,
            tenants: self.distinct(|e| {
                e.runs
                    .iter()
                    .filter_map(|r| r.tenant_id.as_deref())
                    .collect()
            }),
            tags: self.distinct(|e| e.tags.iter().map(String::as_str).collect()),
        }
    }

    fn distinct<'a>(&'a self, of: impl Fn(&'a Entry) -> Vec<&'a str>) -> Vec<&'a str> {
        let set: BTreeSet<&str> = self.doc.entries.iter().flat_map(of).collect();
        set.into_iter().collect()
    }
}

fn view(entry: &Entry) -> EntryView<'_> {
    EntryView {
        id: &entry.id,
        query_text: &entry.query_text,
        title: entry.title.as_deref(),
        pinned: entry.pinned,
        tags: &entry.tags,
        tables: &entry.tables,
        run_count: entry.runs.len(),
        last_run_ms: entry.last_run_ms(),
        runs: entry.runs.iter().rev().take(RUNS_SHOWN).collect(),
    }
}
