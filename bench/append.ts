/**
 * `npm run bench:append`: appends per second and p50/p99 latency of
 *   (a) our PostgresEventStore (hash chain + idempotency on, expected revisions),
 *   (b) Emmett's PostgreSQL event store (`getPostgreSQLEventStore(url).appendToStream`),
 *   (c) raw INSERTs through pg into an equivalent table (the floor any store pays),
 *   (d) (a) with the Merkle tree following the log as the server runs it (src/audit/tree.ts,
 *       polled every second, in its own database), to measure what the tree costs the appends,
 * at 1, 16 and 64 concurrent writers, single-event appends and 10-event batches, on one embedded
 * PostgreSQL with fsync and synchronous_commit on. Each scenario runs BENCH_SECONDS (default 5)
 * BENCH_REPEATS times (default 3); the table shows medians. The last line is one JSON object.
 *
 * Env: BENCH_SECONDS, BENCH_REPEATS, BENCH_WRITERS (e.g. "1,16,64").
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { getPostgreSQLEventStore, type PostgresEventStore as EmmettStore } from '@event-driven-io/emmett-postgresql';
import { STREAM_DOES_NOT_EXIST } from '@event-driven-io/emmett';
import { createDb, createPool } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { MerkleLog } from '../src/audit/tree.ts';
import { PostgresEventStore } from '../src/eventstore/postgres.ts';
import type { NewEvent } from '../src/eventstore/types.ts';
import { durableCluster } from './lib/cluster.ts';
import { cpuLoopMs, describeCpus } from './lib/cpus.ts';
import { median, runFor, table, type RunResult } from './lib/stats.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const WRITERS = (process.env.BENCH_WRITERS ?? '1,16,64').split(',').map(Number);
const BATCHES = [1, 10];
const STREAMS_PER_WRITER = 4;

const log = (s: string) => process.stderr.write(`${s}\n`);

const metadata = {
  actor: { sub: 'bench', name: 'Bench', roles: ['programme_admin'] },
  occurredOn: '2019-11-19',
  correlationId: 'bench',
};
const payload = (n: number) => ({
  territoryId: `T${n % 1000}`,
  name: 'Vosges',
  regionCode: '44',
  epcis: [{ siren: '200068757', name: 'CC des Vosges Côté Sud-Ouest' }],
  n,
});
const newEvents = (count: number, n: number): NewEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    type: 'TerritoryRenamed',
    schemaVersion: 1,
    data: payload(n + i),
    metadata,
  }));

interface System {
  name: string;
  /** Prepares a fresh run (new stream names) and returns the append of one writer's i-th call. */
  prepare(writers: number, batch: number, run: string): (w: number, i: number) => Promise<void>;
  close(): Promise<void>;
}

function ours(url: string, name = 'PostgresEventStore', withTree = false): System {
  const pool = createPool(url, 70);
  const store = new PostgresEventStore(pool);
  // the server's loop (src/audit/scheduler.ts): complete the tree, wait a second, again
  let stopped = false;
  let following: Promise<void> = Promise.resolve();
  if (withTree) {
    const tree = new MerkleLog({ store, pool });
    following = (async () => {
      while (!stopped) {
        await tree.catchUp();
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
  }
  return {
    name,
    prepare(writers, batch, run) {
      const revs = Array.from({ length: writers * STREAMS_PER_WRITER }, () => -1n);
      return async (w, i) => {
        const s = w * STREAMS_PER_WRITER + (i % STREAMS_PER_WRITER);
        const rev = revs[s]!;
        const r = await store.append(`territory-${run}-${s}`, newEvents(batch, i), {
          expectedRevision: rev < 0n ? 'no_stream' : rev,
        });
        revs[s] = r.nextRevision;
      };
    },
    close: async () => {
      stopped = true;
      await following;
      await store.close();
      await pool.end();
    },
  };
}

function emmett(url: string): System {
  const store: EmmettStore = getPostgreSQLEventStore(url);
  return {
    name: 'Emmett appendToStream',
    prepare(writers, batch, run) {
      const versions = Array.from({ length: writers * STREAMS_PER_WRITER }, (): bigint | undefined => undefined);
      return async (w, i) => {
        const s = w * STREAMS_PER_WRITER + (i % STREAMS_PER_WRITER);
        const events = Array.from({ length: batch }, (_, k) => ({
          type: 'TerritoryRenamed',
          data: payload(i + k),
          metadata,
        }));
        const r = await store.appendToStream(`territory-${run}-${s}`, events, {
          expectedStreamVersion: versions[s] ?? STREAM_DOES_NOT_EXIST,
        });
        versions[s] = r.nextExpectedStreamVersion;
      };
    },
    close: () => store.close(),
  };
}

async function raw(url: string): Promise<System> {
  const pool = new pg.Pool({ connectionString: url, max: 70 });
  pool.on('error', () => undefined); // idle clients see the server stop at the end
  await pool.query(`create schema if not exists raw;
    create table if not exists raw.events (
      position bigint generated always as identity primary key,
      stream_name text not null, revision bigint not null, event_id uuid not null unique,
      type text not null, schema_version int not null, data jsonb not null, metadata jsonb not null,
      hash text not null, recorded_at timestamptz not null default now(),
      unique (stream_name, revision))`);
  const insert = `insert into raw.events (stream_name, revision, event_id, type, schema_version, data, metadata, hash)
    values ($1, $2, $3, 'TerritoryRenamed', 1, $4, $5, $6)`;
  const meta = JSON.stringify(metadata);
  return {
    name: 'raw INSERT (pg)',
    prepare(writers, batch, run) {
      const revs = Array.from({ length: writers * STREAMS_PER_WRITER }, () => -1);
      return async (w, i) => {
        const s = w * STREAMS_PER_WRITER + (i % STREAMS_PER_WRITER);
        const stream = `territory-${run}-${s}`;
        if (batch === 1) {
          // one single-row INSERT, autocommit: one durable commit per append
          await pool.query({
            name: 'raw-insert',
            text: insert,
            values: [stream, ++revs[s]!, randomUUID(), JSON.stringify(payload(i)), meta, 'x'.repeat(64)],
          });
          return;
        }
        // a batch: its single-row INSERTs in one transaction (atomic, one durable commit)
        const client = await pool.connect();
        try {
          await client.query('begin');
          for (let k = 0; k < batch; k++) {
            await client.query({
              name: 'raw-insert',
              text: insert,
              values: [stream, ++revs[s]!, randomUUID(), JSON.stringify(payload(i + k)), meta, 'x'.repeat(64)],
            });
          }
          await client.query('commit');
        } catch (err) {
          await client.query('rollback').catch(() => undefined);
          throw err;
        } finally {
          client.release();
        }
      };
    },
    close: () => pool.end(),
  };
}

async function createDatabase(url: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return url.replace(/\/[^/]+$/, `/${name}`);
}

const cpusBefore = cpuLoopMs();
log(describeCpus(cpusBefore));
const server = await durableCluster('bench-append');
try {
  const oursUrl = server.url;
  const migrator = createDb(createPool(oursUrl, 1));
  await migrateToLatest(migrator);
  await migrator.destroy();
  const treeUrl = await createDatabase(server.url, 'bench_tree');
  const treeMigrator = createDb(createPool(treeUrl, 1));
  await migrateToLatest(treeMigrator);
  await treeMigrator.destroy();
  const emmettUrl = await createDatabase(server.url, 'bench_emmett');
  const rawUrl = await createDatabase(server.url, 'bench_raw');
  const check = new pg.Client({ connectionString: oursUrl });
  await check.connect();
  const settings = await check.query<{ name: string; setting: string }>(
    `select name, setting from pg_settings where name in ('fsync', 'synchronous_commit', 'wal_sync_method', 'server_version')`,
  );
  await check.end();
  log(`PostgreSQL: ${settings.rows.map((r) => `${r.name}=${r.setting}`).join(' ')}`);
  log(`${SECONDS}s per run, ${REPEATS} runs per scenario, medians shown`);

  const systems = [
    ours(oursUrl),
    ours(treeUrl, 'PostgresEventStore + Merkle tree', true),
    emmett(emmettUrl),
    await raw(rawUrl),
  ];
  const results = new Map<string, { aps: number; eps: number; p50: number; p99: number }>();
  const rows: (string | number)[][] = [];
  let runNo = 0;
  for (const writers of WRITERS) {
    for (const batch of BATCHES) {
      // the systems take turns within each repeat, so a noisy neighbour hits them alike
      const runs = new Map<string, RunResult[]>(systems.map((s) => [s.name, []]));
      for (let r = 0; r < REPEATS; r++) {
        for (const sys of systems) {
          const op = sys.prepare(writers, batch, `r${runNo++}${randomUUID().slice(0, 8)}`);
          runs.get(sys.name)!.push(await runFor(SECONDS, writers, op));
        }
      }
      for (const sys of systems) {
        const mine = runs.get(sys.name)!;
        const res = {
          aps: median(mine.map((x) => x.opsPerSecond)),
          eps: median(mine.map((x) => x.opsPerSecond)) * batch,
          p50: median(mine.map((x) => x.p50ms)),
          p99: median(mine.map((x) => x.p99ms)),
        };
        results.set(`${sys.name}|${writers}|${batch}`, res);
        // the spread of the repeats (min–max appends/s): what "within the noise" is measured against
        const aps = mine.map((x) => x.opsPerSecond);
        const spread = `${Math.round(Math.min(...aps))}–${Math.round(Math.max(...aps))}`;
        const row = [sys.name, writers, batch, res.aps, spread, res.eps, res.p50, res.p99];
        rows.push(row);
        log(row.join('  '));
      }
    }
  }
  for (const s of systems) await s.close();
  const cpusAfter = cpuLoopMs();
  log(`after the runs: ${describeCpus(cpusAfter)}`);

  process.stdout.write(
    `\n${table(['system', 'writers', 'events/append', 'appends/s', 'range', 'events/s', 'p50 ms', 'p99 ms'], rows)}\n\n`,
  );
  const at = (sys: string, w: number, b: number) => results.get(`${sys}|${w}|${b}`);
  const w16 = WRITERS.includes(16) ? 16 : WRITERS[WRITERS.length - 1]!;
  const o1 = at('PostgresEventStore', w16, 1)!;
  const e1 = at('Emmett appendToStream', w16, 1)!;
  const r1 = at('raw INSERT (pg)', w16, 1)!;
  const t1 = at('PostgresEventStore + Merkle tree', w16, 1)!;
  const t10 = at('PostgresEventStore + Merkle tree', w16, 10)!;
  const o10 = at('PostgresEventStore', w16, 10)!;
  const e10 = at('Emmett appendToStream', w16, 10)!;
  const r10 = at('raw INSERT (pg)', w16, 10)!;
  const round = (n: number, d = 2) => Number(n.toFixed(d));
  process.stdout.write(
    `${JSON.stringify({
      bench: 'append',
      writers: w16,
      appends_per_s: round(o1.aps, 0),
      p50_ms: round(o1.p50),
      p99_ms: round(o1.p99),
      vs_emmett: round(o1.aps / e1.aps),
      vs_raw_insert: round(o1.aps / r1.aps),
      emmett_appends_per_s: round(e1.aps, 0),
      raw_insert_appends_per_s: round(r1.aps, 0),
      batch10_appends_per_s: round(o10.aps, 0),
      batch10_vs_emmett: round(o10.aps / e10.aps),
      batch10_vs_raw_insert: round(o10.aps / r10.aps),
      with_tree_appends_per_s: round(t1.aps, 0),
      with_tree_vs_without: round(t1.aps / o1.aps),
      with_tree_batch10_vs_without: round(t10.aps / o10.aps),
      seconds: SECONDS,
      repeats: REPEATS,
      cpu_loop_ms: { before: cpusBefore, after: cpusAfter },
    })}\n`,
  );
} finally {
  await server.stop();
}
