//! The bulk engine: many portal calls made as one job, without I/O of its
//! own, so that everything here runs and is tested natively.
//!
//! Three kinds of [`Job`]:
//! * [`Job::queries`]: a list of queries ([`parse_query_file`] reads
//!   `.kql`, `.txt` and `.jsonl` lists), each over its own or a shared range;
//! * [`Job::template`]: one query with `{{values}}` or `{{value}}`, run over
//!   an indicator list ([`parse_indicators`]); values become KQL string
//!   literals nothing can break out of ([`kql_string`]);
//! * [`Job::sliced`]: one query over a long range, cut into windows that
//!   each stay under the portal's row cap, exactly: every row once, none
//!   lost, whichever way the portal treats the edges of a time range.
//!
//! # Exact slicing
//!
//! Windows `[s, e)` on whole milliseconds tile the range. Each is requested
//! as `[s − 1 ms, e + 1 ms]`, which covers its rows whether the portal's
//! start and end are inclusive or exclusive, and only rows whose
//! `Timestamp` (read exactly, in 100 ns ticks) lies in `[s, e)` are kept
//! ([`kept_row_indices`]). An answer of `row_cap` rows (or near the size
//! cap) may be cut short: its window is planned again in smaller pieces,
//! down to 1 ms; a 1 ms window still at the cap is kept and reported as
//! possibly cut short, never silently. Windows are sized from a row-count
//! probe when the portal accepts one, else from the density seen so far
//! (see `planner.rs`). Queries whose answer is not one row per event are
//! refused with a [`SliceRefusal`] that says why ([`check_sliceable`]).
//!
//! # Driving a job
//!
//! ```text
//! loop {
//!     match job.next_action(clock.now_ms()) {
//!         Action::Send { unit_id, request } => {
//!             // start the call; when it answers (possibly concurrently
//!             // with other calls):
//!             let answer = client.run_query(&request).await;
//!             let outcome = answer.as_ref()
//!                 .map(|result| job.read_outcome(unit_id, result, took_ms))
//!                 .map_err(Clone::clone);
//!             match job.on_result(unit_id, outcome, clock.now_ms()) {
//!                 Disposition::Keep(KeptRows::All) => write every row,
//!                 Disposition::Keep(KeptRows::Indices(rows)) => write those rows,
//!                 Disposition::Discard => {}
//!             }
//!             save(job.to_json());
//!         }
//!         Action::WaitUntil(t) => sleep until t, or until a call answers,
//!         Action::Idle => wait for a call to answer,
//!         Action::Paused(reason) => show it; wait for resume(),
//!         Action::Done => break,
//!     }
//! }
//! ```
//!
//! The job's state is serde data: [`Job::to_json`] after each answer and
//! [`Job::from_json`] after a restart continue where it stopped, re-running
//! only what had not finished.

mod config;
mod error;
mod failures;
mod ioc;
mod job;
mod literal;
mod manifest;
mod outcome;
mod pacer;
mod planner;
mod probe;
mod progress;
mod queries;
mod rows;
mod scan;
mod schedule;
mod slicing;
mod template;
mod ticks;
mod values;

pub use config::JobConfig;
pub use error::BulkError;
pub use ioc::{classify, is_domain, normalise, refang, IndicatorKind};
pub use job::{
    Counters, Finished, Job, JobStatus, Unit, UnitError, UnitId, UnitState, Work, JOB_FORMAT,
};
pub use literal::{
    check as check_literal, is_refused_char, kql_string, kql_string_list, push_kql_string,
    LiteralError,
};
pub use manifest::{Manifest, ManifestUnit, RangeText};
pub use outcome::{Content, Disposition, KeptRows, Reading, UnitOutcome, UnitQuota};
pub use pacer::Rule;
pub use probe::{bin_width_ms, probe_query, read_histogram, PROBE_COUNT_COLUMN};
pub use progress::{Progress, UnitCounts, UnitProgress};
pub use queries::{
    parse_query_file, parse_query_jsonl, parse_query_text, ListProblem, QueryItem, QueryList,
};
pub use rows::{
    for_each_kept_row, kept_row_indices, row_ticks, timestamp_column, RowTimeError,
    TIMESTAMP_COLUMN,
};
pub use schedule::{Action, PauseReason};
pub use slicing::{check_sliceable, SliceRefusal, Sliceable};
pub use template::{batch_values, BatchLimits, Placeholder, Template, TemplateError};
pub use ticks::{parse_ticks, TimestampError, Window, TICKS_PER_MS};
pub use values::{
    decode_text, parse_indicators, Duplicate, Indicator, IndicatorList, InputFormat, Rejected,
    TextError,
};
