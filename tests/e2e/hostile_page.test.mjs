// A hostile portal page: its script offers forged ports to the engine frame,
// makes its own engine frame and forges replies. It must get nothing, and
// the analyst's results must be the portal's, not the page's.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchBrowser, localInput, openPanel, signIn, startStandin } from "./harness.mjs";

let standin;
let browser;

before(async () => {
  standin = await startStandin();
  browser = await launchBrowser(standin);
});

after(async () => {
  await browser?.close();
  standin?.stop();
});

test("a page script cannot talk to the engine, and cannot change what the panel shows", async () => {
  const portal = await browser.context.newPage();
  await signIn(portal, { attack: true });
  const { panel } = await openPanel(browser, portal);
  await panel.waitForSelector("#session[data-state=live]", { timeout: 20_000 });

  const now = Date.parse(standin.now);
  await panel.fill("#query", "DeviceProcessEvents | take 50");
  await panel.selectOption("#range", "custom");
  await panel.fill("#start", localInput(now - 30 * 86400e3));
  await panel.fill("#end", localInput(now));
  await panel.click("#run");
  await panel.waitForFunction(() => document.querySelector("#run").textContent === "Run");
  assert.equal(await panel.isVisible("#banner"), false);
  assert.match(await panel.textContent("#summary"), /^50 rows · /);

  let reports = [];
  for (let i = 0; i < 100 && reports.length === 0; i += 1) {
    await new Promise((r) => setTimeout(r, 100));
    reports = (await standin.control("GET", "/_standin/report")).json();
  }
  assert.equal(reports.length, 1, "the attacker script did not report");
  const [report] = reports;
  assert.ok(report.framesSeen > 0, "the attacker never saw the engine frame");
  assert.ok(report.portsOffered > 1, "the attacker offered no ports");
  assert.equal(report.ownFrames, 1);
  assert.deepEqual(report.received, [], "the attacker's ports received messages");

  // The genuine engine still answers after the attack.
  await panel.click("#run");
  await panel.waitForFunction(() => document.querySelector("#run").textContent === "Run");
  assert.match(await panel.textContent("#summary"), /^50 rows · /);
});
