// Bulk jobs in the browser against the stand-in: a template over 500
// indicators, a 30-day sliced export of 1,000,000 rows compared with the
// ground truth while the job survives a dropped connection, a portal tab
// reload and an expired session, and a run under a tight call quota.

import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, test } from "node:test";
import { launchBrowser, localInput, openPanel, signIn, startStandin, waitForDownload } from "./harness.mjs";

const DAY = 86400e3;

describe("bulk jobs", () => {
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
    await panel.click("#tab-bulk");
    const now = Date.parse(standin.now);
    range = { startMs: now - 30 * DAY, endMs: now };
  });

  after(async () => {
    await browser?.close();
    standin?.stop();
  });

  async function startJob({ kind, query, values, name, format = "csv", cpm = 45 }) {
    await panel.selectOption("#bulk-kind", kind);
    await panel.fill("#bulk-query", query);
    if (values !== undefined) await panel.fill("#bulk-values", values);
    await panel.selectOption("#bulk-range", "custom");
    await panel.fill("#bulk-start", localInput(range.startMs));
    await panel.fill("#bulk-end", localInput(range.endMs));
    await panel.fill("#bulk-cpm", String(cpm));
    await panel.selectOption("#bulk-format", format);
    await panel.fill("#bulk-name", name);
    await panel.click("#bulk-start-job");
    await panel.waitForFunction((n) => [...document.querySelectorAll("article.job h3")].some((h) => h.textContent.startsWith(n)), name);
    return panel.locator("article.job", { has: panel.locator("h3", { hasText: name }) });
  }

  async function doneUnits(job) {
    const stats = await job.locator(".job-stats").textContent();
    return Number(stats.split("/")[0]);
  }

  function truthBody(query) {
    return { QueryText: query, StartTime: new Date(range.startMs).toISOString(), EndTime: new Date(range.endMs).toISOString(), MaxRecordCount: null, TenantIds: null, tenantIds: null, selectedWorkspaces: null };
  }

  test("a template over 500 indicators returns what one query over all of them would", async () => {
    const ips = [];
    for (const net of ["192.0.2", "198.51.100"]) for (let i = 0; i < 250; i += 1) ips.push(`${net}.${i}`);
    const values = [...ips, "not an indicator, surely", ips[0]].join("\n");
    const template = "DeviceNetworkEvents | where RemoteIP in ({{values}}) | summarize count() by RemoteIP";
    const job = await startJob({ kind: "template", query: template, values, name: "ioc500", format: "ndjson" });
    assert.match(await panel.textContent("#bulk-notes"), /500 IPv4/);
    assert.match(await panel.textContent("#bulk-notes"), /1 duplicate/);
    assert.match(await panel.textContent("#bulk-notes"), /not an indicator, surely/);
    await job.and(panel.locator("[data-state=finished]")).waitFor({ timeout: 120_000 });
    const file = await waitForDownload(browser.downloads, (f) => f.startsWith("huntkit_ioc500") && f.endsWith(".ndjson"));
    const got = fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const all = template.replace("{{values}}", ips.map((ip) => `"${ip}"`).join(","));
    const truth = (await standin.control("POST", "/_standin/truth", truthBody(all))).json().Results;
    const key = (r) => `${r.RemoteIP}=${r.count_}`;
    assert.ok(truth.length > 100, `only ${truth.length} addresses in the truth`);
    assert.deepEqual(got.map(key).sort(), truth.map(key).sort());
    assert.ok(fs.readdirSync(browser.downloads).some((f) => f.startsWith("huntkit_ioc500") && f.endsWith("_manifest.json")));
  });

  test("a 30-day sliced export of 1,000,000 rows survives a dropped connection, a tab reload and an expired session, and equals the truth", async () => {
    const query = "DeviceNetworkEvents | project Timestamp, ReportId, RemotePort";
    await standin.control("POST", "/_standin/faults", { kind: "drop_mid_body", count: 1, path_contains: "queryExecutor" });
    let job = await startJob({ kind: "sliced", query, name: "sliced1m" });
    await panel.waitForFunction(() => Number(document.querySelector("article.job .job-stats")?.textContent.split("/")[0]) >= 3, null, { timeout: 120_000 });

    // The analyst reloads the portal tab: the engine goes, the job stays.
    await portal.reload();
    await panel.waitForSelector("article.job[data-state=interrupted] .bulk-resume", { timeout: 30_000 });
    const doneAtReload = await doneUnits(job);
    await panel.click("article.job[data-state=interrupted] .bulk-resume");
    await panel.waitForFunction((n) => Number(document.querySelector("article.job .job-stats")?.textContent.split("/")[0]) >= n + 2, doneAtReload, { timeout: 120_000 });

    // The session expires mid-run: the job pauses for sign-in, then resumes.
    await standin.control("POST", "/_standin/session/expire", { mode: "401" });
    await panel.waitForSelector('article.job[data-state="needs sign-in"]', { timeout: 60_000 });
    assert.match(await panel.textContent("article.job .job-status"), /Sign in again/);
    await signIn(portal);
    // Signing in reloads the portal tab, so its engine restarts; a Resume
    // clicked before the new engine answers reaches nobody. Click until the
    // job runs again.
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const paused = panel.locator('article.job[data-state="needs sign-in"] .bulk-resume');
      if ((await paused.count()) === 0) break;
      await paused.click().catch(() => {});
      await panel.waitForTimeout(1000);
    }
    job = panel.locator("article.job", { has: panel.locator("h3", { hasText: "sliced1m" }) });
    await job.and(panel.locator("[data-state=finished]")).waitFor({ timeout: 300_000 });
    assert.match(await job.locator(".job-stats").textContent(), /1,000,000 rows/);
    assert.doesNotMatch(await job.locator(".job-stats").textContent(), /cut short/);

    const file = await waitForDownload(browser.downloads, (f) => f.startsWith("huntkit_sliced1m") && f.endsWith(".csv"), 120_000);
    const exported = fs.readFileSync(file);
    const truth = (await standin.control("POST", "/_standin/truth.csv", truthBody(query))).bytes;
    const lines = (b) => b.toString("utf8").split("\r\n");
    const got = lines(exported);
    const want = lines(truth);
    assert.equal(got.length, want.length, "row count differs from the truth");
    assert.equal(got.length, 1_000_002, "header + 1,000,000 rows + final empty line");
    // Windows are written in time order, so the file is the truth itself.
    assert.ok(exported.equals(truth), "the export differs from the truth");
    const manifest = fs.readdirSync(browser.downloads).find((f) => f.startsWith("huntkit_sliced1m") && f.endsWith("_manifest.json"));
    const units = JSON.parse(fs.readFileSync(`${browser.downloads}/${manifest}`, "utf8")).manifest.units;
    assert.ok(units.some((u) => u.status === "done"));
  });

  test("under a tight call quota the job waits and loses nothing", async () => {
    // Two calls a minute: the job (a probe and two windows) must meet a 429,
    // learn the limit from it and wait, whatever it believed at the start.
    await standin.control("POST", "/_standin/settings", { calls_per_minute: 2 });
    await standin.control("DELETE", "/_standin/log");
    const query = "DeviceProcessEvents | project Timestamp, ReportId";
    const job = await startJob({ kind: "sliced", query, name: "throttled", cpm: 45 });
    await job.and(panel.locator("[data-state=finished]")).waitFor({ timeout: 300_000 });
    await standin.control("POST", "/_standin/settings", { calls_per_minute: 45 });
    const log = (await standin.control("GET", "/_standin/log")).json();
    assert.ok(log.some((e) => e.status === 429), "the stand-in never throttled the job");
    const file = await waitForDownload(browser.downloads, (f) => f.startsWith("huntkit_throttled") && f.endsWith(".csv"));
    const truth = (await standin.control("POST", "/_standin/truth.csv", truthBody(query))).bytes;
    assert.ok(fs.readFileSync(file).equals(truth), "the throttled export differs from the truth");
  });
});
