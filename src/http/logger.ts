import pino, { type Logger } from 'pino';

/** How long a log line may wait in the buffer before it is written. */
export const LOG_FLUSH_MS = 250;
/** Lines are handed to the destination in blocks of about this many characters. */
const BLOCK_CHARS = 16_384;

/**
 * The server's logger: pino at `level`, JSON lines on stdout (or `dest`). Lines are written in
 * blocks of 16 KiB and at least every LOG_FLUSH_MS, not one write per line: at info every request
 * logs a line, and one write per line (a system call handed to libuv's thread pool) cost more than
 * the rest of the request's logging. In-situ profiles put 7.5 µs of system calls per request on
 * 4 KiB blocks, hence 16 KiB; a later A/B with pinned stub servers (docs/architecture.md,
 * "Commands over HTTP") found 4 KiB and 16 KiB even, and 64 KiB worse.
 * The lines wait in a `BlockWriter` in front of pino's destination, which also writes them when
 * the process exits (see there); a SIGKILL may lose the last LOG_FLUSH_MS.
 */
export function createLogger(level: string, dest: string | number = 1): Logger {
  const sink = pino.destination({ dest, minLength: BLOCK_CHARS, maxWrite: 65_536 });
  return pino({ level, base: { service: 'ti-ledger' } }, new BlockWriter(sink, BLOCK_CHARS, LOG_FLUSH_MS));
}

type Sink = ReturnType<typeof pino.destination>;

/**
 * Collects log lines in an array and hands them to pino's destination (sonic-boom) as one string
 * per block of `blockChars`, and every `flushMs`; the destination writes each block (it keeps
 * the file handling: partial writes, EAGAIN, a broken pipe, the flush callbacks).
 *
 * Why not the destination's own `minLength` alone: sonic-boom 4 and 5 append each line to its
 * pending string and then take `Buffer.byteLength` of that whole string, which flattens up to
 * 16 KiB on every line. A heap profile of `POST /projects` put it at 8 KB of garbage per request,
 * the largest part of what the API allocates beyond bare Fastify, and a microbenchmark at 2-3 µs
 * of CPU per line against about 1 µs through this writer (docs/architecture.md).
 *
 * When the process exits (a natural end, `process.exit` or a crash), the buffered lines are
 * written synchronously, as pino does for its destination on `exit`: nothing logged is lost.
 */
class BlockWriter {
  private lines: string[] = [];
  private chars = 0;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly sink: Sink,
    private readonly blockChars: number,
    flushMs: number,
  ) {
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref();
    openWriters.add(this);
    hookProcessExit();
    sink.once('close', () => this.close());
  }

  write(line: string): boolean {
    this.lines.push(line);
    this.chars += line.length;
    return this.chars >= this.blockChars ? this.handOver() : true;
  }

  /** Hands the buffered lines to the destination and writes them (`cb` once written). */
  flush(cb?: (err?: Error) => unknown): void {
    this.handOver();
    if (this.closed) cb?.(new Error('the log destination is closed'));
    else this.sink.flush(cb);
  }

  /** Writes the buffered lines synchronously. */
  flushSync(): void {
    this.handOver();
    this.sink.flushSync();
  }

  /** At the process's `exit` (the event loop is gone: synchronously). Never throws. */
  exiting(): void {
    try {
      this.flushSync();
    } catch {
      // a destination not opened yet, or already closed: nothing more can be written
    }
  }

  private close(): void {
    this.closed = true;
    clearInterval(this.timer);
    openWriters.delete(this);
  }

  private handOver(): boolean {
    if (this.lines.length === 0 || this.closed) return true;
    const block = this.lines.length === 1 ? this.lines[0]! : this.lines.join('');
    this.lines = [];
    this.chars = 0;
    return this.sink.write(block);
  }
}

const openWriters = new Set<BlockWriter>();
let exitHooked = false;

function hookProcessExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => openWriters.forEach((w) => w.exiting()));
}

const S = pino.symbols as typeof pino.symbols & { readonly msgPrefixSym: symbol };

/** What the access line reads of a request and its reply (Fastify's request and reply). */
export interface Completed {
  request: {
    method: string;
    url: string;
    host?: string | undefined;
    ip?: string | undefined;
    headers: Record<string, unknown>;
    socket?: { remotePort?: number | undefined } | null;
  };
  reply: { statusCode: number; elapsedTime: number };
}

const field = (key: string, value: unknown) => (value === undefined ? '' : `,"${key}":${JSON.stringify(value)}`);

/**
 * The `request completed` line at info, written without pino's generic path: the same bytes as
 * `log.info({ req, res, responseTime }, 'request completed')` through Fastify's `req` and `res`
 * serializers (test/http/access-log.unit.test.ts compares them), built from pino's own pieces
 * (level prefix, time, bindings such as the request id, line end) and concatenated strings.
 * Pino's generic path (a loop over the object's keys, serializers, a JSON.stringify of each nested
 * object, its string checks) cost 5-6 µs per request in V8 profiles of the API; a pinned A/B of
 * stub servers measured 8 µs less main-thread CPU per request with this (docs/architecture.md).
 *
 * Used only where the output would be the same: a logger whose lines pino writes in its default
 * shape (no mixin, no log formatter, no nested key or message prefix, no stream hook, no
 * redaction of these keys, no multistream metadata) and whose `req` and `res` serializers are
 * Fastify's. `accessLine` answers false otherwise (log through pino then). The check runs once per
 * serializer table: Fastify's per-request children differ from the app's logger only in level
 * and, for routes with `logSerializers`, in that table.
 */
export function accessLine(log: Logger, { request, reply }: Completed): boolean {
  const l = log as unknown as Record<symbol, unknown>;
  if (!plainLoggers.has(l[S.serializersSym] as object)) {
    if (!isPlain(log)) return false;
    plainLoggers.add(l[S.serializersSym] as object);
  }
  if (!log.isLevelEnabled('info')) return true;
  const rt = reply.elapsedTime;
  const line =
    (l[S.lsCacheSym] as Record<number, string>)[30]! +
    (l[S.timeSym] as () => string)() +
    (l[S.chindingsSym] as string) +
    `,"req":{"method":${JSON.stringify(request.method)}` +
    field('url', request.url) +
    field('version', request.headers['accept-version']) +
    field('host', request.host) +
    field('remoteAddress', request.ip) +
    field('remotePort', request.socket ? request.socket.remotePort : undefined) +
    `},"res":{"statusCode":${reply.statusCode}},"responseTime":${Number.isFinite(rt) ? rt : null}` +
    `,"msg":"request completed"` +
    (l[S.endSym] as string);
  (l[S.streamSym] as { write(s: string): unknown }).write(line);
  return true;
}

/** Serializer tables (one per logger configuration) already checked by `isPlain`. */
const plainLoggers = new WeakSet<object>();

function isPlain(log: Logger): boolean {
  const l = log as unknown as Record<symbol, unknown>;
  const serializers = l[S.serializersSym] as Record<string, { name?: string } | undefined> | undefined;
  if (serializers === undefined) return false; // not a pino logger
  const formatters = (l[S.formattersSym] ?? {}) as { log?: unknown };
  const hooks = l[S.hooksSym] as { streamWrite?: unknown } | undefined;
  const stringifiers = (l[S.stringifiersSym] ?? {}) as Record<string | symbol, unknown>;
  const stream = l[S.streamSym] as Record<symbol, unknown> | undefined;
  return (
    serializers.req?.name === 'asReqValue' &&
    serializers.res?.name === 'asResValue' &&
    serializers.responseTime === undefined &&
    serializers.msg === undefined &&
    formatters.log === undefined &&
    !l[S.mixinSym] &&
    !l[S.nestedKeySym] &&
    !l[S.msgPrefixSym] &&
    !hooks?.streamWrite &&
    l[S.messageKeySym] === 'msg' &&
    stringifiers[S.wildcardFirstSym] === undefined &&
    !['req', 'res', 'responseTime', 'msg'].some((k) => stringifiers[k] !== undefined) &&
    typeof (l[S.lsCacheSym] as Record<number, string> | undefined)?.[30] === 'string' &&
    stream !== undefined &&
    stream[S.needsMetadataGsym] !== true
  );
}
