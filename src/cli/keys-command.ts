// `poolshare-keys`: issues API keys (printed once, only their SHA-256 stored) and revokes them.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { hashKey, KeysFileError, parseKeysFile, type KeyRecord } from '../http/auth.js';
import { validatorFor } from '../schema-check.js';
import { describeKeyErrors, type NewKey } from './keys-messages.js';

export const USAGE = `usage:
  poolshare-keys issue --name <name> --role admin|partner|auditor [--partner <partnerId>] --funds <fundId>[,<fundId>…|*] [--file <keys.json>]
  poolshare-keys revoke --name <name> [--file <keys.json>]

The file defaults to $API_KEYS_FILE, else ./keys.json. "issue" prints the new key once on stdout;
only its SHA-256 is written to the file (created if absent, replaced atomically).`;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

interface Options {
  name?: string;
  role?: string;
  partner?: string;
  funds?: string;
}

const KEY_BYTES = 32;
const KEY_PREFIX = 'psk_';

export function newKey(): string {
  return `${KEY_PREFIX}${randomBytes(KEY_BYTES).toString('base64url')}`;
}

function readRecords(file: string): KeyRecord[] {
  if (!fs.existsSync(file)) return [];
  return parseKeysFile(fs.readFileSync(file, 'utf8'), file);
}

/** Writes beside the file, flushes, then renames over it: a reader sees the old file or the new one. */
function writeRecords(file: string, records: KeyRecord[]): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(records, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

function issue(values: Options, file: string, io: Io): number {
  const { name, role, partner, funds } = values;
  if (name === undefined || role === undefined || funds === undefined) {
    io.stderr(`issue needs --name, --role and --funds\n${USAGE}\n`);
    return 2;
  }
  const records = readRecords(file);
  const wanted: NewKey = { name, role, ...(partner === undefined ? {} : { partnerId: partner }), funds: funds.split(',').map((fund) => fund.trim()) };
  const problems = newKeyProblems(wanted, records, file);
  if (problems.length > 0) {
    io.stderr(`cannot issue the key "${name}":\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  const key = newKey();
  const record = { keySha256: hashKey(key), ...wanted };
  // Validated exactly as the server validates the file at start (names unique, partner rules, fund ids).
  const next = parseKeysFile(JSON.stringify([...records, record]), `the new key for ${file}`);
  writeRecords(file, next);
  io.stdout(`${key}\n`);
  io.stderr(`issued the key "${name}" (${role}) and stored its SHA-256 in ${file}; the key is shown only this once.\n`);
  return 0;
}

/** What is wrong with the key to issue, in the tool's own words (none: it may be stored). */
function newKeyProblems(wanted: NewKey, records: readonly KeyRecord[], file: string): string[] {
  if (records.some((record) => record.name === wanted.name)) {
    return [`${file} already has a key named "${wanted.name}". Choose another --name, or revoke the old key first (poolshare-keys revoke --name ${wanted.name}).`];
  }
  const validate = validatorFor('api-keys-file');
  return validate([{ keySha256: '0'.repeat(64), ...wanted }]) ? [] : describeKeyErrors(validate.errors ?? [], wanted);
}

function revoke(values: Options, file: string, io: Io): number {
  const name = values.name;
  if (name === undefined) {
    io.stderr(`revoke needs --name\n${USAGE}\n`);
    return 2;
  }
  const records = readRecords(file);
  const kept = records.filter((record) => record.name !== name);
  if (kept.length === records.length) {
    io.stderr(`no key named "${name}" in ${file}\n`);
    return 1;
  }
  writeRecords(file, kept);
  io.stderr(`revoked "${name}" in ${file} (a running server reads the file at start: restart it)\n`);
  return 0;
}

export function runKeysCli(argv: readonly string[], io: Io): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help === true || command === undefined || rest.length > 0) {
    (parsed.values.help === true ? io.stdout : io.stderr)(`${USAGE}\n`);
    return parsed.values.help === true ? 0 : 2;
  }
  const file = path.resolve(parsed.values.file ?? io.env['API_KEYS_FILE'] ?? 'keys.json');
  try {
    if (command === 'issue') return issue(parsed.values, file, io);
    if (command === 'revoke') return revoke(parsed.values, file, io);
  } catch (error) {
    if (error instanceof KeysFileError) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  io.stderr(`unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
  return 2;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: 'string' },
      role: { type: 'string' },
      partner: { type: 'string' },
      funds: { type: 'string' },
      file: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
