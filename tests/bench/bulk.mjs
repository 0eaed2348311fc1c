// Bulk-job figures against the stand-in in headless Chromium (not a test:
// it prints figures for docs/BENCHMARKS.md; `make bench-bulk`).
//
// 1. Requests issued to export N rows on bursty data, against the ideal
//    ceil(N / cap): the stand-in's own request log counts the calls.
// 2. Share of the call quota used during a throttled run: the stand-in
//    allows Q calls a minute; the job starts believing 45 and must learn.
// 3. Client-side time per request against the stand-in's latency: calls
//    one at a time with a fixed added latency; everything that is not the
//    stand-in's latency is huntkit's (page agent, engine, wasm, storage, UI).

import { launchBrowser, localInput, openPanel, signIn, startStandin } from "../e2e/harness.mjs";

const DAY = 86400e3;
const CAP = 100_000;

const standin = await startStandin();
const browser = await launchBrowser(standin);
const figures = [];
try {
  const portal = await browser.context.newPage();
  await signIn(portal);
  const { panel } = await openPanel(browser, portal);
  await panel.waitForSelector("#session[data-state=live]", { timeout: 30_000 });
  await panel.click("#tab-bulk");
  const now = Date.parse(standin.now);

  async function runJob({ kind, query, values, name, cpm = 45, concurrency = 2, batch = 100 }) {
    await panel.selectOption("#bulk-kind", kind);
    await panel.fill("#bulk-query", query);
    if (values) await panel.fill("#bulk-values", values);
    await panel.selectOption("#bulk-range", "custom");
    await panel.fill("#bulk-start", localInput(now - 30 * DAY));
    await panel.fill("#bulk-end", localInput(now));
    await panel.fill("#bulk-cpm", String(cpm));
    await panel.fill("#bulk-concurrency", String(concurrency));
    if (kind === "template") await panel.fill("#bulk-batch", String(batch));
    await panel.fill("#bulk-name", name);
    await standin.control("DELETE", "/_standin/log");
    const started = Date.now();
    await panel.click("#bulk-start-job");
    const job = panel.locator("article.job", { has: panel.locator("h3", { hasText: name }) });
    await job.and(panel.locator("[data-state=finished]")).waitFor({ timeout: 900_000 });
    const wallMs = Date.now() - started;
    const log = (await standin.control("GET", "/_standin/log")).json().filter((e) => e.path.includes("queryExecutor"));
    return { wallMs, log, stats: await job.locator(".job-stats").textContent() };
  }

  if (process.env.ONLY_QUOTA !== '1') {
  // 1. Requests per exported row.
  for (const [table, rows] of [["DeviceNetworkEvents", 1_000_000], ["DeviceProcessEvents", 150_000]]) {
    const { log, wallMs } = await runJob({ kind: "sliced", query: `${table} | project Timestamp, ReportId`, name: `ratio-${table}` });
    const ideal = Math.ceil(rows / CAP);
    figures.push(`| requests to export ${rows.toLocaleString("en-US")} rows of ${table} | ${log.length} (probe included) | ideal ${ideal} | ${(log.length / ideal).toFixed(2)}× | ${(wallMs / 1000).toFixed(1)} s |`);
  }

  }
  // 2. Quota share under throttling.
  const quota = 12;
  await standin.control("POST", "/_standin/settings", { calls_per_minute: quota });
  const ips = Array.from({ length: 36 }, (_, i) => `203.0.113.${i + 1}`).join("\n");
  const throttled = await runJob({ kind: "template", query: "DeviceNetworkEvents | where RemoteIP in ({{values}}) | take 1", values: ips, name: "quota", batch: 1, cpm: 45 });
  await standin.control("POST", "/_standin/settings", { calls_per_minute: 45 });
  const ok = throttled.log.filter((e) => e.status === 200);
  const first = Date.parse(ok[0].time);
  const last = Date.parse(ok[ok.length - 1].time);
  // Calls the quota allowed from the first call to the last: `quota` in each
  // started minute.
  const allowed = quota * Math.ceil((last - first + 1) / 60_000);
  const failed = /(\d+) failed/.exec(throttled.stats)?.[1];
  if (process.env.ONLY_QUOTA === "1") for (const e of throttled.log) console.log(e.time, e.status);
  figures.push(`| quota used, stand-in allowing ${quota} calls/min, job told 45 | ${ok.length} answered of ${allowed} allowed (${throttled.log.length - ok.length} answered 429) | ${((100 * ok.length) / allowed).toFixed(0)} % | ${failed} failed units | ${(throttled.wallMs / 1000).toFixed(1)} s |`);

  // 3. Client-side time per request.
  if (process.env.ONLY_QUOTA !== "1") {
  const latency = 1000;
  await standin.control("POST", "/_standin/settings", { latency_ms: latency, calls_per_minute: 0 });
  const values = Array.from({ length: 20 }, (_, i) => `198.51.100.${i + 1}`).join("\n");
  const timed = await runJob({ kind: "template", query: "DeviceNetworkEvents | where RemoteIP in ({{values}}) | take 1", values, name: "latency", batch: 1, cpm: 600, concurrency: 1 });
  const perCall = timed.wallMs / timed.log.length;
  const clientMs = perCall - latency;
  figures.push(`| client time per request, one at a time, stand-in latency ${latency} ms | ${perCall.toFixed(0)} ms per call over ${timed.log.length} calls (click to finished) | ${clientMs.toFixed(0)} ms not latency | ${((100 * clientMs) / latency).toFixed(1)} % of the latency | ${(timed.wallMs / 1000).toFixed(1)} s |`);
  }
} finally {
  await browser.close();
  standin.stop();
}
console.log("| figure | measured | reference | ratio | wall time |\n|---|---|---|---|---|");
for (const line of figures) console.log(line);
