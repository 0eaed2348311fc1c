// Accepting the page agent's port, and nobody else's.
//
// The page's own scripts can post messages, and fake MessagePorts, to this
// frame, and can even create frames of this page themselves. Origin and
// event.source do not tell them apart from the page agent. So: the agent
// registered a random nonce with the service worker before it created this
// frame; we ask the service worker for the nonce of our own tab (it knows
// our tab from the browser-filled sender, and hands the nonce out once), and
// accept exactly one port that carries it. Every other port is closed.

const offered = [];
let waiting = null; // resolve(port) once the nonce is known

function onMessage(event) {
  const port = event.ports && event.ports[0];
  if (!port) return;
  const nonce = event.data && typeof event.data === "object" ? event.data.nonce : undefined;
  if (waiting) {
    waiting(port, nonce);
  } else {
    offered.push([port, nonce]);
  }
}

// Listen before anything else: the agent posts its port as soon as this
// frame has loaded, possibly before the service worker has answered us.
window.addEventListener("message", onMessage);

/** Resolves to { tabId, port } for the genuine page agent, or null. */
export async function acceptAgentPort() {
  let hello;
  try {
    hello = await chrome.runtime.sendMessage({ type: "engine-hello" });
  } catch {
    hello = null;
  }
  if (!hello || !hello.ok) {
    // Not the frame our agent created (or the nonce is used up): refuse all.
    window.removeEventListener("message", onMessage);
    for (const [port] of offered.splice(0)) port.close();
    return null;
  }
  return new Promise((resolve) => {
    let accepted = false;
    waiting = (port, nonce) => {
      if (!accepted && nonce === hello.nonce) {
        accepted = true;
        resolve({ tabId: hello.tabId, port });
      } else {
        port.close();
      }
    };
    for (const [port, nonce] of offered.splice(0)) waiting(port, nonce);
  });
}
