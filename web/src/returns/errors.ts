// Where a refusal belongs on the return form: `errors[].path` is a JSON pointer
// into the body we sent (`/lines/3/actualToDate`, `/period`, `/correction`); the
// form's rows are the body's lines in the same order. Import-free for the Node tests.

export interface FieldProblem {
  path: string;
  message: string;
}

export interface PlacedErrors {
  /** By "row/field" (field "" for the row as a whole). */
  lines: Map<string, string[]>;
  /** By top-level field: period, correction, partnerId, lines. */
  fields: Map<string, string[]>;
  /** Anything the form has no place for. */
  other: FieldProblem[];
}

function add(map: Map<string, string[]>, key: string, message: string): void {
  map.set(key, [...(map.get(key) ?? []), message]);
}

export function lineKey(row: number, field: string): string {
  return `${row}/${field}`;
}

const LINE_RE = /^\/lines\/(\d+)(?:\/([A-Za-z]+))?$/;
const FIELD_RE = /^\/([A-Za-z]+)$/;

export function placeErrors(errors: readonly FieldProblem[], rows: number): PlacedErrors {
  const placed: PlacedErrors = { lines: new Map(), fields: new Map(), other: [] };
  for (const error of errors) {
    const line = LINE_RE.exec(error.path);
    if (line !== null && Number(line[1]) < rows) {
      add(placed.lines, lineKey(Number(line[1]), line[2] ?? ''), error.message);
      continue;
    }
    const field = FIELD_RE.exec(error.path);
    if (field !== null) add(placed.fields, field[1] ?? '', error.message);
    else placed.other.push(error);
  }
  return placed;
}
