// What one connection may hold, on a real socket: a request that stalls (in its headers
// or its body) is answered 408 and closed after the request timeout, an idle kept-alive
// connection is closed, connections over the cap are closed unanswered, and what Node's
// own HTTP parser refuses (a malformed request line, oversized headers) is answered as
// problem+json. Timeouts are shortened for the test; every wait is bounded generously
// and only outcomes are asserted (an answer, a close), never how long they took.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import type { HttpLimits } from '../../src/http/limits.js';
import { bearer, createFakeService, FUND, KEY_RECORDS, KEYS, YEAR, type FakeService } from './fixtures/fake-service.js';

const FY = `/v1/funds/${FUND}/years/${YEAR}`;
/** Only a bound on waiting for something that must happen much sooner; never asserted on. */
const OUTCOME_WAIT_MS = 15_000;
const SHORT: Partial<HttpLimits> = { requestTimeoutMs: 600, headersTimeoutMs: 300, keepAliveTimeoutMs: 300 };

interface Served {
  app: FastifyInstance;
  service: FakeService;
  port: number;
  /** Log entries at warn or above. */
  warnings: () => Record<string, unknown>[];
}

async function serve(t: Test, limits: Partial<HttpLimits>): Promise<Served> {
  const service = createFakeService();
  const lines: string[] = [];
  const stream = { write: (line: string) => void lines.push(line) };
  const app = await buildApp({ service, keys: KEY_RECORDS, limits, logger: { level: 'info', stream } });
  const warnings = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => Number(entry['level']) >= 40);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const sockets: net.Socket[] = [];
  (t.context as { sockets: net.Socket[] }).sockets = sockets;
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy();
    await app.close();
  });
  return { app, service, port: (app.server.address() as AddressInfo).port, warnings };
}

interface Connection {
  socket: net.Socket;
  text: () => string;
  /** Resolves when the server (or anything) closes the socket. */
  closed: Promise<void>;
}

async function connect(t: Test, port: number): Promise<Connection> {
  const socket = net.connect(port, '127.0.0.1');
  (t.context as { sockets: net.Socket[] }).sockets.push(socket);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  socket.on('error', () => {}); // a reset is an outcome like a close
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, text: () => received, closed };
}

/** Whether the connection was closed (within the generous bound), and what arrived on it. */
async function outcome(connection: Connection): Promise<{ closed: boolean; text: string }> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), OUTCOME_WAIT_MS)));
  const closed = await Promise.race([connection.closed.then(() => true as const), bound]);
  clearTimeout(timer);
  return { closed, text: connection.text() };
}

function head(lines: string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The status line, the headers (lower-cased names) and the parsed body of a single raw answer. */
function parseAnswer(text: string): { status: number; headers: Map<string, string>; body: any } {
  const [top = '', body = ''] = text.split('\r\n\r\n', 2);
  const [statusLine = '', ...headerLines] = top.split('\r\n');
  const headers = new Map(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(/^HTTP\/1\.1 ([0-9]{3}) /.exec(statusLine)?.[1] ?? 0), headers, body: body === '' ? undefined : JSON.parse(body) };
}

function isProblem(t: Test, text: string, status: number, code: string): void {
  const answer = parseAnswer(text);
  t.equal(answer.status, status, `answered ${status}`);
  t.equal(answer.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  t.equal(answer.headers.get('connection'), 'close');
  t.strictSame(Object.keys(answer.body ?? {}).sort(), ['detail', 'requestId', 'status', 'title', 'type']);
  t.match(answer.body, { type: `https://poolshare.example/problems/${code}`, status, title: String, detail: String });
  t.equal(answer.headers.get('x-request-id'), answer.body?.requestId, 'the id is echoed as a header too');
}

async function count(app: FastifyInstance): Promise<number> {
  return new Promise((resolve, reject) => app.server.getConnections((error, n) => (error ? reject(error) : resolve(n))));
}

async function untilConnections(app: FastifyInstance, n: number): Promise<void> {
  while ((await count(app)) !== n) await new Promise((resolve) => setTimeout(resolve, 5));
}

t.test('a body that stalls half-way is answered 408 problem+json and its connection closed', async (t) => {
  const { port, service, warnings } = await serve(t, SHORT);
  const slow = await connect(t, port);
  slow.socket.write(head([`POST ${FY}/returns HTTP/1.1`, 'Host: 127.0.0.1', `Authorization: ${bearer(KEYS.ccg).authorization}`, 'Content-Type: application/json', 'Content-Length: 100000']));
  slow.socket.write('{"partnerId": "ccg", "period": "M3", "lines": [');
  const { closed, text } = await outcome(slow);
  t.ok(closed, 'the server closed the stalled connection');
  isProblem(t, text, 408, 'request-timeout');
  t.equal(service.calls.length, 0, 'the service never saw it');

  const next = await connect(t, port);
  next.socket.write(head(['GET /healthz HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close']));
  const after = await outcome(next);
  t.equal(parseAnswer(after.text).status, 200, 'the server still answers others');
  t.strictSame(warnings(), [], 'the body cut short is not logged as an internal error');
});

t.test('a client that gives up half-way through its body is not an internal error', async (t) => {
  const { port, service, warnings } = await serve(t, {});
  const quitter = await connect(t, port);
  quitter.socket.write(head([`PUT ${FY}/budget HTTP/1.1`, 'Host: 127.0.0.1', `Authorization: ${bearer(KEYS.admin).authorization}`, 'Content-Type: application/json', 'Content-Length: 5000']));
  quitter.socket.write('{"lines": [');
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the body start arriving; the outcome does not depend on it
  quitter.socket.destroy();
  const next = await connect(t, port);
  next.socket.write(head(['GET /healthz HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close']));
  t.equal(parseAnswer((await outcome(next)).text).status, 200);
  t.strictSame(warnings(), [], 'nothing at warn or above');
  t.equal(service.calls.length, 0);
});

t.test('headers that stall are answered 408 problem+json and closed', async (t) => {
  const { port } = await serve(t, SHORT);
  const slow = await connect(t, port);
  slow.socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `);
  const { closed, text } = await outcome(slow);
  t.ok(closed);
  isProblem(t, text, 408, 'request-timeout');
});

t.test('an idle kept-alive connection is closed after the keep-alive timeout', async (t) => {
  const { port } = await serve(t, SHORT);
  const idle = await connect(t, port);
  idle.socket.write(head(['GET /healthz HTTP/1.1', 'Host: 127.0.0.1', 'Connection: keep-alive']));
  const { closed, text } = await outcome(idle);
  t.ok(closed, 'closed by the server, not kept open');
  t.equal(text.split('HTTP/1.1 ').length - 1, 1, 'after exactly one answer');
  t.equal(parseAnswer(text).status, 200);
});

t.test('connections over the cap are closed unanswered; a freed slot is served again', async (t) => {
  const { app, port } = await serve(t, { connectionsMax: 2 });
  const drops: unknown[] = [];
  app.server.on('drop', (data) => drops.push(data));
  const held = [await connect(t, port), await connect(t, port)];
  await untilConnections(app, 2);

  const extra = await connect(t, port); // the kernel accepts it; the server closes it at once
  extra.socket.write(head(['GET /healthz HTTP/1.1', 'Host: 127.0.0.1']));
  const refused = await outcome(extra);
  t.ok(refused.closed, 'the connection over the cap is closed');
  t.equal(refused.text, '', 'without an answer');
  t.equal(drops.length, 1, 'the server counted one refused connection');

  held[0]?.socket.destroy();
  await untilConnections(app, 1);
  const again = await connect(t, port);
  again.socket.write(head(['GET /healthz HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close']));
  t.equal(parseAnswer((await outcome(again)).text).status, 200, 'below the cap again: served');
  t.equal(drops.length, 1);
});

t.test("Node's own refusals are problem+json: a malformed request line (400), oversized headers (431)", async (t) => {
  const { port } = await serve(t, {});
  const cases: [string, string, number, string][] = [
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n', 400, 'malformed-request'],
    ['a space in the target', head(['GET /a b HTTP/1.1', 'Host: 127.0.0.1']), 400, 'malformed-request'],
    ['a header without a colon', head(['GET /healthz HTTP/1.1', 'Host: 127.0.0.1', 'no colon here']), 400, 'malformed-request'],
    ['two different Content-Lengths', `POST ${FY}/close HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`, 400, 'malformed-request'],
    ['headers over 16 KiB', head(['GET /healthz HTTP/1.1', 'Host: 127.0.0.1', `X-Big: ${'a'.repeat(20_000)}`]), 431, 'headers-too-large'],
  ];
  for (const [what, raw, status, code] of cases) {
    await t.test(what, async (t) => {
      const connection = await connect(t.parent as Test, port);
      connection.socket.write(raw);
      const { closed, text } = await outcome(connection);
      t.ok(closed, 'closed after the answer');
      isProblem(t, text, status, code);
    });
  }
});

t.test('two Authorization headers on the wire are refused (Node itself would keep the first)', async (t) => {
  const { port, service } = await serve(t, {});
  const connection = await connect(t, port);
  connection.socket.write(head(['GET /v1/funds HTTP/1.1', 'Host: 127.0.0.1', `Authorization: ${bearer(KEYS.ccg).authorization}`, `Authorization: ${bearer(KEYS.admin).authorization}`, 'Connection: close']));
  const { text } = await outcome(connection);
  const answer = parseAnswer(text);
  t.equal(answer.status, 400);
  t.equal(answer.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  t.equal(answer.headers.get('www-authenticate'), undefined, 'not a challenge: the request is malformed, not unauthenticated');
  t.match(answer.body, { type: 'https://poolshare.example/problems/duplicate-header', errors: [{ path: 'headers/authorization' }] });
  t.equal(service.calls.length, 0);
});
