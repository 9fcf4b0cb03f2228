/**
 * `npm run bench:merkle`: the Merkle log at scale (docs/adr/0008-merkle-log.md). Writes
 * BENCH_EVENTS events (default 100,000; hash-chained, 10 per stream) straight into es.events of a
 * fresh durable embedded PostgreSQL, then measures
 *   - building the tree from the log (what the server's follower does, in 2,000-event batches),
 *   - taking a checkpoint (tree head, Ed25519 signature, store, witness file fsync'd),
 *   - the full verification against that checkpoint (every event read, its chain hash recomputed,
 *     the tree recomputed from them: `audit:verify -- --checkpoint`), with its hashing workers and
 *     inline, next to two peers of the same run: the time to read the rows alone, and to compute
 *     one SHA-256 per event alone,
 *   - proof sizes (inclusion and consistency, hashes and JSON) and the time to serve one.
 * The last line is one JSON object.
 */
import { hash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAgainstCheckpoint } from '../src/audit/anchor.ts';
import { defaultWorkers } from '../src/audit/hash-pool.ts';
import { loadSigningKey } from '../src/audit/signing.ts';
import { Checkpoints, MerkleLog } from '../src/audit/tree.ts';
import { createDb, createPool } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { CanonicalEvent } from '../src/eventstore/hash.ts';
import { PostgresEventStore } from '../src/eventstore/postgres.ts';
import { durableCluster } from './lib/cluster.ts';
import { cpuLoopMs, describeCpus } from './lib/cpus.ts';

const N = Number(process.env.BENCH_EVENTS ?? 100_000);
const PER_STREAM = 10;
const log = (s: string) => process.stderr.write(`${s}\n`);
const ms = (t0: number) => Math.round(performance.now() - t0);

log(describeCpus(cpuLoopMs()));
const server = await durableCluster('bench-merkle');
const tmp = mkdtempSync(join(tmpdir(), 'bench-merkle-'));
try {
  const pool = createPool(server.url, 8);
  const db = createDb(pool);
  await migrateToLatest(db);
  const store = new PostgresEventStore(pool);

  let t0 = performance.now();
  const metadata = { actor: { sub: 'bench', name: 'Bench', roles: ['programme_admin'] }, occurredOn: '2019-11-19' };
  const recordedAt = new Date().toISOString();
  const BATCH = 5000;
  for (let start = 0; start < N; start += BATCH) {
    const cols = {
      s: [] as string[],
      r: [] as number[],
      id: [] as string[],
      d: [] as string[],
      m: [] as string[],
      dg: [] as string[],
      p: [] as string[],
      h: [] as string[],
    };
    let prev = '';
    for (let i = start; i < Math.min(N, start + BATCH); i++) {
      const stream = `territory-b${Math.floor(i / PER_STREAM)}`;
      const rev = i % PER_STREAM;
      if (rev === 0) prev = '';
      const c = new CanonicalEvent(
        {
          type: 'TerritoryRenamed',
          schemaVersion: 1,
          data: { territoryId: `T${i}`, name: `Territoire ${i}`, renamedOn: '2019-06-01' },
          metadata,
        },
        recordedAt,
      );
      const h = c.hash(stream, BigInt(rev), prev);
      cols.s.push(stream);
      cols.r.push(rev);
      cols.id.push(randomUUID());
      cols.d.push(c.data);
      cols.m.push(c.metadata);
      cols.dg.push(c.digest);
      cols.p.push(prev);
      cols.h.push(h);
      prev = h;
    }
    await pool.query(
      `insert into es.events (stream_name, revision, event_id, type, schema_version, data, metadata, content_digest,
         prev_hash, hash, recorded_at)
       select s, r, id, 'TerritoryRenamed', 1, d, m, dg, p, h, $9
         from unnest($1::text[], $2::bigint[], $3::uuid[], $4::jsonb[], $5::jsonb[], $6::text[], $7::text[], $8::text[])
           as u(s, r, id, d, m, dg, p, h)`,
      [cols.s, cols.r, cols.id, cols.d, cols.m, cols.dg, cols.p, cols.h, recordedAt],
    );
  }
  await pool.query(`insert into es.streams (stream_name, revision, last_hash)
    select distinct on (stream_name) stream_name, revision, hash from es.events order by stream_name, revision desc`);
  log(`${N.toLocaleString('en')} events written in ${ms(t0)} ms`);

  const tree = new MerkleLog({ store, pool });
  t0 = performance.now();
  await tree.catchUp();
  const buildMs = ms(t0);
  log(`tree built in ${buildMs} ms (${((buildMs * 1000) / N).toFixed(1)} µs per event)`);

  const key = loadSigningKey(join(tmp, 'key.pem'), { create: true });
  const checkpoints = new Checkpoints({ pool, tree, key, witnessDir: join(tmp, 'witness'), clock: () => new Date() });
  t0 = performance.now();
  const cp = await checkpoints.take();
  const checkpointMs = performance.now() - t0;
  log(`checkpoint of ${cp.logSize} taken in ${checkpointMs.toFixed(1)} ms`);

  // peers in the same run: the floor of reading the log (the verifier's columns, as text, keyset
  // batches of 5,000, nothing else done) and of hashing it (one SHA-256 per event of a text of the
  // events' canonical size, one thread), then the verification with its workers and inline
  const uptime = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  log(`load average before the verify runs: ${uptime()}`);
  t0 = performance.now();
  let read = 0;
  let sample = '';
  for (let after: string | undefined; ;) {
    const b = await store.readRawBatch(after, 5000);
    read += b.id.length;
    sample ||= `{"data":${b.data[0]},"metadata":${b.metadata[0]},"prevHash":"${b.prevHash[0]}","revision":0,"schemaVersion":1,"stream":"${b.stream[0]}","type":"${b.type[0]}"}`;
    if (b.id.length < 5000) break;
    after = `${b.txid[b.id.length - 1]}/${b.position[b.id.length - 1]}`;
  }
  const readMs = ms(t0);
  log(`peer: reading the ${read} rows (text, keyset batches of 5,000): ${readMs} ms`);
  t0 = performance.now();
  for (let i = 0; i < N; i++) hash('sha256', `${sample}${i}`, 'buffer');
  const shaMs = ms(t0);
  log(`peer: ${N} SHA-256 of ${sample.length}-byte texts, one thread: ${shaMs} ms`);

  const verify = async (workers?: number) => {
    const t = performance.now();
    const r = await verifyAgainstCheckpoint(
      { store, tree },
      cp,
      key.publicKey,
      workers === undefined ? {} : { workers },
    );
    if (!r.ok) throw new Error(`verification failed: ${JSON.stringify(r)}`);
    return { ms: ms(t), events: r.eventsChecked };
  };
  const inline = await verify(0);
  log(`full verification, inline (no worker): ${inline.ms} ms`);
  const v = await verify();
  const verifyMs = v.ms;
  log(
    `full verification of ${v.events} events against it (${defaultWorkers()} hashing workers): ${verifyMs} ms; ` +
      `${(verifyMs / readMs).toFixed(2)}x the read floor, ${(verifyMs / shaMs).toFixed(2)}x the SHA-256 floor, ` +
      `${(verifyMs / inline.ms).toFixed(2)}x inline; load average after: ${uptime()}`,
  );

  t0 = performance.now();
  const leaf = Math.floor(N / 3);
  const inclusion = await tree.inclusion(leaf, N);
  const inclusionMs = performance.now() - t0;
  t0 = performance.now();
  const consistency = await tree.consistency(Math.floor(N / 2) + 1, N);
  const consistencyMs = performance.now() - t0;
  const jsonBytes = (hashes: Buffer[]) => Buffer.byteLength(JSON.stringify(hashes.map((h) => h.toString('hex'))));
  log(
    `inclusion proof: ${inclusion.length} hashes (${inclusion.length * 32} bytes, ${jsonBytes(inclusion)} bytes of JSON hex), ${inclusionMs.toFixed(1)} ms; ` +
      `consistency proof: ${consistency.length} hashes (${consistency.length * 32} bytes), ${consistencyMs.toFixed(1)} ms`,
  );
  const nodes = await pool.query<{ n: string; bytes: string }>(
    `select count(*) n, pg_total_relation_size('es.merkle_nodes') + pg_total_relation_size('es.merkle_leaves') bytes from es.merkle_nodes`,
  );
  process.stdout.write(
    `${JSON.stringify({
      bench: 'merkle',
      events: N,
      tree_build_ms: buildMs,
      tree_build_us_per_event: Number(((buildMs * 1000) / N).toFixed(1)),
      checkpoint_ms: Number(checkpointMs.toFixed(1)),
      verify_ms: verifyMs,
      verify_us_per_event: Number(((verifyMs * 1000) / N).toFixed(1)),
      verify_workers: defaultWorkers(),
      verify_inline_ms: inline.ms,
      read_floor_ms: readMs,
      sha256_floor_ms: shaMs,
      verify_vs_read_floor: Number((verifyMs / readMs).toFixed(2)),
      verify_vs_sha256_floor: Number((verifyMs / shaMs).toFixed(2)),
      load_average: loadavg().map((l) => Number(l.toFixed(2))),
      inclusion_hashes: inclusion.length,
      inclusion_ms: Number(inclusionMs.toFixed(1)),
      consistency_hashes: consistency.length,
      consistency_ms: Number(consistencyMs.toFixed(1)),
      stored_nodes: Number(nodes.rows[0]!.n),
      tree_tables_bytes: Number(nodes.rows[0]!.bytes),
    })}\n`,
  );
  await db.destroy();
} finally {
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
}
