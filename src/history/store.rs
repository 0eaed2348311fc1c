//! The history in memory: folding runs into entries, the analyst's edits,
//! retention and merging. Storage is someone else's job (`service`).
//!
//! Entries are found by id through an index; each entry keeps a lower-cased
//! "haystack" of everything search looks at, built when the entry changes so
//! that a search is a plain substring scan.

use std::collections::HashMap;

use super::error::HistoryError;
use super::model::{Document, Entry, Outcome, Run, Settings, Source};
use super::normalize::entry_id;
use crate::kql::analyze;

/// Longer texts are refused: the portal's editor would not send them, and
/// one forged giant must not fill the browser's storage.
pub const MAX_QUERY_CHARS: usize = 100_000;
const MAX_TITLE_CHARS: usize = 200;
const MAX_TAGS: usize = 20;
const MAX_TAG_CHARS: usize = 40;
/// A query run thousands of times keeps its newest runs only.
pub const MAX_RUNS_PER_ENTRY: usize = 500;
const DAY_MS: i64 = 86_400_000;

/// Where a run was filed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRef {
    pub entry_id: String,
    pub run_id: String,
}

/// The analyst's edits to an entry; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EntryUpdate {
    /// `Some("")` removes the title.
    pub title: Option<String>,
    pub pinned: Option<bool>,
    pub tags: Option<Vec<String>>,
}

/// What a merge of another history did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MergeReport {
    pub added_entries: usize,
    pub added_runs: usize,
}

pub struct History {
    pub(super) doc: Document,
    pub(super) index: HashMap<String, usize>,
    pub(super) haystacks: Vec<String>,
}

impl History {
    pub fn new(doc: Document) -> Self {
        let mut history = Self {
            doc,
            index: HashMap::new(),
            haystacks: Vec::new(),
        };
        history.reindex();
        history
    }

    pub fn document(&self) -> &Document {
        &self.doc
    }

    pub fn entries(&self) -> &[Entry] {
        &self.doc.entries
    }

    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.index.get(id).map(|&i| &self.doc.entries[i])
    }

    pub fn settings(&self) -> &Settings {
        &self.doc.settings
    }

    pub fn set_settings(&mut self, settings: Settings) {
        self.doc.settings = settings;
    }

    pub fn last_import_day(&self) -> Option<&str> {
        self.doc.last_import_day.as_deref()
    }

    pub fn set_last_import_day(&mut self, day: String) {
        self.doc.last_import_day = Some(day);
    }

    /// Files a run under the entry of its text (creating it), and returns
    /// where. The entry shows the text as last run.
    pub fn record(&mut self, query_text: &str, mut run: Run) -> Result<RunRef, HistoryError> {
        check_query(query_text)?;
        let id = entry_id(query_text);
        let i = match self.index.get(&id) {
            Some(&i) => i,
            None => self.insert(Entry {
                id: id.clone(),
                query_text: String::new(),
                title: None,
                pinned: false,
                tags: Vec::new(),
                tables: Vec::new(),
                runs: Vec::new(),
            }),
        };
        let entry = &mut self.doc.entries[i];
        if entry.query_text != query_text {
            query_text.clone_into(&mut entry.query_text);
            entry.tables = table_names(query_text);
        }
        run.id = unique_run_id(entry, &run);
        let run_id = run.id.clone();
        push_run(entry, run);
        self.refresh(i);
        Ok(RunRef {
            entry_id: id,
            run_id,
        })
    }

    /// Adds the file name of an export to the run it was made from.
    pub fn add_export(&mut self, at: &RunRef, file_name: &str) -> Result<(), HistoryError> {
        let i = self.position(&at.entry_id)?;
        let run = self.doc.entries[i]
            .runs
            .iter_mut()
            .find(|r| r.id == at.run_id)
            .ok_or_else(|| HistoryError::NoRun(at.run_id.clone()))?;
        run.exports.push(file_name.to_owned());
        Ok(())
    }

    pub fn update(&mut self, id: &str, update: EntryUpdate) -> Result<(), HistoryError> {
        let i = self.position(id)?;
        let title = update
            .title
            .map(|t| check_len("title", t.trim(), MAX_TITLE_CHARS).map(str::to_owned))
            .transpose()?;
        let tags = update.tags.map(clean_tags).transpose()?;
        let entry = &mut self.doc.entries[i];
        if let Some(title) = title {
            entry.title = (!title.is_empty()).then_some(title);
        }
        if let Some(pinned) = update.pinned {
            entry.pinned = pinned;
        }
        if let Some(tags) = tags {
            entry.tags = tags;
        }
        self.refresh(i);
        Ok(())
    }

    pub fn remove(&mut self, id: &str) -> Result<(), HistoryError> {
        let i = self.position(id)?;
        self.doc.entries.remove(i);
        self.reindex();
        Ok(())
    }

    /// Forgets every entry; settings stay.
    pub fn clear(&mut self) {
        self.doc.entries.clear();
        self.reindex();
    }

    /// Drops runs older than the retention days, then entries left without
    /// runs, then the oldest entries beyond the retention count. Pinned
    /// entries are kept whole: pinning is how an analyst says "keep this".
    /// Returns how many entries went.
    pub fn apply_retention(&mut self, now_ms: i64) -> usize {
        let before = self.doc.entries.len();
        let settings = self.doc.settings.clone();
        let cutoff = now_ms.saturating_sub(i64::from(settings.retention_days) * DAY_MS);
        for entry in self.doc.entries.iter_mut().filter(|e| !e.pinned) {
            entry.runs.retain(|r| r.started_at_ms >= cutoff);
        }
        self.doc.entries.retain(|e| e.pinned || !e.runs.is_empty());
        let limit = settings.retention_count as usize;
        let pinned = self.doc.entries.iter().filter(|e| e.pinned).count();
        let keep = limit.saturating_sub(pinned);
        if self.doc.entries.len() - pinned > keep {
            // Newest first, so the oldest unpinned entries are the ones to go.
            let mut order: Vec<usize> = (0..self.doc.entries.len()).collect();
            order.sort_by_key(|&i| std::cmp::Reverse(self.doc.entries[i].last_run_ms()));
            let mut keep_flags = vec![false; self.doc.entries.len()];
            let mut kept = 0;
            for i in order {
                if self.doc.entries[i].pinned {
                    keep_flags[i] = true;
                } else if kept < keep {
                    keep_flags[i] = true;
                    kept += 1;
                }
            }
            let mut flags = keep_flags.into_iter();
            self.doc.entries.retain(|_| flags.next().unwrap_or(false));
        }
        let removed = before - self.doc.entries.len();
        self.reindex();
        removed
    }

    /// Adds another history (an exported file, another browser) to this
    /// one. Runs already here, by id or by portal stamp, are not added
    /// again; pins and tags are united; a local title wins.
    pub fn merge(&mut self, other: Document) -> Result<MergeReport, HistoryError> {
        let mut report = MergeReport::default();
        for theirs in other.entries {
            check_query(&theirs.query_text)?;
            let id = entry_id(&theirs.query_text);
            let Some(&i) = self.index.get(&id) else {
                let mut entry = theirs;
                entry.id = id;
                entry.tables = table_names(&entry.query_text);
                entry.tags = clean_tags(std::mem::take(&mut entry.tags))?;
                entry.runs.truncate(MAX_RUNS_PER_ENTRY);
                report.added_entries += 1;
                report.added_runs += entry.runs.len();
                self.insert(entry);
                continue;
            };
            let ours = &mut self.doc.entries[i];
            for run in theirs.runs {
                let known = ours.runs.iter().any(|r| {
                    r.id == run.id
                        || (run.portal_stamp.is_some() && r.portal_stamp == run.portal_stamp)
                });
                if !known {
                    push_run(ours, run);
                    report.added_runs += 1;
                }
            }
            ours.pinned |= theirs.pinned;
            if ours.title.is_none() {
                ours.title = theirs.title;
            }
            let mut tags = std::mem::take(&mut ours.tags);
            tags.extend(theirs.tags);
            ours.tags = clean_tags(tags)?;
            self.refresh(i);
        }
        Ok(report)
    }

    /// Finds a run anywhere in the history.
    pub fn run(&self, run_id: &str) -> Option<(&Entry, &Run)> {
        self.doc
            .entries
            .iter()
            .find_map(|e| e.runs.iter().find(|r| r.id == run_id).map(|r| (e, r)))
    }

    pub(super) fn position(&self, id: &str) -> Result<usize, HistoryError> {
        self.index
            .get(id)
            .copied()
            .ok_or_else(|| HistoryError::NoEntry(id.to_owned()))
    }

    pub(super) fn entry_mut(&mut self, i: usize) -> &mut Entry {
        &mut self.doc.entries[i]
    }

    fn insert(&mut self, entry: Entry) -> usize {
        let i = self.doc.entries.len();
        self.index.insert(entry.id.clone(), i);
        self.doc.entries.push(entry);
        self.haystacks.push(String::new());
        self.refresh(i);
        i
    }

    /// Rebuilds the search text of entry `i` after it changed.
    pub(super) fn refresh(&mut self, i: usize) {
        let haystack = haystack(&self.doc.entries[i]);
        self.haystacks[i] = haystack;
    }

    fn reindex(&mut self) {
        self.index = self
            .doc
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        self.haystacks = self.doc.entries.iter().map(haystack).collect();
    }
}

/// Everything search looks at, lower-cased: the text, its tables, the
/// title, the tags and the error messages of its runs.
fn haystack(entry: &Entry) -> String {
    let mut out = entry.query_text.to_lowercase();
    for part in entry
        .tables
        .iter()
        .chain(entry.title.iter())
        .chain(entry.tags.iter())
    {
        out.push('\n');
        out.push_str(&part.to_lowercase());
    }
    for run in &entry.runs {
        if let Outcome::Error { kind, message } = &run.outcome {
            out.push('\n');
            out.push_str(&kind.to_lowercase());
            out.push(' ');
            out.push_str(&message.to_lowercase());
        }
    }
    out
}

pub(super) fn table_names(text: &str) -> Vec<String> {
    analyze(text)
        .table_names(text)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

pub(super) fn check_query(text: &str) -> Result<(), HistoryError> {
    if text.trim().is_empty() {
        return Err(HistoryError::EmptyQuery);
    }
    check_len("query text", text, MAX_QUERY_CHARS).map(|_| ())
}

fn check_len<'a>(field: &'static str, text: &'a str, max: usize) -> Result<&'a str, HistoryError> {
    let len = text.chars().count();
    if len > max {
        return Err(HistoryError::TooLong { field, len, max });
    }
    Ok(text)
}

fn clean_tags(tags: Vec<String>) -> Result<Vec<String>, HistoryError> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let tag = check_len("tag", tag.trim(), MAX_TAG_CHARS)?.to_owned();
        if !tag.is_empty() && !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(HistoryError::TooLong {
            field: "tag list",
            len: out.len(),
            max: MAX_TAGS,
        });
    }
    Ok(out)
}

/// Keeps runs in start order and at most [`MAX_RUNS_PER_ENTRY`] of them.
pub(super) fn push_run(entry: &mut Entry, run: Run) {
    let at = entry
        .runs
        .partition_point(|r| r.started_at_ms <= run.started_at_ms);
    entry.runs.insert(at, run);
    if entry.runs.len() > MAX_RUNS_PER_ENTRY {
        let extra = entry.runs.len() - MAX_RUNS_PER_ENTRY;
        entry.runs.drain(..extra);
    }
}

pub(super) fn unique_run_id(entry: &Entry, run: &Run) -> String {
    let prefix = match run.source {
        Source::Huntkit => "h",
        Source::Portal => "p",
        Source::Import => "i",
    };
    let base = format!("{prefix}{}", run.started_at_ms);
    let mut id = base.clone();
    let mut n = 2;
    while entry.runs.iter().any(|r| r.id == id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}
