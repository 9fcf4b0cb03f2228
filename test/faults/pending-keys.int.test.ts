import t from 'tap';
import { build } from '../helpers/build.ts';
import { TODAY, post, territories, tokens } from '../http/commands/fixtures.ts';

/**
 * Idempotency-Keys left `pending` by a process that died: a retry with the same key gets the
 * first run's answer when its events were written, a fresh run when they were not; while the
 * holder's lease runs, 409 with Retry-After; racing runs of one key write one set of events.
 * The state a dead process leaves is set up in the table directly (that is all it leaves).
 */
const project = {
  territoryId: '4401',
  title: 'Plateforme',
  axis: 'skills',
  budgetEur: 1000,
  registeredOn: '2019-05-01',
};
const funding = { source: 'bpifrance', amountEur: 500, grantedOn: '2019-06-01' };

async function eventsWithKey(b: Awaited<ReturnType<typeof build>>, key: string): Promise<number> {
  const r = await b.system.pool.query<{ n: number }>(
    `select count(*)::int as n from es.events where metadata->>'idempotencyKey' = $1`,
    [key],
  );
  return r.rows[0]!.n;
}

/** What a process killed between its append and the storing of its answer leaves behind. */
async function orphanKey(b: Awaited<ReturnType<typeof build>>, key: string) {
  await b.system.pool.query(
    `update http.idempotency_keys
        set status_code = null, response_body = null, completed_at = null,
            claim_id = gen_random_uuid(), lease_until = now() - interval '1 second'
      where key = $1`,
    [key],
  );
}

t.test('a pending key whose events were written answers the original answer', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  const first = await post(b, tk.lead44, '/projects', project, { 'idempotency-key': 'reg-1' });
  t.equal(first.statusCode, 201, first.body);
  const { id } = first.json<{ id: string }>();
  const f1 = await post(b, tk.lead44, `/projects/${id}/fundings`, funding, { 'idempotency-key': 'fund-1' });
  t.equal(f1.statusCode, 201, f1.body);
  // another command on the stream after it
  const f2 = await post(b, tk.lead44, `/projects/${id}/fundings`, funding, { 'idempotency-key': 'fund-2' });
  t.equal(f2.statusCode, 201);

  for (const [key, url, body, original] of [
    ['reg-1', '/projects', project, first],
    ['fund-1', `/projects/${id}/fundings`, funding, f1],
  ] as const) {
    await orphanKey(b, key);
    const retry = await post(b, tk.lead44, url, body, { 'idempotency-key': key });
    t.equal(retry.statusCode, original.statusCode, `${key}: ${retry.body}`);
    t.same(retry.json(), original.json(), `${key}: the same answer as the first run`);
    t.equal(retry.headers.etag, original.headers.etag);
    t.equal(await eventsWithKey(b, key), 1, `${key}: its events once`);
    const replay = await post(b, tk.lead44, url, body, { 'idempotency-key': key });
    t.equal(replay.headers['idempotent-replayed'], 'true', `${key}: the answer is stored now`);
  }
});

t.test('a pending key whose events were not written runs afresh; a live lease answers 409', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  const sub = 'lead-44';
  const hold = async (key: string, leaseSql: string) => {
    const probe = await post(b, tk.lead44, '/projects', project, { 'idempotency-key': `probe-${key}` });
    // the request hash of the real request: taken from a first claim of the same body and path
    const row = await b.system.pool.query<{ body_hash: string }>(
      `select body_hash from http.idempotency_keys where key = $1`,
      [`probe-${key}`],
    );
    t.equal(probe.statusCode, 201);
    await b.system.pool.query(
      `insert into http.idempotency_keys (principal_sub, key, method, route, body_hash, expires_at, claim_id, lease_until)
       values ($1, $2, 'POST', '/projects', $3, now() + interval '1 day', gen_random_uuid(), ${leaseSql})`,
      [sub, key, row.rows[0]!.body_hash],
    );
  };
  await hold('dead', `now() - interval '1 second'`);
  const fresh = await post(b, tk.lead44, '/projects', project, { 'idempotency-key': 'dead' });
  t.equal(fresh.statusCode, 201, `a fresh run: ${fresh.body}`);
  t.equal(await eventsWithKey(b, 'dead'), 1);

  await hold('alive', `now() + interval '30 seconds'`);
  const busy = await post(b, tk.lead44, '/projects', project, { 'idempotency-key': 'alive' });
  t.equal(busy.statusCode, 409);
  t.ok(Number(busy.headers['retry-after']) >= 1, 'Retry-After: when the lease runs out');
  t.equal(await eventsWithKey(b, 'alive'), 0);
});

t.test('racing runs of one key (leases running out at once) write one set of events', async (t) => {
  const b = await build(t, { today: TODAY, runner: false, env: { IDEMPOTENCY_LEASE_MS: '1' } });
  const tk = await tokens(b);
  await territories(b, tk);
  const reg = await post(b, tk.lead44, '/projects', project);
  const { id } = reg.json<{ id: string }>();
  const answers = await Promise.all(
    Array.from({ length: 8 }, () =>
      post(b, tk.lead44, `/projects/${id}/fundings`, funding, { 'idempotency-key': 'race' }),
    ),
  );
  const ok = answers.filter((a) => a.statusCode === 201);
  t.ok(ok.length >= 1, `some answered 201 (${answers.map((a) => a.statusCode).join(',')})`);
  t.same(
    answers.filter((a) => a.statusCode !== 201 && a.statusCode !== 409),
    [],
    'only 201 or 409',
  );
  t.same(new Set(ok.map((a) => a.body)).size, 1, 'every 201 is the same answer');
  t.equal(await eventsWithKey(b, 'race'), 1, 'one funding recorded');
});
