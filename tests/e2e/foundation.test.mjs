// The foundation, end to end: Chromium with dist/ loaded, the stand-in
// portal under its strict CSP, a query from the side panel through the
// analyst's session, its export, and the things that must not happen.

import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, test } from "node:test";
import { PORTAL, launchBrowser, localInput, openPanel, signIn, startStandin, waitForDownload } from "./harness.mjs";

const DAY = 86400e3;

describe("foundation", () => {
  let standin;
  let browser;
  let portal;
  let panel;
  let range;

  before(async () => {
    standin = await startStandin();
    browser = await launchBrowser(standin);
    portal = await browser.context.newPage();
    await signIn(portal);
    ({ panel } = await openPanel(browser, portal));
    await panel.waitForSelector("#session[data-state=live]", { timeout: 20_000 });
    const now = Date.parse(standin.now);
    range = { startMs: now - 30 * DAY, endMs: now };
  });

  after(async () => {
    await browser?.close();
    standin?.stop();
  });

  async function runFromPanel(query) {
    await panel.fill("#query", query);
    await panel.selectOption("#range", "custom");
    await panel.fill("#start", localInput(range.startMs));
    await panel.fill("#end", localInput(range.endMs));
    await panel.click("#run");
    await panel.waitForFunction(() => document.querySelector("#run").textContent === "Run");
  }

  function truthBody(query) {
    return {
      QueryText: query,
      StartTime: new Date(range.startMs).toISOString(),
      EndTime: new Date(range.endMs).toISOString(),
      MaxRecordCount: null,
      TenantIds: null,
      tenantIds: null,
      selectedWorkspaces: null,
    };
  }

  test("the panel shows the tenant of the signed-in session", async () => {
    const tenant = await panel.textContent("#tenant");
    assert.equal(tenant, `tenant ${standin.tenantId}`);
  });

  test("a query runs through the portal session and its CSV export equals the ground truth byte for byte", async () => {
    const query = "DeviceProcessEvents | take 3000";
    await standin.control("DELETE", "/_standin/log");
    await runFromPanel(query);
    assert.equal(await panel.isVisible("#banner"), false, await panel.textContent("#banner"));
    assert.match(await panel.textContent("#summary"), /^3,000 rows · /);
    const headers = await panel.$$eval("#rows th", (ths) => ths.map((th) => th.textContent));
    assert.ok(headers.includes("ProcessCommandLine"), headers.join(","));
    assert.equal(await panel.$$eval("#rows tbody tr", (trs) => trs.length), 100);

    await panel.click("#export-csv");
    await panel.waitForFunction(() => /^Saved /.test(document.querySelector("#export-status").textContent));
    const file = await waitForDownload(browser.downloads, (f) => f.endsWith(".csv"));
    assert.match(file, /huntkit_DeviceProcessEvents_.*\.csv$/);
    const exported = fs.readFileSync(file);
    const truth = await standin.control("POST", "/_standin/truth.csv", truthBody(query));
    assert.equal(truth.status, 200);
    assert.ok(truth.bytes.length > 100_000, `truth is only ${truth.bytes.length} bytes`);
    assert.ok(exported.equals(truth.bytes), `export (${exported.length} bytes) differs from truth (${truth.bytes.length} bytes)`);
  });

  test("every API request carried the session cookie, the decoded XSRF token and the portal's own origin", async () => {
    const log = (await standin.control("GET", "/_standin/log")).json();
    const api = log.filter((entry) => entry.path.startsWith("/apiproxy/"));
    assert.ok(api.length >= 1, "no API request was logged");
    for (const entry of api) {
      assert.equal(entry.has_sccauth, true, JSON.stringify(entry));
      assert.equal(entry.xsrf_ok, true, JSON.stringify(entry));
      assert.equal(entry.x_xsrf_token, entry.xsrf_expected, JSON.stringify(entry));
      assert.match(entry.x_xsrf_token, /[+/=:]/, "the token should contain characters that need decoding");
      assert.equal(entry.origin, PORTAL, JSON.stringify(entry));
      assert.equal(entry.sec_fetch_site, "same-origin", JSON.stringify(entry));
    }
  });

  test("the JSON export keeps Int64 beyond 2^53, 7-digit timestamps and \"\" apart from null", async () => {
    const query = "DeviceProcessEvents | take 500";
    await runFromPanel(query);
    await panel.click("#export-json");
    await panel.waitForFunction(() => /\.json /.test(document.querySelector("#export-status").textContent));
    const file = await waitForDownload(browser.downloads, (f) => f.endsWith(".json"));
    const text = fs.readFileSync(file, "utf8");
    const truth = (await standin.control("POST", "/_standin/truth", truthBody(query))).text();
    const rows = JSON.parse(text);
    const truthRows = JSON.parse(truth).Results;
    assert.equal(rows.length, truthRows.length);
    assert.deepEqual(rows, truthRows);
    // JSON.parse rounds big integers the same way on both sides, so check
    // their digits survive in the file itself.
    const bigInts = [...new Set(truth.match(/(?<=[:\[,])\d{17,19}(?=[,}\]])/g) || [])];
    assert.ok(bigInts.length > 0, "the stand-in served no integer beyond 2^53");
    for (const digits of bigInts) assert.ok(text.includes(digits), `lost ${digits}`);
    const timestamps = truth.match(/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z"/g) || [];
    assert.ok(timestamps.length > 0);
    for (const t of timestamps.slice(0, 200)) assert.ok(text.includes(t), `lost ${t}`);
  });

  for (const mode of ["401", "redirect", "html"]) {
    test(`an expired session (${mode}) says "sign in again", never "0 rows"`, async () => {
      await standin.control("POST", "/_standin/session/expire", { mode });
      await panel.fill("#query", "DeviceProcessEvents | take 10");
      const before = await panel.textContent("#summary");
      await panel.click("#run");
      await panel.waitForSelector("#banner:not([hidden])");
      const banner = await panel.textContent("#banner");
      assert.match(banner, /session expired/i);
      assert.match(banner, /sign in again/i);
      assert.equal(await panel.textContent("#summary"), before);
      assert.equal(await panel.isVisible("#result"), false, "an old result stayed on screen under the error");
      assert.equal(await panel.getAttribute("#session", "data-state"), "expired");
      // Sign in again: the same panel works once more.
      await signIn(portal);
      await panel.waitForSelector("#session[data-state=live]", { timeout: 20_000 });
    });
  }
});
