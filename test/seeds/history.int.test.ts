import t from 'tap';
import { demoPlanSteps, loadDemoHistory, seedIfEmpty } from '../../seeds/index.ts';
import { buildPlan, type Plan } from '../../seeds/history.ts';
import { nfiDemoSteps } from '../../seeds/nfi.ts';
import { build } from '../helpers/build.ts';
import { handleCommand } from '../../src/application/commandHandler.ts';
import { territoryDecider } from '../../src/domain/territoires-industrie/territory/index.ts';
import { territoryStream } from '../../src/eventstore/streams.ts';

type Progress = {
  asOf: string;
  territories: number;
  epcis: number;
  contracts: { validated: number; signed: number };
  projects: number;
  byRegion: { regionCode: string; territories: number }[];
  byAxis: { axis: string; projects: number }[];
};

t.test('the plan is deterministic', async (t) => {
  const a = buildPlan();
  const b = buildPlan();
  t.equal(JSON.stringify(a.steps), JSON.stringify(b.steps), 'same seed, same history');
  t.not(JSON.stringify(buildPlan(7).steps), JSON.stringify(a.steps), 'another seed, another history');
});

t.test('the demo history loads through the commands and replays every published milestone', async (t) => {
  const { app, system, token } = await build(t);
  const today = new Date().toISOString().slice(0, 10);
  const r = await loadDemoHistory(system, { today });
  t.comment(`demo history: ${r.commands} commands, ${r.events} events in ${r.ms} ms`);
  t.equal(r.events, r.commands, 'every command recorded one event');
  const projStart = Date.now();
  t.ok(await system.runner.waitFor(r.lastPosition!, 120_000), 'projections caught up');
  t.comment(`projections caught up ${Date.now() - projStart} ms after the load`);

  const reporter = await token('reporter');
  const progress = async (asOf: string) => {
    const res = await app.inject({
      url: `/reports/progress?asOf=${asOf}`,
      headers: { authorization: `Bearer ${reporter}` },
    });
    t.equal(res.statusCode, 200, res.body);
    return res.json<Progress>();
  };
  const plan: Plan = buildPlan();
  for (const m of plan.milestones) {
    const p = await progress(m.asOf);
    t.equal(p.territories, m.territories, `${m.asOf}: ${m.territories} territories`);
    if (m.contractsValidated !== undefined)
      t.equal(p.contracts.validated, m.contractsValidated, `${m.asOf}: ${m.contractsValidated} contracts validated`);
    if (typeof m.projects === 'number') t.equal(p.projects, m.projects, `${m.asOf}: ${m.projects} projects`);
    else t.ok(p.projects >= m.projects.min, `${m.asOf}: ${p.projects} projects, at least ${m.projects.min}`);
    t.comment(
      `${m.asOf}: ${p.territories} territories, ${p.contracts.validated} validated, ${p.projects} projects, ${p.epcis} EPCIs`,
    );
  }
  const end = await progress('2020-12-31');
  t.ok(end.epcis >= 450 && end.epcis <= 550, `about 500 EPCIs at the end of 2020 (${end.epcis})`);
  const regions = Object.fromEntries(end.byRegion.map((x) => [x.regionCode, x.territories]));
  t.match(
    regions,
    { '44': 15, '84': 17, '52': 15, '32': 13, '94': 2, '01': 1 },
    'territories per Region as in Oct 2020',
  );
  t.equal(new Set(end.byAxis.map((a) => a.axis)).size, 4, 'projects on all four axes');
  const april = await progress('2019-04-30');
  t.ok(april.contracts.signed >= 13, `protocols signed by 2019-04-30 (${april.contracts.signed})`);

  // Grand Est: the 13 real names of 22 Nov 2018, then 15 with the 2019 changes
  const names = async (asOf: string) =>
    (
      await app.inject({
        url: `/territories?region=44&asOf=${asOf}&limit=100`,
        headers: { authorization: `Bearer ${reporter}` },
      })
    )
      .json<{
        items: { id: string; name: string; status: string; synthetic: boolean }[];
      }>()
      .items.filter((x) => x.status === 'labelled');
  const ge2018 = await names('2018-11-22');
  t.equal(ge2018.length, 13);
  t.ok(ge2018.some((x) => x.name === 'Val et Terres de Lorraine'));
  t.ok(ge2018.some((x) => x.name === 'Bassin de Joinville – Langres – Chaumont'));
  t.ok(
    ge2018.every((x) => !x.synthetic),
    'real names are not flagged synthetic',
  );
  const ge2019 = await names('2019-11-19');
  t.equal(ge2019.length, 15);
  const by = Object.fromEntries(ge2019.map((x) => [x.id, x.name]));
  t.match(by, {
    '4411': 'Terres de Lorraine',
    '4413': 'Val de Lorraine',
    '4409': 'Sel et Vermois',
    '4403': 'Bassins de Langres - Chaumont',
    '4414': 'Vitry-le-François - Saint-Dizier - Bar-le-Duc - Bassin de Joinville',
  });
  t.notOk(by['4490'], 'Val et Terres de Lorraine is split');
  t.ok(
    (await names('2019-06-13')).some((x) => x.id === '4490'),
    'and was labelled until the split',
  );
  const other = (
    await app.inject({ url: '/territories?region=84&limit=1', headers: { authorization: `Bearer ${reporter}` } })
  ).json<{
    items: { name: string; synthetic: boolean }[];
  }>();
  t.match(other.items[0], { name: /synthétique/, synthetic: true });
  // no public list gives the EPCIs of a territory of 2018: every EPCI of the demo is flagged
  const epcis = await system.pool.query<{ n: string; flagged: string }>(
    `select count(*) as n, count(*) filter (where (x->>'synthetic')::boolean) as flagged
       from es.events, jsonb_array_elements(case type when 'TerritoryLabelled' then data->'epcis' else data->'added' end) x
      where type in ('TerritoryLabelled', 'TerritoryPerimeterChanged')`,
  );
  t.ok(Number(epcis.rows[0]!.n) > 400, 'EPCIs recorded');
  t.equal(epcis.rows[0]!.flagged, epcis.rows[0]!.n, 'each one flagged synthetic: true');

  // the recorded actors are the programme's: admins label, Regions' validators validate
  const actors = await system.pool.query<{ type: string; sub: string }>(
    `select distinct type, metadata->'actor'->>'sub' as sub from es.events where type in ('TerritoryLabelled', 'ContractValidatedByRegion', 'ProjectRegistered')`,
  );
  const subs = (type: string) => actors.rows.filter((x) => x.type === type).map((x) => x.sub);
  t.ok(subs('TerritoryLabelled').every((s) => s.startsWith('demo-admin-')));
  t.ok(subs('ContractValidatedByRegion').every((s) => /^demo-validator-\d\d$/.test(s)));
  t.ok(subs('ProjectRegistered').every((s) => s.startsWith('demo-lead-')));
  const validations = await system.pool.query<{ ok: boolean }>(
    `select bool_and(v.metadata->'actor'->>'sub' = 'demo-validator-' || (c.data->>'regionCode')) as ok
       from es.events v join es.events c on c.stream_name = v.stream_name and c.type = 'ContractDrafted'
      where v.type = 'ContractValidatedByRegion'`,
  );
  t.equal(validations.rows[0]!.ok, true, "each contract validated by its own Region's validator");

  // Territoires d'industrie phase 2 (seeds/phase2.ts): 183 territories on 2023-11-09, numbers reused
  const phase2 = async (asOf: string) => {
    const res = await app.inject({
      url: `/reports/progress?programme=territoires-industrie-2023&asOf=${asOf}`,
      headers: { authorization: `Bearer ${reporter}` },
    });
    t.equal(res.statusCode, 200, res.body);
    return res.json<Progress & { programme: string }>();
  };
  t.match(await phase2('2023-12-31'), { programme: 'territoires-industrie-2023', territories: 183, projects: 0 });
  t.equal((await phase2('2023-11-08')).territories, 0, 'none before the announcement');
  t.equal((await progress('2023-12-31')).territories, (await progress('2020-12-31')).territories, 'phase 1 untouched');
  const get = (url: string) => app.inject({ url, headers: { authorization: `Bearer ${reporter}` } });
  t.match((await get('/territories/8413?programme=territoires-industrie-2023')).json(), {
    name: 'Plastics Vallée – Oyonnax',
    succeeds: null,
  });
  t.match((await get('/territories/8413')).json(), { name: /synthétique/, programme: 'territoires-industrie-2018' });
  const links = await system.pool.query<{ renewed: string; total: string }>(
    `select count(*) filter (where succeeds is not null) as renewed, count(*) as total
       from read.territories where programme = 'territoires-industrie-2023' and valid_to is null`,
  );
  t.equal(links.rows[0]!.total, '183');
  t.ok(Number(links.rows[0]!.renewed) > 100, `${links.rows[0]!.renewed} renew a phase-1 territory`);
  const flagged = await system.pool.query<{ n: string }>(
    `select count(*) as n from es.events where stream_name like 'territory-%@territoires-industrie-2023'
        and type = 'TerritoryLabelled' and (data->>'synthetic')::boolean`,
  );
  t.equal(flagged.rows[0]!.n, '183', 'each phase-2 territory of the demo is marked synthetic');
  // each labelled from its application to the call (issue 16), with a co-financed project lead
  const apps = (asOf: string) =>
    get(`/applications?programme=territoires-industrie-2023&asOf=${asOf}&limit=1`).then((r) =>
      r.json<{ total: number; byStatus: Record<string, number> }>(),
    );
  t.match(await apps('2023-09-22'), { total: 195, byStatus: { submitted: 195, selected: 0, labelled: 0 } });
  t.match(await apps('2023-11-09'), { total: 195, byStatus: { labelled: 183, not_selected: 12, submitted: 0 } });
  t.equal((await apps('2023-06-22')).total, 0, 'none before the call opened');
  const fromApps = await system.pool.query<{ n: string; leads: string }>(
    `select count(*) filter (where application_id is not null) as n,
            count(*) filter (where project_lead is not null) as leads
       from read.territories where programme = 'territoires-industrie-2023' and valid_to is null`,
  );
  t.same(fromApps.rows[0], { n: '183', leads: '183' });
  const continuity = (await get('/reports/continuity?programme=territoires-industrie-2023&asOf=2023-12-31')).json<{
    counts: { renewed: number; new: number };
  }>();
  t.equal(continuity.counts.renewed + continuity.counts.new, 183, 'renewed + new = the 183');
  t.equal(continuity.counts.renewed, Number(links.rows[0]!.renewed));

  // npm start with SEED=demo seeds only an empty store
  const before = await system.store.headCheckpoint();
  t.equal(await seedIfEmpty(system, { info: () => undefined }), undefined, 'a store with events is left alone');
  t.equal(await system.store.headCheckpoint(), before);
});

t.test(
  'a demo load cut short (a stop during the first start) is finished at the next start, each command once',
  async (t) => {
    const { app, system, token } = await build(t);
    const today = new Date().toISOString().slice(0, 10);
    const plan: Plan = buildPlan();
    // the demo's steps: phase 1's plan, then phase 2's (seeds/phase2.ts), then the NFI's (seeds/nfi.ts)
    const steps = [...demoPlanSteps(), ...nfiDemoSteps()];
    // the first start stops part-way (its pool closed under it): the appends after the 2,000th
    // fail, those in flight on other streams too; every stream holds a prefix of its steps, some none
    let appends = 0;
    const inFlight: Promise<unknown>[] = [];
    const store = Object.create(system.store) as typeof system.store;
    store.append = (...args) => {
      if (++appends > 2000) return Promise.reject(new Error('Cannot use a pool after calling end on the pool'));
      const written = system.store.append(...args);
      inFlight.push(written);
      return written;
    };
    await t.rejects(loadDemoHistory({ ...system, store }, { today }), /demo history: .* failed/);
    // the load gave up at the first failure; appends of other streams were still on their way
    await Promise.allSettled(inFlight);
    const count = await system.pool.query<{ n: string }>('select count(*) as n from es.events');
    const cut = { commands: Number(count.rows[0]!.n) };
    t.equal(cut.commands, 2000, `${cut.commands} of ${steps.length} commands recorded`);

    const r = await seedIfEmpty(system, { info: () => undefined });
    t.ok(r, 'the next start finishes it');
    t.equal(r!.skipped, cut.commands, 'the commands recorded already are not run again');
    t.equal(r!.commands, steps.length - cut.commands, 'the others run');
    const recorded = await system.pool.query<{ n: string; commands: string }>(
      `select count(*) as n, count(distinct metadata->>'commandId') as commands from es.events`,
    );
    // the pôles' part (seeds/poles.ts) runs after every other step: wholly in the second load
    const poles = r!.poles ?? { commands: 0, events: 0 };
    t.ok(poles.commands > 0, 'the pôles demo loaded');
    t.equal(Number(recorded.rows[0]!.n), steps.length + poles.events, 'one event per command of the plan');
    t.equal(Number(recorded.rows[0]!.commands), steps.length + poles.commands, 'no command recorded twice');

    // the same published figures as a load in one go
    t.ok(await system.runner.waitFor(r!.lastPosition!, 120_000), 'projections caught up');
    const reporter = await token('reporter');
    for (const m of plan.milestones) {
      const p = (
        await app.inject({ url: `/reports/progress?asOf=${m.asOf}`, headers: { authorization: `Bearer ${reporter}` } })
      ).json<Progress>();
      t.equal(p.territories, m.territories, `${m.asOf}: ${m.territories} territories`);
      if (m.contractsValidated !== undefined)
        t.equal(p.contracts.validated, m.contractsValidated, `${m.asOf}: ${m.contractsValidated} contracts validated`);
      if (typeof m.projects === 'number') t.equal(p.projects, m.projects, `${m.asOf}: ${m.projects} projects`);
    }
    t.equal(await seedIfEmpty(system, { info: () => undefined }), undefined, 'then it is complete: left alone');
  },
);

t.test('a demo load cut short during the pôles part is finished at the next start, each command once', async (t) => {
  const { system } = await build(t);
  const today = new Date().toISOString().slice(0, 10);
  const steps = [...demoPlanSteps(), ...nfiDemoSteps()];
  // every step of Territoires d'industrie and the NFI recorded, then 300 of the pôles' commands
  const cutAt = steps.length + 300;
  let appends = 0;
  const inFlight: Promise<unknown>[] = [];
  const store = Object.create(system.store) as typeof system.store;
  store.append = (...args) => {
    if (++appends > cutAt) return Promise.reject(new Error('Cannot use a pool after calling end on the pool'));
    const written = system.store.append(...args);
    inFlight.push(written);
    return written;
  };
  await t.rejects(loadDemoHistory({ ...system, store }, { today }), /demo history \(pôles\): .* failed/);
  await Promise.allSettled(inFlight);

  const r = await seedIfEmpty(system, { info: () => undefined });
  t.ok(r, 'the next start sees the pôles part unfinished and finishes it');
  t.equal(r!.skipped, steps.length, "Territoires d'industrie and the NFI are not run again");
  t.equal(r!.poles?.skipped, 300, 'the pôles commands recorded already are not run again');
  t.ok((r!.poles?.commands ?? 0) > 0, 'the others run');
  const recorded = await system.pool.query<{ commands: string; distinct_commands: string }>(
    `select count(distinct (stream_name, metadata->>'commandId')) as distinct_commands,
            count(distinct metadata->>'commandId') as commands from es.events`,
  );
  t.equal(
    Number(recorded.rows[0]!.commands),
    steps.length + r!.poles!.skipped + r!.poles!.commands,
    'every command of the plan recorded once',
  );
  t.equal(await seedIfEmpty(system, { info: () => undefined }), undefined, 'then it is complete: left alone');
});

t.test("a store whose history is not the demo's is left alone by SEED=demo", async (t) => {
  const { system } = await build(t);
  const actor = { sub: 'admin', name: 'Admin', roles: ['programme_admin'] };
  await handleCommand(
    system,
    territoryStream('T-REAL'),
    territoryDecider,
    {
      type: 'LabelTerritory',
      data: {
        territoryId: 'T-REAL',
        programme: 'territoires-industrie-2018',
        name: 'Réel',
        regionCode: '44',
        epcis: [{ siren: '200068757', name: 'CC des Vosges Côté Sud-Ouest' }],
        labelledOn: '2018-11-22',
      },
      metadata: { actor, today: new Date().toISOString().slice(0, 10) },
    },
    { actor },
  );
  const before = await system.store.headCheckpoint();
  t.equal(await seedIfEmpty(system, { info: () => undefined }), undefined);
  t.equal(await system.store.headCheckpoint(), before, 'nothing written');
});
