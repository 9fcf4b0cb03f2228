import exitHook from 'async-exit-hook';
import pino from 'pino';
import { loadConfigOrExit } from './config.ts';
import { buildApp } from './http/app.ts';
import { createSystem } from './system.ts';
import { printLocalTokens } from './cli/token.ts';

/** The server entry: logger, system, app, listen, graceful shutdown. */
const config = loadConfigOrExit();
const log = pino({ level: config.LOG_LEVEL, base: { service: 'ti-ledger' } });

let shuttingDown: Promise<void> | undefined;

async function main() {
  const started = Date.now();
  const system = await createSystem(config, { log });
  const http: { app?: Awaited<ReturnType<typeof buildApp>> } = {};
  exitHook((done) => {
    shuttingDown ??= (async () => {
      log.info('shutting down: closing HTTP, stopping projections, stopping PostgreSQL');
      await http.app?.close().catch((err: unknown) => log.error({ err }, 'closing HTTP failed'));
      await system.close().catch((err: unknown) => log.error({ err }, 'closing the system failed'));
      log.info('stopped');
    })();
    void shuttingDown.finally(done);
  });

  const app = (http.app = await buildApp(system, { logger: log }));
  system.runner.start();
  if (config.SEED === 'demo') {
    const { seedIfEmpty } = await import('../seeds/index.ts');
    await seedIfEmpty(system, log);
  }
  await app.listen({ port: config.PORT, host: config.HOST });
  log.info({ ms: Date.now() - started, url: `http://${config.HOST}:${config.PORT}`, docs: '/docs' }, 'ti-ledger ready');
  if (system.jwtSecret && !config.AUTH_JWKS_URL && config.NODE_ENV !== 'production') {
    await printLocalTokens(system.jwtSecret, (line) => process.stdout.write(line + '\n'));
  }
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'startup failed');
  // exit through the exit hook, so a PostgreSQL we started is stopped too
  process.exitCode = 1;
  process.kill(process.pid, 'SIGTERM');
});
