// Requests to the page agent over the accepted MessagePort. Bodies travel
// as transferred ArrayBuffers: no copy, no JSON, no 64 MiB message limit.

export function agentClient(port) {
  let nextId = 1;
  const pending = new Map();
  port.onmessage = (event) => {
    const reply = event.data;
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
