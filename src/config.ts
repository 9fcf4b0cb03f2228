import { z } from 'zod';

/**
 * The whole configuration, parsed once from the environment into a frozen object.
 * A missing or bad variable stops the process (see `loadConfigOrExit`) with a message naming it.
 */
const urlOf = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL with scheme ${protocols.join(' or ')}` },
  );

export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: urlOf(['postgres:', 'postgresql:']).optional(),
  EVENTSTORE_URL: urlOf(['esdb:', 'esdb+discover:']).optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  /** The embedded PostgreSQL's port; without it the one recorded in DATA_DIR/postgres-port. */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  AUTH_JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  AUTH_JWKS_URL: urlOf(['https:', 'http:']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEED: z.enum(['demo', 'none']).default('demo'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Open Server-Sent Event streams (GET /feed/stream) per API instance; 503 beyond. */
  FEED_MAX_STREAMS: z.coerce.number().int().positive().max(100_000).default(200),
  /** Ed25519 key signing the audit checkpoints; unset: DATA_DIR/audit-signing-key.pem (made on first start). */
  AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** Where each checkpoint is also appended (checkpoints.jsonl, latest.json); unset: DATA_DIR/witness. */
  AUDIT_WITNESS_DIR: z.string().min(1).optional(),
  /** `<n>` events, `<n>m` minutes, both (`1000,10m`: whichever comes first), or `off`. */
  AUDIT_CHECKPOINT_EVERY: z
    .string()
    .regex(/^(off|\d+|\d+m|\d+,\d+m|\d+m,\d+)$/, 'must be <events>, <minutes>m, both as "1000,10m", or off')
    .default('1000,10m'),
  /** Worker threads hashing the log in a full verification (`audit:verify -- --checkpoint`); unset: the cores, at most 4; 0: inline. */
  AUDIT_VERIFY_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  // Faults (docs/architecture.md, "Faults and what the service guarantees"): every wait on the
  // database is bounded, so a dead or stalled PostgreSQL gives 503s, never hung requests.
  /** PostgreSQL ends a statement running longer than this (statement_timeout). */
  PG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  /** PostgreSQL ends a session idle inside a transaction this long. */
  PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
  /** A new connection to PostgreSQL must be made (or a pooled one handed over) within this. */
  PG_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** The client gives up on a query whose answer has not come (a stalled server): statement timeout + margin. */
  PG_QUERY_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  /** /readyz stays ready while the projections are at most this many seconds behind the log. */
  READY_MAX_LAG_SECONDS: z.coerce.number().min(0).default(30),
  /** How long a running command holds its Idempotency-Key before a retry may take it over. */
  IDEMPOTENCY_LEASE_MS: z.coerce.number().int().positive().default(10_000),
  /** HTTP: a client must send its request headers within this (slow-header clients are cut). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** HTTP: a whole request (headers and body) must arrive within this. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** HTTP: open connections at most; more are refused at once. */
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().positive().default(1024),
  /** Embedded PostgreSQL: restarts tried after it died before the app gives up and exits. */
  EMBEDDED_RESTARTS: z.coerce.number().int().min(0).default(10),
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super('Invalid configuration: ' + issues.map((i) => `${i.variable}: ${i.message}`).join('; '));
    this.name = 'ConfigError';
  }
}

/** Empty strings count as unset, as in most shells' `VAR= cmd`. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = ConfigSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })));
  }
  return Object.freeze(result.data);
}

export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const i of err.issues) process.stderr.write(`config error: ${i.variable} ${i.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
