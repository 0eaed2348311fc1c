// Schema snapshots in extension storage: a small catalog plus one entry per
// snapshot holding the response bytes, gzip-compressed and base64-encoded.
//
// Why chrome.storage.local: it works in this injected frame, where Chromium
// may deny IndexedDB as third-party storage under default settings, and in
// the side panel alike. Why gzip: a schema is ~360 KB of JSON and
// compresses about tenfold, so the default retention (20 per tenant) stays
// far below the 10 MB quota without asking for `unlimitedStorage`.
//
// Which snapshots to keep and when the daily one is due is decided by the
// core (src/schema/catalog.rs, through `rules`); this file only reads and
// writes. `area` is anything with chrome.storage.local's get/set/remove,
// so the store runs against an in-memory area in tests.

const LOCK = "huntkit-schema-catalog";

export function snapshotStore(area, rules) {
  const keys = rules.schemaStorageKeys();

  // Two portal tabs can start at once; the catalog is read-modify-written,
  // so every change runs under one lock where the Web Locks API is allowed.
  // In this injected frame Chromium treats it as third-party storage and
  // may deny it ("The request was denied."), like IndexedDB; then changes
  // run unlocked, and the worst race is one extra daily snapshot.
  const locks = globalThis.navigator && navigator.locks
    ? navigator.locks.query().then(() => navigator.locks, () => null)
    : Promise.resolve(null);
  const exclusive = async (fn) => {
    const granted = await locks;
    return granted ? granted.request(LOCK, fn) : fn();
  };

  const read = async (key) => (await area.get(key))[key];
  const settings = async () => rules.schemaSettings(await read(keys.settings));

  return {
    async catalog() {
      return rules.catalogPrune(await read(keys.catalog), await settings(), Date.now()).catalog;
    },

    settings,

    async saveSettings(next) {
      return exclusive(async () => {
        const merged = rules.schemaSettings({ ...(await settings()), ...next });
        await area.set({ [keys.settings]: merged });
        await apply(rules.catalogPrune(await read(keys.catalog), merged, Date.now()));
        return merged;
      });
    },

    /** Stores a snapshot (`record` is a NewSnapshot without bytes); resolves to its metadata. */
    async add(record, bytes) {
      const body = { version: 1, encoding: "gzip+base64", data: await gzipBase64(bytes) };
      return exclusive(async () => {
        const changed = rules.catalogAdd(await read(keys.catalog), record, await settings(), Date.now());
        await area.set({ [rules.schemaBodyKey(changed.snapshot.id)]: body });
        await apply(changed);
        return changed.snapshot;
      });
    },

    async remove(id) {
      return exclusive(async () => {
        await apply(rules.catalogRemove(await read(keys.catalog), id));
        await area.remove(rules.schemaBodyKey(id));
      });
    },

    /** The response bytes of snapshot `id`, as the portal sent them. */
    async bytes(id) {
      const body = await read(rules.schemaBodyKey(id));
      if (!body || body.encoding !== "gzip+base64") {
        throw { kind: "storage", message: `snapshot ${id} has no stored bytes`, userMessage: "That snapshot is no longer stored." };
      }
      return gunzipBase64(body.data);
    },

    /**
     * Runs `take()` if the daily snapshot of `tenant` is due. The day is
     * claimed first, under the lock, so two tabs starting together take one
     * snapshot; if taking fails the claim is given back for the next start.
     */
    async daily(tenant, take) {
      const before = await exclusive(async () => {
        const marks = await read(keys.daily);
        if (!rules.dailyDue(marks, tenant, await settings(), Date.now())) return null;
        await area.set({ [keys.daily]: rules.dailyMark(marks, tenant, Date.now()) });
        return { marks: marks || {} };
      });
      if (!before) return null;
      try {
        return await take();
      } catch (error) {
        await exclusive(() => area.set({ [keys.daily]: before.marks }));
        throw error;
      }
    },
  };

  // Writes the catalog first, then drops the bytes it no longer names: a
  // crash in between leaves unused bytes, never a catalog entry without any.
  async function apply(changed) {
    await area.set({ [keys.catalog]: changed.catalog });
    if (changed.removedKeys.length) await area.remove(changed.removedKeys);
  }
}

async function gzipBase64(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  const packed = new Uint8Array(await new Response(stream).arrayBuffer());
  let text = "";
  const STEP = 0x8000; // String.fromCharCode takes its arguments on the stack
  for (let i = 0; i < packed.length; i += STEP) text += String.fromCharCode(...packed.subarray(i, i + STEP));
  return btoa(text);
}

async function gunzipBase64(data) {
  const packed = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
