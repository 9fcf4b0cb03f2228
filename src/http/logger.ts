import pino, { type Logger } from 'pino';

/** How long a log line may wait in the buffer before it is written. */
export const LOG_FLUSH_MS = 250;

/**
 * The server's logger: pino at `level`, JSON lines on stdout (or `dest`). Lines are written in
 * blocks of 16 KiB and at least every LOG_FLUSH_MS, not one write per line: at info every request
 * logs a line, and one write per line (a system call handed to libuv's thread pool) cost more than
 * the rest of the request's logging. In-situ profiles put 7.5 µs of system calls per request on
 * 4 KiB blocks, hence 16 KiB; a later A/B with pinned stub servers (docs/architecture.md,
 * "Commands over HTTP") found 4 KiB and 16 KiB even, and 64 KiB worse.
 * Whatever is buffered is written synchronously when the process exits (pino flushes on `exit`),
 * so a crash or `process.exit` loses nothing; a SIGKILL may lose the last LOG_FLUSH_MS.
 */
export function createLogger(level: string, dest: string | number = 1): Logger {
  return pino(
    { level, base: { service: 'ti-ledger' } },
    pino.destination({ dest, minLength: 16_384, maxWrite: 65_536, periodicFlush: LOG_FLUSH_MS }),
  );
}
