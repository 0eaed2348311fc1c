// Shared pieces of the browser tests and the demo: the stand-in portal as a
// child process, Chromium with the built extension loaded, sign-in, and the
// side panel opened as a page attached to the portal tab.
//
// Everything here talks to loopback only, and everything it starts is stopped
// when the test ends (the stand-in also exits when our stdin pipe closes).

import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const DIST = path.resolve(ROOT, process.env.HUNTKIT_DIST || "dist");
export const PORTAL = "https://security.microsoft.com";
export const EXTENSION_ID = "blgdgoghbleknmkhonmbkmhgohlikjmo"; // pinned by the manifest "key"

const STANDIN_BIN = path.join(ROOT, "target/release/standin");

/** Builds the stand-in (release: it serves 100 MB bodies) once per process. */
let built = false;
function buildStandin() {
  if (built) return;
  execFileSync("cargo", ["build", "-q", "--release", "-p", "huntkit-standin"], { cwd: ROOT, stdio: "inherit" });
  built = true;
}

export async function startStandin(args = []) {
  buildStandin();
  const child = spawn(STANDIN_BIN, ["--port", "0", "--exit-on-stdin-eof", "--lifetime-secs", "1800", ...args], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const info = await new Promise((resolve, reject) => {
    let buffered = "";
    child.stdout.on("data", (chunk) => {
      buffered += chunk;
      const newline = buffered.indexOf("\n");
      if (newline >= 0) resolve(JSON.parse(buffered.slice(0, newline)));
    });
    child.on("exit", (code) => reject(new Error(`stand-in exited early with ${code}`)));
  });
  return {
    ...info,
    child,
    control: (method, route, body) => control(info.port, method, route, body),
    stop() {
      child.stdin.end();
      child.kill();
    },
  };
}

/** A request to the stand-in's control API or its API, straight over HTTPS. */
export function control(port, method, route, body) {
  const payload = body === undefined ? null : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: "127.0.0.1",
        port,
        method,
        path: route,
        servername: "security.microsoft.com",
        // The stand-in's certificate is self-signed and made at its start;
        // this only ever talks to that loopback server.
        rejectUnauthorized: false,
        headers: payload ? { "content-type": "application/json", "content-length": payload.length } : {},
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const bytes = Buffer.concat(chunks);
          resolve({ status: res.statusCode, headers: res.headers, bytes, text: () => bytes.toString("utf8"), json: () => JSON.parse(bytes.toString("utf8")) });
        });
      },
    );
    req.on("error", reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/**
 * Chromium with dist/ loaded, resolving the portal's hostname to the stand-in.
 * `profile`: a profile directory to reuse (a browser restart keeps what the
 * extension stored); the caller then removes it. Without it, a fresh profile
 * is made and removed on close.
 */
export async function launchBrowser(standin, { headless = true, profile: reuse = null } = {}) {
  if (!fs.existsSync(path.join(DIST, "manifest.json"))) throw new Error("dist/ is missing: run `make build` first");
  const profile = reuse || fs.mkdtempSync(path.join(os.tmpdir(), "huntkit-profile-"));
  const downloads = fs.mkdtempSync(path.join(os.tmpdir(), "huntkit-downloads-"));
  fs.mkdirSync(path.join(profile, "Default"), { recursive: true });
  const preferences = path.join(profile, "Default", "Preferences");
  let prefs = {};
  try {
    prefs = JSON.parse(fs.readFileSync(preferences, "utf8"));
  } catch {
    prefs = {};
  }
  prefs.download = { ...(prefs.download || {}), default_directory: downloads, prompt_for_download: false };
  fs.writeFileSync(preferences, JSON.stringify(prefs));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless,
    ignoreDefaultArgs: ["--disable-extensions"],
    acceptDownloads: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--load-extension=${DIST}`,
      `--disable-extensions-except=${DIST}`,
      `--host-resolver-rules=MAP security.microsoft.com 127.0.0.1:${standin.port}`,
      `--ignore-certificate-errors-spki-list=${standin.spki}`,
    ],
  });
  const worker = context.serviceWorkers()[0] || (await context.waitForEvent("serviceworker"));
  // Playwright takes over downloads (random names, or cancelled); hand them
  // back to Chrome so files land under their own names in the folder the
  // profile's Preferences name, as in an analyst's browser.
  const cdp = await context.newCDPSession(context.pages()[0] || (await context.newPage()));
  await cdp.send("Browser.setDownloadBehavior", { behavior: "default" });
  return {
    context,
    worker,
    downloads,
    profile,
    async close() {
      await context.close();
      if (!reuse) fs.rmSync(profile, { recursive: true, force: true });
      fs.rmSync(downloads, { recursive: true, force: true });
    },
  };
}

/** Signs in through the stand-in's sign-in page and lands on Advanced Hunting. */
export async function signIn(page, { attack = false } = {}) {
  await page.goto(`${PORTAL}/`);
  await page.click("#signin");
  await page.waitForURL(/\/v2\/advanced-hunting/);
  if (attack) await page.goto(`${page.url()}&attack=1`);
}

/** The Chrome tab id of a page, from the extension's service worker. */
export async function tabIdOf(browser, page) {
  const url = page.url();
  return browser.worker.evaluate(async (u) => {
    const tabs = await chrome.tabs.query({});
    const tab = tabs.find((t) => t.url === u);
    return tab ? tab.id : null;
  }, url);
}

/** The side panel, opened as a page attached to the given portal tab. */
export async function openPanel(browser, portalPage) {
  const tabId = await tabIdOf(browser, portalPage);
  if (!tabId) throw new Error(`no tab id for ${portalPage.url()}`);
  const panel = await browser.context.newPage();
  await panel.goto(`chrome-extension://${EXTENSION_ID}/www/sidepanel.html?tabId=${tabId}`);
  return { panel, tabId };
}

/** Waits until a file appears in the downloads folder and is complete. */
export async function waitForDownload(dir, predicate = () => true, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const done = fs.readdirSync(dir).filter((f) => !f.endsWith(".crdownload") && predicate(f));
    if (done.length) return path.join(dir, done[0]);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no download in ${dir} after ${timeoutMs} ms (have: ${fs.readdirSync(dir).join(", ")})`);
}

/** Formats epoch milliseconds as the panel's datetime-local value (UTC). */
export function localInput(ms) {
  return new Date(ms).toISOString().slice(0, 23);
}
