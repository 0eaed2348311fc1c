// Turning export chunks into a file in the analyst's downloads folder.
//
// The core writes an export as a stream of chunks. They are folded into a
// Blob every few megabytes: Chrome keeps large blobs on disk, so an export is
// bounded by disk, not by this frame's memory.

const FOLD_BYTES = 16 * 1024 * 1024;

export function blobCollector() {
  let blob = new Blob([]);
  let parts = [];
  let pendingBytes = 0;
  return {
    push(chunk) {
      parts.push(chunk);
      pendingBytes += chunk.byteLength;
      if (pendingBytes >= FOLD_BYTES) {
        blob = new Blob([blob, ...parts]);
        parts = [];
        pendingBytes = 0;
      }
    },
    finish(mimeType) {
      const whole = new Blob([blob, ...parts], { type: mimeType });
      parts = [];
      return whole;
    },
  };
}

/** Hands a finished Blob to chrome.downloads; resolves to the download id. */
export async function saveBlob(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const downloadId = await chrome.downloads.download({ url, filename: fileName, conflictAction: "uniquify" });
  const release = (delta) => {
    if (delta.id !== downloadId || !delta.state || delta.state.current === "in_progress") return;
    chrome.downloads.onChanged.removeListener(release);
    URL.revokeObjectURL(url);
  };
  chrome.downloads.onChanged.addListener(release);
  return downloadId;
}
