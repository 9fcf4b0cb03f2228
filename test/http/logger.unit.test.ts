import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { LOG_FLUSH_MS, createLogger } from '../../src/http/logger.ts';

t.test('buffered log lines reach the file within LOG_FLUSH_MS, and all of them on flush', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ti-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'server.log');
  const logger = createLogger('info', file);
  logger.info({ n: 1 }, 'one line, far below a block');
  await new Promise((r) => setTimeout(r, LOG_FLUSH_MS + 150));
  const first = readFileSync(file, 'utf8').trim().split('\n');
  t.equal(first.length, 1, 'written by the periodic flush');
  t.match(JSON.parse(first[0]!), { n: 1, service: 'ti-ledger', msg: 'one line, far below a block' });
  for (let i = 0; i < 500; i++) logger.debug({ i }, 'below the level');
  for (let i = 0; i < 100; i++) logger.info({ i }, 'x'.repeat(300));
  logger.flush();
  await new Promise((r) => setTimeout(r, 50));
  t.equal(readFileSync(file, 'utf8').trim().split('\n').length, 101, 'every info line, none of the debug ones');
});
