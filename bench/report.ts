// Printing: a plain-text table for the terminal (and docs/bench.md) and the JSON file.
import fs from 'node:fs';
import path from 'node:path';
import type { BenchResult, Figure } from './harness.js';

/** Ratios under this are flagged in the table: docs/bench.md explains each. */
export const RATIO_FLOOR = 0.5;

export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  const places = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-GB', { minimumFractionDigits: places, maximumFractionDigits: places });
}

function sizeLabel(size: number | undefined): string {
  if (size === undefined) return '';
  if (size >= 1_000_000 && size % 1_000_000 === 0) return `${size / 1_000_000}M`;
  if (size >= 1_000 && size % 1_000 === 0) return `${size / 1_000}k`;
  return String(size);
}

function extraText(figure: Figure): string {
  if (figure.extra === undefined) return '';
  return Object.entries(figure.extra)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v.toLocaleString('en-GB') : formatNumber(v)}`)
    .join(' ');
}

/** Rows of cells, header first. */
export function tableRows(figures: Figure[]): string[][] {
  const header = ['scenario', 'figure', 'log', 'measured', 'baseline', 'unit', 'ratio', 'measured side / baseline side', 'also'];
  const rows = figures.map((f) => [
    f.scenario,
    f.name,
    sizeLabel(f.size),
    formatNumber(f.measured.median),
    formatNumber(f.baseline.median),
    f.unit,
    `${f.ratio.toFixed(2)}${f.ratio < RATIO_FLOOR ? ' !' : ''}`,
    `${f.measured.label} / ${f.baseline.label}`,
    extraText(f),
  ]);
  return [header, ...rows];
}

const NUMERIC_COLUMNS = new Set([3, 4, 6]);

export function formatTable(figures: Figure[]): string {
  const rows = tableRows(figures);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]): string =>
    r.map((cell, c) => (NUMERIC_COLUMNS.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

/** The same table as Markdown, for docs/bench.md. */
export function formatMarkdown(figures: Figure[]): string {
  const rows = tableRows(figures);
  const esc = (s: string): string => s.replaceAll('|', '\\|');
  const out = [`| ${rows[0]!.map(esc).join(' | ')} |`, `|${rows[0]!.map((_, c) => (NUMERIC_COLUMNS.has(c) ? '---:' : '---')).join('|')}|`];
  for (const r of rows.slice(1)) out.push(`| ${r.map(esc).join(' | ')} |`);
  return out.join('\n');
}

export function formatMachine(result: BenchResult): string {
  const m = result.machine;
  return [
    `machine: ${m.cpuCount} x ${m.cpuModel}${m.cpuSpeedMHz > 0 ? ` @ ${m.cpuSpeedMHz} MHz` : ''}, ${m.totalMemoryGiB} GiB RAM, ${m.platform} ${m.release} ${m.arch}, Node ${m.node}`,
    `load average (1/5/15 min): start ${m.loadAverageStart.join(' ')}, end ${(m.loadAverageEnd ?? []).join(' ')}, highest 1-min during the run ${m.loadAverageMax1m ?? '?'}`,
    `run: ${result.startedAt}, ${result.durationSeconds.toFixed(0)} s, ${result.quick ? 'quick' : 'full'}, log sizes ${result.sizes.join(', ')}`,
  ].join('\n');
}

export function writeJson(result: BenchResult, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}
