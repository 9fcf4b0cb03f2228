/**
 * `npm run bench:region` — the cross-programme Region report's latency on the bench data.
 *
 * Reuses the cluster of BENCH_DIR (default .data/bench, the one `npm run bench:rebuild` leaves:
 * 1M generated events with their read models) when it holds events; otherwise generates
 * BENCH_EVENTS events (default 1,000,000) and rebuilds the read models first (not measured).
 * Then BENCH_ROUNDS rounds (default 2) of 330 requests each (30 of warm-up), through app.inject:
 * `GET /reports/regions/{code}?asOf=&geography=` over every Region code of the data and the
 * pre-2016 codes, dates 2014-2026, both geographies; and, in the same round, the peer
 * `GET /reports/progress?asOf=` on the same dates. Prints p50/p99 of each, their ratio and the
 * spread between rounds; last line: one JSON object.
 */
import { reportingApp } from './lib/reporting-app.ts';
import { resolve } from 'node:path';
import { sql } from 'kysely';
import { createDb, createPool } from '../src/db/database.ts';
import { startEmbedded } from '../src/db/embedded.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { buildRegistry } from '../src/domain/index.ts';
import { PostgresEventStore } from '../src/eventstore/postgres.ts';
import { allProjections } from '../src/projections/index.ts';
import { rebuild } from '../src/projections/rebuild.ts';
import { generate, insertEvents } from './events.ts';
import { percentile } from './lib/stats.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const DIR = resolve(process.env.BENCH_DIR ?? '.data/bench');
const SECRET = 'bench-secret-0123456789abcdef';
const err = (s: string) => process.stderr.write(s);
const pct = (xs: number[], p: number) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    p,
  );

const server = await startEmbedded({
  dataDir: DIR,
  database: 'bench',
  settings: { synchronous_commit: 'off', shared_buffers: '256MB', max_wal_size: '4GB', work_mem: '16MB' },
});
const pool = createPool(server.url, 4, { statementTimeoutMs: 0, queryTimeoutMs: 0 });
const db = createDb(pool);
try {
  await migrateToLatest(db);
  let n = Number((await pool.query<{ n: string }>('select count(*) as n from es.events')).rows[0]!.n);
  if (n === 0) {
    err(`no events in ${DIR}: generating ${EVENTS} and rebuilding the read models (not measured)...\n`);
    n = await insertEvents(pool, generate(EVENTS, 2026));
    await pool.query('vacuum analyze es.events');
    await rebuild(
      { db, pool, store: new PostgresEventStore(pool), registry: buildRegistry(), projections: allProjections },
      { fresh: true },
    );
    await pool.query('analyze');
  }
  const territories = Number(
    (await pool.query<{ n: string }>('select count(*) as n from read.territories')).rows[0]!.n,
  );
  const fundings = Number(
    (await pool.query<{ n: string }>('select count(*) as n from read.project_fundings')).rows[0]!.n,
  );
  err(`${n} events in the log; read model: ${territories} territory versions, ${fundings} fundings\n`);

  const { system, app, token } = await reportingApp(server.url, SECRET);
  const codes = (await sql<{ region_code: string }>`select distinct region_code from read.territories`.execute(db)).rows
    .map((r) => r.region_code)
    .concat(['41', '42', '21'])
    .sort();
  const get = async (url: string) => {
    const t0 = performance.now();
    const res = await app.inject({ url, headers: { authorization: `Bearer ${token}` } });
    const ms = performance.now() - t0;
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}: ${res.body}`);
    return ms;
  };
  const rounds: { region: { p50: number; p99: number }; progress: { p50: number; p99: number } }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const region: number[] = [];
    const progress: number[] = [];
    for (let i = 0; i < 330; i++) {
      const code = codes[(i * 7 + round) % codes.length]!;
      const d = new Date(Date.UTC(2014, 0, 1) + ((i * 7919 + round * 31) % 4700) * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const r = await get(`/reports/regions/${code}?asOf=${d}&geography=${i % 2 === 0 ? 'asof' : 'current'}`);
      const p = await get(`/reports/progress?asOf=${d < '2018-11-22' ? '2018-11-22' : d}`);
      if (i >= 30) {
        region.push(r);
        progress.push(p);
      }
    }
    const r = { p50: pct(region, 50), p99: pct(region, 99) };
    const p = { p50: pct(progress, 50), p99: pct(progress, 99) };
    rounds.push({ region: r, progress: p });
    err(
      `round ${round + 1}: GET /reports/regions/{code} p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms; ` +
        `peer GET /reports/progress p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms; ` +
        `region/progress p99 ${(r.p99 / p.p99).toFixed(2)}x (300 requests each)\n`,
    );
  }
  await app.close();
  await system.close();
  const p99s = rounds.map((r) => r.region.p99);
  const spread = (Math.max(...p99s) - Math.min(...p99s)) / Math.min(...p99s);
  err(
    `region report p99 over ${ROUNDS} rounds: ${p99s.map((x) => x.toFixed(1)).join(', ')} ms (spread ${(spread * 100).toFixed(0)}%)\n`,
  );
  process.stdout.write(
    JSON.stringify({
      bench: 'region-report',
      events: n,
      rounds: rounds.map((r) => ({
        region_p50_ms: Number(r.region.p50.toFixed(2)),
        region_p99_ms: Number(r.region.p99.toFixed(2)),
        progress_p50_ms: Number(r.progress.p50.toFixed(2)),
        progress_p99_ms: Number(r.progress.p99.toFixed(2)),
      })),
      region_p99_spread: Number(spread.toFixed(3)),
      load_average: (await import('node:os')).loadavg().map((x) => Number(x.toFixed(2))),
    }) + '\n',
  );
} finally {
  await db.destroy();
  await server.stop();
}
