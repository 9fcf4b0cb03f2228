import t from 'tap';
import { BUILT_IN_PROGRAMMES } from '../../src/domain/programmes/index.ts';
import {
  applicationDecider,
  callOf,
  labellingOf,
  type ApplicationEvent,
  type ApplicationCommand,
} from '../../src/domain/territoires-industrie/application/index.ts';
import {
  territoryDecider,
  type TerritoryEvent,
  type TerritoryCommand,
} from '../../src/domain/territoires-industrie/territory/index.ts';
import { specFor } from './spec.ts';

/** Phase 2's call for applications, given / when / then (issue 16). */

const actor = { sub: 'admin', name: 'Admin', roles: ['programme_admin'] };
const p2 = BUILT_IN_PROGRAMMES.find((p) => p.programmeId === 'territoires-industrie-2023')!;
const meta = {
  actor,
  today: '2026-01-15',
  programme: { id: p2.programmeId, launchedOn: p2.launchedOn, endsOn: p2.endsOn },
};
const call = callOf('territoires-industrie-2023')!;
const epcis = [{ siren: '200071645', name: 'CC Fixture Plastics', nature: 'CC' }];

const submit = (submittedOn: string, extra: Partial<{ succeeds: string; id: string }> = {}): ApplicationCommand => ({
  type: 'SubmitApplication',
  data: {
    applicationId: extra.id ?? '8413',
    programme: p2.programmeId,
    name: 'Plastics Vallée – Oyonnax',
    regionCode: '84',
    epcis,
    submittedOn,
    ...(extra.succeeds ? { succeeds: extra.succeeds } : {}),
    call,
  },
  metadata: meta,
});
const submitted: ApplicationEvent = {
  type: 'ApplicationSubmitted',
  data: {
    applicationId: '8413',
    programme: p2.programmeId,
    name: 'Plastics Vallée – Oyonnax',
    regionCode: '84',
    epcis,
    submittedOn: '2023-07-10',
  },
};
const selected: ApplicationEvent = {
  type: 'ApplicationSelected',
  data: { applicationId: '8413', selectedOn: '2023-11-09' },
};
const notSelected: ApplicationEvent = {
  type: 'ApplicationNotSelected',
  data: { applicationId: '8413', decidedOn: '2023-11-09', reason: 'dossier incomplet' },
};
const select = (selectedOn: string): ApplicationCommand => ({
  type: 'SelectApplication',
  data: { applicationId: '8413', selectedOn, call },
  metadata: meta,
});
const decline = (decidedOn: string): ApplicationCommand => ({
  type: 'DeclineApplication',
  data: { applicationId: '8413', decidedOn, reason: 'dossier incomplet', call },
  metadata: meta,
});

t.test('the call: 2023-06-23 to 2023-09-22, announced 2023-11-09', async (t) => {
  t.match(call, { opensOn: '2023-06-23', closesOn: '2023-09-22', announcedOn: '2023-11-09' });
  t.equal(callOf('territoires-industrie-2018'), undefined, 'phase 1 had no call');
});

t.test('SubmitApplication: within the window, once per candidate', async (t) => {
  const spec = specFor(applicationDecider)(t);
  spec.given([]).when(submit('2023-07-10')).then([submitted]);
  spec
    .given([])
    .when(submit('2023-06-23'))
    .then([{ ...submitted, data: { ...submitted.data, submittedOn: '2023-06-23' } }]);
  spec
    .given([])
    .when(submit('2023-09-22'))
    .then([{ ...submitted, data: { ...submitted.data, submittedOn: '2023-09-22' } }]);
  spec
    .given([])
    .when(submit('2023-06-22'))
    .then('VALIDATION', /outside the call for applications.*2023-06-23 to 2023-09-22/);
  spec
    .given([])
    .when(submit('2023-09-23'))
    .then('VALIDATION', /outside the call for applications/);
  spec
    .given([])
    .when(submit('2023-05-01'))
    .then('VALIDATION', /before programme territoires-industrie-2023 began/);
  spec
    .given([submitted])
    .when(submit('2023-07-11'))
    .then('CONFLICT', /already applied/);
  spec
    .given([])
    .when(submit('2023-07-10', { succeeds: '8401' }))
    .then([{ ...submitted, data: { ...submitted.data, succeeds: '8401' } }]);
  const noCall = submit('2023-07-10');
  spec
    .given([])
    .when({ ...noCall, data: { ...noCall.data, call: null } } as ApplicationCommand)
    .then('VALIDATION', /has no call for applications/);
  const twice = submit('2023-07-10');
  spec
    .given([])
    .when({ ...twice, data: { ...twice.data, epcis: [...epcis, ...epcis] } } as ApplicationCommand)
    .then('VALIDATION', /listed twice/);
  const oldRegion = submit('2023-07-10');
  spec
    .given([])
    .when({ ...oldRegion, data: { ...oldRegion.data, regionCode: '41' } } as ApplicationCommand)
    .then('VALIDATION', /not a Region in force on 2023-07-10/);
});

t.test('the window rule names its rule and field', async (t) => {
  const err = t.throws(() => applicationDecider.decide(submit('2023-10-01'), applicationDecider.initialState()));
  t.match(err, { status: 400, details: { field: 'submittedOn', rule: 'call-window', closesOn: '2023-09-22' } });
});

t.test('selection: after the call closes, once, never both', async (t) => {
  const spec = specFor(applicationDecider)(t);
  spec.given([submitted]).when(select('2023-11-09')).then([selected]);
  spec
    .given([submitted])
    .when(select('2023-09-22'))
    .then('VALIDATION', /decided after the call closes \(2023-09-22\)/);
  spec
    .given([submitted])
    .when(select('2023-08-01'))
    .then('VALIDATION', /after the call closes/);
  spec.given([submitted, selected]).when(select('2023-11-10')).then([]);
  spec
    .given([submitted, notSelected])
    .when(select('2023-11-10'))
    .then('CONFLICT', /was not selected/);
  spec.given([]).when(select('2023-11-09')).then('NOT_FOUND');
  spec.given([submitted]).when(decline('2023-11-09')).then([notSelected]);
  spec
    .given([submitted, selected])
    .when(decline('2023-11-10'))
    .then('CONFLICT', /was selected/);
  spec.given([submitted, notSelected]).when(decline('2023-11-10')).then([]);
  spec
    .given([submitted])
    .when(decline('2023-09-01'))
    .then('VALIDATION', /after the call closes/);
  spec
    .given([submitted])
    .when({ ...select('2023-11-09'), metadata: { ...meta, today: '2023-10-01' } })
    .then('VALIDATION', /after today/);
});

t.test('labelling from an application: only a selected one, not before its selection', async (t) => {
  const spec = specFor(territoryDecider)(t);
  const fold = (events: ApplicationEvent[]) =>
    events.reduce(applicationDecider.evolve, applicationDecider.initialState());
  const labelled: TerritoryEvent = {
    type: 'TerritoryLabelled',
    data: {
      territoryId: '8413',
      programme: p2.programmeId,
      name: 'Plastics Vallée – Oyonnax',
      regionCode: '84',
      epcis,
      labelledOn: '2023-11-09',
      application: '8413',
    },
  };
  spec
    .given([])
    .when(labellingOf(fold([submitted, selected]), '8413', '2023-11-09', meta))
    .then([labelled]);
  spec
    .given([])
    .when(labellingOf(fold([submitted]), '8413', '2023-11-09', meta))
    .then('CONFLICT', /is not selected/);
  spec
    .given([])
    .when(labellingOf(fold([submitted, notSelected]), '8413', '2023-11-09', meta))
    .then('CONFLICT', /is not selected/);
  spec
    .given([])
    .when(
      labellingOf(
        fold([submitted, { ...selected, data: { ...selected.data, selectedOn: '2023-11-20' } }]),
        '8413',
        '2023-11-09',
        meta,
      ),
    )
    .then('VALIDATION', /before the application was selected/);
  spec
    .given([labelled])
    .when(labellingOf(fold([submitted, selected]), '8413', '2023-11-10', meta))
    .then('CONFLICT', /already labelled/);
  // the renewal link travels from the application to the territory
  const renewing = fold([{ ...submitted, data: { ...submitted.data, succeeds: '8401' } }, selected]);
  spec
    .given([])
    .when(labellingOf(renewing, '8413', '2023-11-09', meta))
    .then([{ ...labelled, data: { ...labelled.data, succeeds: '8401' } }]);
  t.throws(() => labellingOf(applicationDecider.initialState(), '8413', '2023-11-09', meta), /does not exist/);
});

const labelledP2: TerritoryEvent = {
  type: 'TerritoryLabelled',
  data: {
    territoryId: '8413',
    programme: p2.programmeId,
    name: 'Plastics Vallée',
    regionCode: '84',
    epcis,
    labelledOn: '2023-11-09',
  },
};

t.test('AppointProjectLead: a co-financed lead, dated in the programme', async (t) => {
  const spec = specFor(territoryDecider)(t);
  const appoint = (
    appointedOn: string,
    cofinancing: { funder: string; kind: 'state' | 'region' | 'epci' | 'other'; amountEur: number }[],
  ): TerritoryCommand => ({
    type: 'AppointProjectLead',
    data: { territoryId: '8413', lead: { name: 'Camille Martin', role: 'Cheffe de projet' }, appointedOn, cofinancing },
    metadata: meta,
  });
  const funders = [
    { funder: 'ANCT', kind: 'state' as const, amountEur: 40000 },
    { funder: 'CA Haut-Bugey', kind: 'epci' as const, amountEur: 20000.5 },
  ];
  spec
    .given([labelledP2])
    .when(appoint('2024-01-15', funders))
    .then([
      {
        type: 'TerritoryProjectLeadAppointed',
        data: {
          territoryId: '8413',
          lead: { name: 'Camille Martin', role: 'Cheffe de projet' },
          appointedOn: '2024-01-15',
          cofinancing: [
            { funder: 'ANCT', kind: 'state', amountCents: 4_000_000 },
            { funder: 'CA Haut-Bugey', kind: 'epci', amountCents: 2_000_050 },
          ],
        },
      },
    ]);
  spec
    .given([labelledP2])
    .when(appoint('2024-01-15', funders.slice(0, 1)))
    .then('VALIDATION', /at least two funders/);
  spec
    .given([labelledP2])
    .when(appoint('2024-01-15', [funders[0]!, funders[0]!]))
    .then('VALIDATION', /listed twice/);
  spec
    .given([labelledP2])
    .when(appoint('2023-11-01', funders))
    .then('VALIDATION', /before the territory's last recorded change/);
  spec.given([labelledP2]).when(appoint('2028-01-15', funders)).then('VALIDATION', /after/);
  spec.given([]).when(appoint('2024-01-15', funders)).then('NOT_FOUND');
});

t.test('LinkSuccession: records the renewal once', async (t) => {
  const spec = specFor(territoryDecider)(t);
  const link = (succeeds: string): TerritoryCommand => ({
    type: 'LinkSuccession',
    data: { territoryId: '8413', succeeds, linkedOn: '2024-02-01', basis: 'epci-overlap' },
    metadata: meta,
  });
  const linked: TerritoryEvent = {
    type: 'TerritorySuccessionLinked',
    data: { territoryId: '8413', succeeds: '8401', linkedOn: '2024-02-01', basis: 'epci-overlap' },
  };
  spec.given([labelledP2]).when(link('8401')).then([linked]);
  spec.given([labelledP2, linked]).when(link('8401')).then([]);
  spec
    .given([labelledP2, linked])
    .when(link('8402'))
    .then('CONFLICT', /already succeeds 8401/);
  spec
    .given([{ ...labelledP2, data: { ...labelledP2.data, succeeds: '8401' } }])
    .when(link('8402'))
    .then('CONFLICT', /already succeeds/);
});
