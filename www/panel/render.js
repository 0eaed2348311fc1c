// Drawing results and errors. Every value shown here came from the portal
// and may have been written by an attacker: text only, never HTML.

export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

export function renderTable(table, columns, rows) {
  table.replaceChildren();
  const head = el("tr");
  for (const column of columns) {
    const th = el("th", column.name);
    th.title = `${column.name} (${column.typeName})`;
    head.append(th);
  }
  table.append(el("thead"));
  table.tHead.append(head);
  const body = el("tbody");
  for (const row of rows) {
    const tr = el("tr");
    for (const cell of row) {
      const td = cell === null ? el("td", "null", "null") : el("td", typeof cell === "string" ? cell : JSON.stringify(cell));
      td.title = td.textContent;
      tr.append(td);
    }
    body.append(tr);
  }
  table.append(body);
}

export function renderSummary(node, result) {
  const shown = Math.min(result.previewRows.length, result.rowCount);
  const parts = [
    `${result.rowCount.toLocaleString("en-US")} rows`,
    `${(result.durationMs / 1000).toFixed(2)} s`,
    `CPU quota used: ${result.quota.queryCpuUsage}`,
    `execution ${result.quota.executionTime}`,
  ];
  if (result.rowCount > shown) parts.push(`first ${shown} shown`);
  if (result.mayBeTruncated) parts.push("the portal's row or size cap was reached: there may be more rows (a time-sliced bulk job gets them all)");
  node.textContent = parts.join(" · ");
}

/** An error with what to do next, and the raw body where the core kept one. */
export function renderError(banner, error) {
  banner.replaceChildren(el("div", error.userMessage || error.message || String(error)));
  if (error.raw) {
    const details = el("details");
    details.append(el("summary", "What the portal sent"), el("pre", error.raw));
    banner.append(details);
  }
  banner.dataset.kind = error.kind || "unknown";
  banner.hidden = false;
}
