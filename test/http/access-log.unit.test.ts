import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import pino, { type Logger, type LoggerOptions } from 'pino';
import t from 'tap';
import { RequestLog } from '../../src/http/app.ts';
import { accessLine } from '../../src/http/logger.ts';

/** A pino logger writing into an array of lines. */
const capture = (opts: LoggerOptions = {}) => {
  const lines: string[] = [];
  const logger = pino(
    { level: 'info', base: { service: 'ti-ledger' }, ...opts },
    { write: (s: string) => lines.push(s) },
  );
  return { logger, lines };
};

/** Fastify with `logController`, one route, listening on a real socket (remote address and port). */
async function serve(logger: Logger, logController: LogController) {
  const app = Fastify({ loggerInstance: logger, logController });
  app.get('/ok', async () => ({ ok: true }));
  app.post('/made', async (_req, reply) => reply.code(201).send({ id: 'x' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

const withoutTime = (line: string) => line.replace(/"time":\d+,/, '"time":0,');

t.test("the access line is pino's line for the same request, byte for byte", async (t) => {
  // each completed request logs twice: the line built by accessLine, then pino's own
  class Both extends LogController {
    override requestCompleted(_e: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
      t.equal(accessLine(reply.log as Logger, { request, reply }), true, 'a plain logger takes the built line');
      reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    }
  }
  const { logger, lines } = capture();
  const { app, base } = await serve(logger, new Both());
  t.teardown(() => app.close());
  await fetch(`${base}/ok?q=${encodeURIComponent('"é\u2028</')}&x="\\`);
  await fetch(`${base}/made`, { method: 'POST', headers: { 'accept-version': '2.x', 'x-request-id': 'given' } });
  await fetch(`${base}/nowhere`);
  // a raw request: a quote and a backslash in the url (fetch would have encoded them)
  await new Promise<void>((resolve, reject) => {
    const req = request(`${base}/ok`, { path: '/ok?q="\\x' }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
  const completed = lines.filter((l) => l.includes('"request completed"'));
  t.equal(completed.length, 8);
  for (let i = 0; i < completed.length; i += 2) {
    t.equal(withoutTime(completed[i]!), withoutTime(completed[i + 1]!), `request ${i / 2 + 1}`);
    t.match(JSON.parse(completed[i]!), {
      level: 30,
      service: 'ti-ledger',
      reqId: String,
      req: { method: String, url: String, host: String, remoteAddress: '127.0.0.1', remotePort: Number },
      res: { statusCode: Number },
      responseTime: Number,
      msg: 'request completed',
    });
  }
  t.match(JSON.parse(completed[0]!).req.url, /^\/ok\?q=%22%C3%A9%E2%80%A8%3C%2F&x=%22\\$/, 'the url as sent');
  t.equal(JSON.parse(completed[2]!).req.version, '2.x', 'accept-version, as Fastify serializes it');
  t.equal(JSON.parse(completed[4]!).res.statusCode, 404);
  t.equal(JSON.parse(completed[6]!).req.url, '/ok?q="\\x', 'a quote and a backslash, escaped');
});

t.test('RequestLog writes one line per request, and defers to pino where the logger is not plain', async (t) => {
  const cases: [string, LoggerOptions, (line: Record<string, unknown>) => void][] = [
    ['plain', {}, (l) => t.notOk('m' in l)],
    ['mixin', { mixin: () => ({ m: 1 }) }, (l) => t.equal(l.m, 1, 'the mixin is applied')],
    [
      'redaction',
      { redact: ['req.remoteAddress'] },
      (l) => t.equal((l.req as Record<string, unknown>).remoteAddress, '[Redacted]', 'redacted'),
    ],
    [
      'stream hook',
      { hooks: { streamWrite: (s) => s.replace('completed', 'COMPLETED') } },
      (l) => t.equal(l.msg, 'request COMPLETED'),
    ],
    [
      'message key',
      { messageKey: 'message' },
      (l) => t.equal(l.message, 'request completed', 'under the configured key'),
    ],
  ];
  for (const [name, opts, check] of cases) {
    const { logger, lines } = capture(opts);
    const { app, base } = await serve(logger, new RequestLog());
    await fetch(`${base}/ok`);
    await app.close();
    const completed = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.res !== undefined);
    t.equal(completed.length, 1, `${name}: one line`);
    t.match(completed[0], { level: 30, req: { method: 'GET', url: '/ok' }, res: { statusCode: 200 } }, name);
    check(completed[0]!);
  }
});

t.test('no access line above info', async (t) => {
  const { logger, lines } = capture({ level: 'warn' });
  const { app, base } = await serve(logger, new RequestLog());
  await fetch(`${base}/ok`);
  await app.close();
  t.same(lines, []);
});

t.test('a logger that is not pino gets the line through its own info method', async (t) => {
  const calls: unknown[][] = [];
  const foreign = {
    level: 'info',
    info: (...args: unknown[]) => calls.push(args),
    error: () => {},
    debug: () => {},
    fatal: () => {},
    warn: () => {},
    trace: () => {},
    silent: () => {},
    child: () => foreign,
  };
  const app = Fastify({ loggerInstance: foreign as unknown as Logger, logController: new RequestLog() });
  app.get('/ok', async () => ({ ok: true }));
  const res = await app.inject('/ok');
  await app.close();
  t.equal(res.statusCode, 200);
  t.ok(
    calls.some((c) => c[1] === 'request completed'),
    'the completion line went through the logger',
  );
});
