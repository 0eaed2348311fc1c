// The snapshot store (extension/engine/schema_store.js) against an
// in-memory storage area, with the core's rules from the built wasm: no
// browser needed. Bytes round-trip exactly, retention deletes the bytes of
// what it drops, and a failed daily snapshot gives its day back.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { DIST, ROOT } from "./harness.mjs";

const FIXTURES = process.env.HUNTKIT_FIXTURES || path.resolve(ROOT, "../shared/fixtures");

/** chrome.storage.local's get/set/remove over a Map, values copied as JSON like the real one. */
function memoryArea() {
  const map = new Map();
  return {
    map,
    async get(key) {
      const keys = key === null ? [...map.keys()] : [].concat(key);
      return Object.fromEntries(keys.filter((k) => map.has(k)).map((k) => [k, JSON.parse(map.get(k))]));
    },
    async set(items) {
      for (const [k, v] of Object.entries(items)) map.set(k, JSON.stringify(v));
    },
    async remove(keys) {
      for (const k of [].concat(keys)) map.delete(k);
    },
  };
}

const record = (tenantId, takenAtMs, extra = {}) => ({
  tenantId,
  takenAtMs,
  source: { kind: "portal" },
  daily: false,
  rawBytes: 3,
  tableCount: 1,
  columnCount: 1,
  ...extra,
});

describe("schema snapshot store", () => {
  let rules;
  let snapshotStore;

  before(async () => {
    rules = await import(path.join(DIST, "pkg/huntkit.js"));
    await rules.default({ module_or_path: fs.readFileSync(path.join(DIST, "pkg/huntkit_bg.wasm")) });
    ({ snapshotStore } = await import(path.join(DIST, "extension/engine/schema_store.js")));
  });

  test("bytes round-trip exactly and are stored compressed", async () => {
    const area = memoryArea();
    const store = snapshotStore(area, rules);
    const schema = fs.readFileSync(path.join(FIXTURES, "schema_current.json"));
    const meta = await store.add(record("t1", Date.now(), { rawBytes: schema.length }), new Uint8Array(schema));
    const back = await store.bytes(meta.id);
    assert.ok(Buffer.from(back).equals(schema));
    const stored = area.map.get(rules.schemaBodyKey(meta.id)).length;
    assert.ok(stored < schema.length / 4, `stored ${stored} bytes for ${schema.length}`);
    assert.deepEqual((await store.catalog()).snapshots.map((s) => s.id), [meta.id]);
  });

  test("retention drops the oldest snapshots of a tenant with their bytes", async () => {
    const area = memoryArea();
    const store = snapshotStore(area, rules);
    await store.saveSettings({ keepCount: 2 });
    const now = Date.now();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await store.add(record("t1", now - (3 - i) * 1000), new Uint8Array([1, 2, i]))).id);
    assert.deepEqual((await store.catalog()).snapshots.map((s) => s.id), ids.slice(1));
    assert.equal(area.map.has(rules.schemaBodyKey(ids[0])), false);
    await assert.rejects(store.bytes(ids[0]), (e) => e.kind === "storage");
    await store.remove(ids[1]);
    assert.deepEqual([...area.map.keys()].filter((k) => k.startsWith("schema.snapshot.")), [rules.schemaBodyKey(ids[2])]);
  });

  test("the daily snapshot runs once per day, and a failure gives the day back", async () => {
    const area = memoryArea();
    const store = snapshotStore(area, rules);
    await assert.rejects(store.daily("t1", async () => Promise.reject(new Error("portal down"))), /portal down/);
    let taken = 0;
    assert.equal(await store.daily("t1", async () => ++taken), 1);
    assert.equal(await store.daily("t1", async () => ++taken), null);
    assert.equal(taken, 1);
    await store.saveSettings({ dailySnapshot: false });
    assert.equal(await store.daily("t2", async () => ++taken), null);
  });

  test("a damaged catalog or settings value reads as the defaults", async () => {
    const area = memoryArea();
    await area.set({ "schema.catalog": "garbage", "schema.settings": { keepCount: "many" } });
    const store = snapshotStore(area, rules);
    assert.deepEqual((await store.catalog()).snapshots, []);
    assert.equal((await store.settings()).keepCount, 20);
    const meta = await store.add(record("t1", Date.now()), new Uint8Array([1]));
    assert.deepEqual((await store.catalog()).snapshots.map((s) => s.id), [meta.id]);
  });
});
