// Monthly returns sent as spreadsheets through HTTP on the real app: a CSV and an XLSX return
// land exactly like their JSON twin (the same event data, the same answer), the same
// Idempotency-Key behaviour (over the file's bytes and the query), every refusal names the
// row and column and appends nothing, and the template round trip: template → filled in →
// uploaded → the pack shows it.
import t from 'tap';
import ExcelJS from 'exceljs';
import type { MonitoringPack } from '../../src/domain/monitoring/index.js';
import { UPLOAD_CSV_BYTES_MAX, UPLOAD_XLSX_BYTES_MAX } from '../../src/app/spreadsheets/index.js';
import { ADMIN, AUDITOR, monitoringApp, XLSX, type MonitoringApp, type Reply } from './fixtures/monitoring.js';

const HEAD = 'strategyId,arrangement,actualToDate,forecastOutturn,commentary';
const csv = (...rows: string[]): string => `${rows.join('\r\n')}\r\n`;

/** ccg: wellbeing pooled, community pooled and aligned; council: wellbeing pooled. */
async function openYear(m: MonitoringApp, fundId: string): Promise<string> {
  const fy = `/v1/funds/${fundId}/years/2015-16`;
  const steps: [string, Promise<Reply>][] = [
    ['open', m.call('POST', fy, ADMIN, {
      name: 'Uploads', partners: [{ partnerId: 'ccg', name: 'CCG' }, { partnerId: 'council', name: 'Council' }],
      strategies: [{ strategyId: 'wellbeing', name: 'Wellbeing' }, { strategyId: 'community', name: 'Community' }],
    })],
  ];
  for (const [what, reply] of steps) if ((await reply).status !== 201) throw new Error(what);
  const budget = await m.call('PUT', `${fy}/budget`, ADMIN, {
    lines: [
      { strategyId: 'wellbeing', partnerId: 'ccg', arrangement: 'pooled', amount: '120000.00' },
      { strategyId: 'community', partnerId: 'ccg', arrangement: 'pooled', amount: '240000.00' },
      { strategyId: 'community', partnerId: 'ccg', arrangement: 'aligned', amount: '60000.00' },
      { strategyId: 'wellbeing', partnerId: 'council', arrangement: 'pooled', amount: '36000.00' },
    ],
  });
  if (budget.status !== 200) throw new Error(budget.body);
  return fy;
}

const JSON_LINES = [
  { strategyId: 'wellbeing', arrangement: 'pooled', actualToDate: '10234.50', forecastOutturn: '121000.00', commentary: 'Agency staff, two vacancies.' },
  { strategyId: 'community', arrangement: 'pooled', actualToDate: '-1500.00', forecastOutturn: '240000.00' },
  { strategyId: 'community', arrangement: 'aligned', actualToDate: '5000.00', forecastOutturn: '59999.99' },
];
const CSV_FILE = csv(HEAD, 'wellbeing,pooled,"£10,234.50","121,000.00","Agency staff, two vacancies."', 'community,pooled,-1500,"-£0.00",', 'community,aligned,5000.00,59999.99,');
const CSV_FILE_FIXED = CSV_FILE.replace('"-£0.00"', '240000');

async function xlsxFile(rows: unknown[][], head: string[] = HEAD.split(',')): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Return');
  sheet.addRow(head);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
const XLSX_ROWS = [
  ['wellbeing', 'pooled', 10234.5, '£121,000.00', 'Agency staff, two vacancies.'],
  ['community', 'pooled', -1500, 240000, null],
  ['community', 'aligned', 5000, 59999.99, null],
];

const returnsUrl = (fy: string, query: string) => `${fy}/returns?${query}`;

t.test('a return as CSV and as XLSX lands exactly like its JSON twin: the same event data, the same answer', async (t) => {
  const m = await monitoringApp(t);
  const fys = { json: await openYear(m, 'twin-json'), csv: await openYear(m, 'twin-csv'), xlsx: await openYear(m, 'twin-xlsx') };
  const answers = {
    json: await m.call('POST', `${fys.json}/returns`, m.keyOf('ccg'), { partnerId: 'ccg', period: 'M3', lines: JSON_LINES }),
    csv: await m.upload(returnsUrl(fys.csv, 'partnerId=ccg&period=M3'), m.keyOf('ccg'), CSV_FILE_FIXED, 'text/csv'),
    xlsx: await m.upload(returnsUrl(fys.xlsx, 'partnerId=ccg&period=M3'), m.keyOf('ccg'), await xlsxFile(XLSX_ROWS), XLSX),
  };
  const shape = (r: Reply) => ({ status: r.status, type: r.headers['content-type'], keys: Object.keys(r.json()).sort(), revision: r.json().revision });
  t.strictSame(shape(answers.csv), shape(answers.json), 'CSV: the JSON form\'s answer');
  t.strictSame(shape(answers.xlsx), shape(answers.json), 'XLSX: the JSON form\'s answer');
  t.strictSame(shape(answers.json), { status: 201, type: 'application/json; charset=utf-8', keys: ['returnId', 'revision'], revision: 2 });
  /** The last event of a fund-year without its return id (checked against the answer). */
  const landed = async (fy: string, answer: Reply) => {
    const last = (await m.events(fy)).at(-1)!;
    const { returnId, ...data } = last.data;
    t.equal(returnId, answer.json().returnId, 'the answer names the return recorded');
    return { type: last.type, data, partnerId: last.metadata.partnerId };
  };
  const json = await landed(fys.json, answers.json);
  t.strictSame(json.data, { partnerId: 'ccg', period: 'M3', lines: JSON_LINES, correction: false });
  t.strictSame(await landed(fys.csv, answers.csv), json, 'the CSV return is the JSON return');
  t.strictSame(await landed(fys.xlsx, answers.xlsx), json, 'the XLSX return is the JSON return');

  // A correction, the same way.
  const corrected = JSON_LINES.map((l) => ({ ...l, actualToDate: '1.00' }));
  const jsonCorrection = await m.call('POST', `${fys.json}/returns`, m.keyOf('ccg'), { partnerId: 'ccg', period: 'M3', lines: corrected, correction: true });
  t.equal(jsonCorrection.status, 201);
  const correctedCsv = csv(HEAD, ...corrected.map((l) => [l.strategyId, l.arrangement, l.actualToDate, l.forecastOutturn, l.commentary === undefined ? '' : `"${l.commentary}"`].join(',')));
  const csvCorrection = await m.upload(returnsUrl(fys.csv, 'partnerId=ccg&period=M3&correction=true'), m.keyOf('ccg'), correctedCsv, 'text/csv; charset=utf-8');
  t.equal(csvCorrection.status, 201);
  const fromCsv = await landed(fys.csv, csvCorrection);
  t.strictSame(fromCsv, await landed(fys.json, jsonCorrection), 'a correction too');
  t.equal(fromCsv.data.correction, true);
});

t.test('Idempotency-Key: the same file and query replay the first answer; anything else with that key is 422', async (t) => {
  const m = await monitoringApp(t);
  const fy = await openYear(m, 'idempotent-upload');
  const key = { 'idempotency-key': 'ccg-2015-16-m3-upload' };
  const url = returnsUrl(fy, 'partnerId=ccg&period=M3');
  const first = await m.upload(url, m.keyOf('ccg'), CSV_FILE_FIXED, 'text/csv', key);
  t.equal(first.status, 201);
  const count = (await m.events(fy)).length;
  const again = await m.upload(url, m.keyOf('ccg'), CSV_FILE_FIXED, 'text/csv', key);
  t.equal(again.status, 201);
  t.strictSame(again.json(), first.json(), 'the first answer, replayed');
  t.equal((await m.events(fy)).length, count, 'nothing appended');
  const others: [string, Promise<Reply>][] = [
    ['other bytes', m.upload(url, m.keyOf('ccg'), CSV_FILE_FIXED.replace('5000.00', '5000.01'), 'text/csv', key)],
    ['another query', m.upload(returnsUrl(fy, 'partnerId=ccg&period=M3&correction=true'), m.keyOf('ccg'), CSV_FILE_FIXED, 'text/csv', key)],
    ['the same return as XLSX', m.upload(url, m.keyOf('ccg'), await xlsxFile(XLSX_ROWS), XLSX, key)],
    ['its JSON twin', m.call('POST', `${fy}/returns`, m.keyOf('ccg'), { partnerId: 'ccg', period: 'M3', lines: JSON_LINES }, key)],
  ];
  for (const [what, reply] of others) {
    const res = await reply;
    t.equal(res.status, 422, what);
    t.equal(res.json().type, 'https://poolshare.example/problems/idempotency-key-reused', what);
  }
  t.equal((await m.events(fy)).length, count, 'nothing appended');
});

t.test('every refusal names the row and column (or the query parameter) and appends nothing', async (t) => {
  const m = await monitoringApp(t);
  const fy = await openYear(m, 'refusals');
  t.equal((await m.upload(returnsUrl(fy, 'partnerId=council&period=M1'), m.keyOf('council'), csv(HEAD, 'wellbeing,pooled,1,36000,'), 'text/csv')).status, 201);
  const count = (await m.events(fy)).length;
  const head = async () => (await m.store.headPosition())?.toString();
  const headBefore = await head();
  const ccg = m.keyOf('ccg');
  const url = returnsUrl(fy, 'partnerId=ccg&period=M3');
  const lines = ['wellbeing,pooled,1,2,', 'community,pooled,1,2,', 'community,aligned,1,2,'];
  const cases: { what: string; send: () => Promise<Reply>; status: number; type: string; errors?: { path: string; message: string }[]; path?: string }[] = [
    { what: 'a bad cell', send: () => m.upload(url, ccg, csv(HEAD, 'wellbeing,pooled,1.234,2,', ...lines.slice(1)), 'text/csv'), status: 400, type: 'spreadsheet-invalid',
      errors: [{ path: '/rows/2/actualToDate', message: 'actualToDate "1.234" is not an amount like 1234.50, 1,234.50 or £1,234.50' }] },
    { what: 'a bracketed negative', send: () => m.upload(url, ccg, csv(HEAD, ...lines.slice(0, 2), 'community,aligned,"(1.00)",2,'), 'text/csv'), status: 400, type: 'spreadsheet-invalid', path: '/rows/4/actualToDate' },
    { what: 'an unknown column', send: () => m.upload(url, ccg, csv(`${HEAD},budget`, ...lines.map((l) => `${l}9`)), 'text/csv'), status: 400, type: 'spreadsheet-invalid', path: '/rows/1/budget' },
    { what: 'a missing line', send: () => m.upload(url, ccg, csv(HEAD, ...lines.slice(0, 2)), 'text/csv'), status: 400, type: 'return-lines-mismatch',
      errors: [{ path: '/rows', message: 'budget line community/aligned is missing' }] },
    { what: 'a repeated line', send: () => m.upload(url, ccg, csv(HEAD, ...lines, lines[1]!), 'text/csv'), status: 400, type: 'spreadsheet-invalid',
      errors: [{ path: '/rows/5/strategyId', message: 'line community/pooled is repeated (first on row 3)' }] },
    { what: 'a line that is not the partner\'s', send: () => m.upload(returnsUrl(fy, 'partnerId=council&period=M2'), m.keyOf('council'), csv(HEAD, 'wellbeing,pooled,1,2,', 'community,pooled,1,2,'), 'text/csv'),
      status: 400, type: 'return-lines-mismatch', errors: [{ path: '/rows/3', message: "line community/pooled is not one of the partner's budget lines" }] },
    { what: 'an undeclared strategy', send: () => m.upload(url, ccg, csv(HEAD, ...lines, 'nursing,pooled,1,2,'), 'text/csv'), status: 400, type: 'unknown-strategy', path: '/rows/5/strategyId' },
    { what: 'another partner\'s return', send: () => m.upload(returnsUrl(fy, 'partnerId=council&period=M3'), ccg, csv(HEAD, 'wellbeing,pooled,1,2,'), 'text/csv'), status: 403, type: 'forbidden-partner', path: 'querystring/partnerId' },
    { what: 'an undeclared partner', send: () => m.upload(returnsUrl(fy, 'partnerId=constructor&period=M3'), m.keyOf('constructor'), csv(HEAD, 'wellbeing,pooled,1,2,'), 'text/csv'), status: 400, type: 'unknown-partner', path: 'querystring/partnerId' },
    { what: 'a second return without correction', send: () => m.upload(returnsUrl(fy, 'partnerId=council&period=M1'), m.keyOf('council'), csv(HEAD, 'wellbeing,pooled,1,36000,'), 'text/csv'), status: 409, type: 'duplicate-return', path: 'querystring/correction' },
    { what: 'a correction of nothing', send: () => m.upload(`${url}&correction=true`, ccg, csv(HEAD, ...lines), 'text/csv'), status: 409, type: 'no-return-to-correct', path: 'querystring/correction' },
    { what: 'no partnerId', send: () => m.upload(returnsUrl(fy, 'period=M3'), ccg, csv(HEAD, ...lines), 'text/csv'), status: 400, type: 'validation', path: 'querystring/partnerId' },
    { what: 'a bad period', send: () => m.upload(returnsUrl(fy, 'partnerId=ccg&period=M13'), ccg, csv(HEAD, ...lines), 'text/csv'), status: 400, type: 'validation', path: 'querystring/period' },
    { what: 'correction=yes', send: () => m.upload(`${url}&correction=yes`, ccg, csv(HEAD, ...lines), 'text/csv'), status: 400, type: 'validation', path: 'querystring/correction' },
    { what: 'an unknown parameter', send: () => m.upload(`${url}&strict=1`, ccg, csv(HEAD, ...lines), 'text/csv'), status: 400, type: 'validation', path: 'querystring/strict' },
    { what: 'a JSON return with query parameters', send: () => m.call('POST', url, ccg, { partnerId: 'ccg', period: 'M3', lines: JSON_LINES }), status: 400, type: 'validation', path: 'querystring/partnerId' },
    { what: 'no body at all', send: () => m.call('POST', returnsUrl(fy, '').slice(0, -1), ccg), status: 400, type: 'validation', errors: [{ path: '/', message: 'must be object' }] },
    { what: 'a JSON body in capitals', send: () => m.call('POST', returnsUrl(fy, '').slice(0, -1), ccg, { partnerId: 'ccg', period: 'M3' }, { 'content-type': 'APPLICATION/JSON' }), status: 400, type: 'validation', path: '/lines' },
    { what: 'a file too big (CSV)', send: () => m.upload(url, ccg, csv(HEAD, ...lines) + ' '.repeat(UPLOAD_CSV_BYTES_MAX), 'text/csv'), status: 413, type: 'body-too-large' },
    { what: 'a file too big (XLSX)', send: () => m.upload(url, ccg, Buffer.alloc(UPLOAD_XLSX_BYTES_MAX + 1), XLSX), status: 413, type: 'body-too-large' },
    { what: 'too many rows', send: () => m.upload(url, ccg, csv(HEAD, ...lines, ...Array.from({ length: 1000 }, () => '')), 'text/csv'), status: 400, type: 'spreadsheet-invalid', path: '/rows/1001' },
    { what: 'more lines than a return has', send: () => m.upload(url, ccg, csv(HEAD, ...Array.from({ length: 201 }, (_, i) => `s${i},pooled,1,2,`)), 'text/csv'), status: 400, type: 'spreadsheet-invalid', path: '/rows/202' },
    { what: 'text/plain', send: () => m.upload(url, ccg, csv(HEAD, ...lines), 'text/plain'), status: 415, type: 'unsupported-media-type' },
    { what: 'a PDF', send: () => m.upload(url, ccg, '%PDF-1.4', 'application/pdf'), status: 415, type: 'unsupported-media-type' },
    { what: 'a CSV in Latin-1', send: () => m.upload(url, ccg, csv(HEAD, ...lines), 'text/csv; charset=iso-8859-1'), status: 415, type: 'unsupported-media-type' },
    { what: 'bytes that are not UTF-8', send: () => m.upload(url, ccg, Buffer.from([...Buffer.from(`${HEAD}\r\nwellbeing,pooled,1,2,`), 0xa3, 0x0d, 0x0a]), 'text/csv'), status: 400, type: 'spreadsheet-invalid', path: '/rows' },
    { what: 'CSV sent as XLSX', send: () => m.upload(url, ccg, csv(HEAD, ...lines), XLSX), status: 400, type: 'spreadsheet-invalid', errors: [{ path: '/rows', message: 'the file is not an XLSX workbook' }] },
    { what: 'an empty file', send: () => m.upload(url, ccg, '', 'text/csv'), status: 400, type: 'spreadsheet-invalid', path: '/rows' },
    { what: 'a date cell', send: async () => m.upload(url, ccg, await xlsxFile([['wellbeing', 'pooled', new Date(Date.UTC(2015, 3, 1)), 2], ['community', 'pooled', 1, 2], ['community', 'aligned', 1, 2]]), XLSX), status: 400, type: 'spreadsheet-invalid', path: '/rows/2/actualToDate' },
    { what: 'a formula', send: async () => m.upload(url, ccg, await xlsxFile([['wellbeing', 'pooled', 1, { formula: 'A1*2', result: 2 }], ['community', 'pooled', 1, 2], ['community', 'aligned', 1, 2]]), XLSX), status: 400, type: 'spreadsheet-invalid', path: '/rows/2/forecastOutturn' },
    { what: 'a number cell of a fraction of a penny', send: async () => m.upload(url, ccg, await xlsxFile([['wellbeing', 'pooled', 0.001, 2], ['community', 'pooled', 1, 2], ['community', 'aligned', 1, 2]]), XLSX), status: 400, type: 'spreadsheet-invalid', path: '/rows/2/actualToDate' },
    { what: 'an auditor', send: () => m.upload(url, AUDITOR, csv(HEAD, ...lines), 'text/csv'), status: 403, type: 'forbidden-role' },
  ];
  for (const c of cases) {
    const res = await c.send();
    t.equal(res.status, c.status, `${c.what}: ${res.status === c.status ? 'status' : res.body}`);
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${c.what}: problem+json`);
    const problem = res.json();
    t.equal(problem.type, `https://poolshare.example/problems/${c.type}`, c.what);
    if (c.errors !== undefined) t.strictSame(problem.errors, c.errors, c.what);
    if (c.path !== undefined) t.ok((problem.errors as { path: string }[]).some((e) => e.path === c.path), `${c.what} names ${c.path}: ${JSON.stringify(problem.errors)}`);
  }
  t.equal((await m.events(fy)).length, count, 'no refusal appended anything');
  t.equal(await head(), headBefore, 'the whole log is as it was');
});

t.test('template → filled in → uploaded → the pack shows it (CSV and XLSX)', async (t) => {
  const m = await monitoringApp(t);
  const fy = await openYear(m, 'round-trip');
  const ccg = m.keyOf('ccg');

  const template = await m.call('GET', `${fy}/returns/template?partnerId=ccg&period=M1&format=csv`, ccg);
  t.equal(template.status, 200);
  t.equal(template.headers['content-type'], 'text/csv; charset=utf-8');
  t.equal(template.headers['content-disposition'], 'attachment; filename="round-trip-2015-16-return-ccg-M1.csv"');
  t.equal(template.body, csv(HEAD, 'wellbeing,pooled,0.00,120000.00,', 'community,pooled,0.00,240000.00,', 'community,aligned,0.00,60000.00,'), 'the budget lines, nothing spent, on budget');
  const filled = template.body
    .replace('wellbeing,pooled,0.00,120000.00,', 'wellbeing,pooled,"£9,876.54",125000.00,Winter pressures')
    .replace('community,aligned,0.00,60000.00,', 'community,aligned,4000,60000.00,');
  const sent = await m.upload(returnsUrl(fy, 'partnerId=ccg&period=M1'), ccg, filled, 'text/csv');
  t.equal(sent.status, 201);
  const m1 = (await m.call('GET', `${fy}/monitoring?period=M1`, AUDITOR)).json() as MonitoringPack;
  const line = (pack: MonitoringPack, strategyId: string, arrangement: string) => pack.lines.find((l) => l.partnerId === 'ccg' && l.strategyId === strategyId && l.arrangement === arrangement)!;
  t.strictSame(
    [line(m1, 'wellbeing', 'pooled').actualToDate, line(m1, 'wellbeing', 'pooled').forecastOutturn, line(m1, 'wellbeing', 'pooled').commentary, line(m1, 'wellbeing', 'pooled').returnPeriod],
    ['9876.54', '125000.00', 'Winter pressures', 'M1'],
  );
  t.equal(line(m1, 'wellbeing', 'pooled').rag, 'amber', '4.2 % over');
  t.equal(line(m1, 'community', 'aligned').actualToDate, '4000.00');

  // The M2 template starts from the M1 figures, without M1's commentary; sent back as a workbook.
  const xlsxTemplate = await m.call('GET', `${fy}/returns/template?partnerId=ccg&period=M2&format=xlsx`, ADMIN);
  t.equal(xlsxTemplate.status, 200);
  t.equal(xlsxTemplate.headers['content-type'], XLSX);
  t.equal(xlsxTemplate.headers['content-disposition'], 'attachment; filename="round-trip-2015-16-return-ccg-M2.xlsx"');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsxTemplate.bytes as unknown as ExcelJS.Buffer);
  const sheet = workbook.worksheets[0]!;
  t.strictSame((sheet.getRow(2).values as unknown[]).slice(1), ['wellbeing', 'pooled', 9876.54, 125000], 'pre-filled with M1, commentary not carried');
  sheet.getRow(2).getCell(3).value = 19876.54;
  sheet.getRow(2).getCell(5).value = 'Still over: agency staff';
  sheet.getRow(3).getCell(4).value = 230000;
  const sentXlsx = await m.upload(returnsUrl(fy, 'partnerId=ccg&period=M2'), ccg, Buffer.from(await workbook.xlsx.writeBuffer()), XLSX);
  t.equal(sentXlsx.status, 201, sentXlsx.body);
  const m2 = (await m.call('GET', `${fy}/monitoring?period=M2`, AUDITOR)).json() as MonitoringPack;
  t.strictSame(
    [line(m2, 'wellbeing', 'pooled').actualToDate, line(m2, 'wellbeing', 'pooled').commentary, line(m2, 'community', 'pooled').forecastOutturn, line(m2, 'community', 'pooled').movement],
    ['19876.54', 'Still over: agency staff', '230000.00', '-10000.00'],
  );
  t.equal(line(m2, 'community', 'aligned').actualToDate, '4000.00', 'unchanged cells keep their figures');

  // A correction's template carries the commentary it corrects.
  const again = await m.call('GET', `${fy}/returns/template?partnerId=ccg&period=M2&format=csv`, ccg);
  t.match(again.body, /wellbeing,pooled,19876.54,125000.00,Still over: agency staff/);
});

t.test('the template: that partner or an admin; a declared partner; a budget to cover', async (t) => {
  const m = await monitoringApp(t);
  const fy = await openYear(m, 'template-rules');
  const url = (partnerId: string, extra = '') => `${fy}/returns/template?partnerId=${partnerId}&period=M1&format=csv${extra}`;
  t.equal((await m.call('GET', url('council'), ADMIN)).status, 200, 'an admin, for any partner');
  t.equal((await m.call('GET', url('council'), m.keyOf('council'))).status, 200, 'the partner itself');
  const other = await m.call('GET', url('council'), m.keyOf('ccg'));
  t.equal(other.status, 403);
  t.strictSame(other.json().errors, [{ path: 'querystring/partnerId', message: "must be the key's own partner" }]);
  const auditor = await m.call('GET', url('ccg'), AUDITOR);
  t.equal(auditor.status, 403);
  t.equal(auditor.json().type, 'https://poolshare.example/problems/forbidden-role');
  const unknown = await m.call('GET', url('nobody'), ADMIN);
  t.equal(unknown.status, 400);
  t.strictSame(unknown.json().errors, [{ path: 'querystring/partnerId', message: 'must be a declared partner' }]);
  t.equal((await m.call('GET', `${fy}/returns/template?partnerId=ccg&period=M1&format=pdf`, ADMIN)).status, 400);
  t.equal((await m.call('GET', `${fy}/returns/template?partnerId=ccg&period=M1`, ADMIN)).status, 400, 'format is required');
  const empty = '/v1/funds/no-budget/years/2015-16';
  t.equal((await m.call('POST', empty, ADMIN, { name: 'x', partners: [{ partnerId: 'ccg', name: 'c' }], strategies: [{ strategyId: 'w', name: 'w' }] })).status, 201);
  const noBudget = await m.call('GET', `${empty}/returns/template?partnerId=ccg&period=M1&format=xlsx`, ADMIN);
  t.equal(noBudget.status, 409);
  t.equal(noBudget.json().type, 'https://poolshare.example/problems/budget-not-set');
});
