// `make demo`: huntkit's main job on the built-in demo tenant. Starts the
// stand-in portal, opens Chromium with the extension, signs in, runs a query
// from the side panel, exports it as CSV and prints where the file landed.
//
//   make demo                       headless
//   make demo DEMO_ARGS=--headed    a visible browser (needs a display)
//   make demo DEMO_ARGS='--query "DeviceNetworkEvents | take 5000"'

import fs from "node:fs";
import path from "node:path";
import { ROOT, launchBrowser, localInput, openPanel, signIn, startStandin, waitForDownload } from "./harness.mjs";

const args = process.argv.slice(2);
const headed = args.includes("--headed");
const queryAt = args.indexOf("--query");
const query = queryAt >= 0 ? args[queryAt + 1] : "DeviceProcessEvents | take 10000";

const standin = await startStandin();
const browser = await launchBrowser(standin, { headless: !headed });
try {
  console.log(`stand-in portal on 127.0.0.1:${standin.port} (tenant ${standin.tenantId})`);
  const portal = await browser.context.newPage();
  await signIn(portal);
  const { panel } = await openPanel(browser, portal);
  await panel.waitForSelector("#session[data-state=live]", { timeout: 30_000 });

  const now = Date.parse(standin.now);
  await panel.fill("#query", query);
  await panel.selectOption("#range", "custom");
  await panel.fill("#start", localInput(now - 30 * 86400e3));
  await panel.fill("#end", localInput(now));
  await panel.click("#run");
  await panel.waitForFunction(() => document.querySelector("#run").textContent === "Run", null, { timeout: 120_000 });
  if (await panel.isVisible("#banner")) throw new Error(await panel.textContent("#banner"));
  console.log(`query: ${query}`);
  console.log(`result: ${await panel.textContent("#summary")}`);

  await panel.click("#export-csv");
  await panel.waitForFunction(() => /^Saved /.test(document.querySelector("#export-status").textContent), null, { timeout: 120_000 });
  const file = await waitForDownload(browser.downloads, (f) => f.endsWith(".csv"));
  const outDir = path.join(ROOT, "demo-output");
  fs.mkdirSync(outDir, { recursive: true });
  const target = path.join(outDir, path.basename(file));
  fs.copyFileSync(file, target);
  console.log(`exported ${fs.statSync(target).size.toLocaleString("en-US")} bytes to ${target}`);
} finally {
  await browser.close();
  standin.stop();
}
