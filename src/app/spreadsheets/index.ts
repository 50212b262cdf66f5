// Spreadsheets in and out: returns uploaded as CSV or XLSX, the return template, and the
// monitoring pack as CSV and XLSX. No HTTP types: the routes pass bytes and media types.
export * from './limits.js';
export { RETURN_COLUMNS, readReturnGrid, type UploadedReturn, type UploadedReturnLine, type ReadResult } from './read-return.js';
export { readReturnCsv } from './read-csv.js';
export { readReturnXlsx } from './read-xlsx.js';
export { readReturnUpload, parseReturnUpload, pathsToRows, CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, type SpreadsheetFormat } from './upload.js';
export { amountFromText, amountFromNumber } from './cells.js';
export { returnTemplateCsv, returnTemplateXlsx, RETURN_SHEET, type ReturnTemplate } from './return-template.js';
export { monitoringPackCsv, PACK_CSV_COLUMNS } from './pack-csv.js';
export { monitoringPackXlsx, PACK_HEADING_ROW } from './pack-xlsx.js';
export { LEVELS, FIGURE_COLUMNS, SETTLEMENT_SHEET } from './pack-columns.js';
export { exactNumber, AMOUNT_FORMAT, RAG_STYLE, AMOUNT_AS_TEXT_NOTE } from './write-cells.js';
