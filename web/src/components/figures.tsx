// A table of figures from the overview model: headed columns, amounts only formatted,
// RAG flags as labelled badges; it scrolls sideways inside its box on a phone.
import type { JSX } from 'preact';
import type { Column, FigureTable } from '../overview/model.js';
import { AmountCell } from './common.js';

export function RagBadge({ rag }: { rag: string }): JSX.Element {
  const words: Record<string, string> = { red: 'Red', amber: 'Amber', green: 'Green' };
  return <span class={`rag rag-${rag}`}>{words[rag] ?? rag}</span>;
}

function Cell({ column, value }: { column: Column; value: string | null | undefined }): JSX.Element {
  if (column.kind === 'amount') return <AmountCell value={value} />;
  if (column.kind === 'rag') return <td>{value === null || value === undefined ? '–' : <RagBadge rag={value} />}</td>;
  if (column.kind === 'percent') return <td class="num">{value === null || value === undefined ? '–' : `${value}%`}</td>;
  return <td>{value ?? '–'}</td>;
}

export function FigureTableView({ table }: { table: FigureTable }): JSX.Element {
  return (
    <section class="figures" aria-labelledby={`table-${table.id}`}>
      <h2 id={`table-${table.id}`}>{table.title}</h2>
      <div class="table-scroll" tabIndex={0} role="region" aria-label={`${table.title} (scrolls sideways)`}>
        <table id={`figures-${table.id}`}>
          <thead>
            <tr>{table.columns.map((c) => <th key={c.key} scope="col" class={c.kind === 'amount' ? 'num' : undefined}>{c.label}</th>)}</tr>
          </thead>
          <tbody>
            {table.rows.map((row) => (
              <>
                <tr key={row.key} data-row={row.key}>
                  {table.columns.map((c) => <Cell key={c.key} column={c} value={row.cells[c.key]} />)}
                </tr>
                {row.note !== undefined && (
                  <tr key={`${row.key}-note`} class="note-row">
                    <td colSpan={table.columns.length}>{row.note}</td>
                  </tr>
                )}
              </>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
