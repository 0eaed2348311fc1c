// huntkit page agent: the only code that runs in the portal page.
//
// Why it exists: the portal's API must be called from the portal's own
// origin, with the analyst's cookies, exactly as the portal's page does.
// A content script's fetch() carries `sccauth`, `Origin:
// https://security.microsoft.com` and `Sec-Fetch-Site: same-origin`; a fetch
// from an extension page would not. So this script does the network and
// nothing else. All parsing and computing happens in the engine frame
// (extension/engine.html), where wasm may run whatever the page's CSP says.
//
// Trust: the page's own scripts share the DOM with us but not our globals
// (content scripts run in an isolated world). They can see and navigate the
// engine iframe and post messages to it, so the channel to the engine is
// opened with a one-time nonce that only the service worker and the engine
// learn (see README, "How the pieces talk").
//
// Secrets: the XSRF token is read from document.cookie at each request and
// put on that request only. It is never stored, logged or sent elsewhere.
// `sccauth` is HttpOnly: nothing here can read it; the browser attaches it.
(() => {
  "use strict";

  // Same list as `portal::routes` in the Rust core. Anything else is refused
  // here, whoever asks.
  const ALLOWED_API = [
    ["GET", "/apiproxy/mtp/huntingService/schema"],
    ["POST", "/apiproxy/mtp/huntingService/queryExecutor?useFanOut=false"],
    ["GET", "/apiproxy/mtp/sccManagement/mgmt/TenantContext?realTime=true"],
    ["POST", "/apiproxy/mtp/huntingService/reports/userHistory"],
  ];
  // The portal editor's own queries go here; seeing one finish is the cue to
  // import the portal's history (where its text is).
  const QUERY_EXECUTOR_PATH = "/apiproxy/mtp/huntingService/queryExecutor";
  // A same-origin GET of this page re-issues the XSRF-TOKEN cookie (PORTAL.md).
  const TOKEN_REFRESH_PATH = "/v2/advanced-hunting";

  if (window.top !== window || window.__huntkitAgent) return;
  window.__huntkitAgent = true;

  function readXsrfToken() {
    for (const part of document.cookie.split(";")) {
      const eq = part.indexOf("=");
      if (eq < 0) continue;
      if (part.slice(0, eq).trim() === "XSRF-TOKEN") {
        // The cookie is URL-encoded; the header wants the decoded value.
        try {
          return decodeURIComponent(part.slice(eq + 1).trim());
        } catch {
          return null;
        }
      }
    }
    return null;
  }

  function isAllowed(method, path) {
    return ALLOWED_API.some(([m, p]) => m === method && p === path);
  }

  async function apiRequest({ method, path, body }) {
    if (!isAllowed(method, path)) {
      return { error: "refused", message: `path not allowed: ${method} ${path}` };
    }
    const headers = { Accept: "application/json" };
    const token = readXsrfToken();
    if (token !== null) headers["X-XSRF-TOKEN"] = token;
    if (body) headers["Content-Type"] = "application/json";
    if (path.startsWith(QUERY_EXECUTOR_PATH)) {
      ownQueryStarts.push(performance.now());
      if (ownQueryStarts.length > 20) ownQueryStarts.shift();
    }
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body || undefined,
        credentials: "include",
        // A redirect means the session is gone (it points at the sign-in
        // host); following it would only produce a CORS failure.
        redirect: "manual",
        cache: "no-store",
      });
    } catch (e) {
      return { error: "network", message: String((e && e.message) || e) };
    }
    let bytes;
    try {
      bytes = await response.arrayBuffer();
    } catch (e) {
      // The connection dropped while the body was arriving.
      return { error: "network", message: `body interrupted: ${String((e && e.message) || e)}` };
    }
    return {
      status: response.status,
      url: response.url,
      redirected: response.type === "opaqueredirect" || response.redirected,
      contentType: response.headers.get("content-type"),
      body: bytes,
    };
  }

  async function refreshToken() {
    try {
      const r = await fetch(TOKEN_REFRESH_PATH + location.search, {
        credentials: "include",
        redirect: "manual",
        cache: "no-store",
      });
      await r.arrayBuffer();
      return { ok: r.status === 200, status: r.status };
    } catch (e) {
      return { ok: false, status: 0, message: String((e && e.message) || e) };
    }
  }

  // Watching the portal's own queries, without touching them: a
  // PerformanceObserver sees each finished request of the page as a
  // "resource" entry (content scripts share the document's performance
  // timeline). Nothing of the page's fetch or XHR is wrapped, delayed or
  // read; only the URL and start time of the entry are looked at, and the
  // engine is told "a query ran", nothing more. The page can forge such an
  // entry by fetching the path itself; all that does is make the engine
  // import the portal's history, which the portal itself wrote.
  // https://www.w3.org/TR/resource-timing/
  let observer = null;
  const ownQueryStarts = [];

  /** Our own queries show up in the timeline too; they are recorded already. */
  function isOwnQuery(startTime) {
    const i = ownQueryStarts.findIndex((t) => Math.abs(t - startTime) < 50);
    if (i < 0) return false;
    ownQueryStarts.splice(i, 1);
    return true;
  }

  function watchQueries(port, on) {
    if (on && !observer) {
      observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          let url;
          try {
            url = new URL(entry.name);
          } catch {
            continue;
          }
          if (url.origin !== location.origin || url.pathname !== QUERY_EXECUTOR_PATH) continue;
          if (isOwnQuery(entry.startTime)) continue;
          port.postMessage({ event: "portal-query" });
        }
      });
      observer.observe({ type: "resource" });
    } else if (!on && observer) {
      observer.disconnect();
      observer = null;
    }
    return { watching: observer !== null };
  }

  async function serve(port, message) {
    const { id, op } = message || {};
    if (typeof id !== "number") return;
    let reply;
    if (op === "api") {
      reply = await apiRequest(message);
    } else if (op === "refresh-token") {
      reply = await refreshToken();
    } else if (op === "watch-queries") {
      reply = watchQueries(port, message.on === true);
    } else if (op === "page-info") {
      reply = { url: location.href, tenantHint: new URLSearchParams(location.search).get("tid") };
    } else {
      reply = { error: "refused", message: `unknown op: ${String(op)}` };
    }
    reply.id = id;
    port.postMessage(reply, reply.body instanceof ArrayBuffer ? [reply.body] : []);
  }

  function randomNonce() {
    const bytes = new Uint8Array(32);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function start() {
    const nonce = randomNonce();
    // The service worker remembers the nonce for this tab; the engine frame
    // asks for it and it is forgotten on first use.
    await chrome.runtime.sendMessage({ type: "agent-hello", nonce });

    const frame = document.createElement("iframe");
    const engineUrl = chrome.runtime.getURL("extension/engine.html");
    frame.src = engineUrl;
    frame.setAttribute("aria-hidden", "true");
    frame.tabIndex = -1;
    frame.style.cssText = "position:fixed;width:0;height:0;border:0;opacity:0;pointer-events:none";
    frame.addEventListener(
      "load",
      () => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => serve(channel.port1, event.data);
        // targetOrigin pins delivery to the extension origin: if the page
        // navigates the frame elsewhere, the port is simply not delivered.
        frame.contentWindow.postMessage({ type: "huntkit-agent-port", nonce }, new URL(engineUrl).origin, [
          channel.port2,
        ]);
      },
      { once: true },
    );
    document.documentElement.appendChild(frame);
  }

  start().catch((e) => console.warn("[huntkit] page agent did not start:", String((e && e.message) || e)));
})();
