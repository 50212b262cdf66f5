// Builds web/ into dist/web (git-ignored): one HTML page, hashed assets under
// /assets/, nothing inline (the server's Content-Security-Policy forbids it).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false })],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // No inline script: the preload polyfill would be one; every browser we serve has modulepreload.
    modulePreload: { polyfill: false },
    // Small images would be inlined as data: URIs; keep every asset a file.
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    // `npx vite web` in development: /v1 and /docs from a service on :3000.
    proxy: { '/v1': 'http://127.0.0.1:3000', '/docs': 'http://127.0.0.1:3000', '/openapi.json': 'http://127.0.0.1:3000' },
  },
});
