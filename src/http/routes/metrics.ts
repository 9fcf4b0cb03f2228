import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';

/**
 * GET /metrics: Prometheus text exposition (open, like /healthz): projection lag in events and
 * seconds, parked events, events applied, whether this process's runner is active and whether
 * any process holds the runner's lock, and the age of the oldest open writing transaction
 * (which holds back the log's readers).
 */
export const metricsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, runner, pool } = app.deps;

  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus metrics', hide: true } }, async (_req, reply) => {
    const lines: string[] = [];
    const metric = (name: string, type: 'gauge' | 'counter', help: string, values: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, v] of values) lines.push(`${name}${labels} ${Number.isFinite(v) ? v : 0}`);
    };
    const r = `{runner="${runner.name}"}`;
    const lag = await runner.lag();
    const parked = await db
      .selectFrom('projections.dead_letters')
      .select(['projection', (eb) => eb.fn.countAll<string>().as('n')])
      .where('replayed_at', 'is', null)
      .groupBy('projection')
      .execute();
    const cps = await db.selectFrom('projections.checkpoints').select(['name', 'events_applied']).execute();
    const lock = await pool.query<{ held: boolean }>(
      `select exists (select 1 from pg_locks where locktype = 'advisory' and classid = $1 and objid = hashtext($2)::oid and granted) as held`,
      [0x7469, runner.name],
    );
    const oldest = await sql<{ s: string | null }>`
      select extract(epoch from now() - min(xact_start))::text as s from pg_stat_activity
       where backend_xid is not null and pid <> pg_backend_pid()`.execute(db);

    metric('ti_projection_lag_events', 'gauge', 'Events in the log not yet applied by the projections', [
      [r, lag.events],
    ]);
    metric('ti_projection_lag_seconds', 'gauge', 'Age of the oldest event not yet applied (0 when caught up)', [
      [r, lag.seconds],
    ]);
    metric('ti_projection_parked_events', 'gauge', 'Events parked in the dead-letter table, not replayed', [
      [r, parked.reduce((a, p) => a + Number(p.n), 0)],
      ...parked.map((p): [string, number] => [`{runner="${runner.name}",projection="${p.projection}"}`, Number(p.n)]),
    ]);
    metric(
      'ti_projection_events_applied_total',
      'counter',
      'Events applied under each checkpoint (all processes, since the last rebuild)',
      cps.map((c): [string, number] => [`{runner="${c.name}"}`, Number(c.events_applied)]),
    );
    metric('ti_projection_process_events_applied_total', 'counter', 'Events applied by this process', [
      [r, runner.stats.eventsApplied],
    ]);
    metric('ti_projection_runner_active', 'gauge', "1 when this process's runner holds the lock", [
      [r, runner.active ? 1 : 0],
    ]);
    metric('ti_projection_runner_lock_held', 'gauge', '1 when some process holds the runner lock', [
      [r, lock.rows[0]?.held ? 1 : 0],
    ]);
    metric('ti_eventstore_oldest_open_transaction_seconds', 'gauge', 'Age of the oldest open writing transaction', [
      ['', Number(oldest.rows[0]?.s ?? 0)],
    ]);
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(lines.join('\n') + '\n');
  });
};
