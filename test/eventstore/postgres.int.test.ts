import t, { type Test } from 'tap';
import pg from 'pg';
import { createPool } from '../../src/db/database.ts';
import { contentDigest, eventHash } from '../../src/eventstore/hash.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres.ts';
import { EventIdConflictError, WrongExpectedRevisionError, type RecordedEvent } from '../../src/eventstore/types.ts';
import { verifyChains } from '../../src/eventstore/verify.ts';
import { createTestDatabase } from '../helpers/cluster.ts';
import { collect, eventStoreContract, events, rejectsWith, uniqueStream } from './contract.ts';

async function pgStore(tt: Test, poolSize = 10) {
  const url = await createTestDatabase(tt);
  const pool = createPool(url, poolSize);
  const store = new PostgresEventStore(pool, { pollIntervalMs: 50 });
  tt.teardown(async () => {
    await store.close();
    await pool.end();
  });
  return { url, pool, store };
}

t.test('contract', async (t) => {
  eventStoreContract(t, async (tt) => (await pgStore(tt)).store);
});

t.test('an event id is unique across the whole log; a clash mid-batch writes nothing', async (t) => {
  const { store } = await pgStore(t);
  const a = uniqueStream('a');
  const b = uniqueStream('b');
  const first = events(2);
  await store.append(a, first, { expectedRevision: 'no_stream' });
  const batch = [...events(2, 10), first[1]!];
  const err = await rejectsWith(store.append(b, batch, { expectedRevision: 'no_stream' }), EventIdConflictError);
  t.equal(err.eventId, first[1]!.id, 'names the clashing id');
  t.same(await collect(store.readStream(b)), [], 'nothing of the batch was written');
  // the same id with the same content is a retry, whatever the expected revision
  const again = await store.append(a, [first[0]!], { expectedRevision: 1n });
  t.equal(again.nextRevision, 0n, 'a retry answers the original revision');
  // the same id with other content at the stream's current revision: refused
  await rejectsWith(
    store.append(a, [{ ...first[0]!, data: { other: true } }], { expectedRevision: 1n }),
    EventIdConflictError,
  );
  t.equal((await collect(store.readStream(a))).length, 2);
});

/** Appends through es.append_events on a raw client inside a transaction the test controls. */
async function appendInOpenTransaction(client: pg.Client, stream: string) {
  const evs = events(2, 500);
  const recordedAt = new Date().toISOString();
  const metas = evs.map((e) => ({ ...e.metadata, recordedAt }));
  const hashes: string[] = [];
  let prev = '';
  evs.forEach((e, i) => {
    prev = eventHash({ ...e, stream, revision: BigInt(i), metadata: metas[i]!, prevHash: prev });
    hashes.push(prev);
  });
  await client.query('begin');
  const r = await client.query<{ status: string }>(
    `select * from es.append_events($1, -1, '', $2::uuid[], $3::text[], $4::int[], $5::jsonb[], $6::jsonb[],
       $7::text[], $8::text[], $9)`,
    [
      stream,
      evs.map((e) => e.id),
      evs.map((e) => e.type),
      evs.map((e) => e.schemaVersion),
      evs.map((e) => JSON.stringify(e.data)),
      metas.map((m) => JSON.stringify(m)),
      evs.map((e, i) => contentDigest({ ...e, metadata: metas[i]! })),
      hashes,
      recordedAt,
    ],
  );
  return { status: r.rows[0]!.status, ids: evs.map((e) => e.id) };
}

t.test('a transaction that commits late is neither skipped nor delivered out of order', async (t) => {
  const { url, store } = await pgStore(t);
  const before = events(3);
  await store.append(uniqueStream('before'), before, { expectedRevision: 'no_stream' });

  const sub = store.subscribe({ batchSize: 2 });
  const got: RecordedEvent[] = [];
  const consumer = (async () => {
    for await (const e of sub) got.push(e);
  })();

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.teardown(() => client.end());
  const held = await appendInOpenTransaction(client, uniqueStream('held'));
  t.equal(held.status, 'ok');

  const later: string[] = [];
  for (let i = 0; i < 5; i++) {
    const batch = events(2, 600 + 10 * i);
    await store.append(uniqueStream('later'), batch, { expectedRevision: 'no_stream' });
    later.push(...batch.map((e) => e.id));
  }
  await new Promise((r) => setTimeout(r, 500));
  const whileOpen = await collect(store.readAll());
  t.same(
    whileOpen.map((e) => e.id),
    before.map((e) => e.id),
    'readAll stops at the open transaction',
  );
  t.same(
    got.map((e) => e.id),
    before.map((e) => e.id),
    'the subscriber stops at the open transaction',
  );
  t.ok(
    (await store.oldestOpenTransactionAgeSeconds()) > 0.4,
    'the open transaction is reported by oldestOpenTransactionAgeSeconds',
  );

  await client.query('commit');
  const deadline = Date.now() + 10_000;
  while (got.length < before.length + held.ids.length + later.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 300)); // anything delivered twice would show up here
  await sub.stop();
  await consumer;
  const all = await collect(store.readAll());
  const expected = [...before.map((e) => e.id), ...held.ids, ...later];
  t.same(
    got.map((e) => e.id),
    all.map((e) => e.id),
    'the subscriber saw exactly what readAll sees',
  );
  t.same(
    all.map((e) => e.id),
    expected,
    'the late transaction takes its place before the later ones, every event once',
  );
  const heldPos = all.find((e) => e.id === held.ids[1])!.position;
  const laterPos = all.find((e) => e.id === later[0])!.position;
  t.ok(heldPos < laterPos, 'its positions are below the later ones: a position checkpoint would have skipped it');
  t.same(
    (await collect(store.readAll())).map((e) => e.checkpoint),
    all.map((e) => e.checkpoint),
    'the order is stable',
  );
  t.equal(await store.oldestOpenTransactionAgeSeconds(), 0);
});

t.test('stress: 16 concurrent writers, >= 10,000 events, a live subscriber gets each exactly once', async (t) => {
  const { store } = await pgStore(t, 20);
  const writers = 16;
  const perWriter = 640;
  const sub = store.subscribe({ batchSize: 250 });
  const got: RecordedEvent[] = [];
  const total = writers * perWriter;
  const consumer = (async () => {
    for await (const e of sub) {
      got.push(e);
    }
  })();
  const written: string[] = [];
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const streams = Array.from({ length: 8 }, () => ({ name: uniqueStream(`w${w}`), rev: -1n }));
      let n = 0;
      while (n < perWriter) {
        const size = Math.min(perWriter - n, 1 + Math.floor(rnd() * 7));
        const s = streams[Math.floor(rnd() * streams.length)]!;
        const batch = events(size, w * 10_000 + n);
        const r = await store.append(s.name, batch, { expectedRevision: s.rev < 0n ? 'no_stream' : s.rev });
        s.rev = r.nextRevision;
        written.push(...batch.map((e) => e.id));
        n += size;
      }
    }),
  );
  t.equal(written.length, total);
  const deadline = Date.now() + 60_000;
  while (got.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 500)); // anything delivered twice would show up here
  await sub.stop();
  await consumer;
  const ids = got.map((e) => e.id);
  t.equal(ids.length, total, 'as many deliveries as events');
  t.equal(new Set(ids).size, total, 'no event delivered twice');
  t.same(new Set(ids), new Set(written), 'every written event delivered');
  // readers stop below the oldest open transaction of the whole cluster (an auto-analyze, another
  // test's writer): what readAll returns grows to the full log once those have ended
  let all = await collect(store.readAll());
  while (all.length < total && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    all = await collect(store.readAll());
  }
  t.equal(all.length, total);
  t.ok(
    ids.every((id, i) => all[i]!.id === id),
    'the subscriber order equals a later readAll',
  );
});

t.test('group commit: appends that wait go together, each with its own outcome', async (t) => {
  const url = await createTestDatabase(t);
  const pool = createPool(url, 4);
  const store = new PostgresEventStore(pool, { appendConcurrency: 1 });
  t.teardown(() => pool.end());
  const taken = uniqueStream('taken');
  const clash = events(1);
  await store.append(taken, clash, { expectedRevision: 'no_stream' });
  const existing = uniqueStream('existing');
  await store.append(existing, events(1, 1), { expectedRevision: 'no_stream' });
  const streams = Array.from({ length: 6 }, () => uniqueStream('g'));
  // the first goes alone; the others queue behind it and go in one es.append_many group
  const outcomes = await Promise.allSettled([
    ...streams.map((s, i) => store.append(s, events(2, 10 * i), { expectedRevision: 'no_stream' })),
    store.append(existing, events(1, 90), { expectedRevision: 5n }),
  ]);
  t.same(
    outcomes.slice(0, 6).map((o) => o.status === 'fulfilled' && o.value.nextRevision),
    [1n, 1n, 1n, 1n, 1n, 1n],
    'the good appends succeed',
  );
  const wrong = outcomes[6]!;
  t.ok(
    wrong.status === 'rejected' && wrong.reason instanceof WrongExpectedRevisionError,
    'a wrong revision fails alone',
  );
  const grouped = await collect(store.readAll());
  t.equal(grouped.length, 2 + 6 * 2, 'exactly the good appends were written');
  const xids = new Set(grouped.slice(2).map((e) => e.checkpoint.split('/')[0]));
  t.ok(xids.size <= 2, `the queued appends shared one transaction (${xids.size} transactions for 6 appends)`);

  // an id clash fails the group's statement: each append then runs alone and only the clash fails
  const more = Array.from({ length: 4 }, () => uniqueStream('h'));
  const second = await Promise.allSettled([
    ...more.map((s, i) => store.append(s, events(1, 200 + i), { expectedRevision: 'no_stream' })),
    store.append(uniqueStream('clash'), [...events(1, 95), clash[0]!], { expectedRevision: 'no_stream' }),
  ]);
  t.same(
    second.slice(0, 4).map((o) => o.status),
    ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'],
  );
  const idc = second[4]!;
  t.ok(idc.status === 'rejected' && idc.reason instanceof EventIdConflictError, 'an id clash fails alone');
  t.equal((await collect(store.readAll())).length, 2 + 6 * 2 + 4, 'nothing of the clashing append was written');

  // inside a group: an idempotent retry (its head check fails, the stream has moved on) gets the
  // original result, and a head another process moved is learnt and chained again
  const again = uniqueStream('again');
  const firstTry = events(2, 300);
  const original = await store.append(again, firstTry, { expectedRevision: 'no_stream' });
  const shared = uniqueStream('shared');
  await store.append(shared, events(1, 320), { expectedRevision: 'no_stream' });
  const other = new PostgresEventStore(pool);
  await other.append(shared, events(1, 321), { expectedRevision: 0n });
  const before = (await collect(store.readAll())).length;
  const third = await Promise.all([
    store.append(uniqueStream('i'), events(1, 310), { expectedRevision: 'no_stream' }),
    store.append(uniqueStream('i'), events(1, 311), { expectedRevision: 'no_stream' }),
    store.append(again, firstTry, { expectedRevision: 'no_stream' }),
    store.append(shared, events(1, 322), { expectedRevision: 'any' }),
    store.append(uniqueStream('i'), events(1, 312), { expectedRevision: 'no_stream' }),
  ]);
  t.equal(third[2].nextRevision, original.nextRevision, 'the retry answers the original revision');
  t.equal(third[2].position, original.position, 'and position');
  t.equal(third[3].nextRevision, 2n, 'the stale head was learnt: appended after the other process');
  t.equal((await collect(store.readAll())).length, before + 4, 'the retry wrote nothing');
  t.equal((await verifyChains(store)).ok, true);
});

t.test('group commit with two slots: little waiting work goes as one group, much is shared', async (t) => {
  const url = await createTestDatabase(t);
  const pool = createPool(url, 4);
  const store = new PostgresEventStore(pool, { appendConcurrency: 2, overlapAt: 8 });
  t.teardown(() => pool.end());
  const transactionsOf = async (appends: number, eventsEach: number, offset: number) => {
    const before = (await collect(store.readAll())).length;
    await Promise.all(
      Array.from({ length: appends }, (_, i) =>
        store.append(uniqueStream('o'), events(eventsEach, offset + eventsEach * i), {
          expectedRevision: 'no_stream',
        }),
      ),
    );
    const written = (await collect(store.readAll())).slice(before);
    t.equal(written.length, appends * eventsEach);
    return new Set(written.map((e) => e.checkpoint.split('/')[0])).size;
  };
  // 12 events waiting, both slots free: fewer than 8 per free slot, so one group (not two of 6)
  t.equal(await transactionsOf(12, 1, 1000), 1, 'little work is one transaction');
  // 20 events: at least 8 per free slot, so the two slots share the queue and overlap
  t.equal(await transactionsOf(20, 1, 2000), 2, 'much work is shared between the two slots');
  // work is counted in events: 4 appends of 5 events are 20 events, shared as well
  t.equal(await transactionsOf(4, 5, 3000), 2, 'four appends of five events are shared');
  t.equal(await transactionsOf(3, 5, 4000), 1, 'three appends of five events (15) are not');
});

t.test('two processes appending to the same streams: every append decided once, chains intact', async (t) => {
  const { pool, store } = await pgStore(t, 12);
  // a second "process": its own pool, its own head cache and group commit
  const other = new PostgresEventStore(pool);
  const streams = Array.from({ length: 6 }, () => uniqueStream('shared'));
  const outcomes = { ok: 0, wrong: 0, events: 0 };
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  await Promise.all(
    Array.from({ length: 12 }, async (_, w) => {
      const s = w % 2 === 0 ? store : other;
      for (let i = 0; i < 40; i++) {
        const stream = streams[Math.floor(rnd() * streams.length)]!;
        const batch = events(1 + (i % 3), w * 1000 + i * 10);
        // half the appends pin a revision (and may lose the race), half append at any revision
        if (i % 2 === 0) {
          await s.append(stream, batch, { expectedRevision: 'any' });
          outcomes.ok++;
          outcomes.events += batch.length;
        } else {
          const head = (await collect(s.readStream(stream, { direction: 'backwards', maxCount: 1 })))[0];
          try {
            await s.append(stream, batch, { expectedRevision: head ? head.revision : 'no_stream' });
            outcomes.ok++;
            outcomes.events += batch.length;
          } catch (err) {
            if (!(err instanceof WrongExpectedRevisionError)) throw err;
            outcomes.wrong++;
          }
        }
      }
    }),
  );
  t.ok(outcomes.ok > 240, `appends written: ${outcomes.ok}, lost races: ${outcomes.wrong}`);
  let written = 0;
  for (const stream of streams) {
    const read = await collect(store.readStream(stream));
    t.same(
      read.map((e) => e.revision),
      read.map((_, i) => BigInt(i)),
      `${stream}: revisions without gaps`,
    );
    written += read.length;
  }
  const v = await verifyChains(store);
  t.equal(v.ok, true, 'every chain intact');
  t.equal(written, outcomes.events, 'exactly the events of the appends answered ok were written');
  t.equal(v.eventsChecked, written);
});
