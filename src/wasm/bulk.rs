//! Bulk jobs from the engine frame: plan, run (resumable), pause, cancel,
//! list, export and manifest. Jobs and their finished units live in
//! `chrome.storage.local` (through [`BrowserStorage`]), so a closed panel,
//! a reloaded tab or a restarted browser loses nothing that finished.

use std::rc::Rc;

use js_sys::{Function, Promise};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::convert::to_js;
use super::engine::Engine;
use super::sink::ChunkSink;
use super::storage::BrowserStorage;
use crate::bulk::{Job, JobStatus, PauseReason};
use crate::export::{export_file_name, CsvOptions, ExportFormat};
use crate::platform::{Clock, DownloadSink, Storage};
use crate::runner::{assemble_export, keys, plan_job, run_job, Control, JobKind, JobSpec, RunEnd};

/// What the job list shows besides the job's own state.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobMeta {
    job_id: String,
    name: Option<String>,
    kind: JobKind,
    query_text: String,
    start_ms: i64,
    end_ms: i64,
    created_ms: i64,
    tenant_id: Option<String>,
    /// The export written when the job finishes (csv, json, ndjson).
    format: String,
}

fn meta_key(job_id: &str) -> String {
    format!("{}meta", keys::everything(job_id))
}

fn fail(kind: &str, message: impl std::fmt::Display) -> JsValue {
    let message = message.to_string();
    to_js(&serde_json::json!({"kind": kind, "message": message, "userMessage": message}))
        .unwrap_or_else(|e| e)
}

async fn load_job(storage: &BrowserStorage, job_id: &str) -> Result<Job, JsValue> {
    let text = storage
        .get(&keys::job(job_id))
        .await
        .map_err(|e| fail("storage", e))?
        .ok_or_else(|| fail("input", format!("there is no saved job {job_id:?}")))?;
    Job::from_json(&text).map_err(|e| fail("storage", e))
}

async fn load_meta(storage: &BrowserStorage, job_id: &str) -> Result<JobMeta, JsValue> {
    let text = storage
        .get(&meta_key(job_id))
        .await
        .map_err(|e| fail("storage", e))?;
    let text = text.ok_or_else(|| fail("input", format!("there is no saved job {job_id:?}")))?;
    serde_json::from_str(&text).map_err(|e| fail("storage", e))
}

/// The panel sends the `JobSpec` fields and, beside them, a name.
#[derive(Deserialize)]
struct PlanName {
    name: Option<String>,
    format: Option<String>,
}

#[wasm_bindgen]
impl Engine {
    /// Checks the form and saves a new job; resolves to
    /// `{jobId, notes, progress}` or rejects with the reason it cannot run.
    #[wasm_bindgen(js_name = bulkPlan)]
    pub fn bulk_plan(&self, args: JsValue, storage: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let spec: JobSpec =
                serde_wasm_bindgen::from_value(args.clone()).map_err(|e| fail("input", e))?;
            let PlanName { name, format } =
                serde_wasm_bindgen::from_value(args).map_err(|e| fail("input", e))?;
            let (job, notes) = plan_job(&spec).map_err(|e| fail("refused", e))?;
            let now = inner.clock.now_ms();
            let job_id = format!(
                "{now:x}-{:06x}",
                (js_sys::Math::random() * 16_777_215.0) as u32
            );
            let meta = JobMeta {
                job_id: job_id.clone(),
                name: name.filter(|n| !n.trim().is_empty()),
                kind: spec.kind,
                query_text: spec.query_text.clone(),
                start_ms: spec.start_ms,
                end_ms: spec.end_ms,
                created_ms: now,
                tenant_id: inner.tenant.borrow().clone(),
                format: format
                    .filter(|f| ExportFormat::parse(f).is_some())
                    .unwrap_or_else(|| "csv".into()),
            };
            let storage = BrowserStorage::new(storage);
            let meta_text = serde_json::to_string(&meta).map_err(|e| fail("internal", e))?;
            storage
                .set(&meta_key(&job_id), meta_text)
                .await
                .map_err(|e| fail("storage", e))?;
            storage
                .set(
                    &keys::job(&job_id),
                    job.to_json().map_err(|e| fail("internal", e))?,
                )
                .await
                .map_err(|e| fail("storage", e))?;
            to_js(
                &serde_json::json!({"jobId": job_id, "notes": notes, "progress": job.progress(now)}),
            )
        })
    }

    /// Runs a saved job (resuming it if it was paused) until it is done,
    /// paused or cancelled; `progress(p)` is called after every answer.
    #[wasm_bindgen(js_name = bulkRun)]
    pub fn bulk_run(&self, job_id: String, storage: JsValue, progress: Function) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            if inner.bulk_controls.borrow().contains_key(&job_id) {
                return Err(fail("input", "this job is already running"));
            }
            let storage = BrowserStorage::new(storage);
            let mut job = load_job(&storage, &job_id).await?;
            let meta = load_meta(&storage, &job_id).await?;
            if matches!(job.status(), JobStatus::Paused | JobStatus::NeedsSignIn) {
                job.resume();
            }
            let control = Rc::new(Control::default());
            inner
                .bulk_controls
                .borrow_mut()
                .insert(job_id.clone(), Rc::clone(&control));
            let report = |job: &Job| {
                if let Ok(value) = to_js(&job.progress(inner.clock.now_ms())) {
                    let _ = progress.call1(&JsValue::NULL, &value);
                }
            };
            let end = run_job(
                &inner.client,
                &inner.clock,
                &storage,
                &job_id,
                &mut job,
                &control,
                &report,
            )
            .await;
            inner.bulk_controls.borrow_mut().remove(&job_id);
            let end = end.map_err(|e| {
                fail(
                    "storage",
                    format!("{e}. The job stopped; finished units are saved: resume it to go on."),
                )
            })?;
            let end = match end {
                RunEnd::Done => "done",
                RunEnd::Cancelled => "cancelled",
                RunEnd::Paused(PauseReason::User) => "paused",
                RunEnd::Paused(PauseReason::NeedsSignIn) => "needs_sign_in",
            };
            to_js(
                &serde_json::json!({"end": end, "format": meta.format, "progress": job.progress(inner.clock.now_ms())}),
            )
        })
    }

    /// Asks a running job to pause after the calls in flight; false if it
    /// is not running here.
    #[wasm_bindgen(js_name = bulkPause)]
    pub fn bulk_pause(&self, job_id: &str) -> bool {
        self.inner
            .bulk_controls
            .borrow()
            .get(job_id)
            .map(|c| c.request_pause())
            .is_some()
    }

    /// Cancels a job, running or not.
    #[wasm_bindgen(js_name = bulkCancel)]
    pub fn bulk_cancel(&self, job_id: String, storage: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            if let Some(control) = inner.bulk_controls.borrow().get(&job_id) {
                control.request_cancel();
                return Ok(JsValue::TRUE);
            }
            let storage = BrowserStorage::new(storage);
            let mut job = load_job(&storage, &job_id).await?;
            job.cancel();
            let text = job.to_json().map_err(|e| fail("internal", e))?;
            storage
                .set(&keys::job(&job_id), text)
                .await
                .map_err(|e| fail("storage", e))?;
            Ok(JsValue::TRUE)
        })
    }

    /// Every saved job, newest first: `[{meta, progress, running}]`.
    #[wasm_bindgen(js_name = bulkList)]
    pub fn bulk_list(&self, storage: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let storage = BrowserStorage::new(storage);
            let keys_found = storage
                .keys(keys::PREFIX)
                .await
                .map_err(|e| fail("storage", e))?;
            let mut jobs = Vec::new();
            for job_id in keys_found.iter().filter_map(|k| keys::job_id_of(k)) {
                let (Ok(meta), Ok(job)) = (
                    load_meta(&storage, job_id).await,
                    load_job(&storage, job_id).await,
                ) else {
                    continue;
                };
                let running = inner.bulk_controls.borrow().contains_key(job_id);
                jobs.push((meta.created_ms, serde_json::json!({"meta": meta, "progress": job.progress(inner.clock.now_ms()), "running": running})));
            }
            jobs.sort_by_key(|(created, _)| std::cmp::Reverse(*created));
            to_js(&jobs.into_iter().map(|(_, j)| j).collect::<Vec<_>>())
        })
    }

    /// Writes the job's merged rows to `push` in chunks; resolves to
    /// `{fileName, mimeType, bytes, rows}`.
    #[wasm_bindgen(js_name = bulkExport)]
    pub fn bulk_export(
        &self,
        job_id: String,
        format: String,
        storage: JsValue,
        push: Function,
    ) -> Promise {
        future_to_promise(async move {
            let format = ExportFormat::parse(&format)
                .ok_or_else(|| fail("input", format!("unknown export format {format:?}")))?;
            let storage = BrowserStorage::new(storage);
            let job = load_job(&storage, &job_id).await?;
            let meta = load_meta(&storage, &job_id).await?;
            let (mut sink, rows) = assemble_export(
                &storage,
                &job_id,
                &job,
                format,
                CsvOptions::machine(),
                ChunkSink::new(push),
            )
            .await
            .map_err(|e| fail("export", e))?;
            let bytes = sink.finish().map_err(|e| fail("export", e))?;
            let file_name = export_file_name(
                Some(meta.name.as_deref().unwrap_or(&meta.query_text)),
                meta.tenant_id.as_deref(),
                meta.start_ms,
                meta.end_ms,
                format,
            );
            to_js(
                &serde_json::json!({"fileName": file_name, "mimeType": format.mime_type(), "bytes": bytes, "rows": rows}),
            )
        })
    }

    /// The run manifest: every unit's query, window or values, rows, status,
    /// duration and quota, and whether anything may have been cut short.
    #[wasm_bindgen(js_name = bulkManifest)]
    pub fn bulk_manifest(&self, job_id: String, storage: JsValue) -> Promise {
        future_to_promise(async move {
            let storage = BrowserStorage::new(storage);
            let job = load_job(&storage, &job_id).await?;
            let meta = load_meta(&storage, &job_id).await?;
            let file_name = export_file_name(
                Some(meta.name.as_deref().unwrap_or(&meta.query_text)),
                meta.tenant_id.as_deref(),
                meta.start_ms,
                meta.end_ms,
                ExportFormat::Json,
            )
            .replace(".json", "_manifest.json");
            let text = serde_json::to_string_pretty(
                &serde_json::json!({"job": meta, "manifest": job.manifest()}),
            )
            .map_err(|e| fail("internal", e))?;
            to_js(&serde_json::json!({"fileName": file_name, "text": text}))
        })
    }
}
