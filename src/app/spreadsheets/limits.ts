// Bounds on a spreadsheet upload (TigerBeetle's "a limit on everything"): the file's bytes,
// the rows read, the columns, and the lines a return may have (the JSON form's maxItems).

/** A CSV return: 1 MiB is thousands of times a real return. */
export const UPLOAD_CSV_BYTES_MAX = 1024 * 1024;
/** An XLSX return, as uploaded (zipped). */
export const UPLOAD_XLSX_BYTES_MAX = 2 * 1024 * 1024;
/** An XLSX return unzipped, as its own directory declares: refuses a zip bomb before it is inflated. */
export const UPLOAD_XLSX_UNZIPPED_BYTES_MAX = 32 * 1024 * 1024;
/** Lines of a return (schemas/submit-return-request.schema.json: maxItems). */
export const RETURN_ROWS_MAX = 200;
/** Rows read at all, blank ones included (a sheet's row count, a CSV's lines). */
export const UPLOAD_ROWS_SCANNED_MAX = 1000;
/** Columns read at all (five are known). */
export const UPLOAD_COLUMNS_MAX = 30;
/** Commentary: schemas/commentary.schema.json. */
export const COMMENTARY_LENGTH_MAX = 1000;
