import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config.ts';
import { createDb, createPool } from '../db/database.ts';
import { connectOrStart } from '../db/embedded.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { READER_ROLE, ensureReader, readerPassword, readerPasswordFile, readerUrl } from '../db/reader.ts';

/**
 * `npm run db:reader [-- --rotate]`: creates or updates the read-only reporting role and prints
 * its connection URL (read.* only; see "Connect a BI tool" in docs/read-models.md). The password
 * is kept in DATA_DIR/reader-password; --rotate makes a new one (saved connections must change).
 */
const { values } = parseArgs({ options: { rotate: { type: 'boolean', default: false }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write(
    'usage: npm run db:reader [-- --rotate]\n' +
      `  creates the read-only role ${READER_ROLE} (SELECT on read.* only) and prints its URL\n` +
      '  --rotate   a new password (the old URL stops working)\n',
  );
  process.exit(0);
}
const config = loadConfigOrExit();
const server = await connectOrStart(config);
const db = createDb(createPool(server.url, 1));
let code = 0;
try {
  await migrateToLatest(db); // the read models must exist (a fresh DATA_DIR has none yet)
  const password = readerPassword(config.DATA_DIR, values.rotate);
  await ensureReader(db, password);
  process.stderr.write(
    `read-only role ${READER_ROLE}: SELECT on read.* only (password in ${readerPasswordFile(config.DATA_DIR)})\n`,
  );
  process.stdout.write(readerUrl(server.url, password) + '\n');
  if (server.owned)
    process.stderr.write('note: the embedded PostgreSQL stops with this command; `npm start` keeps it running\n');
} catch (err) {
  process.stderr.write(`db:reader failed: ${err instanceof Error ? err.message : String(err)}\n`);
  code = 1;
} finally {
  await db.destroy();
  await server.stop();
}
process.exit(code);
