// Panel calls for the schema browser and the schema diff: snapshots (taken
// on demand, daily, or imported from a file), browsing one, diffing two,
// exporting the diff, and checking it against a query set. Parsed schemas
// and the last diff stay in wasm (SchemaLab); the bytes live in storage.

import * as core from "../../../pkg/huntkit.js";
import { saveBlob } from "../downloads.js";
import { snapshotStore } from "../schema_store.js";

const MIME = { markdown: "text/markdown", json: "application/json" };
const EXTENSION = { markdown: "md", json: "json" };

export function schemaHandlers({ engine }) {
  const store = snapshotStore(chrome.storage.local, core);
  const lab = new core.SchemaLab();
  let lastDiff = null;

  const announce = () => chrome.runtime.sendMessage({ type: "schema-snapshots-changed" }).catch(() => {});

  async function findMeta(id) {
    const meta = (await store.catalog()).snapshots.find((s) => s.id === id);
    if (!meta) throw { kind: "input", message: `no snapshot ${id}`, userMessage: "That snapshot is no longer stored." };
    return meta;
  }

  async function ensureLoaded(id) {
    if (!lab.has(id)) lab.load(id, await store.bytes(id));
  }

  async function take(daily) {
    const fetched = await engine.schemaSnapshot();
    // Parsing first: a response that is not a schema is an error to show,
    // never a snapshot to compare with later.
    const pending = `pending-${fetched.takenAtMs}`;
    const counts = lab.load(pending, fetched.bytes);
    const meta = await store.add(
      {
        tenantId: fetched.tenantId,
        takenAtMs: fetched.takenAtMs,
        source: { kind: "portal" },
        daily,
        rawBytes: fetched.bytes.length,
        ...counts,
      },
      fetched.bytes,
    );
    lab.rekey(pending, meta.id);
    announce();
    return meta;
  }

  // The first engine start per tenant and UTC day takes a snapshot, unless
  // the analyst turned that off. Failures only go to the console: the
  // analyst did not ask for this one, and the next start tries again.
  (async () => {
    const status = await engine.status();
    if (status.session !== "live" || !status.tenantId) return;
    await store.daily(status.tenantId, () => take(true));
  })().catch((e) => console.warn("[huntkit] daily schema snapshot failed:", (e && e.message) || e));

  const withLabels = async (snapshots) => snapshots.map((s) => ({ ...s, label: core.snapshotLabel(s) }));

  return {
    schemaList: async () => ({
      snapshots: await withLabels((await store.catalog()).snapshots),
      settings: await store.settings(),
    }),

    schemaTake: () => take(false),

    schemaImport: async ({ fileName, text }) => {
      if (typeof fileName !== "string" || typeof text !== "string") {
        throw { kind: "input", message: "schemaImport needs fileName and text", userMessage: "huntkit failed: bad import request" };
      }
      const bytes = new TextEncoder().encode(text);
      const pending = `import-${Date.now()}`;
      const counts = lab.load(pending, bytes);
      const meta = await store.add(
        { tenantId: "", takenAtMs: Date.now(), source: { kind: "imported", fileName }, daily: false, rawBytes: bytes.length, ...counts },
        bytes,
      );
      lab.rekey(pending, meta.id);
      announce();
      return meta;
    },

    schemaDelete: async ({ id }) => {
      await store.remove(String(id));
      announce();
      return { removed: id };
    },

    schemaSettings: async ({ settings }) => (settings ? store.saveSettings(settings) : store.settings()),

    schemaBrowse: async ({ id }) => {
      await ensureLoaded(String(id));
      return lab.browse(String(id));
    },

    schemaDiff: async ({ oldId, newId, options }) => {
      const [oldMeta, newMeta] = await Promise.all([findMeta(String(oldId)), findMeta(String(newId))]);
      await ensureLoaded(oldMeta.id);
      await ensureLoaded(newMeta.id);
      const oldLabel = core.snapshotLabel(oldMeta);
      const newLabel = core.snapshotLabel(newMeta);
      // JSON text, parsed by the panel: messaging would serialize objects anyway.
      const diffJson = lab.diff({ oldId: oldMeta.id, newId: newMeta.id, oldLabel, newLabel, options: options || {} });
      lastDiff = { oldId: oldMeta.id, newId: newMeta.id };
      return { diffJson, oldLabel, newLabel };
    },

    schemaExport: async ({ format }) => {
      if (!Object.hasOwn(MIME, format)) {
        throw { kind: "input", message: `unknown diff format ${String(format)}`, userMessage: "huntkit failed: unknown export format" };
      }
      if (!lastDiff) throw { kind: "input", message: "no diff yet", userMessage: "Compare two snapshots first." };
      const text = format === "markdown" ? lab.markdown() : lab.diffJson();
      const fileName = `huntkit_schema-diff_${lastDiff.oldId}_${lastDiff.newId}.${EXTENSION[format]}`;
      const blob = new Blob([text], { type: MIME[format] });
      const downloadId = await saveBlob(blob, fileName);
      return { fileName, bytes: blob.size, downloadId };
    },

    schemaImpact: async ({ fileName, text, queries, key }) => {
      let count;
      if (typeof text === "string") count = lab.indexQueryFile(String(key || fileName), String(fileName), text);
      else if (Array.isArray(queries)) count = lab.indexQueries(String(key || "queries"), queries);
      else throw { kind: "input", message: "schemaImpact needs a file or queries", userMessage: "Choose the queries to check first." };
      return { queryCount: count, hits: lab.impact() };
    },
  };
}
