/**
 * `npm run bench:http`: authenticated `POST /projects` (body validated by zod, token verified,
 * territory read, project stream read, decide, append) through HTTP with autocannon, side by side
 * with the direct path: the same command handler (`registerProject` + `handleCommand`) called
 * in-process at the same concurrency, on the same durable embedded PostgreSQL (fsync on), the
 * same pool, the same territory.
 *
 * The server logs as in production (the server's logger at `info`), to /dev/null.
 *
 * For each concurrency (BENCH_CONNECTIONS, default "16,64"), both paths are first warmed up at that
 * concurrency (pool connections opened, JIT), then measured alternately, BENCH_SECONDS each
 * (default 5): direct, HTTP, direct, HTTP, ..., direct (BENCH_REPEATS HTTP runs, default 5, each
 * between two direct runs). The database grows during the run and gets slower: every HTTP run is
 * compared with the mean of the direct runs just before and just after it, so the drift cancels
 * instead of always counting against the path measured second.
 * http_overhead = 1 - http_commands_per_s / direct_commands_per_s (0.18: HTTP is 18% slower), the
 * median over the HTTP runs. The table shows medians.
 *
 * A reference row, measured in the same alternation: the same handler behind a bare Fastify route
 * (no token, no schemas, no hooks, no logging, no rate limit: the body parsed by the same zod
 * schema in the handler). Its overhead is what Node's HTTP server, Fastify and the load generator
 * cost on this machine before any of the app's own work; the app's row minus this one is the
 * price of authentication, validation, logging, rate limiting and the problem/ETag plumbing.
 * Each row also shows every HTTP run's overhead (the spread on a shared machine) and the CPU time
 * per command, medians over the runs: the whole machine busy (Linux /proc/stat), this process
 * (the server, or the caller of the direct path) and the load generator's process. On the 2-vCPU
 * machines this runs on, the load generator shares the server's cores; its CPU per command is what
 * a client on another machine would not take from the server.
 * A line then says whether each concurrency's median overhead is within the target of issue 4
 * (HTTP adds at most 25%), and the last line is one JSON object (figures at the first
 * concurrency, all of them under `runs`, each with `within_target`).
 */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { handleCommand } from '../src/application/commandHandler.ts';
import { parseConfig } from '../src/config.ts';
import { projectDecider } from '../src/domain/territoires-industrie/project/index.ts';
import { territoryDecider } from '../src/domain/territoires-industrie/territory/index.ts';
import { territoryStream } from '../src/eventstore/streams.ts';
import { buildApp } from '../src/http/app.ts';
import { createLogger } from '../src/http/logger.ts';
import { signToken, type Principal } from '../src/http/auth.ts';
import { RegisterProjectBody, registerProject } from '../src/http/routes/projects.ts';
import { createSystem } from '../src/system.ts';
import { durableCluster } from './lib/cluster.ts';
import { cpuLoopMs, describeCpus, machineBusyMicros } from './lib/cpus.ts';
import { startLoadGenerator } from './lib/loadgen.ts';
import { median, runFor, table } from './lib/stats.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Math.min(SECONDS, 2);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '16,64').split(',').map(Number);
const SECRET = 'bench-secret-0123456789abcdef';
const TERRITORY = 'B44';
/** The target of issue 4: HTTP adds at most 25% to the direct path (the median overhead). */
const TARGET = 0.25;

const log = (s: string) => process.stderr.write(`${s}\n`);

/** CPU time per command in µs (null where it cannot be measured). */
type Cpu = { machine: number | null; process: number; loadgen: number | null };
type Run = { opsPerSecond: number; p50ms: number; p99ms: number; cpu: Cpu };

async function main() {
  const cpusBefore = cpuLoopMs();
  log(describeCpus(cpusBefore));
  const cluster = await durableCluster('ti-bench-http');
  const config = parseConfig({
    DATABASE_URL: cluster.url,
    AUTH_JWT_SECRET: SECRET,
    SEED: 'none',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
    RATE_LIMIT_PER_MINUTE: '100000000',
  });
  const system = await createSystem(config, { poolSize: Math.max(...CONNECTIONS) + 10 });
  // the server's logger (src/server.ts) at the production level, writing to /dev/null
  const logger = createLogger('info', '/dev/null');
  const app = await buildApp(system, { logger });
  const bare = Fastify({ logger: false });
  const loadgen = startLoadGenerator();
  try {
    const principal: Principal = {
      sub: 'bench-lead',
      name: 'Bench lead',
      roles: ['territory_lead'],
      regions: [],
      territories: [TERRITORY],
      poles: [],
    };
    await handleCommand(
      system,
      territoryStream(TERRITORY),
      territoryDecider,
      {
        type: 'LabelTerritory',
        data: {
          territoryId: TERRITORY,
          programme: 'territoires-industrie-2018',
          name: 'Bench',
          regionCode: '44',
          epcis: [{ siren: '200068757', name: 'CC des Vosges Côté Sud-Ouest' }],
          labelledOn: '2018-11-22',
        },
        metadata: { actor: principal, today: new Date().toISOString().slice(0, 10) },
      },
      { actor: principal },
    );
    const token = await signToken(SECRET, principal);
    const command = async (body: unknown) => {
      const r = await registerProject(system, principal, RegisterProjectBody.parse(body), (stream, cmd) =>
        handleCommand(system, stream, projectDecider, cmd, { actor: principal }).then((r) => ({
          body: { revision: Number(r.nextRevision), position: r.position?.toString() ?? null },
          nextRevision: r.nextRevision,
        })),
      );
      return { id: r.id, ...r.body };
    };
    // the reference: the same handler behind a bare Fastify route
    bare.post('/projects', async (req, reply) => reply.code(201).send(await command(req.body)));
    const body = {
      territoryId: TERRITORY,
      title: 'Plateforme VTE',
      axis: 'skills',
      budgetEur: 250000.5,
      registeredOn: '2019-05-01',
    };
    const json = JSON.stringify(body);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const barePort = (bare.server.address() as AddressInfo).port;

    // CPU per command: the whole machine, this process (the server, or the caller of the direct
    // path), and the load generator's process
    const cpuFrom = () => ({ machine: machineBusyMicros(), process: process.cpuUsage() });
    const cpuPer = (from: ReturnType<typeof cpuFrom>, commands: number, loadgenMicros: number | null): Cpu => {
      const p = process.cpuUsage(from.process);
      const m = machineBusyMicros();
      return {
        machine: m === null || from.machine === null ? null : (m - from.machine) / commands,
        process: (p.user + p.system) / commands,
        loadgen: loadgenMicros === null ? null : loadgenMicros / commands,
      };
    };

    const direct = async (connections: number, seconds = SECONDS): Promise<Run> => {
      const from = cpuFrom();
      const r = await runFor(seconds, connections, async () => {
        // the same validation of the body as the route, then the same handler
        await command(JSON.parse(json));
      });
      return { ...r, cpu: cpuPer(from, r.ops, null) };
    };

    const http = async (connections: number, seconds = SECONDS, to = port): Promise<Run> => {
      // autocannon in its own long-lived process (bench/lib/loadgen.ts): warm from the warm-up on
      const from = cpuFrom();
      const r = await loadgen.run({
        url: `http://127.0.0.1:${to}/projects`,
        method: 'POST',
        connections,
        duration: seconds,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: json,
      });
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`HTTP run: ${r.non2xx} non-2xx, ${r.errors} errors`);
      return { opsPerSecond: r.ok / r.duration, p50ms: r.p50ms, p99ms: r.p99ms, cpu: cpuPer(from, r.ok, r.cpuMicros) };
    };

    const rows: (string | number)[][] = [];
    const runs: Record<string, unknown>[] = [];
    const verdicts: string[] = [];
    for (const c of CONNECTIONS) {
      // warm-up at this concurrency, every path (JIT, pool connections, plan cache)
      await direct(c, WARMUP_SECONDS);
      await http(c, WARMUP_SECONDS);
      await http(c, WARMUP_SECONDS, barePort);
      const d: Run[] = [await direct(c)];
      const h: { run: Run; before: Run; after: Run }[] = [];
      const b: typeof h = [];
      for (let i = 0; i < REPEATS; i++) {
        for (const [out, to] of [
          [h, port],
          [b, barePort],
        ] as const) {
          const run = await http(c, SECONDS, to);
          d.push(await direct(c));
          out.push({ run, before: d.at(-2)!, after: d.at(-1)! });
        }
        log(
          `  ${c} connections, run ${i + 1}: direct ${d.at(-3)!.opsPerSecond.toFixed(0)}/s, http ${h.at(-1)!.run.opsPerSecond.toFixed(0)}/s, direct ${d.at(-2)!.opsPerSecond.toFixed(0)}/s, bare Fastify ${b.at(-1)!.run.opsPerSecond.toFixed(0)}/s, direct ${d.at(-1)!.opsPerSecond.toFixed(0)}/s`,
        );
      }
      const medians = (xs: Run[]) => ({
        cps: median(xs.map((x) => x.opsPerSecond)),
        p50: median(xs.map((x) => x.p50ms)),
        p99: median(xs.map((x) => x.p99ms)),
        cpu: {
          machine: medianOrNull(xs.map((x) => x.cpu.machine)),
          process: median(xs.map((x) => x.cpu.process)),
          loadgen: medianOrNull(xs.map((x) => x.cpu.loadgen)),
        },
      });
      // each HTTP run against the direct runs on either side of it: the drift of the database and
      // of a shared machine cancels
      const overheadsOf = (xs: typeof h) =>
        xs.map((x) => 1 - x.run.opsPerSecond / ((x.before.opsPerSecond + x.after.opsPerSecond) / 2));
      const dm = medians(d);
      const hm = medians(h.map((x) => x.run));
      const bm = medians(b.map((x) => x.run));
      const overheads = overheadsOf(h);
      const bareOverheads = overheadsOf(b);
      const overhead = median(overheads);
      const bareOverhead = median(bareOverheads);
      const cpuCells = (m: ReturnType<typeof medians>) => [us(m.cpu.machine), us(m.cpu.process), us(m.cpu.loadgen)];
      rows.push(
        [c, 'direct', dm.cps, dm.p50, dm.p99, '', '', ...cpuCells(dm)],
        [c, 'http', hm.cps, hm.p50, hm.p99, pct(overhead), pcts(overheads), ...cpuCells(hm)],
        [
          c,
          'bare Fastify (reference)',
          bm.cps,
          bm.p50,
          bm.p99,
          pct(bareOverhead),
          pcts(bareOverheads),
          ...cpuCells(bm),
        ],
      );
      verdicts.push(`${c} connections ${pct(overhead)} (${overhead <= TARGET ? 'within' : 'above'})`);
      runs.push({
        connections: c,
        commands_per_s: Math.round(hm.cps),
        p50_ms: round(hm.p50),
        p99_ms: round(hm.p99),
        direct_commands_per_s: Math.round(dm.cps),
        direct_p50_ms: round(dm.p50),
        direct_p99_ms: round(dm.p99),
        http_overhead: round(overhead, 3),
        http_overhead_runs: overheads.map((o) => round(o, 3)),
        within_target: overhead <= TARGET,
        bare_fastify_commands_per_s: Math.round(bm.cps),
        bare_fastify_overhead: round(bareOverhead, 3),
        bare_fastify_overhead_runs: bareOverheads.map((o) => round(o, 3)),
        cpu_us_per_command: { direct: roundCpu(dm.cpu), http: roundCpu(hm.cpu), bare_fastify: roundCpu(bm.cpu) },
      });
    }
    log('');
    log(
      `POST /projects, ${SECONDS}s x ${REPEATS} runs per HTTP path, each between two direct runs (medians), durable PostgreSQL (fsync on)`,
    );
    log(
      table(
        [
          'connections',
          'path',
          'commands/s',
          'p50 ms',
          'p99 ms',
          'overhead',
          'each run',
          'CPU µs/cmd: machine',
          'this process',
          'load generator',
        ],
        rows,
      ),
    );
    log(`HTTP overhead (median) against the target of at most ${pct(TARGET)}: ${verdicts.join(', ')}`);
    const cpusAfter = cpuLoopMs();
    log(`after the runs: ${describeCpus(cpusAfter)}`);
    const first = runs[0]!;
    process.stdout.write(
      JSON.stringify({
        bench: 'http',
        connections: first.connections,
        commands_per_s: first.commands_per_s,
        p50_ms: first.p50_ms,
        p99_ms: first.p99_ms,
        http_overhead: first.http_overhead,
        target_overhead: TARGET,
        bare_fastify_overhead: first.bare_fastify_overhead,
        direct_commands_per_s: first.direct_commands_per_s,
        seconds: SECONDS,
        repeats: REPEATS,
        cpu_loop_ms: { before: cpusBefore, after: cpusAfter },
        runs,
      }) + '\n',
    );
  } finally {
    await loadgen.close();
    await app.close();
    await bare.close();
    logger.flush();
    await system.close();
    await cluster.stop();
  }
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const medianOrNull = (xs: (number | null)[]) => (xs.some((x) => x === null) ? null : median(xs as number[]));
const us = (n: number | null) => (n === null ? '-' : Math.round(n));
const pct = (o: number) => `${(o * 100).toFixed(1)}%`;
const pcts = (os: number[]) => os.map((o) => (o * 100).toFixed(0)).join(' ');
const roundCpu = (c: Cpu) => ({
  machine: c.machine === null ? null : Math.round(c.machine),
  process: Math.round(c.process),
  loadgen: c.loadgen === null ? null : Math.round(c.loadgen),
});

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
