//! `SchemaLab`: the schema browser's and the schema diff's state in the
//! engine frame.
//!
//! Parsed schemas stay here, keyed by snapshot id, so a second diff with
//! the same snapshot does not read its ~360 KB of JSON again; the last diff
//! and the last indexed query set stay too, so exporting the diff or
//! checking it against queries never sends either back across the
//! boundary. JavaScript gets ids, small values, and the diff and files as text.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::convert::to_js;
use crate::impact::{parse_query_file, QueryIndex, QueryRef};
use crate::schema::{diff, parse_schema, to_markdown, DiffLabels, DiffOptions, Schema, SchemaDiff};

/// Parsed schemas kept at once: the two sides of a diff plus the browsed one
/// and one spare; each is a few MB of wasm memory.
const KEPT_SCHEMAS: usize = 4;

struct KeptDiff {
    diff: SchemaDiff,
    labels: DiffLabels,
    options: DiffOptions,
}

#[wasm_bindgen]
#[derive(Default)]
pub struct SchemaLab {
    schemas: RefCell<VecDeque<(String, Rc<Schema>)>>,
    diff: RefCell<Option<KeptDiff>>,
    queries: RefCell<Option<(String, QueryIndex)>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Loaded {
    table_count: usize,
    column_count: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DiffArgs {
    old_id: String,
    new_id: String,
    old_label: String,
    new_label: String,
    #[serde(default)]
    options: DiffOptions,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DiffFile<'a> {
    old: &'a str,
    new: &'a str,
    options: &'a DiffOptions,
    diff: &'a SchemaDiff,
}

#[wasm_bindgen]
impl SchemaLab {
    #[wasm_bindgen(constructor)]
    pub fn new() -> SchemaLab {
        SchemaLab::default()
    }

    /// Whether the snapshot `id` is parsed and kept.
    pub fn has(&self, id: &str) -> bool {
        self.schemas.borrow().iter().any(|(k, _)| k == id)
    }

    /// Parses a schema response and keeps it as `id`; resolves to its
    /// table and column counts. Bad input rejects with kind `schema`.
    pub fn load(&self, id: &str, bytes: &[u8]) -> Result<JsValue, JsValue> {
        let schema = parse_schema(bytes).map_err(|e| {
            lab_error(
                "schema",
                &e.to_string(),
                "This is not a schema in the portal's format (expected {\"Tables\":[…]}).",
            )
        })?;
        let loaded = Loaded {
            table_count: schema.tables.len(),
            column_count: schema.column_count(),
        };
        let mut kept = self.schemas.borrow_mut();
        kept.retain(|(k, _)| k != id);
        kept.push_back((id.to_string(), Rc::new(schema)));
        while kept.len() > KEPT_SCHEMAS {
            kept.pop_front();
        }
        to_js(&loaded)
    }

    /// Files the kept schema `from` under `to` (a snapshot parsed before
    /// storage gave it its id), so it is not parsed again.
    pub fn rekey(&self, from: &str, to: &str) {
        for (k, _) in self.schemas.borrow_mut().iter_mut() {
            if k == from {
                *k = to.to_string();
            }
        }
    }

    /// The kept schema `id` in the portal's JSON format, for browsing.
    pub fn browse(&self, id: &str) -> Result<String, JsValue> {
        Ok(self.schema(id)?.to_json())
    }

    /// Diffs two kept schemas (`{oldId, newId, oldLabel, newLabel,
    /// options}`), keeps the diff for export and impact, and returns it as
    /// JSON text. Text, not objects: building thousands of small JS objects
    /// through serde-wasm-bindgen took longer than the diff itself, and the
    /// diff crosses runtime messaging to the panel, which serializes anyway.
    pub fn diff(&self, args: JsValue) -> Result<String, JsValue> {
        let args: DiffArgs = serde_wasm_bindgen::from_value(args).map_err(|e| {
            lab_error(
                "input",
                &format!("bad diff arguments: {e}"),
                "huntkit failed: bad diff request",
            )
        })?;
        let old = self.schema(&args.old_id)?;
        let new = self.schema(&args.new_id)?;
        let result = diff(&old, &new, &args.options);
        let json = result.to_json();
        *self.diff.borrow_mut() = Some(KeptDiff {
            diff: result,
            labels: DiffLabels {
                old_label: args.old_label,
                new_label: args.new_label,
            },
            options: args.options,
        });
        Ok(json)
    }

    /// The kept diff as Markdown.
    pub fn markdown(&self) -> Result<String, JsValue> {
        let kept = self.diff.borrow();
        let kept = kept.as_ref().ok_or_else(no_diff)?;
        Ok(to_markdown(&kept.diff, &kept.labels))
    }

    /// The kept diff as a JSON file: both labels, the options and the diff.
    #[wasm_bindgen(js_name = diffJson)]
    pub fn diff_json(&self) -> Result<String, JsValue> {
        let kept = self.diff.borrow();
        let kept = kept.as_ref().ok_or_else(no_diff)?;
        let file = DiffFile {
            old: &kept.labels.old_label,
            new: &kept.labels.new_label,
            options: &kept.options,
            diff: &kept.diff,
        };
        serde_json::to_string_pretty(&file)
            .map_err(|e| lab_error("export", &e.to_string(), "huntkit could not write the diff"))
    }

    /// Reads and indexes a query file (JSONL or `.kql`) as the query set
    /// `key`; returns how many queries it holds.
    #[wasm_bindgen(js_name = indexQueryFile)]
    pub fn index_query_file(
        &self,
        key: &str,
        file_name: &str,
        text: &str,
    ) -> Result<usize, JsValue> {
        let queries = parse_query_file(file_name, text).map_err(|e| {
            lab_error(
                "input",
                &e.to_string(),
                &format!("huntkit could not read the queries: {e}"),
            )
        })?;
        Ok(self.keep_index(key, &queries))
    }

    /// Indexes `[{id, name, text}]` (e.g. the query history) as `key`.
    #[wasm_bindgen(js_name = indexQueries)]
    pub fn index_queries(&self, key: &str, queries: JsValue) -> Result<usize, JsValue> {
        let queries: Vec<QueryRef> = serde_wasm_bindgen::from_value(queries).map_err(|e| {
            lab_error(
                "input",
                &format!("bad query list: {e}"),
                "huntkit failed: bad query list",
            )
        })?;
        Ok(self.keep_index(key, &queries))
    }

    /// The key of the indexed query set, if any.
    #[wasm_bindgen(js_name = queriesKey)]
    pub fn queries_key(&self) -> Option<String> {
        self.queries.borrow().as_ref().map(|(k, _)| k.clone())
    }

    /// Where the kept diff affects the indexed queries: `[ImpactHit]`.
    pub fn impact(&self) -> Result<JsValue, JsValue> {
        let kept = self.diff.borrow();
        let kept = kept.as_ref().ok_or_else(no_diff)?;
        let queries = self.queries.borrow();
        let (_, index) = queries.as_ref().ok_or_else(|| {
            lab_error(
                "input",
                "no query set is loaded",
                "Choose the queries to check first.",
            )
        })?;
        to_js(&index.impact(&kept.diff))
    }
}

impl SchemaLab {
    fn schema(&self, id: &str) -> Result<Rc<Schema>, JsValue> {
        self.schemas
            .borrow()
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, s)| Rc::clone(s))
            .ok_or_else(|| {
                lab_error(
                    "input",
                    &format!("snapshot {id:?} is not loaded"),
                    "huntkit lost that snapshot: choose it again.",
                )
            })
    }

    fn keep_index(&self, key: &str, queries: &[QueryRef]) -> usize {
        let index = QueryIndex::new(queries);
        let n = index.len();
        *self.queries.borrow_mut() = Some((key.to_string(), index));
        n
    }
}

fn no_diff() -> JsValue {
    lab_error(
        "input",
        "no diff has been computed",
        "Compare two snapshots first.",
    )
}

/// An error in the engine's shape (`{kind, message, userMessage}`).
pub(super) fn lab_error(kind: &str, message: &str, user_message: &str) -> JsValue {
    let value = serde_json::json!({
        "kind": kind,
        "message": message,
        "userMessage": user_message,
    });
    to_js(&value).unwrap_or_else(|e| e)
}
