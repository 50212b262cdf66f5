// Run in a fresh process by bench/memory.ts so its peak RSS belongs to one job only:
//   tsx bench/memory-child.ts <rebuild|readall> <dataDir> <pageSize>
// Prints one JSON line (a ChildReport).
import { performance } from 'node:perf_hooks';
import { openEmbeddedStore } from './open-store.js';
import { readAllPaged } from './store.js';
import { rebuildSummary } from './projection.js';
import type { ChildReport } from './memory.js';

async function main(): Promise<void> {
  const [mode, dataDir, pageText] = process.argv.slice(2);
  if ((mode !== 'rebuild' && mode !== 'readall') || dataDir === undefined) {
    throw new Error('usage: memory-child.ts <rebuild|readall> <dataDir> [pageSize]');
  }
  const store = await openEmbeddedStore(dataDir);
  const rssStartBytes = process.memoryUsage.rss();
  let sampledPeakRssBytes = rssStartBytes;
  const sampler = setInterval(() => {
    sampledPeakRssBytes = Math.max(sampledPeakRssBytes, process.memoryUsage.rss());
  }, 20);
  const start = performance.now();
  const rebuild = mode === 'rebuild' ? await rebuildSummary(store) : undefined;
  const units = rebuild?.events ?? (await readAllPaged(store, Number(pageText ?? '1000')));
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  sampledPeakRssBytes = Math.max(sampledPeakRssBytes, process.memoryUsage.rss());
  const heapUsedBytes = process.memoryUsage().heapUsed;
  await store.close();
  const report: ChildReport = {
    units,
    seconds,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    rssStartBytes,
    sampledPeakRssBytes,
    heapUsedBytes,
    ...(rebuild === undefined ? {} : { rebuild }),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
