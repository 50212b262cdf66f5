// Rebuilds the cross-fund summary projection from the whole log:
//   npx tsx src/cli/rebuild-summary.ts
// Reads DATA_DIR (and EVENTSTORE_URL, if set) like the server; writes
// DATA_DIR/fund-summary-projection.json with a fresh checkpoint. Run it with the
// server stopped: a running server keeps its own copy and would write it back.
import { loadConfig } from '../config.js';
import { SummaryProjection, summaryFile } from '../app/summary.js';
import { openStore } from '../store/index.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const store = openStore({ dataDir: config.dataDir, ...(config.eventStoreUrl === undefined ? {} : { eventStoreUrl: config.eventStoreUrl }) });
  try {
    const file = summaryFile(config.dataDir);
    const projection = new SummaryProjection({ store, file });
    const started = Date.now();
    await projection.rebuild();
    const count = projection.list().length;
    const checkpoint = projection.checkpoint === null ? 'none (empty log)' : projection.checkpoint.toString();
    process.stdout.write(`rebuilt ${file}: ${count} fund-year(s), checkpoint ${checkpoint}, ${Date.now() - started} ms\n`);
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`rebuild-summary failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
