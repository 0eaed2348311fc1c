//! The merged export of a finished (or stopped) job, read back from the
//! stored parts in time order and written by the ordinary exporters.

use std::io::Write;

use super::keys;
use super::run::RunnerError;
use crate::bulk::{Job, UnitId, UnitState, Work};
use crate::export::{CsvOptions, ExportFormat, Exporter};
use crate::platform::Storage;
use crate::result::{Column, QueryResult};

/// Units whose rows are in the output, in output order: windows by time,
/// everything else in the order the job lists them.
fn output_units(job: &Job) -> Vec<UnitId> {
    let mut units: Vec<(i64, UnitId)> = job
        .units()
        .iter()
        .filter(|u| matches!(u.state, UnitState::Done(_)) && !matches!(u.work, Work::Probe { .. }))
        .map(|u| match &u.work {
            Work::Window { window, .. } => (window.start_ms, u.id),
            _ => (0, u.id),
        })
        .collect();
    units.sort();
    units.into_iter().map(|(_, id)| id).collect()
}

async fn load_part<S: Storage>(
    storage: &S,
    job_id: &str,
    unit: UnitId,
) -> Result<String, RunnerError> {
    storage
        .get(&keys::part(job_id, unit))
        .await?
        .ok_or_else(|| RunnerError::BrokenPart {
            unit: unit.0,
            detail: "not in storage".into(),
        })
}

/// The columns of every part, each name once, in first-seen order: the CSV
/// header of a job whose queries return different columns. Reads only each
/// part's leading `Schema`, which `unit_part` writes first.
pub async fn columns_of_parts<S: Storage>(
    storage: &S,
    job_id: &str,
    job: &Job,
) -> Result<Vec<Column>, RunnerError> {
    let mut columns: Vec<Column> = Vec::new();
    for unit in output_units(job) {
        let part = load_part(storage, job_id, unit).await?;
        let broken = |detail: &str| RunnerError::BrokenPart {
            unit: unit.0,
            detail: detail.into(),
        };
        let end = part
            .find(",\"Results\":")
            .ok_or_else(|| broken("no Results"))?;
        let schema = part
            .get("{\"Schema\":".len()..end)
            .ok_or_else(|| broken("no Schema"))?;
        let schema: Vec<serde_json::Value> =
            serde_json::from_str(schema).map_err(|e| broken(&e.to_string()))?;
        for column in schema {
            let name = column["Name"].as_str().unwrap_or_default();
            if !columns.iter().any(|c| c.name == name) {
                columns.push(Column::new(
                    name,
                    column["Type"].as_str().unwrap_or_default(),
                ));
            }
        }
    }
    Ok(columns)
}

/// Writes the job's rows to `out` as one file; returns the writer and the
/// number of rows written.
pub async fn assemble_export<S: Storage, W: Write>(
    storage: &S,
    job_id: &str,
    job: &Job,
    format: ExportFormat,
    csv: CsvOptions,
    out: W,
) -> Result<(W, u64), RunnerError> {
    let columns = columns_of_parts(storage, job_id, job).await?;
    let mut exporter = Exporter::new(format, out, csv, &columns)?;
    for unit in output_units(job) {
        let part = load_part(storage, job_id, unit).await?;
        let result =
            QueryResult::from_body(part.into_bytes()).map_err(|e| RunnerError::BrokenPart {
                unit: unit.0,
                detail: e.to_string(),
            })?;
        exporter.write_result(&result)?;
    }
    let rows = exporter.rows_written();
    Ok((exporter.finish()?, rows))
}
