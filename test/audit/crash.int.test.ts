import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { verifyAgainstCheckpoint } from '../../src/audit/anchor.ts';
import { verifyConsistency } from '../../src/audit/merkle.ts';
import { parseCheckpoint, type SignedCheckpoint } from '../../src/audit/signing.ts';
import { build, TEST_SECRET } from '../helpers/build.ts';

/**
 * kill -9 between appends and checkpoints: every checkpoint the writer reported as taken is in
 * the database and the witness file, and the next start completes the tree the crash left behind.
 */
t.test('a writer killed with SIGKILL loses no reported checkpoint; the next start completes the tree', async (t) => {
  const b = await build(t, { runner: false, env: { AUDIT_CHECKPOINT_EVERY: 'off' } });
  const witness = b.system.config.AUDIT_WITNESS_DIR!;
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/audit/fixtures/crash-child.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: b.system.config.DATABASE_URL,
      DATA_DIR: b.system.config.DATA_DIR,
      AUTH_JWT_SECRET: TEST_SECRET,
      AUDIT_WITNESS_DIR: witness,
      SEED: 'none',
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const reported: SignedCheckpoint[] = [];
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('CHECKPOINT ')) reported.push(parseCheckpoint(line.slice(11)));
        // killed mid-flight: it is appending (and may be inside take()) when the signal lands
        if (reported.length === 4) setTimeout(() => child.kill('SIGKILL'), 15);
      }
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`exit ${signal}`))));
  });
  t.ok(reported.length >= 4, `${reported.length} checkpoints reported before the kill`);

  const stored = await b.system.pool.query<{ size: string }>('select size from es.audit_checkpoints order by size');
  const storedSizes = new Set(stored.rows.map((r) => Number(r.size)));
  const witnessed = readFileSync(join(witness, 'checkpoints.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => parseCheckpoint(l));
  for (const c of reported) {
    t.ok(storedSizes.has(c.logSize), `checkpoint ${c.logSize} is stored`);
    t.ok(
      witnessed.some((w) => w.signature === c.signature),
      `checkpoint ${c.logSize} is in the witness file`,
    );
  }
  const events = Number((await b.system.pool.query<{ n: string }>('select count(*) n from es.events')).rows[0]!.n);
  const before = await b.system.audit.tree.size();
  t.ok(before < events, `the crash left the tree behind (${before} of ${events} events)`);

  // the next start: the loop completes the tree first
  await b.system.audit.start();
  await b.system.audit.stop();
  t.equal(await b.system.audit.tree.size(), events, 'the tree is complete');
  const latest = await b.system.audit.checkpoints.take();
  t.equal(latest.logSize, events);
  for (const c of reported) {
    const proof = await b.system.audit.tree.consistency(c.logSize, latest.logSize);
    const hx = (s: string) => Buffer.from(s, 'hex');
    t.ok(
      verifyConsistency(c.logSize, latest.logSize, proof, hx(c.rootHash), hx(latest.rootHash)),
      `${c.logSize} ⊑ ${latest.logSize}`,
    );
  }
  const v = await verifyAgainstCheckpoint(
    { store: b.system.store, tree: b.system.audit.tree },
    latest,
    b.system.audit.key.publicKey,
    { witness: reported },
  );
  t.equal(v.ok, true);
  t.equal(v.witnessChecked, reported.length + 1);
});
