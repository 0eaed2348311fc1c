//! Storage keys of a bulk job. One job id owns everything under
//! `bulk/<job id>/`, so deleting a job is deleting a prefix.

use crate::bulk::UnitId;

pub const PREFIX: &str = "bulk/";

pub fn job(job_id: &str) -> String {
    format!("{PREFIX}{job_id}/job")
}

pub fn part(job_id: &str, unit: UnitId) -> String {
    format!("{PREFIX}{job_id}/part/{}", unit.0)
}

pub fn everything(job_id: &str) -> String {
    format!("{PREFIX}{job_id}/")
}

/// The job id in a `…/job` key, for listing stored jobs.
pub fn job_id_of(key: &str) -> Option<&str> {
    key.strip_prefix(PREFIX)?.strip_suffix("/job")
}
