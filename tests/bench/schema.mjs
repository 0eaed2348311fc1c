// Times the schema work in wasm, in headless Chromium, the way the engine
// frame runs it: the built pkg/ of dist/ loaded in an extension page,
// SchemaLab called with the two schema fixtures and all shared queries.
// Prints the median and the fastest of several runs; figures, not pass/fail.
//
//   make dist && node tests/bench/schema.mjs [runs]

import fs from "node:fs";
import path from "node:path";
import { EXTENSION_ID, ROOT, launchBrowser } from "../e2e/harness.mjs";

const RUNS = Number(process.argv[2]) || 15;
const FIXTURES = process.env.HUNTKIT_FIXTURES || path.resolve(ROOT, "../shared/fixtures");
const read = (name) => fs.readFileSync(path.join(FIXTURES, name), "utf8");

// No portal is needed: the host rule points nowhere.
const browser = await launchBrowser({ port: 9, spki: "none" });
try {
  const page = await browser.context.newPage();
  // engine.html waits for the page agent's port, which never comes here, so
  // the page is an idle extension document of the right origin.
  await page.goto(`chrome-extension://${EXTENSION_ID}/extension/engine.html`);
  const input = { older: read("schema_older.json"), current: read("schema_current.json"), queries: read("queries.jsonl"), runs: RUNS };
  const result = await page.evaluate(async ({ older, current, queries, runs }) => {
    const m = await import("/pkg/huntkit.js");
    await m.default();
    const enc = new TextEncoder();
    const oldBytes = enc.encode(older);
    const newBytes = enc.encode(current);
    const diffArgs = { oldId: "old", newId: "new", oldLabel: "older", newLabel: "current", options: {} };
    const time = (fn) => {
      fn(); // warm-up: the first call compiles and grows memory
      const ms = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        fn();
        ms.push(performance.now() - t);
      }
      ms.sort((a, b) => a - b);
      return { median: ms[Math.floor(ms.length / 2)], min: ms[0] };
    };
    const lab = new m.SchemaLab();
    const figures = {
      "parse both schemas": time(() => {
        lab.load("old", oldBytes);
        lab.load("new", newBytes);
      }),
      "diff to JSON text (parsed snapshots cached)": time(() => lab.diff(diffArgs)),
      "parse both + diff to JSON text, from scratch": time(() => {
        const fresh = new m.SchemaLab();
        fresh.load("old", oldBytes);
        fresh.load("new", newBytes);
        fresh.diff(diffArgs);
        fresh.free();
      }),
      "diff + JSON.parse of it (what the panel gets)": time(() => JSON.parse(lab.diff(diffArgs))),
      "diff as Markdown": time(() => lab.markdown()),
      "index 1,196 queries (read JSONL, tokenize, analyse)": time(() => lab.indexQueryFile("q", "queries.jsonl", queries)),
      "impact on the indexed queries": time(() => lab.impact()),
      "index + impact": time(() => {
        lab.indexQueryFile("q", "queries.jsonl", queries);
        lab.impact();
      }),
    };
    lab.diff(diffArgs);
    return { figures, hits: lab.impact().length, userAgent: navigator.userAgent };
  }, input);
  console.log(`wasm in ${result.userAgent.match(/(Headless)?Chrome\/[\d.]+/)[0]}; median (min) of ${RUNS} runs`);
  for (const [label, { median, min }] of Object.entries(result.figures)) {
    console.log(`${label.padEnd(52)} ${median.toFixed(2).padStart(8)} ms  (${min.toFixed(2)})`);
  }
  console.log(`${result.hits} impact hits`);
} finally {
  await browser.close();
}
