//! A simulated portal for the bulk-engine tests and benchmark: rows with
//! 100 ns timestamps, a row cap, a chosen edge behaviour for time ranges,
//! a call quota that answers 429, and an event-driven driver that runs a
//! `Job` to the end on simulated time with several calls in flight.
//!
//! It deliberately shares no code with `huntkit::bulk` beyond the public
//! API: it reads the probe's bin width and anchor from the query text, and
//! filters rows by its own comparisons.

#![allow(dead_code)]

use huntkit::bulk::{Action, Disposition, Job, KeptRows, UnitId, UnitOutcome};
use huntkit::portal::{PortalError, QueryRequest};

pub const TICKS_PER_MS: i64 = 10_000;

/// How the portal treats the ends of `[StartTime, EndTime]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edges {
    pub start_inclusive: bool,
    pub end_inclusive: bool,
}

pub const ALL_EDGES: [Edges; 4] = [
    Edges {
        start_inclusive: true,
        end_inclusive: true,
    },
    Edges {
        start_inclusive: true,
        end_inclusive: false,
    },
    Edges {
        start_inclusive: false,
        end_inclusive: true,
    },
    Edges {
        start_inclusive: false,
        end_inclusive: false,
    },
];

/// Which rows survive the row cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truncation {
    /// The earliest rows.
    First,
    /// Any rows, in any order (a seeded shuffle).
    Arbitrary,
}

/// SplitMix64 for the simulation's own randomness.
#[derive(Debug, Clone)]
pub struct SimRng(pub u64);

impl SimRng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }

    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo).max(1) as u64) as i64
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A call-quota rule the simulated portal enforces on arrival times.
#[derive(Debug, Clone, Copy)]
pub struct QuotaRule {
    pub limit: usize,
    pub per_ms: i64,
}

pub struct SimPortal {
    /// Row timestamps in ticks, sorted; a row's id is its index.
    pub data: Vec<i64>,
    pub edges: Edges,
    pub row_cap: usize,
    pub truncation: Truncation,
    /// Answer probes with a query error (a portal without `bin_at`).
    pub refuse_probes: bool,
    pub quota: Option<QuotaRule>,
    /// Calls arrive up to this much after they are sent.
    pub arrival_jitter_ms: u64,
    /// Another client (the analyst in the portal) makes a call this often,
    /// using the same quota.
    pub foreign_every_ms: Option<i64>,
    /// Arrival times of our calls, for the quota.
    arrivals: Vec<i64>,
    rng: SimRng,
    pub calls: usize,
    pub probes: usize,
    pub throttled: usize,
}

/// An answer: the outcome for the job, and the row ids in answer order.
pub struct Answer {
    pub outcome: Result<UnitOutcome, PortalError>,
    pub ids: Vec<usize>,
}

impl SimPortal {
    pub fn new(mut data: Vec<i64>, edges: Edges, row_cap: usize, seed: u64) -> Self {
        data.sort_unstable();
        SimPortal {
            data,
            edges,
            row_cap,
            truncation: Truncation::First,
            refuse_probes: false,
            quota: None,
            arrival_jitter_ms: 0,
            foreign_every_ms: None,
            arrivals: Vec::new(),
            rng: SimRng(seed ^ 0xA5A5),
            calls: 0,
            probes: 0,
            throttled: 0,
        }
    }

    /// Row ids the request's time range selects, by this portal's edges.
    pub fn select(&self, request: &QueryRequest) -> Vec<usize> {
        let lo = request.start_ms * TICKS_PER_MS;
        let hi = request.end_ms * TICKS_PER_MS;
        let first = if self.edges.start_inclusive {
            self.data.partition_point(|&t| t < lo)
        } else {
            self.data.partition_point(|&t| t <= lo)
        };
        let end = if self.edges.end_inclusive {
            self.data.partition_point(|&t| t <= hi)
        } else {
            self.data.partition_point(|&t| t < hi)
        };
        (first..end.max(first)).collect()
    }

    /// Answers one request arriving at `now_ms`.
    pub fn answer(&mut self, request: &QueryRequest, now_ms: i64) -> Answer {
        self.calls += 1;
        if let Some(rule) = self.quota {
            let arrival = now_ms + self.rng.below(self.arrival_jitter_ms + 1) as i64;
            self.arrivals.push(arrival);
            let ours = self
                .arrivals
                .iter()
                .filter(|&&t| t > arrival - rule.per_ms && t <= arrival)
                .count();
            let foreign = self.foreign_every_ms.map_or(0, |p| {
                (arrival.div_euclid(p) - (arrival - rule.per_ms).div_euclid(p)) as usize
            });
            if ours + foreign > rule.limit {
                self.throttled += 1;
                let err = PortalError::Quota {
                    message: format!(
                        "API calls quota exceeded! maximum allowed {} per 00:01:00",
                        rule.limit
                    ),
                    limit: Some(rule.limit as u32),
                    per: Some("00:01:00".into()),
                };
                return Answer {
                    outcome: Err(err),
                    ids: Vec::new(),
                };
            }
        }
        if let Some((bin_ms, anchor_ms)) = probe_params(&request.query_text) {
            self.probes += 1;
            if self.refuse_probes {
                let err = PortalError::QueryError {
                    message: "Unknown function: 'bin_at'".into(),
                };
                return Answer {
                    outcome: Err(err),
                    ids: Vec::new(),
                };
            }
            let mut bins: Vec<(i64, u64)> = Vec::new();
            let (w, a) = (bin_ms * TICKS_PER_MS, anchor_ms * TICKS_PER_MS);
            for id in self.select(request) {
                let t = self.data[id];
                let start = a + (t - a).div_euclid(w) * w;
                match bins.last_mut() {
                    Some((s, n)) if *s == start => *n += 1,
                    _ => bins.push((start, 1)),
                }
            }
            bins.truncate(self.row_cap);
            return Answer {
                outcome: Ok(UnitOutcome::histogram(bins)),
                ids: Vec::new(),
            };
        }
        let mut ids = self.select(request);
        if ids.len() > self.row_cap {
            match self.truncation {
                Truncation::First => ids.truncate(self.row_cap),
                Truncation::Arbitrary => {
                    self.shuffle(&mut ids);
                    ids.truncate(self.row_cap);
                }
            }
        } else if self.truncation == Truncation::Arbitrary {
            self.shuffle(&mut ids);
        }
        let ticks = ids.iter().map(|&id| self.data[id]).collect();
        Answer {
            outcome: Ok(UnitOutcome::timestamps(ticks)),
            ids,
        }
    }

    fn shuffle(&mut self, ids: &mut [usize]) {
        for i in (1..ids.len()).rev() {
            let j = self.rng.below(i as u64 + 1) as usize;
            ids.swap(i, j);
        }
    }
}

/// Reads `bin_at(Timestamp, <w>ms, datetime(<iso>))` from a probe's text.
pub fn probe_params(text: &str) -> Option<(i64, i64)> {
    let rest = text.split("bin_at(Timestamp, ").nth(1)?;
    let (width, rest) = rest.split_once("ms, datetime(")?;
    let (iso, _) = rest.split_once(')')?;
    let ticks = huntkit::bulk::parse_ticks(iso).ok()?;
    Some((width.parse().ok()?, ticks / TICKS_PER_MS))
}

/// How long a call takes, in simulated milliseconds.
pub type Latency = dyn FnMut(&QueryRequest, usize, &mut SimRng) -> i64;

/// What a run produced.
#[derive(Debug, Default)]
pub struct RunReport {
    /// Row ids written to the output, in write order.
    pub kept: Vec<usize>,
    pub calls: usize,
    pub end_ms: i64,
    pub start_ms: i64,
    pub steps: usize,
}

/// Drives `job` against `portal` until it is done, with calls completing
/// after `latency`; panics if the job stalls or pauses.
pub fn drive(
    job: &mut Job,
    portal: &mut SimPortal,
    start_ms: i64,
    seed: u64,
    latency: &mut Latency,
) -> RunReport {
    let mut rng = SimRng(seed);
    let mut now = start_ms;
    let mut in_flight: Vec<(i64, UnitId, Answer)> = Vec::new();
    let mut report = RunReport {
        start_ms,
        ..RunReport::default()
    };
    loop {
        report.steps += 1;
        assert!(report.steps < 2_000_000, "the job does not finish");
        match job.next_action(now) {
            Action::Send { unit_id, request } => {
                let answer = portal.answer(&request, now);
                let took = latency(&request, answer.ids.len(), &mut rng).max(1);
                in_flight.push((now + took, unit_id, answer));
                report.calls += 1;
            }
            Action::WaitUntil(t) => {
                assert!(t > now, "wait for a time already past: {t} <= {now}");
                let next_done = in_flight.iter().map(|f| f.0).min();
                match next_done {
                    Some(d) if d <= t => now = complete(job, &mut in_flight, &mut report, now),
                    _ => now = t,
                }
            }
            Action::Idle => {
                assert!(!in_flight.is_empty(), "idle with nothing in flight");
                now = complete(job, &mut in_flight, &mut report, now);
            }
            Action::Done => {
                assert!(in_flight.is_empty(), "done with calls in flight");
                break;
            }
            Action::Paused(reason) => panic!("the job paused: {reason:?}"),
        }
    }
    report.end_ms = now;
    report
}

/// Completes the earliest call in flight; returns the new time.
fn complete(
    job: &mut Job,
    in_flight: &mut Vec<(i64, UnitId, Answer)>,
    report: &mut RunReport,
    now: i64,
) -> i64 {
    let (i, _) = in_flight
        .iter()
        .enumerate()
        .min_by_key(|(_, f)| (f.0, f.1))
        .expect("a call in flight");
    let (at, unit_id, answer) = in_flight.remove(i);
    let now = now.max(at);
    match job.on_result(unit_id, answer.outcome, now) {
        Disposition::Keep(KeptRows::All) => report.kept.extend(answer.ids),
        Disposition::Keep(KeptRows::Indices(rows)) => {
            report.kept.extend(rows.iter().map(|&r| answer.ids[r]))
        }
        Disposition::Discard => {}
    }
    now
}

/// Bursty data: a quiet background plus bursts, duplicates, and rows on
/// whole milliseconds, in `[start_ms, end_ms)`, with at most `per_ms_max`
/// rows in any one millisecond.
pub fn bursty_data(
    rng: &mut SimRng,
    start_ms: i64,
    end_ms: i64,
    rows: usize,
    per_ms_max: usize,
) -> Vec<i64> {
    let span = end_ms - start_ms;
    let mut out = Vec::with_capacity(rows);
    let bursts: Vec<(i64, i64)> = (0..1 + rng.below(6))
        .map(|_| {
            let width = 1 + rng.below((span as u64 / 50).max(1)) as i64;
            let at = rng.range(start_ms, end_ms - width.min(span - 1));
            (at, width)
        })
        .collect();
    while out.len() < rows {
        let ms = if rng.chance(60) && !bursts.is_empty() {
            let (at, width) = bursts[rng.below(bursts.len() as u64) as usize];
            at + rng.below(width as u64) as i64
        } else {
            rng.range(start_ms, end_ms)
        };
        let t = if rng.chance(25) {
            ms * TICKS_PER_MS
        } else {
            ms * TICKS_PER_MS + rng.below(TICKS_PER_MS as u64) as i64
        };
        out.push(t);
        if rng.chance(10) && out.len() < rows {
            out.push(t);
        }
    }
    out.truncate(rows);
    thin(out, per_ms_max)
}

/// Drops rows so that no millisecond holds more than `max` of them.
pub fn thin(mut data: Vec<i64>, max: usize) -> Vec<i64> {
    data.sort_unstable();
    let mut out: Vec<i64> = Vec::with_capacity(data.len());
    let mut run = (i64::MIN, 0);
    for t in data {
        let ms = t.div_euclid(TICKS_PER_MS);
        if ms == run.0 {
            run.1 += 1;
        } else {
            run = (ms, 1);
        }
        if run.1 <= max {
            out.push(t);
        }
    }
    out
}

/// `ticks` as an ISO timestamp with `digits` fractional digits (0..=7),
/// dropping the digits past them; the simulated portal writes the mix of
/// precisions real sources do.
pub fn iso_ticks(ticks: i64, digits: usize) -> String {
    let secs = ticks.div_euclid(10_000_000);
    let frac = ticks.rem_euclid(10_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut s = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    );
    if digits > 0 {
        let f = format!("{frac:07}");
        s.push('.');
        s.push_str(&f[..digits]);
    }
    s.push('Z');
    s
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}
