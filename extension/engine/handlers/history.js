// The query history, held by the engine frame: recording huntkit's runs,
// importing the portal's history, watching the portal's own editor, and the
// panel calls of the History view.
//
// Why the engine frame owns the history: it sees every run huntkit makes
// (the panel's and, later, bulk jobs'), it is the only place that can call
// the portal's `userHistory` through the page agent, and it runs whenever a
// portal tab is open — also while the panel is closed, which is exactly when
// the analyst uses the portal's own editor. The panel reads and edits
// through it (history* calls) and never keeps a copy of its own.
//
// Storage: chrome.storage.local, which works in this injected frame (where
// IndexedDB was denied, HARNESS.md) and is shared by every tab's engine; the
// core reloads when another tab wrote (src/history/service.rs). Nothing
// leaves the browser.

import { HistoryStore } from "../../../pkg/huntkit.js";
import { chromeLocalStorage } from "../storage.js";

// After a query in the portal's editor, wait a little for more (an analyst
// often runs a few in a row), and call `userHistory` at most this often:
// it counts against the portal's per-minute call quota.
const PORTAL_IMPORT_DELAY_MS = 1500;
const PORTAL_IMPORT_MIN_GAP_MS = 5000;

const storage = chromeLocalStorage();

/** One store call at a time: each reads the latest stored copy and writes it back. */
function serialiser() {
  let tail = Promise.resolve();
  return (work) => {
    const result = tail.then(work);
    tail = result.catch(() => {});
    return result;
  };
}

function unavailable(error) {
  const message = String((error && (error.message || error.userMessage)) || error);
  return { kind: (error && error.kind) || "storage", message, userMessage: (error && error.userMessage) || `The history is unavailable: ${message}` };
}

export async function openHistory({ engine, agent }, transport) {
  let store;
  try {
    store = await HistoryStore.open(storage, transport, crypto.randomUUID());
  } catch (error) {
    // Queries still run; the History view shows why it cannot.
    const reason = unavailable(error);
    console.warn("[huntkit] history unavailable:", reason.message);
    const refuse = () => Promise.reject(reason);
    return {
      recordRun() {},
      recordExport() {},
      onAgentEvent() {},
      handlers: Object.fromEntries(HANDLER_NAMES.map((name) => [name, refuse])),
    };
  }
  const serial = serialiser();
  const runsByResult = new Map(); // resultId → {entryId, runId}, for exports
  let tenantId = null;
  let importTimer = null;
  let lastPortalImport = 0;

  async function knownTenant() {
    if (tenantId) return tenantId;
    try {
      const status = await engine.status();
      tenantId = status.tenantId || null;
    } catch {
      tenantId = null;
    }
    return tenantId;
  }

  function logFailure(what) {
    return (error) => console.warn(`[huntkit] history: ${what} failed:`, (error && (error.message || error.userMessage)) || error);
  }

  async function setWatching(on) {
    await agent("watch-queries", { on });
  }

  function importSeenQueries() {
    if (importTimer) return;
    const wait = Math.max(PORTAL_IMPORT_DELAY_MS, lastPortalImport + PORTAL_IMPORT_MIN_GAP_MS - Date.now());
    importTimer = setTimeout(async () => {
      importTimer = null;
      lastPortalImport = Date.now();
      const tenant = await knownTenant();
      await serial(() => store.importPortal("portal", tenant)).catch(logFailure("portal capture"));
    }, wait);
  }

  // Start-up, in the background so queries are not held up: the tenant,
  // the daily import of the portal's history, and the editor watch.
  (async () => {
    const tenant = await knownTenant();
    if (tenant) await serial(() => store.importDailyIfDue(tenant)).catch(logFailure("daily import"));
    await setWatching(store.settings().capturePortal);
  })().catch(logFailure("start-up"));

  return {
    /** A panel run finished (`summary`) or failed (`error`). */
    recordRun(args, startedAtMs, summary, error) {
      const endedAtMs = Date.now();
      serial(async () => {
        const run = {
          source: "huntkit",
          tenantId: await knownTenant(),
          startMs: args.startMs,
          endMs: args.endMs,
          startedAtMs,
          endedAtMs,
          durationMs: summary ? summary.durationMs : endedAtMs - startedAtMs,
          rows: summary ? summary.rowCount : null,
          outcome: summary
            ? { state: "ok" }
            : { state: "error", kind: String((error && error.kind) || "unknown"), message: String((error && (error.userMessage || error.message)) || error) },
          quota: summary ? { queryCpuUsage: summary.quota.queryCpuUsage, executionTime: summary.quota.executionTime } : null,
          exports: [],
          units: [],
        };
        const at = await store.recordRun({ queryText: args.queryText, run });
        if (summary) {
          runsByResult.set(summary.resultId, at);
          if (runsByResult.size > 20) runsByResult.delete(runsByResult.keys().next().value);
        }
      }).catch(logFailure("recording a run"));
    },

    recordExport(resultId, fileName) {
      const at = runsByResult.get(resultId);
      if (at) serial(() => store.addExport(at, fileName)).catch(logFailure("recording an export"));
    },

    onAgentEvent(event) {
      if (event === "portal-query" && store.settings().capturePortal) importSeenQueries();
    },

    handlers: {
      historySearch: (filter) => serial(() => store.search(filter || {})),
      historyUpdate: ({ entryId, update }) => serial(() => store.update(String(entryId), update || {})),
      historyRemove: ({ entryId }) => serial(() => store.remove(String(entryId))),
      historyClear: () => serial(() => store.clear()),
      historySettings: () => serial(() => store.settings()),
      historySetSettings: async ({ settings }) => {
        await serial(() => store.setSettings(settings));
        await setWatching(store.settings().capturePortal);
        return store.settings();
      },
      historyImportPortal: async () => serial(async () => store.importPortal("import", await knownTenant())),
      historyExport: () => serial(() => store.exportJson()),
      historyImport: ({ text }) => serial(() => store.importJson(String(text))),
      historyCompare: ({ a, b }) => serial(() => store.compareRuns(String(a), String(b))),
    },
  };
}

const HANDLER_NAMES = [
  "historySearch",
  "historyUpdate",
  "historyRemove",
  "historyClear",
  "historySettings",
  "historySetSettings",
  "historyImportPortal",
  "historyExport",
  "historyImport",
  "historyCompare",
];
