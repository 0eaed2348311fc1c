//! The scheduler on a simulated clock: pacing, backoff, CPU blocks,
//! retries, pause/resume/cancel, sign-in, and saving and resuming a job.

mod bulk_sim;

use bulk_sim::{SimPortal, ALL_EDGES, TICKS_PER_MS};
use huntkit::bulk::{
    Action, Disposition, Job, JobConfig, JobStatus, KeptRows, PauseReason, QueryItem, UnitId,
    UnitOutcome, UnitState, Window,
};
use huntkit::platform::{Clock, ManualClock};
use huntkit::portal::{PortalError, SessionReason};

const T0: i64 = 1_729_900_000_000;
const DAY: i64 = 86_400_000;

fn range() -> Window {
    Window::new(T0 - DAY, T0)
}

fn items(n: usize) -> Vec<QueryItem> {
    (0..n)
        .map(|i| QueryItem {
            name: format!("q{i}"),
            query: format!("T{i} | take 1"),
            range: None,
            source: None,
        })
        .collect()
}

fn list_job(n: usize, config: JobConfig) -> Job {
    Job::queries(items(n), range(), config).expect("job")
}

fn send(job: &mut Job, clock: &ManualClock) -> UnitId {
    match job.next_action(clock.now_ms()) {
        Action::Send { unit_id, .. } => unit_id,
        other => panic!("expected a send at {}, got {other:?}", clock.now_ms()),
    }
}

/// Advances the clock to a wait's end and sends.
fn wait_then_send(job: &mut Job, clock: &ManualClock) -> (u64, UnitId) {
    match job.next_action(clock.now_ms()) {
        Action::WaitUntil(t) => {
            let waited = (t - clock.now_ms()) as u64;
            clock.advance(waited);
            (waited, send(job, clock))
        }
        other => panic!("expected a wait, got {other:?}"),
    }
}

fn server_error() -> PortalError {
    PortalError::ServerError {
        status: 503,
        message: String::new(),
    }
}

fn quota_error() -> PortalError {
    PortalError::Quota {
        message: "API calls quota exceeded! maximum allowed 45 per 00:01:00".into(),
        limit: Some(45),
        per: Some("00:01:00".into()),
    }
}

#[test]
fn pacing_never_exceeds_the_quota_in_any_rolling_minute() {
    let clock = ManualClock::new(T0);
    let config = JobConfig {
        concurrency: 3,
        calls_per_minute: 45,
        pacing_margin_ms: 0,
        ..JobConfig::default()
    };
    let mut job = list_job(300, config);
    let mut sends: Vec<i64> = Vec::new();
    let mut in_flight: Vec<UnitId> = Vec::new();
    loop {
        match job.next_action(clock.now_ms()) {
            Action::Send { unit_id, .. } => {
                sends.push(clock.now_ms());
                in_flight.push(unit_id);
            }
            Action::WaitUntil(t) => {
                // Calls answer within 50 ms; then the clock jumps.
                clock.advance(50);
                for id in in_flight.drain(..) {
                    job.on_result(id, Ok(UnitOutcome::rows(1)), clock.now_ms());
                }
                if t > clock.now_ms() {
                    clock.advance((t - clock.now_ms()) as u64);
                }
            }
            Action::Idle => {
                clock.advance(50);
                for id in in_flight.drain(..) {
                    job.on_result(id, Ok(UnitOutcome::rows(1)), clock.now_ms());
                }
            }
            Action::Done => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(sends.len(), 300);
    for (i, &t) in sends.iter().enumerate() {
        let in_minute = sends[i..].iter().take_while(|&&s| s < t + 60_000).count();
        assert!(in_minute <= 45, "{in_minute} calls in the minute from {t}");
    }
    // And the quota is used: 300 calls need a little over 6 minutes.
    let minutes = (sends[299] - sends[0]) as f64 / 60_000.0;
    assert!(minutes < 6.7, "took {minutes} minutes");
    // The hourly rule binds too: 1,500 calls an hour.
    assert!(job.progress(clock.now_ms()).finished);
}

#[test]
fn a_429_backs_off_with_jitter_then_succeeds() {
    let clock = ManualClock::new(T0);
    let config = JobConfig {
        backoff_base_ms: 2_000,
        seed: 11,
        ..JobConfig::default()
    };
    let mut job = list_job(1, config);
    let id = send(&mut job, &clock);
    clock.advance(100);
    assert_eq!(
        job.on_result(id, Err(quota_error()), clock.now_ms()),
        Disposition::Discard
    );
    let (waited, again) = wait_then_send(&mut job, &clock);
    assert_eq!(again, id);
    assert!((1_000..=2_000).contains(&waited), "first backoff {waited}");
    clock.advance(100);
    job.on_result(id, Err(quota_error()), clock.now_ms());
    let (waited, _) = wait_then_send(&mut job, &clock);
    assert!((2_000..=4_000).contains(&waited), "second backoff {waited}");
    clock.advance(100);
    let kept = job.on_result(id, Ok(UnitOutcome::rows(7)), clock.now_ms());
    assert_eq!(kept, Disposition::Keep(KeptRows::All));
    assert_eq!(job.next_action(clock.now_ms()), Action::Done);
    let unit = job.unit(id).expect("unit");
    assert!(matches!(&unit.state, UnitState::Done(done) if done.rows == 7));
    assert_eq!((unit.sends, unit.waits, unit.errors.len()), (3, 2, 2));
    assert_eq!(job.counters().throttled, 2);
}

#[test]
fn backoff_jitter_is_deterministic_per_seed() {
    let waits = |seed: u64| {
        let clock = ManualClock::new(T0);
        let mut job = list_job(
            1,
            JobConfig {
                seed,
                ..JobConfig::default()
            },
        );
        let mut out = Vec::new();
        for _ in 0..4 {
            let id = match job.next_action(clock.now_ms()) {
                Action::Send { unit_id, .. } => unit_id,
                Action::WaitUntil(t) => {
                    out.push(t - clock.now_ms());
                    clock.advance((t - clock.now_ms()) as u64);
                    send(&mut job, &clock)
                }
                other => panic!("{other:?}"),
            };
            job.on_result(id, Err(quota_error()), clock.now_ms());
        }
        out
    };
    assert_eq!(waits(1), waits(1));
    assert_ne!(waits(1), waits(2));
}

#[test]
fn a_cpu_block_waits_exactly_the_named_time() {
    let clock = ManualClock::new(T0);
    let mut job = list_job(3, JobConfig::default());
    let a = send(&mut job, &clock);
    let b = send(&mut job, &clock);
    clock.advance(1_000);
    let blocked = PortalError::CpuBlocked {
        wait_ms: 441_000,
        message: "You can run queries again in 7 min 21 s".into(),
    };
    job.on_result(a, Err(blocked), clock.now_ms());
    let blocked_at = clock.now_ms();
    // The other call's answer still counts.
    job.on_result(b, Ok(UnitOutcome::rows(1)), clock.now_ms());
    assert_eq!(
        job.next_action(clock.now_ms()),
        Action::WaitUntil(blocked_at + 441_000)
    );
    let progress = job.progress(clock.now_ms());
    assert_eq!(progress.waiting_until_ms, Some(blocked_at + 441_000));
    assert_eq!(
        progress.waiting_reason.as_deref(),
        Some("the tenant's CPU quota is used up")
    );
    clock.advance(440_999);
    assert_eq!(
        job.next_action(clock.now_ms()),
        Action::WaitUntil(blocked_at + 441_000)
    );
    clock.advance(1);
    assert_eq!(send(&mut job, &clock), a, "the blocked unit goes first");
}

#[test]
fn server_errors_are_retried_up_to_the_bound_then_fail() {
    let clock = ManualClock::new(T0);
    let mut job = list_job(
        1,
        JobConfig {
            max_retries: 3,
            ..JobConfig::default()
        },
    );
    let id = send(&mut job, &clock);
    job.on_result(id, Err(server_error()), clock.now_ms());
    for _ in 0..3 {
        let (waited, again) = wait_then_send(&mut job, &clock);
        assert_eq!(again, id);
        assert!(
            waited >= 1_000,
            "a retry waits its backoff, waited {waited}"
        );
        job.on_result(id, Err(server_error()), clock.now_ms());
    }
    assert_eq!(job.next_action(clock.now_ms()), Action::Done);
    let unit = job.unit(id).expect("unit");
    assert_eq!(unit.sends, 4, "one call and three retries");
    let UnitState::Failed { error } = &unit.state else {
        panic!("failed: {:?}", unit.state)
    };
    assert_eq!(error.kind, "server_error");
    assert!(
        error.message.contains("internal error (HTTP 503)"),
        "{}",
        error.message
    );
    assert_eq!(unit.errors.len(), 4);
    let manifest = job.manifest();
    assert!(!manifest.complete);
    assert_eq!(manifest.units[0].status, "failed");
}

#[test]
fn timeouts_and_dropped_connections_are_retried() {
    let clock = ManualClock::new(T0);
    let mut job = list_job(1, JobConfig::default());
    let id = send(&mut job, &clock);
    job.on_result(
        id,
        Err(PortalError::Network {
            message: "connection reset".into(),
        }),
        clock.now_ms(),
    );
    let (_, again) = wait_then_send(&mut job, &clock);
    job.on_result(
        again,
        Err(PortalError::Timeout {
            message: "query timed out".into(),
        }),
        clock.now_ms(),
    );
    let (_, again) = wait_then_send(&mut job, &clock);
    job.on_result(again, Ok(UnitOutcome::rows(0)), clock.now_ms());
    assert_eq!(job.next_action(clock.now_ms()), Action::Done);
    assert!(job.manifest().complete);
}

#[test]
fn a_query_error_is_never_retried() {
    let clock = ManualClock::new(T0);
    let mut job = list_job(2, JobConfig::default());
    let a = send(&mut job, &clock);
    let b = send(&mut job, &clock);
    let rejected = PortalError::QueryError {
        message: "'take' operator: Failed to resolve table 'T0'".into(),
    };
    job.on_result(a, Err(rejected.clone()), clock.now_ms());
    job.on_result(b, Ok(UnitOutcome::rows(3)), clock.now_ms());
    assert_eq!(
        job.next_action(clock.now_ms()),
        Action::Done,
        "a list goes on past a bad query"
    );
    let unit = job.unit(a).expect("unit");
    assert_eq!(unit.sends, 1);
    assert!(matches!(&unit.state, UnitState::Failed { error } if error.kind == "query_error"));

    // In a template job every batch runs the same query: the job stops.
    let values: Vec<String> = (0..10).map(|i| format!("10.0.0.{i}")).collect();
    let config = JobConfig {
        batch: huntkit::bulk::BatchLimits {
            max_values: 2,
            max_chars: 1_000,
        },
        ..JobConfig::default()
    };
    let mut job =
        Job::template("T | where IP in ({{values}})", &values, range(), config).expect("job");
    let first = send(&mut job, &clock);
    let second = send(&mut job, &clock);
    job.on_result(first, Err(rejected), clock.now_ms());
    assert_eq!(
        job.next_action(clock.now_ms()),
        Action::Idle,
        "waits for the call in flight"
    );
    job.on_result(second, Ok(UnitOutcome::rows(1)), clock.now_ms());
    assert_eq!(job.next_action(clock.now_ms()), Action::Done);
    assert!(job
        .stopped()
        .expect("stopped")
        .starts_with("the portal rejected the query"));
    let skipped = job
        .units()
        .iter()
        .filter(|u| matches!(u.state, UnitState::Skipped { .. }))
        .count();
    assert_eq!(skipped, 3);
}

#[test]
fn pause_resume_and_cancel() {
    let clock = ManualClock::new(T0);
    let mut job = list_job(5, JobConfig::default());
    let a = send(&mut job, &clock);
    job.pause();
    assert_eq!(
        job.next_action(clock.now_ms()),
        Action::Paused(PauseReason::User)
    );
    // The call in flight still lands.
    assert_eq!(
        job.on_result(a, Ok(UnitOutcome::rows(2)), clock.now_ms()),
        Disposition::Keep(KeptRows::All)
    );
    assert_eq!(
        job.next_action(clock.now_ms()),
        Action::Paused(PauseReason::User)
    );
    assert!(job.resume());
    let b = send(&mut job, &clock);
    assert_ne!(a, b);
    job.cancel();
    assert_eq!(job.status(), JobStatus::Cancelled);
    assert_eq!(
        job.next_action(clock.now_ms()),
        Action::Idle,
        "one call still in flight"
    );
    job.on_result(
        b,
        Err(PortalError::Network {
            message: "aborted".into(),
        }),
        clock.now_ms(),
    );
    assert_eq!(job.next_action(clock.now_ms()), Action::Done);
    assert!(!job.resume(), "a cancelled job stays cancelled");
    let states: Vec<&str> = job.units().iter().map(|u| u.state.name()).collect();
    assert_eq!(states, ["done", "skipped", "skipped", "skipped", "skipped"]);
}

#[test]
fn an_expired_session_waits_for_sign_in_and_goes_on_where_it_stopped() {
    let clock = ManualClock::new(T0);
    let mut job = list_job(4, JobConfig::default());
    let a = send(&mut job, &clock);
    job.on_result(a, Ok(UnitOutcome::rows(1)), clock.now_ms());
    let b = send(&mut job, &clock);
    let c = send(&mut job, &clock);
    job.on_result(
        b,
        Err(PortalError::SessionExpired {
            reason: SessionReason::Redirected,
        }),
        clock.now_ms(),
    );
    assert_eq!(job.status(), JobStatus::NeedsSignIn);
    assert_eq!(
        job.next_action(clock.now_ms()),
        Action::Paused(PauseReason::NeedsSignIn)
    );
    job.on_result(c, Ok(UnitOutcome::rows(1)), clock.now_ms());
    clock.advance(300_000);
    assert!(job.resume());
    let mut sent = Vec::new();
    while let Action::Send { unit_id, .. } = job.next_action(clock.now_ms()) {
        sent.push(unit_id);
        job.on_result(unit_id, Ok(UnitOutcome::rows(1)), clock.now_ms());
    }
    assert_eq!(sent, [b, UnitId(3)], "only unfinished units run again");
    assert_eq!(job.next_action(clock.now_ms()), Action::Done);
    assert_eq!(
        job.units().iter().map(|u| u.sends).collect::<Vec<_>>(),
        [1, 2, 1, 1]
    );
}

#[test]
fn a_saved_half_finished_job_resumes_identically() {
    let data: Vec<i64> = (0..20_000i64)
        .map(|i| (T0 - DAY + i * 4_300 + (i % 7) * 3) * TICKS_PER_MS + i % 13)
        .collect();
    let config = JobConfig {
        row_cap: 300,
        concurrency: 2,
        ..JobConfig::default()
    };
    let mut job = Job::sliced("DeviceEvents", range(), config).expect("job");
    let mut portal = SimPortal::new(data.clone(), ALL_EDGES[1], 300, 4);
    let mut log = Vec::new();
    let mut now = T0;
    // Sequential driving: every call answers before the next action, so
    // nothing is in flight at a save point.
    let step =
        |job: &mut Job, portal: &mut SimPortal, now: &mut i64, log: &mut Vec<String>| -> bool {
            match job.next_action(*now) {
                Action::Send { unit_id, request } => {
                    let answer = portal.answer(&request, *now);
                    *now += 700;
                    let d = job.on_result(unit_id, answer.outcome, *now);
                    log.push(format!(
                        "{unit_id:?} {} {} {d:?}",
                        request.start_ms, request.end_ms
                    ));
                    true
                }
                Action::WaitUntil(t) => {
                    *now = t;
                    true
                }
                Action::Done => false,
                other => panic!("{other:?}"),
            }
        };
    for _ in 0..12 {
        assert!(step(&mut job, &mut portal, &mut now, &mut log));
    }
    let saved = job.to_json().expect("json");
    let mut restored = Job::from_json(&saved).expect("restore");
    assert_eq!(restored, job);
    let (mut now_a, mut now_b) = (now, now);
    let mut portal_b = SimPortal::new(data, ALL_EDGES[1], 300, 4);
    let (mut log_a, mut log_b) = (Vec::new(), Vec::new());
    while step(&mut job, &mut portal, &mut now_a, &mut log_a) {}
    while step(&mut restored, &mut portal_b, &mut now_b, &mut log_b) {}
    assert!(log_a.len() > 10);
    assert_eq!(log_a, log_b);
    assert_eq!(
        job.to_json().expect("json"),
        restored.to_json().expect("json")
    );
    assert!(job.manifest().complete);
}

#[test]
fn a_restored_job_reruns_only_what_was_in_flight() {
    let clock = ManualClock::new(T0);
    let mut job = list_job(3, JobConfig::default());
    let a = send(&mut job, &clock);
    job.on_result(a, Ok(UnitOutcome::rows(1)), clock.now_ms());
    let b = send(&mut job, &clock);
    let saved = job.to_json().expect("json");
    let mut restored = Job::from_json(&saved).expect("restore");
    assert_eq!(restored.unit(b).expect("unit").state, UnitState::Pending);
    // A late answer for the lost call is ignored once it is pending again.
    assert_eq!(
        restored.on_result(b, Ok(UnitOutcome::rows(1)), clock.now_ms()),
        Disposition::Discard
    );
    let mut sent = Vec::new();
    while let Action::Send { unit_id, .. } = restored.next_action(clock.now_ms()) {
        sent.push(unit_id);
        restored.on_result(unit_id, Ok(UnitOutcome::rows(1)), clock.now_ms());
    }
    assert_eq!(sent, [b, UnitId(2)]);
    assert!(Job::from_json("{\"format\":99}").is_err());
}

#[test]
fn progress_reports_rows_errors_and_an_eta() {
    let clock = ManualClock::new(T0);
    let mut job = list_job(10, JobConfig::default());
    let a = send(&mut job, &clock);
    clock.advance(4_000);
    let quota = huntkit::bulk::UnitQuota {
        query_cpu_usage: 2.5,
        cpu_load: 10.0,
        ..Default::default()
    };
    job.on_result(
        a,
        Ok(UnitOutcome::rows(42).with_quota(quota)),
        clock.now_ms(),
    );
    let b = send(&mut job, &clock);
    job.on_result(
        b,
        Err(PortalError::QueryError {
            message: "Syntax error".into(),
        }),
        clock.now_ms(),
    );
    let p = job.progress(clock.now_ms());
    assert_eq!((p.units.done, p.units.failed, p.units.pending), (1, 1, 8));
    assert_eq!(p.rows, 42);
    assert_eq!(p.cpu_usage, 2.5);
    // 8 units, each costing the longest of: the average call (4 s) over 2
    // slots, the 45-a-minute interval (1,333 ms), the 1,500-an-hour
    // interval (2,400 ms): 8 × 2,400 ms.
    assert_eq!(p.eta_ms, Some(19_200));
    let failed = &p.unit_list[1];
    assert_eq!(failed.state, "failed");
    assert_eq!(failed.errors[0].kind, "query_error");
    assert!(failed.errors[0].message.contains("Syntax error"));
    let json = serde_json::to_value(&p).expect("json");
    assert_eq!(json["unitList"][0]["rows"], 42);
}

#[test]
fn a_throttled_run_uses_most_of_the_quota_and_fails_nothing() {
    use bulk_sim::{drive, QuotaRule, SimRng};
    let values: Vec<String> = (0..300)
        .map(|i| format!("10.0.{}.{}", i / 256, i % 256))
        .collect();
    let config = JobConfig {
        batch: huntkit::bulk::BatchLimits {
            max_values: 1,
            max_chars: 100,
        },
        ..JobConfig::default()
    };
    let mut job =
        Job::template("T | where IP in ({{values}})", &values, range(), config).expect("job");
    let mut portal = SimPortal::new(Vec::new(), ALL_EDGES[0], 100_000, 1);
    // 45 a minute, shared with the analyst's own call every 10 s, and
    // arrivals up to 300 ms after sending.
    portal.quota = Some(QuotaRule {
        limit: 45,
        per_ms: 60_000,
    });
    portal.arrival_jitter_ms = 300;
    portal.foreign_every_ms = Some(10_000);
    let mut latency = |_: &_, _: usize, rng: &mut SimRng| 300 + rng.below(1_200) as i64;
    let report = drive(&mut job, &mut portal, T0, 2, &mut latency);
    assert!(portal.throttled > 0, "the portal did throttle");
    assert!(job
        .units()
        .iter()
        .all(|u| matches!(u.state, UnitState::Done(_))));
    let minutes = (report.end_ms - report.start_ms) as f64 / 60_000.0;
    let share = 300.0 / (39.0 * minutes);
    assert!(
        share >= 0.9,
        "used {:.1} % of the 39 calls a minute left to us",
        share * 100.0
    );
}

#[test]
fn a_saved_job_holds_no_number_javascript_would_round() {
    fn check(v: &serde_json::Value) {
        match v {
            serde_json::Value::Number(n) => {
                let safe = n.as_i64().is_some_and(|i| i.unsigned_abs() <= 1 << 53)
                    || n.as_u64().is_some_and(|u| u <= 1 << 53)
                    || n.is_f64();
                assert!(safe, "{n} would be rounded by JavaScript");
            }
            serde_json::Value::Array(items) => items.iter().for_each(check),
            serde_json::Value::Object(map) => map.values().for_each(check),
            _ => {}
        }
    }
    let clock = ManualClock::new(T0);
    let config = JobConfig {
        seed: u64::MAX,
        ..JobConfig::default()
    };
    let mut job = Job::sliced("T", range(), config).expect("job");
    check(&serde_json::from_str(&job.to_json().expect("json")).expect("value"));
    let id = send(&mut job, &clock);
    job.on_result(id, Err(quota_error()), clock.now_ms());
    let saved = job.to_json().expect("json");
    check(&serde_json::from_str(&saved).expect("value"));
    assert!(
        saved.contains("\"18446744073709551615\""),
        "the seed is kept as text"
    );
    assert_eq!(Job::from_json(&saved).expect("restore"), job);
}
