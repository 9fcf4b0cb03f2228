import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { OWNER_FILE, readPostmasterPid, startEmbedded } from '../../src/db/embedded.ts';
import { startServer } from '../e2e/helpers.ts';

/**
 * The real server on its embedded PostgreSQL: kill -9 of PostgreSQL under traffic (the app stays
 * up, answers 503 problem+json meanwhile, restarts PostgreSQL and recovers by itself); kill -9 of
 * the app (its PostgreSQL does not outlive it); an orphan found on DATA_DIR is adopted and
 * stopped with the adopter.
 */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, ms: number, f: () => boolean | Promise<boolean>) {
  const deadline = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const territory = (id: string) =>
  JSON.stringify({
    id,
    name: `Territoire ${id}`,
    regionCode: '44',
    epcis: [{ siren: '200068757', name: 'CC test' }],
    labelledOn: '2018-11-22',
  });

t.test('kill -9 of the embedded PostgreSQL: 503 problem+json meanwhile, then it recovers by itself', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ti-faults-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const s = await startServer({ DATA_DIR: dataDir });
  t.teardown(() => {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  });
  const post = (id: string) =>
    fetch(`${s.url}/territories`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${s.tokens.programme_admin}`,
        'idempotency-key': `k-${id}`,
      },
      body: territory(id),
      signal: AbortSignal.timeout(30_000),
    });
  t.equal((await post('7001')).status, 201);
  const pgPid = readPostmasterPid(join(dataDir, 'postgres'))!.pid;
  process.kill(pgPid, 'SIGKILL');

  // under traffic until a command succeeds again: every answer is 201 or a 503 problem+json
  const statuses = new Map<number, number>();
  let n = 0;
  let problem503: { body: Record<string, unknown>; retryAfter: string | null; type: string | null } | undefined;
  await until('a command succeeds again', 60_000, async () => {
    const r = await post(`71${String(n++).padStart(2, '0')}`);
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    if (r.status === 503 && !problem503)
      problem503 = {
        body: (await r.json()) as Record<string, unknown>,
        retryAfter: r.headers.get('retry-after'),
        type: r.headers.get('content-type'),
      };
    else await r.arrayBuffer();
    return r.status === 201;
  });
  t.same(
    [...statuses.keys()].filter((k) => k !== 201 && k !== 503),
    [],
    `only 201 and 503 answered: ${JSON.stringify([...statuses])}`,
  );
  if (problem503) {
    t.match(problem503.type, /application\/problem\+json/);
    t.equal(problem503.body.status, 503);
    t.ok(problem503.retryAfter, 'Retry-After is set');
  }
  t.equal(s.child.exitCode, null, 'the app is still running');
  const newPid = readPostmasterPid(join(dataDir, 'postgres'))!.pid;
  t.not(newPid, pgPid, 'PostgreSQL was started again');
  t.match(s.output(), /starting it again/);
  await until('ready again', 60_000, async () => (await fetch(`${s.url}/readyz`)).status === 200);

  // kill -9 of the app: the watchdog stops its PostgreSQL
  s.child.kill('SIGKILL');
  await until('PostgreSQL stopped after its owner died', 20_000, () => !alive(newPid));
  t.notOk(existsSync(join(dataDir, OWNER_FILE)), 'the owner file is gone');
});

t.test('an orphaned PostgreSQL on DATA_DIR is adopted, and stopped with the adopter', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ti-orphan-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  // a server left behind by a process that is gone (the watchdog did not run: killed too)
  const first = await startEmbedded({ dataDir, detach: true });
  t.teardown(() => first.stop());
  const pid = readPostmasterPid(join(dataDir, 'postgres'))!.pid;
  writeFileSync(join(dataDir, OWNER_FILE), '999999\n');
  const logs: string[] = [];
  const adopted = await startEmbedded({ dataDir, log: (m) => logs.push(m) });
  t.equal(adopted.owned, true, 'adopted, not merely connected to');
  t.match(logs.join('\n'), /adopted/);
  t.equal(readFileSync(join(dataDir, OWNER_FILE), 'utf8').trim(), String(process.pid), 'now owned by this process');
  await adopted.stop();
  t.notOk(alive(pid), 'a clean stop after adopting stops the server');
});
