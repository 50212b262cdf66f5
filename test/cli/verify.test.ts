// `npm run verify -- statement.csv` against a service this test starts on 127.0.0.1: a filed
// statement matches the log it came from, and stops matching when the log or the statement changes.
import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createFundYearService } from '../../src/app/service.js';
import { main, USAGE } from '../../src/cli/verify.js';
import { buildApp } from '../../src/http/app.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { KEY_RECORDS, KEYS } from '../http/fixtures/fake-service.js';
import { ref } from '../app/fixtures/service.js';
import { copyYear, deleteRow, editData, recomputeSettlement, reseal, storedHash, tempDir, writeYear, type WrittenYear } from '../app/fixtures/tamper.js';

const FY = `/v1/funds/${ref.fundId}/years/${ref.year}`;
const CCG_M12 = 7;
const FINAL_AT = 10;

/** The service on the store in `dir`, listening on 127.0.0.1 (any free port) until `t` ends. */
async function serve(t: Test, dir: string): Promise<string> {
  const store = openSqliteStore({ dataDir: dir });
  const service = createFundYearService({ store });
  const app = await buildApp({ service, keys: KEY_RECORDS });
  t.teardown(async () => {
    await app.close();
    await service.close();
    await store.close();
  });
  return app.listen({ host: '127.0.0.1', port: 0 });
}

interface Run {
  code: number;
  out: string[];
  err: string[];
}

/** The CLI in this process (its fetch talks to the service over the socket all the same). */
async function verify(argv: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line), env, fetch: globalThis.fetch });
  return { code, out, err };
}

/** As a user runs it. Asynchronous: the service answering it runs in this process. */
function spawnVerify(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', 'verify', '--', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

let year: WrittenYear;
let statementFile: string;
let statement: string;
let url: string;
let workDir: string;

t.before(async () => {
  year = await writeYear(tempDir(t));
  url = await serve(t, copyYear(t, year));
  workDir = tempDir(t, 'poolshare-verify-');
  const res = await fetch(`${url}${FY}/settlements/${year.final.settlementId}/statement.csv`, { headers: { authorization: `Bearer ${KEYS.council}` } });
  statement = await res.text();
  statementFile = path.join(workDir, 'statement.csv');
  fs.writeFileSync(statementFile, statement);
});

/** The filed statement with one change. */
function edited(name: string, change: (text: string) => string): string {
  const file = path.join(workDir, name);
  const text = change(statement);
  if (text === statement) throw new Error(`${name}: the change changed nothing`);
  fs.writeFileSync(file, text);
  return file;
}

t.test('npm run verify: the statement matches the log (auditor key, environment variables)', async (t) => {
  t.match(statement, `\r\nchain hash,${year.final.chainHash}\r\n`, 'the statement carries the chain hash');
  const run = await spawnVerify([statementFile], { POOLSHARE_URL: url, POOLSHARE_KEY: KEYS.auditor });
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stderr, '');
  t.strictSame(run.stdout.trimEnd().split('\n'), [
    `match: settlement ${year.final.settlementId} (${ref.fundId} ${ref.year}, revision 9): digest ${year.final.digest} and chain hash ${year.final.chainHash} match the log at ${url}`,
  ]);
});

t.test('a partner key, with flags: matches, and says the whole log was not walked', async (t) => {
  const run = await verify([statementFile, '--url', `${url}/`, '--key', KEYS.ccg]);
  t.equal(run.code, 0, run.err.join('\n'));
  t.equal(run.out.length, 2);
  t.match(run.out[0], /^note: the whole log was not walked/);
  t.match(run.out[1], /^match: /);
});

t.test('a changed statement does not match: one line per problem', async (t) => {
  const payment = edited('payment.csv', (s) => s.replace('council,ccg,15000.00', 'council,ccg,15900.00'));
  const run = await verify([payment], { POOLSHARE_URL: url, POOLSHARE_KEY: KEYS.auditor });
  t.equal(run.code, 1);
  t.strictSame(run.out, ['mismatch: statement: ["council","ccg","15900.00"] where the log\'s settlement gives ["council","ccg","15000.00"]']);

  const digest = edited('digest.csv', (s) => s.replace(year.final.digest, `sha256:${'0'.repeat(64)}`));
  const byDigest = await verify([digest], { POOLSHARE_URL: url, POOLSHARE_KEY: KEYS.auditor });
  t.equal(byDigest.code, 1);
  t.match(byDigest.out, [`mismatch: digest: the statement says sha256:${'0'.repeat(64)}, the log's settlement records ${year.final.digest}`, /^mismatch: statement: \["digest"/]);

  const chain = edited('chain.csv', (s) => s.replace(`chain hash,${year.final.chainHash}`, `chain hash,sha256:${'1'.repeat(64)}`));
  t.match((await verify([chain], { POOLSHARE_URL: url, POOLSHARE_KEY: KEYS.auditor })).out, [/^mismatch: chain hash: the statement says sha256:1{64}, the log's settlement records sha256:/, /^mismatch: statement: /]);

  const elsewhere = edited('unknown.csv', (s) => s.replace(`settlement,${year.final.settlementId}`, 'settlement,00000000-0000-4000-8000-000000000000'));
  t.strictSame(await verify([elsewhere], { POOLSHARE_URL: url, POOLSHARE_KEY: KEYS.auditor }), {
    code: 1, out: [`mismatch: settlement 00000000-0000-4000-8000-000000000000 of ${ref.fundId} ${ref.year} is not in the log`], err: [],
  });
});

t.test('usage and input errors: exit 2, one line on stderr', async (t) => {
  const env = { POOLSHARE_URL: url, POOLSHARE_KEY: KEYS.auditor };
  const cases: [string, string[], Record<string, string | undefined>, RegExp][] = [
    ['no file', [], env, new RegExp(`^${USAGE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)],
    ['two files', [statementFile, statementFile], env, /^usage: /],
    ['an unknown option', [statementFile, '--format', 'json'], env, /Unknown option '--format'/],
    ['no URL', [statementFile], { POOLSHARE_KEY: KEYS.auditor }, /^no service URL: give --url or POOLSHARE_URL/],
    ['not a URL', [statementFile, '--url', 'ftp://x'], env, /^not an http\(s\) URL: "ftp:\/\/x"$/],
    ['no key', [statementFile], { POOLSHARE_URL: url }, /^no API key/],
    ['a wrong key', [statementFile], { POOLSHARE_URL: url, POOLSHARE_KEY: 'not-a-key-0123456789abcdefghijklmnopqrstuvwxyz' }, /^the key was refused: 401 /],
    ['a key for another fund', [statementFile], { POOLSHARE_URL: url, POOLSHARE_KEY: KEYS.otherFundAuditor }, /^the service answered 403 /],
    ['a missing file', [path.join(workDir, 'nowhere.csv')], env, /nowhere\.csv: cannot read it \(ENOENT\)$/],
    ['not a statement', [edited('other.csv', () => 'a,b\r\n1,2\r\n')], env, /not a poolshare settlement statement/],
    ['not CSV', [edited('broken.csv', (s) => `${s}"unclosed`)], env, /: not CSV \(/],
    ['no digest row', [edited('nodigest.csv', (s) => s.replace(/\r\ndigest,[^\r]*/, ''))], env, /the statement has no "digest" row$/],
    ['a malformed digest', [edited('baddigest.csv', (s) => s.replace(year.final.digest, 'sha256:abc'))], env, /"digest" is not a sha256: digest/],
  ];
  for (const [what, argv, environment, message] of cases) {
    const run = await verify(argv, environment);
    t.equal(run.code, 2, what);
    t.strictSame(run.out, [], `${what}: nothing on stdout`);
    t.match(run.err.join('\n'), message, what);
  }
  // A port nothing listens on (any more): the service cannot be reached.
  const closed = await new Promise<string>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(`http://127.0.0.1:${port}`));
    });
  });
  const unreachable = await verify([statementFile], { POOLSHARE_URL: closed, POOLSHARE_KEY: KEYS.auditor });
  t.equal(unreachable.code, 2);
  t.match(unreachable.err, [new RegExp(`^cannot reach ${closed}: `)]);
});

t.test('a log rewritten consistently (return edited, settlement recomputed, chain re-sealed): only the filed statement shows it', async (t) => {
  const dir = copyYear(t, year);
  editData(dir, CCG_M12, (data) => ({ ...data, lines: data.lines.map((l: { actualToDate: string }) => ({ ...l, actualToDate: l.actualToDate.replace(/^6/, '7') })) }));
  const forged = recomputeSettlement(dir, FINAL_AT);
  reseal(dir, CCG_M12);
  // …and points the settlement at the re-sealed revision 9, then re-seals from the settlement on.
  editData(dir, FINAL_AT, (data) => ({ ...data, chainHash: storedHash(dir, 9) }));
  reseal(dir, FINAL_AT);
  const forgedUrl = await serve(t, dir);
  const auditor = { authorization: `Bearer ${KEYS.auditor}` };
  t.match(await (await fetch(`${forgedUrl}${FY}/integrity`, { headers: auditor })).json(), { intact: true }, 'the log on its own looks whole');
  t.match(await (await fetch(`${forgedUrl}${FY}/settlements/${year.final.settlementId}/verification`, { headers: auditor })).json(), { match: true, digest: forged.digest });
  const run = await verify([statementFile], { POOLSHARE_URL: forgedUrl, POOLSHARE_KEY: KEYS.auditor });
  t.equal(run.code, 1);
  t.match(run.out, [
    `mismatch: digest: the statement says ${year.final.digest}, the log's settlement records ${forged.digest}`,
    /^mismatch: chain hash: the statement says sha256:[0-9a-f]{64}, the log's settlement records sha256:[0-9a-f]{64}$/,
    /^mismatch: statement: /,
  ]);
});

t.test('a log changed behind the service: the verification and the chain name the revision', async (t) => {
  const paid = copyYear(t, year);
  editData(paid, FINAL_AT, (data) => ({ ...data, payments: [{ ...data.payments[0], amount: '15900.00' }] }));
  const run = await verify([statementFile], { POOLSHARE_URL: await serve(t, paid), POOLSHARE_KEY: KEYS.auditor });
  t.equal(run.code, 1);
  t.match(run.out, [
    /^mismatch: stored settlement: its body hashes to sha256:[0-9a-f]{64}, not its recorded digest /,
    /^mismatch: chain: broken at revision 10 \(hash-mismatch\): /,
    'mismatch: statement: ["council","ccg","15000.00"] where the log\'s settlement gives ["council","ccg","15900.00"]',
    /^mismatch: log: its hash chain breaks at revision 10 \(hash-mismatch\)/,
  ]);

  // An event removed: the service cannot even fold the log; the chain says where.
  const removed = copyYear(t, year);
  deleteRow(removed, 3);
  const gone = await verify([statementFile], { POOLSHARE_URL: await serve(t, removed), POOLSHARE_KEY: KEYS.auditor });
  t.equal(gone.code, 1);
  t.match(gone.out, [/^mismatch: verification: the service could not verify the settlement: 500 /, /^mismatch: log: its hash chain breaks at revision 3 \(revision-missing\)/]);
});
