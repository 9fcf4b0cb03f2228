import t from 'tap';
import {
  contractDecider,
  type ContractCommand,
  type ContractEvent,
  type ContractEventOf,
  type PartyKind,
} from '../../src/domain/territoires-industrie/contract/index.ts';
import { buildRegistry } from '../../src/domain/index.ts';
import { specFor } from './spec.ts';

const spec = specFor(contractDecider);
const actor = { sub: 'lead-1', name: 'Lead', roles: ['territory_lead'] };
const today = '2020-06-01';
const meta = { actor, today };
const C = 'c-1';
const T = '4401';
const labelled = { status: 'Labelled' as const, regionCode: '44', labelledOn: '2018-11-22' };

const drafted: ContractEventOf<'ContractDrafted'> = {
  type: 'ContractDrafted',
  data: {
    contractId: C,
    territoryId: T,
    regionCode: '44',
    kind: 'contract',
    title: 'Contrat Vosges',
    draftedOn: '2019-01-10',
  },
};
const made = (
  commitmentId: string,
  partyKind: PartyKind,
  madeOn = '2019-02-01',
): ContractEventOf<'CommitmentMade'> => ({
  type: 'CommitmentMade',
  data: {
    contractId: C,
    territoryId: T,
    commitmentId,
    partyKind,
    partyName: `${partyKind} party`,
    partySiren: null,
    axis: 'innovation',
    description: 'help',
    amountCents: 100_000,
    dueOn: '2021-12-31',
    madeOn,
  },
});
const allFour: ContractEvent[] = [
  made('k1', 'industrial'),
  made('k2', 'epci'),
  made('k3', 'region'),
  made('k4', 'state'),
];
const submitted = (submission = 1, submittedOn = '2019-03-01'): ContractEvent => ({
  type: 'ContractSubmittedForValidation',
  data: { contractId: C, territoryId: T, submission, submittedOn, commitmentCount: 4, totalCents: 400_000 },
});
const validated: ContractEvent = {
  type: 'ContractValidatedByRegion',
  data: { contractId: C, territoryId: T, regionCode: '44', submission: 1, decidedOn: '2019-04-01', comment: null },
};
const changesRequested: ContractEvent = {
  type: 'ContractChangesRequestedByRegion',
  data: { contractId: C, territoryId: T, regionCode: '44', submission: 1, decidedOn: '2019-04-01', reason: 'more' },
};
const rejected: ContractEvent = {
  type: 'ContractRejectedByRegion',
  data: { contractId: C, territoryId: T, regionCode: '44', submission: 1, decidedOn: '2019-04-01', reason: 'no' },
};
const inReview = [drafted, ...allFour, submitted()];

const decide = (
  type: 'ValidateContract' | 'RequestContractChanges' | 'RejectContract',
  decidedOn = '2019-04-01',
  regions: string[] = ['44'],
  regionCode = '44',
): ContractCommand => {
  const base = { contractId: C, decidedOn, regionCode, validatorRegions: regions };
  if (type === 'ValidateContract') return { type, data: base, metadata: meta };
  return { type, data: { ...base, reason: 'because' }, metadata: meta };
};
const draftCmd = (over: Partial<{ draftedOn: string; territory: typeof labelled | object }> = {}): ContractCommand => ({
  type: 'DraftContract',
  data: {
    contractId: C,
    territoryId: T,
    title: 'Contrat Vosges',
    draftedOn: '2019-01-10',
    territory: labelled,
    ...over,
  } as Extract<ContractCommand, { type: 'DraftContract' }>['data'],
  metadata: meta,
});
const makeCmd = (over: Record<string, unknown> = {}): ContractCommand => ({
  type: 'MakeCommitment',
  data: {
    contractId: C,
    commitmentId: 'k9',
    partyKind: 'industrial',
    partyName: 'Usine SA',
    partySiren: '123456789',
    axis: 'skills',
    description: 'train 20 people',
    amountEur: 1234.56,
    dueOn: '2022-06-30',
    madeOn: '2019-02-15',
    ...over,
  },
  metadata: meta,
});

t.test('drafting', async (t) => {
  spec(t).given([]).when(draftCmd()).then([drafted]);
  t.test('a contract exists once', async (t) => spec(t).given([drafted]).when(draftCmd()).then('CONFLICT'));
  t.test('a withdrawn territory takes no new contract', async (t) =>
    spec(t)
      .given([])
      .when(draftCmd({ territory: { ...labelled, status: 'Withdrawn' } }))
      .then('CONFLICT', /withdrawn: it takes no new contract/),
  );
  t.test('a split territory takes no new contract', async (t) =>
    spec(t)
      .given([])
      .when(draftCmd({ territory: { ...labelled, status: 'Split' } }))
      .then('CONFLICT'),
  );
  t.test('an unknown territory is a 404', async (t) =>
    spec(t)
      .given([])
      .when(draftCmd({ territory: { status: 'Unknown', regionCode: null, labelledOn: null } }))
      .then('NOT_FOUND'),
  );
  t.test('business dates: a real calendar day', async (t) =>
    spec(t)
      .given([])
      .when(draftCmd({ draftedOn: '2019-02-29' }))
      .then('VALIDATION'),
  );
  t.test('business dates: not before the launch', async (t) =>
    spec(t)
      .given([])
      .when(draftCmd({ draftedOn: '2018-11-21' }))
      .then('VALIDATION'),
  );
  t.test('business dates: not after today', async (t) =>
    spec(t)
      .given([])
      .when(draftCmd({ draftedOn: '2020-06-02' }))
      .then('VALIDATION'),
  );
  t.test('business dates: not before the territory was labelled', async (t) =>
    spec(t)
      .given([])
      .when(draftCmd({ territory: { ...labelled, labelledOn: '2019-06-01' } }))
      .then('VALIDATION', /before the territory was labelled/),
  );
});

t.test('commitments', async (t) => {
  t.test('amounts in euros with cents become integer cents', async (t) =>
    spec(t)
      .given([drafted])
      .when(makeCmd())
      .then([
        {
          type: 'CommitmentMade',
          data: {
            contractId: C,
            territoryId: T,
            commitmentId: 'k9',
            partyKind: 'industrial',
            partyName: 'Usine SA',
            partySiren: '123456789',
            axis: 'skills',
            description: 'train 20 people',
            amountCents: 123456,
            dueOn: '2022-06-30',
            madeOn: '2019-02-15',
          },
        },
      ]),
  );
  t.test('amounts are non-negative', async (t) =>
    spec(t)
      .given([drafted])
      .when(makeCmd({ amountEur: -1 }))
      .then('VALIDATION'),
  );
  t.test('amounts have at most two decimals', async (t) =>
    spec(t)
      .given([drafted])
      .when(makeCmd({ amountEur: 10.001 }))
      .then('VALIDATION'),
  );
  t.test('a due date may be in the future but must be a calendar date', async (t) =>
    spec(t)
      .given([drafted])
      .when(makeCmd({ dueOn: '2022-13-01' }))
      .then('VALIDATION'),
  );
  t.test('a commitment cannot fall due before the date it is made', async (t) => {
    spec(t)
      .given([drafted])
      .when(makeCmd({ madeOn: '2019-02-15', dueOn: '2019-02-14' }))
      .then('VALIDATION', /dueOn 2019-02-14 is before the date the commitment is made/);
    // due the day it is made: accepted
    spec(t)
      .given([drafted])
      .when(makeCmd({ madeOn: '2019-02-15', dueOn: '2019-02-15' }))
      .then([
        {
          type: 'CommitmentMade',
          data: {
            contractId: C,
            territoryId: T,
            commitmentId: 'k9',
            partyKind: 'industrial',
            partyName: 'Usine SA',
            partySiren: '123456789',
            axis: 'skills',
            description: 'train 20 people',
            amountCents: 123456,
            dueOn: '2019-02-15',
            madeOn: '2019-02-15',
          },
        },
      ]);
    // nor be amended to fall due before it was made
    spec(t)
      .given([drafted, made('k1', 'industrial', '2019-02-01')])
      .when({
        type: 'AmendCommitment',
        data: { contractId: C, commitmentId: 'k1', dueOn: '2019-01-31', amendedOn: '2019-02-10' },
        metadata: meta,
      })
      .then('VALIDATION', /before the date the commitment is made \(madeOn 2019-02-01\)/);
  });
  t.test('not on an unknown contract', async (t) => spec(t).given([]).when(makeCmd()).then('NOT_FOUND'));
  t.test('not dated before the last change', async (t) =>
    spec(t)
      .given([drafted])
      .when(makeCmd({ madeOn: '2019-01-09' }))
      .then('VALIDATION'),
  );
  t.test('not while the Region examines the contract', async (t) =>
    spec(t)
      .given(inReview)
      .when(makeCmd({ madeOn: '2019-03-02' }))
      .then('CONFLICT'),
  );
  t.test("a validated contract's commitments change only through a new submission", async (t) => {
    spec(t)
      .given([...inReview, validated])
      .when(makeCmd({ madeOn: '2019-04-02' }))
      .then('CONFLICT', /only through a new submission/);
    spec(t)
      .given([...inReview, validated])
      .when({
        type: 'WithdrawCommitment',
        data: { contractId: C, commitmentId: 'k1', withdrawnOn: '2019-04-02' },
        metadata: meta,
      })
      .then('CONFLICT');
    // reopening puts it back to draft: the commitment can change, and it must be submitted again
    const reopened: ContractEvent = {
      type: 'ContractReopened',
      data: { contractId: C, territoryId: T, reopenedOn: '2019-04-02', reason: 'new partner' },
    };
    spec(t)
      .given([...inReview, validated])
      .when({
        type: 'ReopenContract',
        data: { contractId: C, reopenedOn: '2019-04-02', reason: 'new partner' },
        metadata: meta,
      })
      .then([reopened]);
    spec(t)
      .given([...inReview, validated, reopened])
      .when({
        type: 'SignContract',
        data: { contractId: C, signedOn: '2019-04-03', signatories: [{ name: 'A' }] },
        metadata: meta,
      })
      .then('CONFLICT');
    spec(t)
      .given([...inReview, validated, reopened])
      .when({ type: 'SubmitContract', data: { contractId: C, submittedOn: '2019-04-03' }, metadata: meta })
      .then([submitted(2, '2019-04-03')]);
  });
  t.test('amend records the full terms after the change; same terms record nothing', async (t) => {
    spec(t)
      .given([drafted, made('k1', 'industrial')])
      .when({
        type: 'AmendCommitment',
        data: { contractId: C, commitmentId: 'k1', amountEur: 2000, amendedOn: '2019-02-02', reason: 'more' },
        metadata: meta,
      })
      .then([
        {
          type: 'CommitmentAmended',
          data: {
            contractId: C,
            territoryId: T,
            commitmentId: 'k1',
            partyKind: 'industrial',
            partyName: 'industrial party',
            partySiren: null,
            axis: 'innovation',
            description: 'help',
            amountCents: 200_000,
            dueOn: '2021-12-31',
            amendedOn: '2019-02-02',
            reason: 'more',
          },
        },
      ]);
    spec(t)
      .given([drafted, made('k1', 'industrial')])
      .when({
        type: 'AmendCommitment',
        data: { contractId: C, commitmentId: 'k1', amountEur: 1000, amendedOn: '2019-02-02' },
        metadata: meta,
      })
      .then([]);
  });
  t.test('amend or withdraw an unknown commitment is a 404', async (t) => {
    spec(t)
      .given([drafted])
      .when({
        type: 'AmendCommitment',
        data: { contractId: C, commitmentId: 'nope', amendedOn: '2019-02-02' },
        metadata: meta,
      })
      .then('NOT_FOUND');
    spec(t)
      .given([
        drafted,
        made('k1', 'industrial'),
        {
          type: 'CommitmentWithdrawn',
          data: { contractId: C, territoryId: T, commitmentId: 'k1', withdrawnOn: '2019-02-02', reason: null },
        },
      ])
      .when({
        type: 'WithdrawCommitment',
        data: { contractId: C, commitmentId: 'k1', withdrawnOn: '2019-02-03' },
        metadata: meta,
      })
      .then('NOT_FOUND');
  });
});

t.test('submission', async (t) => {
  t.test('needs a commitment from each of industrial, epci, region and state', async (t) => {
    spec(t)
      .given([drafted, made('k1', 'industrial'), made('k2', 'epci'), made('k3', 'region'), made('k5', 'operator')])
      .when({ type: 'SubmitContract', data: { contractId: C, submittedOn: '2019-03-01' }, metadata: meta })
      .then('CONFLICT', /missing: state/);
    spec(t)
      .given([drafted, ...allFour])
      .when({ type: 'SubmitContract', data: { contractId: C, submittedOn: '2019-03-01' }, metadata: meta })
      .then([submitted()]);
  });
  t.test('a withdrawn commitment no longer counts', async (t) =>
    spec(t)
      .given([
        drafted,
        ...allFour,
        {
          type: 'CommitmentWithdrawn',
          data: { contractId: C, territoryId: T, commitmentId: 'k4', withdrawnOn: '2019-02-10', reason: null },
        },
      ])
      .when({ type: 'SubmitContract', data: { contractId: C, submittedOn: '2019-03-01' }, metadata: meta })
      .then('CONFLICT', /missing: state/),
  );
  t.test('not twice', async (t) =>
    spec(t)
      .given(inReview)
      .when({ type: 'SubmitContract', data: { contractId: C, submittedOn: '2019-03-02' }, metadata: meta })
      .then('CONFLICT'),
  );
  t.test('after changes were requested, a new submission', async (t) =>
    spec(t)
      .given([...inReview, changesRequested])
      .when({ type: 'SubmitContract', data: { contractId: C, submittedOn: '2019-05-01' }, metadata: meta })
      .then([submitted(2, '2019-05-01')]),
  );
});

t.test('regional decisions', async (t) => {
  t.test('only a submitted contract can be validated, rejected or sent back', async (t) => {
    for (const type of ['ValidateContract', 'RequestContractChanges', 'RejectContract'] as const)
      spec(t)
        .given([drafted, ...allFour])
        .when(decide(type))
        .then('CONFLICT');
  });
  t.test('and only once per submission', async (t) => {
    for (const first of [validated, changesRequested, rejected])
      for (const type of ['ValidateContract', 'RequestContractChanges', 'RejectContract'] as const)
        spec(t)
          .given([...inReview, first])
          .when(decide(type, '2019-04-02'))
          .then('CONFLICT');
  });
  t.test('the decision carries the region and the submission it decides', async (t) => {
    spec(t).given(inReview).when(decide('ValidateContract')).then([validated]);
    spec(t)
      .given(inReview)
      .when(decide('RequestContractChanges'))
      .then([{ ...changesRequested, data: { ...changesRequested.data, reason: 'because' } }]);
    spec(t)
      .given(inReview)
      .when(decide('RejectContract'))
      .then([{ ...rejected, data: { ...rejected.data, reason: 'because' } }]);
  });
  t.test('a decision is not dated before the submission it decides', async (t) =>
    spec(t)
      .given(inReview)
      .when(decide('ValidateContract', '2019-02-28'))
      .then('VALIDATION', /before the submission/),
  );
  t.test('nor after today', async (t) =>
    spec(t).given(inReview).when(decide('ValidateContract', '2020-06-02')).then('VALIDATION'),
  );
  t.test('a validator of region 84 may not decide on a contract of region 44', async (t) => {
    for (const type of ['ValidateContract', 'RequestContractChanges', 'RejectContract'] as const)
      spec(t)
        .given(inReview)
        .when(decide(type, '2019-04-01', ['84']))
        .then('FORBIDDEN');
  });
  t.test("the territory's region at the time of the decision counts, not the one at drafting", async (t) => {
    // drafted in 44, the territory now in 84: a validator of 84 decides, one of 44 may not
    spec(t)
      .given(inReview)
      .when(decide('ValidateContract', '2019-04-01', ['44'], '84'))
      .then('FORBIDDEN');
    spec(t)
      .given(inReview)
      .when(decide('ValidateContract', '2019-04-01', ['84'], '84'))
      .then([{ ...validated, data: { ...validated.data, regionCode: '84' } }]);
  });
});

t.test('signature', async (t) => {
  const signCmd = (signedOn: string): ContractCommand => ({
    type: 'SignContract',
    data: { contractId: C, signedOn, signatories: [{ name: 'Préfet', partyKind: 'state' }] },
    metadata: meta,
  });
  t.test('only a validated contract is signed', async (t) => {
    spec(t).given(inReview).when(signCmd('2019-04-02')).then('CONFLICT');
    spec(t)
      .given([...inReview, rejected])
      .when(signCmd('2019-04-02'))
      .then('CONFLICT');
    spec(t)
      .given([...inReview, validated])
      .when(signCmd('2019-04-02'))
      .then([
        {
          type: 'ContractSigned',
          data: {
            contractId: C,
            territoryId: T,
            submission: 1,
            signedOn: '2019-04-02',
            signatories: [{ name: 'Préfet', partyKind: 'state' }],
          },
        },
      ]);
  });
  t.test('not before the validation', async (t) =>
    spec(t)
      .given([...inReview, validated])
      .when(signCmd('2019-03-31'))
      .then('VALIDATION'),
  );
  t.test('a signed contract cannot be signed again', async (t) =>
    spec(t)
      .given([
        ...inReview,
        validated,
        {
          type: 'ContractSigned',
          data: { contractId: C, territoryId: T, submission: 1, signedOn: '2019-04-02', signatories: [{ name: 'A' }] },
        },
      ])
      .when(signCmd('2019-04-03'))
      .then('CONFLICT'),
  );
});

t.test('upcaster: CommitmentMade v1 (whole euros) reads back as v2 (cents)', async (t) => {
  const registry = buildRegistry();
  t.equal(registry.spec('CommitmentMade').version, 2);
  const { amountCents: _drop, ...rest } = made('k1', 'region').data;
  const v1 = { ...rest, amountEur: 1500 };
  const up = registry.upcast('CommitmentMade', 1, v1);
  t.same(up.data, { ...rest, amountCents: 150_000 });
  t.notOk('amountEur' in up.data, 'no euros left');
  // the current version passes through unchanged
  t.same(registry.upcast('CommitmentMade', 2, made('k1', 'region').data).data, made('k1', 'region').data);
  t.throws(() => registry.upcast('CommitmentMade', 3, v1), /newer than this code/);
});

t.test("a token of today's Region decides for its predecessors' records, another Region's may not", async (t) => {
  // a contract recorded for Lorraine (41), which Grand Est (44) replaced on 2016-01-01
  const lorraine = [
    { ...drafted, data: { ...drafted.data, regionCode: '41' } } as ContractEvent,
    ...allFour,
    submitted(),
  ];
  spec(t)
    .given(lorraine)
    .when(decide('ValidateContract', '2019-04-01', ['44'], '41'))
    .then([{ ...validated, data: { ...validated.data, regionCode: '41' } }]);
  spec(t)
    .given(lorraine)
    .when(decide('ValidateContract', '2019-04-01', ['84'], '41'))
    .then('FORBIDDEN', /region 41; you may decide only for region\(s\) 84/);
  // and not the other way: a token of 41 does not act for all of Grand Est
  spec(t)
    .given(inReview)
    .when(decide('ValidateContract', '2019-04-01', ['41'], '44'))
    .then('FORBIDDEN');
});
