// The query history, end to end: runs from the side panel, queries run in
// the portal's own editor (seen, not touched), the import of the portal's
// history, hostile query text, a browser restart, and search over 10,000
// entries in wasm.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { launchBrowser, localInput, openPanel, signIn, startStandin } from "./harness.mjs";

const DAY = 86400e3;

describe("history", () => {
  let standin;
  let browser;
  let portal;
  let panel;
  let tabId;
  let range;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "huntkit-history-profile-"));

  async function start() {
    browser = await launchBrowser(standin, { profile });
    portal = await browser.context.newPage();
    await signIn(portal);
    await portal.goto(`${portal.url()}&editor=1`);
    await portal.waitForSelector("#editor-run");
    ({ panel, tabId } = await openPanel(browser, portal));
    await panel.waitForSelector("#session[data-state=live]", { timeout: 20_000 });
  }

  before(async () => {
    standin = await startStandin(["--calls-per-minute", "0"]);
    const now = Date.parse(standin.now);
    range = { startMs: now - 30 * DAY, endMs: now };
    await start();
  });

  after(async () => {
    await browser?.close();
    standin?.stop();
    fs.rmSync(profile, { recursive: true, force: true });
  });

  async function runFromPanel(query) {
    await panel.click("#tab-query");
    await panel.fill("#query", query);
    await panel.selectOption("#range", "custom");
    await panel.fill("#start", localInput(range.startMs));
    await panel.fill("#end", localInput(range.endMs));
    await panel.click("#run");
    await panel.waitForFunction(() => document.querySelector("#run").textContent === "Run");
  }

  async function runInPortalEditor(query) {
    const before = Number((await portal.getAttribute("html", "data-editor-runs")) || 0);
    await portal.fill("#editor-query", query);
    await portal.click("#editor-run");
    await portal.waitForFunction((n) => Number(document.documentElement.dataset.editorRuns || 0) > n, before);
    return portal.textContent("#editor-status");
  }

  // The list is redrawn on every change, so entries are looked up afresh
  // each time, by their text with white space folded.
  function readEntry(text) {
    const fold = (t) => t.replace(/\s+/g, " ").trim();
    const li = [...document.querySelectorAll("#history-list .history-entry")].find((e) => fold(e.querySelector(".entry-text").textContent) === fold(text));
    if (!li) return null;
    return {
      source: li.dataset.source,
      text: li.querySelector(".entry-text").textContent,
      title: li.querySelector(".entry-title").textContent,
      all: li.textContent,
      runs: [...li.querySelectorAll(".entry-runs li[data-run-id]")].map((r) => ({ source: r.dataset.source, status: r.dataset.status, text: r.textContent })),
    };
  }

  /** Waits until the History view lists the entry of `text` and `ready(entry)` holds. */
  async function entryFor(text, ready = () => true, timeout = 15_000) {
    if (!(await panel.isVisible("#view-history"))) await panel.click("#tab-history");
    const deadline = Date.now() + timeout;
    let last = null;
    while (Date.now() < deadline) {
      last = await panel.evaluate(readEntry, text);
      if (last && ready(last)) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no entry ${JSON.stringify(text)} as expected; last seen: ${JSON.stringify(last)}`);
  }

  /** Clicks (or fills, then clicks nothing) inside the entry of `text`. */
  async function inEntry(text, selector, value) {
    await entryFor(text);
    await panel.evaluate(
      ({ text, selector, value }) => {
        const fold = (t) => t.replace(/\s+/g, " ").trim();
        const li = [...document.querySelectorAll("#history-list .history-entry")].find((e) => fold(e.querySelector(".entry-text").textContent) === fold(text));
        const node = li.querySelector(selector);
        if (value === undefined) node.click();
        else node.value = value;
      },
      { text, selector, value },
    );
  }

  /** A panel call straight to the engine, as the History view makes it. */
  function engineCall(call, args = {}) {
    return panel.evaluate(
      async ({ tabId, call, args }) => {
        const reply = await chrome.runtime.sendMessage({ type: "engine-call", tabId, call, args });
        if (!reply.ok) throw new Error(JSON.stringify(reply.error));
        return reply.value;
      },
      { tabId, call, args },
    );
  }

  test("the portal's history is imported once on the engine's first start of the day", async () => {
    const log = (await standin.control("GET", "/_standin/log")).json();
    const imports = log.filter((e) => e.path.includes("reports/userHistory"));
    assert.equal(imports.length, 1, JSON.stringify(imports));
    assert.equal(imports[0].xsrf_ok, true);
  });

  test("a run from the side panel appears with rows, tenant and its export, and runs again with the same range", async () => {
    await runFromPanel("DeviceInfo | take 7");
    await panel.click("#export-csv");
    await panel.waitForFunction(() => /^Saved /.test(document.querySelector("#export-status").textContent));
    const entry = await entryFor("DeviceInfo | take 7", (e) => /exports: huntkit_DeviceInfo_.*\.csv/.test(e.all));
    const run = entry.runs[0];
    assert.equal(run.source, "huntkit");
    assert.equal(run.status, "ok");
    assert.match(run.text, / 7 rows /);
    assert.match(run.text, new RegExp(`tenant ${standin.tenantId}`));

    // The same text with other white space folds into the same entry.
    await runFromPanel("DeviceInfo\n|   take 7");
    await entryFor("DeviceInfo | take 7", (e) => e.runs.length === 2);

    await inEntry("DeviceInfo | take 7", ".entry-rerun-same");
    assert.equal(await panel.isVisible("#view-query"), true);
    assert.equal(await panel.inputValue("#query"), "DeviceInfo\n|   take 7");
    assert.equal(await panel.inputValue("#range"), "custom");
    assert.equal(Date.parse(`${await panel.inputValue("#start")}Z`), range.startMs);
    assert.equal(Date.parse(`${await panel.inputValue("#end")}Z`), range.endMs);
  });

  test("a failed run is recorded with its error and found by searching the error", async () => {
    await runFromPanel("DeviceInfo | summarize count() by NoSuchColumnAnywhere");
    await panel.click("#tab-history");
    await panel.fill("#history-search", "nosuchcolumnanywhere");
    const entry = await entryFor("DeviceInfo | summarize count() by NoSuchColumnAnywhere");
    assert.equal(entry.runs[0].status, "error");
    await panel.selectOption("#history-status-filter", "ok");
    await panel.waitForFunction(() => document.querySelector("#history-list").dataset.total === "0");
    await panel.selectOption("#history-status-filter", "");
    await panel.fill("#history-search", "");
  });

  test("a query run in the portal's own editor is captured, and the page's request is untouched", async () => {
    const query = "DeviceInfo | take 3";
    assert.equal(await runInPortalEditor(query), "HTTP 200, rows: 3");
    const entry = await entryFor(query);
    assert.equal(entry.source, "portal");
    // The page's own request went out as the page made it, once.
    const log = (await standin.control("GET", "/_standin/log")).json();
    const sent = log.filter((e) => e.query_text === query);
    assert.equal(sent.length, 1, JSON.stringify(sent));
    assert.equal(sent[0].xsrf_ok, true);
    assert.equal(sent[0].status, 200);
  });

  test("hostile query text from the page shows as text and runs nothing in the panel", async () => {
    const hostile = `DeviceInfo | where DeviceName == "<img src=x onerror=window.__pwned=1>" | take 1 // <script>window.__pwned=2</script><b>bold</b>`;
    assert.match(await runInPortalEditor(hostile), /^HTTP 200/);
    // The page also forges resource timing by calling the path itself.
    await portal.evaluate(() => fetch("/apiproxy/mtp/huntingService/queryExecutor?useFanOut=false", { method: "POST", body: "{}" }).then((r) => r.status));
    const entry = await entryFor(hostile);
    assert.equal(entry.text, hostile);
    const injected = await panel.evaluate(() => ({
      img: document.querySelectorAll("#view-history img").length,
      script: document.querySelectorAll("#view-history script").length,
      bold: document.querySelectorAll("#view-history b").length,
      pwned: window.__pwned,
    }));
    assert.deepEqual(injected, { img: 0, script: 0, bold: 0, pwned: undefined });
  });

  test("with capture off the editor's query is not recorded until the portal's history is imported", async () => {
    await panel.click("#tab-history");
    await panel.click("#history-settings summary");
    await panel.waitForFunction(() => document.querySelector("#history-retention-days").value !== "");
    assert.equal(await panel.isChecked("#history-capture"), true);
    await panel.uncheck("#history-capture");
    await panel.click("#history-settings-save");
    await panel.waitForFunction(() => document.querySelector("#history-message").textContent === "Settings saved.");
    const query = "DeviceInfo | take 2";
    await runInPortalEditor(query);
    await new Promise((r) => setTimeout(r, 3000));
    const seen = await panel.$$eval("#history-list .entry-text", (pres, q) => pres.some((p) => p.textContent === q), query);
    assert.equal(seen, false);

    await panel.click("#history-import-portal");
    const entry = await entryFor(query);
    assert.equal(entry.source, "import");
    // Huntkit's own runs came back in the portal's history too: linked, not doubled.
    const own = await entryFor("DeviceInfo | take 7");
    assert.deepEqual(own.runs.map((r) => r.source), ["huntkit", "huntkit"]);
    await panel.check("#history-capture");
    await panel.click("#history-settings-save");
  });

  test("pin, rename and tag an entry, then find it by its tag", async () => {
    await inEntry("DeviceInfo | take 3", ".entry-pin");
    await entryFor("DeviceInfo | take 3", (e) => e.title.startsWith("★"));
    await inEntry("DeviceInfo | take 3", ".entry-title-input", "Three devices");
    await inEntry("DeviceInfo | take 3", ".entry-tags-input", "triage, devices");
    await inEntry("DeviceInfo | take 3", ".entry-save");
    await entryFor("DeviceInfo | take 3", (e) => e.title === "★ Three devices" && e.all.includes("#triage #devices"));
    await panel.fill("#history-search", "triage");
    await panel.waitForFunction(() => document.querySelector("#history-list").dataset.total === "1");
    await panel.fill("#history-search", "");
  });

  test("an entry used as a bulk template fills the Bulk view's template form", async () => {
    await inEntry("DeviceInfo | take 3", ".entry-bulk");
    await panel.waitForFunction(() => document.querySelector("#tab-bulk").getAttribute("aria-selected") === "true");
    await panel.waitForFunction(() => document.querySelector("#bulk-query").value === "DeviceInfo | take 3");
    assert.equal(await panel.inputValue("#bulk-kind"), "template");
    await panel.click("#tab-history");
  });

  test("the history survives a browser restart with the same profile", async () => {
    await browser.close();
    await start();
    const entry = await entryFor("DeviceInfo | take 7", () => true, 20_000);
    assert.equal(entry.runs.length, 2);
    assert.equal((await entryFor("DeviceInfo | take 3")).title, "★ Three devices");
  });

  test("search over 10,000 entries, in wasm in the engine frame", async () => {
    await engineCall("historySetSettings", { settings: { capturePortal: true, retentionDays: 3650, retentionCount: 20000 } });
    const tables = ["DeviceProcessEvents", "DeviceNetworkEvents", "EmailEvents", "IdentityLogonEvents", "DeviceFileEvents"];
    const now = Date.now();
    const entries = Array.from({ length: 10_000 }, (_, i) => ({
      id: "",
      queryText: `${tables[i % 5]}\n| where Timestamp > ago(${(i % 30) + 1}d)\n| where AccountName has "user${i}" or FileName endswith ".ps${i % 7}"\n| project Timestamp, DeviceName, AccountName\n| take ${i}`,
      tables: [tables[i % 5]],
      runs: [
        {
          id: `h${now - i * 60_000}`,
          source: "huntkit",
          tenantId: standin.tenantId,
          startMs: now - 7 * DAY,
          endMs: now,
          startedAtMs: now - i * 60_000,
          rows: i,
          outcome: i % 10 ? { state: "ok" } : { state: "error", kind: "query_error", message: `Failed to resolve column 'Col${i}'` },
        },
      ],
    }));
    const report = await engineCall("historyImport", { text: JSON.stringify({ version: 2, entries }) });
    assert.equal(report.addedEntries, 10_000);
    const figures = {};
    for (const [name, filter] of [
      ["no filter", {}],
      ["one term", { text: "user4242" }],
      ["two terms", { text: "emailevents ps3" }],
      ["error text", { text: "resolve column" }],
      ["term + status + source", { text: "devicefileevents", status: "error", source: "huntkit" }],
      ["no match", { text: "nothing-matches-this" }],
    ]) {
      const took = [];
      for (let i = 0; i < 5; i += 1) took.push((await engineCall("historySearch", { ...filter, limit: 100 })).tookMs);
      took.sort((a, b) => a - b);
      figures[name] = took[2];
    }
    console.log(`history search over 10,000 entries, median of 5 (ms): ${JSON.stringify(figures)}`);
    // A figure for docs/BENCHMARKS.md (target 20 ms), never a pass/fail
    // gate: timing on a shared machine is not a correctness property.
    for (const ms of Object.values(figures)) assert.ok(Number.isFinite(ms), "the engine reported no timing");
    const page = await engineCall("historySearch", { text: "user4242" });
    assert.equal(page.total, 1);
  });
});
