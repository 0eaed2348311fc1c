// huntkit engine: the wasm core, living in a hidden extension frame of the
// portal tab. It reaches the portal through the page agent's port and
// answers the side panel attached to this tab.
//
// Why a frame and not the content script: wasm compiles in a content script
// only if the page's CSP allows it, and we cannot count on that. Why not the
// side panel: the bytes must come from the page agent without a JSON round
// trip, and only a frame in the same tab can receive a transferred buffer.

import init, { Engine } from "../pkg/huntkit.js";
import { acceptAgentPort } from "./engine/handshake.js";
import { agentClient } from "./engine/agent_rpc.js";
import { bulkHandlers } from "./engine/handlers/bulk.js";
import { queryHandlers } from "./engine/handlers/query.js";
import { schemaHandlers } from "./engine/handlers/schema.js";
import { openHistory } from "./engine/handlers/history.js";
import { exportHandlers } from "./engine/handlers/exports.js";

const PANEL_PREFIX = chrome.runtime.getURL("www/");

function fromPanel(sender) {
  return sender.id === chrome.runtime.id && typeof sender.url === "string" && sender.url.startsWith(PANEL_PREFIX);
}

function errorReply(error) {
  // Errors from the core are plain objects {kind, message, userMessage, raw?};
  // anything else is a bug here, reported as such rather than swallowed.
  if (error && typeof error === "object" && typeof error.kind === "string") return { ok: false, error };
  const message = String((error && error.message) || error);
  return { ok: false, error: { kind: "internal", message, userMessage: `huntkit failed: ${message}` } };
}

async function main() {
  const agent = await acceptAgentPort();
  if (!agent) return;
  await init();
  // Events the agent sends on its own (a query seen in the portal's editor)
  // go to whichever feature listens; set once the history is open.
  let onAgentEvent = () => {};
  const call = agentClient(agent.port, (event) => onAgentEvent(event));

  // The core calls this to reach the portal. The request body is copied into
  // a fresh ArrayBuffer so it can be transferred.
  const transport = (op, method, path, body) => {
    if (op === "refresh-token") return call("refresh-token");
    const fields = { method, path, body: body ? body.slice().buffer : null };
    return call("api", fields, fields.body ? [fields.body] : []);
  };
  const engine = new Engine(transport);

  // Each feature contributes the panel calls it answers (engine/handlers/).
  const context = { engine, tabId: agent.tabId, agent: call };
  context.history = await openHistory(context, transport);
  onAgentEvent = context.history.onAgentEvent;
  const handlers = {
    ...queryHandlers(context),
    ...exportHandlers(context),
    ...bulkHandlers(context),
    ...schemaHandlers(context),
    ...context.history.handlers,
  };

  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (!message || message.type !== "engine-call" || message.tabId !== agent.tabId || !fromPanel(sender)) return false;
    const handler = Object.hasOwn(handlers, message.call) ? handlers[message.call] : null;
    if (!handler) {
      sendResponse(errorReply({ kind: "internal", message: `unknown call ${String(message.call)}`, userMessage: "huntkit failed: unknown request" }));
      return false;
    }
    Promise.resolve()
      .then(() => handler(message.args || {}))
      .then((value) => sendResponse({ ok: true, value }), (error) => sendResponse(errorReply(error)));
    return true;
  });

  chrome.runtime.sendMessage({ type: "engine-ready" }).catch(() => {});
}

main().catch((e) => console.error("[huntkit] engine failed to start:", String((e && e.message) || e)));
