// How big and how long each scenario runs: the full run (`npm run bench`), the
// quick one (`--quick`) and the tiny one the test suite uses.
import type { StoreScenarioOptions } from './store.js';
import type { FoldOptions } from './fold.js';
import type { FloodOptions } from './flood.js';
import type { DiskOptions } from './disk-and-instances.js';

export type ScenarioName = 'append' | 'store' | 'projection' | 'settlement' | 'memory' | 'fold' | 'flood';
export const SCENARIOS: readonly ScenarioName[] = ['append', 'store', 'projection', 'settlement', 'memory', 'fold', 'flood'];

export interface HttpOptions {
  /** Returns posted per timed inject run, at most, and seconds per run, at most. */
  injectRequests: number;
  injectSeconds: number;
  /** Seconds per autocannon run, and its connections. */
  autocannonSeconds: number;
  connections: number;
  repetitions: number;
  /** Open fund-years the posts are spread over (so no stream grows long). */
  fundYears: number;
}

export interface BenchConfig {
  quick: boolean;
  /** Log sizes (events) for the projection and settlement scenarios, ascending. */
  sizes: number[];
  scenarios: ReadonlySet<ScenarioName>;
  /** Timed runs per side per figure, after `warmups` untimed ones. */
  repetitions: number;
  warmups: number;
  /** Timed runs per side once the log holds this many events or more (they are long). */
  largeSize: number;
  largeRepetitions: number;
  /** Settlements per timed run. */
  settlementsPerRun: number;
  http: HttpOptions;
  store: StoreScenarioOptions;
  /** Bytes on disk per event, and appends through two instances on one file. */
  disk: DiskOptions;
  /** One fund-year's stream folded whole, at these lengths. */
  fold: FoldOptions;
  /** One partner flooding its fund-year while another client times reads. */
  flood: FloodOptions;
  /** Where the JSON goes; undefined: nowhere. */
  jsonFile?: string;
}

export const FULL_SIZES = [10_000, 100_000, 1_000_000];
export const QUICK_SIZES = [2_000, 20_000];

export function fullConfig(): BenchConfig {
  return {
    quick: false,
    sizes: FULL_SIZES,
    scenarios: new Set(SCENARIOS),
    repetitions: 5,
    warmups: 1,
    largeSize: 500_000,
    largeRepetitions: 2,
    settlementsPerRun: 5,
    http: { injectRequests: 2_000, injectSeconds: 3, autocannonSeconds: 3, connections: 8, repetitions: 3, fundYears: 1_000 },
    store: { appendsPerRun: 2_000, batchesPerRun: 100, batchSize: 40, repetitions: 5, pageSize: 1_000 },
    disk: { diskEvents: 100_000, appendsPerRun: 1_000, repetitions: 5 },
    fold: { sizes: [10_000, 100_000], repetitions: 3 },
    flood: { prefill: 8_000, seconds: 3, connections: 4 },
  };
}

export function quickConfig(): BenchConfig {
  return {
    ...fullConfig(),
    quick: true,
    sizes: QUICK_SIZES,
    repetitions: 3,
    largeRepetitions: 2,
    settlementsPerRun: 3,
    http: { injectRequests: 500, injectSeconds: 1.5, autocannonSeconds: 2, connections: 4, repetitions: 2, fundYears: 300 },
    store: { appendsPerRun: 500, batchesPerRun: 25, batchSize: 40, repetitions: 3, pageSize: 1_000 },
    disk: { diskEvents: 20_000, appendsPerRun: 300, repetitions: 3 },
    fold: { sizes: [2_000, 20_000], repetitions: 2 },
    flood: { prefill: 2_000, seconds: 2, connections: 4 },
  };
}

/** A few seconds in all: for the test suite, which checks shape, never speed. */
export function tinyConfig(): BenchConfig {
  return {
    ...fullConfig(),
    quick: true,
    sizes: [300, 600],
    repetitions: 1,
    warmups: 0,
    largeRepetitions: 1,
    settlementsPerRun: 1,
    http: { injectRequests: 30, injectSeconds: 1, autocannonSeconds: 0.5, connections: 2, repetitions: 1, fundYears: 4 },
    store: { appendsPerRun: 20, batchesPerRun: 2, batchSize: 10, repetitions: 1, pageSize: 100 },
    disk: { diskEvents: 200, appendsPerRun: 10, repetitions: 1 },
    fold: { sizes: [300, 600], repetitions: 1 },
    flood: { prefill: 200, seconds: 0.5, connections: 2 },
  };
}

export function repetitionsAt(config: BenchConfig, size: number): number {
  return size >= config.largeSize ? config.largeRepetitions : config.repetitions;
}

/** `--quick`, `--sizes=10000,100000`, `--only=store,projection`, `--out=file.json`. */
export function parseArgs(argv: string[], defaultJson: string): BenchConfig {
  const config = argv.includes('--quick') ? quickConfig() : fullConfig();
  config.jsonFile = defaultJson;
  for (const arg of argv) {
    const [key, value] = arg.split('=', 2) as [string, string | undefined];
    if (key === '--quick') continue;
    if (key === '--sizes' && value !== undefined) {
      const sizes = value.split(',').map((s) => Number(s.replaceAll('_', '')));
      if (sizes.some((n) => !Number.isSafeInteger(n) || n <= 0)) throw new Error(`--sizes: positive integers, got ${value}`);
      config.sizes = [...sizes].sort((a, b) => a - b);
    } else if (key === '--only' && value !== undefined) {
      const names = value.split(',');
      for (const n of names) if (!(SCENARIOS as readonly string[]).includes(n)) throw new Error(`--only: unknown scenario ${n}`);
      config.scenarios = new Set(names as ScenarioName[]);
    } else if (key === '--out' && value !== undefined) {
      config.jsonFile = value;
    } else {
      throw new Error(`unknown argument ${arg} (use --quick, --sizes=10000,100000,1000000, --only=${SCENARIOS.join(',')}, --out=file)`);
    }
  }
  return config;
}
