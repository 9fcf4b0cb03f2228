/**
 * Runs once before the test files: starts one embedded PostgreSQL for the whole run (in
 * .data/test, fresh each time) and prepares a migrated template database that each test file
 * copies (CREATE DATABASE ... TEMPLATE), so files run in parallel on isolated databases.
 */
import { rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { stopEmbeddedAt, startEmbedded } from '../../src/db/embedded.ts';
import { createDb, createPool } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { TEST_DATA_DIR, TEMPLATE_DB, clusterFile } from '../helpers/cluster.ts';

await stopEmbeddedAt(TEST_DATA_DIR);
rmSync(TEST_DATA_DIR, { recursive: true, force: true });
mkdirSync(TEST_DATA_DIR, { recursive: true });
const server = await startEmbedded({
  dataDir: TEST_DATA_DIR,
  database: TEMPLATE_DB,
  detach: true,
  // tests are about behaviour; the durability test restarts its own cluster with fsync on
  settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '400' },
});
const pool = createPool(server.url, 2);
const db = createDb(pool);
await migrateToLatest(db);
await db.destroy();
writeFileSync(clusterFile, JSON.stringify({ url: server.url }));
process.stdout.write(`test PostgreSQL ready: ${server.url}\n`);
