// Panel calls for single queries: session status, run, export. Each run
// and export is also written to the history (context.history).

import { blobCollector, saveBlob } from "../downloads.js";

export function queryHandlers({ engine, tabId, history }) {
  return {
    status: () => engine.status().then((s) => ({ ...s, tabId })),
    runQuery: async (args) => {
      const startedAtMs = Date.now();
      try {
        const summary = await engine.runQuery(args);
        history.recordRun(args, startedAtMs, summary, null);
        return summary;
      } catch (error) {
        history.recordRun(args, startedAtMs, null, error);
        throw error;
      }
    },
    exportResult: async ({ resultId, format }) => {
      const collector = blobCollector();
      const file = engine.exportResult(resultId, format, (chunk) => collector.push(chunk));
      const downloadId = await saveBlob(collector.finish(file.mimeType), file.fileName);
      history.recordExport(resultId, file.fileName);
      return { ...file, downloadId };
    },
  };
}
