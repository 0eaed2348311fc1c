//! The driving loop: ask the job what to do, do it, report back, store.

use std::cell::Cell;

use futures_util::future::{select, Either};
use futures_util::stream::{FuturesUnordered, StreamExt};

use super::keys;
use super::part::unit_part;
use crate::bulk::{Action, BulkError, Disposition, Job, JobStatus, PauseReason, UnitId};
use crate::client::PortalClient;
use crate::export::ExportError;
use crate::platform::{Clock, Storage, StorageError, Transport};
use crate::portal::{PortalError, QueryRequest};
use crate::result::QueryResult;

/// How often a waiting loop looks at pause and cancel requests.
const POLL_MS: i64 = 250;

/// Pause and cancel, asked for from outside while the loop runs.
#[derive(Debug, Default)]
pub struct Control {
    pause: Cell<bool>,
    cancel: Cell<bool>,
}

impl Control {
    pub fn request_pause(&self) {
        self.pause.set(true);
    }

    pub fn request_cancel(&self) {
        self.cancel.set(true);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnd {
    Done,
    Paused(PauseReason),
    Cancelled,
}

/// Why the loop stopped before the job did. The stored state is older than
/// the job in memory then: reload it from storage before resuming.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("could not store a finished unit: {0}")]
    Export(#[from] ExportError),
    #[error(transparent)]
    Bulk(#[from] BulkError),
    #[error("the stored rows of unit {unit} are missing or unreadable: {detail}")]
    BrokenPart { unit: u32, detail: String },
}

type Answer = (UnitId, Result<QueryResult, PortalError>, u64);

/// Runs `job` until it is done, paused (by `control` or for sign-in) or
/// cancelled. Calls `progress` after every answer.
pub async fn run_job<T: Transport, C: Clock, S: Storage>(
    client: &PortalClient<T>,
    clock: &C,
    storage: &S,
    job_id: &str,
    job: &mut Job,
    control: &Control,
    progress: &dyn Fn(&Job),
) -> Result<RunEnd, RunnerError> {
    let mut in_flight = FuturesUnordered::new();
    loop {
        if control.cancel.take() {
            job.cancel();
        }
        if control.pause.take() {
            job.pause();
        }
        let mut wait_until = None;
        let mut stop = None;
        loop {
            match job.next_action(clock.now_ms()) {
                Action::Send { unit_id, request } => {
                    in_flight.push(call(client, clock, unit_id, request))
                }
                Action::WaitUntil(at) => {
                    wait_until = Some(at);
                    break;
                }
                Action::Idle => break,
                Action::Paused(reason) => {
                    stop = Some(RunEnd::Paused(reason));
                    break;
                }
                Action::Done => {
                    let cancelled = job.status() == JobStatus::Cancelled;
                    stop = Some(if cancelled {
                        RunEnd::Cancelled
                    } else {
                        RunEnd::Done
                    });
                    break;
                }
            }
        }
        if let (Some(end), true) = (&stop, in_flight.is_empty()) {
            storage.set(&keys::job(job_id), job.to_json()?).await?;
            progress(job);
            return Ok(end.clone());
        }

        let now = clock.now_ms();
        let nap = wait_until.map_or(POLL_MS, |at| at - now).clamp(0, POLL_MS) as u64;
        let answer = if in_flight.is_empty() {
            clock.sleep(nap).await;
            None
        } else if stop.is_some() || wait_until.is_none() {
            // Paused or idle with calls out: only an answer moves us on.
            in_flight.next().await
        } else {
            match select(in_flight.next(), clock.sleep(nap)).await {
                Either::Left((answer, _)) => answer,
                Either::Right(_) => None,
            }
        };
        if let Some((unit_id, answer, took_ms)) = answer {
            record(storage, clock, job_id, job, unit_id, answer, took_ms).await?;
            progress(job);
        }
    }
}

async fn call<T: Transport, C: Clock>(
    client: &PortalClient<T>,
    clock: &C,
    unit_id: UnitId,
    request: QueryRequest,
) -> Answer {
    let started = clock.now_ms();
    let answer = client.run_query(&request).await;
    (unit_id, answer, (clock.now_ms() - started).max(0) as u64)
}

/// Hands an answer to the job and stores what it keeps: rows first, then
/// the job's state (see the module docs for why in that order).
async fn record<C: Clock, S: Storage>(
    storage: &S,
    clock: &C,
    job_id: &str,
    job: &mut Job,
    unit_id: UnitId,
    answer: Result<QueryResult, PortalError>,
    took_ms: u64,
) -> Result<(), RunnerError> {
    let outcome = answer
        .as_ref()
        .map(|result| job.read_outcome(unit_id, result, took_ms))
        .map_err(Clone::clone);
    let disposition = job.on_result(unit_id, outcome, clock.now_ms());
    if let (Disposition::Keep(kept), Ok(result)) = (disposition, &answer) {
        let (part, _rows) = unit_part(result, &kept)?;
        storage.set(&keys::part(job_id, unit_id), part).await?;
    }
    storage.set(&keys::job(job_id), job.to_json()?).await?;
    Ok(())
}
