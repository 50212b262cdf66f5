// The web app in a real browser: headless Chromium (@sparticuz/chromium, shipped inside
// the npm package) driven by puppeteer-core, against the real service on the embedded
// store, started here on 127.0.0.1 port 0 with a temporary DATA_DIR and keys file, and
// the web app built from web/ by Vite into a temporary directory (so this tests the
// source as it is, not an older build). One browser for the whole file; every wait is
// on a DOM condition. The walks leave screenshots of the main pages in docs/screenshots/.
import t from 'tap';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { build } from 'vite';
import { createFundYearService } from '../../src/app/service.js';
import { newKey } from '../../src/cli/keys-command.js';
import { exampleABudget, exampleATerms } from '../../src/examples.js';
import { buildApp } from '../../src/http/app.js';
import { hashKey, loadKeysFile } from '../../src/http/auth.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { openStore } from '../../src/store/index.js';

// Page-side globals, for the functions run inside the page (this file is type-checked without DOM types).
declare const document: any;
declare const window: any;

const FUND = 'plymouth-integrated-fund';
const OTHER_FUND = 'torbay-fund';
const YEAR = '2015-16';
const FY = `/v1/funds/${FUND}/years/${YEAR}`;
const PAGE_FY = `/funds/${FUND}/years/${YEAR}`;
const SCREENSHOTS = path.join(PROJECT_ROOT, 'docs', 'screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 740, isMobile: true, hasTouch: true };

// ----------------------------------------------------------------- the service

const work = await mkdtemp(path.join(os.tmpdir(), 'poolshare-browser-'));
const webDir = path.join(work, 'web');
await build({ configFile: path.join(PROJECT_ROOT, 'web', 'vite.config.ts'), logLevel: 'warn', build: { outDir: webDir, emptyOutDir: true } });

const KEYS = { admin: newKey(), ccg: newKey(), council: newKey(), auditor: newKey(), otherFund: newKey() };
const keysFile = path.join(work, 'keys.json');
await writeFile(keysFile, JSON.stringify([
  { keySha256: hashKey(KEYS.admin), name: 'fund-admin', role: 'admin', funds: [FUND, OTHER_FUND] },
  { keySha256: hashKey(KEYS.ccg), name: 'ccg-finance', role: 'partner', partnerId: 'ccg', funds: [FUND] },
  { keySha256: hashKey(KEYS.council), name: 'council-finance', role: 'partner', partnerId: 'council', funds: [FUND] },
  { keySha256: hashKey(KEYS.auditor), name: 'internal-audit', role: 'auditor', funds: ['*'] },
  { keySha256: hashKey(KEYS.otherFund), name: 'torbay-finance', role: 'partner', partnerId: 'ccg', funds: [OTHER_FUND] },
]));
const dataDir = path.join(work, 'data');
const store = openStore({ dataDir });
const service = createFundYearService({ store, dataDir });
const app = await buildApp({ service, keys: loadKeysFile(keysFile), webDir });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('not listening on a TCP port');
const BASE = `http://127.0.0.1:${address.port}`;

const browser: Browser = await puppeteer.launch({
  executablePath: await chromium.executablePath(),
  args: [...chromium.args, '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  headless: true,
  defaultViewport: DESKTOP,
});

t.teardown(async () => {
  await browser.close();
  await app.close();
  await service.close();
  await store.close();
  await rm(work, { recursive: true, force: true });
});

// ----------------------------------------------------------------- the API, for set-up

async function api<T = unknown>(key: string, method: string, url: string, body?: unknown): Promise<T> {
  const response = await fetch(`${BASE}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} → ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

type Figures = [actualToDate: string, forecastOutturn: string];

/** ccg's lines in budget order: wellbeing pooled, community pooled, community aligned. */
function ccgReturn(period: string, [wellbeing, community, aligned]: [Figures, Figures, Figures]) {
  return {
    partnerId: 'ccg', period,
    lines: [
      { strategyId: 'wellbeing', arrangement: 'pooled', actualToDate: wellbeing[0], forecastOutturn: wellbeing[1] },
      { strategyId: 'community', arrangement: 'pooled', actualToDate: community[0], forecastOutturn: community[1] },
      { strategyId: 'community', arrangement: 'aligned', actualToDate: aligned[0], forecastOutturn: aligned[1] },
    ],
  };
}

function councilReturn(period: string, [wellbeing, community]: [Figures, Figures]) {
  return {
    partnerId: 'council', period,
    lines: [
      { strategyId: 'wellbeing', arrangement: 'pooled', actualToDate: wellbeing[0], forecastOutturn: wellbeing[1] },
      { strategyId: 'community', arrangement: 'pooled', actualToDate: community[0], forecastOutturn: community[1] },
    ],
  };
}

async function eventCount(): Promise<number> {
  return (await api<unknown[]>(KEYS.auditor, 'GET', `${FY}/events`)).length;
}

// SETTLEMENT.md's example A, three months in: budget 3,250,000.00, forecast variance 101,000.00 after M3.
await api(KEYS.admin, 'POST', FY, {
  name: 'Plymouth Integrated Fund 2015/16',
  partners: [{ partnerId: 'ccg', name: 'NEW Devon CCG' }, { partnerId: 'council', name: 'Plymouth City Council' }],
  strategies: [{ strategyId: 'wellbeing', name: 'Wellbeing' }, { strategyId: 'community', name: 'Community' }],
});
await api(KEYS.admin, 'PUT', `${FY}/budget`, { lines: exampleABudget() });
await api(KEYS.admin, 'POST', `${FY}/agreements`, { terms: exampleATerms() });
await api(KEYS.ccg, 'POST', `${FY}/agreements/1/acceptances`);
const months: [string, [Figures, Figures, Figures], [Figures, Figures]][] = [
  ['M1', [['50000.00', '610000.00'], ['125000.00', '1500000.00'], ['21000.00', '260000.00']], [['33000.00', '400000.00'], ['42000.00', '505000.00']]],
  ['M2', [['101000.00', '620000.00'], ['251000.00', '1510000.00'], ['43000.00', '270000.00']], [['66000.00', '398000.00'], ['84000.00', '510000.00']]],
  ['M3', [['153000.00', '630000.00'], ['378000.00', '1520000.00'], ['66000.00', '290000.00']], [['99000.00', '396000.00'], ['127000.00', '515000.00']]],
];
for (const [period, ccg, council] of months) {
  await api(KEYS.ccg, 'POST', `${FY}/returns`, ccgReturn(period, ccg));
  await api(KEYS.council, 'POST', `${FY}/returns`, councilReturn(period, council));
}
await api(KEYS.admin, 'POST', `/v1/funds/${OTHER_FUND}/years/${YEAR}`, {
  name: 'Torbay Pooled Fund 2015/16', partners: [{ partnerId: 'ccg', name: 'South Devon and Torbay CCG' }], strategies: [{ strategyId: 'care', name: 'Care' }],
});

// ----------------------------------------------------------------- the browser side

/** Every page's console errors, failed loads and requests, checked at the end. */
const seen = { consoleErrors: [] as string[], pageErrors: [] as string[], requests: [] as string[] };

async function newPage(): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') seen.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => seen.pageErrors.push(String(error)));
  page.on('request', (request) => seen.requests.push(request.url()));
  return page;
}

async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    (sel: string, wanted: string) => Array.from(document.querySelectorAll(sel)).some((el: any) => String(el.textContent).includes(wanted)),
    {},
    selector,
    text,
  );
}

async function textOf(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el: any) => String(el.textContent).replace(/\s+/g, ' ').trim());
}

/** The text of each cell of the first body row whose header cell reads `rowHeader` (or the only row). */
async function rowCells(page: Page, table: string, rowKey?: string): Promise<string[]> {
  return page.$eval(table, (el: any, key: string | undefined) => {
    const rows = Array.from(el.querySelectorAll('tbody tr')) as any[];
    const row = key === undefined ? rows[0] : rows.find((r) => r.getAttribute('data-row') === key);
    return row === undefined ? [] : Array.from(row.children).map((c: any) => String(c.textContent).trim());
  }, rowKey);
}

/** Clicks once the element is there, visible and enabled (a locator waits; page.click does not). */
async function click(page: Page, selector: string): Promise<void> {
  await page.locator(selector).click();
}

async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) as `${string}.png`, type: 'png' });
}

/** Sign in through the form, from the keyboard (type, then Enter), and wait for the signed-in header. */
async function signIn(page: Page, key: string, at = '/'): Promise<void> {
  await page.goto(`${BASE}${at}`);
  const field = await page.waitForSelector('::-p-aria(API key)', { timeout: 5000 }).catch(async (error: unknown) => {
    throw new Error(`no API key field at ${page.url()}: ${String(error)}; the page holds: ${await page.evaluate(() => String(document.body.innerHTML).slice(0, 2000))}`);
  }); // found by its label: the field is labelled
  if (field === null) throw new Error('no API key field');
  await field.type(key);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#signed-in-as');
}

async function signOut(page: Page): Promise<void> {
  await click(page, '::-p-aria(Sign out)');
  await page.waitForSelector('::-p-aria(API key)');
}

async function storage(page: Page): Promise<{ session: string[]; local: number; cookie: string; url: string }> {
  return page.evaluate(() => ({
    session: Object.keys(window.sessionStorage).map((k: string) => `${k}=${window.sessionStorage.getItem(k)}`),
    local: window.localStorage.length,
    cookie: document.cookie,
    url: window.location.href,
  }));
}

const ccgPage = await newPage();
const councilPage = await newPage();
const adminPage = await newPage();

// ----------------------------------------------------------------- the walks

t.test('sign in as a partner: the key is kept in sessionStorage only; the fund list', async (t) => {
  await ccgPage.goto(`${BASE}/`);
  await ccgPage.waitForSelector('::-p-aria(API key)');
  await screenshot(ccgPage, 'sign-in');
  const wrong = await ccgPage.$('::-p-aria(API key)');
  await wrong?.type('not-a-key-anyone-was-given');
  await ccgPage.keyboard.press('Enter');
  await waitForText(ccgPage, '.problem', 'Key not recognised');
  t.strictSame((await storage(ccgPage)).session, [], 'a refused key is not kept');

  await signIn(ccgPage, KEYS.ccg);
  t.equal(await textOf(ccgPage, '#signed-in-as'), 'Signed in as ccg-finance (partner, ccg)');
  const kept = await storage(ccgPage);
  t.strictSame(kept.session, [`poolshare.apiKey=${KEYS.ccg}`], 'in sessionStorage');
  t.equal(kept.local, 0, 'nothing in localStorage');
  t.equal(kept.cookie, '', 'no cookie');
  t.notMatch(kept.url, KEYS.ccg, 'never in the URL');

  await ccgPage.waitForSelector('#fund-list');
  const row = await rowCells(ccgPage, '#fund-list');
  t.strictSame(row.slice(0, 6), ['Plymouth Integrated Fund 2015/16', YEAR, 'Open', '3,250,000.00', '3,351,000.00', '101,000.00'], 'name, status and forecast variance, formatted');
  await screenshot(ccgPage, 'fund-list');
});

t.test('council reads the terms in words and accepts them', async (t) => {
  await signIn(councilPage, KEYS.council);
  await click(councilPage, `a[href="${PAGE_FY}"]`);
  await councilPage.waitForSelector('#figures-fund');
  await click(councilPage, '::-p-aria(Agreements)');
  await waitForText(councilPage, '#agreement-1', "council's share of an overspend is capped at £30,000.00");
  const terms = await textOf(councilPage, '#agreement-1');
  t.match(terms, "The overspend up to 1% of the pot's budget is shared in proportion to each partner's budget in the pot.");
  t.match(terms, 'Any overspend beyond that is split ccg 50% and council 50%.');
  t.match(terms, 'Accepted by ccg.');
  await click(councilPage, '::-p-aria("I have read these terms: accept version 1 for council")');
  await waitForText(councilPage, '.status.done', 'version 1 is now adopted');
  await waitForText(councilPage, '#agreement-1 h3', 'adopted');
  await screenshot(councilPage, 'agreements');
  const agreements = await api<{ adoptedVersion: number | null }>(KEYS.auditor, 'GET', `${FY}/agreements`);
  t.equal(agreements.adoptedVersion, 1, 'the API agrees: adopted');
});

t.test('the overview: fund, partners, strategies, lines and the chart of forecast variance', async (t) => {
  await click(ccgPage, `a[href="${PAGE_FY}"]`);
  await ccgPage.waitForSelector('#figures-fund');
  t.strictSame(await rowCells(ccgPage, '#figures-fund'), ['3,250,000.00', '823,000.00', '3,351,000.00', '101,000.00']);
  t.strictSame(await rowCells(ccgPage, '#figures-partners', 'council'), ['council', 'M3', '900,000.00', '226,000.00', '911,000.00', '11,000.00']);
  t.strictSame(await rowCells(ccgPage, '#figures-lines', 'community/ccg/aligned'), ['community', 'ccg', 'aligned', '250,000.00', '66,000.00', '290,000.00', '40,000.00']);
  const chartRows = await ccgPage.$$eval('#chart-figures tbody tr', (rows: any[]) => rows.map((r) => Array.from(r.children).map((c: any) => String(c.textContent))));
  t.strictSame(chartRows.slice(0, 4), [
    ['M1', '20,000.00', '5,000.00', '25,000.00'],
    ['M2', '50,000.00', '8,000.00', '58,000.00'],
    ['M3', '90,000.00', '11,000.00', '101,000.00'],
    ['M4', '–', '–', '–'],
  ], 'the chart\'s figures by month: ccg, council, fund');
  const drawn = await ccgPage.$eval('#variance-chart', (canvas: any) => canvas.width > 0 && canvas.height > 0);
  t.equal(drawn, true, 'the chart is drawn');
  t.equal(await ccgPage.$('::-p-aria(Manage the year)'), null, 'a partner is not offered the admin commands');
  await screenshot(ccgPage, 'overview');
});

t.test('a return with a bad figure: the refusal is next to its row and field, nothing recorded', async (t) => {
  const before = await eventCount();
  await click(ccgPage, '::-p-aria(Submit a return)');
  await ccgPage.waitForSelector('#return-form');
  t.equal(await ccgPage.$eval('#period', (el: any) => el.value), 'M4', 'the next period is suggested');
  t.equal(await ccgPage.$eval('#line-1-forecastOutturn', (el: any) => el.value), '1520000.00', 'pre-filled with the latest figures');
  await ccgPage.locator('::-p-aria("Actual to date, community (pooled)")').fill('12.3.4');
  await click(ccgPage, '::-p-aria(Submit the M4 return)');
  await ccgPage.waitForSelector('#line-1-actualToDate-error');
  t.match(await textOf(ccgPage, '#line-1-actualToDate-error'), /^must be an amount string with at most two decimal places, like "1234\.50"$/, "the API's own words");
  t.equal(await ccgPage.$eval('#line-1-actualToDate', (el: any) => el.getAttribute('aria-invalid')), 'true');
  t.equal(await ccgPage.$eval('#line-1-actualToDate', (el: any) => el.getAttribute('aria-describedby')), 'line-1-actualToDate-error', 'the message is tied to its field');
  t.strictSame(await ccgPage.$$eval('#return-lines tbody tr.row-error', (rows: any[]) => rows.map((r) => r.getAttribute('data-row'))), ['1'], 'only that row is flagged');
  t.match(await textOf(ccgPage, '.problem'), '/lines/1/actualToDate');
  t.equal(await eventCount(), before, 'nothing appended');
  await screenshot(ccgPage, 'return-refused');
});

t.test('a good return: the overview shows the new figures', async (t) => {
  const fill = async (row: number, actual: string, forecast: string): Promise<void> => {
    await ccgPage.locator(`#line-${row}-actualToDate`).fill(actual);
    await ccgPage.locator(`#line-${row}-forecastOutturn`).fill(forecast);
  };
  await fill(0, '204,000.00', '640,000.00');
  await fill(1, '505000.00', '£1,530,000.00');
  await fill(2, '88000', '310000.00');
  await click(ccgPage, '::-p-aria(Submit the M4 return)');
  await waitForText(ccgPage, '.notice', 'Return M4 for ccg recorded');
  await ccgPage.waitForSelector('#figures-fund');
  t.strictSame(await rowCells(ccgPage, '#figures-fund'), ['3,250,000.00', '1,023,000.00', '3,391,000.00', '141,000.00'], 'the fund moved by ccg\'s M4 return');
  t.strictSame(await rowCells(ccgPage, '#figures-partners', 'ccg'), ['ccg', 'M4', '2,350,000.00', '797,000.00', '2,480,000.00', '130,000.00']);
  const m4 = await ccgPage.$$eval('#chart-figures tbody tr', (rows: any[]) => Array.from(rows[3].children).map((c: any) => String(c.textContent)));
  t.strictSame(m4, ['M4', '130,000.00', '11,000.00', '141,000.00'], 'the chart has M4');
  const recorded = await api<{ type: string; data: { period: string; lines: { actualToDate: string; forecastOutturn: string }[] } }[]>(KEYS.auditor, 'GET', `${FY}/events?fromRevision=${await eventCount() - 1}`);
  t.strictSame(recorded[0]?.data.lines.map((l) => [l.actualToDate, l.forecastOutturn]), [['204000.00', '640000.00'], ['505000.00', '1530000.00'], ['88000', '310000.00']], 'separators and £ dropped, figures as typed');
});

let finalPath = '';

t.test('admin runs a forecast settlement; the verification badge shows a match', async (t) => {
  await api(KEYS.ccg, 'POST', `${FY}/returns`, ccgReturn('M12', [['640000.00', '640000.00'], ['1530000.00', '1530000.00'], ['310000.00', '310000.00']]));
  await api(KEYS.council, 'POST', `${FY}/returns`, councilReturn('M12', [['395000.00', '395000.00'], ['520000.00', '520000.00']]));
  await signIn(adminPage, KEYS.admin, PAGE_FY); // a deep link: the page path serves the app, which signs in first
  await adminPage.waitForSelector('::-p-aria(Manage the year)');
  await click(adminPage, '::-p-aria(Run a forecast settlement)');
  await waitForText(adminPage, 'h1', 'Forecast settlement');
  await adminPage.waitForSelector('#verification[data-match="true"]');
  t.match(await textOf(adminPage, '#payments'), 'council pays ccg £15,000.00');
  t.match(await textOf(adminPage, 'section[aria-labelledby="approvals"]'), 'A forecast is information, not a settlement to pay: it is not approved.');
});

t.test('admin closes the year and runs the final settlement', async (t) => {
  await click(adminPage, '::-p-aria(Overview)');
  await click(adminPage, '::-p-aria(Close the year)');
  await waitForText(adminPage, '.status.done', 'The year is closed');
  await click(adminPage, '::-p-aria(Run the final settlement)');
  await waitForText(adminPage, 'h1', 'Final settlement');
  await adminPage.waitForSelector('#verification[data-match="true"]');
  t.strictSame(await adminPage.$$eval('#payments li', (items: any[]) => items.map((li) => li.textContent)), ['council pays ccg £15,000.00']);
  t.strictSame(await rowCells(adminPage, '#settlement-partners'), ['ccg', '70,000.00', '55,000.00', '-15,000.00']);
  t.strictSame(await rowCells(adminPage, '#settlement-pots'), ['integrated-fund', '3,000,000.00', '85,000.00', 'overspend', '55,000.00', '30,000.00', '0.00', 'council']);
  t.strictSame(await rowCells(adminPage, '#settlement-unshared'), ['community', 'ccg', 'aligned', '60,000.00']);
  t.match(await textOf(adminPage, '.digest'), /^sha256:[0-9a-f]{64}$/);
  finalPath = new URL(adminPage.url()).pathname;
  t.match(finalPath, new RegExp(`^${PAGE_FY}/settlements/[0-9a-f-]{36}$`));
});

t.test('both partners approve, from the keyboard; the statement CSV downloads', async (t) => {
  for (const [page, partner] of [[ccgPage, 'ccg'], [councilPage, 'council']] as const) {
    await page.goto(`${BASE}${finalPath}`);
    const approve = await page.waitForSelector(`::-p-aria(Approve this settlement for ${partner})`);
    await approve?.focus();
    await page.keyboard.press('Enter');
    await waitForText(page, '#approval-list', `${partner}: approved`);
  }
  await waitForText(councilPage, '#settlement-status', 'approved');
  t.strictSame(await councilPage.$$eval('#approval-list li', (items: any[]) => items.map((li) => li.textContent)), ['ccg: approved', 'council: approved']);
  await councilPage.waitForSelector('#verification[data-match="true"]');
  t.equal(await councilPage.$('::-p-aria(Approve this settlement for council)'), null, 'no second approval offered');
  await screenshot(councilPage, 'settlement');

  const downloads = path.join(work, 'downloads');
  await mkdir(downloads);
  const cdp = await councilPage.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads, eventsEnabled: true });
  const done = new Promise<string>((resolve) => {
    const names = new Map<string, string>();
    cdp.on('Browser.downloadWillBegin', (event) => names.set(event.guid, event.suggestedFilename));
    cdp.on('Browser.downloadProgress', (event) => {
      if (event.state === 'completed') resolve(names.get(event.guid) ?? '');
    });
  });
  await click(councilPage, '::-p-aria("Download the statement (CSV)")');
  const name = await done;
  t.match(name, /^plymouth-integrated-fund-2015-16-final-settlement-[0-9a-f-]{36}\.csv$/);
  const csv = await readFile(path.join(downloads, name), 'utf8');
  const expected = await (await fetch(`${BASE}${FY}${finalPath.slice(PAGE_FY.length)}/statement.csv`, { headers: { authorization: `Bearer ${KEYS.auditor}` } })).text();
  t.equal(csv, expected, 'the file is the API\'s statement, fetched with the key in a header');
  await cdp.detach();
});

t.test('sign-out clears sessionStorage; an auditor pages the trail', async (t) => {
  await signOut(adminPage);
  t.strictSame((await storage(adminPage)).session, [], 'sessionStorage is empty');
  await adminPage.reload();
  await adminPage.waitForSelector('::-p-aria(API key)');
  t.equal(await adminPage.$('#signed-in-as'), null, 'after a reload: still signed out');

  await signIn(adminPage, KEYS.auditor, `${PAGE_FY}/audit`);
  await adminPage.waitForSelector('#audit-trail');
  const revisions = () => adminPage.$$eval('#audit-trail tbody tr', (rows: any[]) => rows.map((r) => Number(r.getAttribute('data-revision'))));
  t.strictSame(await revisions(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const first = await adminPage.$$eval('#audit-trail tbody tr', (rows: any[]) => rows.slice(0, 4).map((r) => Array.from(r.children).slice(0, 4).map((c: any) => String(c.textContent))));
  t.strictSame(first, [
    ['0', 'FundYearOpened', 'fund-admin (admin)', 'the fund'],
    ['1', 'BudgetSet', 'fund-admin (admin)', 'the fund'],
    ['2', 'AgreementProposed', 'fund-admin (admin)', 'the fund'],
    ['3', 'AgreementAccepted', 'ccg-finance (partner)', 'ccg'],
  ], 'who, and on whose behalf');
  t.match(await textOf(adminPage, '#audit-trail tbody tr:first-child td:nth-child(5)'), /^\d{1,2} \w{3} \d{4}, \d{2}:\d{2}:\d{2} UTC$/, 'when');
  await screenshot(adminPage, 'audit');
  t.equal(await adminPage.$('a[rel="prev"]'), null, 'no earlier page before the first');
  const count = await eventCount();
  t.equal(count, 19, 'the walk recorded 19 events');
  await click(adminPage, 'a[rel="next"]');
  await adminPage.waitForSelector('#audit-trail tbody tr[data-revision="10"]');
  t.strictSame(await revisions(), [10, 11, 12, 13, 14, 15, 16, 17, 18], 'the last page holds the rest');
  t.match(adminPage.url(), /\/audit\?from=10$/);
  t.equal(await adminPage.$('a[rel="next"]'), null, 'no later page after the last');
  const approvals = await adminPage.$$eval('#audit-trail tbody tr', (rows: any[]) => rows.slice(-2).map((r) => Array.from(r.children).slice(1, 4).map((c: any) => String(c.textContent))));
  t.strictSame(approvals, [['SettlementApproved', 'ccg-finance (partner)', 'ccg'], ['SettlementApproved', 'council-finance (partner)', 'council']]);
  await click(adminPage, 'a[rel="prev"]');
  await adminPage.waitForSelector('#audit-trail tbody tr[data-revision="0"]');
  t.strictSame(await revisions(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'back to the first page');
  t.equal(await adminPage.$('::-p-aria(Submit a return)'), null, 'an auditor is not offered returns');
});

t.test('a key for another fund sees nothing of this one', async (t) => {
  await signOut(adminPage);
  await signIn(adminPage, KEYS.otherFund);
  await adminPage.waitForSelector('#fund-list');
  const listed = await adminPage.$$eval('#fund-list tbody tr', (rows: any[]) => rows.map((r) => r.getAttribute('data-fund')));
  t.strictSame(listed, [OTHER_FUND], 'only its own fund is listed');
  for (const page of [PAGE_FY, finalPath, `${PAGE_FY}/agreements`]) {
    await adminPage.goto(`${BASE}${page}`);
    await waitForText(adminPage, '.problem', 'may not touch the fund plymouth-integrated-fund');
    t.equal(await adminPage.$('main table'), null, `${page}: no figures`);
    t.notMatch(await textOf(adminPage, 'main'), /3,250,000|15,000\.00|capped/, `${page}: nothing of the fund's figures or terms`);
  }
  await signOut(adminPage);
});

t.test('phone width: nothing wider than the screen (tables scroll in their box)', async (t) => {
  await ccgPage.setViewport(PHONE);
  for (const page of [PAGE_FY, finalPath, `${PAGE_FY}/return`, '/']) {
    await ccgPage.goto(`${BASE}${page}`);
    await ccgPage.waitForSelector('main table');
    const widths = await ccgPage.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }));
    t.ok(widths.page <= widths.screen, `${page}: ${widths.page} px wide on a ${widths.screen} px screen`);
  }
  await ccgPage.goto(`${BASE}${PAGE_FY}`);
  await ccgPage.waitForSelector('#figures-fund');
  await screenshot(ccgPage, 'overview-phone');
  await ccgPage.setViewport(DESKTOP);
});

t.test('the Content-Security-Policy holds: no inline script runs, everything from this origin', async (t) => {
  await ccgPage.goto(`${BASE}${PAGE_FY}`);
  await ccgPage.waitForSelector('#figures-fund');
  const ran = await ccgPage.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.inlineScriptRan = true;';
    document.head.append(script);
    return window.inlineScriptRan === true;
  });
  t.equal(ran, false, 'an injected inline script is refused by the browser');
  await waitForText(ccgPage, 'h1', 'Overview'); // the app is still running
  const violations = seen.consoleErrors.filter((text) => /Content Security Policy/.test(text));
  t.equal(violations.length, 1, 'exactly the one violation this test provoked');
  t.strictSame(seen.consoleErrors.filter((text) => !/Content Security Policy/.test(text) && !/the server responded with a status of (400|401|403)/.test(text)), [], 'no other console error (the refusals the walks provoked aside)');
  t.strictSame(seen.pageErrors, [], 'no uncaught error in any page');
  const foreign = seen.requests.filter((url) => !url.startsWith(`${BASE}/`) && !url.startsWith('blob:') && !url.startsWith('data:'));
  t.strictSame(foreign, [], 'every request went to this server');
});
