// Drawing a schema diff (the core's SchemaDiff, camelCase): the counts
// first, then tables added, removed and renamed, then one block per changed
// table. Filters hide change kinds; description changes sit in a collapsed
// <details> per table because most are rewordings.

import { el } from "./render.js";

/** The counts shown at the top, in order, with the filter each belongs to. */
const COUNTS = [
  ["tablesAdded", "Tables added", "added"],
  ["tablesRemoved", "Tables removed", "removed"],
  ["tablesRenamed", "Tables renamed", "renamed"],
  ["tablesChanged", "Tables changed", null],
  ["columnsAdded", "Columns added", "added"],
  ["columnsRemoved", "Columns removed", "removed"],
  ["columnsRenamed", "Columns renamed", "renamed"],
  ["columnsRetyped", "Columns retyped", "retyped"],
  ["propertyChanges", "Property changes", "properties"],
  ["orderChanges", "Order changes", "order"],
  ["descriptionChanges", "Description changes", "descriptions"],
];

/** The change kinds a filter can hide. */
export const FILTERS = [
  ["added", "Added"],
  ["removed", "Removed"],
  ["renamed", "Renamed"],
  ["retyped", "Retyped"],
  ["properties", "Properties"],
  ["order", "Order"],
];

const WHY = { documented: "documented", caseOnly: "case only", similarColumns: "similar columns" };

function typed(c) {
  return c.type ? `${c.name} (${c.type})` : c.name;
}

function line(kind, text) {
  const li = el("li", text, `change ${kind}`);
  li.dataset.kind = kind;
  return li;
}

function show(value) {
  if (value === null || value === undefined) return "none";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function tableBlock(t, shown) {
  const block = el("section", undefined, "diff-table");
  block.dataset.table = t.table;
  const title = t.renamedFrom ? `${t.table} (was ${t.renamedFrom})` : t.table;
  block.append(el("h4", title));
  const list = el("ul");
  if (shown.has("added")) for (const c of t.columnsAdded) list.append(line("added", `+ ${typed(c)}`));
  if (shown.has("removed")) for (const c of t.columnsRemoved) list.append(line("removed", `− ${typed(c)}`));
  if (shown.has("renamed")) {
    for (const r of t.columnsRenamed) {
      let text = `${r.from} → ${r.to} (${r.caseOnly ? "case only" : WHY[r.reason] || r.reason})`;
      if (r.typeChange) text += `, type ${show(r.typeChange.old)} → ${show(r.typeChange.new)}`;
      list.append(line("renamed", text));
    }
  }
  if (shown.has("retyped")) for (const r of t.columnsRetyped) list.append(line("retyped", `${r.name}: ${show(r.from)} → ${show(r.to)}`));
  if (shown.has("properties")) {
    for (const [key, label] of [["section", "Section"], ["tableType", "Table type"], ["hasData", "HasData"], ["retention", "Retention"]]) {
      if (t[key]) list.append(line("properties", `${label}: ${show(t[key].old)} → ${show(t[key].new)}`));
    }
  }
  if (shown.has("order") && t.columnsMoved.length) list.append(line("order", `Moved: ${t.columnsMoved.join(", ")}`));
  const visible = list.children.length > 0;
  if (visible) block.append(list);
  if (shown.has("descriptions") && t.descriptionsChanged.length) {
    const details = el("details", undefined, "descriptions");
    details.append(el("summary", `${t.descriptionsChanged.length} description changes`));
    const dl = el("ul");
    for (const d of t.descriptionsChanged) {
      const li = el("li", undefined, "change descriptions");
      li.append(el("strong", d.column), el("div", `was: ${d.old ?? "none"}`, "muted"), el("div", `now: ${d.new ?? "none"}`));
      dl.append(li);
    }
    details.append(dl);
    block.append(details);
    return block;
  }
  return visible || t.renamedFrom ? block : null;
}

function tableList(title, kind, items, text) {
  const section = el("section", undefined, `diff-tables ${kind}`);
  section.dataset.kind = kind;
  section.append(el("h4", title));
  const list = el("ul");
  for (const item of items) list.append(line(kind, text(item)));
  section.append(list);
  return section;
}

/** Draws the counts into `countsNode` and the per-table view into `node`, showing the kinds in `shown`. */
export function renderDiff(countsNode, node, result, shown) {
  const { diff } = result;
  countsNode.replaceChildren();
  for (const [key, label, filter] of COUNTS) {
    if (key === "orderChanges" && !shown.has("order")) continue;
    const li = el("li", undefined, filter && !shown.has(filter) ? "count hidden-kind" : "count");
    li.dataset.kind = key;
    li.append(el("span", label), el("strong", diff.counts[key].toLocaleString("en-US"), "n"));
    countsNode.append(li);
  }
  node.replaceChildren(el("p", `${result.oldLabel} → ${result.newLabel}`, "muted"));
  const empty =
    !diff.tablesAdded.length && !diff.tablesRemoved.length && !diff.tablesRenamed.length && !diff.tablesChanged.length;
  if (empty) {
    node.append(el("p", "No changes."));
    return;
  }
  if (shown.has("added") && diff.tablesAdded.length) {
    node.append(tableList("Tables added", "added", diff.tablesAdded, (t) => `+ ${t.name} (${t.columnCount} columns${t.section ? `, ${t.section}` : ""})`));
  }
  if (shown.has("removed") && diff.tablesRemoved.length) {
    node.append(tableList("Tables removed", "removed", diff.tablesRemoved, (t) => `− ${t.name} (${t.columnCount} columns)`));
  }
  if (shown.has("renamed") && diff.tablesRenamed.length) {
    node.append(tableList("Tables renamed", "renamed", diff.tablesRenamed, (r) => `${r.from} → ${r.to} (${WHY[r.reason] || r.reason})`));
  }
  for (const t of diff.tablesChanged) {
    const block = tableBlock(t, shown);
    if (block) node.append(block);
  }
}
