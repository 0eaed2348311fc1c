// Requests to the page agent over the accepted MessagePort. Bodies travel
// as transferred ArrayBuffers: no copy, no JSON, no 64 MiB message limit.
// The agent may also send events of its own (`{event}`, no id); they go to
// `onEvent`.

export function agentClient(port, onEvent = () => {}) {
  let nextId = 1;
  const pending = new Map();
  port.onmessage = (event) => {
    const reply = event.data;
    if (reply && typeof reply.event === "string" && reply.id === undefined) {
      onEvent(reply.event);
      return;
    }
    const settle = reply && pending.get(reply.id);
    if (!settle) return;
    pending.delete(reply.id);
    settle(reply);
  };
  return function call(op, fields = {}, transfer = []) {
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      port.postMessage({ ...fields, id, op }, transfer);
    });
  };
}
