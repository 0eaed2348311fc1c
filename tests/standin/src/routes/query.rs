//! The queryExecutor request body and running it, shared by the API and the
//! ground-truth endpoints so both see exactly the same rows.

use crate::config::Edge;
use crate::envelope::QuotaInfo;
use crate::kql::{self, exec::Window, Frame, QueryError, RunStats};
use crate::state::State;
use crate::time::{self, TICKS_PER_SEC};
use serde_json::Value;
use std::time::Instant;

pub struct QueryRequest {
    pub text: String,
    pub start: i64,
    pub end: i64,
    pub start_raw: Value,
    pub end_raw: Value,
    pub max_records: Option<u64>,
}

/// `{"QueryText","StartTime","EndTime","MaxRecordCount",...}`. Times must be
/// present: the portal's own page always sends both, and a client that omits
/// them should learn so here rather than against the real portal.
pub fn parse_request(body: &[u8]) -> Result<QueryRequest, String> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| format!("The request body is not valid JSON: {e}"))?;
    let text = v
        .get("QueryText")
        .and_then(Value::as_str)
        .ok_or("The request must contain a QueryText string.")?
        .to_string();
    let time_of = |k: &str| -> Result<i64, String> {
        let s = v
            .get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("The request must contain {k} as a UTC ISO 8601 string."))?;
        time::parse(s).ok_or_else(|| format!("{k} '{s}' is not a valid date and time."))
    };
    let start = time_of("StartTime")?;
    let end = time_of("EndTime")?;
    let max_records = match v.get("MaxRecordCount") {
        None | Some(Value::Null) => None,
        Some(n) => Some(
            n.as_u64()
                .ok_or("MaxRecordCount must be null or a non-negative integer.")?,
        ),
    };
    Ok(QueryRequest {
        text,
        start,
        end,
        start_raw: v.get("StartTime").cloned().unwrap_or(Value::Null),
        end_raw: v.get("EndTime").cloned().unwrap_or(Value::Null),
        max_records,
    })
}

/// CPU seconds per 15-minute cycle used to express Quota percentages when no
/// CPU budget is configured.
const NOMINAL_BUDGET: f64 = 900.0;

/// A plausible CPU cost: grows with rows scanned and cells produced;
/// metadata-only queries (getschema) cost nothing, as in the real response.
fn cpu_secs(stats: &RunStats, frame: &Frame) -> f64 {
    if stats.metadata_only {
        return 0.0;
    }
    0.003 + stats.rows_scanned as f64 * 1.5e-6 + (frame.len() * frame.cols.len()) as f64 * 5e-8
}

pub struct Ran {
    pub frame: Frame,
    pub quota: QuotaInfo,
}

/// Runs the query against the current tenant. `charge` adds its CPU to the
/// tenant's cycle (the API does; the ground truth does not).
pub fn run(st: &State, q: &QueryRequest, charge: bool) -> Result<Ran, QueryError> {
    let tenant = st.tenant();
    let settings = st.settings();
    let window = Window {
        start: q.start,
        end: q.end,
        inclusive_end: settings.edge == Edge::Inclusive,
    };
    let began = Instant::now();
    let (frame, stats) = kql::run(&tenant, &q.text, Some(window))?;
    let elapsed = began.elapsed();
    let cpu = cpu_secs(&stats, &frame);
    let now = time::wall_now();
    let budget = settings.cpu_budget.unwrap_or(NOMINAL_BUDGET).max(1e-9);
    let used = {
        let mut c = crate::state::lock(&st.cpu);
        if charge {
            c.charge(cpu, now);
        }
        c.used(now)
    };
    let quota = QuotaInfo {
        query_cpu_usage: (100.0 * cpu / budget).round() as u64,
        cpu_load: (100.0 * used / budget).round().min(100.0) as u64,
        // Real wall time of the query plus a fixed front-end overhead.
        execution_ticks: elapsed.as_nanos() as i64 / 100 + TICKS_PER_SEC / 20,
        total_cpu_ticks: (cpu * TICKS_PER_SEC as f64).round() as i64,
    };
    Ok(Ran { frame, quota })
}
