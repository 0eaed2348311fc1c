//! `Engine`: what the engine frame calls. Each call returns a Promise of a
//! small, JSON-shaped value; errors reject with `{kind, message,
//! userMessage, raw?, retryAfterMs?}` (see `convert::error_value`).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Function, Promise};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::clock::BrowserClock;
use super::convert::{error_value, to_js, QuerySummary, Status};
use super::transport::AgentTransport;
use crate::client::PortalClient;
use crate::platform::Clock;
use crate::portal::{PortalError, QueryRequest};
use crate::result::QueryResult;

/// How many results stay in memory for export; older ones are dropped so a
/// long session does not accumulate response bodies.
const KEPT_RESULTS: usize = 3;
const DEFAULT_PREVIEW_ROWS: usize = 100;

pub(super) struct KeptResult {
    pub id: u32,
    pub result: QueryResult,
    pub request: QueryRequest,
    pub name: Option<String>,
}

pub(super) struct Inner {
    pub(super) client: PortalClient<AgentTransport>,
    pub(super) clock: BrowserClock,
    /// Running bulk jobs' pause and cancel switches, by job id.
    pub(super) bulk_controls:
        RefCell<std::collections::HashMap<String, Rc<crate::runner::Control>>>,
    pub(super) results: RefCell<VecDeque<KeptResult>>,
    next_id: Cell<u32>,
    pub(super) tenant: RefCell<Option<String>>,
}

#[wasm_bindgen]
pub struct Engine {
    pub(super) inner: Rc<Inner>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunArgs {
    query_text: String,
    start_ms: f64,
    end_ms: f64,
    name: Option<String>,
    preview_rows: Option<usize>,
}

#[wasm_bindgen]
impl Engine {
    /// `transport(op, method, path, body)` reaches the portal through the
    /// page agent (see `wasm::transport`).
    #[wasm_bindgen(constructor)]
    pub fn new(transport: Function) -> Engine {
        Engine {
            inner: Rc::new(Inner {
                client: PortalClient::new(AgentTransport::new(transport)),
                clock: BrowserClock,
                results: RefCell::new(VecDeque::new()),
                next_id: Cell::new(1),
                tenant: RefCell::new(None),
                bulk_controls: RefCell::default(),
            }),
        }
    }

    /// Whether the session is live, and the tenant.
    pub fn status(&self) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let status = match inner.client.tenant_id().await {
                Ok(tenant) => {
                    *inner.tenant.borrow_mut() = Some(tenant.clone());
                    Status {
                        session: "live",
                        tenant_id: Some(tenant),
                        error: None,
                    }
                }
                Err(error) => Status {
                    session: if matches!(error, PortalError::SessionExpired { .. }) {
                        "expired"
                    } else {
                        "unknown"
                    },
                    tenant_id: None,
                    error: Some(error_value(&error)),
                },
            };
            to_js(&status)
        })
    }

    /// Runs one query; resolves to a summary with the first rows.
    #[wasm_bindgen(js_name = runQuery)]
    pub fn run_query(&self, args: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let args: RunArgs = serde_wasm_bindgen::from_value(args)
                .map_err(|e| to_js_error("input", &format!("bad runQuery arguments: {e}")))?;
            let request = QueryRequest {
                query_text: args.query_text,
                start_ms: args.start_ms as i64,
                end_ms: args.end_ms as i64,
                max_record_count: None,
            };
            let started = inner.clock.now_ms();
            let result = inner
                .client
                .run_query(&request)
                .await
                .map_err(|e| error_js(&e))?;
            let duration_ms = inner.clock.now_ms() - started;
            let id = inner.next_id.get();
            inner.next_id.set(id + 1);
            let preview_rows = args.preview_rows.unwrap_or(DEFAULT_PREVIEW_ROWS);
            let summary = QuerySummary::new(id, &result, &request, duration_ms, preview_rows)
                .map_err(|e| to_js_error("unexpected_shape", &e.to_string()))?;
            let mut kept = inner.results.borrow_mut();
            kept.push_back(KeptResult {
                id,
                result,
                request,
                name: args.name,
            });
            while kept.len() > KEPT_RESULTS {
                kept.pop_front();
            }
            to_js(&summary)
        })
    }

    /// Fetches the tenant's schema for a snapshot: resolves to `{tenantId,
    /// takenAtMs, bytes}` with the response bytes exactly as the portal
    /// sent them (the snapshot keeps them verbatim).
    #[wasm_bindgen(js_name = schemaSnapshot)]
    pub fn schema_snapshot(&self) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let tenant = inner.client.tenant_id().await.map_err(|e| error_js(&e))?;
            *inner.tenant.borrow_mut() = Some(tenant.clone());
            let taken_at_ms = inner.clock.now_ms();
            let bytes = inner
                .client
                .schema_bytes()
                .await
                .map_err(|e| error_js(&e))?;
            let out = js_sys::Object::new();
            let set = |key: &str, value: JsValue| {
                js_sys::Reflect::set(&out, &JsValue::from_str(key), &value)
            };
            set("tenantId", JsValue::from_str(&tenant))?;
            set("takenAtMs", JsValue::from_f64(taken_at_ms as f64))?;
            set("bytes", js_sys::Uint8Array::from(bytes.as_slice()).into())?;
            Ok(out.into())
        })
    }

    /// Drops a kept result (its memory is reused for the next one).
    pub fn release(&self, result_id: u32) {
        self.inner
            .results
            .borrow_mut()
            .retain(|k| k.id != result_id);
    }
}

fn error_js(error: &PortalError) -> JsValue {
    to_js(&error_value(error)).unwrap_or_else(|e| e)
}

pub(super) fn to_js_error(kind: &str, message: &str) -> JsValue {
    let value = serde_json::json!({
        "kind": kind,
        "message": message,
        "userMessage": format!("huntkit could not do that: {message}"),
    });
    to_js(&value).unwrap_or_else(|e| e)
}
