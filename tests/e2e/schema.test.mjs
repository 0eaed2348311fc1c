// The schema browser and schema diff, end to end: the daily snapshot at
// engine start, snapshots on demand, a schema change in the stand-in shown
// as a diff with the right counts and exported as Markdown, an imported
// schema file compared with the live one, and the impact on a query set.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ROOT, launchBrowser, openPanel, signIn, startStandin, waitForDownload } from "./harness.mjs";

const FIXTURES = process.env.HUNTKIT_FIXTURES || path.resolve(ROOT, "../shared/fixtures");

/** schema_current.json with one table changed: a column removed, one retyped, one renamed in case only. */
function changedSchema() {
  const doc = JSON.parse(fs.readFileSync(path.join(FIXTURES, "schema_current.json"), "utf8"));
  const table = doc.Tables.find((t) => t.Name === "DeviceProcessEvents");
  table.Schema = table.Schema.filter((c) => c.Name !== "ProcessIntegrityLevel");
  table.Schema.find((c) => c.Name === "LogonId").Type = "String";
  table.Schema.find((c) => c.Name === "AccountSid").Name = "AccountSID";
  return doc;
}

describe("schema", () => {
  let standin;
  let browser;
  let portal;
  let panel;

  before(async () => {
    standin = await startStandin();
    browser = await launchBrowser(standin);
    portal = await browser.context.newPage();
    await signIn(portal);
    ({ panel } = await openPanel(browser, portal));
    await panel.waitForSelector("#session[data-state=live]", { timeout: 20_000 });
    await panel.click("#tab-schema");
  });

  after(async () => {
    await browser?.close();
    standin?.stop();
  });

  const rows = () => panel.$$eval("#schema-snapshots tr", (trs) => trs.map((tr) => ({ id: tr.dataset.id, text: tr.textContent })));
  const count = (kind) => panel.textContent(`#schema-counts [data-kind=${kind}] .n`).then(Number);

  async function take() {
    const before = (await rows()).length;
    await panel.click("#schema-take");
    await panel.waitForFunction((n) => document.querySelectorAll("#schema-snapshots tr[data-id]").length > n, before);
    return (await rows()).at(-1).id;
  }

  async function compare(oldId, newId) {
    await panel.selectOption("#schema-old", oldId);
    await panel.selectOption("#schema-new", newId);
    await panel.evaluate(() => document.querySelector("#schema-counts").replaceChildren());
    await panel.click("#schema-compare");
    await panel.waitForSelector("#schema-counts [data-kind=tablesAdded]");
  }

  test("the first engine start of the day took a snapshot of the tenant's schema, stored compressed", async () => {
    await panel.waitForSelector("#schema-snapshots tr[data-id]", { timeout: 20_000 });
    const [daily] = await rows();
    assert.match(daily.text, new RegExp(`tenant ${standin.tenantId}`));
    assert.match(daily.text, /daily/);
    const used = await browser.worker.evaluate(() => chrome.storage.local.getBytesInUse(null));
    assert.ok(used < 120_000, `a 360 KB schema should be stored gzip-compressed, used ${used} bytes`);
  });

  test("reloading the portal the same day takes no second daily snapshot", async () => {
    await portal.reload();
    await panel.waitForSelector("#session[data-state=live]", { timeout: 20_000 });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await rows()).length, 1);
  });

  test("a schema change in the portal shows as a diff with the right counts and exports as Markdown", async () => {
    const before = await take();
    const changed = await standin.control("POST", "/_standin/schema", changedSchema());
    assert.equal(changed.status, 200, changed.text());
    const afterId = await take();
    await compare(before, afterId);
    assert.equal(await panel.isVisible("#banner"), false, await panel.textContent("#banner"));
    assert.deepEqual(
      {
        tablesChanged: await count("tablesChanged"),
        columnsRemoved: await count("columnsRemoved"),
        columnsRetyped: await count("columnsRetyped"),
        columnsRenamed: await count("columnsRenamed"),
        columnsAdded: await count("columnsAdded"),
        tablesAdded: await count("tablesAdded"),
      },
      { tablesChanged: 1, columnsRemoved: 1, columnsRetyped: 1, columnsRenamed: 1, columnsAdded: 0, tablesAdded: 0 },
    );
    const table = await panel.textContent("#schema-diff [data-table=DeviceProcessEvents]");
    assert.match(table, /− ProcessIntegrityLevel \(String\)/);
    assert.match(table, /LogonId: Int64 → String/);
    assert.match(table, /AccountSid → AccountSID \(case only\)/);

    await panel.click("#schema-export-md");
    await panel.waitForFunction(() => /^Saved /.test(document.querySelector("#schema-export-status").textContent));
    const file = await waitForDownload(browser.downloads, (f) => f.endsWith(".md"));
    const md = fs.readFileSync(file, "utf8");
    assert.match(md, new RegExp(`^# Schema changes: tenant ${standin.tenantId} at .* → tenant ${standin.tenantId} at `));
    assert.match(md, /\| Columns removed \| 1 \|/);
    assert.match(md, /\| Columns retyped \| 1 \|/);
    assert.match(md, /\| Columns renamed \| 1 \|/);
    assert.match(md, /## `DeviceProcessEvents`/);
    assert.match(md, /- Removed `ProcessIntegrityLevel`: String/);
    assert.match(md, /- Renamed `AccountSid` → `AccountSID` \(case only\)/);
  });

  test("an imported schema file diffs against the live snapshot with the native test's counts", async () => {
    const [daily] = await rows();
    await panel.setInputFiles("#schema-import-file", path.join(FIXTURES, "schema_older.json"));
    await panel.waitForFunction(() => /^Imported schema_older\.json/.test(document.querySelector("#schema-snapshot-status").textContent));
    // The status line is written before the list is redrawn.
    await panel.waitForFunction(() => [...document.querySelectorAll("#schema-snapshots tr")].some((tr) => tr.textContent.startsWith("schema_older.json (imported")));
    const imported = (await rows()).find((r) => r.text.startsWith("schema_older.json (imported"));
    assert.ok(imported, JSON.stringify(await rows()));
    await compare(imported.id, daily.id);
    const counts = {};
    for (const kind of ["tablesAdded", "tablesRemoved", "tablesRenamed", "tablesChanged", "columnsAdded", "columnsRemoved", "columnsRenamed", "columnsRetyped", "descriptionChanges"]) {
      counts[kind] = await count(kind);
    }
    assert.deepEqual(counts, {
      tablesAdded: 31,
      tablesRemoved: 0,
      tablesRenamed: 0,
      tablesChanged: 30,
      columnsAdded: 138,
      columnsRemoved: 2,
      columnsRenamed: 1,
      columnsRetyped: 57,
      descriptionChanges: 254,
    });
    // Description changes are collapsed, and a filter hides them.
    assert.ok((await panel.$$("#schema-diff details.descriptions")).length > 0);
    assert.equal(await panel.$$eval("#schema-diff details.descriptions[open]", (d) => d.length), 0);
    await panel.check("#schema-hide-descriptions");
    assert.equal((await panel.$$("#schema-diff details.descriptions")).length, 0);
    await panel.uncheck("#schema-hide-descriptions");
  });

  test("the impact of the diff on an imported query set lists each hit with its line", async () => {
    await panel.setInputFiles("#schema-impact-file", path.join(FIXTURES, "queries.jsonl"));
    await panel.waitForFunction(() => / of 1,196 queries\.$/.test(document.querySelector("#schema-impact-status").textContent));
    const lazagne = await panel.$$eval("#schema-impact-rows tbody tr", (trs) =>
      trs
        .filter((tr) => tr.dataset.query === "Detect credential theft via SAM database export by LaZagne")
        .map((tr) => [...tr.children].slice(1).map((td) => td.textContent)),
    );
    assert.deepEqual(lazagne, [
      ["8:32", "InitiatingProcessId", "DeviceProcessEvents", "column retyped Int32 → Int64"],
      ["9:28", "ProcessId", "DeviceProcessEvents", "column retyped Int32 → Int64"],
    ]);
  });

  test("the query history is used when the history feature provides it, and the panel says so when it does not", async () => {
    await panel.click("#schema-impact-history");
    await panel.waitForFunction(() => !/^Checking|^$/.test(document.querySelector("#schema-impact-status").textContent));
    assert.match(await panel.textContent("#schema-impact-status"), /not available in this version|history is empty| queries\.$/);
  });

  test("browsing: search over tables, columns and descriptions, and copying a project line", async () => {
    // CDP cannot grant clipboard permissions to an extension origin, and a
    // headless page has no focus to write with; record what the panel copies.
    await panel.evaluate(() => {
      window.copied = null;
      navigator.clipboard.writeText = async (text) => {
        window.copied = text;
      };
    });
    await panel.fill("#schema-search", "ProcessIntegrityLevel");
    await panel.waitForFunction(() => /^\d+ of \d+ tables$/.test(document.querySelector("#schema-browse-status").textContent));
    await panel.waitForSelector("#schema-browse details[data-table=DeviceProcessEvents][open]");
    const sections = await panel.$$eval("#schema-browse .schema-section", (s) => s.map((n) => n.dataset.section));
    assert.ok(sections.length >= 1);
    const columns = await panel.$$eval("#schema-browse details[data-table=DeviceProcessEvents] tr[data-column]", (trs) => trs.map((tr) => tr.dataset.column));
    assert.ok(columns.includes("ProcessIntegrityLevel"), columns.join(","));
    const summary = await panel.textContent("#schema-browse details[data-table=DeviceProcessEvents] summary");
    assert.match(summary, /columns · .*(interactive|retention unknown).* · (has data|no data|data unknown)/);
    await panel.click("#schema-browse details[data-table=DeviceProcessEvents] .copy-project");
    await panel.waitForFunction(() => /^Copied /.test(document.querySelector("#schema-browse-status").textContent));
    const copied = await panel.evaluate(() => window.copied);
    assert.match(copied, /^\| project Timestamp, DeviceId, DeviceName, /);
    assert.ok(copied.includes("ProcessIntegrityLevel"));
  });

  test("retention keeps the set number of snapshots per tenant, the newest first", async () => {
    const tenantRows = (await rows()).filter((r) => r.text.startsWith("tenant "));
    assert.equal(tenantRows.length, 3);
    await panel.fill("#schema-keep-count", "2");
    await panel.click("#schema-save-settings");
    await panel.waitForFunction(() => document.querySelector("#schema-snapshot-status").textContent === "Settings saved.");
    await panel.waitForFunction(() => [...document.querySelectorAll("#schema-snapshots tr")].filter((tr) => tr.textContent.startsWith("tenant ")).length === 2);
    const left = (await rows()).filter((r) => r.text.startsWith("tenant "));
    assert.deepEqual(left.map((r) => r.id), tenantRows.slice(1).map((r) => r.id));
    const stored = await browser.worker.evaluate(() => chrome.storage.local.get(null));
    const bodies = Object.keys(stored).filter((k) => k.startsWith("schema.snapshot."));
    assert.equal(bodies.length, 3, bodies.join(","));
  });
});
