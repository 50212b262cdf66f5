// The web app for finance teams (web/, built by Vite into dist/web): served by this
// server at `/` under a strict Content-Security-Policy. Its page is one HTML file
// whose router picks the view, so a GET of any other page path that accepts
// text/html gets the same file (the SPA fallback); its hashed assets live under
// /assets/. The app calls /v1 with the user's key: nothing here needs a key.
// Not built: `/` and every page path answer 503 problem+json saying how to build it.
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROJECT_ROOT } from '../paths.js';
import type { ReplyOf } from './api-types.js';
import { makeProblem, ProblemError } from './problem.js';
import { addPublicRoute } from './route.js';

export const WEB_DIR_DEFAULT = path.join(PROJECT_ROOT, 'dist', 'web');

/** Everything from this origin, nothing inline, no frames, no <base>. */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': WEB_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/** Page paths the app's router knows the shape of: no /v1, /docs or /assets, no file extension. */
const PAGE_PATH_RE = /^\/(?!v1(?:\/|$)|docs(?:\/|$)|assets(?:\/|$))[A-Za-z0-9_\-/]{0,300}$/;

export interface WebOptions {
  /** The built app: index.html and assets/ (default dist/web). */
  dir: string;
}

function notBuilt(dir: string): ProblemError {
  return new ProblemError(makeProblem(503, 'web-app-not-built',
    `The web app's assets are not built (no ${path.join(dir, 'index.html')}): run \`npm run build\`, then reload.`));
}

/** Read at every request (it is small), so a rebuild is picked up without a restart. */
async function readPage(dir: string): Promise<string> {
  try {
    return await fs.readFile(path.join(dir, 'index.html'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notBuilt(dir);
    throw error;
  }
}

function sendPage(reply: FastifyReply, html: string): ReplyOf<'getWebApp'> {
  reply.headers(SECURITY_HEADERS).header('cache-control', 'no-cache').type('text/html; charset=utf-8');
  return html;
}

function wantsPage(request: FastifyRequest): boolean {
  const pathname = request.url.split('?')[0] ?? '';
  return PAGE_PATH_RE.test(pathname) && (request.headers.accept ?? '').includes('text/html');
}

export default async function webPlugin(app: FastifyInstance, options: WebOptions): Promise<void> {
  const { dir } = options;
  addPublicRoute(app, 'getWebApp', async (_request, reply) => sendPage(reply, await readPage(dir)));
  // The SPA fallback: more specific routes (/v1, /docs, /assets) always win over this one.
  app.get('/*', async (request, reply) => {
    if (!wantsPage(request)) return reply.callNotFound();
    return sendPage(reply, await readPage(dir));
  });
  const assets = path.join(dir, 'assets');
  if (!existsSync(assets)) {
    app.get('/assets/*', async () => {
      throw notBuilt(dir);
    });
    return;
  }
  await app.register(fastifyStatic, {
    root: assets,
    prefix: '/assets/',
    decorateReply: false, // /docs registers its own copy of this plugin
    index: false,
    // Vite names every asset by its content hash: a name never changes meaning.
    immutable: true,
    maxAge: '365d',
    setHeaders: (res) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    },
  });
}
