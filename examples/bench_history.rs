//! Times history search natively over 10,000 entries (the browser test
//! `tests/e2e/history.test.mjs` times the same in wasm in the engine frame).
//! Run with `cargo run --release --example bench_history`. Budget: 20 ms.

use std::time::{Duration, Instant};

use huntkit::history::{Document, Filter, History, Outcome, Run, Source};

const ENTRIES: i64 = 10_000;
const ITERATIONS: usize = 20;
const TABLES: [&str; 5] = [
    "DeviceProcessEvents",
    "DeviceNetworkEvents",
    "EmailEvents",
    "IdentityLogonEvents",
    "DeviceFileEvents",
];

fn history() -> History {
    let now = 1_796_000_000_000_i64;
    let mut history = History::new(Document::default());
    for i in 0..ENTRIES {
        let table = TABLES[(i % 5) as usize];
        let text = format!(
            "{table}\n| where Timestamp > ago({}d)\n| where AccountName has \"user{i}\" or FileName endswith \".ps{}\"\n| project Timestamp, DeviceName, AccountName\n| take {i}",
            i % 30 + 1,
            i % 7
        );
        let outcome = if i % 10 == 0 {
            Outcome::Error {
                kind: "query_error".into(),
                message: format!("Failed to resolve column 'Col{i}'"),
            }
        } else {
            Outcome::Ok
        };
        let run = Run {
            id: String::new(),
            source: Source::Huntkit,
            tenant_id: Some("tenant".into()),
            start_ms: now - 7 * 86_400_000,
            end_ms: now,
            started_at_ms: now - i * 60_000,
            ended_at_ms: None,
            duration_ms: None,
            rows: Some(i as u64),
            outcome,
            quota: None,
            exports: Vec::new(),
            units: Vec::new(),
            portal_stamp: None,
        };
        if let Err(e) = history.record(&text, run) {
            panic!("recording entry {i}: {e}");
        }
    }
    history
}

fn main() {
    let history = history();
    let filters = [
        ("no filter", Filter::default()),
        (
            "one term",
            Filter {
                text: "user4242".into(),
                ..Filter::default()
            },
        ),
        (
            "two terms",
            Filter {
                text: "emailevents ps3".into(),
                ..Filter::default()
            },
        ),
        (
            "error text",
            Filter {
                text: "resolve column".into(),
                ..Filter::default()
            },
        ),
        (
            "term + status + source",
            Filter {
                text: "devicefileevents".into(),
                status: Some("error".into()),
                source: Some(Source::Huntkit),
                ..Filter::default()
            },
        ),
        (
            "no match",
            Filter {
                text: "nothing-matches-this".into(),
                ..Filter::default()
            },
        ),
    ];
    println!("history search over {ENTRIES} entries (native, release)");
    for (label, filter) in filters {
        let mut runs: Vec<Duration> = (0..ITERATIONS)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(history.search(&filter).total);
                start.elapsed()
            })
            .collect();
        runs.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{label:<24} min {:>7.3} ms   median {:>7.3} ms",
            ms(runs[0]),
            ms(runs[runs.len() / 2])
        );
    }
}
