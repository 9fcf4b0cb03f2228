import t from 'tap';
import {
  prioritiesDecider,
  type PlanFacts,
  type PrioritiesCommand,
  type PrioritiesEvent,
} from '../../src/domain/nouvelle-france-industrielle/index.ts';
import { specFor } from './spec.ts';

const spec = specFor(prioritiesDecider);
const programme = { id: 'nouvelle-france-industrielle-2013', launchedOn: '2013-09-12', endsOn: null };
const meta = {
  actor: { sub: 'officer', name: 'Officer', roles: ['regional_officer'] },
  today: '2016-06-30',
  programme,
};
const R = '41';
const cmd = <T extends PrioritiesCommand['type']>(type: T, data: Extract<PrioritiesCommand, { type: T }>['data']) =>
  ({ type, data, metadata: meta }) as PrioritiesCommand;

const mandated: PrioritiesEvent = {
  type: 'RegionMandated',
  data: { regionCode: R, mandatedOn: '2013-11-26', roadmapDueOn: '2014-03-31' },
};
const plan = (planId: string, over: Partial<PlanFacts> = {}): PlanFacts => ({
  planId,
  name: `Plan ${planId}`,
  launchedOn: '2013-09-12',
  regroupedOn: null,
  ...over,
});
const chosen = (planId: string, rank: 1 | 2, chosenOn = '2014-01-10'): PrioritiesEvent => ({
  type: 'PlanChosen',
  data: { regionCode: R, planId, planName: `Plan ${planId}`, rank, chosenOn },
});
const lead = (planId: string, appointedOn = '2014-02-01'): PrioritiesEvent => ({
  type: 'RegionalPlanLeadAppointed',
  data: { regionCode: R, planId, person: 'P. Martin', company: 'PME SAS', siren: '123456789', appointedOn },
});
const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);
const fivePlusFive = [mandated, ...ids(5, 'a').map((p) => chosen(p, 1)), ...ids(5, 'b').map((p) => chosen(p, 2))];
const ready = [...fivePlusFive, ...[...ids(5, 'a'), ...ids(5, 'b')].map((p) => lead(p))];
const submittedOn = (on: string, late = false): PrioritiesEvent => ({
  type: 'RoadmapSubmitted',
  data: {
    regionCode: R,
    submittedOn: on,
    dueOn: '2014-03-31',
    late,
    choices: [
      ...ids(5, 'a').map((planId) => ({ planId, rank: 1 as const })),
      ...ids(5, 'b').map((planId) => ({ planId, rank: 2 as const })),
    ],
  },
});
const choose = (planId: string, rank: 1 | 2, over: Partial<PlanFacts> = {}, chosenOn = '2014-01-10') =>
  cmd('ChoosePlan', { regionCode: R, planId, rank, chosenOn, plan: plan(planId, over) });

t.test('mandating a Region', async (t) => {
  spec(t)
    .given([])
    .when(cmd('MandateRegion', { regionCode: R, mandatedOn: '2013-11-26', roadmapDueOn: '2014-03-31' }))
    .then([mandated]);
  t.test('once', async (t) =>
    spec(t)
      .given([mandated])
      .when(cmd('MandateRegion', { regionCode: R, mandatedOn: '2013-11-27', roadmapDueOn: '2014-03-31' }))
      .then('CONFLICT'),
  );
  t.test('a metropolitan Region of 2013 only', async (t) => {
    spec(t)
      .given([])
      .when(cmd('MandateRegion', { regionCode: '44', mandatedOn: '2013-11-26', roadmapDueOn: '2014-03-31' }))
      .then('VALIDATION', /22 metropolitan Regions of 2013/);
    spec(t)
      .given([])
      .when(cmd('MandateRegion', { regionCode: '04', mandatedOn: '2013-11-26', roadmapDueOn: '2014-03-31' }))
      .then('VALIDATION', /22 metropolitan Regions of 2013/);
  });
  t.test('its roadmap due after the mandate', async (t) =>
    spec(t)
      .given([])
      .when(cmd('MandateRegion', { regionCode: R, mandatedOn: '2013-11-26', roadmapDueOn: '2013-11-01' }))
      .then('VALIDATION', /roadmapDueOn/),
  );
  t.test('within the programme', async (t) =>
    spec(t)
      .given([])
      .when(cmd('MandateRegion', { regionCode: R, mandatedOn: '2013-01-26', roadmapDueOn: '2014-03-31' }))
      .then('VALIDATION', /before programme/),
  );
});

t.test('choosing a plan', async (t) => {
  spec(t)
    .given([mandated])
    .when(choose('big-data', 1))
    .then([chosen('big-data', 1)]);
  t.test('only for a mandated Region', async (t) => spec(t).given([]).when(choose('big-data', 1)).then('NOT_FOUND'));
  t.test('at most 5 of rank 1', async (t) =>
    spec(t)
      .given(fivePlusFive)
      .when(choose('x', 1))
      .then('CONFLICT', /at most 5 of each rank/),
  );
  t.test('at most 5 of rank 2', async (t) =>
    spec(t)
      .given([mandated, ...ids(5, 'b').map((p) => chosen(p, 2))])
      .when(choose('x', 2))
      .then('CONFLICT', /already holds 5 plans of rank 2/),
  );
  t.test('a plan holds one rank in a Region', async (t) => {
    spec(t)
      .given([mandated, chosen('big-data', 1)])
      .when(choose('big-data', 2))
      .then('CONFLICT', /one rank/);
    spec(t)
      .given([mandated, chosen('big-data', 1)])
      .when(choose('big-data', 1))
      .then('CONFLICT', /one rank/);
  });
  t.test('Usine du futur is never chosen', async (t) =>
    spec(t)
      .given([mandated])
      .when(choose('usine-du-futur', 1))
      .then('VALIDATION', /never chosen/),
  );
  t.test('the plan exists', async (t) =>
    spec(t)
      .given([mandated])
      .when(choose('nope', 1, { name: null, launchedOn: null }))
      .then('VALIDATION', /does not exist/),
  );
  t.test('the plan is not regrouped yet on the date', async (t) => {
    spec(t)
      .given([mandated])
      .when(choose('big-data', 1, { regroupedOn: '2015-05-18' }, '2015-06-01'))
      .then('CONFLICT', /regrouped/);
    // a choice of 2014 recorded after the regrouping is a fact of 2014
    spec(t)
      .given([mandated])
      .when(choose('big-data', 1, { regroupedOn: '2015-05-18' }, '2014-06-01'))
      .then([chosen('big-data', 1, '2014-06-01')]);
  });
  t.test('on or after the mandate', async (t) =>
    spec(t)
      .given([mandated])
      .when(choose('big-data', 1, {}, '2013-11-25'))
      .then('VALIDATION', /was mandated/),
  );
  t.test('while the Region of 2013 is in force', async (t) =>
    spec(t)
      .given([mandated])
      .when(choose('big-data', 1, {}, '2016-01-04'))
      .then('VALIDATION', /became 44 on 2016-01-01/),
  );
  t.test('not after the roadmap is submitted', async (t) => {
    spec(t)
      .given([...ready, submittedOn('2014-03-20')])
      .when(choose('x', 1))
      .then('CONFLICT', /sends it back/);
  });
});

t.test('withdrawing a choice', async (t) => {
  spec(t)
    .given([mandated, chosen('big-data', 1)])
    .when(cmd('WithdrawPlanChoice', { regionCode: R, planId: 'big-data', withdrawnOn: '2014-02-01' }))
    .then([
      { type: 'PlanChoiceWithdrawn', data: { regionCode: R, planId: 'big-data', rank: 1, withdrawnOn: '2014-02-01' } },
    ]);
  t.test('frees its rank', async (t) =>
    spec(t)
      .given([
        ...fivePlusFive,
        { type: 'PlanChoiceWithdrawn', data: { regionCode: R, planId: 'a-1', rank: 1, withdrawnOn: '2014-02-01' } },
      ])
      .when(choose('x', 1, {}, '2014-02-02'))
      .then([chosen('x', 1, '2014-02-02')]),
  );
  t.test('of a chosen plan', async (t) =>
    spec(t)
      .given([mandated])
      .when(cmd('WithdrawPlanChoice', { regionCode: R, planId: 'big-data', withdrawnOn: '2014-02-01' }))
      .then('CONFLICT', /has not chosen/),
  );
  t.test('not before it was chosen', async (t) =>
    spec(t)
      .given([mandated, chosen('big-data', 1)])
      .when(cmd('WithdrawPlanChoice', { regionCode: R, planId: 'big-data', withdrawnOn: '2014-01-01' }))
      .then('VALIDATION'),
  );
  t.test('not after submission; again once sent back', async (t) => {
    const w = cmd('WithdrawPlanChoice', { regionCode: R, planId: 'a-1', withdrawnOn: '2014-05-01' });
    spec(t)
      .given([...ready, submittedOn('2014-03-20')])
      .when(w)
      .then('CONFLICT', /sends it back/);
    spec(t)
      .given([
        ...ready,
        submittedOn('2014-03-20'),
        { type: 'RoadmapSentBack', data: { regionCode: R, sentBackOn: '2014-04-15', reason: 'trop large' } },
      ])
      .when(w)
      .then([
        { type: 'PlanChoiceWithdrawn', data: { regionCode: R, planId: 'a-1', rank: 1, withdrawnOn: '2014-05-01' } },
      ]);
  });
});

t.test("a choice's SME leader", async (t) => {
  const appoint = (planId: string, appointedOn = '2014-02-01') =>
    cmd('AppointRegionalPlanLead', {
      regionCode: R,
      planId,
      person: 'P. Martin',
      company: 'PME SAS',
      siren: '123456789',
      appointedOn,
    });
  spec(t)
    .given([mandated, chosen('big-data', 1)])
    .when(appoint('big-data'))
    .then([lead('big-data')]);
  t.test('for a chosen plan', async (t) =>
    spec(t)
      .given([mandated])
      .when(appoint('big-data'))
      .then('CONFLICT', /has not chosen/),
  );
  t.test('not before the choice', async (t) =>
    spec(t)
      .given([mandated, chosen('big-data', 1)])
      .when(appoint('big-data', '2014-01-01'))
      .then('VALIDATION'),
  );
  t.test('not after submission', async (t) =>
    spec(t)
      .given([...ready, submittedOn('2014-03-20')])
      .when(appoint('a-1', '2014-04-01'))
      .then('CONFLICT'),
  );
});

t.test('submitting the roadmap', async (t) => {
  const submit = (on: string) => cmd('SubmitRoadmap', { regionCode: R, submittedOn: on });
  spec(t)
    .given(ready)
    .when(submit('2014-03-20'))
    .then([submittedOn('2014-03-20')]);
  t.test('after its due date: recorded, marked late', async (t) =>
    spec(t)
      .given(ready)
      .when(submit('2014-04-10'))
      .then([submittedOn('2014-04-10', true)]),
  );
  t.test('only with 5 + 5 choices', async (t) =>
    spec(t)
      .given([
        ...ready.filter((e) => !(e.type === 'PlanChoiceWithdrawn')),
        { type: 'PlanChoiceWithdrawn', data: { regionCode: R, planId: 'b-5', rank: 2, withdrawnOn: '2014-03-01' } },
      ])
      .when(submit('2014-03-20'))
      .then('CONFLICT', /holds 5 \+ 4 \(9 choices\)/),
  );
  t.test('each choice with its SME leader', async (t) =>
    spec(t)
      .given(fivePlusFive)
      .when(submit('2014-03-20'))
      .then('CONFLICT', /SME leader/),
  );
  t.test('once (until sent back)', async (t) => {
    spec(t)
      .given([...ready, submittedOn('2014-03-20')])
      .when(submit('2014-03-21'))
      .then('CONFLICT', /already submitted/);
    spec(t)
      .given([
        ...ready,
        submittedOn('2014-03-20'),
        { type: 'RoadmapSentBack', data: { regionCode: R, sentBackOn: '2014-04-01', reason: 'x' } },
      ])
      .when(submit('2014-04-20'))
      .then([submittedOn('2014-04-20', true)]);
  });
  t.test('not before its last choice or lead', async (t) =>
    spec(t)
      .given(ready)
      .when(submit('2014-01-20'))
      .then('VALIDATION', /last choice or lead/),
  );
});

t.test("the State's answer", async (t) => {
  const sub = [...ready, submittedOn('2014-03-20')];
  spec(t)
    .given(sub)
    .when(cmd('AcceptRoadmap', { regionCode: R, acceptedOn: '2014-04-15' }))
    .then([{ type: 'RoadmapAccepted', data: { regionCode: R, acceptedOn: '2014-04-15' } }]);
  spec(t)
    .given(sub)
    .when(cmd('SendBackRoadmap', { regionCode: R, sentBackOn: '2014-04-15', reason: 'trop large' }))
    .then([{ type: 'RoadmapSentBack', data: { regionCode: R, sentBackOn: '2014-04-15', reason: 'trop large' } }]);
  t.test('only on a submitted roadmap', async (t) => {
    spec(t)
      .given(ready)
      .when(cmd('AcceptRoadmap', { regionCode: R, acceptedOn: '2014-04-15' }))
      .then('CONFLICT', /only a submitted/);
    spec(t)
      .given([...sub, { type: 'RoadmapAccepted', data: { regionCode: R, acceptedOn: '2014-04-15' } }])
      .when(cmd('SendBackRoadmap', { regionCode: R, sentBackOn: '2014-04-16', reason: 'x' }))
      .then('CONFLICT', /is accepted/);
  });
  t.test('not before the submission', async (t) =>
    spec(t)
      .given(sub)
      .when(cmd('AcceptRoadmap', { regionCode: R, acceptedOn: '2014-03-19' }))
      .then('VALIDATION'),
  );
});

t.test('Usine du futur selections', async (t) => {
  const select = (siren: string, selectedOn = '2014-02-01') =>
    cmd('SelectCompanyForUsineDuFutur', { regionCode: R, siren, name: 'Usinage SA', size: 'SME', selectedOn });
  const selected: PrioritiesEvent = {
    type: 'CompanySelectedForUsineDuFutur',
    data: { regionCode: R, siren: '123456789', name: 'Usinage SA', size: 'SME', selectedOn: '2014-02-01' },
  };
  spec(t).given([mandated]).when(select('123456789')).then([selected]);
  t.test('a firm once per Region', async (t) =>
    spec(t)
      .given([mandated, selected])
      .when(select('123456789', '2014-03-01'))
      .then('CONFLICT', /already selected/),
  );
  t.test('on or after the mandate', async (t) =>
    spec(t).given([mandated]).when(select('123456789', '2013-10-01')).then('VALIDATION'),
  );
  t.test('for a mandated Region', async (t) => spec(t).given([]).when(select('123456789')).then('NOT_FOUND'));
});
