//! Native tests of the history: folding, search, filters, retention,
//! migration from version 1, merging, the portal import and storage.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use super::*;
use crate::platform::{MemoryStorage, Storage};

const DAY: i64 = 86_400_000;
const NOW: i64 = 1_796_000_000_000;

fn run(source: Source, at: i64) -> Run {
    Run {
        id: String::new(),
        source,
        tenant_id: Some("tenant-a".into()),
        start_ms: at - 7 * DAY,
        end_ms: at,
        started_at_ms: at,
        ended_at_ms: Some(at + 1200),
        duration_ms: Some(1200),
        rows: Some(10),
        outcome: Outcome::Ok,
        quota: None,
        exports: Vec::new(),
        units: Vec::new(),
        portal_stamp: None,
    }
}

fn failed(at: i64, message: &str) -> Run {
    Run {
        outcome: Outcome::Error {
            kind: "query_error".into(),
            message: message.into(),
        },
        rows: None,
        ..run(Source::Huntkit, at)
    }
}

fn history_of(items: &[(&str, Run)]) -> History {
    let mut h = History::new(Document::default());
    for (text, r) in items {
        h.record(text, r.clone()).expect("recorded");
    }
    h
}

fn ids(page: &SearchPage<'_>) -> Vec<String> {
    page.entries
        .iter()
        .map(|e| e.query_text.to_owned())
        .collect()
}

/// The storage here answers at once, so one poll finishes a call.
fn now<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("an in-memory call should not wait"),
    }
}

#[test]
fn identical_queries_fold_into_one_entry_with_their_runs() {
    let h = history_of(&[
        ("DeviceInfo | take 10", run(Source::Huntkit, NOW - 3000)),
        (
            "DeviceInfo\n|   take 10\n",
            run(Source::Huntkit, NOW - 2000),
        ),
        ("DeviceInfo | take 11", run(Source::Huntkit, NOW - 1000)),
    ]);
    assert_eq!(h.entries().len(), 2);
    let folded = h.entry(&entry_id("DeviceInfo | take 10")).expect("entry");
    assert_eq!(folded.runs.len(), 2);
    // The entry shows the text as last run, and its runs have distinct ids.
    assert_eq!(folded.query_text, "DeviceInfo\n|   take 10\n");
    assert_ne!(folded.runs[0].id, folded.runs[1].id);
    assert_eq!(folded.tables, ["DeviceInfo"]);
}

#[test]
fn two_runs_at_the_same_millisecond_get_distinct_ids() {
    let h = history_of(&[
        ("T", run(Source::Huntkit, NOW)),
        ("T", run(Source::Huntkit, NOW)),
    ]);
    let runs = &h.entries()[0].runs;
    assert_eq!(runs.len(), 2);
    assert_ne!(runs[0].id, runs[1].id);
}

#[test]
fn empty_and_giant_texts_are_refused() {
    let mut h = History::new(Document::default());
    assert_eq!(
        h.record("  \n", run(Source::Huntkit, NOW)),
        Err(HistoryError::EmptyQuery)
    );
    let giant = "T".repeat(MAX_QUERY_CHARS + 1);
    let error = h
        .record(&giant, run(Source::Huntkit, NOW))
        .expect_err("too long");
    assert_eq!(
        error.to_string(),
        format!(
            "the query text is too long: {} characters, at most 100000",
            MAX_QUERY_CHARS + 1
        )
    );
}

#[test]
fn search_covers_text_tables_titles_tags_and_errors_newest_first() {
    let mut h = history_of(&[
        (
            "DeviceProcessEvents | where FileName =~ 'powershell.exe'",
            run(Source::Huntkit, NOW - 3000),
        ),
        (
            "let x = 1; EmailEvents | take 5",
            run(Source::Huntkit, NOW - 2000),
        ),
        (
            "DeviceLogonEvents | summarize count() by bogus",
            failed(NOW - 1000, "Failed to resolve column 'bogus'"),
        ),
    ]);
    assert_eq!(h.search(&Filter::default()).total, 3);
    assert_eq!(
        ids(&h.search(&Filter::default()))[0],
        "DeviceLogonEvents | summarize count() by bogus"
    );
    let by = |text: &str| {
        ids(&h.search(&Filter {
            text: text.into(),
            ..Filter::default()
        }))
    };
    assert_eq!(
        by("POWERSHELL"),
        ["DeviceProcessEvents | where FileName =~ 'powershell.exe'"]
    );
    assert_eq!(by("emailevents take"), ["let x = 1; EmailEvents | take 5"]);
    assert_eq!(
        by("resolve column"),
        ["DeviceLogonEvents | summarize count() by bogus"]
    );
    assert!(by("nothing-like-this").is_empty());
    let id = entry_id("let x = 1; EmailEvents | take 5");
    h.update(
        &id,
        EntryUpdate {
            title: Some("Mail triage".into()),
            tags: Some(vec!["phish".into(), " phish ".into()]),
            pinned: Some(true),
        },
    )
    .expect("updated");
    let by = |text: &str| {
        ids(&h.search(&Filter {
            text: text.into(),
            ..Filter::default()
        }))
    };
    assert_eq!(by("triage"), ["let x = 1; EmailEvents | take 5"]);
    assert_eq!(by("phish"), ["let x = 1; EmailEvents | take 5"]);
    let entry = h.entry(&id).expect("entry");
    assert_eq!(entry.tags, ["phish"]);
    assert!(entry.pinned);
    // A table name alone finds the query that reads it.
    let tables = ids(&h.search(&Filter {
        text: "devicelogonevents".into(),
        ..Filter::default()
    }));
    assert_eq!(tables.len(), 1);
}

#[test]
fn filters_hold_together_on_one_run() {
    let mut other_tenant = failed(NOW - 5 * DAY, "boom");
    other_tenant.tenant_id = Some("tenant-b".into());
    let h = history_of(&[
        ("A", run(Source::Huntkit, NOW - DAY)),
        ("A", other_tenant),
        ("B", run(Source::Portal, NOW - 2 * DAY)),
        ("C", run(Source::Import, NOW - 10 * DAY)),
    ]);
    let find = |f: Filter| ids(&h.search(&f));
    assert_eq!(
        find(Filter {
            status: Some("error".into()),
            ..Filter::default()
        }),
        ["A"]
    );
    // An error exists, and tenant-a exists, but not on the same run.
    assert!(find(Filter {
        status: Some("error".into()),
        tenant_id: Some("tenant-a".into()),
        ..Filter::default()
    })
    .is_empty());
    assert_eq!(
        find(Filter {
            source: Some(Source::Portal),
            ..Filter::default()
        }),
        ["B"]
    );
    assert_eq!(
        find(Filter {
            from_ms: Some(NOW - 3 * DAY),
            ..Filter::default()
        }),
        ["A", "B"]
    );
    assert_eq!(
        find(Filter {
            to_ms: Some(NOW - 3 * DAY),
            ..Filter::default()
        }),
        ["A", "C"]
    );
    assert_eq!(
        find(Filter {
            pinned_only: true,
            ..Filter::default()
        }),
        Vec::<String>::new()
    );
    let page = h.search(&Filter {
        limit: Some(1),
        ..Filter::default()
    });
    assert_eq!((page.total, page.entries.len()), (3, 1));
    assert_eq!(page.tenants, ["tenant-a", "tenant-b"]);
}

#[test]
fn retention_drops_old_runs_and_the_oldest_entries_but_keeps_pins() {
    let mut h = history_of(&[
        ("old", run(Source::Huntkit, NOW - 400 * DAY)),
        ("pinned-old", run(Source::Huntkit, NOW - 500 * DAY)),
        ("mixed", run(Source::Huntkit, NOW - 300 * DAY)),
        ("mixed", run(Source::Huntkit, NOW - DAY)),
        ("new1", run(Source::Huntkit, NOW - 3 * DAY)),
        ("new2", run(Source::Huntkit, NOW - 2 * DAY)),
    ]);
    h.update(
        &entry_id("pinned-old"),
        EntryUpdate {
            pinned: Some(true),
            ..EntryUpdate::default()
        },
    )
    .expect("pinned");
    assert_eq!(h.apply_retention(NOW), 1);
    assert!(h.entry(&entry_id("old")).is_none());
    assert_eq!(h.entry(&entry_id("mixed")).expect("mixed").runs.len(), 1);
    assert!(h.entry(&entry_id("pinned-old")).is_some());
    h.set_settings(Settings {
        retention_count: 2,
        ..Settings::default()
    });
    h.apply_retention(NOW);
    let mut left: Vec<&str> = h.entries().iter().map(|e| e.query_text.as_str()).collect();
    left.sort_unstable();
    // One pinned plus the one newest unpinned entry.
    assert_eq!(left, ["mixed", "pinned-old"]);
    // The index follows the entries that moved.
    assert!(h.entry(&entry_id("mixed")).is_some());
    assert_eq!(
        h.search(&Filter {
            text: "mixed".into(),
            ..Filter::default()
        })
        .total,
        1
    );
}

#[test]
fn a_version_1_history_migrates_to_the_current_version() {
    let v1 = r#"{"version":1,"runs":[
      {"queryText":"DeviceInfo | take 1","tenantId":"t1","startMs":1000,"endMs":2000,"ranAtMs":5000,"durationMs":300,"rowCount":1,"error":null,"source":"huntkit","exports":["a.csv"]},
      {"queryText":"DeviceInfo\n| take 1","tenantId":"t1","startMs":1000,"endMs":2000,"ranAtMs":6000,"durationMs":null,"rowCount":null,"error":"Syntax error","source":"portal"},
      {"queryText":"EmailEvents","startMs":0,"endMs":1,"ranAtMs":7000}
    ]}"#;
    let (doc, version) = read_versioned(v1).expect("migrated");
    assert_eq!(version, 1);
    assert_eq!(doc.version, CURRENT_VERSION);
    assert_eq!(doc.entries.len(), 2);
    let h = History::new(doc);
    let entry = h.entry(&entry_id("DeviceInfo | take 1")).expect("entry");
    assert_eq!(entry.runs.len(), 2);
    assert_eq!(entry.runs[0].exports, ["a.csv"]);
    assert_eq!(entry.runs[0].ended_at_ms, Some(5300));
    assert_eq!(entry.runs[1].source, Source::Portal);
    assert_eq!(
        entry.runs[1].outcome,
        Outcome::Error {
            kind: "unknown".into(),
            message: "Syntax error".into()
        }
    );
    assert_eq!(
        h.entry(&entry_id("EmailEvents")).expect("e").runs[0].outcome,
        Outcome::Unknown
    );
    // And the migrated document reads back as itself.
    let again = read_document(&write_document(h.document()).expect("written")).expect("read");
    assert_eq!(&again, h.document());
}

#[test]
fn unknown_and_newer_versions_are_refused_with_the_version_shown() {
    assert_eq!(
        read_document(r#"{"version":9,"entries":[]}"#),
        Err(HistoryError::TooNew {
            found: 9,
            max: CURRENT_VERSION
        })
    );
    assert_eq!(
        read_document(r#"{"version":0}"#),
        Err(HistoryError::UnknownVersion(0))
    );
    let error = read_document(r#"{"entries":[]}"#).expect_err("no version");
    assert_eq!(
        error.to_string(),
        "the history file is not valid: no \"version\" number at the top"
    );
}

#[test]
fn importing_an_export_merges_without_duplicates() {
    let mut mine = history_of(&[
        ("A", run(Source::Huntkit, NOW - 3000)),
        ("B", run(Source::Huntkit, NOW - 2000)),
    ]);
    mine.update(
        &entry_id("A"),
        EntryUpdate {
            tags: Some(vec!["x".into()]),
            ..EntryUpdate::default()
        },
    )
    .expect("tag");
    let mut theirs = History::new(mine.document().clone());
    theirs
        .record("A", run(Source::Huntkit, NOW - 1000))
        .expect("run");
    theirs
        .record("C", run(Source::Portal, NOW - 500))
        .expect("run");
    theirs
        .update(
            &entry_id("A"),
            EntryUpdate {
                tags: Some(vec!["y".into()]),
                title: Some("theirs".into()),
                pinned: Some(true),
            },
        )
        .expect("edit");
    let exported = write_document(theirs.document()).expect("export");

    let report = mine
        .merge(read_document(&exported).expect("read"))
        .expect("merged");
    assert_eq!(
        report,
        MergeReport {
            added_entries: 1,
            added_runs: 2
        }
    );
    let a = mine.entry(&entry_id("A")).expect("A");
    assert_eq!(a.runs.len(), 2);
    assert_eq!(a.tags, ["x", "y"]);
    assert!(a.pinned);
    assert_eq!(a.title.as_deref(), Some("theirs"));
    // A second import of the same file changes nothing.
    let before = mine.document().clone();
    let again = mine
        .merge(read_document(&exported).expect("read"))
        .expect("merged");
    assert_eq!(again, MergeReport::default());
    assert_eq!(mine.document(), &before);
}

fn portal_body(items: &[(&str, i64)]) -> Vec<u8> {
    let list: Vec<serde_json::Value> = items
        .iter()
        .map(|(text, at)| {
            serde_json::json!({
                "QueryText": text,
                "StartTime": crate::portal::iso_millis(at - 7 * DAY),
                "EndTime": crate::portal::iso_millis(*at),
                "Timestamp": format!("{}0000Z", &crate::portal::iso_millis(at + 40)[..23]),
            })
        })
        .collect();
    serde_json::to_vec(&list).expect("json")
}

#[test]
fn the_portal_history_links_huntkit_runs_and_imports_the_rest_once() {
    let mut h = history_of(&[("DeviceInfo | take 1", run(Source::Huntkit, NOW - 5000))]);
    let body = portal_body(&[
        ("DeviceInfo | take 1", NOW - 5000),
        ("<img src=x onerror=alert(1)>", NOW - 4000),
    ]);
    let (items, skipped) = parse_user_history(&body).expect("parsed");
    assert_eq!((items.len(), skipped), (2, 0));
    let report = h.import_portal(&items, Source::Import, Some("tenant-a"));
    assert_eq!(
        report,
        ImportReport {
            added: 1,
            linked: 1,
            known: 0,
            skipped: 0
        }
    );
    assert_eq!(h.entries().len(), 2);
    assert_eq!(
        h.entry(&entry_id("DeviceInfo | take 1"))
            .expect("e")
            .runs
            .len(),
        1
    );
    let again = h.import_portal(&items, Source::Portal, None);
    assert_eq!(
        again,
        ImportReport {
            added: 0,
            linked: 0,
            known: 2,
            skipped: 0
        }
    );
}

#[test]
fn malformed_portal_items_are_skipped_and_a_wrong_shape_is_an_error() {
    let body = br#"[{"QueryText":"T","StartTime":"2026-01-01T00:00:00.000Z","EndTime":"2026-01-02T00:00:00.000Z","Timestamp":"2026-01-02T00:00:01.1234567Z"},
      {"QueryText":7},{"QueryText":"T2","StartTime":"yesterday","EndTime":null,"Timestamp":"x"},{"QueryText":"","StartTime":"2026-01-01T00:00:00Z","EndTime":"2026-01-01T00:00:00Z","Timestamp":"2026-01-01T00:00:00Z"}]"#;
    let (items, skipped) = parse_user_history(body).expect("parsed");
    assert_eq!((items.len(), skipped), (1, 3));
    assert_eq!(items[0].ran_at_ms, 1_767_312_001_123);
    let error = parse_user_history(br#"{"error":"x"}"#).expect_err("object");
    assert_eq!(
        error.to_string(),
        "the portal's history has an unexpected shape: expected a list of queries, got an object"
    );
    assert!(parse_user_history(b"<html>").is_err());
}

#[test]
fn row_counts_of_two_runs_compare_older_first() {
    let mut later = run(Source::Huntkit, NOW);
    later.rows = Some(15);
    let h = history_of(&[("A", later), ("A", run(Source::Huntkit, NOW - DAY))]);
    let runs = &h.entries()[0].runs;
    let cmp = h.compare_runs(&runs[1].id, &runs[0].id).expect("compared");
    assert_eq!(
        (cmp.first.rows, cmp.second.rows, cmp.difference),
        (Some(10), Some(15), Some(5))
    );
    assert_eq!(cmp.change_percent, Some(50.0));
    assert_eq!(
        h.compare_runs("nope", &runs[0].id),
        Err(HistoryError::NoRun("nope".into()))
    );
}

#[test]
fn the_service_stores_reloads_after_another_writer_and_upgrades_version_1() {
    let storage = MemoryStorage::default();
    storage.values.borrow_mut().insert(
        DOC_KEY.into(),
        r#"{"version":1,"runs":[{"queryText":"X","startMs":0,"endMs":1,"ranAtMs":NOW}]}"#
            .replace("NOW", &NOW.to_string()),
    );
    let one = now(HistoryService::open(storage, "tab1".into())).expect("opened");
    // The upgrade was written back as the current version.
    let stored = one
        .storage()
        .values
        .borrow()
        .get(DOC_KEY)
        .cloned()
        .expect("stored");
    assert_eq!(read_versioned(&stored).expect("read").1, CURRENT_VERSION);
    now(one.change(Some(NOW), |h| {
        h.record("Y", run(Source::Huntkit, NOW)).map(|_| ())
    }))
    .expect("changed");

    // A second copy (another tab) writes; the first sees it before its next change.
    let shared = MemoryStorage::default();
    *shared.values.borrow_mut() = one.storage().values.borrow().clone();
    let two = now(HistoryService::open(shared, "tab2".into())).expect("opened");
    now(two.change(Some(NOW), |h| {
        h.record("Z", run(Source::Huntkit, NOW)).map(|_| ())
    }))
    .expect("changed");
    *one.storage().values.borrow_mut() = two.storage().values.borrow().clone();
    now(one.change(Some(NOW), |h| {
        h.record("W", run(Source::Huntkit, NOW)).map(|_| ())
    }))
    .expect("changed");
    assert_eq!(one.read(|h| h.entries().len()), 4);
}

#[test]
fn a_failed_write_leaves_memory_as_storage_is_and_says_why() {
    let service = now(HistoryService::open(MemoryStorage::default(), "t".into())).expect("opened");
    service.storage().fail_writes.set(true);
    let error = now(service.change(None, |h| {
        h.record("A", run(Source::Huntkit, NOW)).map(|_| ())
    }))
    .expect_err("full");
    assert_eq!(error.kind(), "storage");
    assert!(error.to_string().contains("QUOTA_BYTES"), "{error}");
    assert_eq!(service.read(|h| h.entries().len()), 0);
}

#[test]
fn an_unreadable_stored_history_is_set_aside_not_lost() {
    let storage = MemoryStorage::default();
    storage
        .values
        .borrow_mut()
        .insert(DOC_KEY.into(), "{not json".into());
    let service = now(HistoryService::open(storage, "t".into())).expect("opened");
    assert_eq!(
        service
            .storage()
            .values
            .borrow()
            .get(UNREADABLE_KEY)
            .map(String::as_str),
        Some("{not json")
    );
    assert_eq!(
        now(service.storage().get(DOC_KEY))
            .expect("get")
            .map(|t| read_document(&t).is_ok()),
        Some(true)
    );
}

#[test]
fn a_newer_stored_history_is_refused_and_left_alone() {
    let storage = MemoryStorage::default();
    storage
        .values
        .borrow_mut()
        .insert(DOC_KEY.into(), r#"{"version":3}"#.into());
    let error = now(HistoryService::open(storage, "t".into()))
        .err()
        .expect("refused");
    assert_eq!(
        error,
        HistoryError::TooNew {
            found: 3,
            max: CURRENT_VERSION
        }
    );
}
