// The History view: search and filters over the engine's history, and the
// list of entries with their runs. Every query text, title, tag, error and
// tenant shown here may have been written by the page (the portal records
// whatever its page sends): text only, through el(), never HTML.

import { el } from "./render.js";
import { entryActions } from "./history_actions.js";
import { mountHistorySettings } from "./history_settings.js";

// Written by the engine's history on every change (src/history/service.rs).
const REVISION_KEY = "huntkit:history-rev";
const DAY_MS = 86400e3;

export function utc(ms) {
  return Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC` : "?";
}

function option(value, text) {
  const node = el("option", text);
  node.value = value;
  return node;
}

function select(id, label, options) {
  const node = el("select");
  node.id = id;
  node.setAttribute("aria-label", label);
  node.append(...options.map(([value, text]) => option(value, text)));
  return node;
}

function input(id, type, label) {
  const node = el("input");
  node.id = id;
  node.type = type;
  node.setAttribute("aria-label", label);
  return node;
}

function button(id, text) {
  const node = el("button", text);
  node.type = "button";
  if (id) node.id = id;
  return node;
}

/** Replaces a select's options but keeps the choice if it still exists. */
function refill(node, first, values) {
  const chosen = node.value;
  node.replaceChildren(option("", first), ...values.map((v) => option(v, v)));
  node.value = values.includes(chosen) ? chosen : "";
}

function runLine(run, selected, onToggle) {
  const li = el("li");
  li.dataset.runId = run.id;
  li.dataset.source = run.source;
  li.dataset.status = run.outcome.state;
  const box = el("input");
  box.type = "checkbox";
  box.className = "compare-pick";
  box.checked = selected.has(run.id);
  box.setAttribute("aria-label", "Select this run to compare row counts");
  box.addEventListener("change", () => onToggle(run.id, box.checked));
  const parts = [utc(run.startedAtMs), run.source];
  if (run.tenantId) parts.push(`tenant ${run.tenantId}`);
  parts.push(`range ${utc(run.startMs)} – ${utc(run.endMs)}`);
  if (run.durationMs != null) parts.push(`${(run.durationMs / 1000).toFixed(2)} s`);
  if (run.rows != null) parts.push(`${run.rows.toLocaleString("en-US")} rows`);
  if (run.quota) parts.push(`CPU ${run.quota.queryCpuUsage}`);
  parts.push(run.outcome.state === "error" ? `error: ${run.outcome.message}` : run.outcome.state);
  if (run.exports.length) parts.push(`exports: ${run.exports.join(", ")}`);
  if (run.units.length) parts.push(`${run.units.length} units`);
  li.append(box, el("span", ` ${parts.join(" · ")}`, run.outcome.state === "error" ? "bad" : undefined));
  return li;
}

export function mountHistory(root, link, { fillQuery, selectTab }) {
  const search = input("history-search", "search", "Search query text, tables and errors");
  search.placeholder = "Search text, tables, errors, tags";
  const tenant = select("history-tenant", "Tenant", [["", "All tenants"]]);
  const status = select("history-status-filter", "Status", [["", "Any status"], ["ok", "Succeeded"], ["error", "Failed"], ["unknown", "Unknown"]]);
  const source = select("history-source", "Source", [["", "Any source"], ["huntkit", "huntkit"], ["portal", "Portal editor"], ["import", "Imported"]]);
  const since = select("history-since", "Date", [["", "Any date"], ["1", "Last 24 hours"], ["7", "Last 7 days"], ["30", "Last 30 days"]]);
  const tag = select("history-tag", "Tag", [["", "Any tag"]]);
  const pinned = input("history-pinned", "checkbox", "Pinned only");
  const importPortal = button("history-import-portal", "Import the portal's history");
  const compare = button("history-compare", "Compare rows of 2 selected runs");
  compare.disabled = true;
  // Results of actions here; the list's own count goes in `count`, so a
  // redraw never hides what an action said.
  const message = el("p", "", "muted");
  message.id = "history-message";
  message.setAttribute("role", "status");
  const count = el("p", "", "muted");
  count.id = "history-count";
  const comparison = el("p");
  comparison.id = "history-comparison";
  const list = el("ol", undefined, "history-list");
  list.id = "history-list";
  const pinnedLabel = el("label");
  pinnedLabel.append(pinned, " pinned only");
  const filters = el("div", undefined, "row");
  filters.append(tenant, status, source, since, tag, pinnedLabel);
  const actionsRow = el("div", undefined, "row");
  actionsRow.append(importPortal, compare);
  root.append(el("h2", "History"), search, filters, actionsRow, comparison, message, count, list);

  const selected = new Set();
  let refreshing = null;
  let again = false;

  function toggle(runId, on) {
    if (on) selected.add(runId);
    else selected.delete(runId);
    compare.disabled = selected.size !== 2;
  }

  function filter() {
    const days = Number(since.value);
    return {
      text: search.value,
      tenantId: tenant.value || null,
      status: status.value || null,
      source: source.value || null,
      fromMs: days ? Date.now() - days * DAY_MS : null,
      pinnedOnly: pinned.checked,
      tag: tag.value || null,
      limit: 100,
    };
  }

  function say(text) {
    message.textContent = text;
  }

  const actions = entryActions(link, { fillQuery, selectTab, say, refresh: () => refresh() });

  function entryItem(entry) {
    const li = el("li", undefined, "history-entry");
    li.dataset.entryId = entry.id;
    li.dataset.source = entry.runs[0] ? entry.runs[0].source : "";
    const heading = el("div", undefined, "row");
    heading.append(el("strong", `${entry.pinned ? "★ " : ""}${entry.title || entry.tables.join(", ") || "Query"}`, "entry-title"));
    if (entry.tags.length) heading.append(el("span", entry.tags.map((t) => `#${t}`).join(" "), "muted entry-tags"));
    heading.append(el("span", `${entry.runCount} run${entry.runCount === 1 ? "" : "s"} · last ${utc(entry.lastRunMs)}`, "muted"));
    const text = el("pre", entry.queryText, "entry-text");
    const runs = el("ul", undefined, "entry-runs");
    runs.append(...entry.runs.map((run) => runLine(run, selected, toggle)));
    if (entry.runCount > entry.runs.length) runs.append(el("li", `… and ${entry.runCount - entry.runs.length} older runs`, "muted"));
    li.append(heading, text, actions.buttons(entry), actions.editor(entry), runs);
    return li;
  }

  async function refresh() {
    // One search at a time; a change while one runs asks for one more.
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      try {
        const page = await link.call("historySearch", filter());
        refill(tenant, "All tenants", page.tenants);
        refill(tag, "Any tag", page.tags);
        list.replaceChildren(...page.entries.map(entryItem));
        const shown = page.entries.length < page.total ? ` (newest ${page.entries.length} shown)` : "";
        count.textContent = `${page.total.toLocaleString("en-US")} entries${shown} · search ${page.tookMs.toFixed(1)} ms`;
        list.dataset.total = String(page.total);
      } catch (error) {
        say(error.userMessage || error.message || String(error));
      }
    })();
    await refreshing;
    refreshing = null;
    if (again) {
      again = false;
      await refresh();
    }
  }

  let typing = null;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(refresh, 150);
  });
  for (const control of [tenant, status, source, since, tag, pinned]) control.addEventListener("change", refresh);

  importPortal.addEventListener("click", async () => {
    importPortal.disabled = true;
    say("Importing the portal's history…");
    try {
      const report = await link.call("historyImportPortal");
      await refresh();
      say(`Imported from the portal: ${report.added} new, ${report.linked + report.known} already here${report.skipped ? `, ${report.skipped} malformed skipped` : ""}.`);
    } catch (error) {
      say(error.userMessage || error.message || String(error));
    } finally {
      importPortal.disabled = false;
    }
  });

  compare.addEventListener("click", async () => {
    const [a, b] = [...selected];
    try {
      const c = await link.call("historyCompare", { a, b });
      const rows = (r) => (r.rows == null ? "unknown" : r.rows.toLocaleString("en-US"));
      const change = c.difference == null ? "" : ` · difference ${c.difference >= 0 ? "+" : ""}${c.difference.toLocaleString("en-US")}${c.changePercent == null ? "" : ` (${c.changePercent >= 0 ? "+" : ""}${c.changePercent.toFixed(1)} %)`}`;
      comparison.textContent = `${utc(c.first.startedAtMs)}: ${rows(c.first)} rows → ${utc(c.second.startedAtMs)}: ${rows(c.second)} rows${change}`;
    } catch (error) {
      comparison.textContent = error.userMessage || error.message || String(error);
    }
  });

  mountHistorySettings(root, link, { say, refresh });

  // Another tab's engine, or this one, changed the history.
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === "local" && changes[REVISION_KEY] && !root.hidden) refresh();
  });
  return { refresh };
}
