import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/audit/merkle.ts';
import type { NewEvent } from '../../src/eventstore/types.ts';
import { build } from '../helpers/build.ts';

const ev = (n: number): NewEvent => ({
  id: randomUUID(),
  type: 'ContractDrafted',
  schemaVersion: 1,
  data: { contractId: `c-${n}`, title: `Contrat ${n}` },
  metadata: { actor: { sub: 'lead', name: 'Lead', roles: ['territory_lead'] }, occurredOn: '2019-06-01' },
});

t.test('checkpoints, public key, inclusion and consistency proofs over HTTP, in RFC 9162 shapes', async (t) => {
  const witness = mkdtempSync(join(tmpdir(), 'ti-witness-'));
  t.teardown(() => rmSync(witness, { recursive: true, force: true }));
  const b = await build(t, { runner: false, env: { AUDIT_WITNESS_DIR: witness, AUDIT_CHECKPOINT_EVERY: 'off' } });
  const headers = { authorization: `Bearer ${await b.token('auditor')}` };
  const get = (url: string) => b.app.inject({ url, headers });

  t.equal((await get('/audit/checkpoints/latest')).statusCode, 404, 'none taken yet');
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) {
    const e = ev(i);
    ids.push(e.id);
    await b.system.store.append(`contract-c-${i % 3}`, [e], { expectedRevision: 'any' });
    if (i === 2 || i === 6) {
      await b.system.audit.tree.catchUp();
      await b.system.audit.checkpoints.take();
    }
  }
  const latest = (await get('/audit/checkpoints/latest')).json<{ logSize: number; rootHash: string }>();
  t.equal(latest.logSize, 7);
  const page = (await get('/audit/checkpoints?limit=1')).json<{ checkpoints: { logSize: number }[]; next: number }>();
  t.same(
    page.checkpoints.map((c) => c.logSize),
    [7],
  );
  const page2 = (await get(`/audit/checkpoints?limit=1&before=${page.next}`)).json<{
    checkpoints: { logSize: number; rootHash: string }[];
  }>();
  t.same(
    page2.checkpoints.map((c) => c.logSize),
    [3],
  );
  const first = page2.checkpoints[0]!;

  const key = (await get('/audit/public-key')).json<{ keyId: string; publicKeyPem: string }>();
  t.equal(key.keyId, b.system.audit.key.keyId);
  t.match(key.publicKeyPem, /BEGIN PUBLIC KEY/);

  const stored = await b.system.pool.query<{ event_id: string; hash: string }>('select event_id, hash from es.events');
  const chain = new Map(stored.rows.map((r) => [r.event_id, r.hash]));
  for (const [i, id] of ids.entries()) {
    const res = await get(`/audit/proofs/inclusion?eventId=${id}`);
    t.equal(res.statusCode, 200, res.body);
    const p = res.json<{
      leafIndex: number;
      treeSize: number;
      leafHash: string;
      inclusionPath: string[];
      rootHash: string;
    }>();
    t.equal(p.leafIndex, i);
    t.equal(p.rootHash, latest.rootHash, 'the root signed in the latest checkpoint');
    t.equal(
      p.leafHash,
      leafHash(Buffer.from(chain.get(id)!, 'hex')).toString('hex'),
      "the leaf is the event's chain hash",
    );
    const hx = (s: string) => Buffer.from(s, 'hex');
    t.ok(verifyInclusion(p.leafIndex, p.treeSize, hx(p.leafHash), p.inclusionPath.map(hx), hx(latest.rootHash)));
  }
  const c = (await get('/audit/proofs/consistency?from=3&to=7')).json<{ consistencyPath: string[] }>();
  const hx = (s: string) => Buffer.from(s, 'hex');
  t.ok(verifyConsistency(3, 7, c.consistencyPath.map(hx), hx(first.rootHash), hx(latest.rootHash)));

  // bad input: a clear 400 naming the parameter
  const bad = async (url: string, pattern: RegExp) => {
    const res = await get(url);
    t.equal(res.statusCode, 400, url);
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.match(res.json<{ detail: string }>().detail, pattern);
  };
  await bad(`/audit/proofs/inclusion?eventId=${ids[0]}&size=99`, /size: 99 is larger than the tree \(7 events\)/);
  await bad(`/audit/proofs/inclusion?eventId=${ids[5]}&size=3`, /is leaf 5, not in a tree of 3 events/);
  await bad('/audit/proofs/inclusion?eventId=nope', /eventId: must be a UUID/);
  await bad('/audit/proofs/consistency?from=2&to=70', /to: 70 is larger than the tree/);
  await bad('/audit/proofs/consistency?from=5&to=2', /from: 5 is larger than to/);
  t.equal((await get(`/audit/proofs/inclusion?eventId=${randomUUID()}`)).statusCode, 404);

  // POST /audit/verify: the anchor in the body
  const full = (await get('/audit/checkpoints/latest')).json<Record<string, unknown>>();
  const post = (checkpoint: unknown) =>
    b.app.inject({ method: 'POST', url: '/audit/verify', headers, payload: { checkpoint } });
  const ok = await post(full);
  t.equal(ok.statusCode, 200, ok.body);
  t.equal(ok.json<{ ok: boolean }>().ok, true);
  const malformed = await post({ ...full, rootHash: 'xyz' });
  t.equal(malformed.statusCode, 400);
  t.match(malformed.json<{ detail: string }>().detail, /checkpoint: checkpoint field rootHash/);
  const altered = await post({ ...full, logSize: 6 });
  t.equal(altered.statusCode, 400);
  t.match(altered.json<{ detail: string }>().detail, /signature does not verify/);
  await b.system.pool.query(`update es.events set data = '{"title":"forged"}' where event_id = $1`, [ids[4]]);
  const tampered = await post(full);
  t.equal(tampered.statusCode, 200);
  t.equal(tampered.json<{ ok: boolean }>().ok, false);

  t.equal((await b.app.inject({ url: '/audit/public-key' })).statusCode, 401);
  const reporter = { authorization: `Bearer ${await b.token('reporter')}` };
  t.equal((await b.app.inject({ url: '/audit/checkpoints', headers: reporter })).statusCode, 403);

  const spec = (await b.app.inject({ url: '/openapi.json' })).json<{
    paths: Record<string, Record<string, { operationId?: string }>>;
  }>();
  t.equal(spec.paths['/audit/proofs/inclusion']?.get?.operationId, 'getAuditInclusionProof');
  t.equal(spec.paths['/audit/verify']?.post?.operationId, 'verifyAuditCheckpoint');
});
