//! `HistoryStore`: the query history as the engine frame holds it.
//!
//! The engine frame owns the history (see extension/engine/handlers/
//! history.js for why). State stays here, in wasm memory; JavaScript gets
//! small JSON-shaped answers: one page of search results, reports, the
//! export text. Every method returns a Promise; errors reject with
//! `{kind, message, userMessage}`.

use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::clock::BrowserClock;
use super::convert::{error_value, to_js};
use super::storage::BrowserStorage;
use super::transport::AgentTransport;
use crate::client::PortalClient;
use crate::history::{
    parse_user_history, read_document, utc_day, write_document, EntryUpdate, Filter, HistoryError,
    HistoryService, Run, RunRef, Settings, Source,
};
use crate::platform::Clock;
use crate::portal::iso_millis;

/// How far back the portal keeps its history.
const PORTAL_HISTORY_MS: i64 = 28 * 86_400_000;

struct Inner {
    service: HistoryService<BrowserStorage>,
    client: PortalClient<AgentTransport>,
    clock: BrowserClock,
}

#[wasm_bindgen]
pub struct HistoryStore {
    inner: Rc<Inner>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordArgs {
    query_text: String,
    run: Run,
}

#[wasm_bindgen]
impl HistoryStore {
    /// Loads the stored history. `storage` is `{get, set}` (see
    /// `wasm::storage`), `transport` the page agent's (see `Engine`),
    /// `writer` a random name of this copy.
    pub async fn open(
        storage: JsValue,
        transport: Function,
        writer: String,
    ) -> Result<HistoryStore, JsValue> {
        let storage = BrowserStorage::new(storage);
        let service = HistoryService::open(storage, writer)
            .await
            .map_err(|e| history_error(&e))?;
        Ok(HistoryStore {
            inner: Rc::new(Inner {
                service,
                client: PortalClient::new(AgentTransport::new(transport)),
                clock: BrowserClock,
            }),
        })
    }

    /// Files one run: `{queryText, run}`; resolves to `{entryId, runId}`.
    #[wasm_bindgen(js_name = recordRun)]
    pub fn record_run(&self, args: JsValue) -> Promise {
        self.change(move |inner| {
            let args: RecordArgs = from_js(args)?;
            let now = inner.clock.now_ms();
            Ok((now, move |h: &mut crate::history::History| {
                h.record(&args.query_text, args.run)
            }))
        })
    }

    /// Notes an export file under the run it came from.
    #[wasm_bindgen(js_name = addExport)]
    pub fn add_export(&self, at: JsValue, file_name: String) -> Promise {
        self.change(move |inner| {
            let at: RunRef = from_js(at)?;
            let now = inner.clock.now_ms();
            Ok((now, move |h: &mut crate::history::History| {
                h.add_export(&at, &file_name)
            }))
        })
    }

    /// One page of entries matching `filter`, plus `tookMs`, the time the
    /// search itself took.
    pub fn search(&self, filter: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let filter: Filter = from_js(filter)?;
            inner
                .service
                .refresh()
                .await
                .map_err(|e| history_error(&e))?;
            inner.service.read(|h| {
                let started = precise_now();
                let page = h.search(&filter);
                let took_ms = precise_now() - started;
                let value = to_js(&page)?;
                Reflect::set(&value, &"tookMs".into(), &took_ms.into())?;
                Ok(value)
            })
        })
    }

    /// Title, pin and tags of one entry.
    pub fn update(&self, entry_id: String, update: JsValue) -> Promise {
        self.change(move |inner| {
            let update: EntryUpdate = from_js(update)?;
            let now = inner.clock.now_ms();
            Ok((now, move |h: &mut crate::history::History| {
                h.update(&entry_id, update)
            }))
        })
    }

    pub fn remove(&self, entry_id: String) -> Promise {
        self.change(move |inner| {
            let now = inner.clock.now_ms();
            Ok((now, move |h: &mut crate::history::History| {
                h.remove(&entry_id)
            }))
        })
    }

    /// Forgets every entry (settings stay).
    pub fn clear(&self) -> Promise {
        self.change(|inner| {
            let now = inner.clock.now_ms();
            Ok((now, |h: &mut crate::history::History| {
                h.clear();
                Ok(())
            }))
        })
    }

    pub fn settings(&self) -> Result<JsValue, JsValue> {
        self.inner.service.read(|h| to_js(h.settings()))
    }

    /// Saves the settings and applies the retention they ask for.
    #[wasm_bindgen(js_name = setSettings)]
    pub fn set_settings(&self, settings: JsValue) -> Promise {
        self.change(move |inner| {
            let settings: Settings = from_js(settings)?;
            let now = inner.clock.now_ms();
            Ok((now, move |h: &mut crate::history::History| {
                h.set_settings(settings);
                Ok(())
            }))
        })
    }

    /// The row counts of two runs, by run id.
    #[wasm_bindgen(js_name = compareRuns)]
    pub fn compare_runs(&self, a: String, b: String) -> Result<JsValue, JsValue> {
        self.inner.service.read(|h| {
            let comparison = h.compare_runs(&a, &b).map_err(|e| history_error(&e))?;
            to_js(&comparison)
        })
    }

    /// The whole history as a JSON file's text (current version).
    #[wasm_bindgen(js_name = exportJson)]
    pub fn export_json(&self) -> Result<String, JsValue> {
        self.inner
            .service
            .read(|h| write_document(h.document()))
            .map_err(|e| history_error(&e))
    }

    /// Merges an exported file (any version) into the history.
    #[wasm_bindgen(js_name = importJson)]
    pub fn import_json(&self, text: String) -> Promise {
        self.change(move |inner| {
            let doc = read_document(&text).map_err(|e| history_error(&e))?;
            let now = inner.clock.now_ms();
            Ok((now, move |h: &mut crate::history::History| h.merge(doc)))
        })
    }

    /// Imports the portal's own history. `source` is `import` (the button,
    /// the daily import) or `portal` (a query seen in the portal's editor).
    #[wasm_bindgen(js_name = importPortal)]
    pub fn import_portal(&self, source: String, tenant_id: Option<String>) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let source = Source::parse(&source)
                .ok_or_else(|| plain_error("input", &format!("unknown source {source:?}")))?;
            import(&inner, source, tenant_id, false).await
        })
    }

    /// The daily import: runs once per UTC day (on the first engine start
    /// of the day); resolves to its report, or `null` if already done today.
    #[wasm_bindgen(js_name = importDailyIfDue)]
    pub fn import_daily_if_due(&self, tenant_id: Option<String>) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            inner
                .service
                .refresh()
                .await
                .map_err(|e| history_error(&e))?;
            let today = utc_day(inner.clock.now_ms());
            if inner
                .service
                .read(|h| h.last_import_day() == Some(today.as_str()))
            {
                return Ok(JsValue::NULL);
            }
            import(&inner, Source::Import, tenant_id, true).await
        })
    }
}

async fn import(
    inner: &Inner,
    source: Source,
    tenant_id: Option<String>,
    daily: bool,
) -> Result<JsValue, JsValue> {
    let now = inner.clock.now_ms();
    let body = inner
        .client
        .user_history(&iso_millis(now - PORTAL_HISTORY_MS))
        .await
        .map_err(|e| to_js(&error_value(&e)).unwrap_or_else(|e| e))?;
    let (items, skipped) = parse_user_history(&body).map_err(|e| history_error(&e))?;
    let report = inner
        .service
        .change(Some(now), |h| {
            let mut report = h.import_portal(&items, source, tenant_id.as_deref());
            report.skipped += skipped;
            if daily {
                h.set_last_import_day(utc_day(now));
            }
            Ok(report)
        })
        .await
        .map_err(|e| history_error(&e))?;
    to_js(&report)
}

impl HistoryStore {
    /// Runs `prepare` (argument checks, at call time), then the change it
    /// returns against the latest stored history, and resolves to the
    /// change's result.
    fn change<P, F, R>(&self, prepare: P) -> Promise
    where
        P: FnOnce(&Inner) -> Result<(i64, F), JsValue> + 'static,
        F: FnOnce(&mut crate::history::History) -> Result<R, HistoryError> + 'static,
        R: serde::Serialize + 'static,
    {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let (now, f) = prepare(&inner)?;
            let result = inner
                .service
                .change(Some(now), f)
                .await
                .map_err(|e| history_error(&e))?;
            to_js(&result)
        })
    }
}

/// `performance.now()`: Date.now() counts whole milliseconds, too coarse
/// for a search that takes a few.
fn precise_now() -> f64 {
    Reflect::get(&js_sys::global(), &"performance".into())
        .and_then(|p| {
            let now = Reflect::get(&p, &"now".into())?;
            now.dyn_into::<Function>()?.call0(&p)
        })
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or_else(js_sys::Date::now)
}

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| plain_error("input", &format!("bad history arguments: {e}")))
}

fn history_error(error: &HistoryError) -> JsValue {
    let message = error.to_string();
    let user = match error {
        HistoryError::Storage(_) => format!(
            "huntkit could not save the history: {message}. Lower the retention or clear old entries."
        ),
        _ => format!("History: {message}"),
    };
    to_js(&serde_json::json!({"kind": error.kind(), "message": message, "userMessage": user}))
        .unwrap_or_else(|e| e)
}

fn plain_error(kind: &str, message: &str) -> JsValue {
    to_js(&serde_json::json!({
        "kind": kind,
        "message": message,
        "userMessage": format!("huntkit could not do that: {message}"),
    }))
    .unwrap_or_else(|e| e)
}
