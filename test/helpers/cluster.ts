import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';

/** One cluster per test run; set TI_TEST_DIR to run several suites side by side. */
export const TEST_DATA_DIR = resolve(process.env.TI_TEST_DIR ?? '.data/test');
export const TEMPLATE_DB = 'ti_template';
export const clusterFile = join(TEST_DATA_DIR, 'cluster.json');

let counter = 0;

/** A fresh database copied from the migrated template; dropped at teardown. */
export async function createTestDatabase(t: { teardown(fn: () => Promise<void> | void): void }): Promise<string> {
  if (!existsSync(clusterFile)) throw new Error('the test cluster is not running: run the tests with `npm test`');
  const { url } = JSON.parse(readFileSync(clusterFile, 'utf8')) as { url: string };
  const name = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = new pg.Client({ connectionString: url.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  // CREATE DATABASE ... TEMPLATE fails while another session copies the same template: retry.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`create database ${name} template ${TEMPLATE_DB}`);
      break;
    } catch (err) {
      if (attempt > 50 || !/being accessed by other users/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }
  await admin.end();
  t.teardown(async () => {
    const c = new pg.Client({ connectionString: url.replace(/\/[^/]+$/, '/postgres') });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  });
  return url.replace(/\/[^/]+$/, `/${name}`);
}
