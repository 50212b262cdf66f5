// The what-if calculator: `npm run whatif -- <file> [--format json|table]`.
// Reads a fund's partners, budget, outturn and candidate terms from a JSON file and
// prints the settlement the engine would compute, without any store or server.
// Exit codes: 0 printed, 2 bad input or usage (one `path: message` line per problem).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainError, type FieldError } from '../domain/errors.js';
import { ENGINE_VERSION, computeSettlement, settlementDigest } from '../domain/settlement.js';
import type { LineAmount, SettlementFigures } from '../domain/settlement-types.js';
import { createAjv, validateTerms } from '../domain/terms.js';
import { schemaErrors } from '../schema-check.js';
import type { AgreementTerms } from '../domain/terms-types.js';
import { SCHEMAS_DIR } from '../paths.js';

export const WHATIF_INPUT_SCHEMA_ID = 'https://poolshare.example/schemas/whatif-input.json';

export interface WhatIfInput {
  partners: { partnerId: string; name?: string }[];
  budget: LineAmount[];
  outturn: LineAmount[];
  agreement: AgreementTerms;
}

/** What the calculator prints: the settlement figures, the engine, and their digest. */
export interface WhatIfOutput extends SettlementFigures {
  engineVersion: string;
  digest: string;
}

export type WhatIfResult = { ok: true; output: WhatIfOutput } | { ok: false; errors: FieldError[] };

const validateInput = (() => {
  const ajv = createAjv();
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, 'whatif-input.schema.json'), 'utf8')) as object);
  const validate = ajv.getSchema(WHATIF_INPUT_SCHEMA_ID);
  if (validate === undefined) throw new Error('what-if input schema did not compile');
  return validate;
})();

/** The calculator's core, for tests and the demo: validate, compute, digest. Never throws on bad input. */
export function runWhatIf(input: unknown): WhatIfResult {
  if (!validateInput(input)) return { ok: false, errors: schemaErrors(validateInput.errors, '') };
  const checked = input as WhatIfInput;
  const partners = checked.partners.map((partner) => partner.partnerId);
  const strategies = [...new Set([...checked.budget, ...checked.outturn].map((line) => line.strategyId))];
  const errors = [
    ...referenceErrors(checked),
    ...validateTerms(checked.agreement, { partners, strategies }).map((e) => ({ ...e, path: `/agreement${e.path}` })),
  ];
  if (errors.length > 0) return { ok: false, errors };
  let figures: SettlementFigures;
  try {
    figures = computeSettlement({ partners, budget: checked.budget, outturn: checked.outturn, agreement: checked.agreement });
  } catch (error) {
    // Limits that cross once B is known, or a contribution split of a zero budget.
    if (!(error instanceof DomainError)) throw error;
    return { ok: false, errors: error.errors.map((e) => ({ ...e, path: `/agreement${e.path}` })) };
  }
  const body = {
    pots: figures.pots,
    partners: figures.partners,
    payments: figures.payments,
    requiresDecision: figures.requiresDecision,
    unshared: figures.unshared,
    engineVersion: ENGINE_VERSION,
  };
  return { ok: true, output: { ...body, digest: settlementDigest(body) } };
}

/** Partners unique, lines only for declared partners, each line at most once per list. */
function referenceErrors(input: WhatIfInput): FieldError[] {
  const errors: FieldError[] = [];
  const declared = new Map<string, number>();
  input.partners.forEach(({ partnerId }, index) => {
    const first = declared.get(partnerId);
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
  return errors;
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

const USAGE = 'usage: poolshare-whatif <file.json> [--format json|table]';

/** The command line: returns the exit code and writes through the given sinks. */
export function main(argv: readonly string[], out: (text: string) => void, err: (text: string) => void): number {
  const args = [...argv];
  if (args.includes('--help') || args.includes('-h')) {
    out(`${USAGE}\n`);
    return 0;
  }
  let format = 'json';
  const formatAt = args.indexOf('--format');
  if (formatAt >= 0) {
    format = args[formatAt + 1] ?? '';
    args.splice(formatAt, 2);
  }
  if (args.length !== 1 || (format !== 'json' && format !== 'table')) {
    err(`${USAGE}\n`);
    return 2;
  }
  const result = runWhatIfFile(args[0] as string);
  if (!result.ok) {
    for (const error of result.errors) err(`${error.path}: ${error.message}\n`);
    return 2;
  }
  out(format === 'json' ? `${JSON.stringify(result.output, null, 2)}\n` : formatStatement(result.output));
  return 0;
}

/** A readable statement: pots with their bands and shares, partners, payments, unshared lines. */
export function formatStatement(output: WhatIfOutput): string {
  const parts: string[] = [`What-if settlement (${output.engineVersion})`, ''];
  for (const pot of output.pots) {
    parts.push(`Pot ${pot.potId}: budget ${money(pot.budget)}, variance ${money(pot.variance)} (${pot.direction})`);
    if (pot.bands.length > 0) {
      const bandRows = pot.bands.map((band, i) => [`band ${i + 1}`, money(band.from), band.to === null ? 'no limit' : money(band.to), money(band.amount)]);
      parts.push(table([['', 'from', 'to', 'slice'], ...bandRows]));
    }
    const shareRows = Object.entries(pot.shares).map(([partnerId, share]) => [partnerId, money(share), pot.capped.includes(partnerId) ? 'capped' : '']);
    parts.push(table([['partner', 'share', ''], ...shareRows, ['unallocated', money(pot.unallocated), '']]), '');
  }
  parts.push('Partners');
  const partnerRows = output.partners.map((row) => [row.partnerId, money(row.varianceBorne), money(row.share), money(row.transfer)]);
  parts.push(table([['partner', 'borne', 'share', 'transfer (+ pays)'], ...partnerRows]), '');
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
