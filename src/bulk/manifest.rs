//! The run manifest: a JSON record of what a job ran and what came back,
//! saved next to the export so an analyst (or an auditor) can tell whether
//! the export is complete and how it was made.
//!
//! Units are listed with windows in time order, then the rest in list
//! order. A window's query text is the job's (`query`), so it is not
//! repeated per window; probes list the text they sent.

use serde::Serialize;

use crate::portal::iso_millis;

use super::config::JobConfig;
use super::job::{Counters, Job, JobStatus, Spec, UnitError, UnitState, Work};
use super::outcome::UnitQuota;
use super::ticks::Window;

/// A time range, readable and exact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RangeText {
    pub start: String,
    pub end: String,
    pub start_ms: i64,
    pub end_ms: i64,
}

impl From<Window> for RangeText {
    fn from(w: Window) -> Self {
        RangeText {
            start: iso_millis(w.start_ms),
            end: iso_millis(w.end_ms),
            start_ms: w.start_ms,
            end_ms: w.end_ms,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestUnit {
    pub id: u32,
    /// `query`, `batch`, `window` or `probe`.
    pub kind: &'static str,
    pub label: String,
    pub query: Option<String>,
    /// The time range the unit covers (a window keeps exactly these rows).
    pub range: Option<RangeText>,
    pub values: Option<Vec<String>>,
    pub status: &'static str,
    pub rows: Option<u64>,
    pub kept_rows: Option<u64>,
    pub duration_ms: Option<u64>,
    pub quota: Option<UnitQuota>,
    /// Why this unit's answer may be incomplete.
    pub cut_short: Option<String>,
    pub note: Option<String>,
    pub error: Option<UnitError>,
    pub calls: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub kind: &'static str,
    /// The sliced query, or the template.
    pub query: Option<String>,
    pub range: Option<RangeText>,
    pub status: JobStatus,
    pub stopped: Option<String>,
    /// Every unit finished and none may be cut short.
    pub complete: bool,
    pub may_be_cut_short: bool,
    pub rows: u64,
    pub kept_rows: u64,
    pub units: Vec<ManifestUnit>,
    pub counters: Counters,
    pub config: JobConfig,
}

impl Job {
    pub fn manifest(&self) -> Manifest {
        let (kind, query, range) = match &self.spec {
            Spec::Queries => ("queries", None, None),
            Spec::Template { template, range } => (
                "template",
                Some(template.text().to_owned()),
                Some((*range).into()),
            ),
            Spec::Sliced { query, range, .. } => {
                ("sliced", Some(query.clone()), Some((*range).into()))
            }
        };
        let mut order: Vec<usize> = (0..self.units.len()).collect();
        order.sort_by_key(|&i| match &self.units[i].work {
            Work::Window { window, .. } => (0, window.start_ms, i),
            Work::Probe { region, .. } => (0, region.start_ms, i),
            _ => (1, 0, i),
        });
        let units: Vec<ManifestUnit> = order.into_iter().map(|i| self.manifest_unit(i)).collect();
        let may_be_cut_short = units.iter().any(|u| u.cut_short.is_some());
        let all_done = self.units.iter().all(|u| match &u.state {
            UnitState::Done(_) | UnitState::Replanned { .. } => true,
            UnitState::Skipped { .. } => matches!(u.work, Work::Probe { .. }),
            _ => false,
        });
        Manifest {
            kind,
            query,
            range,
            status: self.status,
            stopped: self.stopped.clone(),
            complete: all_done && self.is_finished() && !may_be_cut_short && self.stopped.is_none(),
            may_be_cut_short,
            rows: units.iter().filter_map(|u| u.rows).sum(),
            kept_rows: units.iter().filter_map(|u| u.kept_rows).sum(),
            units,
            counters: self.counters.clone(),
            config: self.config.clone(),
        }
    }

    fn manifest_unit(&self, index: usize) -> ManifestUnit {
        let unit = &self.units[index];
        let (kind, query, range, values) = match &unit.work {
            Work::Query { query, range, .. } => {
                ("query", Some(query.clone()), Some((*range).into()), None)
            }
            Work::Batch { values, .. } => {
                let range = match &self.spec {
                    Spec::Template { range, .. } => Some((*range).into()),
                    _ => None,
                };
                (
                    "batch",
                    self.query_text(unit.id),
                    range,
                    Some(values.clone()),
                )
            }
            Work::Window { window, .. } => ("window", None, Some((*window).into()), None),
            Work::Probe { region, .. } => (
                "probe",
                self.query_text(unit.id),
                Some((*region).into()),
                None,
            ),
        };
        let done = match &unit.state {
            UnitState::Done(done) => Some(done),
            _ => None,
        };
        ManifestUnit {
            id: unit.id.0,
            kind,
            label: self.unit_label(&unit.work),
            query,
            range,
            values,
            status: unit.state.name(),
            rows: done.map(|d| d.rows),
            kept_rows: done.map(|d| d.kept_rows),
            duration_ms: done.map(|d| d.duration_ms),
            quota: done.and_then(|d| d.quota.clone()),
            cut_short: done.and_then(|d| d.cut_short.clone()),
            note: match &unit.state {
                UnitState::Skipped { reason } | UnitState::Replanned { reason } => {
                    Some(reason.clone())
                }
                _ => None,
            },
            error: match &unit.state {
                UnitState::Failed { error } => Some(error.clone()),
                _ => None,
            },
            calls: unit.sends,
        }
    }
}
