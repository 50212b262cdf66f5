// The entry point: read the configuration, open the store, build the app, listen;
// on SIGTERM/SIGINT stop accepting, finish what is in flight, close, exit 0.
import { createFundYearService } from './app/service.js';
import { ConfigError, loadConfig } from './config.js';
import { buildApp } from './http/app.js';
import { KeysFileError, loadKeysFile } from './http/auth.js';
import { listenFailure, prepareDataDir, startFailureText, StartupError } from './startup.js';
import { openStore, type RetryEvent } from './store/index.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const keys = config.apiKeysFile === undefined ? undefined : loadKeysFile(config.apiKeysFile);
  prepareDataDir(config.dataDir);
  // The logger exists once the app does: a retry before that (the summary's first read) is not logged.
  let logRetry = (_event: RetryEvent): void => undefined;
  const store = openStore({
    dataDir: config.dataDir,
    ...(config.eventStoreUrl === undefined ? {} : { eventStoreUrl: config.eventStoreUrl }),
    onRetry: (event) => logRetry(event),
  });
  const service = createFundYearService({ store, dataDir: config.dataDir });
  const app = await buildApp({ service, keys, logger: { level: config.logLevel }, limits: config.http });
  logRetry = (event) => app.log.warn({ store: event }, 'event store call retried');

  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'stopping: no new connections, finishing requests in flight');
    setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    await app.close();
    await service.close();
    await store.close();
    app.log.info('stopped');
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, (received) => {
      stop(received).catch((error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
    });
  }
  await app.listen({ port: config.port, host: config.host }).catch((error: unknown) => {
    throw listenFailure(error, config.host, config.port);
  });
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof KeysFileError || error instanceof StartupError;
  console.error(startFailureText(error, known, process.env['LOG_LEVEL']));
  process.exit(1);
});
