// Issue 11, item 2 (the service's part): a long fund-year stream is read and folded in pages,
// and the event loop gets a turn between pages, so that one request on a long stream (a cold
// cache, an asOfRevision read, a replay) never holds up every other request for its whole
// length. The answers are those of one fold of the whole prefix.
import t, { type Test } from 'tap';
import { v4 as uuidv4 } from 'uuid';
import { createFundYearService } from '../../src/app/service.js';
import { FOLD_PAGE_EVENTS } from '../../src/app/stream-cache.js';
import { fold, fundYearStream, type ExistingFundYear, type FundYearEvent } from '../../src/domain/fundyear/index.js';
import { positions } from '../../src/domain/views/positions.js';
import type { EventStore } from '../../src/store/port.js';
import { adopted, budgetSet, ccgLines, opened, submitted } from '../domain/fixtures/fund-year.js';
import { ctx, FUND, memoryStore, monthly, principals, ref, YEAR } from './fixtures/service.js';

const stream = fundYearStream(FUND, YEAR);
const LENGTH = 3 * FOLD_PAGE_EVENTS + 17;

/** opened, budget, agreement, then ccg's corrections of M1–M12 up to LENGTH events. */
function longYear(): FundYearEvent[] {
  const events: FundYearEvent[] = [opened, budgetSet, ...adopted];
  for (let i = 0; events.length < LENGTH; i++) {
    const month = (i % 12) + 1;
    events.push(submitted('ccg', `M${month}`, ccgLines([`${i}.00`, '1.00', '2.00']), i >= 12, `r-${i}`));
  }
  return events;
}

async function written(t: Test): Promise<{ store: EventStore; events: FundYearEvent[] }> {
  const store = memoryStore();
  t.teardown(() => store.close());
  const events = longYear();
  const metadata = { principal: 'bench', role: 'partner', partnerId: 'ccg', requestId: 'r', receivedAt: '2016-04-10T09:00:00.000Z', recordedAt: '2016-04-10T09:00:00.000Z' };
  await store.append(stream, events.map((e) => ({ id: uuidv4(), type: e.type, data: e.data, metadata })), { expectedRevision: 'no_stream' });
  return { store, events };
}

/** Counts the turns the event loop takes while `work` runs: 0 if it never lets go. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let done = false;
  const tick = (): void => {
    if (done) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const result = await work();
  done = true;
  return { result, turns };
}

t.test('a cold read of a long stream folds it page by page, letting other work run between pages', async (t) => {
  const { store, events } = await written(t);
  const service = createFundYearService({ store, streamCacheMax: 0 });
  t.teardown(() => service.close());
  const { result, turns } = await turnsDuring(() => service.positions(ctx(principals.admin), ref));
  t.ok(turns >= 3, `the event loop ran ${turns} times during the read (one page at a time)`);
  t.strictSame(result, positions(fold(events) as ExistingFundYear), 'the same answer as one fold of the whole stream');
});

t.test('an asOfRevision read folds its prefix page by page, and answers as the prefix', async (t) => {
  const { store, events } = await written(t);
  const service = createFundYearService({ store });
  t.teardown(() => service.close());
  await service.positions(ctx(principals.admin), ref); // the latest is cached: the prefix is not
  for (const revision of [0, FOLD_PAGE_EVENTS - 1, FOLD_PAGE_EVENTS, 2 * FOLD_PAGE_EVENTS + 3, LENGTH - 2]) {
    const { result, turns } = await turnsDuring(() => service.positions(ctx(principals.admin), ref, revision));
    t.strictSame(result, positions(fold(events.slice(0, revision + 1)) as ExistingFundYear), `as of ${revision}`);
    t.equal(turns > 0, revision >= FOLD_PAGE_EVENTS, `as of ${revision}: ${turns} turns`);
  }
});

t.test('an idempotent replay deep in a long stream answers as the first time', async (t) => {
  const { store } = await written(t);
  const service = createFundYearService({ store });
  t.teardown(() => service.close());
  const first = await service.submitReturn(ctx(principals.council, 'late-key'), ref, monthly('council', 1));
  await service.submitReturn(ctx(principals.council), ref, { ...monthly('council', 1), correction: true });
  const restarted = createFundYearService({ store, streamCacheMax: 0 });
  t.teardown(() => restarted.close());
  const { result, turns } = await turnsDuring(() => restarted.submitReturn(ctx(principals.council, 'late-key'), ref, monthly('council', 1)));
  t.strictSame(result, first);
  t.ok(turns >= 3, `replayed page by page (${turns} turns)`);
  t.equal((await store.readStream(stream)).length, LENGTH + 2, 'nothing appended');
});
