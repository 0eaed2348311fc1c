//! Running a bulk job for real: the loop that drives a [`crate::bulk::Job`]
//! through the portal client, keeps every finished unit in durable storage
//! as it finishes, and assembles the one merged export at the end.
//!
//! The job itself decides what to send and what an answer means
//! (`bulk::schedule`); this module only carries requests, waits, stores and
//! reports. It is generic over the platform traits, so the whole loop runs
//! natively in tests on a scripted transport, a manual clock and memory
//! storage, and in the browser on the page agent, `setTimeout` and
//! `chrome.storage.local`.
//!
//! # What is stored (see [`keys`])
//!
//! After each unit that finishes with rows: first the unit's kept rows (a
//! portal-shaped envelope, so the ordinary exporters read it back), then
//! the job's state. A crash between the two leaves a part whose unit is not
//! yet done: it runs again and overwrites the part, so nothing is counted
//! twice. Memory holds at most the answers of the calls in flight.

mod assemble;
pub mod keys;
mod part;
mod plan;
mod run;

pub use assemble::{assemble_export, columns_of_parts};
pub use part::unit_part;
pub use plan::{plan_job, JobKind, JobSpec, LoadedFile, PlanNotes};
pub use run::{run_job, Control, RunEnd, RunnerError};
