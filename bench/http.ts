// Scenario 1 — posting complete monthly returns (20 lines) through the HTTP API,
// by inject and over a real socket (autocannon, client in a worker thread,
// 127.0.0.1 only), against a bare Fastify route doing the same Ajv validation
// and inserting the same bytes into the same SQLite schema with raw statements.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import autocannon from 'autocannon';
import { buildApp } from '../src/http/app.js';
import { hashKey, type KeyRecord } from '../src/http/auth.js';
import { createAjv } from '../src/http/ajv.js';
import { loadSchemas, schemaRef, type JsonSchema } from '../src/http/schemas.js';
import { createFundYearService } from '../src/app/service.js';
import { fundYearStream } from '../src/domain/fundyear/ids.js';
import type { EventStore } from '../src/store/port.js';
import type { FundYearService } from '../src/app/service-types.js';
import { performance } from 'node:perf_hooks';
import { alternate, log, throughputFigure, timeRun, type Figure, type Run } from './harness.js';
import type { HttpOptions } from './config.js';
import { PARTNERS, YEAR, fundId, returnBody } from './fixtures.js';
import { LogFiller, writeOpenFundYear } from './log-builder.js';
import { RawLog, schemaOf } from './raw-sqlite.js';
import { makeTempDir, removeTempDir } from './tmp.js';
import { openEmbeddedStore, STORE_FILE } from './open-store.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const LIST_MAX = 8_000;

interface PlannedRequest {
  path: string;
  authorization: string;
  body: string;
}

/**
 * Corrections of M1–M12 returns, spread over `fundYears` open fund-years (each
 * already holding all 24 first returns), so any request is valid at any time
 * and in any order, and no single stream grows long.
 */
function planRequests(fundIndexes: number[], authorizations: string[]): PlannedRequest[] {
  const f = fundIndexes.length;
  const count = Math.min(LIST_MAX, f * PARTNERS.length * 12);
  return Array.from({ length: count }, (_, i) => {
    const partner = Math.floor(i / f) % PARTNERS.length;
    const month = (Math.floor(i / (f * PARTNERS.length)) % 12) + 1;
    return {
      path: `/v1/funds/${fundId(fundIndexes[i % f]!)}/years/${YEAR}/returns`,
      authorization: authorizations[partner]!,
      body: JSON.stringify(returnBody(partner, month, 1, true)),
    };
  });
}

/**
 * The baseline: Fastify with the app's validator compiler (the project's Ajv,
 * every schema of schemas/ by $id) and response serializer, the same params,
 * body and response schemas, and one raw INSERT of the body per request.
 */
function bareApp(raw: RawLog): FastifyInstance {
  const schemas = loadSchemas();
  const ajv = createAjv(schemas);
  const app = Fastify({ logger: false, serializerOpts: { ajv: { strictTypes: false } } });
  app.setValidatorCompiler(({ schema }) => {
    const ref = (schema as JsonSchema)['$ref'];
    const shared = typeof ref === 'string' && Object.keys(schema).length === 1 ? ajv.getSchema(ref) : undefined;
    return shared ?? ajv.compile(schema);
  });
  for (const schema of schemas.byName.values()) {
    const { $schema: _dialect, ...rest } = schema;
    app.addSchema(rest);
  }
  const metadata = JSON.stringify({ principal: 'bench', requestId: 'bench', recordedAt: '2016-04-20T09:30:00.000Z' });
  app.post<{ Params: { fundId: string; year: string } }>(
    '/v1/funds/:fundId/years/:year/returns',
    {
      schema: {
        params: schemaRef('fund-year-params'),
        body: schemaRef('submit-return-request'),
        response: { 201: schemaRef('submit-return-response') },
      },
    },
    async (request, reply) => {
      const id = randomUUID();
      const stream = fundYearStream(request.params.fundId, request.params.year);
      const revision = raw.appendBytes(stream, id, 'MonthlyReturnSubmitted', JSON.stringify(request.body), metadata);
      return reply.code(201).send({ returnId: id, revision: Number(revision) });
    },
  );
  return app;
}

/** Sequential inject posts until `count` are done or `secondsMax` has passed. */
async function injectRun(app: FastifyInstance, list: PlannedRequest[], cursor: { next: number }, count: number, secondsMax: number): Promise<Run> {
  const deadline = performance.now() + secondsMax * 1000;
  return timeRun(async () => {
    let done = 0;
    while (done < count && (done === 0 || performance.now() < deadline)) {
      const r = list[cursor.next++ % list.length]!;
      const res = await app.inject({
        method: 'POST',
        url: r.path,
        headers: { authorization: r.authorization, 'content-type': 'application/json' },
        payload: r.body,
      });
      if (res.statusCode !== 201) throw new Error(`POST ${r.path}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      done++;
    }
    return done;
  });
}

async function socketRun(url: string, o: HttpOptions): Promise<Run> {
  const result = await autocannon({
    url,
    connections: o.connections,
    duration: o.autocannonSeconds,
    workers: 1,
    timeout: 30,
    requests: [{ method: 'POST', setupRequest: path.join(BENCH_DIR, 'autocannon-setup.cjs') }],
  });
  if (result.non2xx > 0 || result.errors > 0) {
    const codes = Object.entries(result.statusCodeStats).map(([k, v]) => `${k}:${v.count}`).join(' ');
    throw new Error(`autocannon against ${url}: ${result.non2xx} non-2xx, ${result.errors} errors (${codes})`);
  }
  return { units: result['2xx'], seconds: result.duration };
}

/** One way of running the real app, on its own store (so one app's summary never sees the other's appends). */
interface Variant {
  /** Figure name suffix. */
  label: string;
  dir: string;
  store: EventStore;
  service: FundYearService;
  app: FastifyInstance;
  /** Events in its log when the posts start. */
  logEvents: number;
}

/**
 * `memory`: the summary kept in memory only, no request log: the app's own cost.
 * `deployed`: as src/main.ts builds it: the summary persisted to its file in the
 * data dir, and pino logging at info (to /dev/null here).
 */
async function makeVariant(kind: 'memory' | 'deployed', o: HttpOptions, keys: KeyRecord[]): Promise<Variant> {
  const dir = makeTempDir(`http-${kind}`);
  const store = await openEmbeddedStore(dir);
  const service = kind === 'deployed' ? createFundYearService({ store, dataDir: dir }) : createFundYearService({ store });
  const logger = kind === 'deployed' ? { level: 'info', stream: fs.createWriteStream('/dev/null') } : false;
  const app = await buildApp({ service, keys, logger });
  const filler = await LogFiller.create(service, store, 0, writeOpenFundYear);
  await filler.addCopies(store, o.fundYears - 1);
  const label = kind === 'deployed' ? 'as main.ts (summary file, info log)' : 'summary in memory, no log';
  return { label, dir, store, service, app, logEvents: filler.count };
}

async function closeVariant(v: Variant): Promise<void> {
  await v.app.close();
  await v.service.close();
  await v.store.close();
  removeTempDir(v.dir);
}

export async function httpScenario(o: HttpOptions): Promise<Figure[]> {
  const rawDir = makeTempDir('http-raw');
  const listFile = path.join(rawDir, 'requests.json');
  const keys = PARTNERS.map(() => randomBytes(24).toString('base64url'));
  const keyRecords: KeyRecord[] = PARTNERS.map((partnerId, i) => ({
    keySha256: hashKey(keys[i]!),
    name: `${partnerId}-finance`,
    role: 'partner',
    partnerId,
    funds: ['*'],
  }));
  const variants: Variant[] = [];
  let raw: RawLog | undefined;
  let bare: FastifyInstance | undefined;
  const previousListEnv = process.env['POOLSHARE_BENCH_REQUESTS'];
  try {
    log(`append: ${o.fundYears} open fund-years per app, each with 24 returns`);
    for (const kind of ['memory', 'deployed'] as const) variants.push(await makeVariant(kind, o, keyRecords));
    raw = new RawLog(rawDir, schemaOf(path.join(variants[0]!.dir, STORE_FILE)));
    bare = bareApp(raw);
    const list = planRequests(Array.from({ length: o.fundYears }, (_, i) => i), keys.map((k) => `Bearer ${k}`));
    fs.writeFileSync(listFile, JSON.stringify(list));
    process.env['POOLSHARE_BENCH_REQUESTS'] = listFile;
    const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
    const figures: Figure[] = [];
    const reps = { repetitions: o.repetitions };
    const bareCursor = { next: 0 };
    for (const v of variants) {
      const cursor = { next: 0 };
      const extra = { logEvents: v.logEvents, fundYears: o.fundYears };
      log(`append (${v.label}): inject, up to ${o.injectRequests} returns or ${o.injectSeconds} s per run`);
      const app = v.app;
      const injectRuns = await alternate(
        () => injectRun(app, list, cursor, o.injectRequests, o.injectSeconds),
        () => injectRun(bare!, list, bareCursor, o.injectRequests, o.injectSeconds),
        reps,
      );
      figures.push(
        throughputFigure(
          { scenario: 'append', name: `POST return, inject, ${v.label}`, unit: 'returns/s', extra, note: 'sequential app.inject, 20-line corrections' },
          { measured: 'poolshare app', baseline: 'bare route + raw INSERT' },
          injectRuns,
        ),
      );
      const appUrl = await app.listen({ host: '127.0.0.1', port: 0 });
      log(`append (${v.label}): autocannon, ${o.connections} connections, ${o.autocannonSeconds} s per run`);
      figures.push(
        throughputFigure(
          { scenario: 'append', name: `POST return, socket, ${v.label}`, unit: 'returns/s', extra, note: `autocannon ${o.connections} connections, ${o.autocannonSeconds} s` },
          { measured: 'poolshare app', baseline: 'bare route + raw INSERT' },
          await alternate(() => socketRun(appUrl, o), () => socketRun(bareUrl, o), reps),
        ),
      );
    }
    return figures;
  } finally {
    if (previousListEnv === undefined) delete process.env['POOLSHARE_BENCH_REQUESTS'];
    else process.env['POOLSHARE_BENCH_REQUESTS'] = previousListEnv;
    for (const v of variants) await closeVariant(v);
    await bare?.close();
    raw?.close();
    removeTempDir(rawDir);
  }
}
