// Amounts in a spreadsheet (API.md, spreadsheet uploads). A text cell may read `1234.50`,
// `1,234.50` or `£1,234.50`, with a leading minus (`-1,234.50`, `-£1,234.50`); a number
// cell must hold a whole number of pence. Accounting brackets `(1,234.50)` are refused:
// a bracket is easy to lose when a ledger export is edited, and a lost bracket flips a
// sign silently, so the file must say minus. Every accepted amount comes out as the
// decimal string with two places that the JSON form would carry.
import { Dec, formatAmount, isAmount } from '../../domain/money.js';
import type { Cell } from './grid.js';

export type CellResult<T> = { ok: true; value: T } | { ok: false; message: string };

const AMOUNT_TEXT = /^(-?)£?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?$/;
const AMOUNT_FORMS = 'an amount like 1234.50, 1,234.50 or £1,234.50';

export function amountFromText(raw: string): CellResult<string> {
  const text = raw.trim();
  const match = AMOUNT_TEXT.exec(text);
  if (!match) {
    const hint = /^\(.*\)$/.test(text) ? ' (write a negative amount with a minus sign, not brackets)' : '';
    return { ok: false, message: `"${clip(text)}" is not ${AMOUNT_FORMS}${hint}` };
  }
  const plain = `${match[1]}${(match[2] as string).replace(/,/g, '')}${match[3] === undefined ? '' : `.${match[3]}`}`;
  if (!isAmount(plain)) return { ok: false, message: `"${clip(text)}" has more than 12 digits before the point` };
  return { ok: true, value: formatAmount(Dec(plain)) };
}

/**
 * A number cell holds a double. The decimal the file wrote is the shortest one that reads
 * back as that double (String(value)); it counts only if it is a whole number of pence and
 * small enough that no other amount in pence shares the double.
 */
export function amountFromNumber(value: number): CellResult<string> {
  if (!Number.isFinite(value)) return { ok: false, message: 'is not a finite number' };
  const decimal = Dec(String(value));
  const pence = decimal.times(Dec('100'));
  if (!pence.round(0, Dec.roundDown).eq(pence)) return { ok: false, message: `${String(value)} is not a whole number of pence` };
  if (pence.abs().gt(Dec(String(Number.MAX_SAFE_INTEGER)))) return { ok: false, message: `${String(value)} is too large to be exact in a number cell: write it as text` };
  const amount = formatAmount(decimal);
  if (!isAmount(amount)) return { ok: false, message: `${amount} has more than 12 digits before the point` };
  return { ok: true, value: amount };
}

export function amountFromCell(cell: Cell): CellResult<string> {
  switch (cell.kind) {
    case 'number':
      return amountFromNumber(cell.value);
    case 'text':
      return cell.text.trim() === '' ? { ok: false, message: 'is required' } : amountFromText(cell.text);
    case 'empty':
      return { ok: false, message: 'is required' };
    case 'other':
      return { ok: false, message: `${cell.what} cell: an amount must be a number or text cell` };
  }
}

/** A text cell, trimmed; `required` says whether blank is an error or absent. */
export function textFromCell(cell: Cell, required: boolean): CellResult<string | undefined> {
  if (cell.kind === 'empty' || (cell.kind === 'text' && cell.text.trim() === '')) {
    return required ? { ok: false, message: 'is required' } : { ok: true, value: undefined };
  }
  if (cell.kind === 'text') return { ok: true, value: cell.text.trim() };
  return { ok: false, message: `${cell.kind === 'number' ? 'number' : cell.what} cell: must be a text cell` };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
