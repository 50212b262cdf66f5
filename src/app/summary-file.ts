// The summary projection's file: its compacted fund-year states and the log position they
// reach. Written atomically (a temp file in the same folder, fsync, rename, fsync of the
// folder), so a crash leaves the old file or the new one, never half of one; mode 0600, like
// the keys file and the log. Read defensively: a file that is not what we wrote (truncated,
// not JSON, another shape) is reported, and the caller rebuilds from the log, which is the truth.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fundYearStream, type FundYearState } from '../domain/fundyear/index.js';

/**
 * 3: fund-year states carry `finalInputs`; 4: also `originalBudget` and `rag` (the monitoring
 * pack's). A file of another format is rebuilt from the log.
 */
export const SUMMARY_FILE_FORMAT = 4;
const FILE_MODE = 0o600;

export interface StoredProjection {
  format: typeof SUMMARY_FILE_FORMAT;
  /** Position of the last event applied, as a decimal string (bigint); null before any. */
  checkpoint: string | null;
  fundYears: Record<string, FundYearState>;
}

export type SummaryFileRead =
  | { kind: 'absent' }
  | { kind: 'read'; stored: StoredProjection }
  /** Not ours to trust: `reason` says why, in a few words. */
  | { kind: 'unusable'; reason: string };

/** The temp file a write goes through (same folder, so the rename is atomic). */
/**
 * One per writer: two instances sharing DATA_DIR never write one temp file (host name and pid,
 * since two containers may both be pid 1). A writer's own temp file left by a crash is replaced.
 */
export function tempFileOf(file: string): string {
  return `${file}.${os.hostname()}.${process.pid}.tmp`;
}

export function writeSummaryFile(file: string, stored: StoredProjection): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const temp = tempFileOf(file);
  // Created afresh so that it takes our mode.
  fs.rmSync(temp, { force: true });
  const fd = fs.openSync(temp, 'wx', FILE_MODE);
  try {
    fs.fchmodSync(fd, FILE_MODE); // whatever the umask
    fs.writeSync(fd, JSON.stringify(stored));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  syncDirectory(dir);
}

/** Makes the rename itself durable. Some platforms cannot open a folder: there, the rename is all we have. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // best effort: the file itself is already synced
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function readSummaryFile(file: string): SummaryFileRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'unusable', reason: `cannot be read (${(error as Error).message})` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { kind: 'unusable', reason: `is not JSON (${(error as Error).message})` };
  }
  const problem = shapeProblem(parsed);
  return problem === null ? { kind: 'read', stored: parsed as StoredProjection } : { kind: 'unusable', reason: problem };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isRevision = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isText = (value: unknown): value is string => typeof value === 'string';
const isAmountText = (value: unknown): boolean => typeof value === 'string' && /^-?[0-9]+(\.[0-9]{1,2})?$/.test(value);
const isPeriod = (value: unknown): boolean => typeof value === 'string' && /^M([1-9]|1[0-2])$/.test(value);
const isLine = (line: unknown): boolean => isObject(line) && isText(line['strategyId']) && isText(line['arrangement']);

/** Each list of a stored state, and what every item of it must be for the summary to read it safely. */
const LISTS: Record<string, (item: unknown) => boolean> = {
  partners: (p) => isObject(p) && isText(p['partnerId']),
  strategies: (s) => isObject(s) && isText(s['strategyId']),
  returns: (r) => isObject(r) && isText(r['partnerId']) && isPeriod(r['period']) && isRevision(r['revision']) && Array.isArray(r['lines'])
    && r['lines'].every((l: unknown) => isLine(l) && isAmountText((l as Record<string, unknown>)['actualToDate']) && isAmountText((l as Record<string, unknown>)['forecastOutturn'])),
  agreements: (a) => isObject(a) && isRevision(a['version']) && isObject(a['terms']) && Array.isArray(a['acceptedBy']),
  adjustments: (a) => isLine(a) && isText((a as Record<string, unknown>)['partnerId']) && isAmountText((a as Record<string, unknown>)['amount']),
  settlements: (s) => isObject(s) && isObject(s['record']) && isText(s['record']['settlementId']) && Array.isArray(s['approvedBy']),
  finalInputs: (f) => isObject(f) && isText(f['type']) && isRevision(f['revision']),
};
const isBudgetLine = (b: unknown): boolean => isLine(b) && isText((b as Record<string, unknown>)['partnerId']) && isAmountText((b as Record<string, unknown>)['amount']);

/** What is wrong with the file's shape, or null. Deep enough that reading it back cannot throw later. */
function shapeProblem(parsed: unknown): string | null {
  if (!isObject(parsed)) return 'is not a JSON object';
  if (parsed['format'] !== SUMMARY_FILE_FORMAT) return `is of format ${JSON.stringify(parsed['format'])}, not ${SUMMARY_FILE_FORMAT}`;
  const checkpoint = parsed['checkpoint'];
  if (checkpoint !== null && (typeof checkpoint !== 'string' || !/^[0-9]{1,30}$/.test(checkpoint))) return 'has no valid checkpoint';
  const fundYears = parsed['fundYears'];
  if (!isObject(fundYears)) return 'has no fund-year map';
  for (const [stream, state] of Object.entries(fundYears)) {
    const problem = stateProblem(stream, state);
    if (problem !== null) return `has a bad fund-year ${JSON.stringify(stream)}: ${problem}`;
  }
  return null;
}

function stateProblem(stream: string, state: unknown): string | null {
  if (!isObject(state)) return 'not an object';
  if (state['status'] !== 'open' && state['status'] !== 'closed') return 'no status';
  if (typeof state['fundId'] !== 'string' || typeof state['year'] !== 'string' || typeof state['name'] !== 'string') return 'no ids';
  if (fundYearStream(state['fundId'], state['year']) !== stream) return 'filed under another stream';
  if (!isRevision(state['revision'])) return 'no revision';
  if (state['status'] === 'closed' && !isRevision(state['closedAtRevision'])) return 'closed without a revision';
  const budget = state['budget'];
  if (budget !== null && !(Array.isArray(budget) && budget.every(isBudgetLine))) return 'a bad budget';
  const original = state['originalBudget'];
  if (original !== null && !(Array.isArray(original) && original.every(isBudgetLine))) return 'a bad original budget';
  const rag = state['rag'];
  if (!isObject(rag) || !isText(rag['amberPercent']) || !isText(rag['redPercent'])) return 'no RAG thresholds';
  for (const [list, isItem] of Object.entries(LISTS)) {
    const items = state[list];
    if (!Array.isArray(items)) return `no ${list} list`;
    if (!items.every(isItem)) return `a bad item in ${list}`;
  }
  return null;
}
