import t from 'tap';
import {
  plansDecider,
  type PlansCommand,
  type PlansEvent,
} from '../../src/domain/nouvelle-france-industrielle/index.ts';
import { specFor } from './spec.ts';

const spec = specFor(plansDecider);
const programme = { id: 'nouvelle-france-industrielle-2013', launchedOn: '2013-09-12', endsOn: null };
const meta = { actor: { sub: 'admin', name: 'Admin', roles: ['programme_admin'] }, today: '2016-06-30', programme };

const launched = (planId: string, name: string): PlansEvent => ({
  type: 'PlanLaunched',
  data: { planId, name, launchedOn: '2013-09-12' },
});
const cmd = <T extends PlansCommand['type']>(type: T, data: Extract<PlansCommand, { type: T }>['data']) =>
  ({ type, data, metadata: meta }) as PlansCommand;
const two = [launched('hopital-numerique', 'Hôpital numérique'), launched('big-data', 'Big data')];
const regrouped: PlansEvent = {
  type: 'PlansRegrouped',
  data: {
    regroupedOn: '2015-05-18',
    groupings: [
      { solutionId: 'medecine-du-futur', name: 'Médecine du futur', plans: ['hopital-numerique'] },
      { solutionId: 'economie-des-donnees', name: 'Économie des données', plans: ['big-data'] },
    ],
    unsourcedPlacements: [],
  },
};

t.test('launching a plan', async (t) => {
  spec(t)
    .given([])
    .when(cmd('LaunchPlan', { planId: 'big-data', name: 'Big data', launchedOn: '2013-09-12' }))
    .then([launched('big-data', 'Big data')]);
  t.test('its id is unique', async (t) =>
    spec(t)
      .given(two)
      .when(cmd('LaunchPlan', { planId: 'big-data', name: 'Données massives', launchedOn: '2013-09-12' }))
      .then('CONFLICT', /already exists/),
  );
  t.test('its name is unique', async (t) =>
    spec(t)
      .given(two)
      .when(cmd('LaunchPlan', { planId: 'donnees', name: 'big data', launchedOn: '2013-09-12' }))
      .then('CONFLICT', /already named/),
  );
  t.test('within the programme: not before its launch', async (t) =>
    spec(t)
      .given([])
      .when(cmd('LaunchPlan', { planId: 'big-data', name: 'Big data', launchedOn: '2013-09-11' }))
      .then('VALIDATION', /before programme nouvelle-france-industrielle-2013 began/),
  );
  t.test('not after today', async (t) =>
    spec(t)
      .given([])
      .when(cmd('LaunchPlan', { planId: 'big-data', name: 'Big data', launchedOn: '2016-07-01' }))
      .then('VALIDATION', /after today/),
  );
  t.test('none after the regrouping', async (t) =>
    spec(t)
      .given([...two, regrouped])
      .when(cmd('LaunchPlan', { planId: 'cloud', name: 'Cloud computing', launchedOn: '2015-06-01' }))
      .then('CONFLICT', /regrouped/),
  );
});

t.test('national project heads', async (t) => {
  const leads = [
    { name: 'Jean Dupont', organisation: 'Entreprise A' },
    { name: 'Marie Durand', organisation: 'Entreprise B' },
  ];
  spec(t)
    .given(two)
    .when(cmd('AppointPlanLeads', { planId: 'big-data', leads, appointedOn: '2013-10-07' }))
    .then([{ type: 'PlanLeadAppointed', data: { planId: 'big-data', leads, appointedOn: '2013-10-07' } }]);
  t.test('one or two people', async (t) => {
    spec(t)
      .given(two)
      .when(cmd('AppointPlanLeads', { planId: 'big-data', leads: [...leads, leads[0]!], appointedOn: '2013-10-07' }))
      .then('VALIDATION', /one or two/);
    spec(t)
      .given(two)
      .when(cmd('AppointPlanLeads', { planId: 'big-data', leads: [], appointedOn: '2013-10-07' }))
      .then('VALIDATION', /one or two/);
  });
  t.test('of a plan that exists', async (t) =>
    spec(t)
      .given(two)
      .when(cmd('AppointPlanLeads', { planId: 'cloud', leads, appointedOn: '2013-10-07' }))
      .then('NOT_FOUND', /does not exist/),
  );
  t.test('not before the plan', async (t) =>
    spec(t)
      .given(two)
      .when(cmd('AppointPlanLeads', { planId: 'big-data', leads, appointedOn: '2013-09-11' }))
      .then('VALIDATION'),
  );
  t.test('not after the regrouping', async (t) =>
    spec(t)
      .given([...two, regrouped])
      .when(cmd('AppointPlanLeads', { planId: 'big-data', leads, appointedOn: '2015-06-01' }))
      .then('CONFLICT', /regrouped into Économie des données/),
  );
});

t.test('renaming a plan', async (t) => {
  spec(t)
    .given(two)
    .when(cmd('RenamePlan', { planId: 'hopital-numerique', name: 'Santé numérique', renamedOn: '2014-01-15' }))
    .then([
      {
        type: 'PlanRenamed',
        data: {
          planId: 'hopital-numerique',
          name: 'Santé numérique',
          previousName: 'Hôpital numérique',
          renamedOn: '2014-01-15',
        },
      },
    ]);
  t.test('to another name', async (t) =>
    spec(t)
      .given(two)
      .when(cmd('RenamePlan', { planId: 'big-data', name: 'Big data', renamedOn: '2014-01-15' }))
      .then('CONFLICT', /already named/),
  );
  t.test("not to another plan's name", async (t) =>
    spec(t)
      .given(two)
      .when(cmd('RenamePlan', { planId: 'hopital-numerique', name: 'Big data', renamedOn: '2014-01-15' }))
      .then('CONFLICT', /big-data is already named/),
  );
  t.test('not before its last change', async (t) =>
    spec(t)
      .given(two)
      .when(cmd('RenamePlan', { planId: 'big-data', name: 'Données', renamedOn: '2013-09-01' }))
      .then('VALIDATION'),
  );
});

t.test('validating a roadmap', async (t) => {
  spec(t)
    .given(two)
    .when(cmd('ValidatePlanRoadmap', { planId: 'big-data', committeeOn: '2014-07-02' }))
    .then([{ type: 'PlanRoadmapValidated', data: { planId: 'big-data', committeeOn: '2014-07-02' } }]);
  t.test('once', async (t) =>
    spec(t)
      .given([...two, { type: 'PlanRoadmapValidated', data: { planId: 'big-data', committeeOn: '2014-07-02' } }])
      .when(cmd('ValidatePlanRoadmap', { planId: 'big-data', committeeOn: '2014-07-09' }))
      .then('CONFLICT', /was validated on 2014-07-02/),
  );
  t.test('of a plan that exists', async (t) =>
    spec(t)
      .given(two)
      .when(cmd('ValidatePlanRoadmap', { planId: 'cloud', committeeOn: '2014-07-02' }))
      .then('NOT_FOUND'),
  );
  t.test('not after the regrouping', async (t) =>
    spec(t)
      .given([...two, regrouped])
      .when(cmd('ValidatePlanRoadmap', { planId: 'big-data', committeeOn: '2015-07-02' }))
      .then('CONFLICT', /regrouped/),
  );
});

t.test('regrouping the plans', async (t) => {
  const groupings = regrouped.type === 'PlansRegrouped' ? regrouped.data.groupings : [];
  spec(t)
    .given(two)
    .when(cmd('RegroupPlans', { regroupedOn: '2015-05-18', groupings }))
    .then([regrouped]);
  t.test('once', async (t) =>
    spec(t)
      .given([...two, regrouped])
      .when(cmd('RegroupPlans', { regroupedOn: '2015-06-18', groupings }))
      .then('CONFLICT', /were regrouped on 2015-05-18/),
  );
  t.test('every plan into a grouping', async (t) =>
    spec(t)
      .given(two)
      .when(cmd('RegroupPlans', { regroupedOn: '2015-05-18', groupings: [groupings[0]!] }))
      .then('VALIDATION', /missing: big-data/),
  );
  t.test('each plan into one only', async (t) =>
    spec(t)
      .given(two)
      .when(
        cmd('RegroupPlans', {
          regroupedOn: '2015-05-18',
          groupings: [groupings[0]!, { ...groupings[1]!, plans: ['big-data', 'hopital-numerique'] }],
        }),
      )
      .then('VALIDATION', /each plan goes into one/),
  );
  t.test('only plans that exist', async (t) =>
    spec(t)
      .given(two)
      .when(
        cmd('RegroupPlans', {
          regroupedOn: '2015-05-18',
          groupings: [...groupings, { solutionId: 'x', name: 'X', plans: ['cloud'] }],
        }),
      )
      .then('VALIDATION', /cloud .* does not exist/),
  );
  t.test('a grouping once', async (t) =>
    spec(t)
      .given(two)
      .when(cmd('RegroupPlans', { regroupedOn: '2015-05-18', groupings: [groupings[0]!, groupings[0]!] }))
      .then('VALIDATION', /given twice/),
  );
  t.test('not before the plans last changed', async (t) =>
    spec(t)
      .given([...two, { type: 'PlanRoadmapValidated', data: { planId: 'big-data', committeeOn: '2014-07-02' } }])
      .when(cmd('RegroupPlans', { regroupedOn: '2014-07-01', groupings }))
      .then('VALIDATION'),
  );
  t.test('the unsourced placements are plans that exist', async (t) =>
    spec(t)
      .given(two)
      .when(cmd('RegroupPlans', { regroupedOn: '2015-05-18', groupings, unsourcedPlacements: ['cloud'] }))
      .then('VALIDATION'),
  );
});

t.test('evolve folds a rename and a validation', async (t) => {
  const s = [
    ...two,
    {
      type: 'PlanRenamed',
      data: {
        planId: 'hopital-numerique',
        name: 'Santé numérique',
        previousName: 'Hôpital numérique',
        renamedOn: '2014-01-01',
      },
    } as PlansEvent,
    regrouped,
  ].reduce(plansDecider.evolve, plansDecider.initialState());
  t.equal(s.plans.get('hopital-numerique')?.name, 'Santé numérique');
  t.equal(s.regrouping?.regroupedOn, '2015-05-18');
});
