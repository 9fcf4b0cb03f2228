import t from 'tap';
import {
  projectDecider,
  type ProjectCommand,
  type ProjectEvent,
  type RegisterProject,
} from '../../src/domain/territoires-industrie/project/index.ts';
import { specFor } from './spec.ts';

const spec = specFor(projectDecider);
const meta = { actor: { sub: 'lead', name: 'Lead', roles: ['territory_lead'] }, today: '2020-06-01' };
const P = 'p-1';
const ids = { projectId: P, territoryId: '4401', contractId: 'c-1' };
const labelled = { status: 'Labelled' as const, regionCode: '44', labelledOn: '2018-11-22' };

const registered: ProjectEvent = {
  type: 'ProjectRegistered',
  data: {
    ...ids,
    regionCode: '44',
    title: 'Plateforme VTE',
    axis: 'skills',
    budgetCents: 25_000_050,
    registeredOn: '2019-05-01',
  },
};
const register = (over: Partial<RegisterProject['data']> = {}): ProjectCommand => ({
  type: 'RegisterProject',
  data: {
    ...ids,
    title: 'Plateforme VTE',
    axis: 'skills',
    budgetEur: 250_000.5,
    registeredOn: '2019-05-01',
    territory: labelled,
    contract: { status: 'Signed', territoryId: '4401' },
    ...over,
  },
  metadata: meta,
});
const started: ProjectEvent = { type: 'ProjectStarted', data: { ...ids, startedOn: '2019-06-01' } };
const completed: ProjectEvent = { type: 'ProjectCompleted', data: { ...ids, completedOn: '2019-12-01' } };
const abandoned: ProjectEvent = {
  type: 'ProjectAbandoned',
  data: { ...ids, abandonedOn: '2019-12-01', reason: 'site closed' },
};

t.test('registering', async (t) => {
  spec(t).given([]).when(register()).then([registered]);
  t.test('without a contract', async (t) =>
    spec(t)
      .given([])
      .when(register({ contractId: null, contract: null }))
      .then([{ ...registered, data: { ...registered.data, contractId: null } }]),
  );
  t.test("a project on a contract belongs to the contract's territory", async (t) =>
    spec(t)
      .given([])
      .when(register({ contract: { status: 'Signed', territoryId: '4402' } }))
      .then('VALIDATION', /belongs to the contract's territory/),
  );
  t.test('the contract must exist', async (t) =>
    spec(t)
      .given([])
      .when(register({ contract: { status: 'Unknown', territoryId: null } }))
      .then('NOT_FOUND'),
  );
  t.test('not on a rejected contract', async (t) =>
    spec(t)
      .given([])
      .when(register({ contract: { status: 'Rejected', territoryId: '4401' } }))
      .then('CONFLICT'),
  );
  t.test('not in a withdrawn territory', async (t) =>
    spec(t)
      .given([])
      .when(register({ territory: { ...labelled, status: 'Withdrawn' } }))
      .then('CONFLICT'),
  );
  t.test('budget: non-negative, two decimals at most', async (t) => {
    spec(t)
      .given([])
      .when(register({ budgetEur: -0.01 }))
      .then('VALIDATION');
    spec(t)
      .given([])
      .when(register({ budgetEur: 0.125 }))
      .then('VALIDATION');
  });
  t.test('dates: not after today, not before the launch', async (t) => {
    spec(t)
      .given([])
      .when(register({ registeredOn: '2020-06-02' }))
      .then('VALIDATION');
    spec(t)
      .given([])
      .when(register({ registeredOn: '2018-01-01' }))
      .then('VALIDATION');
  });
  t.test('once', async (t) => spec(t).given([registered]).when(register()).then('CONFLICT'));
});

t.test('funding', async (t) => {
  const grant = (over: Record<string, unknown> = {}): ProjectCommand => ({
    type: 'GrantProjectFunding',
    data: {
      projectId: P,
      fundingId: 'f1',
      source: 'france-relance',
      amountEur: 100_000,
      grantedOn: '2019-05-02',
      ...over,
    },
    metadata: meta,
  });
  spec(t)
    .given([registered])
    .when(grant())
    .then([
      {
        type: 'ProjectFundingGranted',
        data: { ...ids, fundingId: 'f1', source: 'france-relance', amountCents: 10_000_000, grantedOn: '2019-05-02' },
      },
    ]);
  t.test('not before the registration', async (t) =>
    spec(t)
      .given([registered])
      .when(grant({ grantedOn: '2019-04-30' }))
      .then('VALIDATION'),
  );
  t.test('not on a completed or abandoned project', async (t) => {
    spec(t)
      .given([registered, completed])
      .when(grant({ grantedOn: '2019-12-02' }))
      .then('CONFLICT');
    spec(t)
      .given([registered, abandoned])
      .when(grant({ grantedOn: '2019-12-02' }))
      .then('CONFLICT');
  });
  t.test('not on an unknown project', async (t) => spec(t).given([]).when(grant()).then('NOT_FOUND'));
});

t.test('lifecycle', async (t) => {
  const start: ProjectCommand = {
    type: 'StartProject',
    data: { projectId: P, startedOn: '2019-06-01' },
    metadata: meta,
  };
  const complete: ProjectCommand = {
    type: 'CompleteProject',
    data: { projectId: P, completedOn: '2019-12-01' },
    metadata: meta,
  };
  const abandon: ProjectCommand = {
    type: 'AbandonProject',
    data: { projectId: P, abandonedOn: '2019-12-01', reason: 'site closed' },
    metadata: meta,
  };
  spec(t).given([registered]).when(start).then([started]);
  spec(t).given([registered, started]).when(complete).then([completed]);
  spec(t).given([registered, started]).when(abandon).then([abandoned]);
  t.test('a started project does not start again', async (t) =>
    spec(t).given([registered, started]).when(start).then('CONFLICT'),
  );
  t.test('a completed or abandoned project is final', async (t) => {
    spec(t).given([registered, completed]).when(abandon).then('CONFLICT');
    spec(t).given([registered, abandoned]).when(complete).then('CONFLICT');
  });
  t.test('a funding recorded later does not hold back the next step', async (t) =>
    spec(t)
      .given([
        registered,
        {
          type: 'ProjectFundingGranted',
          data: { ...ids, fundingId: 'f', source: 'eu', amountCents: 1, grantedOn: '2020-01-01' },
        },
      ])
      .when(start)
      .then([started]),
  );
  t.test('not dated before the current phase began', async (t) =>
    spec(t)
      .given([registered, started])
      .when({ ...complete, data: { projectId: P, completedOn: '2019-05-31' } })
      .then('VALIDATION'),
  );
});
