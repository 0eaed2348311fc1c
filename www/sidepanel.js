// The side panel: one query through the analyst's portal session, its first
// rows, and its export. The work happens in the engine of the attached tab.

import { mountBulkView } from "./panel/bulk_view.js";
import { EngineLink } from "./panel/engine_link.js";
import { renderError, renderSummary, renderTable } from "./panel/render.js";
import { initSchemaView } from "./panel/schema_view.js";
import { mountHistory } from "./panel/history_view.js";
import { setUpExports } from "./panel/exports.js";

const $ = (id) => document.getElementById(id);
const RANGE_MS = { "1h": 3600e3, "24h": 86400e3, "7d": 7 * 86400e3, "30d": 30 * 86400e3 };
const PREVIEW_ROWS = 100;

let link;
let lastResult = null;
let history = null;

function timeRange() {
  if ($("range").value !== "custom") {
    const end = Date.now();
    return { startMs: end - RANGE_MS[$("range").value], endMs: end };
  }
  // datetime-local has no zone; huntkit's custom range is UTC, as the portal's data are.
  const startMs = Date.parse(`${$("start").value}Z`);
  const endMs = Date.parse(`${$("end").value}Z`);
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || endMs <= startMs) {
    throw { kind: "input", userMessage: "Choose a custom range whose end is after its start (UTC)." };
  }
  return { startMs, endMs };
}

function showBanner(error) {
  renderError($("banner"), error);
  if (error.kind === "session_expired") setSession("expired", "signed out");
}

function clearBanner() {
  $("banner").hidden = true;
  $("banner").replaceChildren();
}

function setSession(state, text) {
  $("session").dataset.state = state;
  $("session").textContent = text;
}

async function refreshStatus() {
  try {
    const status = await link.call("status");
    setSession(status.session, status.session === "live" ? "session live" : "signed out");
    $("tenant").textContent = status.tenantId ? `tenant ${status.tenantId}` : "";
    if (status.session === "live") clearBanner();
    else if (status.error) showBanner(status.error);
  } catch (error) {
    setSession("absent", "not connected");
    showBanner(error);
  }
}

async function run() {
  clearBanner();
  $("run").disabled = true;
  $("run").textContent = "Running…";
  try {
    const request = { queryText: $("query").value, name: $("query-name").value.trim() || null, ...timeRange(), previewRows: PREVIEW_ROWS };
    const result = await link.call("runQuery", request);
    lastResult = result;
    renderSummary($("summary"), result);
    renderTable($("rows"), result.columns, result.previewRows);
    $("export-status").textContent = "";
    $("result").hidden = false;
    setSession("live", "session live");
  } catch (error) {
    // The previous result stays in memory but leaves the screen, so that an
    // export can never be taken for the query that just failed.
    lastResult = null;
    $("result").hidden = true;
    showBanner(error);
  } finally {
    $("run").disabled = false;
    $("run").textContent = "Run";
  }
}

/** Shows one view; the others keep their state while hidden. */
function selectTab(name) {
  for (const tab of document.querySelectorAll("[role=tab]")) {
    const selected = tab.id === `tab-${name}`;
    tab.setAttribute("aria-selected", String(selected));
    $(tab.getAttribute("aria-controls")).hidden = !selected;
  }
  if (name === "history" && history) history.refresh();
}

/**
 * From the History view: the query and its range into the Query view. The
 * same range is the run's exact window; a new range is as long, ending now
 * (a preset when one has that length).
 */
function fillQuery({ queryText, title, startMs, endMs, sameRange }) {
  $("query").value = queryText;
  $("query-name").value = title || "";
  const length = endMs - startMs;
  const preset = Object.keys(RANGE_MS).find((key) => RANGE_MS[key] === length);
  if (!sameRange && preset) {
    $("range").value = preset;
  } else {
    const end = sameRange ? endMs : Date.now();
    $("range").value = "custom";
    $("start").value = new Date(end - length).toISOString().slice(0, 23);
    $("end").value = new Date(end).toISOString().slice(0, 23);
  }
  $("custom-range").hidden = $("range").value !== "custom";
  selectTab("query");
}

async function main() {
  link = await EngineLink.attach();
  for (const tab of document.querySelectorAll("[role=tab]")) {
    tab.addEventListener("click", () => selectTab(tab.id.slice("tab-".length)));
  }
  $("range").addEventListener("change", () => ($("custom-range").hidden = $("range").value !== "custom"));
  $("run").addEventListener("click", run);
  setUpExports({ link, resultId: () => (lastResult ? lastResult.resultId : null), showBanner });
  mountBulkView($("view-bulk"), link, showBanner);
  const schema = initSchemaView(link, { onError: showBanner });
  history = mountHistory($("view-history"), link, { fillQuery, selectTab });
  link.onEngineReady(() => {
    refreshStatus();
    schema.refresh();
    if (!$("view-history").hidden) history.refresh();
  });
  await refreshStatus();
  if ($("session").dataset.state === "live") await schema.refresh();
}

main();
