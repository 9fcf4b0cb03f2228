import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbedded, type PgServer } from '../../src/db/embedded.ts';

/**
 * A throw-away embedded PostgreSQL with durable commits (fsync and synchronous_commit on), in a
 * temporary folder removed at `stop()`. Benchmarks never touch the application's data folder.
 */
export async function durableCluster(label: string): Promise<PgServer & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), `${label}-`));
  const server = await startEmbedded({
    dataDir,
    settings: {
      fsync: 'on',
      synchronous_commit: process.env.BENCH_SYNC_COMMIT ?? 'on',
      full_page_writes: 'on',
      max_connections: '300',
    },
  });
  return {
    ...server,
    dataDir,
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
