import t, { type Test } from 'tap';
import { build, type Built } from '../helpers/build.ts';
import { countEvents, post } from '../http/commands/fixtures.ts';
import { NFI_TODAY, fivePlusFive, launchPlans, leadBody, mandate, nfiTokens, ok, planIds } from './fixtures.ts';

/** La Nouvelle France industrielle over HTTP: a Region's choices, the refusals, the read models. */

const refusal = async (
  t: Test,
  b: Built,
  r: Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>,
  status: number,
  rule: string | null,
) => {
  const before = await countEvents(b);
  const a = await r;
  t.equal(a.statusCode, status, a.body);
  t.match(String(a.headers['content-type']), /^application\/problem\+json/);
  if (rule) t.equal(JSON.parse(a.body).rule, rule, a.body);
  t.equal(await countEvents(b), before, 'nothing written');
};

const regroupAll = (ids: string[]) => ({
  regroupedOn: '2015-05-18',
  groupings: [
    { solutionId: 'industrie-du-futur', name: 'Industrie du futur', plans: ['usine-du-futur'] },
    { solutionId: 'solution-a', name: 'Solution A', plans: ids.slice(0, 6) },
    { solutionId: 'solution-b', name: 'Solution B', plans: ids.slice(6) },
  ],
});

t.test('an officer of Lorraine chooses, names leaders and submits; the rules refuse, naming themselves', async (t) => {
  const b = await build(t, { today: NFI_TODAY });
  const tk = await nfiTokens(b);
  await launchPlans(b, tk.admin, 12);
  await mandate(b, tk.admin, '41');

  // a roadmap with 9 choices
  for (const [i, id] of planIds(9).entries()) {
    await ok(
      post(b, tk.officer41, '/regions/41/plan-choices', { planId: id, rank: i < 5 ? 1 : 2, chosenOn: '2014-01-10' }),
      id,
    );
    await ok(post(b, tk.officer41, `/regions/41/plan-choices/${id}/lead`, leadBody(i + 1)), `lead ${id}`);
  }
  await refusal(
    t,
    b,
    post(b, tk.officer41, '/regions/41/roadmap', { submittedOn: '2014-03-20' }),
    409,
    'roadmap-five-plus-five',
  );
  // a sixth rank-1 choice
  await refusal(
    t,
    b,
    post(b, tk.officer41, '/regions/41/plan-choices', { planId: 'p-11', rank: 1, chosenOn: '2014-01-11' }),
    409,
    'at-most-five-per-rank',
  );
  // Usine du futur
  await refusal(
    t,
    b,
    post(b, tk.officer41, '/regions/41/plan-choices', { planId: 'usine-du-futur', rank: 2, chosenOn: '2014-01-11' }),
    400,
    'usine-du-futur-never-chosen',
  );
  // one rank per plan
  await refusal(
    t,
    b,
    post(b, tk.officer41, '/regions/41/plan-choices', { planId: 'p-1', rank: 2, chosenOn: '2014-01-11' }),
    409,
    'one-rank-per-plan',
  );
  // an officer of Auvergne-Rhône-Alpes writing for Lorraine
  await refusal(
    t,
    b,
    post(b, tk.officer84, '/regions/41/plan-choices', { planId: 'p-10', rank: 2, chosenOn: '2014-01-11' }),
    403,
    null,
  );
  await refusal(t, b, post(b, tk.officer84, '/regions/41/roadmap', { submittedOn: '2014-03-20' }), 403, null);
  // an officer of Alsace is not Lorraine's either
  await refusal(t, b, post(b, tk.officer42, '/regions/41/roadmap', { submittedOn: '2014-03-20' }), 403, null);
  // a choice without its leader: the roadmap waits for it
  await ok(
    post(b, tk.officer41, '/regions/41/plan-choices', { planId: 'p-10', rank: 2, chosenOn: '2014-01-12' }),
    'p-10',
  );
  await refusal(
    t,
    b,
    post(b, tk.officer41, '/regions/41/roadmap', { submittedOn: '2014-03-20' }),
    409,
    'roadmap-lead-for-each-choice',
  );
  // an officer of Grand Est records for Lorraine, in 2014 (Grand Est succeeded it)
  await ok(post(b, tk.officer44, '/regions/41/plan-choices/p-10/lead', leadBody(10)), 'lead p-10 by 44');
  const sub = await post(b, tk.officer41, '/regions/41/roadmap', { submittedOn: '2014-03-20' });
  t.equal(sub.statusCode, 200, sub.body);
  t.match(sub.json(), { revision: 21 });
  t.equal(sub.headers.etag, `"21"`);
  // submitted: the choices are locked until the State sends the roadmap back
  await refusal(
    t,
    b,
    post(b, tk.officer41, '/regions/41/plan-choices/p-1/withdrawal', { withdrawnOn: '2014-03-25' }),
    409,
    'choices-locked-after-submission',
  );
  // a date outside the Region's life: Lorraine ends on 2016-01-01
  await refusal(
    t,
    b,
    post(b, tk.officer44, '/regions/41/usine-du-futur', {
      siren: '123456789',
      name: 'Forge',
      size: 'SME',
      selectedOn: '2016-02-01',
    }),
    400,
    'region-in-force-on-the-date',
  );
  // the regrouping: a plan after it cannot be chosen
  await ok(post(b, tk.admin, '/plan-regroupings', regroupAll(planIds(12))), 'regroup');
  await mandate(b, tk.admin, '42');
  await refusal(
    t,
    b,
    post(b, tk.officer42, '/regions/42/plan-choices', { planId: 'p-3', rank: 1, chosenOn: '2015-06-01' }),
    409,
    'plan-not-regrouped',
  );
  // bad bodies: 400 naming the field
  const bad = await post(b, tk.officer41, '/regions/41/plan-choices', {
    planId: 'p-3',
    rank: 3,
    chosenOn: '2014-01-10',
  });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { errors: [{ field: /^body\.rank/ }] });
  await refusal(
    t,
    b,
    post(b, tk.admin, '/regions/44/mandate', { mandatedOn: '2013-11-26', roadmapDueOn: '2014-03-31' }),
    400,
    'region-of-2013',
  );
  // If-Match: a stale revision is a 412
  const stale = await post(
    b,
    tk.admin,
    '/regions/41/roadmap/acceptance',
    { acceptedOn: '2014-04-15' },
    { 'if-match': '"3"' },
  );
  t.equal(stale.statusCode, 412, stale.body);
  const acc = await post(
    b,
    tk.admin,
    '/regions/41/roadmap/acceptance',
    { acceptedOn: '2014-04-15' },
    { 'if-match': `"21"` },
  );
  t.equal(acc.statusCode, 200, acc.body);
});

t.test("read models: plans, a Region's priorities, the NFI report and the Region report as of a date", async (t) => {
  const b = await build(t, { today: NFI_TODAY });
  const tk = await nfiTokens(b);
  await launchPlans(b, tk.admin, 12);
  await ok(
    post(b, tk.admin, '/plans/p-1/leads', {
      leads: [{ name: 'A. Chef', organisation: 'Groupe A' }],
      appointedOn: '2013-10-07',
    }),
    'leads',
  );
  await ok(post(b, tk.admin, '/plans/p-2/renames', { name: 'Santé numérique', renamedOn: '2014-01-15' }), 'rename');
  await ok(post(b, tk.admin, '/plans/p-1/roadmap-validations', { committeeOn: '2014-03-14' }), 'validate p-1');
  await ok(post(b, tk.admin, '/plans/p-2/roadmap-validations', { committeeOn: '2014-05-07' }), 'validate p-2');
  for (const code of ['41', '42', '21']) await mandate(b, tk.admin, code);
  await fivePlusFive(b, tk.officer41, '41');
  await ok(post(b, tk.officer41, '/regions/41/roadmap', { submittedOn: '2014-03-20' }), 'submit 41');
  await fivePlusFive(b, tk.officer44, '42');
  await ok(post(b, tk.officer44, '/regions/42/roadmap', { submittedOn: '2014-04-10' }), 'submit 42 late');
  await ok(post(b, tk.admin, '/regions/41/roadmap/acceptance', { acceptedOn: '2014-04-15' }), 'accept 41');
  await ok(
    post(b, tk.officer44, '/regions/21/plan-choices', { planId: 'p-12', rank: 1, chosenOn: '2014-02-01' }),
    '21',
  );
  for (const [i, siren] of ['111111111', '222222222', '333333333'].entries())
    await ok(
      post(b, tk.officer44, '/regions/41/usine-du-futur', {
        siren,
        name: `Firme ${i}`,
        size: i ? 'ETI' : 'SME',
        selectedOn: '2014-06-01',
      }),
      'firm',
    );
  const last = await ok(post(b, tk.admin, '/plan-regroupings', regroupAll(planIds(12))), 'regroup');
  t.ok(await b.system.runner.waitFor(BigInt(String(last.position)), 10_000));
  const auth = { authorization: `Bearer ${tk.reporter}` };
  const get = (url: string, headers: Record<string, string> = auth) => b.app.inject({ url, headers });

  const dl = await b.system.pool.query('select * from projections.dead_letters');
  t.same(dl.rows, [], 'no event parked');
  const plans = await get('/plans?asOf=2014-03-31');
  t.equal(plans.statusCode, 200, plans.body);
  const items = plans.json<{
    items: { id: string; name: string; roadmapValidatedOn: string | null; leads: unknown[] }[];
  }>().items;
  t.equal(items.length, 13);
  t.match(
    items.find((p) => p.id === 'p-1'),
    { roadmapValidatedOn: '2014-03-14', leads: [{ name: 'A. Chef' }] },
  );
  t.match(
    items.find((p) => p.id === 'p-2'),
    { name: 'Santé numérique', roadmapValidatedOn: null },
  );
  t.match(
    (await get('/plans?asOf=2014-01-01'))
      .json<{ items: { id: string; name: string }[] }>()
      .items.find((p) => p.id === 'p-2'),
    {
      name: 'Plan p-2',
    },
  );
  const one = await get('/plans/p-3?asOf=2015-06-01');
  t.match(one.json(), { id: 'p-3', status: 'regrouped', groupingId: 'solution-a' });
  t.equal((await get('/plans/p-3?asOf=2013-09-01')).statusCode, 404);

  const pr = await get('/regions/41/priorities?asOf=2014-03-25');
  t.equal(pr.statusCode, 200, pr.body);
  t.match(pr.json(), {
    regionCode: '41',
    regions: [
      {
        regionCode: '41',
        name: 'Lorraine',
        roadmap: { status: 'submitted', submittedOn: '2014-03-20', late: false, dueOn: '2014-03-31' },
        rank1: [{ planId: 'p-1', lead: { person: 'Dirigeant 1', siren: '900000001' } }],
      },
    ],
  });
  t.equal(pr.json<{ regions: { rank1: unknown[]; rank2: unknown[] }[] }>().regions[0]!.rank2.length, 5);
  // Grand Est: the three Regions of 2013 that became it
  const ge = (await get('/regions/44/priorities?asOf=2014-06-30')).json<{
    regions: { regionCode: string; roadmap: { status: string; late: boolean } }[];
  }>();
  t.same(
    ge.regions.map((r) => [r.regionCode, r.roadmap.status, r.roadmap.late]),
    [
      ['21', 'overdue', true],
      ['41', 'accepted', false],
      ['42', 'submitted', true],
    ],
  );

  const rep = await get('/reports/nfi?asOf=2014-06-30');
  t.equal(rep.statusCode, 200, rep.body);
  t.match(rep.json(), {
    plansLaunched: 13,
    plansInForce: 13,
    plansWithValidatedRoadmap: 2,
    groupings: 0,
    regionsMandated: 3,
    regionsWithFullChoices: 2,
    roadmapsSubmitted: 2,
    roadmapsAccepted: 1,
    roadmapsSubmittedLate: 1,
    roadmapsOverdue: 1,
    usineDuFuturFirms: 3,
    usineDuFuturBySize: { SME: 1, ETI: 2 },
    byGrouping: [],
  });
  const perPlan = rep.json<{ plans: { planId: string; rank1: number; rank2: number }[] }>().plans;
  t.match(
    perPlan.find((p) => p.planId === 'p-1'),
    { rank1: 2, rank2: 0 },
  );
  t.match(
    perPlan.find((p) => p.planId === 'p-12'),
    { rank1: 1, rank2: 0 },
  );
  t.equal(
    (await get('/reports/nfi?asOf=2014-03-13')).json<{ plansWithValidatedRoadmap: number }>().plansWithValidatedRoadmap,
    0,
  );
  const after = (await get('/reports/nfi?asOf=2015-06-30')).json<{
    plansInForce: number;
    groupings: number;
    byGrouping: { groupingId: string; plans: number; rank1: number; rank2: number }[];
  }>();
  t.equal(after.plansInForce, 0);
  t.equal(after.groupings, 3);
  t.match(after.byGrouping, [
    { groupingId: 'industrie-du-futur', plans: 1 },
    { groupingId: 'solution-a', plans: 6, rank1: 10, rank2: 2 },
    { groupingId: 'solution-b', plans: 6, rank1: 1, rank2: 8 },
  ]);
  const csv = await get('/reports/nfi?asOf=2014-06-30', { ...auth, accept: 'text/csv' });
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  t.match(csv.body, /^section,key,metric,value\n/);
  t.match(csv.body, /\ntotal,,roadmaps_submitted,2\n/);
  t.match(csv.body, /\nplan,p-1,rank1,2\n/);

  // Grand Est today, as of 2016-06-30: Lorraine's, Alsace's and Champagne-Ardenne's choices
  const region = await get('/reports/regions/44?asOf=2016-06-30&geography=current');
  t.equal(region.statusCode, 200, region.body);
  const g = region.json<{
    groups: {
      regionCode: string;
      figures: { programme: string; metric: string; value: number }[];
      nfi: { regionCode: string; rank1: unknown[]; rank2: unknown[]; roadmapStatus: string }[];
    }[];
  }>().groups;
  t.equal(g.length, 1);
  t.same(
    g[0]!.nfi.map((r) => [r.regionCode, r.rank1.length, r.rank2.length, r.roadmapStatus]),
    [
      ['21', 1, 0, 'overdue'],
      ['41', 5, 5, 'accepted'],
      ['42', 5, 5, 'submitted'],
    ],
  );
  const fig = (m: string) =>
    g[0]!.figures.find((f) => f.programme === 'nouvelle-france-industrielle-2013' && f.metric === m)?.value;
  t.equal(fig('plans_chosen_rank1'), 11);
  t.equal(fig('plans_chosen_rank2'), 10);
  t.equal(fig('roadmaps_submitted'), 2);
  t.equal(fig('roadmaps_accepted'), 1);
  t.equal(fig('usine_du_futur_firms'), 3);
  // as of 2014 in the geography of the date: three groups, each its own
  const asof = (await get('/reports/regions/44?asOf=2014-06-30')).json<{
    groups: { regionCode: string; nfi: { regionCode: string }[] }[];
  }>();
  t.same(
    asof.groups.map((x) => [x.regionCode, x.nfi.map((n) => n.regionCode)]),
    [
      ['21', ['21']],
      ['41', ['41']],
      ['42', ['42']],
    ],
  );
  // as of 2014 in today's geography (issue 16): one group, Grand Est, counting what Alsace,
  // Champagne-Ardenne and Lorraine recorded: each figure the sum of the three groups' above
  type Groups = {
    groups: {
      regionCode: string;
      figures: { programme: string; metric: string; value: number }[];
      nfi: { regionCode: string; rank1: unknown[] }[];
    }[];
  };
  const current = (await get('/reports/regions/44?asOf=2014-06-30&geography=current')).json<Groups>();
  const separate = (await get('/reports/regions/44?asOf=2014-06-30&geography=asof')).json<Groups>();
  t.same(
    current.groups.map((x) => [x.regionCode, x.nfi.map((n) => n.regionCode)]),
    [['44', ['21', '41', '42']]],
  );
  const nfiFigure = (g: Groups['groups'][number], m: string) =>
    g.figures.find((f) => f.programme === 'nouvelle-france-industrielle-2013' && f.metric === m)!.value;
  for (const m of ['plans_chosen_rank1', 'plans_chosen_rank2', 'roadmaps_submitted', 'usine_du_futur_firms'])
    t.equal(
      nfiFigure(current.groups[0]!, m),
      separate.groups.reduce((a, g) => a + nfiFigure(g, m), 0),
      `2014-06-30, ${m}: Grand Est today = Alsace + Champagne-Ardenne + Lorraine`,
    );
  t.ok(nfiFigure(current.groups[0]!, 'plans_chosen_rank1') > 0, 'something was recorded by 2014-06-30');

  // the change feed: a Region's officers see its NFI records and its predecessors', not another's
  const feed = async (token: string) =>
    (await get('/feed?limit=500', { authorization: `Bearer ${token}` })).json<{
      events: { stream: string; regionCode: string | null; href: string | null }[];
    }>().events;
  const seen44 = await feed(tk.officer44);
  t.ok(
    seen44.some(
      (e) => e.stream === 'priorities-41@nouvelle-france-industrielle-2013' && e.href === '/regions/41/priorities',
    ),
  );
  t.ok(seen44.every((e) => e.stream.startsWith('priorities-') && ['21', '41', '42'].includes(e.regionCode ?? '')));
  t.same(await feed(tk.officer84), [], 'an officer of 84 sees none of them');
  t.ok(
    (await feed(tk.auditor)).some(
      (e) => e.stream === 'plans-nouvelle-france-industrielle-2013' && e.href === '/plans/p-1',
    ),
  );

  const rcsv = await get('/reports/regions/44?asOf=2016-06-30&geography=current', { ...auth, accept: 'text/csv' });
  t.match(rcsv.body, /\n44,Grand Est,nouvelle-france-industrielle-2013,plans_chosen_rank1,11\n/);
});
