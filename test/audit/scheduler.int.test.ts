import { randomUUID } from 'node:crypto';
import t from 'tap';
import { AuditTrail, parseCheckpointEvery } from '../../src/audit/scheduler.ts';
import { parseConfig } from '../../src/config.ts';
import { build } from '../helpers/build.ts';

t.test('AUDIT_CHECKPOINT_EVERY: events, minutes, both, off; anything else is a config error', async (t) => {
  t.same(parseCheckpointEvery('1000'), { events: 1000, minutes: null });
  t.same(parseCheckpointEvery('10m'), { events: null, minutes: 10 });
  t.same(parseCheckpointEvery('1000,10m'), { events: 1000, minutes: 10 });
  t.same(parseCheckpointEvery('10m,50'), { events: 50, minutes: 10 });
  t.same(parseCheckpointEvery('off'), { events: null, minutes: null });
  t.throws(() => parseConfig({ AUDIT_CHECKPOINT_EVERY: 'often' }), /AUDIT_CHECKPOINT_EVERY/);
  t.throws(() => parseConfig({ AUDIT_CHECKPOINT_EVERY: '10h' }), /AUDIT_CHECKPOINT_EVERY/);
});

t.test('the loop takes a checkpoint every n events or m minutes, only when the tree grew', async (t) => {
  const b = await build(t, { runner: false, env: { AUDIT_CHECKPOINT_EVERY: 'off' } });
  let now = Date.parse('2026-12-01T10:00:00Z');
  const trail = new AuditTrail({
    store: b.system.store,
    pool: b.system.pool,
    key: b.system.audit.key,
    witnessDir: b.system.config.AUDIT_WITNESS_DIR!,
    every: { events: 3, minutes: 5 },
    clock: () => new Date(now),
  });
  const append = (n: number) =>
    b.system.store.append(
      `contract-s-${randomUUID()}`,
      Array.from({ length: n }, (_, i) => ({
        id: randomUUID(),
        type: 'ContractDrafted',
        schemaVersion: 1,
        data: { i },
        metadata: { actor: { sub: 'a', name: 'A', roles: [] }, occurredOn: '2019-01-01' },
      })),
      { expectedRevision: 'no_stream' },
    );
  const sizes = async () => (await trail.checkpoints.list({ limit: 10 })).map((c) => c.logSize);
  await append(2);
  await trail.tick();
  t.same(await sizes(), [], '2 events: none due');
  await append(1);
  await trail.tick();
  t.same(await sizes(), [3], 'the third event: one taken');
  await append(1);
  now += 4 * 60_000;
  await trail.tick();
  t.same(await sizes(), [3], '1 event, 4 minutes: none due');
  now += 60_000;
  await trail.tick();
  t.same(await sizes(), [4, 3], '5 minutes: taken');
  now += 60 * 60_000;
  await trail.tick();
  t.same(await sizes(), [4, 3], 'an hour with nothing new: none');
});
