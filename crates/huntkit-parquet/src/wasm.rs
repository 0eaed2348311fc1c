//! The module's one entry point for the engine frame.

use js_sys::{Function, Uint8Array};
use wasm_bindgen::prelude::*;

use huntkit::result::QueryResult;

use crate::writer::write_parquet;

/// Writes the result in `body` (the response bytes, copied from the core
/// module's memory) as Parquet, handing the file to `push` in chunks as
/// row groups complete; returns `{rows, bytes}`.
#[wasm_bindgen(js_name = exportParquet)]
pub fn export_parquet(body: Vec<u8>, push: &Function) -> Result<JsValue, JsValue> {
    let fail = |message: String| JsValue::from_str(&message);
    let result = QueryResult::from_body(body).map_err(|e| fail(e.to_string()))?;
    let mut bytes = 0u64;
    let mut hand_over = |out: &mut Vec<u8>| -> std::io::Result<()> {
        if out.is_empty() {
            return Ok(());
        }
        // The bytes move to the JS heap; this module's buffer is reused.
        let chunk = Uint8Array::from(out.as_slice());
        push.call1(&JsValue::NULL, &chunk).map_err(|e| {
            std::io::Error::other(format!("the download sink refused a chunk: {e:?}"))
        })?;
        bytes += out.len() as u64;
        out.clear();
        Ok(())
    };
    let (mut rest, rows) =
        write_parquet(&result, Vec::new(), &mut hand_over).map_err(|e| fail(e.to_string()))?;
    hand_over(&mut rest).map_err(|e| fail(e.to_string()))?;
    let summary = js_sys::Object::new();
    js_sys::Reflect::set(&summary, &"rows".into(), &(rows as f64).into())?;
    js_sys::Reflect::set(&summary, &"bytes".into(), &(bytes as f64).into())?;
    Ok(summary.into())
}
