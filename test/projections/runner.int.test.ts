import t from 'tap';
import { sql } from 'kysely';
import { generate, generateNfi, generatePoles, insertEvents } from '../../bench/events.ts';
import { allProjections } from '../../src/projections/index.ts';
import { checksums, createShadow, rebuild } from '../../src/projections/rebuild.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import { SHADOW_SCHEMA } from '../../src/projections/schema.ts';
import type { Projection } from '../../src/projections/types.ts';
import { build } from '../helpers/build.ts';
import { caughtUp } from './helpers.ts';

t.test('the runner projects a generated history; batch writes equal event-by-event; rebuild equals live', async (t) => {
  const { system } = await build(t);
  // Territoires d'industrie, then La Nouvelle France industrielle, then the pôles (their own streams)
  const n =
    (await insertEvents(system.pool, generate(4000, 7), { chunk: 700 })) +
    (await insertEvents(system.pool, generateNfi(200), { chunk: 700 })) +
    (await insertEvents(system.pool, generatePoles(1500), { chunk: 700 }));
  await caughtUp(system.runner);
  const live = await checksums(system.db);
  // every read table but phase 2's applications (the generated log has no call for applications:
  // test/programmes/phase2.int.test.ts covers that projection, which has no batched path)
  for (const c of live) if (c.table !== 'applications') t.ok(c.rows > 0, `${c.table} has rows`);

  // the read models say what the log says
  const ev = await sql<{ type: string; n: string }>`select type, count(*) as n from es.events group by type`.execute(
    system.db,
  );
  const count = (type: string) => Number(ev.rows.find((r) => r.type === type)?.n ?? 0);
  const rows = (table: string) => live.find((c) => c.table === table)!.rows;
  t.equal(rows('audit_log'), n, 'one audit row per event');
  const q = async (text: string) => Number((await sql<{ n: string }>`${sql.raw(text)}`.execute(system.db)).rows[0]!.n);
  t.equal(await q('select count(*) as n from read.contracts where valid_to is null'), count('ContractDrafted'));
  t.equal(
    await q('select count(*) as n from read.contracts where valid_to is null and validated_on is not null'),
    count('ContractValidatedByRegion'),
  );
  t.equal(await q('select count(*) as n from read.projects where valid_to is null'), count('ProjectRegistered'));
  t.equal(await q('select count(*) as n from read.project_fundings'), count('ProjectFundingGranted'));
  t.equal(
    await q('select coalesce(sum(amount_cents),0) as n from read.project_fundings'),
    await q(
      `select coalesce(sum((data->>'amountCents')::bigint),0) as n from es.events where type = 'ProjectFundingGranted'`,
    ),
    'funding sums match',
  );
  t.equal(
    await q(`select count(*) as n from read.contract_decisions`),
    count('ContractSubmittedForValidation') +
      count('ContractValidatedByRegion') +
      count('ContractChangesRequestedByRegion') +
      count('ContractRejectedByRegion') +
      count('ContractSigned'),
    'one decision row per submission or decision',
  );
  // the current committed amount of a contract is the sum of its open commitments
  t.equal(
    await q(`select count(*) as n from read.contracts c where c.valid_to is null and c.committed_cents <>
      (select coalesce(sum(amount_cents),0) from read.contract_commitments m
        where m.contract_id = c.contract_id and m.valid_to is null and m.status <> 'withdrawn')`),
    0,
  );
  // versions never overlap: at most one open row per contract, intervals well ordered
  t.equal(await q(`select count(*) as n from read.contracts where valid_to is not null and valid_to <= valid_from`), 0);
  const s = await sql<{
    summary: string;
  }>`select summary from read.audit_log where type = 'ContractSigned' limit 1`.execute(system.db);
  t.match(s.rows[0]?.summary, /^Contract C\d+ signed$/);
  // the pôles' read models say what their generated log says (bench:rebuild's pôles share)
  t.equal(await q('select count(*) as n from read.poles'), count('PoleLabelled'));
  t.equal(
    await q(`select count(*) as n from read.poles where closed_on is not null`),
    count('PoleDelabelled') + count('PolesMerged'),
  );
  t.equal(await q('select count(*) as n from read.pole_labels'), count('PoleLabelled') + count('PoleLabelRenewed'));
  t.equal(
    await q(`select count(*) as n from read.pole_contracts where status = 'validated'`),
    count('PerformanceContractCoValidated'),
  );
  t.ok(count('PerformanceContractCoValidated') > 0 && count('PerformanceContractDrafted') > 0, 'contracts generated');
  t.equal(
    await q('select count(*) as n from read.pole_contract_decisions'),
    count('PerformanceContractSubmitted') +
      count('PerformanceContractValidatedByState') +
      count('PerformanceContractValidatedByRegion') +
      count('PerformanceContractRefused') +
      count('PerformanceContractCoValidated'),
  );
  t.equal(await q('select count(*) as n from read.fui_projects'), count('FuiProjectSubmitted'));
  t.equal(
    await q('select count(*) as n from read.fui_projects where completed_on is not null'),
    count('FuiProjectCompleted'),
  );
  t.equal(await q('select count(*) as n from read.fui_project_cofundings'), count('FuiProjectCoFunded'));
  t.equal(await q('select count(*) as n from read.fui_calls where published_on is not null'), 26);

  // the same log applied one event per batch into a shadow schema gives the same tables
  await createShadow(system.db);
  const oneByOne = new ProjectionRunner({
    store: system.store,
    db: system.db,
    pool: system.pool,
    registry: system.registry,
    projections: allProjections,
    name: 'one-by-one',
    schema: SHADOW_SCHEMA,
  });
  await oneByOne.catchUp({ batchSize: 1 });
  t.same(await checksums(system.db, SHADOW_SCHEMA), live, 'batch size 1 == batch size 2000');

  // a rebuild (fresh) swaps in identical tables
  const r = await rebuild({ ...system, projections: allProjections }, { fresh: true });
  t.equal(r.events, n);
  t.same(await checksums(system.db), live, 'rebuild == live');
  // and the live runner carries on from the swapped checkpoint
  await insertEvents(system.pool, generate(300, 8, 'x'), { chunk: 100 });
  await caughtUp(system.runner);
  const all = await sql<{ n: string }>`select count(*) as n from es.events`.execute(system.db);
  t.ok(Number(all.rows[0]!.n) > n, 'more events now');
  t.equal((await checksums(system.db)).find((c) => c.table === 'audit_log')!.rows, Number(all.rows[0]!.n));
});

t.test('an event a projection cannot apply is retried, parked, shown, and replayed after a fix', async (t) => {
  const { app, system, token } = await build(t, { runner: false });
  await insertEvents(system.pool, generate(400, 3), { chunk: 100 });
  const victim = await sql<{
    event_id: string;
  }>`select event_id from es.events where type = 'ProjectRegistered' order by position limit 1`.execute(system.db);
  const badId = victim.rows[0]!.event_id;
  let broken = true;
  let attempts = 0;
  const flaky: Projection = {
    name: 'flaky',
    handles: new Set(['ProjectRegistered']),
    async apply(db, e) {
      if (broken && e.recorded.id === badId) {
        attempts++;
        throw new Error('cannot apply this one');
      }
      await sql`insert into read.regions (region_code, valid_from, valid_to, name, position)
        values (${'x' + e.recorded.position.toString()}, '2020-01-01', null, 'probe', ${e.recorded.position.toString()})`.execute(
        db,
      );
    },
  };
  const runner = new ProjectionRunner({
    store: system.store,
    db: system.db,
    pool: system.pool,
    registry: system.registry,
    projections: [...allProjections, flaky],
    maxAttempts: 3,
  });
  runner.start();
  t.teardown(() => runner.stop());
  await caughtUp(runner);
  t.equal(attempts, 4, 'tried in the batch, then three times on its own');
  const parked = await runner.parked();
  t.equal(parked.length, 1);
  t.equal(parked[0]!.event_id, badId);
  t.match(parked[0]!.error, /cannot apply this one/);
  const registered = Number(
    (await sql<{ n: string }>`select count(*) as n from es.events where type = 'ProjectRegistered'`.execute(system.db))
      .rows[0]!.n,
  );
  const probes = async () =>
    Number(
      (await sql<{ n: string }>`select count(*) as n from read.regions where name = 'probe'`.execute(system.db))
        .rows[0]!.n,
    );
  t.equal(await probes(), registered - 1, 'every other event applied');
  t.equal(
    Number(
      (await sql<{ n: string }>`select count(*) as n from read.projects where valid_to is null`.execute(system.db))
        .rows[0]!.n,
    ),
    registered,
    'the other projections applied the parked event',
  );

  const ready = await app.inject({ url: '/readyz' });
  t.equal(ready.json<{ projections: { parkedEvents: number } }>().projections.parkedEvents, 1, '/readyz shows it');
  const reporter = await token('reporter');
  const metrics = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${reporter}` } });
  t.match(metrics.body, /ti_projection_parked_events\{runner="main"\} 1/);

  // still broken: replay keeps it parked
  const again = await runner.replayParked();
  t.same(again, { replayed: 0, failed: 1, missing: 0 });
  broken = false;
  const fixed = await runner.replayParked();
  t.same(fixed, { replayed: 1, failed: 0, missing: 0 });
  t.equal(await probes(), registered, 'the parked event is applied after the fix');
  t.equal((await runner.parked()).length, 0);
});

t.test('two runners on one database: only one is active; the standby takes over', async (t) => {
  const { system } = await build(t, { runner: false });
  const make = () =>
    new ProjectionRunner({
      store: system.store,
      db: system.db,
      pool: system.pool,
      registry: system.registry,
      projections: allProjections,
      lockRetryMs: 50,
    });
  const a = make();
  const b = make();
  a.start();
  await new Promise((r) => setTimeout(r, 200));
  b.start();
  t.teardown(async () => {
    await a.stop();
    await b.stop();
  });
  await insertEvents(system.pool, generate(200, 5), { chunk: 50 });
  await new Promise((r) => setTimeout(r, 300));
  t.equal(a.active, true, 'the first holds the lock');
  t.equal(b.active, false, 'the second stands by');
  await caughtUp(a);
  t.equal(b.stats.eventsApplied, 0, 'the standby applied nothing');
  await a.stop();
  await insertEvents(system.pool, generate(50, 6, 'b'), { chunk: 50 });
  const deadline = Date.now() + 5000;
  while (!b.active && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.equal(b.active, true, 'the standby took over');
  await caughtUp(b);
  t.ok(b.stats.eventsApplied > 0, 'and applies the new events');
});
