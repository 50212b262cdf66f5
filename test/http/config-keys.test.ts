// Configuration from the environment, and the key-issuing command line tool.
import { test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ConfigError, loadConfig } from '../../src/config.js';
import { runKeysCli, type Io } from '../../src/cli/keys-command.js';
import { hashKey, KeyRing, loadKeysFile } from '../../src/http/auth.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const HTTP_DEFAULTS = { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, connectionTimeoutMs: 60_000, connectionsMax: 256 };

test('configuration: defaults', async (t) => {
  const defaults = { port: 3000, host: '127.0.0.1', dataDir: './data', logLevel: 'info', http: HTTP_DEFAULTS };
  t.strictSame(loadConfig({}), defaults);
  t.strictSame(loadConfig({ PORT: '', API_KEYS_FILE: ' ', EVENTSTORE_URL: '', HTTP_REQUEST_TIMEOUT_MS: '', HTTP_CONNECTIONS_MAX: ' ' }), defaults, 'empty means unset');
});

test('configuration: every variable', async (t) => {
  t.strictSame(
    loadConfig({
      PORT: '8080', HOST: '0.0.0.0', DATA_DIR: '/var/lib/poolshare', EVENTSTORE_URL: 'esdb://127.0.0.1:2113?tls=false', API_KEYS_FILE: '/etc/poolshare/keys.json', LOG_LEVEL: 'warn',
      HTTP_REQUEST_TIMEOUT_MS: '20000', HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000', HTTP_CONNECTION_TIMEOUT_MS: '90000', HTTP_CONNECTIONS_MAX: '1000',
    }),
    {
      port: 8080, host: '0.0.0.0', dataDir: '/var/lib/poolshare', logLevel: 'warn',
      http: { requestTimeoutMs: 20_000, headersTimeoutMs: 20_000, keepAliveTimeoutMs: 1_000, connectionTimeoutMs: 90_000, connectionsMax: 1000 },
      eventStoreUrl: 'esdb://127.0.0.1:2113?tls=false', apiKeysFile: '/etc/poolshare/keys.json',
    },
  );
  t.equal(loadConfig({ PORT: '0' }).port, 0, 'any free port');
});

test('configuration: refused with a clear message', async (t) => {
  const bad: [NodeJS.ProcessEnv, RegExp][] = [
    [{ PORT: '80a' }, /PORT must be a whole number/],
    [{ PORT: '65536' }, /PORT/],
    [{ PORT: '-1' }, /PORT/],
    [{ HOST: 'two words' }, /HOST/],
    [{ LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
    [{ EVENTSTORE_URL: 'http://127.0.0.1:2113' }, /EVENTSTORE_URL must be an esdb:\/\//],
    [{ EVENTSTORE_URL: 'not a url' }, /EVENTSTORE_URL is not a URL/],
    [{ HTTP_REQUEST_TIMEOUT_MS: '0' }, /HTTP_REQUEST_TIMEOUT_MS must be a whole number from 1 to 3600000, not "0"/],
    [{ HTTP_CONNECTION_TIMEOUT_MS: '1.5' }, /HTTP_CONNECTION_TIMEOUT_MS must be a whole number/],
    [{ HTTP_KEEP_ALIVE_TIMEOUT_MS: '3600001' }, /HTTP_KEEP_ALIVE_TIMEOUT_MS must be a whole number from 1 to 3600000/],
    [{ HTTP_CONNECTIONS_MAX: '0' }, /HTTP_CONNECTIONS_MAX must be a whole number from 1 to 100000/],
    [{ HTTP_CONNECTIONS_MAX: '-5' }, /HTTP_CONNECTIONS_MAX/],
    [{ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '6000' }, /HTTP_HEADERS_TIMEOUT_MS \(6000\) must not exceed HTTP_REQUEST_TIMEOUT_MS \(5000\)/],
    [{ EVENTSTORE_URL: 'kurrentdb://127.0.0.1:2113?tls=false' }, /^EVENTSTORE_URL uses kurrentdb:\/\/, which the EventStoreDB client of this build .* after esdb:\/\//],
    [{ EVENTSTORE_URL: 'esdb://a:2113,b:2113?nodePreference=captain' }, /EVENTSTORE_URL has nodePreference "captain"/],
  ];
  for (const [env, message] of bad) t.throws(() => loadConfig(env), { name: 'ConfigError', message }, JSON.stringify(env));
  const cluster = 'esdb://admin:changeit@node1.example:2113,node2.example:2113,node3.example:2113?tls=true&nodePreference=leader';
  t.equal(loadConfig({ EVENTSTORE_URL: cluster }).eventStoreUrl, cluster, 'several gossip seeds are accepted (no valid WHATWG URL)');
  t.ok(new ConfigError('x') instanceof Error);
});

function capture(env: NodeJS.ProcessEnv = {}): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, env, stdout: (text) => void out.push(text), stderr: (text) => void err.push(text) };
}

function tempDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-keys-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('keys issue: prints the key once, stores only its hash', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'keys.json');
  const io = capture();
  t.equal(runKeysCli(['issue', '--name', 'ccg-finance', '--role', 'partner', '--partner', 'ccg', '--funds', 'plymouth-integrated-fund', '--file', file], io), 0);
  const key = io.out.join('').trim();
  t.match(key, /^psk_[A-Za-z0-9_-]{43}$/, 'a base64url key from 32 random bytes');
  const text = fs.readFileSync(file, 'utf8');
  t.notOk(text.includes(key), 'the key itself is not stored');
  t.strictSame(JSON.parse(text), [{ keySha256: hashKey(key), name: 'ccg-finance', role: 'partner', partnerId: 'ccg', funds: ['plymouth-integrated-fund'] }]);
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'readable by its owner only');
  t.match(io.err.join(''), /shown only this once/);

  const io2 = capture({ API_KEYS_FILE: file });
  t.equal(runKeysCli(['issue', '--name', 'fund-admin', '--role', 'admin', '--funds', '*'], io2), 0, 'the file defaults to API_KEYS_FILE');
  const records = loadKeysFile(file);
  t.strictSame(records.map((r) => r.name), ['ccg-finance', 'fund-admin'], 'appended');
  const ring = new KeyRing(records);
  t.equal(ring.authenticate(`Bearer ${key}`)?.name, 'ccg-finance', 'the printed key authenticates');
  t.equal(ring.authenticate(`Bearer ${io2.out.join('').trim()}`)?.role, 'admin');
  t.strictSame(fs.readdirSync(dir), ['keys.json'], 'no temporary file is left');

  const dup = capture();
  t.equal(runKeysCli(['issue', '--name', 'ccg-finance', '--role', 'auditor', '--funds', '*', '--file', file], dup), 1);
  t.strictSame(dup.err.join('').split('\n'), [
    'cannot issue the key "ccg-finance":',
    `  ${file} already has a key named "ccg-finance". Choose another --name, or revoke the old key first (poolshare-keys revoke --name ccg-finance).`,
    '',
  ], 'says plainly that the name is taken');
  t.strictSame(dup.out, [], 'no key printed when nothing was stored');
  t.equal(loadKeysFile(file).length, 2, 'the file is unchanged');

  const revoke = capture();
  t.equal(runKeysCli(['revoke', '--name', 'ccg-finance', '--file', file], revoke), 0);
  t.strictSame(loadKeysFile(file).map((r) => r.name), ['fund-admin']);
  t.equal(runKeysCli(['revoke', '--name', 'ccg-finance', '--file', file], capture()), 1, 'revoking twice');
});

test('keys issue: refused input', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'keys.json');
  // Refusals of the new key read as sentences naming the option to change (no JSON-Schema words).
  const refused: [string[], string[]][] = [
    [['--role', 'partner', '--funds', 'f1'], ['A partner key needs --partner <partnerId>: the partner whose figures it may submit.']],
    [['--role', 'admin', '--partner', 'ccg', '--funds', '*'], ['--partner is only for --role partner; an admin key acts for no partner.']],
    [['--role', 'root', '--funds', '*'], ['--role "root" is not a role; the roles are admin, partner, auditor.']],
    [['--role', 'admin', '--funds', 'Not A Fund,ok-fund,ok-fund'], [
      '--funds: "Not A Fund" is not a fund id (lower-case letters, digits and "-", starting with a letter or digit, 2 to 63 characters) nor "*" for every fund.',
      '--funds names the same fund twice.',
    ]],
    [['--role', 'partner', '--partner', 'CCG', '--funds', '*', '--name', 'bad name'], [
      '--name "bad name" is not a usable name: 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit.',
      '--partner "CCG" is not a partner id: lower-case letters, digits and "-", starting with a letter or digit, at most 63 characters.',
    ]],
  ];
  for (const [args, sentences] of refused) {
    const io = capture();
    const all = ['issue', '--name', 'x', ...args, '--file', file];
    t.equal(runKeysCli(all, io), 1, args.join(' '));
    const name = args.includes('--name') ? args[args.indexOf('--name') + 1] : 'x';
    t.strictSame(io.err.join('').split('\n'), [`cannot issue the key "${name}":`, ...sentences.map((s) => `  ${s}`), ''], args.join(' '));
    t.notMatch(io.err.join(''), /must (have|match|be equal)|\/0\//, 'no JSON-Schema words');
    t.strictSame(io.out, []);
  }
  const cases: [string[], number, RegExp][] = [
    [['issue', '--name', 'x', '--role', 'admin'], 2, /issue needs --name, --role and --funds/],
    [['issue', '--bogus'], 2, /Unknown option '--bogus'/],
    [['frobnicate'], 2, /unknown command "frobnicate"/],
    [[], 2, /usage:/],
  ];
  for (const [args, code, message] of cases) {
    const io = capture();
    t.equal(runKeysCli([...args, '--file', file], io), code, args.join(' '));
    t.match(io.err.join(''), message);
    t.strictSame(io.out, []);
  }
  t.notOk(fs.existsSync(file), 'nothing was written');
  fs.writeFileSync(file, '[{"broken": true}]');
  const io = capture();
  t.equal(runKeysCli(['issue', '--name', 'x', '--role', 'admin', '--funds', '*', '--file', file], io), 1, 'an invalid existing file is not overwritten');
  t.equal(fs.readFileSync(file, 'utf8'), '[{"broken": true}]');
  const help = capture();
  t.equal(runKeysCli(['--help'], help), 0);
  t.match(help.out.join(''), /poolshare-keys issue/);
});

test('npm run keys runs the tool', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'keys.json');
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', 'issue', '--name', 'internal-audit', '--role', 'auditor', '--funds', '*', '--file', file], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  t.equal(run.status, 0, run.stderr);
  t.equal(loadKeysFile(file)[0]?.keySha256, hashKey(run.stdout.trim()));
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', 'issue'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  t.equal(bad.status, 2);
});
