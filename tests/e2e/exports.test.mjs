// Exports end to end: every format from the side panel, read back with
// independent readers and compared with the stand-in's ground truth.
// CSV, TSV, XLSX and Parquet are read by a small Rust program
// (crates/huntkit-parquet/examples/read_back.rs: the csv crate, calamine,
// the parquet reader); JSON and NDJSON by JSON.parse.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ROOT, launchBrowser, localInput, openPanel, signIn, startStandin, waitForDownload } from "./harness.mjs";

const DAY = 86400e3;
const QUERY = "DeviceProcessEvents | take 2000";
const READ_BACK = path.join(ROOT, "target", "debug", "examples", "read_back");

function readBack(...args) {
  return JSON.parse(execFileSync(READ_BACK, args, { maxBuffer: 512 << 20 }).toString("utf8"));
}

describe("exports", () => {
  let standin;
  let browser;
  let panel;
  let range;
  let truth;
  let truthCsv;

  before(async () => {
    execFileSync("cargo", ["build", "-q", "-p", "huntkit-parquet", "--example", "read_back"], { cwd: ROOT, stdio: "inherit" });
    standin = await startStandin();
    browser = await launchBrowser(standin);
    const portal = await browser.context.newPage();
    await signIn(portal);
    ({ panel } = await openPanel(browser, portal));
    await panel.waitForSelector("#session[data-state=live]", { timeout: 20_000 });
    const now = Date.parse(standin.now);
    range = { startMs: now - 30 * DAY, endMs: now };
    await panel.fill("#query", QUERY);
    await panel.selectOption("#range", "custom");
    await panel.fill("#start", localInput(range.startMs));
    await panel.fill("#end", localInput(range.endMs));
    await panel.click("#run");
    await panel.waitForFunction(() => document.querySelector("#run").textContent === "Run");
    assert.equal(await panel.isVisible("#banner"), false, await panel.textContent("#banner"));
    const body = {
      QueryText: QUERY,
      StartTime: new Date(range.startMs).toISOString(),
      EndTime: new Date(range.endMs).toISOString(),
      MaxRecordCount: null,
      TenantIds: null,
      tenantIds: null,
      selectedWorkspaces: null,
    };
    truth = JSON.parse((await standin.control("POST", "/_standin/truth", body)).text());
    const csv = await standin.control("POST", "/_standin/truth.csv", body);
    truthCsv = path.join(browser.downloads, "..", `truth-${process.pid}.csv`);
    fs.writeFileSync(truthCsv, csv.bytes);
  });

  after(async () => {
    await browser?.close();
    standin?.stop();
    if (truthCsv) fs.rmSync(truthCsv, { force: true });
  });

  async function exportFrom(preset, format, extension) {
    await panel.check(`input[name=preset][value=${preset}]`);
    const before = new Set(fs.readdirSync(browser.downloads));
    await panel.evaluate(() => (document.querySelector("#export-status").textContent = ""));
    await panel.click(`#export-${format}`);
    await panel.waitForFunction(() => /^Saved /.test(document.querySelector("#export-status").textContent), null, { timeout: 60_000 });
    assert.equal(await panel.isVisible("#banner"), false, await panel.textContent("#banner"));
    return waitForDownload(browser.downloads, (f) => f.endsWith(`.${extension}`) && !before.has(path.basename(f)));
  }

  const columns = () => truth.Schema.map((c) => c.Name);
  const type = (name) => truth.Schema.find((c) => c.Name === name).Type;

  test("machine CSV and TSV hold exactly the truth's fields", async () => {
    const want = readBack("csv", truthCsv, ",");
    for (const [format, delimiter] of [["csv", ","], ["tsv", "tab"]]) {
      const file = await exportFrom("machine", format, format);
      const got = readBack("csv", file, delimiter);
      assert.equal(got.bom, false);
      assert.equal(got.crlf, true);
      assert.deepEqual(got.records, want.records, `${format} differs from the truth`);
    }
  });

  test("Excel CSV has a BOM and neutralises formula text only", async () => {
    const file = await exportFrom("excel", "csv", "csv");
    const got = readBack("csv", file, ",");
    const want = readBack("csv", truthCsv, ",");
    assert.equal(got.bom, true);
    assert.equal(got.records.length, want.records.length);
    let neutralised = 0;
    got.records.forEach((record, i) => {
      record.forEach((field, j) => {
        const original = want.records[i][j];
        if (field === original) return;
        assert.equal(field, `'${original}`, `row ${i} column ${j}`);
        assert.match(original, /^[=+\-@\t\r]/);
        assert.notEqual(type(want.records[0][j]), "Int64", "numbers are never touched");
        neutralised += 1;
      });
    });
    assert.ok(neutralised > 0, "the stand-in served no formula-like text");
  });

  test("JSON and NDJSON parse to the truth's rows", async () => {
    const json = JSON.parse(fs.readFileSync(await exportFrom("machine", "json", "json"), "utf8"));
    assert.deepEqual(json, truth.Results);
    const lines = fs.readFileSync(await exportFrom("machine", "ndjson", "ndjson"), "utf8").split("\n");
    assert.equal(lines.pop(), "");
    assert.deepEqual(lines.map((l) => JSON.parse(l)), truth.Results);
  });

  test("XLSX has typed cells: Int64 as exact text, dates as dates, numbers as numbers", async () => {
    const file = await exportFrom("excel", "xlsx", "xlsx");
    const book = readBack("xlsx", file);
    assert.equal(book.rows, truth.Results.length);
    assert.deepEqual(book.header, columns());
    const raw = fs.readFileSync(truthCsv, "utf8");
    const col = (name) => columns().indexOf(name);
    let checked = 0;
    book.cells.forEach((cells, i) => {
      const row = truth.Results[i];
      for (const name of columns()) {
        const cell = cells[col(name)] ?? null;
        const value = row[name];
        if (value === null || value === undefined) {
          assert.equal(cell, null, `${name} row ${i}`);
        } else if (type(name) === "Int64") {
          assert.ok(cell && typeof cell.s === "string", `${name} row ${i} is text`);
          assert.ok(raw.includes(cell.s), `${name} row ${i}: ${cell.s} is not in the truth`);
          checked += 1;
        } else if (type(name) === "DateTime") {
          assert.ok(cell && typeof cell.d === "number", `${name} row ${i} is a date`);
          const serial = Date.parse(value) / 86400e3 + 25569;
          assert.ok(Math.abs(cell.d - serial) * 86400e3 < 1.5, `${name} row ${i}`);
        } else if (type(name) === "String") {
          assert.deepEqual(cell, { s: value }, `${name} row ${i}`);
        }
      }
    });
    assert.ok(checked > 0);
  });

  test("Parquet loads its module on demand and keeps Int64, timestamps and nulls typed", async () => {
    const file = await exportFrom("machine", "parquet", "parquet");
    const table = readBack("parquet", file);
    assert.equal(table.rows, truth.Results.length);
    assert.deepEqual(table.header, columns());
    const raw = fs.readFileSync(truthCsv, "utf8");
    columns().forEach((name, j) => {
      if (type(name) === "Int64") assert.equal(table.types[j], "INT64", name);
      if (type(name) === "DateTime") assert.match(table.types[j], /^INT64 Timestamp/, name);
    });
    table.cells.forEach((cells, i) => {
      columns().forEach((name, j) => {
        const value = truth.Results[i][name];
        if (value === null || value === undefined) return assert.equal(cells[j], null, `${name} row ${i}`);
        if (type(name) === "Int64") assert.ok(raw.includes(cells[j].i), `${name} row ${i}: ${cells[j].i}`);
        if (type(name) === "DateTime") {
          const [, frac = ""] = /\.(\d+)Z$/.exec(value) || [];
          const nanos = BigInt(Date.parse(value.replace(/\.\d+Z$/, "Z"))) * 1_000_000n + BigInt(frac.padEnd(9, "0"));
          assert.equal(cells[j].i, nanos.toString(), `${name} row ${i} keeps all 7 digits`);
        }
        if (type(name) === "String") assert.deepEqual(cells[j], { s: value }, `${name} row ${i}`);
      });
    });
  });

  test("the clipboard gets a Markdown table and a KQL datatable of the first rows", async () => {
    // Chromium cannot grant clipboard permissions to an extension origin
    // here, and a headless panel has no focus to write with; record what the
    // panel writes instead.
    await panel.evaluate(() => {
      navigator.clipboard.writeText = async (text) => {
        window.__copied = text;
      };
    });
    await panel.click("#copy-markdown");
    await panel.waitForFunction(() => /^Copied /.test(document.querySelector("#export-status").textContent));
    assert.match(await panel.textContent("#export-status"), /first 1,000 of 2,000 rows/);
    const markdown = await panel.evaluate(() => window.__copied);
    assert.equal(markdown.split("\n").filter(Boolean).length, 1002);
    await panel.click("#copy-datatable");
    await panel.waitForFunction(() => /KQL datatable/.test(document.querySelector("#export-status").textContent));
    const kql = await panel.evaluate(() => window.__copied);
    assert.match(kql, /^datatable\(.*:datetime.*\)\[\n/);
    assert.equal(kql.split("\n").length, 1002);
  });
});
