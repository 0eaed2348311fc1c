// The Schema view: snapshots (take, import, delete, settings), browsing one,
// comparing two, exporting the diff, and checking it against queries. The
// work happens in the engine of the attached tab; this module draws.

import { el } from "./render.js";
import { browseModel, renderBrowse } from "./schema_browse.js";
import { FILTERS, renderDiff } from "./schema_diff.js";
import { renderImpact } from "./schema_impact.js";

const $ = (id) => document.getElementById(id);

function button(id, text) {
  const b = el("button", text);
  b.type = "button";
  b.id = id;
  return b;
}

function checkbox(id, text, checked) {
  const label = el("label");
  const box = el("input");
  box.type = "checkbox";
  box.id = id;
  box.checked = checked;
  label.append(box, ` ${text}`);
  return label;
}

function fileInput(id, accept) {
  const input = el("input");
  input.type = "file";
  input.id = id;
  input.accept = accept;
  return input;
}

function numberInput(id, min, max) {
  const input = el("input");
  input.type = "number";
  input.id = id;
  input.min = String(min);
  input.max = String(max);
  input.className = "narrow";
  return input;
}

function section(title, ...children) {
  const s = el("section");
  s.append(el("h2", title), ...children);
  return s;
}

function row(...children) {
  const r = el("div", undefined, "row");
  r.append(...children);
  return r;
}

function build(view) {
  const filters = el("div", undefined, "row filters");
  filters.id = "schema-filters";
  for (const [kind, label] of FILTERS) {
    const box = checkbox(`schema-show-${kind}`, label, kind !== "order");
    box.querySelector("input").dataset.kind = kind;
    filters.append(box);
  }
  filters.append(checkbox("schema-hide-descriptions", "Hide description changes", false));
  const snapshotTable = el("table", undefined, "snapshots");
  snapshotTable.id = "schema-snapshots";
  const browse = el("div");
  browse.id = "schema-browse";
  const counts = el("ul", undefined, "counts");
  counts.id = "schema-counts";
  const diff = el("div");
  diff.id = "schema-diff";
  const impactRows = el("table", undefined, "impact");
  impactRows.id = "schema-impact-rows";
  const search = el("input");
  search.type = "search";
  search.id = "schema-search";
  search.placeholder = "Search tables, columns, descriptions";
  const oldSelect = el("select");
  oldSelect.id = "schema-old";
  const newSelect = el("select");
  newSelect.id = "schema-new";
  const browseSelect = el("select");
  browseSelect.id = "schema-browse-snapshot";
  const status = (id) => Object.assign(el("span", "", "muted"), { id });

  view.append(
    section(
      "Snapshots",
      row(button("schema-take", "Take snapshot now"), el("label", "Import a schema file "), fileInput("schema-import-file", ".json,application/json"), status("schema-snapshot-status")),
      el("div", undefined, "table-wrap short"),
      row(
        checkbox("schema-daily", "Snapshot automatically on the first visit each day", true),
        el("label", "Keep per tenant"), numberInput("schema-keep-count", 1, 100),
        el("label", "Keep days"), numberInput("schema-keep-days", 1, 3650),
        button("schema-save-settings", "Save"),
      ),
    ),
    section("Compare", row(el("label", "Old"), oldSelect, el("label", "New"), newSelect, button("schema-compare", "Compare")),
      row(checkbox("schema-ignore-order", "Ignore column order", true)), filters, counts,
      row(button("schema-export-md", "Export Markdown"), button("schema-export-json", "Export JSON"), status("schema-export-status")), diff),
    section("Impact on queries",
      row(button("schema-impact-history", "Check query history"), el("label", "or import queries (.jsonl, .kql) "), fileInput("schema-impact-file", ".jsonl,.ndjson,.kql,.txt")),
      el("p", "", "muted"), el("div", undefined, "table-wrap")),
    section("Browse", row(browseSelect, search, status("schema-browse-status")), browse),
  );
  view.querySelector(".table-wrap.short").append(snapshotTable);
  view.querySelectorAll("section")[2].querySelector("p").id = "schema-impact-status";
  view.querySelectorAll("section")[2].querySelector(".table-wrap").append(impactRows);
}

export function initSchemaView(link, { onError }) {
  const view = $("view-schema");
  build(view);
  let snapshots = [];
  let tables = [];
  let lastDiff = null;

  const fail = (error) => onError(error);

  function options(select, keep) {
    select.replaceChildren();
    for (const s of snapshots) {
      const o = el("option", s.label);
      o.value = s.id;
      select.append(o);
    }
    if (keep && snapshots.some((s) => s.id === keep)) select.value = keep;
  }

  function drawSnapshots() {
    const table = $("schema-snapshots");
    table.replaceChildren();
    if (!snapshots.length) {
      table.append(el("caption", "No snapshot yet: take one, or import a schema file."));
    }
    for (const s of snapshots) {
      const tr = el("tr");
      tr.dataset.id = s.id;
      const remove = el("button", "Delete");
      remove.type = "button";
      remove.addEventListener("click", () => link.call("schemaDelete", { id: s.id }).then(refresh, fail));
      const cell = el("td");
      cell.append(remove);
      tr.append(el("td", s.label), el("td", `${s.tableCount} tables, ${s.columnCount} columns`), el("td", s.daily ? "daily" : ""), cell);
      table.append(tr);
    }
    const [oldKeep, newKeep, browseKeep] = [$("schema-old").value, $("schema-new").value, $("schema-browse-snapshot").value];
    options($("schema-old"), oldKeep);
    options($("schema-new"), newKeep);
    options($("schema-browse-snapshot"), browseKeep);
    if (snapshots.length >= 2 && !oldKeep) $("schema-old").value = snapshots[snapshots.length - 2].id;
    if (snapshots.length && !newKeep) $("schema-new").value = snapshots[snapshots.length - 1].id;
    if (snapshots.length && !browseKeep) $("schema-browse-snapshot").value = snapshots[snapshots.length - 1].id;
  }

  async function refresh() {
    const listed = await link.call("schemaList");
    snapshots = listed.snapshots;
    $("schema-daily").checked = listed.settings.dailySnapshot;
    $("schema-keep-count").value = listed.settings.keepCount ?? "";
    $("schema-keep-days").value = listed.settings.keepDays ?? "";
    drawSnapshots();
    if (!tables.length && snapshots.length) await browse();
  }

  async function browse() {
    const id = $("schema-browse-snapshot").value;
    if (!id) return;
    tables = browseModel(await link.call("schemaBrowse", { id }));
    drawBrowse();
  }

  function drawBrowse() {
    const n = renderBrowse($("schema-browse"), tables, $("schema-search").value, $("schema-browse-status"));
    $("schema-browse-status").textContent = `${n} of ${tables.length} tables`;
  }

  function shownKinds() {
    const shown = new Set();
    for (const box of $("schema-filters").querySelectorAll("input[data-kind]")) if (box.checked) shown.add(box.dataset.kind);
    if (!$("schema-hide-descriptions").checked) shown.add("descriptions");
    return shown;
  }

  async function compare() {
    const oldId = $("schema-old").value;
    const newId = $("schema-new").value;
    if (!oldId || !newId) return;
    const reply = await link.call("schemaDiff", { oldId, newId, options: { includeOrder: !$("schema-ignore-order").checked } });
    lastDiff = { diff: JSON.parse(reply.diffJson), oldLabel: reply.oldLabel, newLabel: reply.newLabel };
    $("schema-export-status").textContent = "";
    drawDiff();
  }

  function drawDiff() {
    if (lastDiff) renderDiff($("schema-counts"), $("schema-diff"), lastDiff, shownKinds());
  }

  async function exportAs(format) {
    $("schema-export-status").textContent = "Exporting…";
    try {
      const file = await link.call("schemaExport", { format });
      $("schema-export-status").textContent = `Saved ${file.fileName} (${file.bytes.toLocaleString("en-US")} bytes) to your downloads.`;
    } catch (error) {
      $("schema-export-status").textContent = "";
      fail(error);
    }
  }

  async function impact(args) {
    const status = $("schema-impact-status");
    if (!lastDiff) {
      status.textContent = "Compare two snapshots first: the impact is that diff's.";
      return;
    }
    status.textContent = "Checking…";
    const result = await link.call("schemaImpact", args);
    status.textContent = renderImpact($("schema-impact-rows"), result.hits, result.queryCount);
  }

  async function impactOfHistory() {
    let queries;
    try {
      const history = await link.call("historyQueries");
      queries = Array.isArray(history) ? history : history.queries;
    } catch (error) {
      // The history feature registers `historyQueries` in the engine; until
      // it is there, the engine answers "unknown call".
      if (/^unknown call/.test(error.message || "")) {
        $("schema-impact-status").textContent = "Query history is not available in this version: import a query file instead.";
        $("schema-impact-rows").replaceChildren();
        return;
      }
      throw error;
    }
    if (!queries.length) {
      $("schema-impact-status").textContent = "The query history is empty: import a query file instead.";
      $("schema-impact-rows").replaceChildren();
      return;
    }
    await impact({ key: "history", queries });
  }

  const guard = (fn) => (...args) => Promise.resolve().then(() => fn(...args)).catch(fail);

  $("schema-take").addEventListener("click", guard(async () => {
    $("schema-snapshot-status").textContent = "Taking a snapshot…";
    const meta = await link.call("schemaTake");
    $("schema-snapshot-status").textContent = `Took ${meta.tableCount} tables, ${meta.columnCount} columns.`;
    await refresh();
  }));
  $("schema-import-file").addEventListener("change", guard(async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const meta = await link.call("schemaImport", { fileName: file.name, text: await file.text() });
    $("schema-snapshot-status").textContent = `Imported ${file.name}: ${meta.tableCount} tables, ${meta.columnCount} columns.`;
    event.target.value = "";
    await refresh();
  }));
  $("schema-save-settings").addEventListener("click", guard(async () => {
    const number = (id) => ($(id).value === "" ? null : Number($(id).value));
    await link.call("schemaSettings", { settings: { dailySnapshot: $("schema-daily").checked, keepCount: number("schema-keep-count"), keepDays: number("schema-keep-days") } });
    $("schema-snapshot-status").textContent = "Settings saved.";
    await refresh();
  }));
  $("schema-compare").addEventListener("click", guard(compare));
  $("schema-ignore-order").addEventListener("change", guard(() => lastDiff && compare()));
  $("schema-filters").addEventListener("change", drawDiff);
  $("schema-export-md").addEventListener("click", () => exportAs("markdown"));
  $("schema-export-json").addEventListener("click", () => exportAs("json"));
  $("schema-impact-history").addEventListener("click", guard(impactOfHistory));
  $("schema-impact-file").addEventListener("change", guard(async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    await impact({ key: `file:${file.name}`, fileName: file.name, text: await file.text() });
    event.target.value = "";
  }));
  $("schema-browse-snapshot").addEventListener("change", guard(browse));
  let searchTimer = 0;
  $("schema-search").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(drawBrowse, 120);
  });

  // Snapshots taken by the engine itself (the daily one) or another panel.
  chrome.runtime.onMessage.addListener((message, sender) => {
    if (message && message.type === "schema-snapshots-changed" && sender.tab && sender.tab.id === link.tabId) refresh().catch(fail);
    return false;
  });
  return { refresh: () => refresh().catch(fail) };
}
