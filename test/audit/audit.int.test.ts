import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { handleCommand, loadAggregate } from '../../src/application/commandHandler.ts';
import { exportBundle, VERIFY_SCRIPT } from '../../src/audit/bundle.ts';
import { contractDecider, territoryFacts } from '../../src/domain/territoires-industrie/contract/index.ts';
import { territoryDecider } from '../../src/domain/territoires-industrie/territory/index.ts';
import { build, type Built } from '../helpers/build.ts';

const run = promisify(execFile);
const actor = { sub: 'admin-1', name: 'Programme admin (test)', roles: ['programme_admin'] };
const lead = { sub: 'lead-4401', name: 'Co-lead (test)', roles: ['territory_lead'] };
const meta = (a = actor) => ({ actor: a, today: '2026-01-01' });

/** A small history: 4401 labelled, renamed, perimeter changed; a contract drafted; 4402 labelled. */
async function history(system: Built['system'], projectionsRunning = true) {
  const label = (id: string, name: string, epcis: string[]) =>
    handleCommand(
      system,
      `territory-${id}`,
      territoryDecider,
      {
        type: 'LabelTerritory',
        data: {
          territoryId: id,
          programme: 'territoires-industrie-2018',
          name,
          regionCode: '44',
          epcis: epcis.map((siren) => ({ siren, name: `CC Test ${siren}` })),
          labelledOn: '2018-11-22',
        },
        metadata: meta(),
      },
      { actor },
    );
  await label('4401', 'Val et Terres (test)', ['200000001', '200000002']);
  await label('4402', 'Other (test)', ['200000003']);
  await handleCommand(
    system,
    'territory-4401',
    territoryDecider,
    {
      type: 'RenameTerritory',
      data: { territoryId: '4401', name: 'Val (test)', renamedOn: '2019-06-01' },
      metadata: meta(),
    },
    { actor },
  );
  const { state } = await loadAggregate(system, 'territory-4401', territoryDecider);
  const draft = await handleCommand(
    system,
    'contract-c-4401',
    contractDecider,
    {
      type: 'DraftContract',
      data: {
        contractId: 'c-4401',
        territoryId: '4401',
        title: 'Contrat (test)',
        draftedOn: '2019-03-01',
        territory: territoryFacts(state),
      },
      metadata: meta(lead),
    },
    { actor: lead },
  );
  const last = await handleCommand(
    system,
    'territory-4401',
    territoryDecider,
    {
      type: 'ChangeTerritoryPerimeter',
      data: {
        territoryId: '4401',
        added: [{ siren: '200000009', name: 'CC Added (test)' }],
        removed: ['200000002'],
        decidedOn: '2019-09-01',
        reason: 'test',
      },
      metadata: meta(),
    },
    { actor },
  );
  // the timeline finds a territory's contracts and projects through the read models
  if (projectionsRunning && !(await system.runner.waitFor(last.position!, 10_000)))
    throw new Error('the projections did not catch up');
  return { draft, last };
}

const auth = async (b: Built, role: 'auditor' | 'programme_admin' | 'reporter' = 'auditor') => ({
  authorization: `Bearer ${await b.token(role)}`,
});

t.test('the timeline of a territory: its events and its contracts, in business-date order', async (t) => {
  const b = await build(t);
  await history(b.system);
  const res = await b.app.inject({ url: '/audit/territories/4401/timeline', headers: await auth(b) });
  t.equal(res.statusCode, 200, res.body);
  const body = res.json<{
    streams: string[];
    events: {
      type: string;
      occurredOn: string;
      actor: { sub: string };
      hash: string;
      recordedAt: string;
      stream: string;
    }[];
  }>();
  t.same(body.streams, ['contract-c-4401', 'territory-4401']);
  t.same(
    body.events.map((e) => [e.occurredOn, e.type, e.actor.sub]),
    [
      ['2018-11-22', 'TerritoryLabelled', 'admin-1'],
      ['2019-03-01', 'ContractDrafted', 'lead-4401'],
      ['2019-06-01', 'TerritoryRenamed', 'admin-1'],
      ['2019-09-01', 'TerritoryPerimeterChanged', 'admin-1'],
    ],
    'business-date order, not recording order (the contract was recorded after the rename)',
  );
  for (const e of body.events) {
    t.match(e.hash, /^[0-9a-f]{64}$/);
    t.ok(!Number.isNaN(Date.parse(e.recordedAt)), 'recorded time');
  }
  const window = await b.app.inject({
    url: '/audit/territories/4401/timeline?from=2019-01-01&to=2019-06-30',
    headers: await auth(b, 'programme_admin'),
  });
  t.same(
    window.json<{ events: { type: string }[] }>().events.map((e) => e.type),
    ['ContractDrafted', 'TerritoryRenamed'],
  );
  t.equal((await b.app.inject({ url: '/audit/territories/9999/timeline', headers: await auth(b) })).statusCode, 404);
  t.equal((await b.app.inject({ url: '/audit/territories/4401/timeline' })).statusCode, 401);
  t.equal(
    (await b.app.inject({ url: '/audit/territories/4401/timeline', headers: await auth(b, 'reporter') })).statusCode,
    403,
  );
});

t.test('a territory rebuilt from its stream as of a date, cross-checked with the read model', async (t) => {
  const b = await build(t);
  const { last } = await history(b.system);
  t.ok(await b.system.runner.waitFor(last.position!, 10_000), 'projections caught up');
  const get = async (q: string) => b.app.inject({ url: `/audit/territories/4401${q}`, headers: await auth(b) });
  const before = await get('?asOf=2019-05-31');
  t.equal(before.statusCode, 200, before.body);
  t.match(before.json(), {
    asOf: '2019-05-31',
    rebuilt: {
      name: 'Val et Terres (test)',
      status: 'labelled',
      epcis: [{ siren: '200000001' }, { siren: '200000002' }],
    },
    eventsFolded: 1,
    matchesReadModel: true,
    differences: [],
  });
  const after = await get('?asOf=2019-12-31');
  t.match(after.json(), {
    rebuilt: { name: 'Val (test)', epcis: [{ siren: '200000001' }, { siren: '200000009' }] },
    eventsFolded: 3,
    lastRevision: 2,
    matchesReadModel: true,
  });
  const none = await get('?asOf=2018-11-21');
  t.equal(none.statusCode, 404);

  // a read model that drifted from the log is shown up
  await b.system.pool.query(
    `update read.territories set name = 'Tampered' where territory_id = '4401' and valid_to is null`,
  );
  const drift = await get('');
  t.equal(drift.json<{ matchesReadModel: boolean }>().matchesReadModel, false);
  t.match(drift.json<{ differences: string[] }>().differences, [/name: stream "Val \(test\)", read model "Tampered"/]);
});

t.test('GET /audit/verify: an intact log, then each kind of tampering pinpointed', async (t) => {
  const verify = async (b: Built, q = '') => {
    const r = await b.app.inject({ url: `/audit/verify${q}`, headers: await auth(b) });
    t.equal(r.statusCode, 200, r.body);
    return r.json<{
      ok: boolean;
      eventsChecked: number;
      streamsChecked: number;
      firstBroken: {
        stream: string;
        revision: number;
        eventId: string | null;
        position: string | null;
        reason: string;
      } | null;
    }>();
  };
  const eventAt = async (b: Built, stream: string, revision: number) =>
    (
      await b.system.pool.query<{ event_id: string; position: string }>(
        'select event_id, position::text as position from es.events where stream_name = $1 and revision = $2',
        [stream, revision],
      )
    ).rows[0]!;

  t.test('intact', async (t) => {
    const b = await build(t, { runner: false });
    await history(b.system, false);
    t.same(await verify(b), { ok: true, eventsChecked: 5, streamsChecked: 3, firstBroken: null });
    t.same(await verify(b, '?stream=territory-4401'), {
      ok: true,
      eventsChecked: 3,
      streamsChecked: 1,
      firstBroken: null,
    });
    t.equal(
      (await b.app.inject({ url: '/audit/verify', headers: await auth(b, 'reporter') })).statusCode,
      403,
      'auditors and programme administrators only',
    );
  });

  t.test('changed data', async (t) => {
    const b = await build(t, { runner: false });
    await history(b.system, false);
    const target = await eventAt(b, 'territory-4401', 1);
    await b.system.pool.query(`update es.events set data = jsonb_set(data, '{name}', '"Forged"') where event_id = $1`, [
      target.event_id,
    ]);
    const r = await verify(b);
    t.equal(r.ok, false);
    t.match(r.firstBroken, {
      stream: 'territory-4401',
      revision: 1,
      eventId: target.event_id,
      position: target.position,
      reason: /hash mismatch/,
    });
    t.match((await verify(b, '?stream=territory-4402')).ok, true, 'another stream is still intact');
  });

  t.test('changed metadata (the actor)', async (t) => {
    const b = await build(t, { runner: false });
    await history(b.system, false);
    const target = await eventAt(b, 'contract-c-4401', 0);
    await b.system.pool.query(
      `update es.events set metadata = jsonb_set(metadata, '{actor,sub}', '"someone-else"') where event_id = $1`,
      [target.event_id],
    );
    t.match((await verify(b)).firstBroken, {
      stream: 'contract-c-4401',
      revision: 0,
      eventId: target.event_id,
      reason: /hash mismatch/,
    });
  });

  t.test('changed order (two events swapped)', async (t) => {
    const b = await build(t, { runner: false });
    await history(b.system, false);
    await b.system.pool.query(
      `update es.events set revision = -100 where stream_name = 'territory-4401' and revision = 1;
       update es.events set revision = 1 where stream_name = 'territory-4401' and revision = 2;
       update es.events set revision = 2 where stream_name = 'territory-4401' and revision = -100;`,
    );
    const r = await verify(b, '?stream=territory-4401');
    t.match(r.firstBroken, { stream: 'territory-4401', revision: 1, reason: /prev_hash|hash mismatch/ });
    t.equal(r.eventsChecked, 1, 'revision 0 still checks');
  });

  t.test('a deleted event', async (t) => {
    const b = await build(t, { runner: false });
    await history(b.system, false);
    await b.system.pool.query(`delete from es.events where stream_name = 'territory-4401' and revision = 1`);
    t.match((await verify(b)).firstBroken, { stream: 'territory-4401', revision: 2, reason: /revision gap/ });
  });

  t.test('a deleted last event', async (t) => {
    const b = await build(t, { runner: false });
    await history(b.system, false);
    await b.system.pool.query(`delete from es.events where stream_name = 'territory-4401' and revision = 2`);
    t.match((await verify(b)).firstBroken, {
      stream: 'territory-4401',
      revision: 2,
      eventId: null,
      reason: /missing events/,
    });
  });
});

t.test('the evidence bundle and its offline recipe', async (t) => {
  const b = await build(t);
  const { last } = await history(b.system);
  t.ok(await b.system.runner.waitFor(last.position!, 10_000));
  const dir = mkdtempSync(join(tmpdir(), 'hist-bundle-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'bundle');
  const r = await exportBundle(b.system, {
    territoryId: '4401',
    asOf: '2019-06-30',
    out,
    now: new Date('2026-01-01T00:00:00Z'),
  });
  t.equal(r.events, 4);
  t.equal(r.ok, true);
  t.same(r.files, [
    'README.md',
    'SHA256SUMS',
    'checkpoint.json',
    'events.jsonl',
    'manifest.json',
    'proofs.jsonl',
    'public-key.pem',
    'read-model.json',
    'rebuilt.json',
    'verification.json',
    'verify_bundle.mjs',
    'verify_bundle.py',
    'verify_chain.py',
  ]);

  const lines = readFileSync(join(out, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  // the recipe's algorithm, reimplemented: sorted keys, no whitespace, SHA-256
  const canon = (v: unknown): string =>
    Array.isArray(v)
      ? `[${v.map(canon).join(',')}]`
      : v && typeof v === 'object'
        ? `{${Object.keys(v)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`)
            .join(',')}}`
        : JSON.stringify(v);
  for (const e of lines) {
    const { stream, revision, type, schemaVersion, data, metadata, prevHash } = e;
    const h = createHash('sha256')
      .update(canon({ stream, revision, type, schemaVersion, data, metadata, prevHash }))
      .digest('hex');
    t.equal(h, e.hash, `recipe reproduces the hash of ${String(stream)}@${String(revision)}`);
  }
  const readModel = JSON.parse(readFileSync(join(out, 'read-model.json'), 'utf8')) as { territory: { name: string } };
  t.equal(readModel.territory.name, 'Val (test)', 'the read model as of 2019-06-30');
  const rebuilt = JSON.parse(readFileSync(join(out, 'rebuilt.json'), 'utf8')) as { eventsFolded: number };
  t.equal(rebuilt.eventsFolded, 2);
  const readme = readFileSync(join(out, 'README.md'), 'utf8');
  t.ok(readme.includes(VERIFY_SCRIPT), 'the README quotes the script it ships');

  // and the recipes themselves, with the standard tools
  const sums = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out });
  t.match(sums.stdout, /events\.jsonl: OK/);
  const py = await run('python3', ['verify_chain.py', 'events.jsonl'], { cwd: out });
  t.match(py.stdout, /4 events, 2 streams, 0 broken/);
  const jq = await run(
    'sh',
    [
      '-c',
      "sed -n 2p events.jsonl | jq -jcS '{stream,revision,type,schemaVersion,data,metadata,prevHash}' | sha256sum",
    ],
    { cwd: out },
  );
  t.equal(jq.stdout.split(' ')[0], lines[1]!.hash, 'the jq + sha256sum recipe');

  // a forged line is caught by the offline check
  const forged = readFileSync(join(out, 'events.jsonl'), 'utf8').replace('Val (test)', 'Forged');
  const forgedFile = join(dir, 'forged.jsonl');
  (await import('node:fs')).writeFileSync(forgedFile, forged);
  const bad = await run('python3', [join(out, 'verify_chain.py'), forgedFile]).then(
    () => ({ code: 0, stdout: '' }),
    (e: { code: number; stdout: string }) => e,
  );
  t.equal(bad.code, 1);
  t.match(bad.stdout, /BROKEN line \d+: territory-4401 revision 1/);
});

t.test('npm run audit:verify and audit:export', async (t) => {
  const b = await build(t, { runner: false });
  await history(b.system, false);
  const witness = mkdtempSync(join(tmpdir(), 'hist-witness-'));
  t.teardown(() => rmSync(witness, { recursive: true, force: true }));
  const env = {
    ...process.env,
    DATABASE_URL: b.system.server.url,
    SEED: 'none',
    LOG_LEVEL: 'silent',
    AUDIT_WITNESS_DIR: witness,
  };
  const cli = (args: string[]) =>
    run('node', ['--import', 'tsx', 'src/cli/audit.ts', ...args], { env }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
  const ok = await cli(['verify']);
  t.equal(ok.code, 0, ok.stderr);
  t.match(JSON.parse(ok.stdout), { ok: true, eventsChecked: 5, streamsChecked: 3 });
  t.match(ok.stderr, /\[#+\] 100% 5\/5 events/);
  const dir = mkdtempSync(join(tmpdir(), 'hist-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const exp = await cli(['export', '--territory', '4401', '--as-of', '2019-06-30', '--out', join(dir, 'b')]);
  t.equal(exp.code, 0, exp.stderr);
  t.match(exp.stdout, /4 events in 2 streams, chains intact/);
  await b.system.pool.query(`delete from es.events where stream_name = 'territory-4402'`);
  const broken = await cli(['verify']);
  t.equal(broken.code, 1);
  t.match(broken.stderr, /BROKEN: territory-4402 revision 0: missing events/);
});
