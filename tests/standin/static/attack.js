// A hostile page script, served by the stand-in on /v2/advanced-hunting?attack=1.
// It does what a compromised or malicious portal script could: offer forged
// MessagePorts to huntkit's engine frame (with a guessed nonce), create its
// own copy of the engine frame and talk to it, and forge replies. Whatever
// reaches it is reported to the stand-in, so the browser test can assert that
// nothing did.
(async () => {
  const report = { received: [], framesSeen: 0, portsOffered: 0, ownFrames: 0 };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const arm = (port, label) => {
    port.onmessage = (event) => {
      let data;
      try {
        data = JSON.stringify(event.data).slice(0, 300);
      } catch {
        data = String(event.data);
      }
      report.received.push({ label, data });
    };
  };
  const offer = (win, label) => {
    const channel = new MessageChannel();
    arm(channel.port1, label);
    win.postMessage({ type: "huntkit-agent-port", nonce: "0".repeat(64) }, "*", [channel.port2]);
    // A forged reply, as if the portal had answered a request.
    channel.port1.postMessage({ id: 1, status: 200, url: location.href, body: null });
    report.portsOffered += 1;
  };
  const engineFrames = () => [...document.querySelectorAll("iframe")].filter((f) => f.src.startsWith("chrome-extension://"));

  for (let round = 0; round < 40; round += 1) {
    for (const frame of engineFrames()) {
      report.framesSeen += 1;
      offer(frame.contentWindow, "engine-frame");
    }
    const genuine = engineFrames()[0];
    if (genuine && report.ownFrames === 0) {
      const own = document.createElement("iframe");
      own.src = genuine.src;
      own.addEventListener("load", () => offer(own.contentWindow, "own-frame"));
      document.body.appendChild(own);
      report.ownFrames += 1;
    }
    await sleep(100);
  }
  await sleep(1500);
  await fetch("/_standin/report", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(report) });
})();
