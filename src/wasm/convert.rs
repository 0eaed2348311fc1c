//! The shapes JavaScript sees, named once, in camelCase.

use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::portal::{PortalError, QueryRequest};
use crate::result::{QueryResult, ResultError};

/// The portal's documented row cap; a result of exactly this many rows may
/// have been cut short.
const PORTAL_ROW_CAP: usize = 100_000;
/// The portal's result size limit (64 MB); past it the portal is said to
/// return partial results (PORTAL.md), so an answer within 10 % of it may
/// be incomplete too. The bulk planner uses the same margin.
const PORTAL_SIZE_CAP_BYTES: usize = 64 * 1024 * 1024;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub session: &'static str,
    pub tenant_id: Option<String>,
    pub error: Option<ErrorValue>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorValue {
    pub kind: &'static str,
    pub message: String,
    pub user_message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

pub fn error_value(error: &PortalError) -> ErrorValue {
    ErrorValue {
        kind: error.kind(),
        message: error.to_string(),
        user_message: error.user_message(),
        raw: match error {
            PortalError::UnexpectedShape { raw, .. } => Some(raw.clone()),
            _ => None,
        },
        retry_after_ms: error.retry_after_ms(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnValue {
    pub name: String,
    pub type_name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotaValue {
    pub query_cpu_usage: String,
    pub cpu_load: String,
    pub execution_time: String,
    pub total_cpu_time: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuerySummary {
    pub result_id: u32,
    pub query_text: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub columns: Vec<ColumnValue>,
    pub row_count: usize,
    pub preview_rows: Vec<Vec<serde_json::Value>>,
    pub duration_ms: i64,
    pub quota: QuotaValue,
    pub chart_type: Option<String>,
    pub may_be_truncated: bool,
}

impl QuerySummary {
    pub fn new(
        result_id: u32,
        result: &QueryResult,
        request: &QueryRequest,
        duration_ms: i64,
        preview_rows: usize,
    ) -> Result<Self, ResultError> {
        let preview = result.preview(preview_rows)?;
        let quota = result.quota();
        Ok(Self {
            result_id,
            query_text: request.query_text.clone(),
            start_ms: request.start_ms,
            end_ms: request.end_ms,
            columns: result
                .columns()
                .iter()
                .map(|c| ColumnValue {
                    name: c.name.clone(),
                    type_name: c.type_name.clone(),
                })
                .collect(),
            row_count: result.row_count(),
            preview_rows: preview.rows,
            duration_ms,
            quota: QuotaValue {
                query_cpu_usage: quota.query_cpu_usage.to_string(),
                cpu_load: quota.cpu_load.to_string(),
                execution_time: quota.execution_time.clone(),
                total_cpu_time: quota.total_cpu_time.clone(),
            },
            chart_type: result.chart_type().map(str::to_owned),
            may_be_truncated: result.row_count() >= PORTAL_ROW_CAP
                || result.body().len() >= PORTAL_SIZE_CAP_BYTES / 10 * 9,
        })
    }
}

/// Plain objects, not Maps, and numbers as JS numbers (values that must stay
/// exact, like big Int64 cells, are already strings in the preview).
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|e| JsValue::from_str(&e.to_string()))
}
