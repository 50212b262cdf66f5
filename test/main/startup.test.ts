// Every bad start-up setting: the real entry point (src/main.ts) in a child process prints one
// line on stderr, no stack, and exits 1. The wait on the exit event is bounded only so that a
// process that spins (as DATA_DIR=/proc/x once did) fails the test instead of hanging it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { makeDirectory } from '../../src/make-directory.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { startFailureText } from '../../src/startup.js';

/** Generous: a start on a loaded machine takes seconds; a spinning one never ends. */
const HANG_GUARD_MS = 120_000;

interface Exit {
  code: number | null;
  stderr: string;
}

function start(env: NodeJS.ProcessEnv): Promise<Exit> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env['PATH'], LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: null, stderr: `${stderr}[still running after ${HANG_GUARD_MS} ms: killed]` });
    }, HANG_GUARD_MS);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr });
    });
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-startup-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
const aFile = path.join(tmp, 'a-file');
fs.writeFileSync(aFile, 'not a directory');

async function refuses(t: Tap, env: NodeJS.ProcessEnv, message: RegExp): Promise<void> {
  const { code, stderr } = await start({ PORT: '0', DATA_DIR: path.join(tmp, 'data'), ...env });
  t.equal(code, 1, 'exit 1');
  t.equal(stderr.trimEnd().split('\n').length, 1, `one line: ${stderr}`);
  t.match(stderr, message);
  t.notMatch(stderr, /^\s+at /m, 'no stack trace');
}
type Tap = Parameters<Parameters<typeof t.test>[0]>[0];

t.test('HOST that is no host', (t) => refuses(t, { HOST: 'not-a-host' }, /^poolshare: cannot start: HOST not-a-host is not a known host name or IP address/));

t.test('a PORT already in use', async (t) => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  t.teardown(() => busy.close());
  const { port } = busy.address() as AddressInfo;
  await refuses(t, { HOST: '127.0.0.1', PORT: String(port) }, new RegExp(`^poolshare: cannot start: PORT ${port} on 127\\.0\\.0\\.1 is already in use`));
});

t.test('a PORT that is no port', (t) => refuses(t, { PORT: '70000' }, /^poolshare: cannot start: PORT must be a whole number from 0 to 65535/));

t.test('DATA_DIR that is a file', (t) => refuses(t, { DATA_DIR: aFile }, new RegExp(`^poolshare: cannot start: DATA_DIR ${aFile} is a file, not a directory`)));

t.test('DATA_DIR below a file', (t) =>
  refuses(t, { DATA_DIR: path.join(aFile, 'data') }, /^poolshare: cannot start: DATA_DIR .* cannot be created: a part of the path is a file, not a directory \(ENOTDIR\)/));

// procfs answers ENOENT to a new entry; Node's recursive mkdir looped on that forever.
t.test('DATA_DIR where no directory can be made (/proc/nope)', (t) =>
  refuses(t, { DATA_DIR: '/proc/nope/deeper' }, /^poolshare: cannot start: DATA_DIR \/proc\/nope\/deeper cannot be created/));

t.test('makeDirectory: makes missing levels, accepts an existing directory, refuses once', async (t) => {
  const deep = path.join(tmp, 'made', 'a', 'b');
  makeDirectory(deep);
  t.ok(fs.statSync(deep).isDirectory(), 'made with its parents');
  t.doesNotThrow(() => makeDirectory(deep), 'already there');
  t.throws(() => makeDirectory(path.join(aFile, 'x')), { code: 'ENOTDIR' });
  t.throws(() => makeDirectory(aFile), { code: 'EEXIST' }, 'a file in the way');
  if (fs.existsSync('/proc/self')) t.throws(() => makeDirectory('/proc/nope/deeper'), { code: 'ENOENT' }, 'procfs: thrown, not looped');
});

t.test('an unexpected failure is one line too; the stack only with LOG_LEVEL debug or trace', async (t) => {
  const error = Object.assign(new Error('disk I/O error\nsecond line'), { code: 'SQLITE_IOERR' });
  t.equal(startFailureText(error, false, 'info'), 'poolshare: cannot start: disk I/O error (SQLITE_IOERR)');
  t.match(startFailureText(error, false, 'debug'), /^poolshare: cannot start: disk I\/O error \(SQLITE_IOERR\)\nError: disk I\/O error\n/);
  t.equal(startFailureText(new Error('PORT must be…'), true, 'debug'), 'poolshare: cannot start: PORT must be…', 'a known error never has a stack');
});
