//! Progress for the UI: per job and per unit, with an ETA.
//!
//! The ETA multiplies the units left by the time one unit costs: the
//! average call duration shared among the concurrent slots, or the pacing
//! interval of the call quota, whichever is longer; plus any wait in force
//! (a 429 backoff or a CPU block).

use serde::Serialize;

use super::job::{Job, JobStatus, Spec, UnitError, UnitState, Work};
use super::outcome::UnitQuota;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitCounts {
    pub total: usize,
    pub pending: usize,
    pub running: usize,
    pub done: usize,
    pub failed: usize,
    pub skipped: usize,
    pub replanned: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitProgress {
    pub id: u32,
    pub label: String,
    pub state: &'static str,
    pub rows: Option<u64>,
    pub kept_rows: Option<u64>,
    pub duration_ms: Option<u64>,
    pub quota: Option<UnitQuota>,
    pub cut_short: Option<String>,
    /// Why it was skipped or re-planned.
    pub note: Option<String>,
    pub sends: u32,
    pub errors: Vec<UnitError>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub status: JobStatus,
    pub finished: bool,
    pub stopped: Option<String>,
    pub units: UnitCounts,
    /// Rows the portal returned, and rows written to the output.
    pub rows: u64,
    pub kept_rows: u64,
    /// Rows the probes counted (sliced runs), to show a percentage.
    pub expected_rows: Option<u64>,
    /// Units whose answer may be incomplete.
    pub cut_short: usize,
    /// Sum of `QueryCpuUsage` over the answers, and the last `CpuLoad`.
    pub cpu_usage: f64,
    pub last_cpu_load: Option<f64>,
    pub calls: u64,
    pub calls_last_minute: usize,
    pub waiting_until_ms: Option<i64>,
    pub waiting_reason: Option<String>,
    pub eta_ms: Option<u64>,
    pub unit_list: Vec<UnitProgress>,
}

impl Job {
    pub fn progress(&self, now_ms: i64) -> Progress {
        let mut counts = UnitCounts {
            total: self.units.len(),
            ..UnitCounts::default()
        };
        let (mut rows, mut kept_rows, mut cut_short, mut cpu_usage) = (0, 0, 0, 0.0);
        let mut last_cpu_load = None;
        let (mut durations, mut finished_units) = (0u64, 0u64);
        for unit in &self.units {
            match &unit.state {
                UnitState::Pending => counts.pending += 1,
                UnitState::Running { .. } => counts.running += 1,
                UnitState::Done(done) => {
                    counts.done += 1;
                    rows += done.rows;
                    kept_rows += done.kept_rows;
                    cut_short += usize::from(done.cut_short.is_some());
                    durations += done.duration_ms;
                    finished_units += 1;
                    if let Some(q) = &done.quota {
                        cpu_usage += q.query_cpu_usage;
                        last_cpu_load = Some(q.cpu_load);
                    }
                }
                UnitState::Failed { .. } => counts.failed += 1,
                UnitState::Skipped { .. } => counts.skipped += 1,
                UnitState::Replanned { .. } => counts.replanned += 1,
            }
        }
        let waiting = (self.hold_until_ms > now_ms).then_some(self.hold_until_ms);
        let finished = self.is_finished();
        let left = (counts.pending + counts.running) as u64 + self.windows_left();
        let eta_ms = match durations.checked_div(finished_units) {
            _ if finished => Some(0),
            None => None,
            Some(average) => {
                let concurrency = self.config.concurrency.max(1) as u64;
                let mut per_unit = average / concurrency;
                for (limit, per) in [
                    (self.config.calls_per_minute, 60_000u64),
                    (self.config.calls_per_hour, 3_600_000),
                ] {
                    if limit > 0 {
                        per_unit = per_unit.max(per / u64::from(limit));
                    }
                }
                let wait = waiting.map_or(0, |t| (t - now_ms) as u64);
                Some(left * per_unit + wait)
            }
        };
        let expected_rows = match &self.spec {
            Spec::Sliced { planner, .. } if planner.counted_rows() > 0 => {
                Some(planner.counted_rows())
            }
            _ => None,
        };
        Progress {
            status: self.status,
            finished,
            stopped: self.stopped.clone(),
            units: counts,
            rows,
            kept_rows,
            expected_rows,
            cut_short,
            cpu_usage,
            last_cpu_load,
            calls: self.counters.calls,
            calls_last_minute: self.pacer.calls_within(now_ms, 60_000),
            waiting_until_ms: waiting,
            waiting_reason: waiting.and(self.hold_reason.clone()),
            eta_ms,
            unit_list: self.units.iter().map(|u| self.unit_progress(u)).collect(),
        }
    }

    fn windows_left(&self) -> u64 {
        match &self.spec {
            Spec::Sliced { planner, .. }
                if self.status != JobStatus::Cancelled && self.stopped.is_none() =>
            {
                planner.remaining_windows(self.targets())
            }
            _ => 0,
        }
    }

    fn unit_progress(&self, unit: &super::job::Unit) -> UnitProgress {
        let done = match &unit.state {
            UnitState::Done(done) => Some(done),
            _ => None,
        };
        let note = match &unit.state {
            UnitState::Skipped { reason } | UnitState::Replanned { reason } => Some(reason.clone()),
            _ => None,
        };
        UnitProgress {
            id: unit.id.0,
            label: self.unit_label(&unit.work),
            state: unit.state.name(),
            rows: done.map(|d| d.rows),
            kept_rows: done.map(|d| d.kept_rows),
            duration_ms: done.map(|d| d.duration_ms),
            quota: done.and_then(|d| d.quota.clone()),
            cut_short: done.and_then(|d| d.cut_short.clone()),
            note,
            sends: unit.sends,
            errors: unit.errors.clone(),
        }
    }

    /// A short description of a unit for lists.
    pub(crate) fn unit_label(&self, work: &Work) -> String {
        match work {
            Work::Query { name, .. } => name.clone(),
            Work::Batch { index, values } => {
                format!("batch {}: {}", index + 1, Job::values_label(values))
            }
            Work::Window { window, .. } => format!("window {window}"),
            Work::Probe { region, .. } => format!("row count over {region}"),
        }
    }
}
