import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readPostmasterPid } from '../../src/db/embedded.ts';
import { run, startServer, stop } from './helpers.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

t.test('npm start on the embedded defaults: data survives a restart, SIGTERM stops PostgreSQL too', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ti-e2e-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

  const first = await startServer({ DATA_DIR: dataDir });
  t.teardown(() => first.child.kill('SIGKILL'));
  t.equal((await fetch(`${first.url}/healthz`)).status, 200);
  t.ok(first.tokens.programme_admin, 'prints a local token per role');
  const labelled = await fetch(`${first.url}/territories`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${first.tokens.programme_admin}` },
    body: JSON.stringify({
      id: '4413',
      name: 'Vosges',
      regionCode: '44',
      epcis: [{ siren: '200068757', name: 'CC test' }],
      labelledOn: '2018-11-22',
    }),
  });
  t.equal(labelled.status, 201);

  // a command-line tool with the same DATA_DIR reaches the running server
  const pgPid = readPostmasterPid(join(dataDir, 'postgres'))!.pid;
  const migrate = await run(['src/cli/migrate.ts'], { DATA_DIR: dataDir });
  t.equal(migrate.code, 0, migrate.stderr);
  t.match(migrate.stdout, /already up to date/);
  t.ok(alive(pgPid), 'the tool left the server running');

  t.equal(await stop(first.child, 'SIGTERM'), 0, 'clean exit');
  t.notOk(alive(pgPid), 'PostgreSQL stopped with the app');
  t.notOk(existsSync(join(dataDir, 'postgres', 'postmaster.pid')), 'no stale lock');

  // when nothing runs, the tool starts the embedded server itself and stops it
  const alone = await run(['src/cli/migrate.ts'], { DATA_DIR: dataDir });
  t.equal(alone.code, 0, alone.stderr);
  t.notOk(existsSync(join(dataDir, 'postgres', 'postmaster.pid')), 'the tool stopped what it started');

  const second = await startServer({ DATA_DIR: dataDir });
  t.teardown(() => second.child.kill('SIGKILL'));
  let found = 0;
  for (let i = 0; i < 50 && found !== 200; i++) {
    found = (
      await fetch(`${second.url}/territories/4413`, {
        headers: { authorization: `Bearer ${second.tokens.reporter}` },
      })
    ).status;
    if (found !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(found, 200, 'the territory is still there after a restart');
  t.equal(await stop(second.child, 'SIGINT'), 0, 'SIGINT stops cleanly too');
});

t.test('a stale lock from a killed server does not prevent the next start', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ti-e2e-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startServer({ DATA_DIR: dataDir });
  const pgPid = readPostmasterPid(join(dataDir, 'postgres'))!.pid;
  await stop(first.child, 'SIGKILL');
  process.kill(pgPid, 'SIGKILL'); // the whole machine went down
  for (let i = 0; i < 50 && alive(pgPid); i++) await new Promise((r) => setTimeout(r, 50));
  t.ok(existsSync(join(dataDir, 'postgres', 'postmaster.pid')), 'a stale postmaster.pid is left behind');
  const second = await startServer({ DATA_DIR: dataDir });
  t.teardown(() => second.child.kill('SIGKILL'));
  t.equal((await fetch(`${second.url}/healthz`)).status, 200);
  t.equal(await stop(second.child), 0);
});

t.test('bad configuration exits 1 naming the variable', async (t) => {
  const port = await run(['src/server.ts'], { PORT: 'abc' });
  t.equal(port.code, 1);
  t.match(port.stderr, /PORT/);
  const db = await run(['src/server.ts'], { DATABASE_URL: 'mysql://nope' });
  t.equal(db.code, 1);
  t.match(db.stderr, /DATABASE_URL/);
  const tool = await run(['src/cli/migrate.ts'], { DATABASE_URL: 'nope' });
  t.equal(tool.code, 1);
  t.match(tool.stderr, /DATABASE_URL/);
});

t.test('a failing migration target exits non-zero with the error', async (t) => {
  const r = await run(['src/cli/migrate.ts'], { DATABASE_URL: 'postgres://nobody:wrong@127.0.0.1:1/none' });
  t.not(r.code, 0);
  t.match(r.stderr, /migration failed|ECONNREFUSED/);
});
