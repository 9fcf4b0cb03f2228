import { randomUUID } from 'node:crypto';
import t from 'tap';
import { verifyAgainstCheckpoint } from '../../src/audit/anchor.ts';
import { MerkleLog } from '../../src/audit/tree.ts';
import type { EventStore, NewEvent } from '../../src/eventstore/types.ts';
import { build } from '../helpers/build.ts';

/**
 * The two ways the tree follows the log give the same rows: inside PostgreSQL (the PostgreSQL
 * backend: one statement makes the leaves) and through readAll (EventStoreDB's way). And the full
 * verifier, hashing in worker threads across many small batches, names the altered event.
 */
const ev = (i: number): NewEvent => ({
  id: randomUUID(),
  type: 'TerritoryRenamed',
  schemaVersion: 1,
  data: { territoryId: `T${i}`, name: `Territoire ${i}`, z: [i, { b: i / 7, a: 'é' }] },
  metadata: { actor: { sub: 'bench', name: 'Bench', roles: ['programme_admin'] }, occurredOn: '2019-06-01' },
});

t.test('tree rows from the in-database path and the readAll path are the same', async (t) => {
  const b = await build(t, { runner: false, env: { AUDIT_CHECKPOINT_EVERY: 'off' } });
  const { store, pool } = b.system;
  for (let i = 0; i < 70; i++) {
    await store.append(`territory-${i % 9}`, [ev(i), ev(i + 1000)], {
      expectedRevision: i < 9 ? 'no_stream' : BigInt(2 * Math.floor(i / 9) - 1),
    });
  }
  const snapshot = async () => ({
    leaves: (await pool.query('select * from es.merkle_leaves order by idx')).rows,
    nodes: (await pool.query('select * from es.merkle_nodes order by level, idx')).rows,
    state: (await pool.query('select size, after_checkpoint from es.merkle_state')).rows,
  });
  const reset = () =>
    pool.query(
      'truncate es.merkle_leaves, es.merkle_nodes; update es.merkle_state set size = 0, after_checkpoint = null',
    );

  const inDb = new MerkleLog({ store, pool });
  t.equal(await inDb.catchUp({ batchSize: 13 }), 140);
  const a = await snapshot();
  const rootA = await inDb.root(140);
  await reset();
  // a store that only has readAll, like EventStoreDB's
  const generic = { readAll: (o?: Parameters<EventStore['readAll']>[0]) => store.readAll(o) } as unknown as EventStore;
  const viaReadAll = new MerkleLog({ store: generic, pool });
  t.equal(await viaReadAll.catchUp({ batchSize: 13 }), 140);
  const b2 = await snapshot();
  t.same(b2, a, 'same leaves, nodes and state');
  t.same(await viaReadAll.root(140), rootA, 'same root');
  t.equal(a.leaves.length, 140);
  t.equal(a.nodes.length, 8 + 4 + 2 + 1, 'the complete subtrees of 16 leaves and more are stored');
});

t.test('the verifier over many batches, with workers or inline, names the altered event', async (t) => {
  const b = await build(t, { runner: false, env: { AUDIT_CHECKPOINT_EVERY: 'off' } });
  const { store, pool } = b.system;
  for (let i = 0; i < 40; i++) {
    await store.append(`contract-${i % 5}`, [ev(i)], {
      expectedRevision: i < 5 ? 'no_stream' : BigInt(Math.floor(i / 5) - 1),
    });
  }
  await b.system.audit.tree.catchUp();
  const cp = await b.system.audit.checkpoints.take();
  const deps = { store, tree: b.system.audit.tree };
  const key = b.system.audit.key.publicKey;
  for (const workers of [0, 2]) {
    const r = await verifyAgainstCheckpoint(deps, cp, key, { workers, batchSize: 3 });
    t.ok(r.ok, `untouched log verifies (workers ${workers})`);
    t.equal(r.eventsChecked, 40);
    t.equal(r.computedRoot, cp.rootHash);
  }
  const victim = await pool.query<{ event_id: string; stream_name: string; position: string }>(
    `select event_id, stream_name, position from es.events order by position offset 31 limit 1`,
  );
  const { event_id: id, stream_name: stream } = victim.rows[0]!;
  await pool.query(`update es.events set data = jsonb_set(data, '{name}', '"Falsifié"') where event_id = $1`, [id]);
  for (const workers of [0, 2]) {
    const r = await verifyAgainstCheckpoint(deps, cp, key, { workers, batchSize: 3 });
    t.notOk(r.ok, `altered log fails (workers ${workers})`);
    t.equal(r.firstDifference?.eventId, id, 'names the altered event');
    t.equal(r.firstDifference?.stream, stream, 'and its stream');
    t.equal(r.brokenChain?.eventId, id, 'its chain is broken there');
  }
});
