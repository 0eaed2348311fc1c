//! The bulk runner end to end, natively: a sliced job driven through the
//! portal client over a simulated portal that really filters by time with
//! either edge behaviour and applies a row cap, finished units stored as
//! they finish, interruptions (pause, a failing disk) resumed from storage,
//! and the merged export holding every row exactly once.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use huntkit::bulk::{Job, JobConfig, Window};
use huntkit::client::PortalClient;
use huntkit::export::{CsvOptions, ExportFormat};
use huntkit::platform::{
    HttpRequest, ManualClock, MemoryStorage, Storage, Transport, TransportError,
};
use huntkit::portal::HttpResponse;
use huntkit::runner::{assemble_export, keys, run_job, Control, RunEnd};

const TICKS_PER_MS: i64 = 10_000;
const DAY_MS: i64 = 86_400_000;
const START_MS: i64 = 1_700_000_000_000;

/// A portal with one table of (Timestamp, Id) rows.
struct SimPortal {
    rows: Vec<(i64, u64)>,
    cap: usize,
    end_inclusive: bool,
    calls: RefCell<u32>,
    /// Answer the n-th call with a dropped connection.
    drop_call: Option<u32>,
}

fn ticks_of(iso: &str) -> i64 {
    let ts: jiff::Timestamp = iso.parse().expect("an ISO time");
    (ts.as_nanosecond() / 100) as i64
}

fn iso_of(ticks: i64) -> String {
    let seconds = ticks.div_euclid(10_000_000);
    let fraction = ticks.rem_euclid(10_000_000);
    let ts = jiff::Timestamp::from_second(seconds).expect("in range");
    format!("{}.{fraction:07}Z", ts.strftime("%Y-%m-%dT%H:%M:%S"))
}

impl SimPortal {
    fn answer(&self, request: &HttpRequest) -> HttpResponse {
        let body: serde_json::Value =
            serde_json::from_slice(request.body.as_deref().unwrap_or(b"{}")).expect("json");
        let query = body["QueryText"].as_str().unwrap_or_default();
        if query.contains("summarize") {
            // This portal refuses the planner's row-count probe, so the
            // planner has to size windows from density alone.
            return reply(
                400,
                r#"{"error":{"code":"BadRequest","message":"A recognition error occurred."}}"#
                    .into(),
            );
        }
        let start = ticks_of(body["StartTime"].as_str().expect("start"));
        let end = ticks_of(body["EndTime"].as_str().expect("end"));
        let rows: Vec<String> = self
            .rows
            .iter()
            .filter(|(t, _)| *t >= start && (*t < end || (self.end_inclusive && *t == end)))
            .take(self.cap)
            .map(|(t, id)| format!(r#"{{"Timestamp":"{}","Id":{id}}}"#, iso_of(*t)))
            .collect();
        reply(
            200,
            format!(
                r#"{{"Quota":{{"QueryCpuUsage":1}},"Schema":[{{"Name":"Timestamp","Type":"DateTime"}},{{"Name":"Id","Type":"Int64"}}],"Results":[{}]}}"#,
                rows.join(",")
            ),
        )
    }
}

fn reply(status: u16, body: String) -> HttpResponse {
    HttpResponse {
        status,
        url: "https://security.microsoft.com/apiproxy/mtp/huntingService/queryExecutor?useFanOut=false".into(),
        redirected: false,
        content_type: Some("application/json".into()),
        body: body.into_bytes(),
    }
}

impl Transport for SimPortal {
    fn send(
        &self,
        request: HttpRequest,
    ) -> Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + '_>> {
        *self.calls.borrow_mut() += 1;
        let answer = if Some(*self.calls.borrow()) == self.drop_call {
            Err(TransportError::Network("body interrupted".into()))
        } else {
            Ok(self.answer(&request))
        };
        Box::pin(std::future::ready(answer))
    }

    fn refresh_token(&self) -> Pin<Box<dyn Future<Output = Result<(), TransportError>> + '_>> {
        Box::pin(std::future::ready(Ok(())))
    }
}

/// Bursty rows over ten days: a steady trickle, two dense bursts, rows on
/// exact millisecond boundaries and duplicated timestamps.
fn bursty_rows(seed: u64) -> Vec<(i64, u64)> {
    let mut state = seed;
    let mut next = move |n: i64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as i64).rem_euclid(n)
    };
    let span = 10 * DAY_MS * TICKS_PER_MS;
    let base = START_MS * TICKS_PER_MS;
    let mut ticks = Vec::new();
    for _ in 0..1_500 {
        ticks.push(base + next(span));
    }
    for burst in [2 * DAY_MS, 7 * DAY_MS] {
        for _ in 0..1_200 {
            ticks.push(base + burst * TICKS_PER_MS + next(60_000 * TICKS_PER_MS));
        }
    }
    for k in 0..50 {
        let on_ms = base + (k * 3_600_000 + 1) * TICKS_PER_MS;
        ticks.push(on_ms);
        ticks.push(on_ms);
    }
    ticks.sort();
    ticks
        .into_iter()
        .enumerate()
        .map(|(i, t)| (t, i as u64))
        .collect()
}

fn block_on<F: Future>(future: F) -> F::Output {
    // Every future here is ready when polled or advances the manual clock,
    // so a busy poll with a no-op waker finishes.
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

fn new_job() -> Job {
    let config = JobConfig {
        row_cap: 300,
        concurrency: 2,
        ..JobConfig::default()
    };
    Job::sliced(
        "SimEvents | project Timestamp, Id",
        Window::new(START_MS, START_MS + 10 * DAY_MS),
        config,
    )
    .expect("a sliceable query")
}

fn exported_ids(storage: &MemoryStorage, job: &Job) -> Vec<u64> {
    let (ndjson, rows) = block_on(assemble_export(
        storage,
        "job-1",
        job,
        ExportFormat::Ndjson,
        CsvOptions::machine(),
        Vec::new(),
    ))
    .expect("the export assembles");
    let ids: Vec<u64> = String::from_utf8(ndjson)
        .expect("utf-8")
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).expect("a row")["Id"]
                .as_u64()
                .expect("an id")
        })
        .collect();
    assert_eq!(ids.len() as u64, rows);
    ids
}

fn assert_exactly_once(ids: &[u64], total: usize) {
    let mut counts = BTreeMap::new();
    for id in ids {
        *counts.entry(*id).or_insert(0u32) += 1;
    }
    let duplicated: Vec<_> = counts
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| *id)
        .collect();
    assert!(duplicated.is_empty(), "rows exported twice: {duplicated:?}");
    let missing: Vec<u64> = (0..total as u64)
        .filter(|id| !counts.contains_key(id))
        .collect();
    assert!(
        missing.is_empty(),
        "rows missing: {} of {total}, first {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
}

#[test]
fn a_sliced_job_exports_every_row_exactly_once_under_both_edge_behaviours() {
    for end_inclusive in [true, false] {
        let rows = bursty_rows(7);
        let total = rows.len();
        let portal = SimPortal {
            rows,
            cap: 300,
            end_inclusive,
            calls: RefCell::new(0),
            drop_call: Some(3),
        };
        let client = PortalClient::new(portal);
        let clock = ManualClock::new(START_MS + 11 * DAY_MS);
        let storage = MemoryStorage::default();
        let mut job = new_job();
        let end = block_on(run_job(
            &client,
            &clock,
            &storage,
            "job-1",
            &mut job,
            &Control::default(),
            &|_| {},
        ))
        .expect("the job runs");
        assert_eq!(end, RunEnd::Done);
        assert_exactly_once(&exported_ids(&storage, &job), total);
        // Every answer at the cap was re-planned, so nothing may be cut short.
        assert!(
            job.manifest().units.iter().all(|u| u.cut_short.is_none()),
            "end_inclusive={end_inclusive}"
        );
        // The stored state is the finished job.
        let stored = block_on(storage.get(&keys::job("job-1")))
            .expect("read")
            .expect("stored");
        assert!(Job::from_json(&stored).expect("parses").is_finished());
    }
}

#[test]
fn a_paused_job_resumes_from_storage_and_a_failed_write_loses_nothing() {
    let rows = bursty_rows(11);
    let total = rows.len();
    let client = PortalClient::new(SimPortal {
        rows,
        cap: 300,
        end_inclusive: true,
        calls: RefCell::new(0),
        drop_call: None,
    });
    let clock = ManualClock::new(START_MS + 11 * DAY_MS);
    let storage = MemoryStorage::default();

    // Pause after a few answers, as the analyst would.
    let control = Control::default();
    let answers = RefCell::new(0);
    let mut job = new_job();
    let progress = |_: &Job| {
        *answers.borrow_mut() += 1;
        if *answers.borrow() == 4 {
            control.request_pause();
        }
    };
    let end = block_on(run_job(
        &client, &clock, &storage, "job-1", &mut job, &control, &progress,
    ))
    .expect("runs");
    assert!(matches!(end, RunEnd::Paused(_)), "{end:?}");
    let done_before = job
        .units()
        .iter()
        .filter(|u| u.state.name() == "done")
        .count();
    assert!(done_before > 0);

    // A new session: the job comes back from storage, not from memory.
    let stored = block_on(storage.get(&keys::job("job-1")))
        .expect("read")
        .expect("stored");
    let mut job = Job::from_json(&stored).expect("parses");
    assert!(job.resume());
    // The disk fills up mid-run: the runner stops with an error...
    storage.fail_writes.set(true);
    let error = block_on(run_job(
        &client,
        &clock,
        &storage,
        "job-1",
        &mut job,
        &Control::default(),
        &|_| {},
    ));
    assert!(error.is_err());
    // ...and the stored state, older than the one in memory, resumes.
    storage.fail_writes.set(false);
    let stored = block_on(storage.get(&keys::job("job-1")))
        .expect("read")
        .expect("stored");
    let mut job = Job::from_json(&stored).expect("parses");
    job.resume();
    let calls_before = *client.transport().calls.borrow();
    let end = block_on(run_job(
        &client,
        &clock,
        &storage,
        "job-1",
        &mut job,
        &Control::default(),
        &|_| {},
    ))
    .expect("runs");
    assert_eq!(end, RunEnd::Done);
    assert!(*client.transport().calls.borrow() > calls_before);
    assert_exactly_once(&exported_ids(&storage, &job), total);
}
