import t from 'tap';
import { loadNfiDemo, NFI_FIRMS_PER_REGION, NFI_LATE, NFI_VALIDATIONS, buildNfiSteps } from '../../seeds/nfi.ts';
import { DEMO_CORRELATION_ID } from '../../seeds/index.ts';
import { build } from '../helpers/build.ts';

type Report = {
  plansLaunched: number;
  plansInForce: number;
  plansWithValidatedRoadmap: number;
  groupings: number;
  regionsMandated: number;
  regionsWithFullChoices: number;
  roadmapsSubmitted: number;
  roadmapsAccepted: number;
  roadmapsSubmittedLate: number;
  roadmapsOverdue: number;
  usineDuFuturFirms: number;
  plans: { planId: string; rank1: number; rank2: number }[];
  byGrouping: { groupingId: string; plans: number; rank1: number; rank2: number }[];
};

t.test('the NFI demo is deterministic and never chooses Usine du futur', async (t) => {
  const a = buildNfiSteps();
  t.equal(JSON.stringify(a), JSON.stringify(buildNfiSteps()));
  t.notOk(a.some((s) => s.command === 'ChoosePlan' && s.data.planId === 'usine-du-futur'));
});

t.test('the NFI demo loads through the commands and its report gives the published figures', async (t) => {
  const { app, system, token } = await build(t);
  const today = new Date().toISOString().slice(0, 10);
  const started = Date.now();
  const r = await loadNfiDemo(system, { today, correlationId: DEMO_CORRELATION_ID });
  t.comment(`NFI demo: ${r.commands} commands, ${r.events} events in ${Date.now() - started} ms`);
  t.equal(r.events, r.commands, 'every command recorded one event');
  t.ok(await system.runner.waitFor(r.lastPosition!, 60_000), 'projections caught up');
  const reporter = await token('reporter');
  const report = async (asOf: string) => {
    const res = await app.inject({
      url: `/reports/nfi?asOf=${asOf}`,
      headers: { authorization: `Bearer ${reporter}` },
    });
    t.equal(res.statusCode, 200, res.body);
    return res.json<Report>();
  };
  // the six committees
  for (const v of NFI_VALIDATIONS) {
    t.equal((await report(v.on)).plansWithValidatedRoadmap, v.total, `${v.on}: ${v.total} validated roadmaps`);
    const before = new Date(Date.parse(v.on) - 86_400_000).toISOString().slice(0, 10);
    const prev = NFI_VALIDATIONS[NFI_VALIDATIONS.indexOf(v) - 1]?.total ?? 0;
    t.equal((await report(before)).plansWithValidatedRoadmap, prev, `the day before ${v.on}: ${prev}`);
  }
  const before = await report('2015-05-17');
  t.equal(before.plansInForce, 34, '34 plans before the regrouping');
  t.equal(before.groupings, 0);
  t.equal(before.regionsMandated, 22);
  t.equal(before.regionsWithFullChoices, 22, '22 Regions with 5 + 5 choices');
  t.equal(before.roadmapsAccepted, 22);
  t.equal(
    before.roadmapsSubmittedLate,
    Object.keys(NFI_LATE).length + 1,
    'a few late (and the one sent back, resubmitted late)',
  );
  t.equal(before.usineDuFuturFirms <= 22 * NFI_FIRMS_PER_REGION, true);
  const sum = (k: 'rank1' | 'rank2') => before.plans.reduce((a, p) => a + p[k], 0);
  t.equal(sum('rank1'), 110);
  t.equal(sum('rank2'), 110);
  t.equal(before.plans.find((p) => p.planId === 'usine-du-futur')?.rank1, 0);
  const after = await report('2015-05-18');
  t.equal(after.plansInForce, 0);
  t.equal(after.groupings, 10, 'Industrie du futur and the 9 solutions');
  t.equal(
    after.byGrouping.reduce((a, g) => a + g.plans, 0),
    34,
  );
  t.equal(
    after.byGrouping.reduce((a, g) => a + g.rank1, 0),
    110,
    'the choices by grouping',
  );
  const due = await report('2014-03-31');
  t.equal(due.roadmapsSubmitted, 22 - Object.keys(NFI_LATE).length, 'most roadmaps by the due date');
  const late = await report('2014-04-01');
  t.equal(late.roadmapsOverdue, Object.keys(NFI_LATE).length, 'a few overdue the day after');
  const end = await report('2016-06-30');
  t.equal(end.usineDuFuturFirms, 22 * NFI_FIRMS_PER_REGION, 'a few hundred Usine du futur firms');
  t.equal(end.regionsWithFullChoices, 22, 'choices stay recorded facts after the regrouping');

  const ge = await app.inject({
    url: '/reports/regions/44?asOf=2016-06-30&geography=current',
    headers: { authorization: `Bearer ${reporter}` },
  });
  t.equal(ge.statusCode, 200, ge.body);
  const g = ge.json<{
    groups: { nfi: { regionCode: string; name: string; rank1: unknown[]; rank2: unknown[] }[] }[];
  }>();
  t.same(
    g.groups[0]!.nfi.map((x) => [x.regionCode, x.name, x.rank1.length, x.rank2.length]),
    [
      ['21', 'Champagne-Ardenne', 5, 5],
      ['41', 'Lorraine', 5, 5],
      ['42', 'Alsace', 5, 5],
    ],
    "Grand Est in 2016: Lorraine's, Alsace's and Champagne-Ardenne's choices",
  );
});
