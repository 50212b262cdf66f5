// Timing harness: every figure is a measured side and a baseline side, run in the
// same process, alternated (A B B A …) so that a noisy neighbour or a slow drift
// hurts both sides alike; the median of each side is reported, and their ratio.
import os from 'node:os';
import { performance } from 'node:perf_hooks';

/** One timed run: how many units of work it did and how long it took. */
export interface Run {
  units: number;
  seconds: number;
}

export interface Side {
  /** What this side is, e.g. "service via inject" or "raw better-sqlite3". */
  label: string;
  /** Median of the samples, in the figure's unit. */
  median: number;
  samples: number[];
}

export interface Figure {
  scenario: 'append' | 'store' | 'projection' | 'settlement' | 'memory' | 'fold' | 'flood';
  /** Short name, unique within the scenario and size. */
  name: string;
  /** Events in the log when it matters (projection, settlement, memory). */
  size?: number;
  /** "returns/s", "events/s", "ms", "MiB", … */
  unit: string;
  /** true for throughputs; false for times and memory (smaller is better). */
  higherIsBetter: boolean;
  measured: Side;
  baseline: Side;
  /**
   * Measured relative to the baseline, oriented so that 1 means "as good as the
   * baseline" and 0.5 means "half as good": measured/baseline for throughputs,
   * baseline/measured for times and memory.
   */
  ratio: number;
  /** Derived figures worth a column, e.g. nanoseconds per event. */
  extra?: Record<string, number>;
  note?: string;
}

export interface Machine {
  cpuModel: string;
  cpuCount: number;
  cpuSpeedMHz: number;
  totalMemoryGiB: number;
  platform: string;
  release: string;
  arch: string;
  node: string;
  /** 1, 5 and 15 minute load averages when the run started and ended. */
  loadAverageStart: number[];
  loadAverageEnd?: number[];
  /** Highest 1-minute load average seen (sampled every 5 s) during the run: > cpuCount means a busy machine. */
  loadAverageMax1m?: number;
}

export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  quick: boolean;
  sizes: number[];
  machine: Machine;
  figures: Figure[];
}

export function machineInfo(): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    cpuSpeedMHz: cpus[0]?.speed ?? 0,
    totalMemoryGiB: round(os.totalmem() / 2 ** 30, 1),
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
    node: process.version,
    loadAverageStart: os.loadavg().map((n) => round(n, 2)),
  };
}

export function median(values: number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function round(value: number, places: number): number {
  const f = 10 ** places;
  return Math.round(value * f) / f;
}

/** Times one call of `work`, which returns how many units it did. */
export async function timeRun(work: () => Promise<number> | number): Promise<Run> {
  const start = performance.now();
  const units = await work();
  const seconds = (performance.now() - start) / 1000;
  return { units, seconds };
}

export interface AlternateOptions {
  repetitions: number;
  /** Untimed runs of each side first (JIT, page cache). Default: defaultWarmups. */
  warmups?: number;
}

let defaultWarmups = 1;
/** The run's warm-up count (the test suite's tiny run uses none). */
export function setDefaultWarmups(n: number): void {
  defaultWarmups = n;
}

export function getDefaultWarmups(): number {
  return defaultWarmups;
}

/**
 * Runs the two sides alternately, ABBA order, and returns each side's runs.
 * A side is a function doing one run of work and returning its Run.
 */
export async function alternate(
  measured: () => Promise<Run>,
  baseline: () => Promise<Run>,
  options: AlternateOptions,
): Promise<{ measured: Run[]; baseline: Run[] }> {
  const warmups = options.warmups ?? defaultWarmups;
  for (let i = 0; i < warmups; i++) {
    await measured();
    await baseline();
  }
  const m: Run[] = [];
  const b: Run[] = [];
  for (let i = 0; i < options.repetitions; i++) {
    if (i % 2 === 0) {
      m.push(await measured());
      b.push(await baseline());
    } else {
      b.push(await baseline());
      m.push(await measured());
    }
  }
  return { measured: m, baseline: b };
}

export function throughputs(runs: Run[]): number[] {
  return runs.map((r) => {
    if (r.seconds <= 0 || r.units <= 0) throw new RangeError(`a run did no measurable work: ${JSON.stringify(r)}`);
    return r.units / r.seconds;
  });
}

export function side(label: string, samples: number[]): Side {
  return { label, median: median(samples), samples: samples.map((s) => round(s, 3)) };
}

export interface FigureSpec {
  scenario: Figure['scenario'];
  name: string;
  size?: number;
  unit: string;
  higherIsBetter: boolean;
  measured: Side;
  baseline: Side;
  extra?: Record<string, number>;
  note?: string;
}

export function figure(spec: FigureSpec): Figure {
  const { measured, baseline } = spec;
  const ratio = spec.higherIsBetter ? measured.median / baseline.median : baseline.median / measured.median;
  const out: Figure = { ...spec, ratio: round(ratio, 3) };
  if (!Number.isFinite(out.ratio) || out.ratio <= 0) throw new RangeError(`figure ${spec.name}: ratio ${ratio} is not a positive number`);
  return out;
}

/** A throughput figure from two sets of runs (units per second). */
export function throughputFigure(
  spec: Omit<FigureSpec, 'measured' | 'baseline' | 'higherIsBetter'>,
  labels: { measured: string; baseline: string },
  runs: { measured: Run[]; baseline: Run[] },
): Figure {
  return figure({
    ...spec,
    higherIsBetter: true,
    measured: side(labels.measured, throughputs(runs.measured)),
    baseline: side(labels.baseline, throughputs(runs.baseline)),
  });
}

/** Gives the event loop and the collector a breath between heavy runs. */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) gc();
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
