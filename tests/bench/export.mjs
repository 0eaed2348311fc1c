// Times one large export, from response bytes to CSV bytes, three ways in
// one run, and reports throughput and peak memory; figures, not pass/fail.
//
//   make dist && node tests/bench/export.mjs [runs, at least 2; default 4]
//
// The response is examples/bench_export.rs's deterministic generator
// (100,000 DeviceProcessEvents-like rows of 45 columns with adversarial
// strings), written once to target/bench/response.json.
//
// 1. wasm: the release pkg/ of dist/, driven exactly as the engine frame
//    drives it: an `Engine` whose transport answers the query with the
//    response bytes (so `runQuery` copies them into wasm memory, classifies
//    the reply and builds the `QueryResult`), then `exportResult(id, "csv")`
//    (machine preset) with its 1 MiB chunks folded into a Blob by the
//    product's own blobCollector (extension/engine/downloads.js).
// 2. js: a plain exporter as an extension author would write it (below).
// 3. native: the same Rust, `bench_export --read` (release), the ceiling.
//
// The page is served with the pkg/ files from a static server on 127.0.0.1
// (no extension, no CSP), and each browser method gets a fresh Chromium so
// its renderer's peak RSS belongs to that method alone. Everything started
// here is stopped before the script ends.

import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { DIST, ROOT } from "../e2e/harness.mjs";

const RUNS = Math.max(2, Number(process.argv[2]) || 4);
const RESPONSE = path.resolve(ROOT, process.env.HUNTKIT_BENCH_RESPONSE || "target/bench/response.json");
const MB = 1e6; // throughout: MB = 10^6 bytes

// ---------------------------------------------------------------------------
// The plain exporter, as an extension author would write it. These three
// functions run in the page (their source is put into it), not in Node.

function escapeCell(value) {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function plainCsvExport(bytes, mark = () => {}) {
  const data = JSON.parse(new TextDecoder().decode(bytes));
  mark("parsed");
  const columns = data.Schema.map((column) => column.Name);
  const lines = [columns.map(escapeCell).join(",")];
  for (const row of data.Results) {
    lines.push(columns.map((name) => escapeCell(row[name])).join(","));
  }
  const blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" });
  mark("written");
  return blob;
}

// What the page runs for each method: one timed export of `window.body`,
// with the JS heap and wasm memory read at the phase boundaries.
async function benchPageSetup() {
  const heap = () => performance.memory.usedJSHeapSize;
  const module = await import("/pkg/huntkit.js");
  const wasm = await module.default();
  const { blobCollector } = await import("/extension/engine/downloads.js");
  // The page agent's reply to the query, as extension/engine.js passes it on.
  const transport = async (op, method, route) => ({
    status: 200,
    url: `https://security.microsoft.com${route}`,
    redirected: false,
    contentType: "application/json; charset=utf-8",
    body: window.body.buffer,
  });
  const engine = new module.Engine(transport);

  window.runWasm = async () => {
    const marks = { startHeap: heap() };
    const t0 = performance.now();
    const summary = await engine.runQuery({ queryText: "DeviceProcessEvents", startMs: 0, endMs: 86_400_000, previewRows: 100 });
    const t1 = performance.now();
    marks.parsedHeap = heap();
    const collector = blobCollector();
    const file = engine.exportResult(summary.resultId, "csv", (chunk) => collector.push(chunk));
    const blob = collector.finish(file.mimeType);
    const t2 = performance.now();
    marks.endHeap = heap();
    engine.release(summary.resultId);
    return { totalMs: t2 - t1 + (t1 - t0), parseMs: t1 - t0, writeMs: t2 - t1, outBytes: blob.size, rows: file.rows, wasmMemory: wasm.memory.buffer.byteLength, ...marks };
  };

  window.runJs = async () => {
    const marks = { startHeap: heap() };
    const at = {};
    const t0 = performance.now();
    const blob = plainCsvExport(window.body, (phase) => {
      at[phase] = performance.now();
      marks[`${phase}Heap`] = heap();
    });
    const t2 = performance.now();
    return { totalMs: t2 - t0, parseMs: at.parsed - t0, writeMs: t2 - at.parsed, outBytes: blob.size, rows: null, wasmMemory: null, endHeap: marks.writtenHeap, parsedHeap: marks.parsedHeap, startHeap: marks.startHeap };
  };
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>huntkit export bench</title>
<script>${escapeCell}
${plainCsvExport}
${benchPageSetup}</script>`;

// ---------------------------------------------------------------------------
// Serving: the page, dist/pkg and the blob collector, and the response.

const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

function serve() {
  const files = {
    "/pkg/huntkit.js": path.join(DIST, "pkg/huntkit.js"),
    "/pkg/huntkit_bg.wasm": path.join(DIST, "pkg/huntkit_bg.wasm"),
    "/extension/engine/downloads.js": path.join(DIST, "extension/engine/downloads.js"),
    "/response.json": RESPONSE,
  };
  const server = http.createServer((req, res) => {
    if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(PAGE);
      return;
    }
    const file = files[req.url];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)], "content-length": fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

// ---------------------------------------------------------------------------
// Process memory, from /proc (Linux).

function status(pid) {
  const fields = {};
  for (const line of fs.readFileSync(`/proc/${pid}/status`, "utf8").split("\n")) {
    const m = line.match(/^(\w+):\s+(\d+) kB/);
    if (m) fields[m[1]] = Number(m[2]) * 1024;
  }
  return fields;
}

/** Resets a process's VmHWM to its current RSS (proc(5), clear_refs "5"). */
function resetPeak(pid) {
  fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

function descendants(root) {
  const children = new Map();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  const out = [];
  const queue = [root];
  while (queue.length) for (const child of children.get(queue.shift()) || []) out.push(child), queue.push(child);
  return out;
}

function cmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

/** Chromium's browser process: ours is the one child of this script (a fresh one per method). */
function browserProcess() {
  const pids = descendants(process.pid).filter((pid) => cmdline(pid).startsWith("/usr/") && !cmdline(pid).includes("--type="));
  if (pids.length !== 1) throw new Error(`expected one Chromium browser process, found ${pids.length}`);
  return pids[0];
}

function renderers(browserPid) {
  return descendants(browserPid).filter((pid) => cmdline(pid).includes("--type=renderer"));
}

/** The renderer that holds the most memory: the bench page's, once it holds the response. */
function biggestRenderer(browserPid) {
  return renderers(browserPid).sort((a, b) => status(b).VmRSS - status(a).VmRSS)[0];
}

// ---------------------------------------------------------------------------

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function benchInBrowser(method, origin, size) {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-extensions", "--enable-precise-memory-info", "--js-flags=--expose-gc"],
  });
  try {
    const browserPid = browserProcess();
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    await page.evaluate(() => benchPageSetup());
    await page.evaluate(() => gc());
    // Which renderer is the page's shows only once it holds the response,
    // so every renderer's idle size is noted first.
    const idleSizes = new Map(renderers(browserPid).map((pid) => [pid, status(pid).VmRSS]));
    const version = browser.version();
    await page.evaluate(async () => {
      window.body = new Uint8Array(await (await fetch("/response.json")).arrayBuffer());
      gc();
    });
    const renderer = biggestRenderer(browserPid);
    const idle = idleSizes.get(renderer);
    if (idle === undefined) throw new Error(`renderer ${renderer} appeared while the page fetched the response`);
    const holding = status(renderer).VmRSS;
    const browserBefore = status(browserPid).VmRSS;
    resetPeak(renderer);
    resetPeak(browserPid);
    const runs = [];
    let memory = null;
    for (let i = 0; i < RUNS; i++) {
      // Garbage of the previous run is collected outside the timed part.
      await page.evaluate(() => gc());
      runs.push(await page.evaluate((fn) => window[fn](), method === "wasm" ? "runWasm" : "runJs"));
      if (i === 0) {
        const peak = status(renderer).VmHWM;
        memory = { idle, holding, peak, browserPeakGrowth: status(browserPid).VmHWM - browserBefore };
      }
    }
    return { method, version, runs, memory, size };
  } finally {
    await browser.close();
  }
}

function benchNative() {
  // Built by cargo first so the build is not part of any figure.
  execFileSync("cargo", ["build", "-q", "--release", "--example", "bench_export"], { cwd: ROOT, stdio: "inherit" });
  const bin = path.join(ROOT, "target/release/examples/bench_export");
  const runs = [];
  let memory = null;
  for (let i = 0; i < RUNS; i++) {
    const run = spawnSync(bin, ["--read", RESPONSE], { cwd: ROOT, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`bench_export failed: ${run.stderr}`);
    const out = run.stdout;
    const number = (re) => Number(out.match(re)[1]);
    const parseMs = number(/parse: (\d+) ms/);
    const totalMs = number(/parse \+ csv: (\d+) ms/);
    runs.push({ totalMs, parseMs, writeMs: totalMs - parseMs, outBytes: number(/csv out ([\d.]+) MB/) * MB });
    if (i === 0) memory = { heapPeak: number(/peak heap during parse \+ csv: ([\d.]+) MB/) * MB, processPeak: number(/VmHWM\): ([\d.]+) MB/) * MB };
  }
  return { method: "native", runs, memory };
}

function ensureResponse() {
  if (fs.existsSync(RESPONSE)) return;
  execFileSync("cargo", ["run", "-q", "--release", "--example", "bench_export", "--", "--write", RESPONSE], { cwd: ROOT, stdio: "inherit" });
}

function report(results, size) {
  const fmt = (bytes) => `${(bytes / MB).toFixed(0)} MB (${(bytes / size).toFixed(2)}x)`;
  const rate = (ms) => (size / MB / (ms / 1000)).toFixed(0);
  console.log(`response ${(size / MB).toFixed(1)} MB; MB = 10^6 bytes; MB/s = response MB per second`);
  console.log(`first run: a fresh page (wasm not yet tiered up); warm: runs 2-${RUNS}, median (fastest)`);
  console.log("method  | first run ms (MB/s) | warm parse ms   | warm csv ms     | warm total ms   | warm MB/s   | csv out");
  for (const { method, runs } of results) {
    const warm = runs.length > 1 ? runs.slice(1) : runs;
    const col = (key) => `${median(warm.map((r) => r[key])).toFixed(0)} (${Math.min(...warm.map((r) => r[key])).toFixed(0)})`.padEnd(15);
    const mbps = `${rate(median(warm.map((r) => r.totalMs)))} (${rate(Math.min(...warm.map((r) => r.totalMs)))})`.padEnd(11);
    const first = `${runs[0].totalMs.toFixed(0)} (${rate(runs[0].totalMs)})`.padEnd(19);
    console.log(`${method.padEnd(7)} | ${first} | ${col("parseMs")} | ${col("writeMs")} | ${col("totalMs")} | ${mbps} | ${(runs[0].outBytes / MB).toFixed(1)} MB`);
  }
  console.log("memory (first run of each method; x = times the response size):");
  for (const { method, runs, memory } of results) {
    if (method === "native") {
      console.log(`  native: heap peak during parse + csv (body included) ${fmt(memory.heapPeak)}; process VmHWM ${fmt(memory.processPeak)}`);
      continue;
    }
    const first = runs[0];
    console.log(
      `  ${method}: renderer VmHWM ${fmt(memory.peak)}; over the idle page ${fmt(memory.peak - memory.idle)}` +
        ` (the response held in the page: ${fmt(memory.holding - memory.idle)}; added by the export: ${fmt(memory.peak - memory.holding)});` +
        ` JS heap start/after parse/end ${[first.startHeap, first.parsedHeap, first.endHeap].map((b) => (b / MB).toFixed(0)).join("/")} MB` +
        (first.wasmMemory ? `; wasm memory ${fmt(first.wasmMemory)}` : "") +
        `; browser process VmHWM growth (Blob storage) ${fmt(memory.browserPeakGrowth)}`,
    );
  }
}

ensureResponse();
if (!fs.existsSync(path.join(DIST, "pkg/huntkit_bg.wasm"))) throw new Error("dist/ is missing: run `make dist` first");
const size = fs.statSync(RESPONSE).size;
const cpu = (fs.readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/) || [])[1];
console.log(`${cpu}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
const server = await serve();
const origin = `http://127.0.0.1:${server.address().port}`;
try {
  const results = [];
  for (const method of ["wasm", "js"]) {
    const result = await benchInBrowser(method, origin, size);
    if (method === "wasm") console.log(`Chromium ${result.version}`);
    results.push(result);
  }
  results.push(benchNative());
  report(results, size);
  console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
} finally {
  server.close();
}
