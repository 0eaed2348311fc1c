//! The export half of `Engine`: files (streamed to JS in chunks), the
//! facts the Parquet module needs (it runs in a wasm module of its own,
//! see crates/huntkit-parquet), and clipboard texts.

use js_sys::{Function, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::convert::to_js;
use super::engine::{to_js_error, Engine, KeptResult};
use super::sink::ChunkSink;
use crate::export::{
    clipboard_text, export_file_name, ClipboardFormat, CsvOptions, ExportFormat, Exporter,
    CLIPBOARD_ROWS,
};
use crate::platform::DownloadSink;

/// Export options from the panel; absent fields take the machine preset.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ExportOptions {
    bom: Option<bool>,
    neutralize: Option<bool>,
    delimiter: Option<String>,
}

impl ExportOptions {
    fn csv(&self) -> Result<CsvOptions, JsValue> {
        let machine = CsvOptions::machine();
        let delimiter = match self.delimiter.as_deref() {
            None | Some(",") => b',',
            Some(";") => b';',
            Some("\t") => b'\t',
            Some(other) => {
                return Err(to_js_error(
                    "input",
                    &format!("unsupported delimiter {other:?} (use \",\", \";\" or a tab)"),
                ))
            }
        };
        Ok(CsvOptions {
            delimiter,
            bom: self.bom.unwrap_or(machine.bom),
            neutralize_formulas: self.neutralize.unwrap_or(machine.neutralize_formulas),
            header: true,
        })
    }
}

#[wasm_bindgen]
impl Engine {
    /// Writes a kept result in `format` (csv, tsv, json, ndjson, xlsx) with
    /// the machine preset; see [`Engine::export_result_with`].
    #[wasm_bindgen(js_name = exportResult)]
    pub fn export_result(
        &self,
        result_id: u32,
        format: &str,
        push: Function,
    ) -> Result<JsValue, JsValue> {
        self.export_result_with(result_id, format, JsValue::UNDEFINED, push)
    }

    /// Writes a kept result in `format` with `options` (`{bom, neutralize,
    /// delimiter}`) to `push`, one chunk at a time; returns `{fileName,
    /// mimeType, bytes, rows, truncatedCells}`. Parquet is refused here: the
    /// engine frame hands [`Engine::result_body`] to the Parquet module.
    #[wasm_bindgen(js_name = exportResultWith)]
    pub fn export_result_with(
        &self,
        result_id: u32,
        format: &str,
        options: JsValue,
        push: Function,
    ) -> Result<JsValue, JsValue> {
        let format = parse_format(format)?;
        let options: ExportOptions = if options.is_undefined() || options.is_null() {
            ExportOptions::default()
        } else {
            serde_wasm_bindgen::from_value(options)
                .map_err(|e| to_js_error("input", &format!("bad export options: {e}")))?
        };
        let csv = options.csv()?;
        self.with_kept(result_id, |kept| {
            let fail = |e: &dyn std::fmt::Display| to_js_error("export", &e.to_string());
            let mut sink = ChunkSink::new(push);
            let mut export = Exporter::new(format, &mut sink, csv, kept.result.columns())
                .map_err(|e| fail(&e))?;
            let rows = export.write_result(&kept.result).map_err(|e| fail(&e))?;
            let truncated = export.truncated_cells();
            export.finish().map_err(|e| fail(&e))?;
            let bytes = sink.finish().map_err(|e| fail(&e))?;
            to_js(&serde_json::json!({
                "fileName": self.file_name(kept, format),
                "mimeType": format.mime_type(),
                "bytes": bytes,
                "rows": rows,
                "truncatedCells": truncated,
            }))
        })
    }

    /// `{fileName, mimeType}` for a kept result in `format`.
    #[wasm_bindgen(js_name = exportInfo)]
    pub fn export_info(&self, result_id: u32, format: &str) -> Result<JsValue, JsValue> {
        let format = parse_format(format)?;
        self.with_kept(result_id, |kept| {
            to_js(&serde_json::json!({
                "fileName": self.file_name(kept, format),
                "mimeType": format.mime_type(),
            }))
        })
    }

    /// A copy of a kept result's response body, for the Parquet module
    /// (another wasm instance cannot read this module's memory).
    #[wasm_bindgen(js_name = resultBody)]
    pub fn result_body(&self, result_id: u32) -> Result<Uint8Array, JsValue> {
        self.with_kept(result_id, |kept| Ok(Uint8Array::from(kept.result.body())))
    }

    /// The first rows (at most 1,000) of a kept result as a Markdown table
    /// (`"markdown"`) or a KQL `datatable` (`"datatable"`); returns `{text,
    /// rows, totalRows}`.
    #[wasm_bindgen(js_name = clipboardText)]
    pub fn clipboard_text(&self, result_id: u32, format: &str) -> Result<JsValue, JsValue> {
        let format = ClipboardFormat::parse(format)
            .ok_or_else(|| to_js_error("input", &format!("unknown clipboard format {format:?}")))?;
        self.with_kept(result_id, |kept| {
            let text = clipboard_text(&kept.result, format, CLIPBOARD_ROWS)
                .map_err(|e| to_js_error("export", &e.to_string()))?;
            to_js(&text)
        })
    }
}

impl Engine {
    fn with_kept<T>(
        &self,
        result_id: u32,
        f: impl FnOnce(&KeptResult) -> Result<T, JsValue>,
    ) -> Result<T, JsValue> {
        let kept = self.inner.results.borrow();
        let kept = kept.iter().find(|k| k.id == result_id).ok_or_else(|| {
            to_js_error(
                "input",
                "that result is no longer in memory: run the query again to export it",
            )
        })?;
        f(kept)
    }

    fn file_name(&self, kept: &KeptResult, format: ExportFormat) -> String {
        let tenant = self.inner.tenant.borrow().clone();
        export_file_name(
            kept.name
                .as_deref()
                .or(Some(kept.request.query_text.as_str())),
            tenant.as_deref(),
            kept.request.start_ms,
            kept.request.end_ms,
            format,
        )
    }
}

fn parse_format(format: &str) -> Result<ExportFormat, JsValue> {
    ExportFormat::parse(format)
        .ok_or_else(|| to_js_error("input", &format!("unknown export format {format:?}")))
}
