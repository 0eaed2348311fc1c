//! A bulk job and its units: what to run, what ran, and what is left.
//!
//! The whole state is plain data (serde), so the driver can save it after
//! every finished unit and [`Job::from_json`] can pick it up after a browser
//! restart: finished units stay finished, units that were in flight run
//! again. The scheduling logic lives in `schedule.rs`.

use serde::{Deserialize, Serialize};

use crate::portal::PortalError;

use super::config::JobConfig;
use super::literal::{check, shown};
use super::outcome::UnitQuota;
use super::pacer::{Pacer, Rng, Rule};
use super::planner::{Planned, Planner};
use super::queries::QueryItem;
use super::slicing::check_sliceable;
use super::template::Template;
use super::ticks::Window;
use super::BulkError;

/// Saved jobs carry this, so later versions can migrate them.
pub const JOB_FORMAT: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnitId(pub u32);

/// What one unit runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Work {
    /// One query of a list, over its time range.
    Query {
        index: usize,
        name: String,
        query: String,
        range: Window,
    },
    /// One batch of a template job's values.
    Batch { index: usize, values: Vec<String> },
    /// One window of a sliced run, with the rows a probe counted in it.
    Window {
        window: Window,
        expected_rows: Option<u64>,
    },
    /// Counting rows per bin over a region of a sliced run.
    Probe { region: Window, bin_ms: i64 },
}

/// A failure, kept next to its unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitError {
    /// [`PortalError::kind`], or a bulk-engine kind (`no_timestamp`, …).
    pub kind: String,
    /// For the analyst, with the next step.
    pub message: String,
    /// For logs and bug reports.
    pub detail: String,
    pub at_ms: i64,
}

impl UnitError {
    pub(crate) fn portal(err: &PortalError, at_ms: i64) -> Self {
        UnitError {
            kind: err.kind().into(),
            message: err.user_message(),
            detail: err.to_string(),
            at_ms,
        }
    }

    pub(crate) fn bulk(kind: &str, message: String, at_ms: i64) -> Self {
        UnitError {
            kind: kind.into(),
            detail: message.clone(),
            message,
            at_ms,
        }
    }
}

/// A unit that ran to the end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finished {
    /// Rows the portal returned.
    pub rows: u64,
    /// Rows written to the output (a window keeps only its own).
    pub kept_rows: u64,
    pub duration_ms: u64,
    pub quota: Option<UnitQuota>,
    /// Set when the answer may be incomplete, saying why.
    pub cut_short: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum UnitState {
    Pending,
    Running {
        since_ms: i64,
    },
    Done(Finished),
    Failed {
        error: UnitError,
    },
    /// Not run, or not needed (cancelled, the job stopped, a probe the run
    /// managed without).
    Skipped {
        reason: String,
    },
    /// A window that was too big; its range was planned again in smaller
    /// windows.
    Replanned {
        reason: String,
    },
}

impl UnitState {
    /// Stable name for the UI.
    pub fn name(&self) -> &'static str {
        match self {
            UnitState::Pending => "pending",
            UnitState::Running { .. } => "running",
            UnitState::Done(_) => "done",
            UnitState::Failed { .. } => "failed",
            UnitState::Skipped { .. } => "skipped",
            UnitState::Replanned { .. } => "replanned",
        }
    }

    pub fn is_open(&self) -> bool {
        matches!(self, UnitState::Pending | UnitState::Running { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Unit {
    pub id: UnitId,
    pub work: Work,
    pub state: UnitState,
    /// Calls made for this unit.
    pub sends: u32,
    /// Retries used (5xx, timeouts, network).
    pub retries: u32,
    /// 429 and CPU-block waits sat out.
    pub waits: u32,
    /// Not to be sent before this time (a retry's backoff).
    pub not_before_ms: i64,
    /// Every error this unit met, oldest first (the last 20).
    pub errors: Vec<UnitError>,
}

/// Whether the job may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum JobStatus {
    Running,
    /// Paused by the analyst.
    Paused,
    /// The portal session ended; the UI shows a sign-in banner and the job
    /// goes on after [`Job::resume`].
    NeedsSignIn,
    Cancelled,
}

/// What kind of job, with what it needs to build each request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub(crate) enum Spec {
    Queries,
    Template {
        template: Template,
        range: Window,
    },
    Sliced {
        query: String,
        range: Window,
        planner: Planner,
    },
}

/// Counters over the whole job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Counters {
    pub calls: u64,
    pub throttled: u64,
    pub cpu_blocked: u64,
    pub retried: u64,
    pub replanned: u64,
    pub first_call_ms: Option<i64>,
    pub last_result_ms: Option<i64>,
}

/// A bulk job. See the module documentation of [`crate::bulk`] for the
/// driver loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub(crate) format: u32,
    pub(crate) spec: Spec,
    pub(crate) config: JobConfig,
    pub(crate) units: Vec<Unit>,
    pub(crate) status: JobStatus,
    /// Why the whole job stopped early (the query was rejected, or its
    /// answers cannot be sliced).
    pub(crate) stopped: Option<String>,
    pub(crate) pacer: Pacer,
    /// No call leaves before this time (a 429 backoff or a CPU block).
    /// Times are Unix ms, and 0 means "none": every number in a saved job
    /// stays within what a JavaScript number holds exactly.
    pub(crate) hold_until_ms: i64,
    pub(crate) hold_reason: Option<String>,
    pub(crate) throttle_streak: u32,
    pub(crate) rng: Rng,
    pub(crate) counters: Counters,
}

impl Job {
    /// Runs each query of a list once, over its own range or `range`.
    pub fn queries(
        items: Vec<QueryItem>,
        range: Window,
        config: JobConfig,
    ) -> Result<Job, BulkError> {
        if items.is_empty() {
            return Err(BulkError::NoQueries);
        }
        let mut job = Job::empty(Spec::Queries, config)?;
        for (index, item) in items.into_iter().enumerate() {
            let range = item.range.unwrap_or(range);
            check_range(range)?;
            job.push(Work::Query {
                index,
                name: item.name,
                query: item.query,
                range,
            });
        }
        Ok(job)
    }

    /// Runs `template` over `values` (`{{values}}` in batches, `{{value}}`
    /// one by one) over `range`. Every value is checked up front, so a bad
    /// one is reported before any call.
    pub fn template(
        template: &str,
        values: &[String],
        range: Window,
        config: JobConfig,
    ) -> Result<Job, BulkError> {
        check_range(range)?;
        let template = Template::parse(template)?;
        if values.is_empty() {
            return Err(BulkError::NoValues);
        }
        for v in values {
            check(v)?;
        }
        let batches = template.batches(values, config.batch);
        let mut job = Job::empty(Spec::Template { template, range }, config)?;
        for (index, values) in batches.into_iter().enumerate() {
            job.push(Work::Batch { index, values });
        }
        Ok(job)
    }

    /// Exports every row of `query` over `range` through windows that stay
    /// under the row cap. Refused (with the reason) for queries whose
    /// result is not one row per event with its `Timestamp`.
    pub fn sliced(query: &str, range: Window, config: JobConfig) -> Result<Job, BulkError> {
        check_range(range)?;
        let sliceable = check_sliceable(query)?;
        let probe = config.probe && sliceable.countable;
        let (planner, first) = Planner::new(range, probe, config.row_cap);
        let mut job = Job::empty(
            Spec::Sliced {
                query: query.to_owned(),
                range,
                planner,
            },
            config,
        )?;
        if let Some(planned) = first {
            job.push_planned(planned);
        }
        Ok(job)
    }

    fn empty(spec: Spec, config: JobConfig) -> Result<Job, BulkError> {
        config.validate()?;
        let rules = vec![
            Rule {
                limit: config.calls_per_minute,
                per_ms: 60_000,
            },
            Rule {
                limit: config.calls_per_hour,
                per_ms: 3_600_000,
            },
        ];
        let margin = i64::try_from(config.pacing_margin_ms).unwrap_or(i64::MAX);
        Ok(Job {
            format: JOB_FORMAT,
            spec,
            pacer: Pacer::new(rules, margin),
            rng: Rng::new(config.seed),
            config,
            units: Vec::new(),
            status: JobStatus::Running,
            stopped: None,
            hold_until_ms: 0,
            hold_reason: None,
            throttle_streak: 0,
            counters: Counters::default(),
        })
    }

    pub(crate) fn push(&mut self, work: Work) -> usize {
        let id = UnitId(u32::try_from(self.units.len()).unwrap_or(u32::MAX));
        self.units.push(Unit {
            id,
            work,
            state: UnitState::Pending,
            sends: 0,
            retries: 0,
            waits: 0,
            not_before_ms: 0,
            errors: Vec::new(),
        });
        self.units.len() - 1
    }

    pub(crate) fn push_planned(&mut self, planned: Planned) -> usize {
        match planned {
            Planned::Window {
                window,
                expected_rows,
            } => self.push(Work::Window {
                window,
                expected_rows,
            }),
            Planned::Probe { region, bin_ms } => self.push(Work::Probe { region, bin_ms }),
        }
    }

    // ----- control -------------------------------------------------------

    /// Stops sending; calls in flight still report back.
    pub fn pause(&mut self) {
        if self.status == JobStatus::Running {
            self.status = JobStatus::Paused;
        }
    }

    /// Goes on after a pause or a sign-in. Returns whether anything changed.
    pub fn resume(&mut self) -> bool {
        if matches!(self.status, JobStatus::Paused | JobStatus::NeedsSignIn) {
            self.status = JobStatus::Running;
            return true;
        }
        false
    }

    /// Gives up: pending units are skipped; answers of calls in flight are
    /// still recorded when they arrive (their rows are real).
    pub fn cancel(&mut self) {
        self.status = JobStatus::Cancelled;
        self.skip_pending("cancelled by the analyst");
    }

    /// Puts failed units back in the queue with fresh retries, e.g. after
    /// the portal recovered. Returns how many.
    pub fn retry_failed(&mut self) -> usize {
        if self.status == JobStatus::Cancelled || self.stopped.is_some() {
            return 0;
        }
        let mut n = 0;
        for unit in &mut self.units {
            if matches!(unit.state, UnitState::Failed { .. }) {
                unit.state = UnitState::Pending;
                unit.retries = 0;
                unit.waits = 0;
                unit.not_before_ms = 0;
                n += 1;
            }
        }
        n
    }

    pub(crate) fn skip_pending(&mut self, reason: &str) {
        for unit in &mut self.units {
            if unit.state == UnitState::Pending {
                unit.state = UnitState::Skipped {
                    reason: reason.into(),
                };
            }
        }
        if let Spec::Sliced { planner, .. } = &mut self.spec {
            planner.clear();
        }
    }

    // ----- reading -------------------------------------------------------

    pub fn status(&self) -> JobStatus {
        self.status
    }

    pub fn config(&self) -> &JobConfig {
        &self.config
    }

    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    pub fn unit(&self, id: UnitId) -> Option<&Unit> {
        self.units.get(id.0 as usize).filter(|u| u.id == id)
    }

    /// Why the job stopped before its end, if it did.
    pub fn stopped(&self) -> Option<&str> {
        self.stopped.as_deref()
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The window whose rows a sliced unit keeps (`None` for other units).
    pub fn window_of(&self, id: UnitId) -> Option<Window> {
        match self.unit(id)?.work {
            Work::Window { window, .. } => Some(window),
            _ => None,
        }
    }

    /// Nothing left to send or wait for.
    pub fn is_finished(&self) -> bool {
        let open = self.units.iter().any(|u| u.state.is_open());
        let planning = match &self.spec {
            Spec::Sliced { planner, .. } => !planner.is_exhausted(),
            _ => false,
        };
        !open && (!planning || self.status == JobStatus::Cancelled || self.stopped.is_some())
    }

    /// A printable form of a value list, for messages.
    pub(crate) fn values_label(values: &[String]) -> String {
        match values {
            [one] => shown(one),
            [first, ..] => format!("{} and {} more", shown(first), values.len() - 1),
            [] => String::new(),
        }
    }

    // ----- persistence ---------------------------------------------------

    pub fn to_json(&self) -> Result<String, BulkError> {
        serde_json::to_string(self).map_err(|e| BulkError::Restore(e.to_string()))
    }

    /// Reads a saved job. Units that were in flight when it was saved are
    /// queued again: their answers were lost with the page.
    pub fn from_json(json: &str) -> Result<Job, BulkError> {
        let mut job: Job =
            serde_json::from_str(json).map_err(|e| BulkError::Restore(e.to_string()))?;
        if job.format != JOB_FORMAT {
            return Err(BulkError::Restore(format!(
                "saved job has format {}, this version reads {JOB_FORMAT}",
                job.format
            )));
        }
        for unit in &mut job.units {
            if matches!(unit.state, UnitState::Running { .. }) {
                unit.state = UnitState::Pending;
            }
        }
        if job.status == JobStatus::Cancelled {
            job.skip_pending("cancelled by the analyst");
        }
        Ok(job)
    }
}

fn check_range(range: Window) -> Result<(), BulkError> {
    if range.is_empty() {
        return Err(BulkError::EmptyRange {
            range: range.to_string(),
        });
    }
    Ok(())
}
