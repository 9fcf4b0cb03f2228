import { sql } from 'kysely';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Problem } from './read.ts';

/** The probes take no parameters: anything in the query string is a 400, not ignored. */
const NoQuery = z.strictObject({});

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, store, runner } = app.deps;

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
    }),
  });
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['ops'],
        summary: 'The database answers and the projections have caught up with the log',
        querystring: NoQuery,
        response: { 200: Ready, 400: Problem, 503: Ready },
      },
    },
    async (_req, reply) => {
      let database = false;
      let parked = 0;
      let head: string | undefined;
      let checkpoint: string | undefined;
      try {
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
      } catch {
        // the database did not answer: not ready
      }
      const caughtUp =
        database &&
        (head === undefined || (checkpoint !== undefined && store.compareCheckpoints(checkpoint, head) >= 0));
      const ready = database && caughtUp;
      return reply.code(ready ? 200 : 503).send({
        ready,
        database,
        projections: { caughtUp, checkpoint: checkpoint ?? null, head: head ?? null, parkedEvents: parked },
      });
    },
  );
};
