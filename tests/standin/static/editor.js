// Stand-in for the portal's query editor, served on
// /v2/advanced-hunting?editor=1. It runs a query exactly the way the
// portal's page does: a same-origin POST to queryExecutor with the decoded
// XSRF-TOKEN cookie in X-XSRF-TOKEN, the last 7 days as the range, and the
// portal's body. huntkit must see these queries without changing them.
(() => {
  const $ = (id) => document.getElementById(id);

  function xsrfToken() {
    for (const part of document.cookie.split(";")) {
      const eq = part.indexOf("=");
      if (eq > 0 && part.slice(0, eq).trim() === "XSRF-TOKEN") return decodeURIComponent(part.slice(eq + 1).trim());
    }
    return "";
  }

  async function run() {
    const end = Date.now();
    const body = {
      QueryText: $("editor-query").value,
      StartTime: new Date(end - 7 * 86400e3).toISOString(),
      EndTime: new Date(end).toISOString(),
      MaxRecordCount: null,
      TenantIds: null,
      tenantIds: null,
      selectedWorkspaces: null,
    };
    $("editor-status").textContent = "Running…";
    const response = await fetch("/apiproxy/mtp/huntingService/queryExecutor?useFanOut=false", {
      method: "POST",
      credentials: "include",
      headers: { "X-XSRF-TOKEN": xsrfToken(), "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let rows = "?";
    try {
      rows = String(JSON.parse(text).Results.length);
    } catch {
      rows = "error";
    }
    // Counted so tests can tell the page's own requests all completed.
    const done = Number(document.documentElement.dataset.editorRuns || 0) + 1;
    document.documentElement.dataset.editorRuns = String(done);
    $("editor-status").textContent = `HTTP ${response.status}, rows: ${rows}`;
    $("editor-status").dataset.status = String(response.status);
  }

  $("editor-run").addEventListener("click", () => {
    run().catch((e) => ($("editor-status").textContent = `failed: ${e}`));
  });
})();
