// The bench code runs end to end on a tiny log and yields a well-formed result.
// No timing assertions: only that every scenario is there with positive numbers.
import t from 'tap';
import { runBench } from '../../bench/bench.js';
import { tinyConfig, SCENARIOS } from '../../bench/config.js';
import { formatMarkdown, formatTable } from '../../bench/report.js';
import { median } from '../../bench/harness.js';

t.test('median', async (t) => {
  t.equal(median([3, 1, 2]), 2);
  t.equal(median([4, 1, 3, 2]), 2.5);
  t.throws(() => median([]));
});

t.test('every scenario runs on a tiny log and reports positive figures', async (t) => {
  const config = tinyConfig();
  const result = await runBench(config);
  t.strictSame(result.sizes, config.sizes);
  t.ok(result.machine.cpuCount > 0, 'machine recorded');
  t.match(result.machine.node, /^v\d+/);
  for (const scenario of SCENARIOS) {
    t.ok(result.figures.some((f) => f.scenario === scenario), `${scenario} present`);
  }
  for (const size of config.sizes) {
    t.ok(result.figures.some((f) => f.scenario === 'projection' && f.size !== undefined && f.size >= size), `projection at ${size}`);
    t.ok(result.figures.some((f) => f.scenario === 'settlement' && f.size !== undefined && f.size >= size), `settlement at ${size}`);
  }
  for (const size of config.fold.sizes) {
    t.ok(result.figures.some((f) => f.scenario === 'fold' && f.size === size && (f.extra?.['domainFoldNsPerEvent'] ?? 0) > 0), `fold at ${size}`);
  }
  for (const name of ['bytes on disk per event', 'append 1 event, two instances on one file']) {
    t.ok(result.figures.some((f) => f.scenario === 'store' && f.name === name), `store: ${name}`);
  }
  t.match(result.figures.find((f) => f.scenario === 'flood')?.extra, { healthzMaxMs: Number, asOfMaxMs: Number, streamEvents: Number }, 'flood reports each probe');
  for (const f of result.figures) {
    const label = `${f.scenario} / ${f.name} / ${f.size ?? '-'}`;
    t.ok(Number.isFinite(f.measured.median) && f.measured.median > 0, `${label}: measured > 0`);
    t.ok(Number.isFinite(f.baseline.median) && f.baseline.median > 0, `${label}: baseline > 0`);
    t.ok(Number.isFinite(f.ratio) && f.ratio > 0, `${label}: ratio > 0`);
    t.ok(f.measured.samples.length >= 1 && f.baseline.samples.length >= 1, `${label}: samples`);
  }
  const table = formatTable(result.figures);
  t.equal(table.split('\n').length, result.figures.length + 2, 'one table row per figure');
  t.match(formatMarkdown(result.figures), /^\| scenario \|/);
  t.doesNotThrow(() => JSON.parse(JSON.stringify(result)), 'serialisable');
});
