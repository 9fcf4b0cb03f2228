import { sql } from 'kysely';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Problem } from './read.ts';

/** The probes take no parameters: anything in the query string is a 400, not ignored. */
const NoQuery = z.strictObject({});

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, store, runner, config } = app.deps;
  // a probe answers within this even when the database stalls (then: not ready)
  const PROBE_TIMEOUT_MS = 2_000;

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['ops'],
        summary: 'The process is up',
        querystring: NoQuery,
        response: { 200: z.object({ status: z.literal('ok') }), 400: Problem },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  const Ready = z.object({
    ready: z.boolean(),
    database: z.boolean(),
    projections: z.object({
      caughtUp: z.boolean(),
      checkpoint: z.string().nullable(),
      head: z.string().nullable(),
      parkedEvents: z.number().int(),
      lagEvents: z.number().int().optional().describe('events recorded but not applied yet'),
      lagSeconds: z.number().optional().describe('age of the oldest event not applied yet'),
      maxLagSeconds: z.number().optional().describe('READY_MAX_LAG_SECONDS: the lag still counted as ready'),
      lastError: z.string().optional().describe("the projection runner's last error, while it starts again"),
    }),
  });
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['ops'],
        summary: 'The database answers and the projections are at most READY_MAX_LAG_SECONDS behind the log',
        querystring: NoQuery,
        response: { 200: Ready, 400: Problem, 503: Ready },
      },
    },
    async (_req, reply) => {
      let database = false;
      let parked = 0;
      let head: string | undefined;
      let checkpoint: string | undefined;
      let lag: { events: number; seconds: number } | undefined;
      const probe = async () => {
        await sql`select 1`.execute(db);
        database = true;
        const r = await db
          .selectFrom('projections.dead_letters')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('replayed_at', 'is', null)
          .executeTakeFirstOrThrow();
        parked = Number(r.n);
        head = await store.headCheckpoint();
        checkpoint = runner.checkpoint ?? (await runner.readCheckpoint());
        const behind =
          head !== undefined && (checkpoint === undefined || store.compareCheckpoints(checkpoint, head) < 0);
        if (behind) lag = await runner.lag();
      };
      let timer: NodeJS.Timeout | undefined;
      let answered = false;
      try {
        await Promise.race([
          probe(),
          new Promise((_, rej) => {
            timer = setTimeout(() => rej(new Error('probe timed out')), PROBE_TIMEOUT_MS);
          }),
        ]);
        answered = true;
      } catch {
        // the database did not answer (in time): not ready
      } finally {
        clearTimeout(timer);
      }
      const caughtUp =
        answered &&
        database &&
        (head === undefined || (checkpoint !== undefined && store.compareCheckpoints(checkpoint, head) >= 0));
      // a busy instance is a little behind all the time: ready while the lag is bounded
      const withinLag = lag !== undefined && lag.seconds <= config.READY_MAX_LAG_SECONDS;
      const ready = database && (caughtUp || withinLag);
      return reply.code(ready ? 200 : 503).send({
        ready,
        database,
        projections: {
          caughtUp,
          checkpoint: checkpoint ?? null,
          head: head ?? null,
          parkedEvents: parked,
          ...(lag ? { lagEvents: lag.events, lagSeconds: Math.round(lag.seconds * 1000) / 1000 } : {}),
          maxLagSeconds: config.READY_MAX_LAG_SECONDS,
          ...(runner.lastError ? { lastError: runner.lastError } : {}),
        },
      });
    },
  );
};
