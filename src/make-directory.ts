// `mkdir -p` one level at a time. Node's own recursive mkdir never returns where a parent
// exists but refuses new entries with ENOENT, as procfs does: for /proc/x it makes /proc
// (EEXIST), retries /proc/x (ENOENT), and so on at 100 % CPU. Here every missing level is
// made once, and the first refusal is thrown as it came.
import fs from 'node:fs';
import path from 'node:path';

/** Makes `dir` and any missing parents; an existing directory is fine, a file in its place is EEXIST. */
export function makeDirectory(dir: string): void {
  const target = path.resolve(dir);
  const missing: string[] = [];
  for (let at = target; !fs.existsSync(at); at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break; // a root that does not exist: mkdir says why
  }
  for (const level of missing) {
    try {
      fs.mkdirSync(level);
    } catch (error) {
      // Made meanwhile by someone else: only a directory will do.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(level).isDirectory()) throw error;
    }
  }
  if (!fs.statSync(target).isDirectory()) {
    throw Object.assign(new Error(`EEXIST: file already exists, mkdir '${target}'`), { code: 'EEXIST', path: target });
  }
}
