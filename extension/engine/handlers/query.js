// Panel calls for single queries: session status and run. Exports are in
// exports.js.

export function queryHandlers({ engine, tabId }) {
  return {
    status: () => engine.status().then((s) => ({ ...s, tabId })),
    runQuery: (args) => engine.runQuery(args),
  };
}
