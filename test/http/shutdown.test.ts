// Stopping: a request in flight finishes; a new request arriving on an open connection
// while the app closes gets a 503 problem+json (not Fastify's plain JSON) and the
// connection is closed.
import net from 'node:net';
import t from 'tap';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../src/http/app.js';
import { bearer, createFakeService, FUND, KEY_RECORDS, KEYS, YEAR } from './fixtures/fake-service.js';

function request(path: string, headers: Record<string, string> = {}): string {
  const lines = [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: keep-alive', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

t.test('a request arriving while the app closes is refused as problem+json; the one in flight completes', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inService = new Promise<void>((resolve) => (entered = resolve));
  const fake = createFakeService();
  const positions = fake.positions.bind(fake);
  const service = createFakeService({
    positions: async (...args) => {
      entered();
      await gate;
      return positions(...args);
    },
  });
  const app = await buildApp({ service, keys: KEY_RECORDS });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;

  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve) => socket.on('connect', () => resolve()));

  socket.write(request(`/v1/funds/${FUND}/years/${YEAR}/positions`, bearer(KEYS.admin)));
  await inService; // the slow request is in the service now
  const closed = app.close();
  // preClose hooks run first, then the server stops listening: wait for that, not for a guess.
  while (app.server.listening) await new Promise((resolve) => setTimeout(resolve, 5));
  socket.write(request('/healthz'));
  await new Promise((resolve) => setTimeout(resolve, 100)); // let the late request be answered first
  release();
  await closed;
  await ended;

  const responses = received.split(/(?=HTTP\/1\.1 )/);
  t.equal(responses.length, 2, 'two answers on the connection');
  t.match(responses[0], /^HTTP\/1\.1 200 /, 'the request in flight finished');
  t.match(responses[1], /^HTTP\/1\.1 503 /, 'the late one is refused');
  t.match(responses[1], /content-type: application\/problem\+json/i);
  t.match(responses[1], /connection: close/i);
  t.match(responses[1], /"type":"https:\/\/poolshare\.example\/problems\/shutting-down"/);
});
