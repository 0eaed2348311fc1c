// The Bulk view: plan a job (query list, template × values, or a
// time-sliced run), start it, and follow every job and every unit. Jobs run
// in the portal tab's engine; this view only asks and shows.

import { BULK_TEMPLATE_KEY } from "./history_actions.js";
import { el } from "./render.js";

const RANGE_MS = { "24h": 86400e3, "7d": 7 * 86400e3, "30d": 30 * 86400e3 };

const FORM = `
<section aria-labelledby="bulk-heading">
  <h2 id="bulk-heading">New bulk job</h2>
  <div class="row">
    <label for="bulk-kind">Kind</label>
    <select id="bulk-kind">
      <option value="sliced">Time-sliced run (past the 100,000-row cap)</option>
      <option value="template">Template × indicator values</option>
      <option value="queries">Query list</option>
    </select>
  </div>
  <p id="bulk-kind-help" class="muted"></p>
  <textarea id="bulk-query" rows="6" spellcheck="false"></textarea>
  <div class="row" id="bulk-query-file-row"><label>or load queries <input id="bulk-query-file" type="file" accept=".kql,.txt,.jsonl"></label></div>
  <div id="bulk-values-block" hidden>
    <label for="bulk-values">Indicator values (one a line, or CSV)</label>
    <textarea id="bulk-values" rows="5" spellcheck="false" placeholder="192.0.2.10&#10;example.com&#10;44d88612fea8a8f36de82e1278abb02f"></textarea>
    <div class="row"><label>or load <input id="bulk-values-file" type="file" accept=".txt,.csv"></label>
      <label>values per query <input id="bulk-batch" type="number" min="1" max="1000" value="100" style="width:5em"></label></div>
  </div>
  <div class="row">
    <label for="bulk-range">Time range</label>
    <select id="bulk-range">
      <option value="24h">Last 24 hours</option>
      <option value="7d">Last 7 days</option>
      <option value="30d" selected>Last 30 days</option>
      <option value="custom">Custom (UTC)</option>
    </select>
  </div>
  <div id="bulk-custom-range" class="row" hidden>
    <label>From <input id="bulk-start" type="datetime-local" step="0.001"></label>
    <label>To <input id="bulk-end" type="datetime-local" step="0.001"></label>
  </div>
  <div class="row">
    <label>Calls a minute <input id="bulk-cpm" type="number" min="1" max="600" value="45" style="width:4em"></label>
    <label>At once <input id="bulk-concurrency" type="number" min="1" max="4" value="2" style="width:3em"></label>
    <label>Export <select id="bulk-format"><option value="csv">CSV</option><option value="ndjson">NDJSON</option><option value="json">JSON</option></select></label>
  </div>
  <div class="row"><input id="bulk-name" type="text" placeholder="Job name (for the file name)"></div>
  <button id="bulk-start-job" type="button">Start job</button>
  <div id="bulk-notes" class="notes" aria-live="polite"></div>
</section>
<section aria-labelledby="bulk-jobs-heading">
  <h2 id="bulk-jobs-heading">Jobs</h2>
  <div id="bulk-jobs"></div>
</section>`;

const HELP = {
  sliced: "One query over a long range, split into windows that each stay under the row cap; every row exactly once. The query must return rows with a Timestamp column.",
  template: "A query with {{values}} (an in (...) list) or {{value}}, run over your indicators in batches. Values are quoted so they cannot break the query.",
  queries: "Several queries, pasted (separated by a line holding only ;) or loaded from .kql/.txt files or a .jsonl list, each run once.",
};

function readFile(input) {
  const file = input.files && input.files[0];
  return file ? file.text().then((text) => ({ name: file.name, text })) : Promise.resolve(null);
}

function fmtMs(ms) {
  if (ms == null) return "";
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

export function mountBulkView(root, link, showError) {
  root.innerHTML = FORM; // static markup only: no portal data in it
  const $ = (id) => root.querySelector(`#${id}`);
  const cards = new Map();

  function refreshKind() {
    const kind = $("bulk-kind").value;
    $("bulk-kind-help").textContent = HELP[kind];
    $("bulk-values-block").hidden = kind !== "template";
    $("bulk-query-file-row").hidden = kind !== "queries";
    $("bulk-query").placeholder =
      kind === "template" ? "DeviceNetworkEvents | where RemoteIP in ({{values}})" : kind === "queries" ? "DeviceInfo | take 10\n;\nAlertInfo | take 10" : "DeviceNetworkEvents | project Timestamp, DeviceName, RemoteIP, RemotePort";
  }
  $("bulk-kind").addEventListener("change", refreshKind);
  $("bulk-range").addEventListener("change", () => ($("bulk-custom-range").hidden = $("bulk-range").value !== "custom"));
  refreshKind();

  function range() {
    if ($("bulk-range").value !== "custom") {
      const endMs = Date.now();
      return { startMs: endMs - RANGE_MS[$("bulk-range").value], endMs };
    }
    return { startMs: Date.parse(`${$("bulk-start").value}Z`), endMs: Date.parse(`${$("bulk-end").value}Z`) };
  }

  function showNotes(notes) {
    const box = $("bulk-notes");
    box.replaceChildren();
    const lines = [];
    for (const [kind, n] of notes.valueKinds || []) lines.push(`${n} ${kind}`);
    if (notes.duplicateValues) lines.push(`${notes.duplicateValues} duplicate values removed`);
    const shorten = (text) => (text.length > 120 ? `${text.slice(0, 120)}… (${text.length} characters)` : text);
    for (const r of notes.rejectedValues || []) lines.push(`line ${r.line}: "${shorten(r.text)}" skipped: ${r.reason}`);
    for (const p of notes.queryProblems || []) lines.push(`line ${p.line}: ${p.reason}`);
    for (const line of lines) box.append(el("div", line));
  }

  async function startJob() {
    $("bulk-start-job").disabled = true;
    $("bulk-notes").replaceChildren();
    try {
      const kind = $("bulk-kind").value;
      const valuesFile = await readFile($("bulk-values-file"));
      const queryFile = await readFile($("bulk-query-file"));
      const args = {
        kind,
        queryText: $("bulk-query").value,
        queryFile: kind === "queries" ? queryFile : null,
        values: kind === "template" ? valuesFile || { name: null, text: $("bulk-values").value } : null,
        ...range(),
        config: {
          callsPerMinute: Number($("bulk-cpm").value),
          concurrency: Number($("bulk-concurrency").value),
          batch: { maxValues: Number($("bulk-batch").value) },
        },
        name: $("bulk-name").value.trim() || null,
        format: $("bulk-format").value,
      };
      const planned = await link.call("bulkPlan", args);
      showNotes(planned.notes);
      await link.call("bulkStart", { jobId: planned.jobId });
      await refreshJobs();
    } catch (error) {
      showError(error);
    } finally {
      $("bulk-start-job").disabled = false;
    }
  }
  $("bulk-start-job").addEventListener("click", startJob);

  function card(jobId) {
    if (cards.has(jobId)) return cards.get(jobId);
    const node = el("article", undefined, "job");
    node.dataset.jobId = jobId;
    const title = el("h3");
    const status = el("p", undefined, "job-status");
    const bar = el("progress");
    const stats = el("p", undefined, "muted job-stats");
    const actions = el("div", undefined, "row");
    const files = el("p", undefined, "muted job-files");
    const units = el("table", undefined, "units");
    node.append(title, status, bar, stats, actions, files, units);
    $("bulk-jobs").prepend(node);
    const parts = { node, title, status, bar, stats, actions, files, units };
    cards.set(jobId, parts);
    return parts;
  }

  function button(label, className, onClick) {
    const b = el("button", label, className);
    b.type = "button";
    b.addEventListener("click", () => onClick().catch(showError));
    return b;
  }

  function render(jobId, { meta, progress, running }) {
    const c = card(jobId);
    if (meta) c.title.textContent = `${meta.name || meta.queryText.split("\n")[0].slice(0, 60)} · ${meta.kind}`;
    const state = running ? "running" : progress.finished ? "finished" : progress.status === "needsSignIn" ? "needs sign-in" : progress.status === "running" ? "interrupted" : progress.status;
    c.node.dataset.state = state;
    c.status.textContent =
      state === "needs sign-in"
        ? "Paused: your portal session expired. Sign in again in the portal tab, then Resume; nothing finished is lost."
        : `State: ${state}${progress.waitingReason ? ` · waiting: ${progress.waitingReason}` : ""}${progress.stopped ? ` · ${progress.stopped}` : ""}`;
    const u = progress.units;
    c.bar.max = Math.max(1, u.total - u.skipped - u.replanned);
    c.bar.value = u.done + u.failed;
    c.stats.textContent = `${u.done}/${c.bar.max} units · ${progress.keptRows.toLocaleString("en-US")} rows · ${progress.calls} calls · ${progress.failed ?? u.failed} failed${progress.cutShort ? ` · ${progress.cutShort} may be cut short` : ""}${progress.etaMs != null && !progress.finished ? ` · about ${fmtMs(progress.etaMs)} left` : ""}`;
    c.actions.replaceChildren();
    if (running) c.actions.append(button("Pause", "bulk-pause", () => link.call("bulkPause", { jobId })));
    if (!running && !progress.finished && progress.status !== "cancelled")
      c.actions.append(button("Resume", "bulk-resume", () => link.call("bulkStart", { jobId }).then(refreshJobs)));
    if (!progress.finished && progress.status !== "cancelled")
      c.actions.append(button("Cancel", "bulk-cancel", () => link.call("bulkCancel", { jobId }).then(refreshJobs)));
    if (u.done > 0) {
      for (const format of ["csv", "ndjson", "json"])
        c.actions.append(button(`Export ${format.toUpperCase()}`, `bulk-export-${format}`, () => link.call("bulkExport", { jobId, format }).then((f) => (c.files.textContent = `Saved ${f.fileName} (${f.rows.toLocaleString("en-US")} rows)`))));
      c.actions.append(button("Manifest", "bulk-manifest", () => link.call("bulkManifest", { jobId }).then((name) => (c.files.textContent = `Saved ${name}`))));
    }
    if (!running) c.actions.append(button("Delete", "bulk-delete", () => link.call("bulkDelete", { jobId }).then(() => { c.node.remove(); cards.delete(jobId); })));
    renderUnits(c.units, progress.unitList);
  }

  function renderUnits(table, unitList) {
    table.replaceChildren();
    const head = el("tr");
    for (const h of ["unit", "state", "rows", "time", "CPU", "note"]) head.append(el("th", h));
    table.append(head);
    for (const unit of unitList) {
      const tr = el("tr");
      tr.dataset.state = unit.state;
      const error = unit.errors.length ? unit.errors[unit.errors.length - 1].message : "";
      tr.append(
        el("td", unit.label),
        el("td", unit.state),
        el("td", unit.keptRows != null ? unit.keptRows.toLocaleString("en-US") : ""),
        el("td", fmtMs(unit.durationMs)),
        el("td", unit.quota ? String(unit.quota.queryCpuUsage ?? "") : ""),
        el("td", [unit.cutShort, unit.note, error].filter(Boolean).join(" · "), error ? "error" : undefined),
      );
      table.append(tr);
    }
  }

  async function refreshJobs() {
    const jobs = await link.call("bulkList");
    for (const job of jobs) render(job.meta.jobId, job);
  }

  link.onEngineEvent((message) => {
    if (message.event === "bulk-progress") {
      const { progress } = message;
      render(message.jobId, { progress, running: !progress.finished && progress.status === "running" });
    }
    if (message.event === "bulk-ended") {
      if (message.error) showError(message.error);
      refreshJobs().catch(showError);
      if (message.files && message.files.length) card(message.jobId).files.textContent = `Saved ${message.files.join(" and ")}`;
    }
  });
  link.onEngineReady(() => refreshJobs().catch(() => {}));
  refreshJobs().catch(() => {});

  // "Use as bulk template" in the History view leaves the query here, in
  // session storage; it fills the form once, as a template job.
  async function takeTemplate() {
    const stored = (await chrome.storage.session.get(BULK_TEMPLATE_KEY))[BULK_TEMPLATE_KEY];
    if (!stored || typeof stored.queryText !== "string") return;
    await chrome.storage.session.remove(BULK_TEMPLATE_KEY);
    $("bulk-kind").value = "template";
    refreshKind();
    $("bulk-query").value = stored.queryText;
    if (typeof stored.title === "string") $("bulk-name").value = stored.title;
    $("bulk-notes").replaceChildren(el("div", "From the history: put {{values}} (an in (...) list) or {{value}} where the indicators go."));
  }
  chrome.storage.session.onChanged.addListener((changes) => {
    if (changes[BULK_TEMPLATE_KEY] && changes[BULK_TEMPLATE_KEY].newValue) takeTemplate().catch(showError);
  });
  takeTemplate().catch(() => {});
}
