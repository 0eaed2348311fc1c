// Panel calls for single queries: session status and run. Each run is also
// written to the history (context.history); exports are in exports.js.

export function queryHandlers({ engine, tabId, history }) {
  return {
    status: () => engine.status().then((s) => ({ ...s, tabId })),
    runQuery: async (args) => {
      const startedAtMs = Date.now();
      try {
        const summary = await engine.runQuery(args);
        history.recordRun(args, startedAtMs, summary, null);
        return summary;
      } catch (error) {
        history.recordRun(args, startedAtMs, null, error);
        throw error;
      }
    },
  };
}
