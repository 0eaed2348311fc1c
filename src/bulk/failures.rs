//! What a failed call does to its unit and to the job.
//!
//! By [`PortalError`] kind:
//! * `session_expired`: the unit goes back to the queue and the job waits
//!   in [`JobStatus::NeedsSignIn`] until [`Job::resume`];
//! * `quota` (429): the unit goes back to the queue and every call waits an
//!   exponential backoff with jitter (and the limit the 429 named is
//!   adopted by the pacer);
//! * `cpu_blocked`: every call waits exactly the time the portal named;
//! * `server_error` 5xx, `network`, `xsrf_rejected`, and `timeout` outside
//!   sliced runs: retried after a backoff, at most `max_retries` times;
//! * `result_too_large` and `timeout` of a window: its range is planned
//!   again in smaller windows; elsewhere the unit fails;
//! * `query_error`: never retried; a sliced or template job stops, since
//!   every other unit runs the same query;
//! * anything else fails the unit.
//!
//! A probe that fails in any way is not an error of the job: its region is
//! sliced by measured density instead.

use crate::portal::PortalError;

use super::job::{Job, JobStatus, Spec, UnitError, UnitState, Work};
use super::pacer::{backoff_ms, Rule};
use super::rows::RowTimeError;
use super::slicing::SliceRefusal;

/// Errors a unit keeps (the most recent).
const KEPT_ERRORS: usize = 20;

impl Job {
    pub(crate) fn timestamp_failure(&mut self, index: usize, err: RowTimeError, now_ms: i64) {
        match err {
            RowTimeError::NoTimestampColumn { .. } => {
                let refusal = SliceRefusal {
                    reason: format!("{err}; huntkit needs each row's Timestamp to place it in exactly one window"),
                    line: None,
                };
                let message = refusal.to_string();
                self.fail(
                    index,
                    UnitError::bulk("no_timestamp", message.clone(), now_ms),
                );
                self.stop(&message);
            }
            other => self.fail(
                index,
                UnitError::bulk("bad_timestamp", other.to_string(), now_ms),
            ),
        }
    }

    pub(crate) fn failed(&mut self, index: usize, err: PortalError, since_ms: i64, now_ms: i64) {
        let record = UnitError::portal(&err, now_ms);
        let errors = &mut self.units[index].errors;
        errors.push(record.clone());
        if errors.len() > KEPT_ERRORS {
            errors.remove(0);
        }
        if self.status == JobStatus::Cancelled {
            self.units[index].state = UnitState::Skipped {
                reason: "cancelled by the analyst".into(),
            };
            return;
        }
        let work = self.units[index].work.clone();
        let is_probe = matches!(work, Work::Probe { .. });
        let splittable = matches!(work, Work::Window { window, .. } if window.width_ms() > 1);
        match &err {
            PortalError::SessionExpired { .. } => {
                self.units[index].state = UnitState::Pending;
                if self.status == JobStatus::Running {
                    self.status = JobStatus::NeedsSignIn;
                }
            }
            PortalError::Quota { limit, per, .. } => {
                self.counters.throttled += 1;
                self.throttle_streak += 1;
                let per_ms = err
                    .retry_after_ms()
                    .and_then(|ms| i64::try_from(ms).ok())
                    .unwrap_or(60_000);
                if let (Some(limit), Some(_)) = (limit, per) {
                    self.pacer.adopt(Rule {
                        limit: *limit,
                        per_ms,
                    });
                }
                self.pacer.refused(since_ms, per_ms, now_ms);
                let (base, max) = (self.config.backoff_base_ms, self.config.backoff_max_ms);
                let delay = backoff_ms(&mut self.rng, self.throttle_streak, base, max);
                self.hold(
                    now_ms.saturating_add(delay as i64),
                    "the portal asked to slow down (429)",
                );
                self.wait_or_fail(index, record);
            }
            PortalError::CpuBlocked { wait_ms, .. } => {
                self.counters.cpu_blocked += 1;
                let until = now_ms.saturating_add(i64::try_from(*wait_ms).unwrap_or(i64::MAX));
                self.hold(until, "the tenant's CPU quota is used up");
                self.wait_or_fail(index, record);
            }
            PortalError::ResultTooLarge { .. } | PortalError::Timeout { .. } if is_probe => {
                self.probe_gave_up(index, &record.detail);
            }
            PortalError::ResultTooLarge { .. } | PortalError::Timeout { .. } if splittable => {
                if let (
                    Work::Window {
                        window,
                        expected_rows,
                    },
                    Spec::Sliced { planner, .. },
                ) = (&work, &mut self.spec)
                {
                    planner.replan(*window, expected_rows.unwrap_or(self.config.row_cap));
                }
                self.counters.replanned += 1;
                let reason = format!("{}; split into smaller windows", record.detail);
                self.units[index].state = UnitState::Replanned { reason };
            }
            PortalError::Timeout { .. }
            | PortalError::Network { .. }
            | PortalError::XsrfRejected => self.retry(index, record, now_ms),
            PortalError::ServerError { status, .. } if *status >= 500 => {
                self.retry(index, record, now_ms)
            }
            _ if is_probe => self.probe_gave_up(index, &record.detail),
            PortalError::QueryError { .. } => {
                let stop = format!("the portal rejected the query: {}", record.detail);
                self.fail(index, record);
                if !matches!(self.spec, Spec::Queries) {
                    self.stop(&stop);
                }
            }
            _ => self.fail(index, record),
        }
    }

    fn retry(&mut self, index: usize, record: UnitError, now_ms: i64) {
        self.units[index].retries += 1;
        let retries = self.units[index].retries;
        if retries > self.config.max_retries {
            if matches!(self.units[index].work, Work::Probe { .. }) {
                return self.probe_gave_up(index, &record.detail);
            }
            return self.fail(index, record);
        }
        self.counters.retried += 1;
        let delay = backoff_ms(
            &mut self.rng,
            retries,
            self.config.backoff_base_ms,
            self.config.backoff_max_ms,
        );
        let unit = &mut self.units[index];
        unit.not_before_ms = now_ms.saturating_add(delay as i64);
        unit.state = UnitState::Pending;
    }

    fn wait_or_fail(&mut self, index: usize, record: UnitError) {
        let unit = &mut self.units[index];
        unit.waits += 1;
        if unit.waits > self.config.max_waits {
            if matches!(unit.work, Work::Probe { .. }) {
                return self.probe_gave_up(index, &record.detail);
            }
            return self.fail(index, record);
        }
        unit.state = UnitState::Pending;
    }

    fn hold(&mut self, until_ms: i64, reason: &str) {
        if until_ms > self.hold_until_ms {
            self.hold_until_ms = until_ms;
            self.hold_reason = Some(reason.into());
        }
    }

    fn probe_gave_up(&mut self, index: usize, why: &str) {
        if let (Work::Probe { region, .. }, Spec::Sliced { planner, .. }) =
            (&self.units[index].work, &mut self.spec)
        {
            planner.probe_failed(*region);
        }
        self.units[index].state = UnitState::Skipped {
            reason: format!(
                "could not count rows per time bin ({why}); sliced by measured density instead"
            ),
        };
    }

    pub(crate) fn fail(&mut self, index: usize, error: UnitError) {
        let unit = &mut self.units[index];
        if unit.errors.last() != Some(&error) {
            unit.errors.push(error.clone());
        }
        unit.state = UnitState::Failed { error };
    }

    fn stop(&mut self, reason: &str) {
        if self.stopped.is_none() {
            self.stopped = Some(reason.to_owned());
            self.skip_pending(&format!("not run: {reason}"));
        }
    }
}
