import { loadConfigOrExit } from './config.ts';
import { buildApp } from './http/app.ts';
import { createLogger } from './http/logger.ts';
import { createSystem, type System } from './system.ts';
import { launchBuiltInProgrammes } from './application/programmes.ts';
import { printLocalTokens } from './cli/token.ts';

/** The server entry: logger, system, app, listen, graceful shutdown. */
const config = loadConfigOrExit();
const log = createLogger(config.LOG_LEVEL);

const running: { system?: System; app?: Awaited<ReturnType<typeof buildApp>> } = {};
let shuttingDown: Promise<void> | undefined;

/** Closes HTTP first (drains requests), then the projections, the pool, and PostgreSQL last. */
function shutdown(): Promise<void> {
  shuttingDown ??= (async () => {
    log.info('shutting down: closing HTTP, stopping projections, stopping PostgreSQL');
    await running.app?.close().catch((err: unknown) => log.error({ err }, 'closing HTTP failed'));
    await running.system?.close().catch((err: unknown) => log.error({ err }, 'closing the system failed'));
    log.info('stopped');
  })();
  return shuttingDown;
}

// SIGINT, SIGTERM: orderly shutdown, then exit 0; a second signal forces the exit.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (shuttingDown) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    void shutdown().then(() => process.exit(0));
  });
}

async function main() {
  const started = Date.now();
  const system = (running.system = await createSystem(config, {
    log,
    // the embedded PostgreSQL died and restarting it failed: exit clearly, for a supervisor
    onDatabaseLost: (err) => {
      log.fatal({ err }, 'the embedded PostgreSQL is gone and could not be restarted; exiting');
      void shutdown().then(() => process.exit(70));
    },
  }));
  const app = (running.app = await buildApp(system, { logger: log }));
  system.runner.start();
  // completes the Merkle tree a crash left behind, then follows the log and takes checkpoints
  await system.audit.start();
  const url = await app.listen({ port: config.PORT, host: config.HOST });
  log.info({ ms: Date.now() - started, url, docs: `${url}/docs`, backend: system.store.backend }, 'ti-ledger ready');
  if (system.jwtSecret && !config.AUTH_JWKS_URL && config.NODE_ENV !== 'production') {
    await printLocalTokens(system.jwtSecret, (line) => process.stdout.write(line + '\n'));
  }
  if (config.SEED === 'demo') {
    // Serving already (/healthz answers; /readyz says not ready until projections catch up).
    const { seedIfEmpty } = await import('../seeds/index.ts');
    await seedIfEmpty(system, log);
  }
  // The release's programme catalogue, recorded once in the log (a store of the previous
  // release, or SEED=none, gets it at its first start with this release).
  const launched = await launchBuiltInProgrammes(system, system.clock().toISOString().slice(0, 10));
  if (launched.length > 0) log.info({ programmes: launched }, 'programme catalogue recorded');
}

main().catch(async (err: unknown) => {
  // a stop during the first start's demo load cuts it short: not a failure (the next start
  // finishes it); the signal handler exits once the shutdown is done
  if (shuttingDown) {
    log.info({ reason: (err as Error).message }, 'startup work cut short by the shutdown');
    return;
  }
  log.fatal({ err }, 'startup failed');
  await shutdown();
  process.exit(1);
});
