import t from 'tap';
import pg from 'pg';
import { build } from '../helpers/build.ts';

/**
 * The projection runner under database faults: a dropped lock connection (pg_terminate_backend)
 * does not crash the process, and a transient error (here a statement timeout while a read table
 * is locked) is retried, never parked and never the end of the runner.
 */
const label = (id: string) => ({
  id,
  name: `Territoire ${id}`,
  regionCode: '44',
  epcis: [{ siren: '200068757', name: 'CC test' }],
  labelledOn: '2018-11-22',
});

async function until(what: string, ms: number, f: () => Promise<boolean>) {
  const deadline = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

t.test('pg_terminate_backend on the runner lock connection: the runner takes the lock again', async (t) => {
  const { app, system, token } = await build(t);
  const admin = await token('programme_admin');
  const post = (id: string) =>
    app.inject({
      method: 'POST',
      url: '/territories',
      headers: { authorization: `Bearer ${admin}` },
      payload: label(id),
    });
  t.equal((await post('9001')).statusCode, 201);
  await until('runner active', 10_000, async () => system.runner.active);
  const killed = await system.pool.query<{ n: string }>(
    `select count(pg_terminate_backend(pid)) as n from pg_locks
      where locktype = 'advisory' and pid <> pg_backend_pid() and database = (select oid from pg_database where datname = current_database())`,
  );
  t.equal(Number(killed.rows[0]!.n), 1, 'the lock holder was terminated');
  // the process is still here (an unhandled 'error' would have thrown), and projections go on
  t.equal((await post('9002')).statusCode, 201);
  await until('9002 projected', 20_000, async () => {
    const r = await system.pool.query(`select 1 from read.territories where territory_id = '9002'`);
    return r.rowCount === 1;
  });
  t.ok(system.runner.stats.errors >= 1, `the runner noticed the lost lock (${system.runner.stats.errors} error(s))`);
  t.equal(system.runner.active, true, 'active again');
});

t.test('a transient failure of a batch is retried, not parked, and the runner does not stop', async (t) => {
  const { app, system, token } = await build(t, { env: { PG_STATEMENT_TIMEOUT_MS: '300' } });
  const admin = await token('programme_admin');
  await until('runner active', 10_000, async () => system.runner.active);
  // another session holds read.territories (exclusive mode: no xid, so the log is not held
  // back): every write of the runner times out meanwhile
  const blocker = new pg.Client({ connectionString: system.config.DATABASE_URL });
  await blocker.connect();
  t.teardown(() => blocker.end());
  await blocker.query('begin');
  await blocker.query('lock table read.territories in exclusive mode');
  const r = await app.inject({
    method: 'POST',
    url: '/territories',
    headers: { authorization: `Bearer ${admin}` },
    payload: label('9101'),
  });
  t.equal(r.statusCode, 201, 'the command does not touch the read models');
  await until('the runner failed at least twice', 20_000, async () => system.runner.stats.errors >= 2);
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  t.ok(JSON.parse(ready.body).projections.lastError, '/readyz shows the runner error meanwhile');
  await blocker.query('rollback');
  await until('9101 projected', 30_000, async () => {
    const q = await system.pool.query(`select 1 from read.territories where territory_id = '9101'`);
    return q.rowCount === 1;
  });
  const parked = await system.pool.query(`select count(*)::int as n from projections.dead_letters`);
  t.equal(parked.rows[0].n, 0, 'nothing parked: the events were fine, the database was not');
  t.equal(system.runner.stats.parked, 0);
});
