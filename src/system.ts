import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { createAuditTrail, type AuditTrail } from './audit/scheduler.ts';
import type { Config } from './config.ts';
import { createDb, createPool, type Database, type PoolTimeouts } from './db/database.ts';
import { connectOrStart, type PgServer } from './db/embedded.ts';
import { migrateToLatest } from './db/migrate.ts';
import { buildRegistry } from './domain/index.ts';
import type { EventRegistry } from './domain/registry.ts';
import { PostgresEventStore } from './eventstore/postgres.ts';
import type { EventStore } from './eventstore/types.ts';
import { createAuthenticator, type Authenticator } from './http/auth.ts';
import { allProjections } from './projections/index.ts';
import { ProjectionRunner } from './projections/runner.ts';
import { ProgrammeCatalogue } from './application/programmes.ts';

/**
 * The composition root: builds every dependency from the configuration, in one place.
 * The server and the command-line tools share it, so they reach the same database and store.
 */
export interface System {
  config: Config;
  server: PgServer;
  pool: pg.Pool;
  db: Kysely<Database>;
  store: EventStore;
  registry: EventRegistry;
  runner: ProjectionRunner;
  /** The Merkle tree over the log and its signed checkpoints (the server starts its loop). */
  audit: AuditTrail;
  /** The programme catalogue (recorded ProgrammeLaunched facts, the release's built-ins). */
  programmes: ProgrammeCatalogue;
  auth: Authenticator;
  jwtSecret: string | undefined;
  clock: () => Date;
  close(): Promise<void>;
}

type Log = {
  info(o: object | string, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
  debug?(o: object | string, msg?: string): void;
};

/** AUTH_JWT_SECRET, or in local mode a secret kept in DATA_DIR so tokens survive restarts. */
export function resolveJwtSecret(config: Config): string | undefined {
  if (config.AUTH_JWT_SECRET) return config.AUTH_JWT_SECRET;
  if (config.AUTH_JWKS_URL) return undefined;
  const file = join(config.DATA_DIR, 'auth-secret');
  if (!existsSync(file)) {
    mkdirSync(config.DATA_DIR, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return readFileSync(file, 'utf8').trim();
}

export async function createEventStore(config: Config, pool: pg.Pool): Promise<EventStore> {
  if (config.EVENTSTORE_URL) {
    const { EventStoreDbEventStore } = await import('./eventstore/esdb.ts');
    return EventStoreDbEventStore.connect(config.EVENTSTORE_URL, buildRegistry().types());
  }
  return new PostgresEventStore(pool);
}

/** The pool's timeouts as configured (src/config.ts). */
export function poolTimeoutsOf(config: Config): PoolTimeouts {
  return {
    statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.PG_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    connectTimeoutMs: config.PG_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: config.PG_QUERY_TIMEOUT_MS,
  };
}

export async function createSystem(
  config: Config,
  opts: {
    log?: Log;
    migrate?: boolean;
    poolSize?: number;
    clock?: () => Date;
    /** Overrides the configured timeouts (batch tools lift the statement timeout). */
    timeouts?: PoolTimeouts;
    /** The embedded PostgreSQL died and could not be started again (the server exits). */
    onDatabaseLost?: (err: Error) => void;
  } = {},
): Promise<System> {
  const server = await connectOrStart(
    config,
    opts.log
      ? (m) => (/restart|again|gone|adopted/.test(m) ? opts.log?.warn({ pg: m }, m) : opts.log?.debug?.(m))
      : undefined,
    opts.onDatabaseLost,
  );
  const pool = createPool(server.url, opts.poolSize ?? 20, { ...poolTimeoutsOf(config), ...opts.timeouts });
  const db = createDb(pool);
  try {
    if (opts.migrate !== false) await migrateToLatest(db);
    const store = await createEventStore(config, pool);
    const registry = buildRegistry();
    const runner = new ProjectionRunner({
      store,
      db,
      pool,
      registry,
      projections: allProjections,
      batchTimeoutMs: config.PG_QUERY_TIMEOUT_MS + 25_000,
      ...(opts.log ? { log: opts.log } : {}),
    });
    const clock = opts.clock ?? (() => new Date());
    const audit = createAuditTrail(config, { store, pool, clock, log: opts.log });
    const jwtSecret = resolveJwtSecret(config);
    const auth = createAuthenticator({ secret: jwtSecret, jwksUrl: config.AUTH_JWKS_URL });
    return {
      config,
      server,
      pool,
      db,
      store,
      registry,
      runner,
      audit,
      programmes: new ProgrammeCatalogue({ store, registry }),
      auth,
      jwtSecret,
      clock,
      async close() {
        await audit.stop();
        await runner.stop();
        await store.close();
        await db.destroy(); // ends the pool
        await server.stop();
      },
    };
  } catch (err) {
    await db.destroy().catch(() => undefined);
    await server.stop();
    throw err;
  }
}
