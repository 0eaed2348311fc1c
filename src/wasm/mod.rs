//! The browser side of the core: `Engine`, the object the engine frame
//! (extension/engine.js) holds, and the browser implementations of the
//! platform traits.
//!
//! Large data stays on this side: a query's response body lives in wasm
//! memory inside a [`crate::result::QueryResult`]; JavaScript gets a result
//! id, a summary and the first rows, and export bytes in chunks.

mod bulk;
mod clock;
mod convert;
mod engine;
mod exports;
mod history;
mod schema;
mod schema_catalog;
mod sink;
mod storage;
mod transport;

pub use engine::Engine;
pub use history::HistoryStore;
pub use schema::SchemaLab;

use wasm_bindgen::prelude::*;

/// Runs once when the module loads: panics become readable console errors.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}
