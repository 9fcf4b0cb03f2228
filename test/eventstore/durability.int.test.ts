/**
 * Durability: an acknowledged append survives kill -9 of PostgreSQL. Runs its own embedded
 * cluster with fsync and synchronous_commit on (the shared test cluster runs with fsync off).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createDb, createPool } from '../../src/db/database.ts';
import { readPostmasterPid, startEmbedded, type PgServer } from '../../src/db/embedded.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres.ts';
import { verifyChains } from '../../src/eventstore/verify.ts';
import { collect, events, uniqueStream } from './contract.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

t.test('acknowledged appends survive kill -9 of the postmaster', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'es-durability-'));
  const settings = { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on' };
  let server: PgServer = await startEmbedded({ dataDir, settings });
  t.teardown(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const migrator = createDb(createPool(server.url, 1));
  await migrateToLatest(migrator);
  await migrator.destroy();

  const pool = createPool(server.url, 8);
  const store = new PostgresEventStore(pool);
  const acknowledged: string[] = [];
  let crashed = false;
  // 8 writers append until the server dies under them
  const writers = Array.from({ length: 8 }, async (_, w) => {
    const stream = uniqueStream(`d${w}`);
    let rev: bigint | 'no_stream' = 'no_stream';
    for (let i = 0; !crashed; i++) {
      const batch = events(1 + (i % 3), w * 10_000 + i * 10);
      try {
        const r = await store.append(stream, batch, { expectedRevision: rev });
        rev = r.nextRevision;
        acknowledged.push(...batch.map((e) => e.id));
      } catch {
        return;
      }
    }
  });
  while (acknowledged.length < 300) await new Promise((r) => setTimeout(r, 10));
  const pm = readPostmasterPid(join(dataDir, 'postgres'));
  t.ok(pm, 'postmaster.pid names the server');
  process.kill(pm!.pid, 'SIGKILL');
  crashed = true;
  const ackedAtKill = acknowledged.length;
  await Promise.all(writers);
  await pool.end().catch(() => undefined);
  for (let i = 0; i < 100 && alive(pm!.pid); i++) await new Promise((r) => setTimeout(r, 50));
  t.notOk(alive(pm!.pid), 'the postmaster is gone');

  // the killed postmaster's backends leave shortly after it; retry until the new one starts
  for (let attempt = 0; ; attempt++) {
    try {
      server = await startEmbedded({ dataDir, settings });
      break;
    } catch (err) {
      if (attempt > 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const pool2 = createPool(server.url, 2);
  const store2 = new PostgresEventStore(pool2);
  t.teardown(() => pool2.end());
  const recorded = new Set((await collect(store2.readAll())).map((e) => e.id));
  const lost = acknowledged.filter((id) => !recorded.has(id));
  t.ok(acknowledged.length >= ackedAtKill && ackedAtKill >= 300, `${acknowledged.length} appends acknowledged`);
  t.same(lost, [], 'every acknowledged event is back after the crash');
  const v = await verifyChains(store2);
  t.equal(v.ok, true, 'and every chain verifies');
  t.ok(v.eventsChecked >= acknowledged.length);
});
