// Formatting only: every figure arrives from the API as a decimal string and is
// shown as it is, with thousands separators and two decimals. Nothing here turns
// an amount into a JS number, rounds it or computes with it (string work only).
// Import-free, so the Node tests can load it as it is.

const DECIMAL_RE = /^(-?)(\d+)(?:\.(\d+))?$/;

function group(whole: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "-1234.5" → "-1,234.50". Anything that is not a plain decimal is shown as it came. */
export function formatAmount(text: string): string {
  const match = DECIMAL_RE.exec(text);
  if (match === null) return text;
  const [, sign = '', whole = '', fraction = ''] = match;
  return `${sign}${group(whole)}.${fraction.padEnd(2, '0')}`;
}

/** "2258879.71" → "£2,258,879.71"; "-5" → "-£5.00". */
export function formatPounds(text: string): string {
  const formatted = formatAmount(text);
  return formatted.startsWith('-') ? `-£${formatted.slice(1)}` : `£${formatted}`;
}

/** Whether an amount string is below zero (its sign, read from the text). */
export function isNegative(text: string): boolean {
  return text.startsWith('-') && /[1-9]/.test(text);
}

/** A weight as a percentage by moving the decimal point: "0.5" → "50%", "0.3333" → "33.33%", "1" → "100%". */
export function weightAsPercent(weight: string): string {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(weight);
  if (match === null) return weight;
  const [, whole = '', fraction = ''] = match;
  const digits = `${whole}${fraction.padEnd(2, '0')}`;
  const integer = digits.slice(0, whole.length + 2).replace(/^0+(?=\d)/, '');
  const rest = digits.slice(whole.length + 2).replace(/0+$/, '');
  return rest === '' ? `${integer}%` : `${integer}.${rest}%`;
}

/**
 * What a user typed in an amount field, as the JSON contract wants it: "1,234.50",
 * "£1,234.50" and " 1234.5 " become "1234.50"-style text (separators and the pound
 * sign dropped, nothing else changed). Anything else is sent as typed, so the API's
 * refusal names the field.
 */
export function normaliseAmountInput(typed: string): string {
  const text = typed.trim();
  const match = /^(-?)£?((?:\d{1,3}(?:,\d{3})+)|\d+)(\.\d+)?$/.exec(text);
  if (match === null) return text;
  const [, sign = '', whole = '', fraction = ''] = match;
  return `${sign}${whole.replace(/,/g, '')}${fraction}`;
}

const PERIOD_RE = /^M([1-9]|1[0-2])$/;
export const PERIODS = ['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7', 'M8', 'M9', 'M10', 'M11', 'M12'] as const;

/** The period after `last` (M1 when none; M12 stays M12). */
export function nextPeriod(last: string | null | undefined): string {
  if (last === null || last === undefined || !PERIOD_RE.test(last)) return 'M1';
  const index = PERIODS.indexOf(last as (typeof PERIODS)[number]);
  return PERIODS[Math.min(index + 1, PERIODS.length - 1)] ?? 'M12';
}

/** An ISO time as "3 Dec 2026, 18:58:01 UTC" (the audit trail's "when"). */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }).format(date);
  return `${text} UTC`;
}
