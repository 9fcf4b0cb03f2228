import { mayActFor } from '../../kernel/regions.ts';
import {
  amountCents,
  dueDate,
  dueNotBeforeMade,
  notBeforeLast as notBeforeLastIn,
  text,
} from '../../kernel/commitments.ts';
import {
  assertBusinessDate,
  assertNever,
  conflict,
  forbidden,
  notFound,
  validationError,
  type Axis,
  type Command,
} from '../../kernel/shared.ts';
import type { Territory } from '../territory/territory.ts';
import {
  CONTRACT_STATUS,
  REQUIRED_PARTIES,
  type Commitment,
  type Contract,
  type ContractEvent,
  type KnownContract,
  type PartyKind,
  type Signatory,
} from './contract.ts';

/** Contract commands and `decide`: one small function per command. Pure. */

/** What a decision needs to know about the contract's territory, read by the shell at decision time. */
export interface TerritoryFacts {
  status: Territory['status'];
  regionCode: string | null;
  labelledOn: string | null;
}

export const territoryFacts = (t: Territory): TerritoryFacts =>
  t.status === 'Unknown'
    ? { status: 'Unknown', regionCode: null, labelledOn: null }
    : { status: t.status, regionCode: t.regionCode, labelledOn: t.labelledOn };

export interface CommitmentTermsInput {
  partyKind: PartyKind;
  partyName: string;
  partySiren?: string | null | undefined;
  axis: Axis;
  description: string;
  /** Euros with at most two decimals. */
  amountEur: number;
  dueOn: string;
}

export type DraftContract = Command<
  'DraftContract',
  {
    contractId: string;
    territoryId: string;
    title: string;
    kind?: 'protocol' | 'contract' | undefined;
    draftedOn: string;
    territory: TerritoryFacts;
  }
>;
export type MakeCommitment = Command<
  'MakeCommitment',
  { contractId: string; commitmentId: string; madeOn: string } & CommitmentTermsInput
>;
export type AmendCommitment = Command<
  'AmendCommitment',
  {
    contractId: string;
    commitmentId: string;
    amendedOn: string;
    reason?: string | undefined;
  } & Partial<CommitmentTermsInput>
>;
export type WithdrawCommitment = Command<
  'WithdrawCommitment',
  { contractId: string; commitmentId: string; withdrawnOn: string; reason?: string | undefined }
>;
export type SubmitContract = Command<'SubmitContract', { contractId: string; submittedOn: string }>;

interface DecisionData {
  contractId: string;
  decidedOn: string;
  /** The territory's region at the time of the decision (read by the shell from its stream). */
  regionCode: string;
  /** The regions the deciding validator may act for (their token's `regions` claim). */
  validatorRegions: readonly string[];
}
export type ValidateContract = Command<'ValidateContract', DecisionData & { comment?: string | undefined }>;
export type RequestContractChanges = Command<'RequestContractChanges', DecisionData & { reason: string }>;
export type RejectContract = Command<'RejectContract', DecisionData & { reason: string }>;
export type ReopenContract = Command<'ReopenContract', { contractId: string; reopenedOn: string; reason: string }>;
export type SignContract = Command<'SignContract', { contractId: string; signedOn: string; signatories: Signatory[] }>;

export type ContractCommand =
  | DraftContract
  | MakeCommitment
  | AmendCommitment
  | WithdrawCommitment
  | SubmitContract
  | ValidateContract
  | RequestContractChanges
  | RejectContract
  | ReopenContract
  | SignContract;

// ---- helpers -----------------------------------------------------------------------------------

const apiStatus = (s: KnownContract) => CONTRACT_STATUS[s.status];

function known(state: Contract, id: string): KnownContract {
  if (state.status === 'Unknown') throw notFound(`contract ${id} does not exist`);
  return state;
}

function wrongStatus(s: KnownContract, what: string): never {
  throw conflict(`contract ${s.id} is ${apiStatus(s)}: ${what}`, { currentStatus: apiStatus(s) });
}

/** Commitments change only while the contract is a draft or sent back for changes. */
function editable(state: Contract, id: string): KnownContract {
  const s = known(state, id);
  if (s.status === 'Draft' || s.status === 'ChangesRequested') return s;
  if (s.status === 'Validated')
    wrongStatus(s, "a validated contract's commitments change only through a new submission (reopen it first)");
  if (s.status === 'Submitted') wrongStatus(s, 'its commitments cannot change while the Region examines it');
  return wrongStatus(s, 'its commitments can no longer change');
}

const notBeforeLast = (field: string, date: string, s: KnownContract) => notBeforeLastIn(field, date, s.lastDate);

function commitment(s: KnownContract, commitmentId: string): Commitment {
  const c = s.commitments.find((x) => x.commitmentId === commitmentId);
  if (!c) throw notFound(`contract ${s.id} has no commitment ${commitmentId}`);
  return c;
}

// ---- decisions ---------------------------------------------------------------------------------

const draft = (c: DraftContract, state: Contract): ContractEvent[] => {
  const d = c.data;
  if (state.status !== 'Unknown') throw conflict(`contract ${d.contractId} already exists`);
  const t = d.territory;
  if (t.status === 'Unknown' || t.regionCode === null || t.labelledOn === null)
    throw notFound(`territory ${d.territoryId} does not exist`);
  if (t.status !== 'Labelled')
    throw conflict(`territory ${d.territoryId} is ${t.status.toLowerCase()}: it takes no new contract`, {
      territoryStatus: t.status.toLowerCase(),
    });
  assertBusinessDate('draftedOn', d.draftedOn, c.metadata.today);
  if (d.draftedOn < t.labelledOn)
    throw validationError(`draftedOn ${d.draftedOn} is before the territory was labelled (${t.labelledOn})`, {
      field: 'draftedOn',
    });
  return [
    {
      type: 'ContractDrafted',
      data: {
        contractId: d.contractId,
        territoryId: d.territoryId,
        regionCode: t.regionCode,
        kind: d.kind ?? 'contract',
        title: d.title,
        draftedOn: d.draftedOn,
      },
    },
  ];
};

const makeCommitment = (c: MakeCommitment, state: Contract): ContractEvent[] => {
  const s = editable(state, c.data.contractId);
  const d = c.data;
  assertBusinessDate('madeOn', d.madeOn, c.metadata.today);
  notBeforeLast('madeOn', d.madeOn, s);
  dueDate('dueOn', d.dueOn);
  dueNotBeforeMade(d.dueOn, d.madeOn);
  if (s.commitments.some((x) => x.commitmentId === d.commitmentId))
    throw conflict(`commitment ${d.commitmentId} already exists`);
  return [
    {
      type: 'CommitmentMade',
      data: {
        contractId: s.id,
        territoryId: s.territoryId,
        commitmentId: d.commitmentId,
        partyKind: d.partyKind,
        partyName: d.partyName,
        partySiren: d.partySiren ?? null,
        axis: d.axis,
        description: d.description,
        amountCents: amountCents('amountEur', d.amountEur),
        dueOn: d.dueOn,
        madeOn: d.madeOn,
      },
    },
  ];
};

const amendCommitment = (c: AmendCommitment, state: Contract): ContractEvent[] => {
  const s = editable(state, c.data.contractId);
  const d = c.data;
  const current = commitment(s, d.commitmentId);
  assertBusinessDate('amendedOn', d.amendedOn, c.metadata.today);
  notBeforeLast('amendedOn', d.amendedOn, s);
  if (d.dueOn !== undefined) dueDate('dueOn', d.dueOn);
  const next = {
    partyKind: d.partyKind ?? current.partyKind,
    partyName: d.partyName ?? current.partyName,
    partySiren: d.partySiren === undefined ? current.partySiren : d.partySiren,
    axis: d.axis ?? current.axis,
    description: d.description ?? current.description,
    amountCents: d.amountEur === undefined ? current.amountCents : amountCents('amountEur', d.amountEur),
    dueOn: d.dueOn ?? current.dueOn,
  };
  if (d.dueOn !== undefined) dueNotBeforeMade(next.dueOn, current.madeOn);
  const same = (Object.keys(next) as (keyof typeof next)[]).every((k) => next[k] === current[k]);
  if (same) return []; // already so: nothing to record
  return [
    {
      type: 'CommitmentAmended',
      data: {
        contractId: s.id,
        territoryId: s.territoryId,
        commitmentId: d.commitmentId,
        ...next,
        amendedOn: d.amendedOn,
        reason: text(d.reason),
      },
    },
  ];
};

const withdrawCommitment = (c: WithdrawCommitment, state: Contract): ContractEvent[] => {
  const s = editable(state, c.data.contractId);
  const d = c.data;
  commitment(s, d.commitmentId);
  assertBusinessDate('withdrawnOn', d.withdrawnOn, c.metadata.today);
  notBeforeLast('withdrawnOn', d.withdrawnOn, s);
  return [
    {
      type: 'CommitmentWithdrawn',
      data: {
        contractId: s.id,
        territoryId: s.territoryId,
        commitmentId: d.commitmentId,
        withdrawnOn: d.withdrawnOn,
        reason: text(d.reason),
      },
    },
  ];
};

const submit = (c: SubmitContract, state: Contract): ContractEvent[] => {
  const s = known(state, c.data.contractId);
  if (s.status !== 'Draft' && s.status !== 'ChangesRequested')
    wrongStatus(s, 'only a draft or a contract sent back for changes can be submitted');
  assertBusinessDate('submittedOn', c.data.submittedOn, c.metadata.today);
  notBeforeLast('submittedOn', c.data.submittedOn, s);
  const missing = REQUIRED_PARTIES.filter((p) => !s.commitments.some((x) => x.partyKind === p));
  if (missing.length > 0)
    throw conflict(
      `contract ${s.id} needs at least one commitment from each of ${REQUIRED_PARTIES.join(', ')}; missing: ${missing.join(', ')}`,
      { currentStatus: apiStatus(s), missingParties: missing },
    );
  return [
    {
      type: 'ContractSubmittedForValidation',
      data: {
        contractId: s.id,
        territoryId: s.territoryId,
        submission: s.submissions + 1,
        submittedOn: c.data.submittedOn,
        commitmentCount: s.commitments.length,
        totalCents: s.commitments.reduce((sum, x) => sum + x.amountCents, 0),
      },
    },
  ];
};

/** Common checks of a regional decision; returns the submitted contract. */
function decision(c: ValidateContract | RequestContractChanges | RejectContract, state: Contract) {
  const s = known(state, c.data.contractId);
  // a token of today's Region acts for its predecessors' records too (Grand Est for Lorraine)
  if (!mayActFor(c.data.validatorRegions, c.data.regionCode))
    throw forbidden(
      `contract ${s.id} belongs to a territory of region ${c.data.regionCode}; you may decide only for region(s) ${c.data.validatorRegions.join(', ') || '(none)'}`,
    );
  if (s.status !== 'Submitted') wrongStatus(s, 'only a submitted contract can be decided, once per submission');
  assertBusinessDate('decidedOn', c.data.decidedOn, c.metadata.today);
  if (c.data.decidedOn < s.submittedOn)
    throw validationError(`decidedOn ${c.data.decidedOn} is before the submission it decides (${s.submittedOn})`, {
      field: 'decidedOn',
    });
  return {
    contractId: s.id,
    territoryId: s.territoryId,
    regionCode: c.data.regionCode,
    submission: s.submissions,
    decidedOn: c.data.decidedOn,
  };
}

const validate = (c: ValidateContract, state: Contract): ContractEvent[] => [
  { type: 'ContractValidatedByRegion', data: { ...decision(c, state), comment: text(c.data.comment) } },
];

const requestChanges = (c: RequestContractChanges, state: Contract): ContractEvent[] => [
  { type: 'ContractChangesRequestedByRegion', data: { ...decision(c, state), reason: c.data.reason } },
];

const reject = (c: RejectContract, state: Contract): ContractEvent[] => [
  { type: 'ContractRejectedByRegion', data: { ...decision(c, state), reason: c.data.reason } },
];

const reopen = (c: ReopenContract, state: Contract): ContractEvent[] => {
  const s = known(state, c.data.contractId);
  if (s.status !== 'Validated') wrongStatus(s, 'only a validated (unsigned) contract can be reopened');
  assertBusinessDate('reopenedOn', c.data.reopenedOn, c.metadata.today);
  notBeforeLast('reopenedOn', c.data.reopenedOn, s);
  return [
    {
      type: 'ContractReopened',
      data: { contractId: s.id, territoryId: s.territoryId, reopenedOn: c.data.reopenedOn, reason: c.data.reason },
    },
  ];
};

const sign = (c: SignContract, state: Contract): ContractEvent[] => {
  const s = known(state, c.data.contractId);
  if (s.status !== 'Validated') wrongStatus(s, 'only a contract validated by the Region can be signed');
  assertBusinessDate('signedOn', c.data.signedOn, c.metadata.today);
  if (c.data.signedOn < s.validatedOn)
    throw validationError(`signedOn ${c.data.signedOn} is before the validation (${s.validatedOn})`, {
      field: 'signedOn',
    });
  if (c.data.signatories.length === 0)
    throw validationError('signatories: at least one signatory', { field: 'signatories' });
  return [
    {
      type: 'ContractSigned',
      data: {
        contractId: s.id,
        territoryId: s.territoryId,
        submission: s.submissions,
        signedOn: c.data.signedOn,
        signatories: c.data.signatories,
      },
    },
  ];
};

export function decideContract(command: ContractCommand, state: Contract): ContractEvent[] {
  switch (command.type) {
    case 'DraftContract':
      return draft(command, state);
    case 'MakeCommitment':
      return makeCommitment(command, state);
    case 'AmendCommitment':
      return amendCommitment(command, state);
    case 'WithdrawCommitment':
      return withdrawCommitment(command, state);
    case 'SubmitContract':
      return submit(command, state);
    case 'ValidateContract':
      return validate(command, state);
    case 'RequestContractChanges':
      return requestChanges(command, state);
    case 'RejectContract':
      return reject(command, state);
    case 'ReopenContract':
      return reopen(command, state);
    case 'SignContract':
      return sign(command, state);
    default:
      return assertNever(command);
  }
}
