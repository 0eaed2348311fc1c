//! The snapshot catalog's rules ([`crate::schema::Catalog`]) for the engine
//! frame's storage code (extension/engine/schema_store.js).
//!
//! Stateless on purpose: the catalog lives in `chrome.storage.local`, so
//! each call takes the stored values, applies one rule and hands back the
//! values to store. Stored values that do not read fall back to their
//! defaults rather than failing, so a damaged catalog never blocks taking
//! the next snapshot.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::to_js;
use super::schema::lab_error;
use crate::schema::{
    body_key, Catalog, DailyMarks, NewSnapshot, SchemaSettings, SnapshotMeta, CATALOG_KEY,
    DAILY_KEY, SETTINGS_KEY,
};

/// A stored value, or its default when it is missing or unreadable.
fn stored<T: DeserializeOwned + Default>(value: JsValue) -> T {
    if value.is_undefined() || value.is_null() {
        return T::default();
    }
    serde_wasm_bindgen::from_value(value).unwrap_or_default()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Keys {
    catalog: &'static str,
    settings: &'static str,
    daily: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Changed {
    catalog: Catalog,
    snapshot: Option<SnapshotMeta>,
    removed: Vec<SnapshotMeta>,
    /// Storage keys of the removed snapshots' bytes.
    removed_keys: Vec<String>,
}

impl Changed {
    fn new(catalog: Catalog, snapshot: Option<SnapshotMeta>, removed: Vec<SnapshotMeta>) -> Self {
        let removed_keys = removed.iter().map(|s| body_key(&s.id)).collect();
        Changed {
            catalog,
            snapshot,
            removed,
            removed_keys,
        }
    }
}

/// The storage keys of the catalog, the settings and the daily marks.
#[wasm_bindgen(js_name = schemaStorageKeys)]
pub fn schema_storage_keys() -> Result<JsValue, JsValue> {
    to_js(&Keys {
        catalog: CATALOG_KEY,
        settings: SETTINGS_KEY,
        daily: DAILY_KEY,
    })
}

/// The storage key of one snapshot's bytes.
#[wasm_bindgen(js_name = schemaBodyKey)]
pub fn schema_body_key(id: &str) -> String {
    body_key(id)
}

/// Stored settings merged with the defaults and brought into range.
#[wasm_bindgen(js_name = schemaSettings)]
pub fn schema_settings(stored_settings: JsValue) -> Result<JsValue, JsValue> {
    to_js(&stored::<SchemaSettings>(stored_settings).normalized())
}

/// Files `snapshot` (a `NewSnapshot`) in the catalog and applies retention:
/// `{catalog, snapshot, removed, removedKeys}`.
#[wasm_bindgen(js_name = catalogAdd)]
pub fn catalog_add(
    catalog: JsValue,
    snapshot: JsValue,
    settings: JsValue,
    now_ms: f64,
) -> Result<JsValue, JsValue> {
    let new: NewSnapshot = serde_wasm_bindgen::from_value(snapshot).map_err(|e| {
        lab_error(
            "internal",
            &format!("bad snapshot record: {e}"),
            "huntkit failed to record the snapshot",
        )
    })?;
    let mut catalog: Catalog = stored(catalog);
    let settings = stored::<SchemaSettings>(settings).normalized();
    let added = catalog.add(new, &settings, now_ms as u64);
    to_js(&Changed::new(catalog, Some(added.snapshot), added.removed))
}

/// Applies retention after the settings changed.
#[wasm_bindgen(js_name = catalogPrune)]
pub fn catalog_prune(catalog: JsValue, settings: JsValue, now_ms: f64) -> Result<JsValue, JsValue> {
    let mut catalog: Catalog = stored(catalog);
    let settings = stored::<SchemaSettings>(settings).normalized();
    let removed = catalog.prune(&settings, now_ms as u64);
    to_js(&Changed::new(catalog, None, removed))
}

/// Removes one snapshot from the catalog.
#[wasm_bindgen(js_name = catalogRemove)]
pub fn catalog_remove(catalog: JsValue, id: &str) -> Result<JsValue, JsValue> {
    let mut catalog: Catalog = stored(catalog);
    let removed: Vec<SnapshotMeta> = catalog.remove(id).into_iter().collect();
    to_js(&Changed::new(catalog, None, removed))
}

/// How a snapshot is named in a diff's heading and file name.
#[wasm_bindgen(js_name = snapshotLabel)]
pub fn snapshot_label(meta: JsValue) -> Result<String, JsValue> {
    let meta: SnapshotMeta = serde_wasm_bindgen::from_value(meta).map_err(|e| {
        lab_error(
            "internal",
            &format!("bad snapshot record: {e}"),
            "huntkit failed to name the snapshot",
        )
    })?;
    Ok(meta.label())
}

/// Whether the daily snapshot of `tenant` is due now.
#[wasm_bindgen(js_name = dailyDue)]
pub fn daily_due(marks: JsValue, tenant: &str, settings: JsValue, now_ms: f64) -> bool {
    let settings = stored::<SchemaSettings>(settings).normalized();
    stored::<DailyMarks>(marks).due(tenant, &settings, now_ms as u64)
}

/// The daily marks with today's snapshot of `tenant` recorded.
#[wasm_bindgen(js_name = dailyMark)]
pub fn daily_mark(marks: JsValue, tenant: &str, now_ms: f64) -> Result<JsValue, JsValue> {
    let mut marks: DailyMarks = stored(marks);
    marks.mark(tenant, now_ms as u64);
    to_js(&marks)
}
