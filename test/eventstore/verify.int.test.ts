import t, { type Test } from 'tap';
import type pg from 'pg';
import { createPool } from '../../src/db/database.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres.ts';
import { verifyChains } from '../../src/eventstore/verify.ts';
import { createTestDatabase } from '../helpers/cluster.ts';
import { events, uniqueStream } from './contract.ts';

/** A log of three streams (5 events each, appended in interleaved batches) on a fresh database. */
async function seeded(t: Test) {
  const url = await createTestDatabase(t);
  const pool = createPool(url, 4);
  const store = new PostgresEventStore(pool);
  t.teardown(async () => {
    await store.close();
    await pool.end();
  });
  const streams = [uniqueStream('x'), uniqueStream('y'), uniqueStream('z')];
  for (let round = 0; round < 5; round++) {
    for (const [i, s] of streams.entries()) {
      await store.append(s, events(1, round * 10 + i), {
        expectedRevision: round === 0 ? 'no_stream' : BigInt(round - 1),
      });
    }
  }
  const target = streams[1]!;
  const row = async (revision: number) =>
    (
      await pool.query<{ event_id: string; position: string }>(
        'select event_id, position from es.events where stream_name = $1 and revision = $2',
        [target, revision],
      )
    ).rows[0]!;
  return { pool, store, streams, target, row };
}

const sql = (pool: pg.Pool, text: string, params: unknown[]) => pool.query(text, params);

t.test('an untouched log verifies, for the whole log and for one stream, with progress', async (t) => {
  const { pool, store, target } = await seeded(t);
  const seen: number[] = [];
  const all = await verifyChains(store, { onProgress: (p) => seen.push(p.eventsChecked), progressEvery: 4 });
  t.same(all, { ok: true, eventsChecked: 15, streamsChecked: 3, firstBroken: null });
  t.same(seen, [4, 8, 12, 15]);
  const one = await verifyChains(pool, { stream: target });
  t.same(one, { ok: true, eventsChecked: 5, streamsChecked: 1, firstBroken: null }, 'from a pool as well');
});

t.test('UPDATE of data is detected at that event', async (t) => {
  const { pool, store, target, row } = await seeded(t);
  const r2 = await row(2);
  await sql(pool, `update es.events set data = data || '{"n": 999}' where event_id = $1`, [r2.event_id]);
  for (const opts of [{}, { stream: target }]) {
    const v = await verifyChains(store, opts);
    t.equal(v.ok, false);
    t.match(v.firstBroken, { stream: target, revision: 2n, position: BigInt(r2.position), eventId: r2.event_id });
    t.match(v.firstBroken?.reason, /hash mismatch/);
  }
});

t.test('UPDATE of metadata is detected at that event', async (t) => {
  const { pool, store, target, row } = await seeded(t);
  const r3 = await row(3);
  await sql(
    pool,
    `update es.events set metadata = jsonb_set(metadata, '{actor,name}', '"Someone Else"') where event_id = $1`,
    [r3.event_id],
  );
  const v = await verifyChains(store);
  t.match(v.firstBroken, { stream: target, revision: 3n, eventId: r3.event_id, reason: /hash mismatch/ });
  t.equal(v.eventsChecked, 3 * 3 + 1, 'the events before the broken one were checked');
});

t.test('swapping two events (their revisions) is detected', async (t) => {
  const { pool, store, target, row } = await seeded(t);
  const r1 = await row(1);
  const r2 = await row(2);
  await sql(pool, 'update es.events set revision = -100 where event_id = $1', [r1.event_id]);
  await sql(pool, 'update es.events set revision = 1 where event_id = $1', [r2.event_id]);
  await sql(pool, 'update es.events set revision = 2 where event_id = $1', [r1.event_id]);
  const whole = await verifyChains(store);
  t.match(whole.firstBroken, { stream: target, eventId: r1.event_id, reason: /revision/ }, 'in log order');
  const one = await verifyChains(store, { stream: target });
  t.match(one.firstBroken, { stream: target, revision: 1n, eventId: r2.event_id, reason: /prev_hash|hash/ });
});

t.test('DELETE of a middle event is detected at the gap', async (t) => {
  const { pool, store, target, row } = await seeded(t);
  const r2 = await row(2);
  const r3 = await row(3);
  await sql(pool, 'delete from es.events where event_id = $1', [r2.event_id]);
  for (const opts of [{}, { stream: target }]) {
    const v = await verifyChains(store, opts);
    t.match(v.firstBroken, { stream: target, revision: 3n, eventId: r3.event_id, reason: /revision gap/ });
  }
});

t.test('DELETE of the last event is detected against es.streams', async (t) => {
  const { pool, store, target, row } = await seeded(t);
  const r4 = await row(4);
  await sql(pool, 'delete from es.events where event_id = $1', [r4.event_id]);
  for (const opts of [{}, { stream: target }]) {
    const v = await verifyChains(store, opts);
    t.equal(v.ok, false);
    t.match(v.firstBroken, { stream: target, revision: 4n, position: null, eventId: null, reason: /missing events/ });
  }
  // rewinding the head revision without its hash is caught too
  await sql(pool, 'update es.streams set revision = 3 where stream_name = $1', [target]);
  const v = await verifyChains(store, { stream: target });
  t.match(v.firstBroken, { stream: target, revision: 3n, reason: /head hash mismatch/ });
  // what cannot be detected without an external anchor: the tail deleted AND the head rewound
  await sql(
    pool,
    'update es.streams set last_hash = (select hash from es.events where stream_name = $1 and revision = 3) where stream_name = $1',
    [target],
  );
  t.equal((await verifyChains(store)).ok, true, 'a consistent truncation passes: see ADR 0003');
});
