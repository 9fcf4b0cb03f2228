/**
 * The fault suite (issue 21): N clients drive the real server process (spawned as `npm start`
 * does, on a fresh DATA_DIR, loopback only) with the command API, each request with an
 * Idempotency-Key, retrying failed or unanswered requests with the same key and body; every
 * answer is logged. Then a checker proves from the log and the database: every acknowledged
 * command's events are there, no key wrote two sets of events, no revision gap, chains intact,
 * read models equal a clean rebuild, the service ready again.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statfsSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDb } from '../../src/db/database.ts';
import { freePort, readPostmasterPid, startEmbedded, EMBEDDED_DATABASE, type PgServer } from '../../src/db/embedded.ts';
import { buildRegistry } from '../../src/domain/index.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres.ts';
import { verifyChains } from '../../src/eventstore/verify.ts';
import { signToken } from '../../src/http/auth.ts';
import { allProjections } from '../../src/projections/index.ts';
import { checksums, rebuild } from '../../src/projections/rebuild.ts';
import { SHADOW_SCHEMA } from '../../src/projections/schema.ts';

const SECRET = 'faults-secret-0123456789abcdef';
const ROOT = join(import.meta.dirname, '..', '..');

export interface Verdict {
  scenario: string;
  requests: number;
  acknowledged: number;
  lost: number;
  duplicated: number;
  inDoubt: number;
  revisionGaps: number;
  chains: 'intact' | 'broken';
  readModelsEqualRebuild: boolean;
  ready: boolean;
  recoverSeconds: number | null;
  notes: string[];
  ok: boolean;
}

interface App {
  child: ChildProcess;
  port: number;
  url: string;
  errors: string[];
}

function startApp(env: Record<string, string>, port: number): App {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      SEED: 'none',
      AUTH_JWT_SECRET: SECRET,
      RATE_LIMIT_PER_MINUTE: '1000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // the app's warnings and errors, for the report (a bounded tail)
  const app: App = { child, port, url: `http://127.0.0.1:${port}`, errors: [] };
  child.stderr?.on('data', (c: Buffer) => {
    app.errors.push(c.toString().slice(0, 500));
    if (app.errors.length > 50) app.errors.shift();
  });
  child.stdout?.resume();
  return app;
}

async function waitReady(url: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) });
      await r.arrayBuffer();
      if (r.status === 200) return true;
    } catch {
      /* not up yet */
    }
    await sleep(200);
  }
  return false;
}

async function waitCaughtUp(url: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) });
      const b = (await r.json()) as { ready: boolean; projections: { caughtUp: boolean } };
      if (b.ready && b.projections.caughtUp) return true;
    } catch {
      /* not up yet */
    }
    await sleep(200);
  }
  return false;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stopApp(app: App, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  const exited = new Promise((r) => app.child.once('exit', r));
  app.child.kill(signal);
  await Promise.race([exited, sleep(30_000)]);
}

interface LogEntry {
  key: string;
  path: string;
  status: number | null;
  attempts: number;
}

/** The load: each client runs the programme's workflow over and over, retrying like a careful client. */
class Load {
  readonly log: LogEntry[] = [];
  requests = 0;
  stopped = false;
  lastAckAt = 0;
  readonly acks: number[] = [];
  constructor(
    private urls: () => string[],
    private readonly clients: number,
    private readonly scenario: string,
    private readonly hardDeadline: () => number,
  ) {}

  private async send(c: number, key: string, path: string, token: string, body: unknown): Promise<unknown> {
    const entry: LogEntry = { key, path, status: null, attempts: 0 };
    this.log.push(entry);
    let target = c;
    while (Date.now() < this.hardDeadline()) {
      entry.attempts++;
      this.requests++;
      const urls = this.urls();
      const base = urls[target % urls.length]!;
      try {
        const r = await fetch(base + path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await r.text();
        if (r.status >= 200 && r.status < 300) {
          entry.status = r.status;
          this.lastAckAt = Date.now();
          this.acks.push(Date.now());
          return JSON.parse(text);
        }
        if (r.status >= 400 && r.status < 500 && r.status !== 409 && r.status !== 429 && r.status !== 408) {
          entry.status = r.status;
          throw new Error(`refused ${r.status} ${path}: ${text.slice(0, 300)}`);
        }
        if (r.status === 409 && !r.headers.get('retry-after')) {
          entry.status = r.status;
          throw new Error(`refused 409 ${path}: ${text.slice(0, 300)}`);
        }
        // 5xx, 409 pending, 429: retry the same request
      } catch (err) {
        if (entry.status !== null) throw err;
        target++; // another instance, when there are several
      }
      await sleep(150 + Math.random() * 250);
    }
    throw new Error(`in doubt: ${key}`);
  }

  async client(c: number, tokens: { admin: string; lead: string; validator: string }) {
    for (let i = 0; !this.stopped; i++) {
      const k = (step: string) => `${this.scenario}-${c}-${i}-${step}`;
      try {
        const tid = `F${c}-${i}`;
        await this.send(c, k('label'), '/territories', tokens.admin, {
          id: tid,
          name: `Territoire ${tid}`,
          regionCode: '44',
          epcis: [{ siren: '200068757', name: 'CC test' }],
          labelledOn: '2018-11-22',
        });
        const draft = (await this.send(c, k('draft'), '/contracts', tokens.lead, {
          territoryId: tid,
          title: 'Contrat',
          draftedOn: '2019-01-15',
        })) as { id: string };
        for (const kind of ['industrial', 'epci', 'region', 'state'])
          await this.send(c, k(`commit-${kind}`), `/contracts/${draft.id}/commitments`, tokens.lead, {
            partyKind: kind,
            partyName: `${kind} partner`,
            axis: 'innovation',
            description: 'accompany 10 SMEs',
            amountEur: 1000.5,
            dueOn: '2021-12-31',
            madeOn: '2019-02-01',
          });
        await this.send(c, k('submit'), `/contracts/${draft.id}/submit`, tokens.lead, { submittedOn: '2019-03-01' });
        await this.send(c, k('validate'), `/contracts/${draft.id}/validate`, tokens.validator, {
          decidedOn: '2019-04-01',
        });
        const project = (await this.send(c, k('project'), '/projects', tokens.lead, {
          territoryId: tid,
          contractId: draft.id,
          title: 'Plateforme',
          axis: 'skills',
          budgetEur: 250000,
          registeredOn: '2019-05-01',
        })) as { id: string };
        for (const n of [1, 2])
          await this.send(c, k(`funding-${n}`), `/projects/${project.id}/fundings`, tokens.lead, {
            source: 'bpifrance',
            amountEur: 1000 * n,
            grantedOn: '2019-06-01',
          });
      } catch (err) {
        if (/in doubt/.test(String(err))) return;
        // a refusal ends this round (counted in the log); the client starts the next one
      }
    }
  }
}

async function tokensFor(c: number) {
  return {
    admin: await signToken(SECRET, { sub: `admin-${c}`, name: 'Admin', roles: ['programme_admin'] }),
    lead: await signToken(SECRET, {
      sub: `lead-${c}`,
      name: 'Lead',
      roles: ['territory_lead'],
      territories: Array.from({ length: 400 }, (_, i) => `F${c}-${i}`),
    }),
    validator: await signToken(SECRET, {
      sub: `val-${c}`,
      name: 'Val',
      roles: ['regional_validator'],
      regions: ['44'],
    }),
  };
}

function embeddedUrl(dataDir: string): string {
  const pm = readPostmasterPid(join(dataDir, 'postgres'));
  if (!pm) throw new Error('no postmaster.pid');
  return `postgres://postgres:postgres@127.0.0.1:${pm.port}/${EMBEDDED_DATABASE}`;
}

/** The checker: from the log and the database. */
async function check(dbUrl: string, appUrl: string, load: Load, v: Verdict): Promise<void> {
  v.ready = await waitCaughtUp(appUrl, 90_000);
  if (!v.ready) {
    const r = await fetch(`${appUrl}/readyz`).then(
      (x) => x.text(),
      (e: Error) => `error ${e.message}`,
    );
    v.notes.push(`not ready: ${r.slice(0, 400)}`);
  }
  const pool = new pg.Pool({ connectionString: dbUrl, max: 4 });
  try {
    const acked = load.log.filter((e) => e.status !== null && e.status < 300);
    v.acknowledged = acked.length;
    v.inDoubt = load.log.filter((e) => e.status === null).length;
    const refused = load.log.filter((e) => e.status !== null && e.status >= 300);
    if (refused.length > 0)
      v.notes.push(`${refused.length} refused (${[...new Set(refused.map((r) => r.status))].join(',')})`);
    const rows = await pool.query<{ key: string; commands: number }>(
      `select metadata->>'idempotencyKey' as key, count(distinct metadata->>'commandId')::int as commands
         from es.events where metadata ? 'idempotencyKey' group by 1`,
    );
    const byKey = new Map(rows.rows.map((r) => [r.key, r.commands]));
    v.lost = acked.filter((e) => !byKey.has(e.key)).length;
    v.duplicated = rows.rows.filter((r) => r.commands > 1).length;
    const gaps = await pool.query<{ n: number }>(
      `select count(*)::int as n from (select stream_name from es.events group by stream_name
         having min(revision) <> 0 or max(revision) <> count(*) - 1) g`,
    );
    v.revisionGaps = gaps.rows[0]!.n;
    const chains = await verifyChains(pool);
    v.chains = chains.ok ? 'intact' : 'broken';
    const db = createDb(pool);
    const store = new PostgresEventStore(pool);
    const live = await checksums(db);
    await rebuild(
      { db, pool, store, registry: buildRegistry(), projections: allProjections },
      { fresh: true, swap: false },
    );
    const clean = await checksums(db, SHADOW_SCHEMA);
    v.readModelsEqualRebuild = JSON.stringify(live) === JSON.stringify(clean);
    await store.close();
  } finally {
    await pool.end();
  }
  v.ok =
    v.lost === 0 &&
    v.duplicated === 0 &&
    v.inDoubt === 0 &&
    v.revisionGaps === 0 &&
    v.chains === 'intact' &&
    v.readModelsEqualRebuild &&
    v.ready;
}

export interface Scenario {
  name: string;
  /** Runs the fault; resolves when the fault is over (the time to recover counts from then). */
  fault?: (ctx: Ctx) => Promise<void>;
  twoInstances?: boolean;
  tmpfs?: boolean;
}

interface Ctx {
  dataDir: string;
  apps: App[];
  restartApp: (i: number) => Promise<void>;
  notes: string[];
  load: Load;
}

function pgPids(dataDir: string): number[] {
  const pm = readPostmasterPid(join(dataDir, 'postgres'));
  if (!pm) return [];
  let kids: number[] = [];
  try {
    kids = execFileSync('pgrep', ['-P', String(pm.pid)])
      .toString()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    /* none */
  }
  return [pm.pid, ...kids];
}

async function statusOf(url: string, path: string, bytes: number, token?: string): Promise<number | string> {
  try {
    const r = await fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: Buffer.alloc(bytes, 0x20),
      signal: AbortSignal.timeout(30_000),
    });
    await r.arrayBuffer();
    return `${r.status} ${r.headers.get('content-type')?.split(';')[0]}`;
  } catch (err) {
    return `error ${(err as Error).message}`;
  }
}

export const SCENARIOS: Scenario[] = [
  { name: 'baseline' },
  {
    name: 'kill -9 PostgreSQL',
    fault: async (ctx) => {
      const [pid] = pgPids(ctx.dataDir);
      process.kill(pid!, 'SIGKILL');
      ctx.notes.push('postmaster killed; the app restarted it');
    },
  },
  {
    name: 'kill -9 app, restart',
    fault: async (ctx) => {
      await stopApp(ctx.apps[0]!, 'SIGKILL');
      await sleep(1000);
      await ctx.restartApp(0);
    },
  },
  {
    name: 'SIGSTOP PostgreSQL 20 s',
    fault: async (ctx) => {
      const pids = pgPids(ctx.dataDir);
      for (const p of pids) process.kill(p, 'SIGSTOP');
      await sleep(20_000);
      for (const p of pgPids(ctx.dataDir)) process.kill(p, 'SIGCONT');
      for (const p of pids) process.kill(p, 'SIGCONT');
    },
  },
  {
    name: 'disk full (tmpfs)',
    tmpfs: true,
    fault: async (ctx) => {
      const filler = join(ctx.dataDir, 'filler');
      const st = statfsSync(ctx.dataDir);
      const free = st.bavail * st.bsize;
      const chunk = Buffer.alloc(1 << 20);
      const fd = openSync(filler, 'w');
      try {
        for (let n = 0; n < free / chunk.length + 1; n++) writeSync(fd, chunk);
      } catch {
        /* full */
      }
      closeSync(fd);
      ctx.notes.push(`filled ${Math.round(free / 1e6)} MB`);
      await sleep(15_000);
      unlinkSync(filler);
    },
  },
  {
    name: 'slow clients x300',
    fault: async (ctx) => {
      const port = ctx.apps[0]!.port;
      const sockets: Socket[] = [];
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 300; i++) {
          const s = connect(port, '127.0.0.1');
          s.on('error', () => undefined);
          s.write('POST /territories HTTP/1.1\r\nHost: x\r\n');
          sockets.push(s);
        }
        await sleep(10_000);
      }
      sockets.forEach((s) => s.destroy());
    },
  },
  {
    name: 'oversized bodies',
    fault: async (ctx) => {
      const url = ctx.apps[0]!.url;
      // without a token the guard refuses before the body is read (401); with one, the body limit (413)
      const admin = await signToken(SECRET, { sub: 'admin-oversized', name: 'Admin', roles: ['programme_admin'] });
      for (const mb of [2, 20]) {
        const anonymous = await statusOf(url, '/territories', mb << 20);
        const signed = await statusOf(url, '/territories', mb << 20, admin);
        ctx.notes.push(`${mb} MB body: ${signed} (with a token), ${anonymous} (without)`);
        if (signed !== '413 application/problem+json' || anonymous !== '401 application/problem+json')
          throw new Error(`${mb} MB body answered ${signed} with a token and ${anonymous} without`);
      }
    },
  },
  {
    name: 'two instances, one killed',
    twoInstances: true,
    fault: async (ctx) => {
      await stopApp(ctx.apps[0]!, 'SIGKILL');
      ctx.notes.push('instance 1 killed, not restarted');
    },
  },
];

export async function runScenario(
  s: Scenario,
  opts: { clients: number; loadMs: number; faultAtMs: number },
): Promise<Verdict> {
  const v: Verdict = {
    scenario: s.name,
    requests: 0,
    acknowledged: 0,
    lost: 0,
    duplicated: 0,
    inDoubt: 0,
    revisionGaps: 0,
    chains: 'intact',
    readModelsEqualRebuild: false,
    ready: false,
    recoverSeconds: null,
    notes: [],
    ok: false,
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'ti-faults-'));
  let mounted = false;
  if (s.tmpfs) {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=200m,mode=0755', 'tmpfs', dataDir]);
      mounted = true;
    } catch (err) {
      v.notes.push(`tmpfs refused (${(err as Error).message.split('\n')[0]}): disk full NOT exercised`);
    }
  }
  let shared: PgServer | undefined;
  const apps: App[] = [];
  let deadline = Date.now() + opts.loadMs + 120_000;
  try {
    let env: Record<string, string> = { DATA_DIR: dataDir };
    if (s.twoInstances) {
      // PostgreSQL runs as the `postgres` user: it must be able to traverse the (0700) temp folder
      chmodSync(dataDir, 0o755);
      mkdirSync(join(dataDir, 'shared'), { recursive: true });
      shared = await startEmbedded({ dataDir: join(dataDir, 'shared') });
      env = { DATA_DIR: dataDir, DATABASE_URL: shared.url };
    }
    const count = s.twoInstances ? 2 : 1;
    for (let i = 0; i < count; i++) apps.push(startApp(env, await freePort()));
    for (const a of apps) if (!(await waitReady(a.url, 90_000))) throw new Error('the app did not become ready');
    const load = new Load(
      () => apps.filter((a) => a.child.exitCode === null && a.child.signalCode === null).map((a) => a.url),
      opts.clients,
      s.name.replace(/\W+/g, '_'),
      () => deadline,
    );
    const ctx: Ctx = {
      dataDir,
      apps,
      notes: v.notes,
      load,
      restartApp: async (i) => {
        apps[i] = startApp(env, apps[i]!.port);
      },
    };
    const clients = await Promise.all(Array.from({ length: opts.clients }, (_, c) => tokensFor(c)));
    const started = Date.now();
    const running = clients.map((t, c) => load.client(c, t));
    let faultEnd: number | undefined;
    let recovered: Promise<number | null> = Promise.resolve(null);
    if (s.fault) {
      await sleep(opts.faultAtMs);
      await s.fault(ctx);
      faultEnd = Date.now();
      // time to recover: from the end of the fault until /readyz answers 200 again
      const end = faultEnd;
      recovered = (async () => {
        await sleep(300);
        const live = apps.find((a) => a.child.exitCode === null && a.child.signalCode === null);
        return live && (await waitReady(live.url, 120_000)) ? Date.now() - end : null;
      })();
    }
    await sleep(Math.max(0, started + opts.loadMs - Date.now()));
    load.stopped = true;
    // the rounds in flight finish (retrying as long as needed, at most two minutes)
    deadline = Date.now() + 120_000;
    await Promise.all(running);
    v.requests = load.requests;
    if (faultEnd !== undefined) {
      const ms = await recovered;
      v.recoverSeconds = ms === null ? null : Math.round(ms / 100) / 10;
    }
    const live = apps.find((a) => a.child.exitCode === null && a.child.signalCode === null);
    if (!live) throw new Error('no app left running');
    const dbUrl = shared ? shared.url : embeddedUrl(dataDir);
    if (s.twoInstances) {
      const c = new pg.Client({ connectionString: dbUrl });
      await c.connect();
      const r = await c.query<{ n: number }>(`select count(*)::int as n from pg_locks where locktype = 'advisory'`);
      await c.end();
      v.notes.push(`${r.rows[0]!.n} projection lock holder(s)`);
    }
    await check(dbUrl, live.url, load, v);
    for (const a of apps)
      if (a.child.exitCode !== null && a !== apps[0]) v.notes.push(`an app exited with ${a.child.exitCode}`);
    if (!v.ok) v.notes.push(`app log tail: ${live.errors.slice(-3).join(' ').slice(0, 1500)}`);
  } catch (err) {
    v.notes.push(`failed: ${(err as Error).message}`);
    v.ok = false;
  } finally {
    for (const a of apps) {
      await stopApp(a);
      await stopApp(a, 'SIGKILL'); // a shutdown that hung (noted in the verdict)
    }
    await shared?.stop();
    // a PostgreSQL still running on the data folder (its app hung and was killed): stop it
    const left = readPostmasterPid(join(dataDir, 'postgres'));
    if (left) {
      try {
        process.kill(left.pid, 'SIGINT');
        v.notes.push('PostgreSQL was still running after the app stopped');
      } catch {
        /* gone */
      }
      await sleep(3000);
    }
    if (mounted) {
      for (let i = 0; i < 20; i++) {
        try {
          execFileSync('umount', [dataDir]);
          break;
        } catch {
          await sleep(500);
        }
      }
    }
    try {
      rmSync(dataDir, { recursive: true, force: true });
    } catch (err) {
      v.notes.push(`could not remove ${dataDir}: ${(err as Error).message}`);
    }
  }
  return v;
}

export function table(vs: Verdict[]): string {
  const head = [
    'scenario',
    'requests',
    'acknowledged',
    'lost',
    'duplicated',
    'in doubt',
    'chains',
    'read models = rebuild',
    'recover (s)',
    'verdict',
  ];
  const rows = vs.map((v) => [
    v.scenario,
    String(v.requests),
    String(v.acknowledged),
    String(v.lost),
    String(v.duplicated),
    String(v.inDoubt),
    v.chains + (v.revisionGaps ? ` (${v.revisionGaps} gaps)` : ''),
    v.readModelsEqualRebuild ? 'yes' : 'NO',
    v.recoverSeconds === null ? '—' : String(v.recoverSeconds),
    v.ok ? 'ok' : 'FAIL',
  ]);
  const lines = [head, ...rows].map((r) => `| ${r.join(' | ')} |`);
  lines.splice(1, 0, `|${head.map(() => '---').join('|')}|`);
  const notes = vs.flatMap((v) => v.notes.map((n) => `- ${v.scenario}: ${n}`));
  return [...lines, '', ...notes].join('\n');
}
