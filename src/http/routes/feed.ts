import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { Feed, type Reader } from '../../feed/feed.ts';
import type { AppDeps } from '../app.ts';
import { guard, type Principal } from '../auth.ts';
import { ProblemSchema } from '../commands.ts';
import { HttpError } from '../problem.ts';

/** The longest a long-poll waits (seconds). */
export const FEED_MAX_WAIT_S = 30;
/** A comment line on an idle event stream this often, so proxies keep it open. */
export const FEED_HEARTBEAT_MS = 15_000;

const Cursor = z
  .string()
  .regex(/^(?:\d{1,20}\/\d{1,20}|C:\d{1,20}\/P:\d{1,20}|\d{1,19}|head)$/, 'must be a cursor, a log position or "head"')
  .describe(
    'resume after this: the `cursor` of the last event received (or `next` of the last page); a log position ' +
      'as writes return it (after the event at that position); `head` (from now on); absent: the start of the log',
  );

export const FeedEventSchema = z.object({
  cursor: z.string().describe('where this event is in the log: pass it as `after` (or Last-Event-ID) to resume'),
  position: z.string().describe('the log position (as writes return it)'),
  stream: z.string(),
  revision: z.number().int(),
  type: z.string(),
  occurredOn: z.string().describe('business date'),
  recordedAt: z.string(),
  territoryId: z.string().nullable(),
  regionCode: z.string().nullable(),
  href: z.string().nullable().describe('the resource to read (GET)'),
  summary: z.string().nullable(),
  actor: z
    .object({ sub: z.string(), name: z.string() })
    .nullable()
    .optional()
    .describe('who did it (auditors and programme administrators only)'),
});

const READERS = [
  'auditor',
  'programme_admin',
  'reporter',
  'regional_validator',
  'territory_lead',
  'regional_officer',
] as const;
const RIGHTS =
  "Filtered by the reader's rights: auditors and programme administrators see every event with its actor; reporters every event without actor; regional validators the events of the territories of their Regions (and of their contracts and projects); territory leads those of their territories; regional officers the NFI records of their Regions and of the Regions of 2013 that became them. A token with several roles sees the union.";

export const feedRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: AppDeps = app.deps;
  const feed = new Feed(deps);
  const readers = guard(deps.auth, ...READERS);
  const open = new Set<{ close(): void }>();
  // Open event streams per instance (FEED_MAX_STREAMS): each holds a store subscription (on
  // PostgreSQL one read of the log per 100 ms while idle, woken at once by this process's appends).
  // Beyond it, 503 with Retry-After: scale with more instances (docs/adr/0011-change-feed.md).
  const maxStreams = deps.config.FEED_MAX_STREAMS;
  let streams = 0;

  /** `after` as a store checkpoint (undefined: the start of the log). */
  async function resolveAfter(after: string | undefined): Promise<string | undefined> {
    if (after === undefined || after === '0') return undefined;
    if (after === 'head') return deps.store.headCheckpoint();
    if (/^\d+$/.test(after)) {
      const cp = await deps.store.checkpointOfPosition(BigInt(after));
      if (cp === undefined)
        throw new HttpError(400, `no event at log position ${after}; pass the cursor of an event`, {
          errors: [{ field: 'querystring.after', message: 'no event at this log position' }],
        });
      return cp;
    }
    try {
      deps.store.compareCheckpoints(after, after);
    } catch {
      throw new HttpError(400, `${after} is not a cursor of this event store (${deps.store.backend})`, {
        errors: [{ field: 'querystring.after', message: 'not a cursor of this event store' }],
      });
    }
    return after;
  }

  const readerOf = (p: Principal): Reader => ({
    roles: p.roles,
    regions: p.regions,
    territories: p.territories,
  });

  app.get(
    '/feed',
    {
      preParsing: readers,
      schema: {
        operationId: 'readFeed',
        tags: ['feed'],
        summary: 'The change feed: events after a cursor, in log order (long-poll with `wait`)',
        description:
          'Every event of the log after `after`, in log order, as notifications: cursor, position, stream, type, ' +
          'business date, the link to the resource. At most `limit` events; when none is there yet and `wait` is ' +
          `given, the answer waits up to \`wait\` seconds (at most ${FEED_MAX_WAIT_S}) for the next one. Continue ` +
          'with `after=<next>`: `next` moves past the events you may not see too. ' +
          RIGHTS,
        security: [{ bearer: [] }],
        querystring: z.strictObject({
          after: Cursor.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          wait: z.coerce
            .number()
            .min(0)
            .max(FEED_MAX_WAIT_S)
            .default(0)
            .describe(`seconds to wait for an event when there is none yet (0 to ${FEED_MAX_WAIT_S})`),
        }),
        response: {
          200: z.object({
            events: z.array(FeedEventSchema),
            next: z.string().nullable().describe('pass as `after` for the next page (null: the log is empty)'),
          }),
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          429: ProblemSchema,
          503: ProblemSchema,
        },
      },
    },
    async (req, reply) => {
      const after = await resolveAfter(req.query.after);
      const abort = new AbortController();
      req.raw.once('close', () => abort.abort());
      let shuttingDown = false;
      const closing = {
        close: () => {
          shuttingDown = true;
          abort.abort();
        },
      };
      open.add(closing);
      try {
        const r = await feed.poll(
          readerOf(req.principal!),
          after,
          req.query.limit,
          req.query.wait * 1000,
          abort.signal,
        );
        // the server is stopping: the connection closes after this answer (an idle keep-alive
        // connection would hold app.close() until its timeout)
        if (shuttingDown) reply.header('connection', 'close');
        return { events: r.events, next: r.next ?? null };
      } finally {
        open.delete(closing);
      }
    },
  );

  app.get(
    '/feed/stream',
    {
      preParsing: readers,
      schema: {
        operationId: 'streamFeed',
        tags: ['feed'],
        summary: 'The change feed as Server-Sent Events (resumes with Last-Event-ID)',
        description:
          'The events after `after` (or after `Last-Event-ID`, which wins: a reconnecting EventSource sends it), ' +
          'then each new one as it is recorded, as SSE messages: `id` is the cursor, `data` the event (JSON, the ' +
          'fields of `GET /feed`). A comment line every 15 s keeps an idle connection open. At most ' +
          'FEED_MAX_STREAMS open streams per instance (503 with Retry-After beyond). ' +
          RIGHTS,
        security: [{ bearer: [] }],
        headers: z.object({ 'last-event-id': Cursor.optional() }),
        querystring: z.strictObject({ after: Cursor.optional() }),
        response: {
          200: {
            description: 'an endless stream of `id: <cursor>` / `data: <event JSON>` messages',
            content: { 'text/event-stream': { schema: z.string() } },
          },
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          429: ProblemSchema,
          503: ProblemSchema,
        },
      },
    },
    async (req, reply) => {
      if (streams >= maxStreams) {
        reply.header('retry-after', '5');
        throw new HttpError(503, `this instance serves ${maxStreams} event streams already; retry shortly`);
      }
      const lastId = (req.headers as Record<string, string | undefined>)['last-event-id'];
      const after = await resolveAfter(lastId ?? req.query.after);
      const sub = feed.subscribe(readerOf(req.principal!), after);
      const res: ServerResponse = reply.raw;
      reply.hijack();
      const headers = reply.getHeaders() as Record<string, string | number | string[]>;
      res.writeHead(200, {
        ...headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 1000\n\n');
      let ended = false;
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), FEED_HEARTBEAT_MS);
      heartbeat.unref();
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        open.delete(closing);
        void sub.stop();
        res.end();
      };
      const closing = { close: end };
      open.add(closing);
      streams++;
      res.once('close', () => streams--);
      req.raw.once('close', end);
      res.once('close', end);
      try {
        for await (const e of sub.events) {
          if (ended) break;
          // backpressure: wait for the socket to drain before taking the next event
          if (!res.write(`id: ${e.cursor}\ndata: ${JSON.stringify(e)}\n\n`))
            await new Promise<void>((resolve) => {
              res.once('drain', resolve);
              res.once('close', resolve);
            });
        }
      } catch (err) {
        req.log.error({ err }, 'feed stream failed');
      } finally {
        end();
      }
    },
  );

  // SSE and waiting long-polls end before the server stops accepting: app.close() does not hang
  app.addHook('preClose', (done) => {
    for (const c of [...open]) c.close();
    done();
  });
};
