// The storage backend the core's `Storage` trait runs on in the browser:
// chrome.storage.local, which works in this frame under default settings
// (IndexedDB may be denied in a third-party frame; HARNESS.md). Bulk jobs
// keep their finished units here, so `unlimitedStorage` lifts the 10 MB cap.

export function chromeLocalStorage() {
  const area = chrome.storage.local;
  return {
    async get(key) {
      const found = await area.get(key);
      return Object.hasOwn(found, key) ? found[key] : null;
    },
    set: (key, value) => area.set({ [key]: value }),
    remove: (keys) => area.remove(keys),
    async keys(prefix) {
      // getKeys (Chrome 130+) lists keys without reading the values, which
      // may be tens of megabytes of stored rows.
      return (await area.getKeys()).filter((key) => key.startsWith(prefix));
    },
  };
}
