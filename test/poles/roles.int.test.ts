import t from 'tap';
import { loadAggregate } from '../../src/application/commandHandler.ts';
import { performanceContractDecider } from '../../src/domain/poles-competitivite/index.ts';
import { performanceContractStream } from '../../src/eventstore/streams.ts';
import { build, type Built } from '../helpers/build.ts';
import { countEvents, post } from '../http/commands/fixtures.ts';

/**
 * The role × command matrix of the pôles de compétitivité (issue 18): before each allowed
 * command, every other role tries it and gets 403 (401 without a token) and nothing is written.
 * Co-validation: the State alone does not validate a contract; each Region concerned does, a Region
 * not concerned gets 403; a refusal sends it back. A FUI project breaking a rule gets a 400 naming
 * it, and nothing is written.
 */
t.test('pôles: who may do what, co-validation, the FUI rules', async (t) => {
  const b: Built = await build(t);
  const tk = {
    admin: await b.token('programme_admin'),
    managerA: await b.token('pole_manager', { poles: ['pole-a'], sub: 'manager-a' }),
    managerB: await b.token('pole_manager', { poles: ['pole-b'], sub: 'manager-b' }),
    officer84: await b.token('regional_officer', { regions: ['84'], sub: 'officer-84' }),
    officer76: await b.token('regional_officer', { regions: ['76'], sub: 'officer-76' }),
    officer11: await b.token('regional_officer', { regions: ['11'], sub: 'officer-11' }),
    reporter: await b.token('reporter'),
    auditor: await b.token('auditor'),
    lead: await b.token('territory_lead', { territories: ['4401'] }),
    validator: await b.token('regional_validator', { regions: ['84'] }),
  };
  type Who = keyof typeof tk;
  const everyone = Object.keys(tk) as Who[];

  /** Every role but `allowed` is refused (403, nothing written), then `as` does it: `status`. */
  const cell = async (
    url: string,
    body: unknown,
    as: Who,
    allowed: Who[],
    status = 200,
    alsoRefused: [Who, number][] = [],
  ) => {
    const before = await countEvents(b);
    const anon = await post(b, undefined, url, body);
    t.equal(anon.statusCode, 401, `${url} without a token: 401`);
    for (const who of everyone.filter((w) => !allowed.includes(w))) {
      const r = await post(b, tk[who], url, body);
      t.equal(r.statusCode, 403, `${url} as ${who}: 403`);
      t.match(r.headers['content-type'], /application\/problem\+json/);
    }
    for (const [who, code] of alsoRefused) {
      const r = await post(b, tk[who], url, body);
      t.equal(r.statusCode, code, `${url} as ${who}: ${code} ${r.body}`);
    }
    t.equal(await countEvents(b), before, `${url}: nothing written by the refusals`);
    const r = await post(b, tk[as], url, body);
    t.equal(r.statusCode, status, `${url} as ${as}: ${status} ${r.statusCode !== status ? r.body : ''}`);
    return r.json<{ id?: string; position: string | null }>();
  };
  const admin: Who[] = ['admin'];
  const officers: Who[] = ['officer84', 'officer76', 'officer11'];

  // ---- pôles: the State --------------------------------------------------------------------
  await cell(
    '/poles',
    {
      id: 'pole-a',
      name: 'Pôle A',
      theme: 'chimie',
      mainRegion: '82',
      otherRegions: ['73'],
      phase: 2,
      category: 'national',
      endsOn: '2012-12-31',
      labelledOn: '2012-01-02',
    },
    'admin',
    admin,
    201,
  );
  await cell(
    '/poles',
    {
      id: 'pole-b',
      name: 'Pôle B',
      theme: 'santé',
      mainRegion: '11',
      phase: 2,
      category: 'mondial',
      endsOn: '2012-12-31',
      labelledOn: '2012-01-02',
    },
    'admin',
    admin,
    201,
  );
  await cell(
    '/poles',
    {
      id: 'pole-c',
      name: 'Pôle C',
      theme: 'mer',
      mainRegion: '53',
      phase: 2,
      category: 'national',
      endsOn: '2012-12-31',
      labelledOn: '2012-01-02',
    },
    'admin',
    admin,
    201,
  );
  await cell(
    '/poles/pole-a/evaluations',
    { campaign: 2012, rating: 'performant', evaluatedOn: '2012-06-26' },
    'admin',
    admin,
  );
  await cell(
    '/poles/pole-a/category-changes',
    { category: 'vocation_mondiale', changedOn: '2012-07-01' },
    'admin',
    admin,
  );
  for (const id of ['pole-a', 'pole-b', 'pole-c'])
    await cell(
      `/poles/${id}/labels`,
      { phase: 3, category: 'national', endsOn: '2018-12-31', renewedOn: '2013-01-09' },
      'admin',
      admin,
    );
  await cell(
    '/poles/pole-c/delabelling',
    { delabelledOn: '2013-06-01', reason: 'objectifs non atteints' },
    'admin',
    admin,
  );

  // ---- performance contract of pôle A (Regions 82 and 73) ---------------------------------
  const drafted = await cell(
    '/poles/pole-a/performance-contracts',
    { id: 'pc-a', title: 'Contrat 2013–2018', periodFrom: 2013, periodTo: 2018, draftedOn: '2013-03-01' },
    'managerA',
    ['managerA'],
    201,
  );
  t.equal(drafted.id, 'pc-a');
  const k = (party: string, regionCode?: string) => ({
    party,
    ...(regionCode ? { regionCode } : {}),
    partyName: party,
    description: 'engagement',
    amountEur: 1000,
    dueOn: '2018-12-31',
    madeOn: '2013-03-02',
  });
  await cell('/performance-contracts/pc-a/commitments', k('state'), 'managerA', ['managerA'], 200);
  for (const c of [k('pole'), k('region', '82'), k('region', '73'), k('member')])
    t.equal((await post(b, tk.managerA, '/performance-contracts/pc-a/commitments', c)).statusCode, 200);
  await cell(
    '/performance-contracts/pc-a/objectives',
    { indicator: 'products_services', target: 12, dueOn: '2018-12-31', setOn: '2013-03-02' },
    'managerA',
    ['managerA'],
  );
  await cell('/performance-contracts/pc-a/submit', { submittedOn: '2013-04-01' }, 'managerA', ['managerA']);
  const status = async (id: string) =>
    (await loadAggregate(b.system, performanceContractStream(id), performanceContractDecider)).state.status;
  await cell(
    '/performance-contracts/pc-a/state-decision',
    { decision: 'validated', decidedOn: '2013-05-01' },
    'admin',
    admin,
  );
  t.equal(await status('pc-a'), 'Submitted', 'validated by the State alone: not validated');
  // a Region not concerned, a token of another Region: 403, nothing written
  const regionDecision = (regionCode: string) => ({ regionCode, decision: 'validated', decidedOn: '2013-05-02' });
  await cell('/performance-contracts/pc-a/region-decisions', regionDecision('82'), 'officer84', officers, 200, [
    ['officer11', 403],
  ]);
  const notConcerned = await post(
    b,
    tk.officer11,
    '/performance-contracts/pc-a/region-decisions',
    regionDecision('11'),
  );
  t.equal(notConcerned.statusCode, 403, 'a Region not concerned: 403');
  t.match(notConcerned.json<{ detail: string }>().detail, /not concerned/);
  const other = await post(b, tk.officer84, '/performance-contracts/pc-a/region-decisions', regionDecision('73'));
  t.equal(other.statusCode, 403, "Auvergne-Rhône-Alpes' token deciding for Midi-Pyrénées: 403");
  t.equal(
    await status('pc-a'),
    'Submitted',
    'the State and Rhône-Alpes (by its successor 84): still awaiting Midi-Pyrénées',
  );
  const last = await cell(
    '/performance-contracts/pc-a/region-decisions',
    regionDecision('73'),
    'officer76',
    officers,
    200,
    [
      ['officer84', 403],
      ['officer11', 403],
    ],
  );
  t.equal(await status('pc-a'), 'Validated', 'every Region concerned validated: validated');
  await cell(
    '/performance-contracts/pc-a/mid-term-reviews',
    {
      reviewedOn: '2016-01-15',
      results: [
        {
          objectiveId:
            (await loadAggregate(b.system, performanceContractStream('pc-a'), performanceContractDecider)).state
              .status === 'Unknown'
              ? 'x'
              : (
                  (await loadAggregate(b.system, performanceContractStream('pc-a'), performanceContractDecider))
                    .state as { objectives: { objectiveId: string }[] }
                ).objectives[0]!.objectiveId,
          achieved: 5,
        },
      ],
    },
    'managerA',
    ['managerA'],
  );

  // a refusal sends pôle B's contract back
  await post(b, tk.managerB, '/poles/pole-b/performance-contracts', {
    id: 'pc-b',
    title: 'Contrat B',
    periodFrom: 2013,
    periodTo: 2018,
    draftedOn: '2013-03-01',
  });
  const managerA_on_b = await post(b, tk.managerA, '/performance-contracts/pc-b/commitments', k('state'));
  t.equal(managerA_on_b.statusCode, 403, "a pôle manager acting for another pôle's contract: 403");
  for (const c of [k('state'), k('pole'), k('region', '11')])
    await post(b, tk.managerB, '/performance-contracts/pc-b/commitments', c);
  await post(b, tk.managerB, '/performance-contracts/pc-b/objectives', {
    indicator: 'jobs',
    target: 40,
    dueOn: '2018-12-31',
    setOn: '2013-03-02',
  });
  await post(b, tk.managerB, '/performance-contracts/pc-b/submit', { submittedOn: '2013-04-01' });
  const refusal = await post(b, tk.officer11, '/performance-contracts/pc-b/region-decisions', {
    decision: 'refused',
    decidedOn: '2013-05-02',
    comment: 'objectifs trop faibles',
  });
  t.equal(refusal.statusCode, 200, refusal.body);
  t.equal(await status('pc-b'), 'Draft', 'a refusal sends it back');
  t.equal(
    (
      await post(b, tk.admin, '/performance-contracts/pc-b/state-decision', {
        decision: 'validated',
        decidedOn: '2013-05-03',
      })
    ).statusCode,
    409,
    'a draft is not decided',
  );
  t.equal(
    (await post(b, tk.managerB, '/performance-contracts/pc-b/submit', { submittedOn: '2013-06-01' })).statusCode,
    200,
    'resubmitted',
  );

  // ---- FUI --------------------------------------------------------------------------------------
  await cell('/fui/calls', { number: 17, opensOn: '2013-11-04', closesOn: '2014-01-15' }, 'admin', admin, 201);
  const firm = (n: number, lead = false) => ({
    name: `Firme ${n}`,
    kind: 'firm',
    siren: `00000000${n}`,
    size: 'sme',
    lead,
  });
  const lab = { name: 'Labo', kind: 'lab' };
  const project = (o: Record<string, unknown> = {}) => ({
    id: 'fui-1',
    callNumber: 17,
    title: 'Projet',
    consortium: [firm(1, true), firm(2), lab],
    labellingPoles: ['pole-a'],
    budgetEur: 1e6,
    impactObjectives: [{ indicator: 'jobs', target: 10 }],
    submittedOn: '2013-12-01',
    ...o,
  });
  // the rules: 400 naming the rule, nothing written
  const before = await countEvents(b);
  for (const [what, body, rule] of [
    ['one firm', project({ consortium: [firm(1, true), lab] }), 'at-least-two-firms'],
    ['no lab', project({ consortium: [firm(1, true), firm(2)] }), 'at-least-one-lab'],
    ['a lab as lead', project({ consortium: [firm(1), firm(2), { ...lab, lead: true }] }), 'firm-as-lead'],
    [
      'a delabelled pôle',
      project({ labellingPoles: ['pole-a', 'pole-c'], submittedOn: '2013-12-02' }),
      'pole-label-holds',
    ],
    ['after the window', project({ submittedOn: '2014-01-16' }), 'within-call-window'],
  ] as const) {
    const r = await post(b, tk.managerA, '/fui/projects', body);
    t.equal(r.statusCode, 400, `${what}: 400`);
    t.match(r.headers['content-type'], /application\/problem\+json/);
    t.equal(r.json<{ rule: string }>().rule, rule, `${what}: names the rule ${rule}`);
  }
  t.equal(await countEvents(b), before, 'the refused projects wrote nothing');
  await cell('/fui/projects', project(), 'managerA', ['managerA'], 201);
  const early = await post(b, tk.admin, '/fui/projects/fui-1/selection', {
    stateGrantEur: 400000,
    selectedOn: '2014-01-10',
  });
  t.equal(early.json<{ rule: string }>().rule, 'selection-after-window', 'selection before the window closes: refused');
  await cell('/fui/projects/fui-1/selection', { stateGrantEur: 400000, selectedOn: '2014-05-26' }, 'admin', admin);
  await cell(
    '/fui/calls/17/results',
    {
      publishedOn: '2014-05-26',
      submitted: 134,
      selected: 65,
      stateEur: 50e6,
      localAuthoritiesEur: 39e6,
      source: 'aefinfo',
    },
    'admin',
    admin,
  );
  await cell(
    '/fui/projects/fui-1/co-fundings',
    { regionCode: '82', amountEur: 200000, decidedOn: '2014-06-10' },
    'officer84',
    officers,
    200,
    [['officer11', 403]],
  );
  const coOther = await post(b, tk.officer11, '/fui/projects/fui-1/co-fundings', {
    regionCode: '84',
    amountEur: 1,
    decidedOn: '2014-06-10',
  });
  t.equal(coOther.statusCode, 403, 'an officer co-funds for its own Region only');
  await cell('/fui/projects/fui-1/start', { startedOn: '2014-09-01' }, 'managerA', ['managerA']);
  await cell('/fui/projects/fui-1/completion', { completedOn: '2017-09-01' }, 'managerA', ['managerA']);
  const done = await cell(
    '/fui/projects/fui-1/impact-reports',
    { reportedOn: '2018-09-01', productsServices: 2, jobs: 12, revenueEur: 2e6, patents: 1 },
    'managerA',
    ['managerA'],
  );
  // a merger (State)
  await cell(
    '/poles/mergers',
    {
      poles: ['pole-a', 'pole-b'],
      into: {
        id: 'pole-ab',
        name: 'Pôle AB',
        theme: 'chimie',
        mainRegion: '84',
        phase: 3,
        category: 'national',
        endsOn: '2018-12-31',
      },
      mergedOn: '2017-01-01',
    },
    'admin',
    admin,
    201,
  );

  // ---- readers: every role reads ------------------------------------------------------------
  t.ok(await b.system.runner.waitFor(BigInt(done.position!), 10_000));
  void last;
  for (const who of everyone)
    for (const url of ['/poles?asOf=2014-01-01', '/poles/pole-a?asOf=2016-06-30', '/reports/poles?asOf=2016-06-30']) {
      const r = await b.app.inject({ url, headers: { authorization: `Bearer ${tk[who]}` } });
      t.equal(r.statusCode, 200, `${url} as ${who}`);
    }
  const page = (
    await b.app.inject({ url: '/poles/pole-a?asOf=2016-06-30', headers: { authorization: `Bearer ${tk.reporter}` } })
  ).json<{
    contracts: {
      status: string;
      decisions: { kind: string; decider: string | null; regionCode: string | null; recordedBy: { sub: string } }[];
    }[];
    projects: { status: string; impacts: unknown[] }[];
  }>();
  t.equal(page.contracts[0]!.status, 'validated');
  t.same(
    page.contracts[0]!.decisions.map((d) => [d.kind, d.decider, d.regionCode, d.recordedBy.sub]),
    [
      ['submitted', null, null, 'manager-a'],
      ['validated', 'state', null, 'test-programme_admin'],
      ['validated', 'region', '82', 'officer-84'],
      ['validated', 'region', '73', 'officer-76'],
      ['co_validated', null, null, 'officer-76'],
    ],
    'each decision with its decider and who recorded it',
  );
  t.equal(page.projects[0]!.status, 'started', 'as of 2016-06-30 the project runs');
  const later = (
    await b.app.inject({ url: '/poles/pole-a?asOf=2018-12-31', headers: { authorization: `Bearer ${tk.reporter}` } })
  ).json<{ projects: { status: string; impacts: unknown[] }[]; closedBy: string | null; mergedInto: string | null }>();
  t.equal(later.projects[0]!.status, 'completed');
  t.equal(later.projects[0]!.impacts.length, 1, 'its impact reported');
  t.equal(later.mergedInto, 'pole-ab', 'merged into pole-ab');
  const asOf2013 = (
    await b.app.inject({ url: '/poles/pole-a?asOf=2013-05-01', headers: { authorization: `Bearer ${tk.reporter}` } })
  ).json<{ contracts: { status: string }[] }>();
  t.equal(asOf2013.contracts[0]!.status, 'submitted', 'as of the State decision: submitted, not validated');
  t.equal((await b.app.inject({ url: '/poles' })).statusCode, 401);
});
