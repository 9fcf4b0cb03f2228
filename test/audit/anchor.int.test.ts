import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { verifyAgainstCheckpoint } from '../../src/audit/anchor.ts';
import { signCheckpoint, type SignedCheckpoint } from '../../src/audit/signing.ts';
import { eventHash } from '../../src/eventstore/hash.ts';
import type { NewEvent } from '../../src/eventstore/types.ts';
import { verifyChains } from '../../src/eventstore/verify.ts';
import { build, TEST_SECRET, type Built } from '../helpers/build.ts';

/**
 * Tamper evidence against the database's administrator (issue 19): a checkpoint is taken, then the
 * log is changed in SQL the way someone with full access would, hiding their tracks (chains
 * recomputed, heads rewound); `audit:verify -- --checkpoint` must exit 1 naming the stream.
 */
const actor = { sub: 'lead-1', name: 'Co-lead (test)', roles: ['territory_lead'] };
const ev = (type: string, data: NewEvent['data']): NewEvent => ({
  id: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: { actor, occurredOn: '2019-06-01' },
});

async function setup(t: { teardown(fn: () => unknown): void }) {
  const witness = mkdtempSync(join(tmpdir(), 'ti-witness-'));
  t.teardown(() => rmSync(witness, { recursive: true, force: true }));
  const b = await build(t, { runner: false, env: { AUDIT_WITNESS_DIR: witness, AUDIT_CHECKPOINT_EVERY: 'off' } });
  const { store } = b.system;
  for (let i = 1; i <= 3; i++) {
    await store.append(`territory-44${i}`, [ev('TerritoryLabelled', { territoryId: `44${i}`, name: `T ${i}` })], {
      expectedRevision: 'no_stream',
    });
    await store.append(
      `contract-c-${i}`,
      [
        ev('ContractDrafted', { contractId: `c-${i}`, title: `Contrat ${i}` }),
        ev('CommitmentRecorded', { contractId: `c-${i}`, amount: 1000 * i }),
      ],
      { expectedRevision: 'no_stream' },
    );
  }
  await b.system.audit.tree.catchUp();
  const early = await b.system.audit.checkpoints.take(); // size 9
  await store.append('contract-c-2', [ev('ContractSigned', { contractId: 'c-2' })], { expectedRevision: 1n });
  await store.append('territory-449', [ev('TerritoryLabelled', { territoryId: '449', name: 'Last' })], {
    expectedRevision: 'no_stream',
  });
  await b.system.audit.tree.catchUp();
  const checkpoint = await b.system.audit.checkpoints.take(); // size 11
  const file = join(witness, 'anchor.json');
  writeFileSync(file, JSON.stringify(checkpoint));
  return { b, file, witness, early, checkpoint };
}

function cli(b: Built, args: string[], witness: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/audit.ts', ...args],
      {
        env: {
          ...process.env,
          DATABASE_URL: b.system.config.DATABASE_URL,
          DATA_DIR: b.system.config.DATA_DIR,
          AUTH_JWT_SECRET: TEST_SECRET,
          AUDIT_WITNESS_DIR: witness,
          SEED: 'none',
          LOG_LEVEL: 'silent',
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

type Result = { ok: boolean; firstDifference: { stream: string | null; reason: string } | null };

/** What an administrator does to rewrite a stream undetectably by the chains: recompute them all. */
async function rechain(b: Built, stream: string) {
  const r = await b.system.pool.query<{
    position: string;
    revision: string;
    type: string;
    schema_version: number;
    data: never;
    metadata: never;
  }>(
    'select position, revision, type, schema_version, data, metadata from es.events where stream_name = $1 order by revision',
    [stream],
  );
  let prev = '';
  for (const e of r.rows) {
    const hash = eventHash({
      stream,
      revision: BigInt(e.revision),
      type: e.type,
      schemaVersion: e.schema_version,
      data: e.data,
      metadata: e.metadata,
      prevHash: prev,
    });
    await b.system.pool.query('update es.events set prev_hash = $1, hash = $2 where position = $3', [
      prev,
      hash,
      e.position,
    ]);
    prev = hash;
  }
  await b.system.pool.query('update es.streams set last_hash = $1 where stream_name = $2', [prev, stream]);
}

t.test('the untouched log passes; the checkpoint file and the public key come from the CLI', async (t) => {
  const { b, file, witness } = await setup(t);
  const r = await cli(b, ['verify', '--checkpoint', file], witness);
  t.equal(r.code, 0, r.stderr);
  t.equal(JSON.parse(r.stdout).ok, true);
  const plain = await cli(b, ['verify'], witness);
  t.equal(plain.code, 0, plain.stderr);
  t.equal(
    JSON.parse(plain.stdout).checkpoints.witnessed,
    2,
    'both witnessed checkpoints are consistent with the latest',
  );
  const key = await cli(b, ['public-key'], witness);
  t.equal(key.code, 0);
  t.match(key.stdout, /^-----BEGIN PUBLIC KEY-----/);
  t.match(key.stderr, b.system.audit.key.keyId);
});

t.test("a contract's event rewritten in SQL with its chain recomputed: exit 1, naming that stream", async (t) => {
  const { b, file, witness } = await setup(t);
  await b.system.pool.query(
    `update es.events set data = jsonb_set(data, '{title}', '"Contrat falsifié"')
      where stream_name = 'contract-c-2' and revision = 0`,
  );
  await rechain(b, 'contract-c-2');
  t.equal((await verifyChains(b.system.store)).ok, true, 'the chains alone no longer see it (ADR 0003)');
  const r = await cli(b, ['verify', '--checkpoint', file], witness);
  t.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout) as Result;
  t.equal(out.firstDifference?.stream, 'contract-c-2');
  t.match(out.firstDifference?.reason, /was altered/);
  t.match(r.stderr, /TAMPERED: stream contract-c-2/);
});

t.test('a whole stream deleted with its head row: exit 1, naming that stream', async (t) => {
  const { b, file, witness } = await setup(t);
  await b.system.pool.query(`delete from es.events where stream_name = 'contract-c-1'`);
  await b.system.pool.query(`delete from es.streams where stream_name = 'contract-c-1'`);
  t.equal((await verifyChains(b.system.store)).ok, true, 'the chains alone no longer see it');
  const r = await cli(b, ['verify', '--checkpoint', file], witness);
  t.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout) as Result;
  t.equal(out.firstDifference?.stream, 'contract-c-1');
  t.match(out.firstDifference?.reason, /removed, inserted or reordered/);
});

t.test("the log's last events truncated, heads rewound: exit 1, naming the stream of the first missing", async (t) => {
  const { b, file, witness } = await setup(t);
  // the last two events in log order: contract-c-2 revision 2, territory-449 revision 0
  await b.system.pool.query(
    `delete from es.events where (stream_name, revision) in (('contract-c-2', 2), ('territory-449', 0))`,
  );
  await b.system.pool.query(`delete from es.streams where stream_name = 'territory-449'`);
  await b.system.pool.query(
    `update es.streams s set revision = 1, last_hash = e.hash from es.events e
      where s.stream_name = 'contract-c-2' and e.stream_name = s.stream_name and e.revision = 1`,
  );
  t.equal((await verifyChains(b.system.store)).ok, true, 'the chains alone no longer see it');
  const r = await cli(b, ['verify', '--checkpoint', file], witness);
  t.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout) as Result;
  t.equal(out.firstDifference?.stream, 'contract-c-2');
  t.match(out.firstDifference?.reason, /holds 9 events but the checkpoint signed 11: 2 were removed/);
});

t.test('the stored tree rewritten too: still detected, bounded by the witnessed checkpoints', async (t) => {
  const { b, checkpoint, early } = await setup(t);
  await b.system.pool.query(
    `update es.events set data = '{"title":"x"}' where stream_name = 'contract-c-2' and revision = 2`,
  );
  await rechain(b, 'contract-c-2');
  await b.system.pool.query('truncate es.merkle_nodes, es.merkle_leaves');
  await b.system.pool.query('update es.merkle_state set size = 0, after_checkpoint = null');
  await b.system.audit.tree.catchUp();
  const r = await verifyAgainstCheckpoint(
    { store: b.system.store, tree: b.system.audit.tree },
    checkpoint,
    b.system.audit.key.publicKey,
    {
      witness: [early],
    },
  );
  t.equal(r.ok, false);
  t.equal(r.witnessChecked, 2);
  t.same(r.witnessMismatches, [11]);
  t.match(r.firstDifference?.reason, /stored tree was rewritten too.*among log indices 9\.\.10/);
  const clean = await verifyAgainstCheckpoint(
    { store: b.system.store, tree: b.system.audit.tree },
    early,
    b.system.audit.key.publicKey,
  );
  t.equal(clean.ok, true, 'the earlier checkpoint still matches: the change is after it');
});

t.test('bad checkpoints: malformed, signed by another key, altered: exit 2 naming what is wrong', async (t) => {
  const { b, witness, checkpoint } = await setup(t);
  const write = (name: string, text: string) => {
    const f = join(witness, name);
    writeFileSync(f, text);
    return f;
  };
  const malformed = await cli(b, ['verify', '--checkpoint', write('bad.json', '{"logSize": "many"')], witness);
  t.equal(malformed.code, 2);
  t.match(malformed.stderr, /not JSON/);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const other: SignedCheckpoint = signCheckpoint(
    { privateKey, publicKey, keyId: 'a'.repeat(64), publicKeyPem: '' },
    { ...checkpoint },
  );
  const foreign = await cli(b, ['verify', '--checkpoint', write('other.json', JSON.stringify(other))], witness);
  t.equal(foreign.code, 2);
  t.match(foreign.stderr, /signed by key a{64}, not by this ledger's key/);
  const altered = { ...checkpoint, logSize: checkpoint.logSize - 1 };
  const forged = await cli(b, ['verify', '--checkpoint', write('forged.json', JSON.stringify(altered))], witness);
  t.equal(forged.code, 2);
  t.match(forged.stderr, /signature does not verify/);
});
