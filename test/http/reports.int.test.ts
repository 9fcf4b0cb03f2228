import t from 'tap';
import type { GenEvent } from '../../bench/events.ts';
import { insertEvents } from '../../bench/events.ts';
import { build } from '../helpers/build.ts';
import { caughtUp } from '../projections/helpers.ts';

/** A small hand-made history whose report figures are known on every date. */
const terr = (id: string, region: string, on: string, sirens: string[]): GenEvent => ({
  stream: `territory-${id}`,
  type: 'TerritoryLabelled',
  schemaVersion: 1,
  data: {
    territoryId: id,
    programme: 'territoires-industrie-2018',
    name: `Territoire ${id}`,
    regionCode: region,
    epcis: sirens.map((siren) => ({ siren, name: `CC ${siren}` })),
    labelledOn: on,
  },
  occurredOn: on,
});
const ev = (stream: string, type: string, on: string, data: Record<string, unknown>, schemaVersion = 1): GenEvent => ({
  stream,
  type,
  schemaVersion,
  data: data as GenEvent['data'],
  occurredOn: on,
});
const c1 = { contractId: 'C1', territoryId: 'A' };
const c2 = { contractId: 'C2', territoryId: 'C' };
const history: GenEvent[] = [
  terr('A', '44', '2018-11-22', ['200000001', '200000002']),
  terr('B', '44', '2019-03-01', ['200000003']),
  terr('C', '84', '2018-11-22', ['200000004']),
  ev('territory-C', 'TerritoryWithdrawn', '2019-06-01', { territoryId: 'C', withdrawnOn: '2019-06-01', reason: 'x' }),
  ev('contract-C1', 'ContractDrafted', '2019-01-10', {
    ...c1,
    regionCode: '44',
    kind: 'contract',
    title: 'Contrat A',
    draftedOn: '2019-01-10',
  }),
  ev(
    'contract-C1',
    'CommitmentMade',
    '2019-01-11',
    {
      ...c1,
      commitmentId: 'm1',
      partyKind: 'region',
      partyName: 'Région Grand Est',
      partySiren: null,
      axis: 'innovation',
      description: 'aide',
      amountCents: 5_000_000,
      dueOn: '2020-01-01',
      madeOn: '2019-01-11',
    },
    2,
  ),
  ev('contract-C1', 'ContractSubmittedForValidation', '2019-02-01', {
    ...c1,
    submission: 1,
    submittedOn: '2019-02-01',
    commitmentCount: 1,
    totalCents: 5_000_000,
  }),
  ev('contract-C1', 'ContractValidatedByRegion', '2019-03-15', {
    ...c1,
    regionCode: '44',
    submission: 1,
    decidedOn: '2019-03-15',
    comment: null,
  }),
  ev('contract-C1', 'ContractSigned', '2019-04-30', {
    ...c1,
    submission: 1,
    signedOn: '2019-04-30',
    signatories: [{ name: 'Préfet' }],
  }),
  ev('contract-C2', 'ContractDrafted', '2019-02-01', {
    ...c2,
    regionCode: '84',
    kind: 'protocol',
    title: 'Protocole C',
    draftedOn: '2019-02-01',
  }),
  ev('contract-C2', 'ContractSubmittedForValidation', '2019-03-01', {
    ...c2,
    submission: 1,
    submittedOn: '2019-03-01',
    commitmentCount: 0,
    totalCents: 0,
  }),
  ev('contract-C2', 'ContractRejectedByRegion', '2019-05-01', {
    ...c2,
    regionCode: '84',
    submission: 1,
    decidedOn: '2019-05-01',
    reason: 'hors périmètre',
  }),
  ev('project-P1', 'ProjectRegistered', '2019-04-01', {
    projectId: 'P1',
    territoryId: 'A',
    contractId: 'C1',
    regionCode: '44',
    title: 'Usine',
    axis: 'innovation',
    budgetCents: 100_000_00,
    registeredOn: '2019-04-01',
  }),
  ev('project-P1', 'ProjectFundingGranted', '2019-05-01', {
    projectId: 'P1',
    territoryId: 'A',
    contractId: 'C1',
    fundingId: 'f1',
    source: 'france-relance',
    amountCents: 1_000_00,
    grantedOn: '2019-05-01',
  }),
  ev('project-P2', 'ProjectRegistered', '2019-09-01', {
    projectId: 'P2',
    territoryId: 'B',
    contractId: null,
    regionCode: '44',
    title: 'VTE',
    axis: 'skills',
    budgetCents: 10_000_00,
    registeredOn: '2019-09-01',
  }),
  ev('project-P2', 'ProjectAbandoned', '2019-10-01', {
    projectId: 'P2',
    territoryId: 'B',
    contractId: null,
    abandonedOn: '2019-10-01',
    reason: 'porteur défaillant',
  }),
];

type Report = {
  asOf: string;
  territories: number;
  epcis: number;
  contracts: Record<string, number>;
  projects: number;
  fundingEur: number;
  byRegion: { regionCode: string; territories: number; contractsValidated: number; projects: number }[];
  byAxis: { axis: string; projects: number }[];
};

t.test('GET /reports/progress answers as of any business date, in JSON and CSV', async (t) => {
  const { app, system, token } = await build(t, { today: '2026-01-15' });
  await insertEvents(system.pool, history);
  await caughtUp(system.runner);
  const auth = { authorization: `Bearer ${await token('auditor')}` };
  const get = async (asOf?: string) => {
    const res = await app.inject({ url: `/reports/progress${asOf ? `?asOf=${asOf}` : ''}`, headers: auth });
    t.equal(res.statusCode, 200, res.body);
    return res.json<Report>();
  };
  const region = (r: Report, code: string) => r.byRegion.find((x) => x.regionCode === code)!;

  const early = await get('2019-02-01');
  t.equal(early.territories, 2, 'A and C');
  t.equal(early.epcis, 3);
  t.same(early.contracts, { drafted: 2, submitted: 1, validated: 0, rejected: 0, signed: 0 });
  t.equal(early.projects, 0);

  const beforeValidation = await get('2019-03-14');
  t.equal(beforeValidation.territories, 3, 'B labelled on 2019-03-01');
  t.same(beforeValidation.contracts, { drafted: 2, submitted: 2, validated: 0, rejected: 0, signed: 0 });
  t.equal(region(beforeValidation, '44').contractsValidated, 0);

  const validationDay = await get('2019-03-15');
  t.equal(validationDay.contracts.validated, 1, 'validated on or before the date');
  t.equal(region(validationDay, '44').contractsValidated, 1);
  t.equal(region(validationDay, '84').contractsValidated, 0);
  t.equal(region(validationDay, '44').territories, 2);

  const may = await get('2019-05-01');
  t.same(may.contracts, { drafted: 2, submitted: 2, validated: 1, rejected: 1, signed: 1 });
  t.equal(may.fundingEur, 1000);
  t.equal(may.projects, 1);

  const sept = await get('2019-09-15');
  t.equal(sept.territories, 2, 'C withdrawn on 2019-06-01');
  t.equal(region(sept, '84').territories, 0);
  t.equal(sept.projects, 2);
  t.equal(region(sept, '44').projects, 2);
  t.same(
    sept.byAxis.filter((a) => a.projects > 0),
    [
      { axis: 'skills', projects: 1 },
      { axis: 'innovation', projects: 1 },
    ].sort(
      (a, b) =>
        ['attractiveness', 'skills', 'innovation', 'simplification'].indexOf(a.axis) -
        ['attractiveness', 'skills', 'innovation', 'simplification'].indexOf(b.axis),
    ),
  );

  const today = await get();
  t.equal(today.asOf, '2026-01-15', "defaults to the clock's today");
  t.equal(today.projects, 1, 'P2 abandoned');

  const csv = await app.inject({ url: '/reports/progress?asOf=2019-03-15', headers: { ...auth, accept: 'text/csv' } });
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  const lines = csv.body.trim().split('\n');
  t.equal(lines[0], 'section,key,metric,value,region_name');
  t.ok(lines.includes('contracts,,validated,1,'));
  t.ok(lines.includes('region,44,contracts_validated,1,Grand Est'));
  t.ok(lines.includes('total,,territories,3,'));

  t.equal((await app.inject({ url: '/reports/progress' })).statusCode, 401, 'reads need a token');
  t.equal((await app.inject({ url: '/reports/progress?asOf=2019-02-30', headers: auth })).statusCode, 400);
});

t.test('GET /contracts, /projects, /audit/events: filters, asOf, paging, minPosition', async (t) => {
  const { app, system, token } = await build(t);
  await insertEvents(system.pool, history);
  await caughtUp(system.runner);
  const auth = { authorization: `Bearer ${await token('reporter')}` };
  const get = async <T>(url: string) => {
    const res = await app.inject({ url, headers: auth });
    t.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res.json<T>();
  };
  type List = { items: { id: string; status: string }[]; total: number };

  const validated = await get<List>('/contracts?status=validated&asOf=2019-03-20');
  t.same(
    validated.items.map((c) => c.id),
    ['C1'],
  );
  const submitted = await get<List>('/contracts?status=submitted&asOf=2019-03-01');
  t.same(submitted.items.map((c) => c.id).sort(), ['C1', 'C2']);
  t.equal((await get<List>('/contracts?asOf=2019-01-09')).total, 0, 'nothing before the first draft');
  const now = await get<List & { items: { committedEur: number; signedOn: string }[] }>('/contracts?territoryId=A');
  t.equal(now.items[0]!.status, 'signed');
  t.equal(now.items[0]!.committedEur, 50_000);
  t.equal(now.items[0]!.signedOn, '2019-04-30');
  const page = await get<List>('/contracts?limit=1&offset=1');
  t.equal(page.total, 2);
  t.same(
    page.items.map((c) => c.id),
    ['C2'],
  );

  t.same(
    (await get<List>('/projects?axis=innovation&region=44')).items.map((p) => p.id),
    ['P1'],
  );
  t.equal((await get<List>('/projects?status=abandoned')).total, 1);
  t.equal((await get<List>('/projects?status=registered&asOf=2019-09-15')).total, 2, 'P2 not yet abandoned then');
  t.equal((await get<List>('/projects?status=registered&asOf=2019-10-01')).total, 1, 'P2 abandoned that day');

  type Audit = {
    items: { stream: string; revision: number; summary: string; actor: { sub: string } }[];
    nextAfter: string | null;
  };
  const trail = await get<Audit>('/audit/events?stream=contract-C1');
  t.same(
    trail.items.map((e) => e.revision),
    [0, 1, 2, 3, 4],
  );
  t.match(trail.items[3]!.summary, /validated by region 44/);
  t.equal(trail.items[0]!.actor.sub, 'bench-loader');
  const first = await get<Audit>('/audit/events?limit=10');
  t.ok(first.nextAfter, 'more pages');
  const second = await get<Audit>(`/audit/events?limit=10&after=${first.nextAfter}`);
  t.equal(first.items.length + second.items.length, history.length);
  t.equal(second.nextAfter, null);
  t.equal((await get<Audit>('/audit/events?from=2019-05-01&to=2019-05-01')).items.length, 2);
  t.equal((await get<Audit>('/audit/events?actor=nobody')).items.length, 0);

  // read your writes: a position already applied answers at once; one never written, 503
  const head = await system.store.headCheckpoint();
  const position = head!.split('/')[1]!;
  const ok = await app.inject({ url: `/contracts?minPosition=${position}`, headers: auth });
  t.equal(ok.statusCode, 200);
  t.equal(ok.headers['x-min-position-reached'], 'true');
  const started = Date.now();
  const notYet = await app.inject({ url: '/contracts?minPosition=999999999', headers: auth });
  t.equal(notYet.statusCode, 503);
  t.equal(notYet.headers['retry-after'], '1');
  t.ok(Date.now() - started < 6000, 'bounded wait');

  t.equal((await app.inject({ url: '/contracts' })).statusCode, 401);
  t.equal((await app.inject({ url: '/audit/events' })).statusCode, 401);
});

t.test('GET /metrics is Prometheus text with lag, parked, applied and runner state', async (t) => {
  // readiness tolerates READY_MAX_LAG_SECONDS of lag (30 by default): none here, so behind is not ready
  const { app, system } = await build(t, { env: { READY_MAX_LAG_SECONDS: '0' } });
  await insertEvents(system.pool, history);
  await caughtUp(system.runner);
  const res = await app.inject({ url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain/);
  t.match(res.body, /ti_projection_lag_events\{runner="main"\} 0/);
  t.match(res.body, /ti_projection_lag_seconds\{runner="main"\} 0/);
  t.match(res.body, /ti_projection_parked_events\{runner="main"\} 0/);
  t.match(res.body, new RegExp(`ti_projection_events_applied_total\\{runner="main"\\} ${history.length}`));
  t.match(res.body, /ti_projection_runner_active\{runner="main"\} 1/);
  t.match(res.body, /ti_projection_runner_lock_held\{runner="main"\} 1/);
  t.match(res.body, /ti_eventstore_oldest_open_transaction_seconds \d/);

  // with the runner stopped and new events, the lag shows
  await system.runner.stop();
  await insertEvents(system.pool, [terr('Z', '11', '2019-01-01', ['200000099'])]);
  const lagging = await app.inject({ url: '/metrics' });
  t.match(lagging.body, /ti_projection_lag_events\{runner="main"\} 1\n/);
  t.match(lagging.body, /ti_projection_runner_active\{runner="main"\} 0/);
  await new Promise((r) => setTimeout(r, 20)); // the unapplied event is some milliseconds old
  const ready = await app.inject({ url: '/readyz' });
  t.equal(ready.statusCode, 503, 'not ready while behind');
  t.equal(ready.json<{ projections: { lagEvents?: number } }>().projections.lagEvents, 1);
});
