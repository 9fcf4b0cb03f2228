/**
 * Which errors mean "the database is away, stalled or out of resources" (answer 503 and retry)
 * rather than a bug (500). PostgreSQL's SQLSTATE classes: 08 connection exception, 53
 * insufficient resources (53100 disk full), 57 operator intervention (57014 statement timeout,
 * 57P01 terminated, 57P03 starting up), 58 system error (58030 I/O error), 40001/40P01/55P03
 * serialization failure and deadlock; node-postgres' own time-outs and dropped connections.
 */
const TRANSIENT_CLASSES = new Set(['08', '53', '57', '58']);
const TRANSIENT_CODES = new Set(['40001', '40P01', '55P03']);
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN']);
const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Query read timeout/i,
  /not queryable/i,
  /Client was closed/i,
  /connection error/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const x = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof x.code === 'string') {
      if (x.code.length === 5 && (TRANSIENT_CLASSES.has(x.code.slice(0, 2)) || TRANSIENT_CODES.has(x.code)))
        return true;
      if (NODE_CODES.has(x.code)) return true;
    }
    if (typeof x.message === 'string' && MESSAGES.some((m) => m.test(x.message as string))) return true;
    e = x.cause;
  }
  return false;
}

/** Disk full or out of memory on the server: 53xxx. */
export function isOutOfResources(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('53');
}

/** Seconds a client should wait before retrying after a database fault. */
export const RETRY_AFTER_SECONDS = 2;
