// Panel calls for single queries: session status, run, export.

import { blobCollector, saveBlob } from "../downloads.js";

export function queryHandlers({ engine, tabId }) {
  return {
    status: () => engine.status().then((s) => ({ ...s, tabId })),
    runQuery: (args) => engine.runQuery(args),
    exportResult: async ({ resultId, format }) => {
      const collector = blobCollector();
      const file = engine.exportResult(resultId, format, (chunk) => collector.push(chunk));
      const downloadId = await saveBlob(collector.finish(file.mimeType), file.fileName);
      return { ...file, downloadId };
    },
  };
}
