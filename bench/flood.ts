// Scenario "flood" — the slowest single request while ONE partner floods its own fund-year
// with corrections as fast as it can (autocannon, several connections, client in a worker
// thread), and another client (a second worker thread) times GET /healthz, GET positions and
// GET positions?asOfRevision= one after the other. The fund-year's stream already holds
// `prefill` events, so the asOfRevision read folds a long prefix from the store every time.
// Baseline: the same probe with no flood. The figure is the maximum latency seen: what one
// partner acting within its rights can cost everyone else. The app runs as src/main.ts
// builds it (summary file in the data dir), with the default per-fund-year event limit.
// The server's event-loop delay is recorded too: its maximum is the longest stretch of
// synchronous work any request could have waited behind.
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import { createFundYearService } from '../src/app/service.js';
import { fundYearStream } from '../src/domain/fundyear/ids.js';
import { buildApp } from '../src/http/app.js';
import { hashKey, type KeyRecord } from '../src/http/auth.js';
import { figure, log, median, side, type Figure } from './harness.js';
import { YEAR, fundId, returnBody } from './fixtures.js';
import { growStream } from './fold.js';
import { ADMIN, context, writeOpenFundYear } from './log-builder.js';
import { openEmbeddedStore } from './open-store.js';
import { makeTempDir, removeTempDir } from './tmp.js';

export interface FloodOptions {
  /** Events in the fund-year's stream before the flood starts. */
  prefill: number;
  /** Seconds of probing, with and without the flood. */
  seconds: number;
  /** The flooding partner's connections. */
  connections: number;
}

const KEYS = { ccg: 'bench-flood-ccg-key-0123456789abcdef', auditor: 'bench-flood-audit-key-0123456789abcd' };

interface ProbeResult {
  latencies: Record<string, number[]>;
  failures: string[];
}

function probe(base: string, paths: string[], seconds: number): Promise<ProbeResult> {
  const worker = new Worker(new URL('./flood-probe.mjs', import.meta.url), {
    workerData: { base, paths, seconds, authorization: `Bearer ${KEYS.auditor}` },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (result: ProbeResult) => resolve(result));
    worker.once('error', reject);
  });
}

const maxOf = (values: number[]): number => values.reduce((a, b) => Math.max(a, b), 0);
const p99 = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(values.length * 0.99) - 1)] ?? 0;

export async function floodScenario(o: FloodOptions): Promise<Figure[]> {
  const dir = makeTempDir('flood');
  const store = await openEmbeddedStore(dir);
  const service = createFundYearService({ store, dataDir: dir });
  const keys: KeyRecord[] = [
    { keySha256: hashKey(KEYS.ccg), name: 'ccg-finance', role: 'partner', partnerId: 'ccg', funds: ['*'] },
    { keySha256: hashKey(KEYS.auditor), name: 'bench-audit', role: 'auditor', funds: ['*'] },
  ];
  const app = await buildApp({ service, keys, logger: { level: 'info', stream: fs.createWriteStream('/dev/null') } });
  const listFile = path.join(dir, 'flood-requests.json');
  const previousListEnv = process.env['POOLSHARE_BENCH_REQUESTS'];
  try {
    const ref = { fundId: fundId(0), year: YEAR };
    const stream = fundYearStream(ref.fundId, ref.year);
    await writeOpenFundYear(service, ref, 0);
    await growStream(store, stream, o.prefill);
    const fy = `/v1/funds/${ref.fundId}/years/${YEAR}`;
    const paths = ['/healthz', `${fy}/positions`, `${fy}/positions?asOfRevision=${Math.floor(o.prefill / 2)}`];
    const posts = Array.from({ length: 240 }, (_, i) => ({ path: `${fy}/returns`, authorization: `Bearer ${KEYS.ccg}`, body: JSON.stringify(returnBody(0, (i % 12) + 1, i + 1, true)) }));
    fs.writeFileSync(listFile, JSON.stringify(posts));
    process.env['POOLSHARE_BENCH_REQUESTS'] = listFile;
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    // As on a running server: the stream cached, the summary caught up with the prefilled log.
    await service.positions(context(ADMIN), ref);
    await service.summary.waitFor((await store.headPosition())!, 600_000);

    log(`flood: probe alone for ${o.seconds} s on a stream of ${o.prefill} events`);
    const idle = await probe(base, paths, o.seconds);
    log(`flood: probe while one partner floods with ${o.connections} connections for ${o.seconds} s`);
    // The server's longest stall: the most any request could have waited behind synchronous work.
    const stalls = monitorEventLoopDelay({ resolution: 10 });
    stalls.enable();
    const flooding = autocannon({
      url: base, connections: o.connections, duration: o.seconds + 0.5, workers: 1, timeout: 60,
      requests: [{ method: 'POST', setupRequest: path.join(path.dirname(new URL(import.meta.url).pathname), 'autocannon-setup.cjs') }],
    });
    const loaded = await probe(base, paths, o.seconds);
    const flood = await flooding;
    stalls.disable();
    const failures = [...idle.failures, ...loaded.failures];
    if (failures.length > 0) throw new Error(`flood probe: ${failures.slice(0, 5).join('; ')}`);
    const streamEvents = (await store.readStream(stream, { direction: 'backwards', maxCount: 1 }))[0]!.revision + 1n;
    const all = (r: ProbeResult) => Object.values(r.latencies).flat();
    const perPath = (r: ProbeResult, i: number) => r.latencies[paths[i]!] ?? [];
    return [figure({
      scenario: 'flood', name: 'slowest single request under a one-partner flood', size: o.prefill, unit: 'ms', higherIsBetter: false,
      measured: side('max latency, healthz + positions (+asOf), while flooded', [maxOf(all(loaded))]),
      baseline: side('max latency, same probe, no flood', [maxOf(all(idle))]),
      extra: {
        healthzMaxMs: Math.round(maxOf(perPath(loaded, 0))),
        positionsMaxMs: Math.round(maxOf(perPath(loaded, 1))),
        asOfMaxMs: Math.round(maxOf(perPath(loaded, 2))),
        eventLoopStallMaxMs: Math.round(stalls.max / 1e6),
        p99Ms: Math.round(p99(all(loaded))),
        medianMs: Math.round(median(all(loaded))),
        probes: all(loaded).length,
        floodPosts: flood['2xx'],
        floodRefused: flood.non2xx,
        streamEvents: Number(streamEvents),
      },
    })];
  } finally {
    if (previousListEnv === undefined) delete process.env['POOLSHARE_BENCH_REQUESTS'];
    else process.env['POOLSHARE_BENCH_REQUESTS'] = previousListEnv;
    await app.close();
    await service.close();
    await store.close();
    removeTempDir(dir);
  }
}
