// Panel calls for exports: files of every format, and clipboard texts.
//
// Parquet is written by a second wasm module (pkg-parquet/) that is
// imported the first time an analyst picks Parquet, so the parquet code
// never loads for anyone who does not use it.

import { blobCollector, saveBlob } from "../downloads.js";

const FORMATS = new Set(["csv", "tsv", "json", "ndjson", "xlsx", "parquet"]);
const CLIPBOARD = new Set(["markdown", "datatable"]);

let parquetModule = null;

/** The Parquet module, loaded and instantiated once. */
function loadParquet() {
  if (!parquetModule) {
    parquetModule = import("../../../pkg-parquet/huntkit_parquet.js").then(async (module) => {
      await module.default();
      return module;
    });
    // A failed load may succeed later (the file was being replaced).
    parquetModule.catch(() => (parquetModule = null));
  }
  return parquetModule;
}

function checkOptions(options) {
  const out = {};
  if (options && typeof options === "object") {
    if (typeof options.bom === "boolean") out.bom = options.bom;
    if (typeof options.neutralize === "boolean") out.neutralize = options.neutralize;
    if (typeof options.delimiter === "string") out.delimiter = options.delimiter;
  }
  return out;
}

export function exportHandlers({ engine, history }) {
  return {
    exportResult: async ({ resultId, format, options }) => {
      if (!Number.isInteger(resultId) || !FORMATS.has(format)) {
        throw { kind: "input", message: `bad export request ${String(format)}`, userMessage: "huntkit could not do that: unknown export format" };
      }
      const collector = blobCollector();
      const push = (chunk) => collector.push(chunk);
      let file;
      if (format === "parquet") {
        const info = engine.exportInfo(resultId, "parquet");
        const parquet = await loadParquet();
        let written;
        try {
          written = parquet.exportParquet(engine.resultBody(resultId), push);
        } catch (error) {
          const message = String((error && error.message) || error);
          throw { kind: "export", message, userMessage: `huntkit could not write Parquet: ${message}` };
        }
        file = { ...info, bytes: written.bytes, rows: written.rows, truncatedCells: 0 };
      } else {
        file = engine.exportResultWith(resultId, format, checkOptions(options), push);
      }
      const downloadId = await saveBlob(collector.finish(file.mimeType), file.fileName);
      history.recordExport(resultId, file.fileName);
      return { ...file, downloadId };
    },
    clipboardText: async ({ resultId, format }) => {
      if (!Number.isInteger(resultId) || !CLIPBOARD.has(format)) {
        throw { kind: "input", message: `bad clipboard request ${String(format)}`, userMessage: "huntkit could not do that: unknown clipboard format" };
      }
      return engine.clipboardText(resultId, format);
    },
  };
}
