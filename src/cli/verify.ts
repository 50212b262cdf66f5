// Checks a filed settlement statement against the running service's log:
// `npm run verify -- statement.csv [--url URL] [--key KEY]` (or POOLSHARE_URL, POOLSHARE_KEY).
// It asks the service to verify the settlement (figures, stored body, hash chain), compares
// the statement's digest, chain hash and figures with what the log holds, and walks the whole
// log's chain where the key may (auditor, admin). docs/integrity.md says what this proves.
// Exit codes: 0 everything matches; 1 a mismatch (one line per problem on stdout);
// 2 a usage or input error, or no usable answer from the service (one line on stderr).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import type { IntegrityView, VerificationView } from '../app/service-types.js';

export const USAGE = 'usage: npm run verify -- <statement.csv> [--url URL] [--key KEY]   (or POOLSHARE_URL and POOLSHARE_KEY)';

const HASH = /^sha256:[0-9a-f]{64}$/;
/** The header rows a statement must carry (src/app/statement-csv.ts). */
const REQUIRED = ['fund', 'year', 'settlement', 'as of revision', 'digest', 'chain hash'] as const;
/** Header rows that change after calculation (approvals, supersession): not compared. */
const CHANGING = new Set(['status', 'approved by']);
const REQUEST_TIMEOUT_MS = 30_000;
const STATEMENT_BYTES_MAX = 10 * 1024 * 1024;

export interface VerifyIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  fetch: typeof fetch;
}

/** A usage or input error, or an answer the check cannot use: exit 2. */
class CannotCheck extends Error {}

interface Statement {
  fields: ReadonlyMap<string, string>;
  rows: string[][];
  fundId: string;
  year: string;
  settlementId: string;
  asOfRevision: number;
  digest: string;
  chainHash: string;
}

export async function main(argv: readonly string[], io: VerifyIo): Promise<number> {
  try {
    const { file, url, key } = options(argv, io.env);
    const statement = readStatement(file);
    const problems = await check(statement, new Service(url, key, io.fetch), io.out);
    for (const problem of problems) io.out(`mismatch: ${problem}`);
    if (problems.length > 0) return 1;
    io.out(`match: settlement ${statement.settlementId} (${statement.fundId} ${statement.year}, revision ${statement.asOfRevision}): `
      + `digest ${statement.digest} and chain hash ${statement.chainHash} match the log at ${url}`);
    return 0;
  } catch (error) {
    if (!(error instanceof CannotCheck)) throw error;
    io.err(error.message);
    return 2;
  }
}

function options(argv: readonly string[], env: VerifyIo['env']): { file: string; url: string; key: string } {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { url: { type: 'string' }, key: { type: 'string' } } });
  } catch (error) {
    throw new CannotCheck(`${(error as Error).message}\n${USAGE}`);
  }
  if (parsed.positionals.length !== 1) throw new CannotCheck(USAGE);
  const url = (parsed.values.url ?? env['POOLSHARE_URL'] ?? '').replace(/\/+$/, '');
  const key = parsed.values.key ?? env['POOLSHARE_KEY'] ?? '';
  if (url === '') throw new CannotCheck(`no service URL: give --url or POOLSHARE_URL\n${USAGE}`);
  if (!/^https?:\/\/[^/]+/.test(url) || !URL.canParse(url)) throw new CannotCheck(`not an http(s) URL: ${JSON.stringify(url)}`);
  if (key === '') throw new CannotCheck(`no API key: give POOLSHARE_KEY (or --key)\n${USAGE}`);
  return { file: parsed.positionals[0]!, url, key };
}

// ---- the statement ----------------------------------------------------------------

function readStatement(file: string): Statement {
  let text: string;
  try {
    if (fs.statSync(file).size > STATEMENT_BYTES_MAX) throw new CannotCheck(`${file}: larger than a statement can be`);
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof CannotCheck) throw error;
    throw new CannotCheck(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let rows: string[][];
  try {
    rows = parse(text, { relax_column_count: true }) as string[][];
  } catch (error) {
    throw new CannotCheck(`${file}: not CSV (${(error as Error).message})`);
  }
  if (rows[0]?.[0] !== 'Settlement statement') throw new CannotCheck(`${file}: not a poolshare settlement statement (no "Settlement statement" first row)`);
  return statementOf(file, rows);
}

/** The header block (`name,value` rows up to the first blank row) and what identifies the settlement. */
function statementOf(file: string, rows: string[][]): Statement {
  const fields = new Map<string, string>();
  for (const row of rows.slice(1)) {
    if (row.length === 1 && row[0] === '') break;
    if (row.length >= 2 && !fields.has(row[0]!)) fields.set(row[0]!, row[1]!);
  }
  const missing = REQUIRED.filter((name) => !fields.has(name));
  if (missing.length > 0) throw new CannotCheck(`${file}: the statement has no ${missing.map((m) => `"${m}"`).join(', ')} row`);
  const get = (name: (typeof REQUIRED)[number]) => fields.get(name)!;
  const asOf = get('as of revision');
  if (!/^(0|[1-9][0-9]{0,14})$/.test(asOf)) throw new CannotCheck(`${file}: "as of revision" is not a revision: ${JSON.stringify(asOf)}`);
  if (!HASH.test(get('digest'))) throw new CannotCheck(`${file}: "digest" is not a sha256: digest: ${JSON.stringify(get('digest'))}`);
  // An empty chain hash: a statement made before the chain; its digest can still be checked.
  if (get('chain hash') !== '' && !HASH.test(get('chain hash'))) throw new CannotCheck(`${file}: "chain hash" is not a sha256: hash: ${JSON.stringify(get('chain hash'))}`);
  return {
    fields, rows, fundId: get('fund'), year: get('year'), settlementId: get('settlement'), asOfRevision: Number(asOf), digest: get('digest'), chainHash: get('chain hash'),
  };
}

// ---- the service ----------------------------------------------------------------

/** A 200 with its body, or another status with what the problem+json said. */
type Answer<T> = { status: 200; body: T } | { status: Exclude<number, 200>; why: string };

class Service {
  constructor(private readonly url: string, private readonly key: string, private readonly fetcher: typeof fetch) {}

  async get<T>(pathname: string, as: 'json' | 'text'): Promise<Answer<T>> {
    let res: Response;
    try {
      res = await this.fetcher(`${this.url}${pathname}`, { headers: { authorization: `Bearer ${this.key}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      throw new CannotCheck(`cannot reach ${this.url}: ${(error as Error).message}`);
    }
    if (res.status === 200) return { status: 200, body: (as === 'json' ? await res.json() : await res.text()) as T };
    const problem = (await res.json().catch(() => ({}))) as { title?: string; detail?: string };
    const why = `${res.status} ${problem.title ?? res.statusText}${problem.detail === undefined ? '' : ` (${problem.detail})`}, for GET ${pathname}`;
    if (res.status === 401) throw new CannotCheck(`the key was refused: ${why}`);
    return { status: res.status, why };
  }
}

function isOk<T>(answer: Answer<T>): answer is { status: 200; body: T } {
  return answer.status === 200;
}

function cannotUse(answer: { why: string }): CannotCheck {
  return new CannotCheck(`the service answered ${answer.why}`);
}

/** Every way the statement and the log disagree (empty: they match). */
async function check(statement: Statement, service: Service, out: (line: string) => void): Promise<string[]> {
  const enc = encodeURIComponent;
  const base = `/v1/funds/${enc(statement.fundId)}/years/${enc(statement.year)}`;
  const settlementPath = `${base}/settlements/${enc(statement.settlementId)}`;
  const verified = await service.get<VerificationView>(`${settlementPath}/verification`, 'json');
  if (!isOk(verified)) {
    if (verified.status === 404) return [`settlement ${statement.settlementId} of ${statement.fundId} ${statement.year} is not in the log`];
    // A log with a removed event cannot even be folded: its chain says where.
    if (verified.status >= 500) {
      const broken = await chainProblems(service, base, out);
      if (broken.length > 0) return [`verification: the service could not verify the settlement: ${verified.why}`, ...broken];
    }
    throw cannotUse(verified);
  }
  const problems = verificationProblems(statement, verified.body);
  const copy = await service.get<string>(`${settlementPath}/statement.csv`, 'text');
  if (!isOk(copy)) throw cannotUse(copy);
  problems.push(...rowProblems(statement.rows, parse(copy.body, { relax_column_count: true }) as string[][]));
  problems.push(...(await chainProblems(service, base, out)));
  return problems;
}

/** The whole log's chain, where the key may read it (auditor, admin); a partner's key is told what was not checked. */
async function chainProblems(service: Service, base: string, out: (line: string) => void): Promise<string[]> {
  const integrity = await service.get<IntegrityView>(`${base}/integrity`, 'json');
  if (!isOk(integrity)) {
    if (integrity.status !== 403) throw cannotUse(integrity);
    out('note: the whole log was not walked (…/integrity is for auditor and admin keys); the verification checked the chain up to this settlement');
    return [];
  }
  const broken = integrity.body.firstBroken;
  return broken === null ? [] : [`log: its hash chain breaks at revision ${broken.revision} (${broken.reason}): ${broken.detail}`];
}

function verificationProblems(statement: Statement, v: VerificationView): string[] {
  const problems: string[] = [];
  if (v.asOfRevision !== statement.asOfRevision) problems.push(`as of revision: the statement says ${statement.asOfRevision}, the log's settlement ${v.asOfRevision}`);
  if (v.digest !== statement.digest) problems.push(`digest: the statement says ${statement.digest}, the log's settlement records ${v.digest}`);
  if (statement.chainHash === '') problems.push('chain hash: the statement carries none (made before the chain), so it cannot be tied to the log');
  else if (v.chainHash !== statement.chainHash) problems.push(`chain hash: the statement says ${statement.chainHash}, the log's settlement records ${String(v.chainHash)}`);
  if (!v.checks.figures) {
    problems.push(v.recomputedDigest === null
      ? `figures: the log at revision ${v.asOfRevision} can no longer be settled`
      : `figures: recomputed from the log at revision ${v.asOfRevision} they give ${v.recomputedDigest}, not the recorded ${v.digest}`);
  }
  if (!v.checks.storedBody) problems.push(`stored settlement: its body hashes to ${v.storedBodyDigest}, not its recorded digest ${v.digest}`);
  if (!v.checks.chain && v.firstBroken !== null) {
    problems.push(`chain: broken at revision ${v.firstBroken.revision} (${v.firstBroken.reason}): ${v.firstBroken.detail}`);
  }
  return problems;
}

/** The statement's rows against the service's statement of the same settlement, but for rows that change after calculation. */
function rowProblems(filed: string[][], current: string[][]): string[] {
  const compared = (rows: string[][]) => rows.filter((row) => !CHANGING.has(row[0] ?? '')).map((row) => JSON.stringify(row));
  const mine = compared(filed);
  const theirs = compared(current);
  const problems: string[] = [];
  for (let i = 0; i < Math.max(mine.length, theirs.length); i++) {
    if (mine[i] === theirs[i]) continue;
    problems.push(`statement: ${mine[i] ?? '(no row)'} where the log's settlement gives ${theirs[i] ?? '(no row)'}`);
    if (problems.length === 10) break; // ten rows say enough: a removed row shifts every one after it
  }
  return problems;
}

/** True when this module is the program (tsx src/cli/verify.ts, or node dist/cli/verify.js). */
function invokedAsProgram(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return fs.realpathSync(entry) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (invokedAsProgram()) {
  const io: VerifyIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    fetch: globalThis.fetch,
  };
  main(process.argv.slice(2), io).then(
    (code) => { process.exitCode = code; },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
