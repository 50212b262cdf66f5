// The application service behind the HTTP API: one method per API.md operation, in three
// parts by concern. Commands (service-commands.ts) go through runCommand (read, fold, decide,
// append, retry); reads (service-reads.ts) take the fund-year's folded state from the same
// stream cache (stream-cache.ts), or fold the stream's prefix for an earlier revision, into
// the views of src/domain/views/; the fund list and readiness (service-readiness.ts) wait on
// the fund summary projection (summary.ts).
import { v4 as uuidv4 } from 'uuid';
import type { EventStore } from '../store/port.js';
import { EVENTS_PER_FUND_YEAR_MAX, RETRIES_MAX_DEFAULT } from './command-runner.js';
import { CHAIN_WALKS_MAX, Limiter } from './integrity.js';
import { fundYearCommands } from './service-commands.js';
import { fundYearDecisions } from './service-decisions.js';
import { fundYearMonitoring } from './monitoring-service.js';
import type { ServiceCore } from './service-core.js';
import { FundList } from './service-readiness.js';
import { fundYearReads } from './service-reads.js';
import type { FundYearService } from './service-types.js';
import { STREAM_CACHE_MAX_DEFAULT, StreamCache } from './stream-cache.js';
import { SummaryProjection, summaryFile } from './summary.js';

export interface FundYearServiceDeps {
  store: EventStore;
  newId?: () => string;
  now?: () => string;
  retriesMax?: number;
  /** The most events one fund-year may hold; default EVENTS_PER_FUND_YEAR_MAX. */
  eventsMax?: number;
  /** Where the fund summary projection keeps its file; absent: in memory, rebuilt from the log on start. */
  dataDir?: string;
  /** Fund-year streams whose folded state is kept between requests (LRU); 0: none, every request folds from scratch. */
  streamCacheMax?: number;
  /** How long listFunds waits for the summary to reach the log's head before answering 503; default: waitFor's. */
  summaryWaitMs?: number;
  /** Where the summary's one line about an unreadable file goes; default: standard error. */
  log?: (line: string) => void;
}

export function createFundYearService(deps: FundYearServiceDeps): FundYearService & { readonly summary: SummaryProjection } {
  const summary = new SummaryProjection({
    store: deps.store,
    ...(deps.dataDir === undefined ? {} : { file: summaryFile(deps.dataDir) }),
    ...(deps.log === undefined ? {} : { log: deps.log }),
  });
  const funds = new FundList(deps.store, summary, deps.summaryWaitMs);
  const core: ServiceCore = {
    store: deps.store,
    newId: deps.newId ?? uuidv4,
    walks: new Limiter(CHAIN_WALKS_MAX),
    runner: {
      store: deps.store,
      now: deps.now ?? (() => new Date().toISOString()),
      retriesMax: deps.retriesMax ?? RETRIES_MAX_DEFAULT,
      eventsMax: deps.eventsMax ?? EVENTS_PER_FUND_YEAR_MAX,
      onAppended: (position) => funds.appended(position),
      cache: new StreamCache(deps.streamCacheMax ?? STREAM_CACHE_MAX_DEFAULT),
    },
  };
  return {
    ...fundYearCommands(core),
    ...fundYearReads(core),
    ...fundYearDecisions(core),
    ...fundYearMonitoring(core),
    summary,
    listFunds: (ctx) => funds.listFunds(ctx),
    ready: () => funds.ready(),
    close: () => funds.close(),
  };
}
