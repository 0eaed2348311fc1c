// Panel calls for bulk jobs. Jobs run here, in the portal tab's engine, so
// they go on while the side panel is closed; their state and finished units
// are in chrome.storage.local, so a reloaded tab or a restarted browser can
// resume them (the panel lists them with a Resume button).

import { blobCollector, saveBlob } from "../downloads.js";
import { notifyPanel, throttled } from "../events.js";
import { chromeLocalStorage } from "../storage.js";

export function bulkHandlers({ engine }) {
  const storage = chromeLocalStorage();

  async function exportJob(jobId, format) {
    const collector = blobCollector();
    const file = await engine.bulkExport(jobId, format, storage, (chunk) => collector.push(chunk));
    const downloadId = await saveBlob(collector.finish(file.mimeType), file.fileName);
    return { ...file, downloadId };
  }

  async function saveManifest(jobId) {
    const manifest = await engine.bulkManifest(jobId, storage);
    await saveBlob(new Blob([manifest.text], { type: "application/json" }), manifest.fileName);
    return manifest.fileName;
  }

  function run(jobId) {
    const progress = throttled((value) => notifyPanel("bulk-progress", { jobId, progress: value }), 250);
    engine
      .bulkRun(jobId, storage, progress)
      .then(async (ended) => {
        progress.cancel();
        let files = [];
        if (ended.end === "done") {
          // The merged export and its manifest, as soon as the job finishes,
          // whether or not the panel is open.
          const file = await exportJob(jobId, ended.format);
          files = [file.fileName, await saveManifest(jobId)];
        }
        notifyPanel("bulk-ended", { jobId, ...ended, files });
      })
      .catch((error) => {
        progress.cancel();
        notifyPanel("bulk-ended", { jobId, error });
      });
  }

  return {
    bulkPlan: (args) => engine.bulkPlan(args, storage),
    bulkStart: ({ jobId }) => {
      run(jobId);
      return { started: true };
    },
    bulkPause: ({ jobId }) => engine.bulkPause(jobId),
    bulkCancel: ({ jobId }) => engine.bulkCancel(jobId, storage),
    bulkList: () => engine.bulkList(storage),
    bulkExport: ({ jobId, format }) => exportJob(jobId, format),
    bulkManifest: ({ jobId }) => saveManifest(jobId),
    bulkDelete: async ({ jobId }) => {
      await storage.remove(await storage.keys(`bulk/${jobId}/`));
      return true;
    },
  };
}
