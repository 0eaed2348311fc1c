//! Bulk-engine benchmarks on the simulated portal (figures, not pass/fail):
//!
//! 1. Calls needed to export N rows of bursty data through sliced windows,
//!    against the ideal ceil(N / cap), with and without the row-count probe.
//! 2. Share of the call quota a throttled run uses: calls that succeeded
//!    over calls the quota allowed during the run, with the simulated portal
//!    answering 429 above 45 calls a minute.
//!
//! Run: `cargo run --release --example bench_bulk`
//! (`BENCH_SEED=n` runs one seed; `BENCH_DEBUG=1` lists every unit.)

#[path = "../tests/bulk_sim/mod.rs"]
mod bulk_sim;

use std::time::Instant;

use bulk_sim::{bursty_data, drive, QuotaRule, SimPortal, SimRng, ALL_EDGES};
use huntkit::bulk::{Job, JobConfig, UnitState, Window};

const T0: i64 = 1_729_900_000_000;
const DAY: i64 = 86_400_000;

fn main() {
    println!("== 1. calls per export (30 days, bursty, cap 100,000) ==");
    println!(
        "{:>9} {:>5} {:>6} {:>6} {:>6} {:>7} {:>9} {:>8}",
        "rows", "seed", "probe", "calls", "ideal", "ratio", "replans", "time"
    );
    let only: Option<u64> = std::env::var("BENCH_SEED")
        .ok()
        .and_then(|s| s.parse().ok());
    for rows in [1_000_000usize, 950_000, 2_500_000] {
        for seed in (1..=4u64).filter(|s| only.is_none_or(|o| o == *s)) {
            for probe in [true, false] {
                export(rows, seed, probe);
            }
        }
    }
    println!();
    println!("== 2. quota share of a throttled run (429 above 45 calls a minute) ==");
    println!(
        "{:<44} {:>6} {:>6} {:>5} {:>7} {:>8} {:>6}",
        "scenario", "calls", "ok", "429s", "minutes", "allowed", "share"
    );
    throttled(
        "default margin, arrivals jittered ≤ 300 ms",
        500,
        300,
        None,
        45,
    );
    throttled("no margin, arrivals jittered ≤ 300 ms", 0, 300, None, 45);
    throttled(
        "default margin, analyst also runs 6 calls/min",
        500,
        300,
        Some(10_000),
        39,
    );
}

fn export(rows: usize, seed: u64, probe: bool) {
    let cap = 100_000usize;
    let range = Window::new(T0 - 30 * DAY, T0);
    let mut rng = SimRng(seed);
    let data = bursty_data(&mut rng, range.start_ms, range.end_ms, rows, 5_000);
    let n = data.len();
    let mut portal = SimPortal::new(data, ALL_EDGES[(seed % 4) as usize], cap, seed);
    let config = JobConfig {
        probe,
        seed,
        ..JobConfig::default()
    };
    let mut job = Job::sliced(
        "DeviceProcessEvents | where FileName =~ \"powershell.exe\"",
        range,
        config,
    )
    .expect("job");
    // A call takes 2 s plus 40 µs a row (about 6 s for a full window).
    let mut latency =
        |_: &_, rows: usize, rng: &mut SimRng| 2_000 + rows as i64 / 25 + rng.below(500) as i64;
    let started = Instant::now();
    let report = drive(&mut job, &mut portal, T0, seed, &mut latency);
    let took = started.elapsed();
    let mut kept = report.kept;
    kept.sort_unstable();
    kept.dedup();
    assert_eq!(kept.len(), n, "every row once");
    let ideal = n.div_ceil(cap);
    if std::env::var("BENCH_DEBUG").is_ok() {
        for u in job.manifest().units {
            let r = u.range.expect("range");
            println!(
                "  {} {} {}..{} ({} ms) rows={:?} kept={:?} {:?}",
                u.kind,
                u.status,
                r.start_ms - range.start_ms,
                r.end_ms - range.start_ms,
                r.end_ms - r.start_ms,
                u.rows,
                u.kept_rows,
                u.note
            );
        }
    }
    println!(
        "{:>9} {:>5} {:>6} {:>6} {:>6} {:>7.2} {:>9} {:>7.2}s",
        n,
        seed,
        probe,
        report.calls,
        ideal,
        report.calls as f64 / ideal as f64,
        job.counters().replanned,
        took.as_secs_f64()
    );
}

fn throttled(
    name: &str,
    margin_ms: u64,
    jitter_ms: u64,
    foreign_every_ms: Option<i64>,
    ours_allowed: usize,
) {
    let values: Vec<String> = (0..1_200)
        .map(|i| format!("10.{}.{}.{}", i / 65_536, i / 256 % 256, i % 256))
        .collect();
    let config = JobConfig {
        pacing_margin_ms: margin_ms,
        batch: huntkit::bulk::BatchLimits {
            max_values: 2,
            max_chars: 10_000,
        },
        seed: 3,
        ..JobConfig::default()
    };
    let range = Window::new(T0 - DAY, T0);
    let mut job = Job::template(
        "DeviceNetworkEvents | where RemoteIP in ({{values}})",
        &values,
        range,
        config,
    )
    .expect("job");
    let mut portal = SimPortal::new(Vec::new(), ALL_EDGES[0], 100_000, 8);
    portal.quota = Some(QuotaRule {
        limit: 45,
        per_ms: 60_000,
    });
    portal.arrival_jitter_ms = jitter_ms;
    portal.foreign_every_ms = foreign_every_ms;
    let mut latency = |_: &_, _: usize, rng: &mut SimRng| 300 + rng.below(1_200) as i64;
    let report = drive(&mut job, &mut portal, T0, 5, &mut latency);
    let failed = job
        .units()
        .iter()
        .filter(|u| matches!(u.state, UnitState::Failed { .. }))
        .count();
    assert_eq!(failed, 0, "no unit may fail");
    let minutes = (report.end_ms - report.start_ms) as f64 / 60_000.0;
    let ok = job.units().len();
    let allowed = ours_allowed as f64 * minutes;
    println!(
        "{:<44} {:>6} {:>6} {:>5} {:>7.2} {:>8.0} {:>5.1}%",
        name,
        report.calls,
        ok,
        portal.throttled,
        minutes,
        allowed,
        100.0 * ok as f64 / allowed
    );
}
