// Events from this engine to the side panel. The panel accepts them only
// when the browser-filled sender is the tab it is attached to.

export function notifyPanel(event, fields) {
  chrome.runtime.sendMessage({ type: "engine-event", event, ...fields }).catch(() => {
    // No panel is open: nothing to tell, and the job goes on.
  });
}

/**
 * Calls `send(value)` at most every `ms` milliseconds, always with the
 * latest value. `cancel()` drops a pending call, so that a final event sent
 * afterwards is not overtaken by a stale one.
 */
export function throttled(send, ms) {
  let latest;
  let timer = null;
  const call = (value) => {
    latest = value;
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      send(latest);
    }, ms);
  };
  call.cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  return call;
}
