// Runs the scenarios a config asks for and returns one result object; bench/run.ts
// prints it and writes the JSON, the test suite checks its shape on a tiny config.
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import type { EventStore } from '../src/store/port.js';
import type { FundYearService } from '../src/app/service-types.js';
import { createFundYearService } from '../src/app/service.js';
import { log, machineInfo, round, setDefaultWarmups, settle, type BenchResult, type Figure } from './harness.js';
import { repetitionsAt, type BenchConfig } from './config.js';
import { storeScenario } from './store.js';
import { httpScenario } from './http.js';
import { projectionAtSize, type ProjectionOutcome } from './projection.js';
import { settlementAtSize, type SettlementSide } from './settlement.js';
import { memoryFigure, memoryRuns } from './memory.js';
import { foldScenario } from './fold.js';
import { floodScenario } from './flood.js';
import { diskFigure, twoInstancesFigure } from './disk-and-instances.js';
import { LogFiller } from './log-builder.js';
import { openEmbeddedStore } from './open-store.js';
import { cleanUpOnExit, makeTempDir, removeTempDir, directorySizeBytes } from './tmp.js';

export async function runBench(config: BenchConfig): Promise<BenchResult> {
  cleanUpOnExit();
  setDefaultWarmups(config.warmups);
  const startedAt = new Date();
  const start = performance.now();
  const machine = machineInfo();
  const figures: Figure[] = [];
  const want = config.scenarios;
  let loadMax = os.loadavg()[0] ?? 0;
  const loadSampler = setInterval(() => {
    loadMax = Math.max(loadMax, os.loadavg()[0] ?? 0);
  }, 5_000);
  loadSampler.unref();

  if (want.has('store')) {
    figures.push(...(await storeScenario(config.store)));
    figures.push(await twoInstancesFigure(config.disk), await diskFigure(config.disk));
  }
  await settle();
  if (want.has('append')) figures.push(...(await httpScenario(config.http)));
  await settle();
  if (want.has('projection') || want.has('settlement') || want.has('memory')) figures.push(...(await logScenarios(config)));
  await settle();
  if (want.has('fold')) figures.push(...(await foldScenario(config.fold)));
  await settle();
  if (want.has('flood')) figures.push(...(await floodScenario(config.flood)));

  clearInterval(loadSampler);
  machine.loadAverageEnd = os.loadavg().map((n) => round(n, 2));
  machine.loadAverageMax1m = round(Math.max(loadMax, os.loadavg()[0] ?? 0), 2);
  return {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationSeconds: round((performance.now() - start) / 1000, 1),
    quick: config.quick,
    sizes: config.sizes,
    machine,
    figures,
  };
}

interface OpenLog {
  dir: string;
  store: EventStore;
  service: FundYearService;
}

async function openLog(label: string): Promise<OpenLog> {
  const dir = makeTempDir(label);
  const store = await openEmbeddedStore(dir);
  const service = createFundYearService({ store });
  // The service's own live summary would follow the whole 1M-event log in this
  // process (time and heap): stopped on both sides; the projection and memory
  // scenarios rebuild a summary of their own, in isolation.
  await service.summary.stop();
  return { dir, store, service };
}

async function closeLog(l: OpenLog): Promise<void> {
  await l.service.close();
  await l.store.close();
  removeTempDir(l.dir);
}

/** Projection, settlement and memory share one growing log: 10k, then 100k, then 1M events. */
async function logScenarios(config: BenchConfig): Promise<Figure[]> {
  const want = config.scenarios;
  const figures: Figure[] = [];
  const big = await openLog('log');
  const alone = await openLog('alone');
  try {
    const filler = await LogFiller.create(big.service, big.store, 0);
    let aloneIndex = 0;
    const bigSide: SettlementSide = { service: big.service, store: big.store, takeIndex: () => filler.takeIndex() };
    const aloneSide: SettlementSide = { service: alone.service, store: alone.store, takeIndex: () => aloneIndex++ };
    const pageSize = config.store.pageSize;
    const largest = config.sizes[config.sizes.length - 1]!;
    for (const size of config.sizes) {
      const t0 = performance.now();
      await filler.fillTo(big.store, size);
      const seconds = (performance.now() - t0) / 1000;
      log(`log: ${filler.count} events (${filler.eventsPerFundYear} per fund-year) in ${seconds.toFixed(1)} s, ${(directorySizeBytes(big.dir) / 2 ** 20).toFixed(0)} MiB on disk`);
      const reps = repetitionsAt(config, size);
      await settle();
      const inChildren = size >= config.largeSize;
      let childRuns: ProjectionOutcome['children'];
      if (want.has('projection')) {
        log(`projection: ${filler.count} events, ${reps} runs per side${inChildren ? ', fresh processes' : ''}`);
        const outcome = await projectionAtSize(big.store, big.dir, filler.count, reps, pageSize, inChildren);
        figures.push(outcome.figure);
        childRuns = outcome.children;
      }
      await settle();
      if (want.has('memory') && size === largest) {
        if (childRuns === undefined) {
          log(`memory: ${filler.count} events, fresh processes`);
          childRuns = await memoryRuns(big.dir, 1, pageSize);
        }
        figures.push(memoryFigure(filler.count, childRuns));
      }
      if (want.has('settlement')) {
        log(`settlement: ${filler.count} other events, ${config.repetitions} runs per side`);
        const { figure, eventsAdded } = await settlementAtSize(bigSide, aloneSide, filler.count, config.repetitions, config.settlementsPerRun);
        figures.push(figure);
        filler.count += eventsAdded;
      }
    }
  } finally {
    await closeLog(big);
    await closeLog(alone);
  }
  return figures;
}
