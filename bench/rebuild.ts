/**
 * `npm run bench:rebuild` (BENCH_EVENTS=100000 for a smaller run; BENCH_EMMETT_EVENTS caps the
 * Emmett leg, default min(events, 200000), its rate is compared per event; BENCH_DIR picks the
 * cluster folder; BENCH_CPU_PROF=<dir> writes a CPU profile of each child there).
 *
 * 1. starts a fresh embedded PostgreSQL in .data/bench, generates BENCH_EVENTS realistic events
 *    straight into es.events (multi-row inserts; not measured);
 * 2. rebuilds every read model (`rebuild()`, the code behind `npm run projections:rebuild`) in a
 *    child process that samples process.memoryUsage().rss: events/s and peak RSS;
 * 3. the floor: COPY of the same final rows (every read table, same indexes) from files;
 * 4. Emmett (@event-driven-io/emmett-postgresql) rebuilding equivalent tables from the same
 *    events, in a child process too;
 * 5. GET /reports/progress?asOf= p50/p99 on the rebuilt data (app.inject, 300 random dates);
 * BENCH_AB=1: after 2., a rebuild without phase 2's read models and one more with them, on the
 *    same data: what they cost per event.
 * 6. GET /reports/regions/{code}?asOf=&geography= p50/p99 on the same data (app.inject, 300
 *    requests over every Region code of the data, dates 2014-2026, both geographies).
 * BENCH_NFI_SHARE / BENCH_POLES_SHARE (default 0.02 each): the share of La Nouvelle France
 *    industrielle's and of the pôles de compétitivité's events in the log (the rest is Territoires
 *    d'industrie's); BENCH_NFI_DELTA=1 / BENCH_POLES_DELTA=1: one more rebuild without their
 *    projections, for their cost per event of theirs.
 * Last line: one JSON object with the figures.
 */
import { reportingApp } from './lib/reporting-app.ts';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { createDb, createPool } from '../src/db/database.ts';
import { startEmbedded, stopEmbeddedAt } from '../src/db/embedded.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { buildRegistry } from '../src/domain/index.ts';
import { PostgresEventStore } from '../src/eventstore/postgres.ts';
import { allProjections } from '../src/projections/index.ts';
import { READ_TABLES, rebuild } from '../src/projections/rebuild.ts';
import { prepareEmmett, runEmmettRebuild } from './emmett.ts';
import { generate, generateNfi, generatePoles, insertEvents } from './events.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
/** Share of the events that are La Nouvelle France industrielle's (its Usine du futur firms grow with it). */
const NFI_SHARE = Number(process.env.BENCH_NFI_SHARE ?? 0.02);
/** BENCH_NFI_DELTA=1: a second rebuild without the NFI projections, for their cost per event. */
const NFI_DELTA = process.env.BENCH_NFI_DELTA === '1';
/** Share of the events that are the pôles de compétitivité's (its FUI projects grow with it). */
const POLES_SHARE = Number(process.env.BENCH_POLES_SHARE ?? 0.02);
/** BENCH_POLES_DELTA=1: a rebuild without the pôles' projections, for their cost per pôles event. */
const POLES_DELTA = process.env.BENCH_POLES_DELTA === '1';
const POLES_MODELS = new Set(['poles', 'pole_contracts', 'fui']);
const EMMETT_EVENTS = Number(process.env.BENCH_EMMETT_EVENTS ?? Math.min(EVENTS, 200_000));
const DIR = resolve(process.env.BENCH_DIR ?? '.data/bench');
const SECRET = 'bench-secret-0123456789abcdef';
const err = (s: string) => process.stderr.write(s);
/** BENCH_AB=1: also rebuild without these read models (phase 2's), on the same data, to cost them. */
const PHASE2_MODELS = new Set(['applications']);
const AB = process.env.BENCH_AB === '1';

interface ChildResult {
  events: number;
  ms: number;
  peakRssMb: number;
}

/** Runs `fn` while sampling RSS every 20 ms; prints a JSON line for the parent. */
async function childMode(kind: string, url: string) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const pool = createPool(url, 6);
  const db = createDb(pool);
  const registry = buildRegistry();
  const started = performance.now();
  let events: number;
  try {
    if (
      kind === 'rebuild' ||
      kind === 'rebuild-without-phase2' ||
      kind === 'rebuild-without-nfi' ||
      kind === 'rebuild-without-poles'
    ) {
      const store = new PostgresEventStore(pool);
      let last = 0;
      // the A/B legs: the read models without phase 2's (issue 16) or without the NFI's (issue 17)
      const projections =
        kind === 'rebuild-without-poles'
          ? allProjections.filter((p) => !POLES_MODELS.has(p.name))
          : kind === 'rebuild-without-nfi'
            ? allProjections.filter((p) => !p.name.startsWith('nfi_'))
            : kind === 'rebuild-without-phase2'
              ? allProjections.filter((p) => !PHASE2_MODELS.has(p.name))
              : allProjections;
      const r = await rebuild(
        { db, pool, store, registry, projections },
        {
          fresh: true,
          onProgress: (p) => {
            if (Date.now() - last < 1000) return;
            last = Date.now();
            const rate = p.applied / (p.elapsedMs / 1000);
            err(
              `\r  rebuild ${p.applied}/${p.total} ${Math.round(rate)} ev/s ETA ${((p.total - p.applied) / rate).toFixed(0)}s rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB  `,
            );
          },
        },
      );
      events = r.events;
      err('\n');
    } else {
      await runEmmettRebuild(url, registry);
      const r = await pool.query<{ n: string }>('select count(*) as n from emmett_bench.audit_log');
      events = Number(r.rows[0]?.n ?? 0);
    }
  } finally {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    await db.destroy();
  }
  const result: ChildResult = { events, ms: performance.now() - started, peakRssMb: peak / 2 ** 20 };
  process.stdout.write(JSON.stringify(result) + '\n');
}

function runChild(kind: string, url: string): Promise<ChildResult> {
  return new Promise((res, rej) => {
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of each child (node --cpu-prof)
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const child = spawn(process.execPath, [...prof, '--import', 'tsx', 'bench/rebuild.ts', '--child', kind, url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return rej(new Error(`${kind} child exited ${code}: ${out}`));
      try {
        res(JSON.parse(line) as ChildResult);
      } catch {
        rej(new Error(`${kind} child said: ${out}`));
      }
    });
  });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

async function main() {
  await stopEmbeddedAt(DIR);
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const server = await startEmbedded({
    dataDir: DIR,
    database: 'bench',
    settings: { synchronous_commit: 'off', shared_buffers: '256MB', max_wal_size: '4GB', work_mem: '16MB' },
  });
  // no statement timeout: the COPY floor's statements run for minutes on a loaded machine
  const pool = createPool(server.url, 4, { statementTimeoutMs: 0, queryTimeoutMs: 0 });
  const db = createDb(pool);
  try {
    await migrateToLatest(db);
    err(`generating ${EVENTS} events...\n`);
    const g0 = performance.now();
    const nfiEvents = Math.round(EVENTS * NFI_SHARE);
    const polesEvents = Math.min(Math.round(EVENTS * POLES_SHARE), EVENTS - nfiEvents);
    function* history() {
      // (a share of 1 leaves no Territoires d'industrie events)
      if (EVENTS - nfiEvents - polesEvents > 0) yield* generate(EVENTS - nfiEvents - polesEvents, 2026);
      // La Nouvelle France industrielle: its fixed part (about 640 events), then its firms
      if (nfiEvents > 0 || NFI_SHARE > 0) yield* generateNfi(Math.max(0, nfiEvents - 640));
      // the pôles: labels, evaluations and FUI calls (about 590 events), then contracts and FUI projects
      if (polesEvents > 0) yield* generatePoles(polesEvents);
    }
    const n = await insertEvents(pool, history(), {
      onChunk: (k) => {
        if (k % 50_000 < 5000) err(`\r  ${k} events written`);
      },
    });
    await pool.query('vacuum analyze es.events');
    err(`\n  ${n} events in ${((performance.now() - g0) / 1000).toFixed(1)} s (not measured)\n`);

    // 2. our rebuild
    err('rebuild (read_next, then swap)...\n');
    const ours = await runChild('rebuild', server.url);
    const oursRate = ours.events / (ours.ms / 1000);
    err(
      `  ${ours.events} events in ${(ours.ms / 1000).toFixed(1)} s: ${Math.round(oursRate)} ev/s, peak RSS ${ours.peakRssMb.toFixed(0)} MB\n`,
    );
    let ab: { without_phase2_events_per_s: number; phase2_cost_us_per_event: number } | undefined;
    if (AB) {
      err('rebuild without the phase-2 read models (A/B, same data)...\n');
      const without = await runChild('rebuild-without-phase2', server.url);
      const again = await runChild('rebuild', server.url);
      const withMs = (ours.ms + again.ms) / 2;
      const costUs = ((withMs - without.ms) * 1000) / ours.events;
      err(
        `  without: ${Math.round(without.events / (without.ms / 1000))} ev/s; with (2nd run): ${Math.round(again.events / (again.ms / 1000))} ev/s; phase-2 read models: ${costUs.toFixed(2)} µs/event (mean of the two runs with them)\n`,
      );
      ab = {
        without_phase2_events_per_s: Math.round(without.events / (without.ms / 1000)),
        phase2_cost_us_per_event: Number(costUs.toFixed(2)),
      };
    }
    await pool.query('analyze');
    const nfiCount = Number(
      (
        await pool.query<{ n: string }>(
          `select count(*) as n from es.events where stream_name like 'plans-%' or stream_name like 'priorities-%'`,
        )
      ).rows[0]!.n,
    );
    let nfiCost: { without_nfi_s: number; nfi_events: number; nfi_us_per_event: number } | undefined;
    if (NFI_DELTA) {
      // the same rebuild without the NFI projections: what they add, per NFI event
      err('rebuild without the NFI projections (BENCH_NFI_DELTA=1)...\n');
      const without = await runChild('rebuild-without-nfi', server.url);
      nfiCost = {
        without_nfi_s: Number((without.ms / 1000).toFixed(2)),
        nfi_events: nfiCount,
        nfi_us_per_event: Number((((ours.ms - without.ms) * 1000) / Math.max(1, nfiCount)).toFixed(1)),
      };
      err(
        `  without NFI: ${(without.ms / 1000).toFixed(1)} s; NFI: ${nfiCount} events, ${nfiCost.nfi_us_per_event} µs per NFI event\n`,
      );
      // the swap left read models without the NFI's: rebuild them all again for the report leg
      await runChild('rebuild', server.url);
    }
    const polesCount = Number(
      (
        await pool.query<{ n: string }>(
          `select count(*) as n from es.events where stream_name like 'pole-%' or stream_name like 'polecontract-%'
             or stream_name like 'fuicall-%' or stream_name like 'fuiproject-%'`,
        )
      ).rows[0]!.n,
    );
    const polesRows = Number(
      (
        await pool.query<{ n: string }>(
          `select (select count(*) from read.poles) + (select count(*) from read.pole_contracts)
             + (select count(*) from read.fui_projects) as n`,
        )
      ).rows[0]!.n,
    );
    err(`  pôles: ${polesCount} events; read.poles + read.pole_contracts + read.fui_projects: ${polesRows} rows\n`);
    let polesCost: { without_poles_s: number; poles_us_per_event: number } | undefined;
    if (POLES_DELTA) {
      // the same rebuild without the pôles' projections: what they add, per pôles event
      err('rebuild without the pôles projections (BENCH_POLES_DELTA=1)...\n');
      const without = await runChild('rebuild-without-poles', server.url);
      polesCost = {
        without_poles_s: Number((without.ms / 1000).toFixed(2)),
        poles_us_per_event: Number((((ours.ms - without.ms) * 1000) / Math.max(1, polesCount)).toFixed(1)),
      };
      err(
        `  without the pôles: ${(without.ms / 1000).toFixed(1)} s; pôles: ${polesCount} events, ${polesCost.poles_us_per_event} µs per pôles event\n`,
      );
      // the swap left read models without the pôles': rebuild them all again for the report leg
      await runChild('rebuild', server.url);
    }

    // 3. the floor: COPY of the same final rows into the same tables (same indexes)
    err('COPY floor...\n');
    // written and read by the server process (another OS user): a world-writable temp folder
    const files = mkdtempSync(join(tmpdir(), 'ti-bench-copy-'));
    chmodSync(files, 0o777);
    await pool.query('drop schema if exists copy_floor cascade; create schema copy_floor');
    let rows = 0;
    for (const t of Object.keys(READ_TABLES)) {
      await pool.query(`create table copy_floor.${t} (like read.${t} including all)`);
      const r = await pool.query(`copy read.${t} to '${files}/${t}.bin' with (format binary)`);
      rows += r.rowCount ?? 0;
    }
    const c0 = performance.now();
    for (const t of Object.keys(READ_TABLES))
      await pool.query(`copy copy_floor.${t} from '${files}/${t}.bin' with (format binary)`);
    const copyMs = performance.now() - c0;
    const copyRate = n / (copyMs / 1000);
    err(`  ${rows} rows in ${(copyMs / 1000).toFixed(1)} s: ${Math.round(copyRate)} events-equivalent/s\n`);
    await pool.query('drop schema copy_floor cascade');
    rmSync(files, { recursive: true, force: true });

    // 4. Emmett
    const emmettN = await prepareEmmett(server.url, pool, EMMETT_EVENTS);
    err(`Emmett rebuild of ${emmettN} events...\n`);
    const emmett = await runChild('emmett', server.url);
    const emmettRate = emmett.events / (emmett.ms / 1000);
    err(
      `  ${emmett.events} events in ${(emmett.ms / 1000).toFixed(1)} s: ${Math.round(emmettRate)} ev/s, peak RSS ${emmett.peakRssMb.toFixed(0)} MB\n`,
    );
    await pool.query('drop schema emmett_bench cascade; delete from emt_messages');

    // 5. as-of report latency on the rebuilt data
    const { system, app, token } = await reportingApp(server.url, SECRET);
    const dates = Array.from({ length: 330 }, (_, i) =>
      new Date(Date.UTC(2018, 10, 22) + ((i * 7919) % 2600) * 86_400_000).toISOString().slice(0, 10),
    );
    const times: number[] = [];
    let sample: unknown;
    for (const [i, d] of dates.entries()) {
      const t0 = performance.now();
      const res = await app.inject({
        url: `/reports/progress?asOf=${d}`,
        headers: { authorization: `Bearer ${token}` },
      });
      const ms = performance.now() - t0;
      if (res.statusCode !== 200) throw new Error(`report answered ${res.statusCode}: ${res.body}`);
      if (i >= 30) times.push(ms); // warm-up
      if (d === '2019-11-19' || i === dates.length - 1) sample = res.json();
    }
    // 6. the cross-programme Region report on the same data
    const codes = (
      await sql<{ region_code: string }>`select distinct region_code from read.territories`.execute(db)
    ).rows
      .map((r) => r.region_code)
      .concat(['41', '42', '21']) // pre-2016 codes: their report regroups Grand Est
      .sort();
    const regionTimes: number[] = [];
    for (let i = 0; i < 330; i++) {
      const code = codes[(i * 7) % codes.length]!;
      const d = new Date(Date.UTC(2014, 0, 1) + ((i * 7919) % 4700) * 86_400_000).toISOString().slice(0, 10);
      const geography = i % 2 === 0 ? 'asof' : 'current';
      const t0 = performance.now();
      const res = await app.inject({
        url: `/reports/regions/${code}?asOf=${d}&geography=${geography}`,
        headers: { authorization: `Bearer ${token}` },
      });
      const ms = performance.now() - t0;
      if (res.statusCode !== 200) throw new Error(`region report answered ${res.statusCode}: ${res.body}`);
      if (i >= 30) regionTimes.push(ms); // warm-up
    }
    await app.close();
    await system.close();
    const p50 = pct(times, 50);
    const p99 = pct(times, 99);
    err(`GET /reports/progress?asOf=: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (${times.length} requests)\n`);
    const r50 = pct(regionTimes, 50);
    const r99 = pct(regionTimes, 99);
    err(
      `GET /reports/regions/{code}?asOf=&geography=: p50 ${r50.toFixed(1)} ms, p99 ${r99.toFixed(1)} ms (${regionTimes.length} requests)\n`,
    );
    const check = await sql<{ n: string }>`select count(*) as n from read.audit_log`.execute(db);
    err(`sample report: ${JSON.stringify(sample).slice(0, 300)}...\n`);

    const result = {
      bench: 'rebuild',
      events: n,
      events_per_s: Math.round(oursRate),
      rebuild_s: Number((ours.ms / 1000).toFixed(2)),
      emmett_events: emmett.events,
      emmett_events_per_s: Math.round(emmettRate),
      vs_emmett: Number((oursRate / emmettRate).toFixed(2)),
      copy_rows: rows,
      copy_events_per_s: Math.round(copyRate),
      vs_copy: Number((oursRate / copyRate).toFixed(2)),
      peak_rss_mb: Math.round(ours.peakRssMb),
      nfi_events: nfiCount,
      ...(nfiCost ?? {}),
      poles_events: polesCount,
      poles_read_rows: polesRows,
      ...(polesCost ?? {}),
      emmett_peak_rss_mb: Math.round(emmett.peakRssMb),
      asof_p50_ms: Number(p50.toFixed(2)),
      asof_p99_ms: Number(p99.toFixed(2)),
      region_p50_ms: Number(r50.toFixed(2)),
      region_p99_ms: Number(r99.toFixed(2)),
      audit_rows: Number(check.rows[0]?.n ?? 0),
      ...(ab ?? {}),
    };
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await db.destroy();
    await server.stop();
  }
}

const i = process.argv.indexOf('--child');
if (i >= 0) await childMode(process.argv[i + 1]!, process.argv[i + 2]!);
else await main();
