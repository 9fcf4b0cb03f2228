import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { freePort, portFile, startEmbedded } from '../../src/db/embedded.ts';
import { READER_ROLE, ensureReader, readerPassword, readerUrl } from '../../src/db/reader.ts';
import { rebuild } from '../../src/projections/rebuild.ts';
import { allProjections } from '../../src/projections/index.ts';
import { build } from '../helpers/build.ts';
import { TODAY, post, tokens, vosges } from '../http/commands/fixtures.ts';

async function asReader<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code ?? 'error',
  );

t.test('the reader role selects read.* only: no write, no es.*, http.*, projections.*', async (t) => {
  const b = await build(t, { today: TODAY });
  const tk = await tokens(b);
  const labelled = await post(b, tk.admin, '/territories', vosges);
  t.equal(labelled.statusCode, 201);
  t.ok(await b.system.runner.waitFor(BigInt(labelled.json<{ position: string }>().position), 5000));
  const dir = mkdtempSync(join(tmpdir(), 'ti-reader-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const password = readerPassword(dir);
  t.equal(readerPassword(dir), password, 'the password is kept in DATA_DIR');
  t.equal(statSync(join(dir, 'reader-password')).mode & 0o777, 0o600, 'readable by its owner only');
  await ensureReader(b.system.db, password);
  await ensureReader(b.system.db, password); // idempotent
  const url = readerUrl(b.system.config.DATABASE_URL!, password);
  t.match(url, new RegExp(`^postgres://${READER_ROLE}:`));

  await asReader(url, async (c) => {
    const r = await c.query<{ n: string }>('select count(*)::text as n from read.territories where territory_id = $1', [
      '4401',
    ]);
    t.equal(r.rows[0]!.n, '1', 'SELECT on read.territories');
    t.equal((await c.query('select count(*) from territories')).rowCount, 1, 'search_path is read');
    t.equal(await codeOf(c.query(`delete from read.territories`)), '25006', 'sessions are read-only by default');
    await c.query('set default_transaction_read_only = off');
    t.equal(await codeOf(c.query(`delete from read.territories`)), '42501', 'no DELETE even when not read-only');
    t.equal(await codeOf(c.query(`insert into read.territories (territory_id) values ('x')`)), '42501', 'no INSERT');
    t.equal(await codeOf(c.query(`update read.projects set title = 'x'`)), '42501', 'no UPDATE');
    t.equal(await codeOf(c.query('select * from es.events limit 1')), '42501', 'no es.* (the event log)');
    t.equal(await codeOf(c.query('select * from http.idempotency_keys limit 1')), '42501', 'no http.*');
    t.equal(await codeOf(c.query('select * from projections.checkpoints limit 1')), '42501', 'no projections.*');
    t.equal(await codeOf(c.query('create table read.x (a int)')), '42501', 'no CREATE in read');
    t.equal(await codeOf(c.query('create table public.x (a int)')), '42501', 'no CREATE in public');
  });

  // a rebuild swaps a new `read` schema in: the reader still reads it
  await b.system.runner.stop();
  await rebuild({ ...b.system, projections: allProjections }, { fresh: true });
  await asReader(url, async (c) => {
    const r = await c.query<{ n: string }>('select count(*)::text as n from read.territories');
    t.equal(r.rows[0]!.n, '1', 'SELECT after a rebuild and swap');
    t.equal(await codeOf(c.query('select * from es.events limit 1')), '42501', 'still no es.*');
  });
});

t.test('the embedded server keeps its port across restarts; EMBEDDED_PG_PORT sets it', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ti-port-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startEmbedded({ dataDir, settings: { fsync: 'off' } });
  const port = new URL(first.url).port;
  t.equal(readFileSync(portFile(dataDir), 'utf8').trim(), port, 'the port is recorded in DATA_DIR');
  const password = readerPassword(dataDir);
  const admin = new pg.Client({ connectionString: first.url });
  await admin.connect();
  await admin.query('create schema if not exists read');
  await admin.query('create table if not exists read.figures (n int)');
  await admin.query('insert into read.figures values (42)');
  const { createDb, createPool } = await import('../../src/db/database.ts');
  const db = createDb(createPool(first.url, 1));
  await ensureReader(db, password);
  await db.destroy();
  await admin.end();
  const saved = readerUrl(first.url, password);
  await first.stop();

  const second = await startEmbedded({ dataDir, settings: { fsync: 'off' } });
  t.equal(new URL(second.url).port, port, 'the same port after a restart');
  const n = await asReader(saved, async (c) => (await c.query<{ n: number }>('select n from read.figures')).rows[0]!.n);
  t.equal(n, 42, "a BI tool's saved connection still works after the restart");
  await second.stop();

  const chosen = await freePort();
  const third = await startEmbedded({ dataDir, port: chosen, settings: { fsync: 'off' } });
  t.equal(Number(new URL(third.url).port), chosen, 'EMBEDDED_PG_PORT wins');
  await third.stop();
  t.equal(readFileSync(portFile(dataDir), 'utf8').trim(), String(chosen), 'and is recorded for the next start');
});
