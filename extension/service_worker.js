// huntkit service worker: opens the side panel from the toolbar and brokers
// the one-time handshake between a tab's page agent and its engine frame.
//
// It holds no state of its own: the nonces live in chrome.storage.session,
// so a worker that Chrome stopped and restarted carries on where it was.
// Every listener is registered at the top level, as MV3 requires.

const PORTAL_ORIGIN = "https://security.microsoft.com";
const ENGINE_URL = chrome.runtime.getURL("extension/engine.html");

const nonceKey = (tabId) => `agent-nonce:${tabId}`;

function isPortalUrl(url) {
  try {
    return new URL(url).origin === PORTAL_ORIGIN;
  } catch {
    return false;
  }
}

// The browser fills `sender`; a page cannot forge it. A page also cannot
// message us at all (no externally_connectable), so only our own content
// scripts and extension pages reach these handlers.
function isTopPortalAgent(sender) {
  return sender.id === chrome.runtime.id && sender.tab && sender.frameId === 0 && isPortalUrl(sender.url);
}

function isEngineFrame(sender) {
  return (
    sender.id === chrome.runtime.id &&
    sender.tab &&
    sender.frameId !== 0 &&
    typeof sender.url === "string" &&
    sender.url.split(/[?#]/)[0] === ENGINE_URL
  );
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (!message || typeof message !== "object") return false;
  if (message.type === "agent-hello") {
    if (!isTopPortalAgent(sender) || typeof message.nonce !== "string" || message.nonce.length !== 64) {
      sendResponse({ ok: false });
      return false;
    }
    chrome.storage.session.set({ [nonceKey(sender.tab.id)]: message.nonce }).then(() => sendResponse({ ok: true }));
    return true;
  }
  if (message.type === "engine-hello") {
    if (!isEngineFrame(sender)) {
      sendResponse({ ok: false });
      return false;
    }
    const tabId = sender.tab.id;
    const key = nonceKey(tabId);
    chrome.storage.session.get(key).then(async (stored) => {
      // One use only: a second engine frame in the same tab (say, one the
      // page created itself) gets nothing.
      await chrome.storage.session.remove(key);
      sendResponse(stored[key] ? { ok: true, tabId, nonce: stored[key] } : { ok: false });
    });
    return true;
  }
  return false;
});

chrome.runtime.onInstalled.addListener(() => {
  chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => {});
});

chrome.tabs.onRemoved.addListener((tabId) => {
  chrome.storage.session.remove(nonceKey(tabId)).catch(() => {});
});
