// The what-if calculator: `npm run whatif -- <file> [--format json|table|csv]`.
// Reads a fund's partners, budget, outturn, candidate terms, and optionally a reserve balance
// brought forward and board decisions from a JSON file, and prints the settlement the engine
// would compute, without any store or server. This is an edge: the file's shape is checked
// here with the JSON Schema, then the domain's semantic checks and the engine run on it.
// Exit codes: 0 printed, 2 bad input or usage (one `path: message` line per problem).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { DomainError, assertNever, type FieldError } from '../domain/errors.js';
import { computeSettlement, engineVersionOf, settlementDigest } from '../domain/settlement.js';
import type { EngineVersion, LineAmount, SettlementFigures } from '../domain/settlement-types.js';
import { ownValue } from '../domain/records.js';
import { pointerSegment, validateDecision, validateTerms } from '../domain/terms.js';
import { RESERVE_ID, type AdoptedDecision, type AgreementTerms, type Decision } from '../domain/terms-types.js';
import { shapeErrors } from '../schema-check.js';

export const WHATIF_INPUT_SCHEMA_ID = 'https://poolshare.example/schemas/whatif-input.json';

export interface WhatIfInput {
  partners: { partnerId: string; name?: string }[];
  budget: LineAmount[];
  outturn: LineAmount[];
  agreement: AgreementTerms;
  /** The reserve balance brought forward from the year before, by partner id. */
  broughtForward?: Record<string, string>;
  /** Board decisions, each taken as adopted: versions 1, 2, … in this order. */
  decisions?: Decision[];
}

/** What the calculator prints: the API's settlement figures, the engine, and their digest. */
export interface WhatIfOutput extends SettlementFigures {
  engineVersion: EngineVersion;
  digest: string;
}

export type WhatIfResult = { ok: true; output: WhatIfOutput } | { ok: false; errors: FieldError[] };

/** The calculator's core, for tests and the demo: validate, compute, digest. Never throws on bad input. */
export function runWhatIf(input: unknown): WhatIfResult {
  const shape = shapeErrors('whatif-input', input);
  if (shape.length > 0) return { ok: false, errors: shape };
  const checked = input as WhatIfInput;
  const partners = checked.partners.map((partner) => partner.partnerId);
  const strategies = [...new Set([...checked.budget, ...checked.outturn].map((line) => line.strategyId))];
  const errors = [
    ...referenceErrors(checked),
    ...validateTerms(checked.agreement, { partners, strategies }).map((e) => ({ ...e, path: `/agreement${e.path}` })),
    ...decisionErrors(checked, partners),
  ];
  if (errors.length > 0) return { ok: false, errors };
  // Each decision is taken as adopted, in the order listed: versions 1, 2, …
  const decisions: AdoptedDecision[] = (checked.decisions ?? []).map((decision, index) => ({ version: index + 1, ...decision }));
  let figures: SettlementFigures;
  try {
    const { budget, outturn, agreement, broughtForward } = checked;
    figures = computeSettlement({ partners, budget, outturn, agreement, ...(broughtForward === undefined ? {} : { broughtForward }), decisions });
  } catch (error) {
    // Limits that cross once B is known, or a contribution split of a zero budget.
    if (!(error instanceof DomainError)) throw error;
    return { ok: false, errors: error.errors.map((e) => ({ ...e, path: inputPath(e.path) })) };
  }
  const body = {
    pots: figures.pots,
    partners: figures.partners,
    payments: figures.payments,
    requiresDecision: figures.requiresDecision,
    unshared: figures.unshared,
    ...(figures.reserve === undefined ? {} : { reserve: figures.reserve }),
    engineVersion: engineVersionOf(figures),
  };
  return { ok: true, output: { ...body, digest: settlementDigest(body) } };
}

/** The engine names decisions by their place in its input (the file's order) and everything else within the terms. */
function inputPath(enginePath: string): string {
  return enginePath.startsWith('/decisions/') ? enginePath : `/agreement${enginePath}`;
}

/**
 * Partners unique (and none called `reserve`, the reserve's id), lines only for declared
 * partners, each line at most once per list, balances brought forward only for declared partners.
 */
function referenceErrors(input: WhatIfInput): FieldError[] {
  const errors: FieldError[] = [];
  const declared = new Map<string, number>();
  input.partners.forEach(({ partnerId }, index) => {
    const first = declared.get(partnerId);
    if (partnerId === RESERVE_ID) {
      errors.push({ path: `/partners/${index}/partnerId`, message: `'${RESERVE_ID}' is reserved: it names the risk reserve in payments` });
    }
    if (first === undefined) declared.set(partnerId, index);
    else errors.push({ path: `/partners/${index}/partnerId`, message: `partner '${partnerId}' is already declared at /partners/${first}` });
  });
  for (const list of ['budget', 'outturn'] as const) {
    const seen = new Map<string, number>();
    input[list].forEach((line, index) => {
      const at = `/${list}/${index}`;
      if (!declared.has(line.partnerId)) errors.push({ path: `${at}/partnerId`, message: `partner '${line.partnerId}' is not declared in /partners` });
      const key = JSON.stringify([line.strategyId, line.partnerId, line.arrangement]);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, index);
      else errors.push({ path: at, message: `repeats the line ${line.strategyId}/${line.partnerId}/${line.arrangement} of /${list}/${first}` });
    });
  }
  for (const partnerId of Object.keys(input.broughtForward ?? {})) {
    if (!declared.has(partnerId)) {
      errors.push({ path: `/broughtForward/${pointerSegment(partnerId)}`, message: `partner '${partnerId}' is not declared in /partners` });
    }
  }
  return errors;
}

/** Each decision against the file's terms and partners, as when a decision is proposed. */
function decisionErrors(input: WhatIfInput, partners: readonly string[]): FieldError[] {
  return (input.decisions ?? []).flatMap((decision, index) =>
    validateDecision(decision, input.agreement, partners).map((e) => ({ ...e, path: `/decisions/${index}${e.path}` })),
  );
}

/** Reads and parses the file, then runs; file and JSON problems are reported like input errors. */
export function runWhatIfFile(file: string): WhatIfResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, errors: [{ path: file, message: `cannot read the file: ${(error as Error).message}` }] };
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [{ path: file, message: `not valid JSON: ${(error as Error).message}` }] };
  }
  return runWhatIf(input);
}

const FORMATS = ['json', 'table', 'csv'] as const;
type Format = (typeof FORMATS)[number];
const USAGE = `usage: poolshare-whatif <file.json> [--format ${FORMATS.join('|')}]`;

function isFormat(text: string): text is Format {
  return (FORMATS as readonly string[]).includes(text);
}

/** The command line: returns the exit code and writes through the given sinks. */
export function main(argv: readonly string[], out: (text: string) => void, err: (text: string) => void): number {
  const args = [...argv];
  if (args.includes('--help') || args.includes('-h')) {
    out(`${USAGE}\n`);
    return 0;
  }
  let format: string = 'json';
  const formatAt = args.indexOf('--format');
  if (formatAt >= 0) {
    format = args[formatAt + 1] ?? '';
    args.splice(formatAt, 2);
  }
  if (!isFormat(format)) {
    err(`unknown format ${JSON.stringify(format)}: choose one of ${FORMATS.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  if (args.length !== 1) {
    err(`${USAGE}\n`);
    return 2;
  }
  const result = runWhatIfFile(args[0] as string);
  if (!result.ok) {
    for (const error of result.errors) err(`${error.path}: ${error.message}\n`);
    return 2;
  }
  out(render(result.output, format));
  return 0;
}

function render(output: WhatIfOutput, format: Format): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(output, null, 2)}\n`;
    case 'table':
      return formatStatement(output);
    case 'csv':
      return formatCsv(output);
    default:
      return assertNever(format);
  }
}

/** A readable statement: pots with their bands and shares, partners, payments, the reserve, unshared lines. */
export function formatStatement(output: WhatIfOutput): string {
  const parts: string[] = [`What-if settlement (${output.engineVersion})`, ''];
  for (const pot of output.pots) parts.push(...potStatement(pot));
  parts.push('Partners');
  const returned = output.reserve !== undefined;
  const partnerRows = output.partners.map((row) => [
    row.partnerId, money(row.varianceBorne), money(row.share), ...(returned ? [money(row.reserveReturned ?? '0.00')] : []), money(row.transfer),
  ]);
  parts.push(table([['partner', 'borne', 'share', ...(returned ? ['reserve returned'] : []), 'transfer (+ pays)'], ...partnerRows]), '');
  if (output.reserve !== undefined) parts.push(...reserveStatement(output.reserve));
  parts.push('Payments');
  if (output.requiresDecision) parts.push('  none: an amount is unallocated and the board must decide it first');
  else if (output.payments.length === 0) parts.push('  none');
  else parts.push(table(output.payments.map((p) => [p.from, '->', p.to, money(p.amount)]), false));
  parts.push('', 'Unshared lines (each partner bears its own variance)');
  if (output.unshared.length === 0) parts.push('  none');
  else parts.push(table([['strategy', 'partner', 'arrangement', 'variance'], ...output.unshared.map((u) => [u.strategyId, u.partnerId, u.arrangement, money(u.variance)])]));
  parts.push('', `requiresDecision: ${output.requiresDecision ? 'yes' : 'no'}`, `digest: ${output.digest}`, '');
  return parts.join('\n');
}

function potStatement(pot: WhatIfOutput['pots'][number]): string[] {
  const drew = pot.reserveDrawn === undefined ? '' : `, drew ${money(pot.reserveDrawn)} on the reserve`;
  const lines = [`Pot ${pot.potId}: budget ${money(pot.budget)}, variance ${money(pot.variance)} (${pot.direction})${drew}`];
  if (pot.bands.length > 0) {
    const bandRows = pot.bands.map((band, i) => [`band ${i + 1}`, money(band.from), band.to === null ? 'no limit' : money(band.to), money(band.amount)]);
    lines.push(table([['', 'from', 'to', 'slice'], ...bandRows]));
  }
  const shareRows = Object.entries(pot.shares).map(([partnerId, share]) => [partnerId, money(share), pot.capped.includes(partnerId) ? 'capped' : '']);
  lines.push(table([['partner', 'share', ''], ...shareRows, ['unallocated', money(pot.unallocated), '']]));
  if (pot.decision !== undefined) lines.push(`  board decision version ${pot.decision.version} applied: ${pot.decision.reference}`);
  lines.push('');
  return lines;
}

function reserveStatement(reserve: NonNullable<WhatIfOutput['reserve']>): string[] {
  const rows = Object.keys(reserve.opening).map((partnerId) => [
    partnerId,
    ...[reserve.opening, reserve.drawn, reserve.closing, reserve.returned, reserve.carriedForward].map((amounts) => money(ownValue(amounts, partnerId) ?? '0.00')),
  ]);
  return [
    `Reserve (unused balance: ${reserve.unused}; the reserve pays ${money(reserve.transfer)})`,
    table([['partner', 'opening', 'drawn', 'closing', 'returned', 'carried forward'], ...rows]),
    '',
  ];
}

/** The same figures as CSV sections (titled, separated by blank rows), every value a string. */
export function formatCsv(output: WhatIfOutput): string {
  const partners = output.partners.map((row) => row.partnerId);
  const engine2 = output.engineVersion !== 'poolshare-settlement/1';
  const rows: string[][] = [
    ['What-if settlement'],
    ['engine version', output.engineVersion],
    ['digest', output.digest],
    ['requires decision', output.requiresDecision ? 'yes' : 'no'],
    [],
    ['Pots'],
    ['pot', 'budget', 'variance', 'direction', ...partners.map((p) => `share ${p}`), 'unallocated', 'capped', ...(engine2 ? ['reserve drawn', 'decision version', 'decision reference'] : [])],
    ...output.pots.map((pot) => [
      pot.potId, pot.budget, pot.variance, pot.direction, ...partners.map((p) => ownValue(pot.shares, p) ?? '0.00'), pot.unallocated, pot.capped.join(' '),
      ...(engine2 ? [pot.reserveDrawn ?? '', pot.decision === undefined ? '' : String(pot.decision.version), pot.decision?.reference ?? ''] : []),
    ]),
    [],
    ['Bands'],
    ['pot', 'from', 'to', 'amount'],
    ...output.pots.flatMap((pot) => pot.bands.map((b) => [pot.potId, b.from, b.to ?? '', b.amount])),
    [],
    ['Partners'],
    ['partner', 'variance borne', 'share', 'transfer (positive pays)', ...(output.reserve === undefined ? [] : ['reserve returned'])],
    ...output.partners.map((p) => [p.partnerId, p.varianceBorne, p.share, p.transfer, ...(output.reserve === undefined ? [] : [p.reserveReturned ?? '0.00'])]),
    [],
    ['Payments'],
    ['from', 'to', 'amount'],
    ...output.payments.map((p) => [p.from, p.to, p.amount]),
    [],
    ['Unshared'],
    ['strategy', 'partner', 'arrangement', 'variance'],
    ...output.unshared.map((u) => [u.strategyId, u.partnerId, u.arrangement, u.variance]),
    ...reserveCsv(output.reserve),
  ];
  return stringify(rows, { record_delimiter: '\r\n' });
}

function reserveCsv(reserve: WhatIfOutput['reserve']): string[][] {
  if (reserve === undefined) return [];
  const rows = Object.keys(reserve.opening).map((partnerId) => [
    partnerId,
    ...[reserve.opening, reserve.drawn, reserve.closing, reserve.returned, reserve.carriedForward].map((amounts) => ownValue(amounts, partnerId) ?? '0.00'),
  ]);
  return [
    [],
    ['Reserve'],
    ['unused', reserve.unused],
    ['transfer (positive pays)', reserve.transfer],
    ['partner', 'opening', 'drawn', 'closing', 'returned', 'carried forward'],
    ...rows,
  ];
}

/** Thousands separators on an amount string; string work only, never a float. */
function money(amount: string): string {
  const [whole = '', pence = '00'] = amount.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${amount.startsWith('-') ? '-' : ''}${grouped}.${pence}`;
}

/** Columns padded to their widest cell; a column of amounts (below its header) is right-aligned. */
function table(rows: readonly string[][], header = true): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const body = header ? rows.slice(1) : rows;
  const isAmount = (cell: string) => cell === '' || cell === 'no limit' || /^-?[0-9,]+\.[0-9]{2}$/.test(cell);
  const right = widths.map((_, i) => body.every((row) => isAmount(row[i] ?? '')) && body.some((row) => (row[i] ?? '') !== ''));
  const line = (row: readonly string[]) =>
    `  ${row.map((cell, i) => (right[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd();
  return rows.map(line).join('\n');
}

/** True when this module is the program (tsx src/cli/whatif.ts, or bin/poolshare-whatif.js importing the build). */
function invokedAsProgram(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  let real: string;
  try {
    real = fs.realpathSync(entry);
  } catch {
    return false;
  }
  return real === fileURLToPath(import.meta.url) || path.basename(real) === 'poolshare-whatif.js';
}

if (invokedAsProgram()) {
  process.exitCode = main(
    process.argv.slice(2),
    (text) => process.stdout.write(text),
    (text) => process.stderr.write(text),
  );
}
