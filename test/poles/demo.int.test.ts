import t from 'tap';
import { loadPolesDemo } from '../../seeds/poles.ts';
import { build } from '../helpers/build.ts';

/**
 * The demo history of the pôles de compétitivité (seeds/poles.ts) through the real command
 * handlers: `GET /reports/poles` gives each count of issue 18 on its date, and each FUI call's
 * published figures.
 */
type Report = {
  poles: { labelled: number; byCategory: Record<string, number>; byPhase: Record<string, number>; onProbation: number };
  evaluations: { campaign: number; rating: string; poles: number }[];
  contracts: { drafted: number; submitted: number; validated: number };
  fuiCalls: {
    callNumber: number;
    published: { submitted: number; selected: number; stateEur: number; localAuthoritiesEur: number } | null;
    recorded: { submitted: number; selected: number; stateEur: number; regionsEur: number };
  }[];
  projects: { submitted: number; selected: number; completed: number; withImpact: number; impact: { jobs: number } };
  byRegion: { regionCode: string; polesLabelled: number }[];
};

t.test('the pôles demo gives every published count on its date', async (t) => {
  const { app, system, token } = await build(t);
  const today = new Date().toISOString().slice(0, 10);
  const started = Date.now();
  const r = await loadPolesDemo(system, { today });
  t.comment(`pôles demo: ${r.commands} commands, ${r.events} events in ${Date.now() - started} ms`);
  t.ok(await system.runner.waitFor(r.lastPosition!, 120_000), 'projections caught up');
  const reporter = await token('reporter');
  const report = async (asOf: string) => {
    const res = await app.inject({
      url: `/reports/poles?asOf=${asOf}`,
      headers: { authorization: `Bearer ${reporter}` },
    });
    t.equal(res.statusCode, 200, res.body);
    return res.json<Report>();
  };

  const r2005 = await report('2005-07-12');
  t.equal(r2005.poles.labelled, 67, '67 pôles on 2005-07-12');
  t.same(r2005.poles.byCategory, { mondial: 6, vocation_mondiale: 9, national: 52 }, '6 / 9 / 52');
  t.equal((await report('2005-07-11')).poles.labelled, 0, 'none the day before');
  t.equal((await report('2007-07-05')).poles.labelled, 71, '71 by 2007-07-05');

  const e2008 = (await report('2008-12-31')).evaluations.filter((e) => e.campaign === 2008);
  t.same(
    Object.fromEntries(e2008.map((e) => [e.rating, e.poles])),
    { met: 39, partly_met: 19, to_reconfigure: 13 },
    'the 2008 evaluation: 39 / 19 / 13',
  );
  const before = await report('2010-05-10');
  const after = await report('2010-05-11');
  t.equal(before.poles.labelled, 71);
  t.equal(after.poles.labelled, 71, 'six delabelled and six added on 2010-05-11');
  const e2012 = (await report('2012-12-31')).evaluations.filter((e) => e.campaign === 2012);
  t.same(
    Object.fromEntries(e2012.map((e) => [e.rating, e.poles])),
    { tres_performant: 20, performant: 35, moins_performant: 16 },
    'the 2012 evaluation: 20 / 35 / 16',
  );

  const r2013 = await report('2013-12-31');
  t.equal(r2013.poles.labelled, 71, '71 at the start of phase 3');
  t.equal(r2013.poles.byPhase['3'], 71);
  t.equal(r2013.contracts.validated, 71, 'their 2013–2018 contracts co-validated');
  t.equal((await report('2013-06-19')).contracts.validated, 0, 'validated by the State alone: not validated');
  t.equal((await report('2018-12-31')).poles.labelled, 66, '66 after the mergers, end of 2018');

  const r2019 = await report('2019-02-05');
  t.equal(r2019.poles.labelled, 56, '2019: 56');
  t.equal(r2019.poles.byPhase['4'], 56);
  const r2023 = await report('2023-03-27');
  t.equal(r2023.poles.labelled, 55, '2023: 55');
  t.equal(r2023.poles.onProbation, 6, '6 on probation');
  t.equal(r2023.poles.byPhase['5'], 55);
  t.equal((await report('2024-06-01')).poles.onProbation, 3, 'three 12-month probations resolved');
  const aura = r2023.byRegion.find((g) => g.regionCode === '84');
  t.ok(aura && aura.polesLabelled >= 13, 'Auvergne-Rhône-Alpes holds its named pôles');

  const published: Record<number, [number, number, number, number]> = {
    10: [216, 73, 63e6, 60e6],
    13: [151, 63, 58.4e6, 41.2e6],
    16: [123, 68, 51e6, 42e6],
    17: [134, 65, 50e6, 39e6],
    18: [128, 67, 42.8e6, 45.9e6],
    23: [121, 55, 38e6, 38e6],
  };
  const all = await report(today);
  for (const [n, [submitted, selected, stateEur, localAuthoritiesEur]] of Object.entries(published)) {
    const c = all.fuiCalls.find((x) => x.callNumber === Number(n));
    t.same(
      c?.published && { ...c.published, publishedOn: undefined, source: undefined },
      {
        publishedOn: undefined,
        source: undefined,
        submitted,
        selected,
        stateEur,
        localAuthoritiesEur,
      },
      `call ${n}: ${selected} of ${submitted}, ${stateEur} / ${localAuthoritiesEur} EUR`,
    );
    t.equal(
      c?.recorded.submitted,
      Math.round(submitted / 5),
      `call ${n}: one in five submissions recorded (synthetic)`,
    );
    t.equal(c?.recorded.selected, Math.round(selected / 5));
  }
  t.equal(
    (await report('2010-07-29')).fuiCalls.find((c) => c.callNumber === 10)?.published,
    null,
    'call 10 not published before 2010-07-30',
  );
  t.ok(
    all.projects.withImpact > 0 && all.projects.withImpact > all.projects.completed / 2,
    'most completed phase-3 projects report their impact',
  );
  t.ok(all.projects.impact.jobs > 0);

  // CSV
  const csv = await app.inject({
    url: '/reports/poles?asOf=2005-07-12',
    headers: { authorization: `Bearer ${reporter}`, accept: 'text/csv' },
  });
  t.match(csv.headers['content-type'], /text\/csv/);
  t.match(csv.body, /^scope,key,metric,value\n/);
  t.match(csv.body, /\nnational,,poles_labelled,67\n/);
  t.match(csv.body, /\ncategory,mondial,poles_labelled,6\n/);

  // a pôle's page as of a date
  const page = await app.inject({
    url: '/poles/pole-001?asOf=2016-06-30',
    headers: { authorization: `Bearer ${reporter}` },
  });
  t.equal(page.statusCode, 200, page.body);
  const p = page.json<{
    name: string;
    labels: unknown[];
    evaluations: unknown[];
    contracts: { status: string; decisions: { decider: string | null }[] }[];
    projects: unknown[];
  }>();
  t.equal(p.name, 'Axelera');
  t.equal(p.labels.length, 3, 'phases 1, 2, 3 by mid-2016');
  t.equal(p.evaluations.length, 2);
  t.equal(p.contracts[0]?.status, 'validated');
  t.ok(p.contracts[0]!.decisions.some((d) => d.decider === 'state'));
  t.ok(p.contracts[0]!.decisions.some((d) => d.decider === 'region'));
  const early = await app.inject({
    url: '/poles/pole-001?asOf=2004-12-31',
    headers: { authorization: `Bearer ${reporter}` },
  });
  t.equal(early.statusCode, 404);
  const list = await app.inject({
    url: '/poles?asOf=2023-03-27&limit=10',
    headers: { authorization: `Bearer ${reporter}` },
  });
  t.equal(list.json<{ total: number }>().total, 55);

  // the Region report gains the pôles' figures, each with its programme
  const rr = await app.inject({
    url: '/reports/regions/84?asOf=2023-12-31',
    headers: { authorization: `Bearer ${reporter}` },
  });
  t.equal(rr.statusCode, 200, rr.body);
  const figures = rr.json<{ groups: { figures: { programme: string; metric: string; value: number }[] }[] }>()
    .groups[0]!.figures;
  const labelled = figures.find((f) => f.programme === 'poles-competitivite' && f.metric === 'poles_labelled');
  t.ok(labelled && labelled.value >= 13, 'pôles labelled in Auvergne-Rhône-Alpes');
  t.ok(figures.some((f) => f.programme === 'poles-competitivite' && f.metric === 'fui_projects_co_funded'));
});
