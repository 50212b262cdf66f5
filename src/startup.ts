// Start-up settings that only the machine can judge (DATA_DIR on disk, HOST and PORT when
// listening), turned into one line a person can act on. main.ts prints it and exits 1.
import fs from 'node:fs';
import { makeDirectory } from './make-directory.js';

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** Why a directory could not be made, by errno. */
const MKDIR_REASONS: ReadonlyMap<string, string> = new Map([
  ['ENOTDIR', 'a part of the path is a file, not a directory'],
  ['ENOENT', 'the file system does not allow a directory there'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'permission denied'],
  ['EROFS', 'the file system is read-only'],
  ['ENOSPC', 'no space left on the device'],
]);

/** Makes DATA_DIR if it is missing and checks that it is a writable directory. */
export function prepareDataDir(dir: string): void {
  try {
    makeDirectory(dir);
  } catch (error) {
    if (code(error) === 'EEXIST') throw new StartupError(`DATA_DIR ${dir} is a file, not a directory`);
    const why = MKDIR_REASONS.get(code(error) ?? '') ?? (error as Error).message;
    throw new StartupError(`DATA_DIR ${dir} cannot be created: ${why} (${code(error) ?? 'error'})`);
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw new StartupError(`DATA_DIR ${dir} is not writable by this user`);
  }
}

/** A listen() failure as the setting to change. */
export function listenFailure(error: unknown, host: string, port: number): Error {
  switch (code(error)) {
    case 'EADDRINUSE':
      return new StartupError(`PORT ${port} on ${host} is already in use (EADDRINUSE); stop the other process or choose another PORT`);
    case 'EACCES':
      return new StartupError(`PORT ${port} on ${host} needs privileges this user lacks (EACCES); choose a PORT above 1023`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return new StartupError(`HOST ${host} is not a known host name or IP address (${code(error)})`);
    case 'EADDRNOTAVAIL':
      return new StartupError(`HOST ${host} is not an address of this machine (EADDRNOTAVAIL); e.g. 127.0.0.1 or 0.0.0.0`);
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}

/** What to print when start-up fails: always one line; the stack only when LOG_LEVEL asks for detail. */
export function startFailureText(error: unknown, known: boolean, logLevel: string | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = `poolshare: cannot start: ${known ? message : `${message.split('\n')[0]}${code(error) ? ` (${code(error)})` : ''}`}`;
  const detail = !known && (logLevel === 'debug' || logLevel === 'trace') && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return line + detail;
}
