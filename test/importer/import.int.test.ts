import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import t from 'tap';
import { continuityReport } from '../../src/projections/reports/continuity.ts';
import { loadAggregate } from '../../src/application/commandHandler.ts';
import { territoryDecider } from '../../src/domain/territoires-industrie/territory/index.ts';
import { importTerritories, type ImportOptions } from '../../src/importer/run.ts';
import { PROGRAMMES, parseTerritoryLists } from '../../src/importer/territories.ts';
import { build, type Built } from '../helpers/build.ts';

const run = promisify(execFile);
const fx = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname;
const fixture = (name: string) => ({ name, text: readFileSync(fx(name), 'utf8') });
const phase1 = PROGRAMMES['territoires-industrie-2018']!;
const actor = { sub: 'test-importer', name: 'Test importer', roles: ['programme_admin'] };

const opts = (o: Partial<ImportOptions> = {}): ImportOptions => ({
  programme: phase1,
  effectiveOn: '2020-10-04',
  today: '2026-01-01',
  actor,
  source: 'fixture',
  dryRun: false,
  skipInvalid: false,
  ...o,
});

const lists = (communes: string) =>
  parseTerritoryLists({ programme: phase1, communes: fixture(communes), inseeCommunes: fixture('insee-communes.csv') })
    .territories;

async function allEvents(system: Built['system']) {
  const out = [];
  for await (const e of system.store.readAll()) out.push(e);
  return out;
}

t.test('imports the differences only, through the territory commands', async (t) => {
  const { system } = await build(t, { runner: false });
  const first = await importTerritories(system, lists('sf-communes-v1.csv'), opts());
  t.same(
    first.changes.map((c) => [c.kind, c.territoryId]),
    [
      ['label', '4401'],
      ['label', '4402'],
      ['label', '8401'],
    ],
  );
  t.equal(first.eventsRecorded, 3);
  let events = await allEvents(system);
  t.same(
    events
      .map((e) => [e.type, e.stream, e.metadata.occurredOn, e.metadata.actor.sub])
      .sort((a, b) => a[1]!.localeCompare(b[1]!)),
    [
      ['TerritoryLabelled', 'territory-4401', '2020-10-04', 'test-importer'],
      ['TerritoryLabelled', 'territory-4402', '2020-10-04', 'test-importer'],
      ['TerritoryLabelled', 'territory-8401', '2020-10-04', 'test-importer'],
    ],
    'one label each, dated --effective-on, recorded by the importer',
  );

  const again = await importTerritories(system, lists('sf-communes-v1.csv'), opts());
  t.equal(again.eventsRecorded, 0, 'the same file twice records nothing the second time');
  t.equal(again.unchanged, 3);
  t.equal((await allEvents(system)).length, 3);

  const dry = await importTerritories(
    system,
    lists('sf-communes-v2.csv'),
    opts({ effectiveOn: '2020-10-15', dryRun: true }),
  );
  t.equal(dry.changes.length, 3);
  t.equal(dry.recorded, false);
  t.equal((await allEvents(system)).length, 3, 'a dry run records nothing');

  const second = await importTerritories(system, lists('sf-communes-v2.csv'), opts({ effectiveOn: '2020-10-15' }));
  t.same(second.changes, [
    { kind: 'rename', territoryId: '4401', from: 'Fixture Vosges', to: 'Fixture Vosges renamed' },
    { kind: 'perimeter', territoryId: '4401', added: ['200000004'], removed: ['200000002'] },
    { kind: 'label', territoryId: '9401', name: 'Fixture Corse, "quoted"', epcis: 1 },
  ]);
  t.equal(second.eventsRecorded, 3);
  const { state } = await loadAggregate(system, 'territory-4401', territoryDecider);
  t.match(state, { status: 'Labelled', name: 'Fixture Vosges renamed', lastDate: '2020-10-15' });
  t.same(state.status === 'Labelled' ? state.epcis.map((e) => e.siren) : [], ['200000001', '200000004']);
  events = await allEvents(system);
  t.same(
    events
      .slice(3)
      .map((e) => [e.stream, e.type, e.metadata.occurredOn])
      .sort((a, b) => a[0]!.localeCompare(b[0]!)),
    [
      ['territory-4401', 'TerritoryRenamed', '2020-10-15'],
      ['territory-4401', 'TerritoryPerimeterChanged', '2020-10-15'],
      ['territory-9401', 'TerritoryLabelled', '2020-10-15'],
    ],
  );
  const third = await importTerritories(system, lists('sf-communes-v2.csv'), opts({ effectiveOn: '2020-10-15' }));
  t.equal(third.eventsRecorded, 0, 'idempotent again');
});

t.test('a change dated before what the store holds is refused, and then nothing is recorded', async (t) => {
  const { system } = await build(t, { runner: false });
  await importTerritories(system, lists('sf-communes-v1.csv'), opts({ effectiveOn: '2020-10-15' }));
  const back = await importTerritories(system, lists('sf-communes-v2.csv'), opts({ effectiveOn: '2020-10-04' }));
  t.match(back.refused, [{ territoryId: '4401', message: /before the territory's last recorded change/ }]);
  t.equal(back.recorded, false);
  t.equal((await allEvents(system)).length, 3, 'not even the new territory 9401');
  const skip = await importTerritories(
    system,
    lists('sf-communes-v2.csv'),
    opts({ effectiveOn: '2020-10-04', skipInvalid: true }),
  );
  t.equal(skip.eventsRecorded, 1, 'with skipInvalid the others are recorded');

  await t.rejects(importTerritories(system, lists('sf-communes-v1.csv'), opts({ effectiveOn: '2018-11-21' })), {
    message: /before territoires-industrie-2018 began/,
  });
  const p2 = PROGRAMMES['territoires-industrie-2023']!;
  await t.rejects(importTerritories(system, [], opts({ programme: p2, effectiveOn: '2023-01-01' })), {
    message: /before territoires-industrie-2023 began/,
  });
});

t.test('phase 2 reuses phase 1 numbers: two territories, two streams, two rows', async (t) => {
  const { system } = await build(t, { runner: false });
  await importTerritories(system, lists('sf-communes-v1.csv'), opts());
  const p2 = PROGRAMMES['territoires-industrie-2023']!;
  const parsed = parseTerritoryLists({
    programme: p2,
    communes: fixture('anct-communes.csv'),
    groupements: fixture('anct-groupements.csv'),
  });
  const r = await importTerritories(system, parsed.territories, opts({ programme: p2, effectiveOn: '2023-11-09' }));
  t.same(
    r.changes.map((c) => [c.kind, c.territoryId]),
    [
      ['label', '4401'],
      ['label', '4402'],
    ],
  );
  const { state } = await loadAggregate(system, 'territory-4401@territoires-industrie-2023', territoryDecider);
  t.match(state, { programme: 'territoires-industrie-2023', name: 'Fixture Vallée Deux' });
  const { state: old } = await loadAggregate(system, 'territory-4401', territoryDecider);
  t.match(old, { programme: 'territoires-industrie-2018', name: 'Fixture Vosges' });
  // idempotent: the same list again records nothing
  const again = await importTerritories(system, parsed.territories, opts({ programme: p2, effectiveOn: '2023-11-09' }));
  t.same(again.changes, []);
  t.equal(again.eventsRecorded, 0);
  // the read model holds both 4401s, each under its programme
  await system.runner.ensureCaughtUp();
  const rows = await system.db
    .selectFrom('read.territories')
    .select(['programme', 'name'])
    .where('territory_id', '=', '4401')
    .where('valid_to', 'is', null)
    .orderBy('programme')
    .execute();
  t.same(rows, [
    { programme: 'territoires-industrie-2018', name: 'Fixture Vosges' },
    { programme: 'territoires-industrie-2023', name: 'Fixture Vallée Deux' },
  ]);
  // an imported list carries no `succeeds`: the continuity report proposes the pairs from EPCI overlap
  const continuity = await continuityReport(system.db, p2.id, 'territoires-industrie-2018', '2023-12-31');
  t.match(continuity.counts, { renewed: 0, new: 2, proposed: 2 });
  t.same(
    continuity.new.map((n) => [n.id, n.proposals.map((p) => [p.id, p.sharedEpcis, p.jaccard])]),
    [
      ['4401', [['4401', 2, 1]]],
      ['4402', [['4402', 1, continuity.new[1]!.proposals[0]!.jaccard]]],
    ],
  );
  t.ok(continuity.new[1]!.proposals[0]!.jaccard >= 0.5);
});

t.test('npm run import:territories: errors stop the import, --skip-invalid and --dry-run', async (t) => {
  const { system } = await build(t, { runner: false });
  const env = { ...process.env, DATABASE_URL: system.server.url, SEED: 'none', LOG_LEVEL: 'silent' };
  const cli = (args: string[]) =>
    run('node', ['--import', 'tsx', 'src/cli/import-territories.ts', ...args], { env }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
  const base = ['--communes', fx('sf-communes-bad.csv'), '--insee-communes', fx('insee-communes.csv')];
  const bad = await cli([...base, '--effective-on', '2020-10-04']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /sf-communes-bad\.csv:3: commune code "8800X"/);
  t.match(bad.stderr, /sf-communes-bad\.csv:6: expected 3 fields, found 2/);
  t.match(bad.stderr, /nothing imported: 6 problems/);
  t.equal(await system.store.headCheckpoint(), undefined, 'nothing recorded');

  const dry = await cli([...base, '--effective-on', '2020-10-04', '--skip-invalid', '--dry-run']);
  t.equal(dry.code, 0, dry.stderr);
  t.match(dry.stdout, /\+ label {3}4401 "Fixture Vosges" \(1 EPCIs\)/);
  t.match(dry.stdout, /dry run: nothing recorded/);
  t.equal(await system.store.headCheckpoint(), undefined, 'still nothing recorded');

  const skip = await cli([...base, '--effective-on', '2020-10-04', '--skip-invalid']);
  t.equal(skip.code, 0, skip.stderr);
  t.match(skip.stdout, /recorded 2 events/);
  t.equal((await allEvents(system)).length, 2);

  const usage = await cli(['--communes', fx('sf-communes-v1.csv')]);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /--effective-on YYYY-MM-DD is required/);
});

t.test('territories in the store but not in the file are listed even when no runner projected them', async (t) => {
  const { system } = await build(t, { runner: false });
  await importTerritories(system, lists('sf-communes-v2.csv'), opts());
  // no runner ran: the read model is behind the log until the importer brings it up to date
  const report = await importTerritories(system, lists('sf-communes-v1.csv'), opts({ dryRun: true }));
  t.same(report.notInFile, ['9401'], 'the territory only the earlier list had');
  t.equal(report.eventsRecorded, 0, 'a dry run records nothing');
});
