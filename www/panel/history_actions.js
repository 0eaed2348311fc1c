// What an analyst can do with one history entry: copy it, run it again,
// open it in the portal's editor, hand it to the bulk view as a template,
// pin, rename, tag, delete.

import { el } from "./render.js";

// The hook for the Bulk view (built separately): the template waits in
// session storage under this key; the Bulk view reads it when shown.
export const BULK_TEMPLATE_KEY = "huntkit:bulk-template";

function button(text, className) {
  const node = el("button", text, className);
  node.type = "button";
  return node;
}

/** Copies text; the Clipboard API needs focus, the old way does not. */
async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = el("textarea");
    area.value = text;
    area.style.cssText = "position:fixed;opacity:0";
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

export function entryActions(link, { fillQuery, selectTab, say, refresh }) {
  async function call(name, args) {
    try {
      await link.call(name, args);
      await refresh();
    } catch (error) {
      say(error.userMessage || error.message || String(error));
    }
  }

  return {
    buttons(entry) {
      const latest = entry.runs[0];
      const row = el("div", undefined, "row entry-actions");
      const pin = button(entry.pinned ? "Unpin" : "Pin", "entry-pin");
      pin.addEventListener("click", () => call("historyUpdate", { entryId: entry.id, update: { pinned: !entry.pinned } }));
      const copy = button("Copy", "entry-copy");
      copy.addEventListener("click", async () => say((await copyText(entry.queryText)) ? "Query copied." : "The browser refused to copy."));
      const same = button("Run again (same range)", "entry-rerun-same");
      same.addEventListener("click", () => fillQuery({ queryText: entry.queryText, title: entry.title, startMs: latest.startMs, endMs: latest.endMs, sameRange: true }));
      const fresh = button("Run again (new range)", "entry-rerun-new");
      fresh.addEventListener("click", () => fillQuery({ queryText: entry.queryText, title: entry.title, startMs: latest.startMs, endMs: latest.endMs, sameRange: false }));
      // The portal's shareable-link format is not public, so: copy the
      // query and bring the portal tab forward; the analyst pastes it into
      // the editor there.
      const open = button("Open in portal", "entry-open");
      open.addEventListener("click", async () => {
        const copied = await copyText(entry.queryText);
        try {
          const tab = await chrome.tabs.update(link.tabId, { active: true });
          await chrome.windows.update(tab.windowId, { focused: true });
        } catch {
          // The tab is gone; the copy still helps.
        }
        say(copied ? "Query copied: paste it into the portal's editor (Ctrl+V)." : "Could not copy the query.");
      });
      const bulk = button("Use as bulk template", "entry-bulk");
      bulk.addEventListener("click", async () => {
        await chrome.storage.session.set({
          [BULK_TEMPLATE_KEY]: { queryText: entry.queryText, title: entry.title || null, startMs: latest.startMs, endMs: latest.endMs, entryId: entry.id, setAtMs: Date.now() },
        });
        const tab = document.getElementById("tab-bulk");
        if (tab && !tab.hidden) selectTab("bulk");
        else say("Saved as the bulk template; the Bulk view will offer it.");
      });
      const remove = button("Delete", "entry-delete");
      remove.addEventListener("click", () => call("historyRemove", { entryId: entry.id }));
      row.append(pin, copy, same, fresh, open, bulk, remove);
      return row;
    },

    /** Rename and tag, folded away until needed. */
    editor(entry) {
      const details = el("details", undefined, "entry-edit");
      const title = el("input");
      title.type = "text";
      title.className = "entry-title-input";
      title.value = entry.title || "";
      title.placeholder = "Name";
      title.setAttribute("aria-label", "Name");
      const tags = el("input");
      tags.type = "text";
      tags.className = "entry-tags-input";
      tags.value = entry.tags.join(", ");
      tags.placeholder = "tags, comma separated";
      tags.setAttribute("aria-label", "Tags");
      const save = button("Save", "entry-save");
      save.addEventListener("click", () =>
        call("historyUpdate", {
          entryId: entry.id,
          update: { title: title.value, tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean) },
        }),
      );
      details.append(el("summary", "Rename, tag"), title, tags, save);
      return details;
    },
  };
}
