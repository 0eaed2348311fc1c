// Drawing the impact of a schema diff on a query set: one row per place a
// query uses a removed, renamed or retyped table or column, with its line.

import { el } from "./render.js";

export function changeText(change) {
  switch (change.kind) {
    case "tableRemoved":
      return "table removed";
    case "tableRenamed":
      return `table renamed to ${change.to}`;
    case "columnRemoved":
      return "column removed";
    case "columnRenamed":
      return `column renamed to ${change.to}`;
    case "columnRetyped":
      return `column retyped ${change.from} → ${change.to}`;
    default:
      return String(change.kind);
  }
}

/** Draws `hits` into `table` and returns a one-line summary. */
export function renderImpact(table, hits, queryCount) {
  table.replaceChildren();
  const queries = new Set(hits.map((h) => h.queryId));
  if (!hits.length) return `None of the ${queryCount.toLocaleString("en-US")} queries uses a removed, renamed or retyped table or column.`;
  const head = el("tr");
  for (const name of ["Query", "Line", "Name", "Table", "Change"]) head.append(el("th", name));
  table.append(el("thead"));
  table.tHead.append(head);
  const body = el("tbody");
  for (const h of hits) {
    const tr = el("tr");
    tr.dataset.query = h.queryName;
    const name = el("td", h.queryName);
    name.title = h.queryId;
    tr.append(name, el("td", `${h.line}:${h.column}`, "line"), el("td", h.name), el("td", h.table), el("td", changeText(h.change), "change"));
    body.append(tr);
  }
  table.append(body);
  return `${hits.length.toLocaleString("en-US")} places in ${queries.size.toLocaleString("en-US")} of ${queryCount.toLocaleString("en-US")} queries.`;
}
