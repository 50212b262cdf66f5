// Temporary directories for the bench's stores, removed afterwards (also on Ctrl-C).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const created = new Set<string>();

export function makeTempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `poolshare-bench-${label}-`));
  created.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  created.delete(dir);
}

export function removeAllTempDirs(): void {
  for (const dir of [...created]) removeTempDir(dir);
}

let hooked = false;
/** Removes every temp dir on exit or interrupt. */
export function cleanUpOnExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', removeAllTempDirs);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      removeAllTempDirs();
      process.exit(130);
    });
  }
}

export function directorySizeBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? directorySizeBytes(full) : fs.statSync(full).size;
  }
  return total;
}
