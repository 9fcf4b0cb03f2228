import { spawn } from 'node:child_process';
import t from 'tap';
import { sql } from 'kysely';
import { generate, insertEvents } from '../../bench/events.ts';
import { allProjections } from '../../src/projections/index.ts';
import { checksums, rebuild, REBUILD_NAME } from '../../src/projections/rebuild.ts';
import { build, TEST_SECRET } from '../helpers/build.ts';

/**
 * kill -9 in the middle of a rebuild, and in the middle of a live catch-up: after a restart the
 * read models equal a clean rebuild's (compared by checksum).
 */
function cli(url: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/projections.ts', ...args], {
    env: { ...process.env, DATABASE_URL: url, AUTH_JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', SEED: 'none' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((res) =>
    child.on('exit', (code, signal) => res({ code, signal, out })),
  );
  return { child, done };
}

async function until(what: string, ms: number, f: () => Promise<boolean>) {
  const deadline = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

t.test('kill -9 during a rebuild and during live catch-up leaves the tables equal to a clean rebuild', async (t) => {
  const { system } = await build(t, { runner: false });
  const url = system.config.DATABASE_URL!;
  const total = await insertEvents(system.pool, generate(60_000, 11), { chunk: 5000 });
  const applied = async (name: string) => {
    const r = await system.db
      .selectFrom('projections.checkpoints')
      .select('events_applied')
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(r?.events_applied ?? 0);
  };

  // 1. live catch-up in a child process, killed midway, then restarted to the end
  const live = cli(url, ['run', '--until-caught-up']);
  await until('live progress', 60_000, async () => (await applied('main')) > 5000);
  live.child.kill('SIGKILL');
  const killed = await live.done;
  t.equal(killed.signal, 'SIGKILL', 'the runner was killed');
  const cut = await applied('main');
  t.ok(cut > 0 && cut < total, `killed midway (${cut} of ${total})`);
  const again = await cli(url, ['run', '--until-caught-up']).done;
  t.equal(again.code, 0, again.out);
  t.equal(await applied('main'), total, 'every event applied exactly once');
  const afterCrash = await checksums(system.db);

  // 2. a rebuild in a child process, killed midway, then resumed to the end and swapped in
  const rb = cli(url, ['rebuild', '--fresh']);
  await until('rebuild progress', 60_000, async () => (await applied(REBUILD_NAME)) > 5000);
  rb.child.kill('SIGKILL');
  t.equal((await rb.done).signal, 'SIGKILL', 'the rebuild was killed');
  const rbCut = await applied(REBUILD_NAME);
  t.ok(rbCut > 0 && rbCut < total, `rebuild killed midway (${rbCut} of ${total})`);
  t.same(await checksums(system.db), afterCrash, 'the live tables are untouched by the cut rebuild');
  const resumed = await cli(url, ['rebuild']).done;
  t.equal(resumed.code, 0, resumed.out);
  t.match(resumed.out, /resumed/);
  const afterResume = await checksums(system.db);

  // 3. a clean rebuild in this process
  await rebuild({ ...system, projections: allProjections }, { fresh: true });
  const clean = await checksums(system.db);
  t.same(afterCrash, clean, 'killed live catch-up == clean rebuild');
  t.same(afterResume, clean, 'killed and resumed rebuild == clean rebuild');
  const n = await sql<{ n: string }>`select count(*) as n from read.audit_log`.execute(system.db);
  t.equal(Number(n.rows[0]!.n), total);

  // the CLI's checksum prints the same sums
  const printed = await cli(url, ['checksum']).done;
  t.equal(printed.code, 0);
  for (const c of clean) t.match(printed.out, new RegExp(`${c.table}\\s+${c.rows} ${c.md5}`));
  const status = await cli(url, ['status']).done;
  t.match(status.out, /lag: 0 events/);
  t.match(status.out, /parked events: 0/);
});
