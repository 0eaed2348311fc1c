// The side panel's line to the engine of the portal tab it is attached to.
//
// Calls go out as runtime messages addressed to a tab id; only the engine
// frame of that tab answers (it checks that the caller is one of our pages).
// Events coming back are accepted only when the browser-filled sender says
// they come from that same tab.

export class EngineLink {
  constructor(tabId) {
    this.tabId = tabId;
  }

  /** Which tab to attach to: `?tabId=` (a panel opened in its own tab), else the active tab. */
  static async attach() {
    const fromUrl = Number(new URLSearchParams(location.search).get("tabId"));
    if (Number.isInteger(fromUrl) && fromUrl > 0) return new EngineLink(fromUrl);
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    return new EngineLink(tab ? tab.id : -1);
  }

  async call(call, args = {}) {
    let reply;
    try {
      reply = await chrome.runtime.sendMessage({ type: "engine-call", tabId: this.tabId, call, args });
    } catch {
      reply = undefined;
    }
    if (!reply) {
      throw {
        kind: "engine_absent",
        message: "no engine answered for this tab",
        userMessage:
          "huntkit is not running in this tab. Open Advanced Hunting (security.microsoft.com) in this tab, or reload it.",
      };
    }
    if (!reply.ok) throw reply.error;
    return reply.value;
  }

  /** Calls `listener(message)` for each event of this tab's engine. */
  onEngineEvent(listener) {
    chrome.runtime.onMessage.addListener((message, sender) => {
      if (message && message.type === "engine-event" && sender.tab && sender.tab.id === this.tabId) listener(message);
      return false;
    });
  }

  /** Calls `listener()` whenever this tab's engine (re)starts. */
  onEngineReady(listener) {
    chrome.runtime.onMessage.addListener((message, sender) => {
      if (message && message.type === "engine-ready" && sender.tab && sender.tab.id === this.tabId) listener();
      return false;
    });
  }
}
