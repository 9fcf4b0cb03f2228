import { loadConfigOrExit } from '../config.ts';
import { createDb, createPool } from '../db/database.ts';
import { connectOrStart } from '../db/embedded.ts';
import { migrateToLatest } from '../db/migrate.ts';

/** `npm run migrate`: applies every pending migration; exits non-zero with the error on failure. */
const config = loadConfigOrExit();
const server = await connectOrStart(config);
const db = createDb(createPool(server.url, 2, { statementTimeoutMs: 0, queryTimeoutMs: 0 }));
let code = 0;
try {
  const result = await migrateToLatest(db);
  const applied = result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'already up to date\n');
} catch (err) {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  code = 1;
} finally {
  await db.destroy();
  await server.stop();
}
process.exit(code);
