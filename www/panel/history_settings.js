// History settings and housekeeping: capture of the portal editor's
// queries, retention, export and import of the history as JSON, clear all.
// Export and import are files on this computer; nothing leaves the browser.

import { el } from "./render.js";

function field(labelText, node) {
  const label = el("label", `${labelText} `);
  label.append(node);
  return label;
}

function button(id, text) {
  const node = el("button", text);
  node.type = "button";
  node.id = id;
  return node;
}

export function mountHistorySettings(root, link, { say, refresh }) {
  const details = el("details");
  details.id = "history-settings";
  const capture = el("input");
  capture.type = "checkbox";
  capture.id = "history-capture";
  const days = el("input");
  days.type = "number";
  days.min = "1";
  days.id = "history-retention-days";
  const count = el("input");
  count.type = "number";
  count.min = "10";
  count.id = "history-retention-count";
  const save = button("history-settings-save", "Save settings");
  const exportButton = button("history-export", "Export history (JSON)");
  const importFile = el("input");
  importFile.type = "file";
  importFile.accept = "application/json,.json";
  importFile.id = "history-import-file";
  const clear = button("history-clear", "Clear all history");
  const captureLabel = el("label");
  captureLabel.append(capture, " Record queries run in the portal's own editor");
  const rows = [el("div", undefined, "row"), el("div", undefined, "row"), el("div", undefined, "row")];
  rows[0].append(captureLabel);
  rows[1].append(field("Keep days", days), field("Keep entries", count), save);
  rows[2].append(exportButton, field("Import", importFile), clear);
  details.append(el("summary", "History settings"), ...rows);
  root.append(details);

  async function load() {
    try {
      const settings = await link.call("historySettings");
      capture.checked = settings.capturePortal;
      days.value = String(settings.retentionDays);
      count.value = String(settings.retentionCount);
    } catch (error) {
      say(error.userMessage || error.message || String(error));
    }
  }
  details.addEventListener("toggle", () => details.open && load());

  async function act(work) {
    try {
      const done = await work();
      await refresh();
      say(done);
    } catch (error) {
      say(error.userMessage || error.message || String(error));
    }
  }

  save.addEventListener("click", () =>
    act(async () => {
      const settings = { capturePortal: capture.checked, retentionDays: Math.max(1, Math.round(Number(days.value))), retentionCount: Math.max(10, Math.round(Number(count.value))) };
      await link.call("historySetSettings", { settings });
      return "Settings saved.";
    }),
  );

  exportButton.addEventListener("click", () =>
    act(async () => {
      const text = await link.call("historyExport");
      const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
      const filename = `huntkit-history-${new Date().toISOString().slice(0, 10)}.json`;
      try {
        await chrome.downloads.download({ url, filename, saveAs: false });
      } finally {
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
      }
      return `Saved ${filename} to your downloads.`;
    }),
  );

  importFile.addEventListener("change", () =>
    act(async () => {
      const [file] = importFile.files;
      if (!file) return "";
      const report = await link.call("historyImport", { text: await file.text() });
      importFile.value = "";
      return `Imported ${report.addedEntries} new entries and ${report.addedRuns} runs; the rest was already here.`;
    }),
  );

  // Two clicks: the first arms the button, so one stray click loses nothing.
  let armed = false;
  clear.addEventListener("click", () => {
    if (!armed) {
      armed = true;
      clear.textContent = "Click again to delete every entry";
      setTimeout(() => {
        armed = false;
        clear.textContent = "Clear all history";
      }, 5000);
      return;
    }
    armed = false;
    clear.textContent = "Clear all history";
    act(async () => {
      await link.call("historyClear");
      return "History cleared.";
    });
  });
}
