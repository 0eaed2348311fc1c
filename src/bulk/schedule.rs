//! The sans-IO scheduler: [`Job::next_action`] says what to do now,
//! [`Job::on_result`] takes each answer back. Time is a parameter, so tests
//! drive whole jobs (429 storms, seven-minute CPU blocks) on a simulated
//! clock in microseconds.
//!
//! What each kind of failure does is in `failures.rs`.

use crate::portal::{PortalError, QueryRequest};
use crate::result::QueryResult;

use super::job::{Finished, Job, JobStatus, Spec, UnitError, UnitId, UnitState, Work};
use super::outcome::{Content, Disposition, KeptRows, Reading, UnitOutcome};
use super::planner::Targets;
use super::probe::probe_query;

/// What the driver should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send this request; report its answer with [`Job::on_result`].
    Send {
        unit_id: UnitId,
        request: QueryRequest,
    },
    /// Nothing may be sent before this time (Unix ms). Answers of calls in
    /// flight may still arrive; ask again after each.
    WaitUntil(i64),
    /// Nothing to send until a call in flight answers.
    Idle,
    /// Paused (by the analyst, or for sign-in). Calls in flight still
    /// report back; nothing new is sent until [`Job::resume`].
    Paused(PauseReason),
    /// Every unit has reached its end.
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseReason {
    User,
    NeedsSignIn,
}

impl Job {
    /// The next step at time `now_ms`.
    pub fn next_action(&mut self, now_ms: i64) -> Action {
        let running = self.running();
        if self.status == JobStatus::Cancelled || self.stopped.is_some() {
            return if running > 0 {
                Action::Idle
            } else {
                Action::Done
            };
        }
        if self.is_finished() {
            return Action::Done;
        }
        match self.status {
            JobStatus::Paused => return Action::Paused(PauseReason::User),
            JobStatus::NeedsSignIn => return Action::Paused(PauseReason::NeedsSignIn),
            _ => {}
        }
        if running >= self.config.concurrency {
            return Action::Idle;
        }
        let index = match self.ready_unit(now_ms) {
            Some(i) => i,
            None => match self.plan_unit(running) {
                Some(i) if self.units[i].not_before_ms <= now_ms => i,
                _ => {
                    let next = self
                        .units
                        .iter()
                        .filter(|u| u.state == UnitState::Pending)
                        .map(|u| u.not_before_ms)
                        .min();
                    return match next {
                        Some(at) => Action::WaitUntil(at.max(now_ms)),
                        None => Action::Idle,
                    };
                }
            },
        };
        let gate = self.hold_until_ms.max(self.pacer.next_free(now_ms));
        if gate > now_ms {
            return Action::WaitUntil(gate);
        }
        let request = self.request_for(index);
        let unit = &mut self.units[index];
        unit.state = UnitState::Running { since_ms: now_ms };
        unit.sends += 1;
        self.pacer.record(now_ms);
        self.counters.calls += 1;
        self.counters.first_call_ms.get_or_insert(now_ms);
        Action::Send {
            unit_id: unit.id,
            request,
        }
    }

    /// What `unit_id`'s answer must yield (see [`Job::read_outcome`]).
    pub fn reading(&self, unit_id: UnitId) -> Reading {
        match self.unit(unit_id).map(|u| &u.work) {
            Some(Work::Window { .. }) => Reading::Timestamps,
            Some(Work::Probe { .. }) => Reading::Histogram,
            _ => Reading::Rows,
        }
    }

    /// Extracts from `result` what the job needs about `unit_id`'s answer.
    pub fn read_outcome(
        &self,
        unit_id: UnitId,
        result: &QueryResult,
        duration_ms: u64,
    ) -> UnitOutcome {
        UnitOutcome::read(result, self.reading(unit_id), duration_ms)
    }

    /// Takes an answer back. The [`Disposition`] says which rows of it to
    /// write to the output.
    pub fn on_result(
        &mut self,
        unit_id: UnitId,
        result: Result<UnitOutcome, PortalError>,
        now_ms: i64,
    ) -> Disposition {
        let Some(index) = self.units.iter().position(|u| u.id == unit_id) else {
            return Disposition::Discard;
        };
        let UnitState::Running { since_ms } = self.units[index].state else {
            return Disposition::Discard;
        };
        self.counters.last_result_ms = Some(now_ms);
        match result {
            Ok(outcome) => self.succeeded(index, outcome, since_ms, now_ms),
            Err(err) => {
                self.failed(index, err, since_ms, now_ms);
                Disposition::Discard
            }
        }
    }

    pub(crate) fn running(&self) -> usize {
        self.units
            .iter()
            .filter(|u| matches!(u.state, UnitState::Running { .. }))
            .count()
    }

    /// The pending unit to send first: probes, then windows in time order,
    /// then everything else in list order.
    fn ready_unit(&self, now_ms: i64) -> Option<usize> {
        self.units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.state == UnitState::Pending && u.not_before_ms <= now_ms)
            .min_by_key(|(_, u)| match &u.work {
                Work::Probe { region, .. } => (0, region.start_ms, u.id.0),
                Work::Window { window, .. } => (1, window.start_ms, u.id.0),
                Work::Query { index, .. } | Work::Batch { index, .. } => (2, *index as i64, u.id.0),
            })
            .map(|(i, _)| i)
    }

    /// Asks the planner of a sliced job for another unit.
    fn plan_unit(&mut self, running: usize) -> Option<usize> {
        let targets = self.targets();
        let Spec::Sliced { planner, .. } = &mut self.spec else {
            return None;
        };
        let window_in_flight = running > 0;
        let planned = planner.next(targets, window_in_flight)?;
        Some(self.push_planned(planned))
    }

    pub(crate) fn targets(&self) -> Targets {
        Targets {
            counted: self.config.target_rows(self.config.fill_counted_percent),
            estimated: self.config.target_rows(self.config.fill_estimated_percent),
            row_cap: self.config.row_cap,
            byte_budget: self.config.size_cap_bytes / 4 * 3,
        }
    }

    /// The request for unit `index`.
    fn request_for(&self, index: usize) -> QueryRequest {
        let (query_text, (start_ms, end_ms)) = match (&self.units[index].work, &self.spec) {
            (Work::Query { query, range, .. }, _) => {
                (query.clone(), (range.start_ms, range.end_ms))
            }
            (Work::Batch { values, .. }, Spec::Template { template, range }) => {
                // Values were checked when the job was made, so rendering
                // cannot fail; an empty text would be refused by the portal
                // and reported, never silently skipped.
                (
                    template.render(values).unwrap_or_default(),
                    (range.start_ms, range.end_ms),
                )
            }
            (Work::Window { window, .. }, Spec::Sliced { query, .. }) => {
                (query.clone(), window.padded(self.config.pad_ms))
            }
            (Work::Probe { region, bin_ms }, Spec::Sliced { query, .. }) => (
                probe_query(query, *region, *bin_ms),
                region.padded(self.config.pad_ms),
            ),
            _ => (String::new(), (0, 0)),
        };
        QueryRequest {
            query_text,
            start_ms,
            end_ms,
            max_record_count: self.config.max_record_count,
        }
    }

    /// The query text a unit sends.
    pub fn query_text(&self, unit_id: UnitId) -> Option<String> {
        let index = self.units.iter().position(|u| u.id == unit_id)?;
        Some(self.request_for(index).query_text)
    }

    fn succeeded(
        &mut self,
        index: usize,
        outcome: UnitOutcome,
        since_ms: i64,
        now_ms: i64,
    ) -> Disposition {
        self.throttle_streak = 0;
        let duration_ms = if outcome.duration_ms > 0 {
            outcome.duration_ms
        } else {
            (now_ms - since_ms).max(0) as u64
        };
        let rows = outcome.row_count as u64;
        let body_bytes = outcome.body_bytes as u64;
        let cut_reason = if rows >= self.config.row_cap {
            Some(format!(
                "the answer reached the portal's row limit ({} rows)",
                self.config.row_cap
            ))
        } else if body_bytes >= self.config.size_alarm_bytes() {
            Some(format!(
                "the answer ({body_bytes} bytes) is close to the portal's size limit"
            ))
        } else {
            None
        };
        let finished = |kept_rows: u64, cut_short: Option<String>| {
            UnitState::Done(Finished {
                rows,
                kept_rows,
                duration_ms,
                quota: outcome.quota.clone(),
                cut_short,
            })
        };
        let work = self.units[index].work.clone();
        match work {
            Work::Query { .. } | Work::Batch { .. } => {
                self.units[index].state = finished(rows, cut_reason);
                Disposition::Keep(KeptRows::All)
            }
            Work::Probe { region, bin_ms } => {
                let bins = match (&outcome.content, &cut_reason) {
                    (Content::Histogram(Ok(bins)), None) => Some(bins),
                    _ => None,
                };
                let Spec::Sliced { planner, .. } = &mut self.spec else {
                    return Disposition::Discard;
                };
                let counted = bins.is_some_and(|bins| planner.counted(region, bin_ms, bins));
                self.units[index].state = if counted {
                    finished(0, None)
                } else {
                    if bins.is_none() {
                        planner.probe_failed(region);
                    }
                    let why = match (&outcome.content, cut_reason) {
                        (Content::Histogram(Err(e)), _) => e.clone(),
                        (_, Some(cut)) => cut,
                        _ => "its bins did not line up with the window grid".into(),
                    };
                    UnitState::Skipped { reason: format!("could not count rows per time bin ({why}); sliced by measured density instead") }
                };
                Disposition::Discard
            }
            Work::Window { window, .. } => {
                let ticks = match outcome.content {
                    Content::Timestamps(Ok(ticks)) => ticks,
                    Content::Timestamps(Err(err)) => {
                        self.timestamp_failure(index, err, now_ms);
                        return Disposition::Discard;
                    }
                    _ => {
                        let message =
                            "the answer was read without its timestamps; use Job::read_outcome"
                                .to_owned();
                        self.fail(index, UnitError::bulk("internal", message, now_ms));
                        return Disposition::Discard;
                    }
                };
                let Spec::Sliced { planner, .. } = &mut self.spec else {
                    return Disposition::Discard;
                };
                if let Some(reason) = &cut_reason {
                    if window.width_ms() > 1 && self.status != JobStatus::Cancelled {
                        planner.replan(window, rows);
                        self.counters.replanned += 1;
                        self.units[index].state = UnitState::Replanned {
                            reason: format!("{reason}; split into smaller windows"),
                        };
                        return Disposition::Discard;
                    }
                }
                let range = window.ticks();
                let kept: Vec<usize> = ticks
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| range.contains(t))
                    .map(|(i, _)| i)
                    .collect();
                planner.record(
                    window,
                    kept.len() as u64,
                    rows,
                    body_bytes,
                    cut_reason.is_none(),
                );
                let cut_short = cut_reason
                    .map(|r| format!("{r} in a window of 1 ms, which cannot be split further"));
                self.units[index].state = finished(kept.len() as u64, cut_short);
                Disposition::Keep(KeptRows::Indices(kept))
            }
        }
    }
}
