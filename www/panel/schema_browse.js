// Browsing one schema snapshot: tables grouped by section, with retention
// and whether they hold data; columns with type and description; one search
// over table names, column names and descriptions; and copying a table's
// columns or a `project` line. Names and descriptions come from the portal:
// text only, never HTML.

import { el } from "./render.js";

const NO_SECTION = "Other";

/** Reads the portal's schema JSON into [{name, section, hasData, retention, columns:[{name,type,description}]}]. */
export function browseModel(json) {
  const tables = (JSON.parse(json).Tables || []).map((t) => ({
    name: t.Name,
    section: t.TableSection || NO_SECTION,
    hasData: t.HasData,
    retention: t.TableRetention || null,
    columns: (t.Schema || []).map((c) => ({ name: c.Name, type: c.Type || "", description: c.Description || "" })),
  }));
  tables.sort((a, b) => a.section.localeCompare(b.section) || a.name.localeCompare(b.name));
  return tables;
}

function retentionText(r) {
  if (!r) return "retention unknown";
  const parts = [];
  if (r.TotalInteractiveDays != null) parts.push(`${r.TotalInteractiveDays} d interactive`);
  if (r.HotDays != null) parts.push(`${r.HotDays} d hot`);
  if (r.ColdDays) parts.push(`${r.ColdDays} d cold`);
  return parts.length ? parts.join(", ") : "retention unknown";
}

function dataText(hasData) {
  if (hasData === true) return "has data";
  if (hasData === false) return "no data";
  return "data unknown";
}

/** Which columns of `table` match `needle` (lower-case); all of them when the table name matches. */
function matches(table, needle) {
  if (!needle) return { show: true, columns: null };
  if (table.name.toLowerCase().includes(needle)) return { show: true, columns: null };
  const columns = table.columns.filter(
    (c) => c.name.toLowerCase().includes(needle) || c.description.toLowerCase().includes(needle),
  );
  return { show: columns.length > 0, columns };
}

async function copy(text, status) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = `Copied ${text.length.toLocaleString("en-US")} characters.`;
  } catch (error) {
    status.textContent = `Could not copy: ${(error && error.message) || error}`;
  }
}

function columnRows(table, columns) {
  const rows = el("table", undefined, "columns");
  const head = el("tr");
  head.append(el("th", "Column"), el("th", "Type"), el("th", "Description"));
  rows.append(el("thead"));
  rows.tHead.append(head);
  const body = el("tbody");
  for (const c of columns) {
    const tr = el("tr");
    tr.dataset.column = c.name;
    const description = el("td", c.description, "description");
    tr.append(el("td", c.name), el("td", c.type), description);
    body.append(tr);
  }
  rows.append(body);
  return rows;
}

function tableBlock(table, matched, status) {
  const block = el("details", undefined, "schema-table");
  block.dataset.table = table.name;
  const summary = el("summary");
  summary.append(
    el("strong", table.name),
    el("span", ` · ${table.columns.length} columns · ${retentionText(table.retention)} · ${dataText(table.hasData)}`, "muted"),
  );
  block.append(summary);
  const fill = () => {
    if (block.dataset.filled) return;
    block.dataset.filled = "1";
    const actions = el("div", undefined, "row");
    const copyColumns = el("button", "Copy columns");
    copyColumns.type = "button";
    copyColumns.className = "copy-columns";
    copyColumns.addEventListener("click", () => copy(table.columns.map((c) => c.name).join("\n"), status));
    const copyProject = el("button", "Copy project line");
    copyProject.type = "button";
    copyProject.className = "copy-project";
    copyProject.addEventListener("click", () => copy(`| project ${table.columns.map((c) => c.name).join(", ")}`, status));
    actions.append(copyColumns, copyProject);
    block.append(actions, columnRows(table, matched || table.columns));
  };
  block.addEventListener("toggle", () => block.open && fill());
  if (matched) {
    block.open = true;
    fill();
  }
  return block;
}

/** Draws `tables` filtered by `query` into `container`; returns how many tables matched. */
export function renderBrowse(container, tables, query, status) {
  const needle = query.trim().toLowerCase();
  container.replaceChildren();
  let shown = 0;
  let section = null;
  let group = null;
  for (const table of tables) {
    const m = matches(table, needle);
    if (!m.show) continue;
    if (table.section !== section) {
      section = table.section;
      group = el("section", undefined, "schema-section");
      group.dataset.section = section;
      group.append(el("h3", section));
      container.append(group);
    }
    group.append(tableBlock(table, needle && m.columns ? m.columns : null, status));
    shown += 1;
  }
  if (!shown) container.append(el("p", `Nothing matches “${query.trim()}”.`, "muted"));
  return shown;
}
