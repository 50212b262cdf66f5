// Scenario 5 — peak RSS of rebuilding the cross-fund summary from the biggest log,
// against the peak RSS of a plain paged readAll of the same log. Each run is a
// fresh process (bench/memory-child.ts), so maxRSS is that run's alone and not
// the bench's own heap from writing the log.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { alternate, figure, round, side, type Figure } from './harness.js';
import type { RebuildReport } from './projection.js';

const execFileAsync = promisify(execFile);
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const PROJECT_ROOT = path.dirname(BENCH_DIR);
const MIB = 2 ** 20;
/**
 * Heap limit for the child, MiB. Node's default here is about 4 GiB, which the
 * summary of a 1M-event log comes close to (docs/bench.md): raised so the run
 * reports the figure instead of dying on it.
 */
export const CHILD_HEAP_MIB = 12_288;

export interface ChildReport {
  units: number;
  seconds: number;
  /** process.resourceUsage().maxRSS: the child's peak RSS. */
  maxRssBytes: number;
  /** RSS once the store was open, before the work. */
  rssStartBytes: number;
  /** Highest RSS seen by a 20 ms sampler during the work. */
  sampledPeakRssBytes: number;
  /** V8 heap in use at the end (the projection still alive for a rebuild). */
  heapUsedBytes: number;
  rebuild?: RebuildReport;
}

export async function runChild(mode: 'rebuild' | 'readall', dataDir: string, pageSize: number): Promise<ChildReport> {
  const { stdout } = await execFileAsync(
    process.execPath,
    [`--max-old-space-size=${CHILD_HEAP_MIB}`, '--import', 'tsx', path.join(BENCH_DIR, 'memory-child.ts'), mode, dataDir, String(pageSize)],
    { cwd: PROJECT_ROOT, maxBuffer: 1 << 20, timeout: 15 * 60_000 },
  );
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as ChildReport;
}

/** Fresh-process runs of both sides, when the projection scenario did not already make them. */
export async function memoryRuns(dataDir: string, repetitions: number, pageSize: number): Promise<{ rebuild: ChildReport[]; readAll: ChildReport[] }> {
  const rebuild: ChildReport[] = [];
  const readAll: ChildReport[] = [];
  await alternate(
    async () => {
      const r = await runChild('rebuild', dataDir, pageSize);
      rebuild.push(r);
      return { units: r.units, seconds: r.seconds };
    },
    async () => {
      const r = await runChild('readall', dataDir, pageSize);
      readAll.push(r);
      return { units: r.units, seconds: r.seconds };
    },
    { repetitions, warmups: 0 },
  );
  return { rebuild, readAll };
}

export function memoryFigure(size: number, runs: { rebuild: ChildReport[]; readAll: ChildReport[] }): Figure {
  const mib = (rs: ChildReport[], pick: (r: ChildReport) => number): number[] => rs.map((r) => pick(r) / MIB);
  const events = runs.rebuild[0]?.units ?? size;
  const peak = mib(runs.rebuild, (r) => r.maxRssBytes);
  const start = mib(runs.rebuild, (r) => r.rssStartBytes);
  return figure({
    scenario: 'memory',
    name: 'peak RSS, summary rebuild',
    size,
    unit: 'MiB',
    higherIsBetter: false,
    measured: side('rebuild (fresh process)', peak),
    baseline: side('paged readAll (fresh process)', mib(runs.readAll, (r) => r.maxRssBytes)),
    extra: {
      rssAtStartMiB: round(Math.min(...start), 0),
      heapAfterMiB: round(Math.max(...mib(runs.rebuild, (r) => r.heapUsedBytes)), 0),
      bytesPerEvent: round(((Math.max(...peak) - Math.min(...start)) * MIB) / events, 0),
    },
    note: 'process.resourceUsage().maxRSS of a child that opens the store and does only this',
  });
}
