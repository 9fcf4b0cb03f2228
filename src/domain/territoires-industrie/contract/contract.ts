import { z } from 'zod';
import { Axis, BusinessDate, RegionCode, Siren, type DomainEvent } from '../../kernel/shared.ts';
import { TerritoryId } from '../territory/territory.ts';

/**
 * The contract aggregate (contrat de projet industriel territorial, or first a protocole
 * d'accord): its events, its state, and `evolve`. Pure.
 *
 * Every event carries `contractId` and `territoryId`; amounts are integer cents (`amountCents`).
 */

export const ContractId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'must be 1-64 letters, digits, _ . : -');
export const CommitmentId = ContractId;

export const PartyKind = z.enum(['industrial', 'epci', 'region', 'state', 'operator']);
export type PartyKind = z.infer<typeof PartyKind>;
/** A contract is submitted only with at least one commitment from each of these. */
export const REQUIRED_PARTIES: readonly PartyKind[] = ['industrial', 'epci', 'region', 'state'];

export const ContractKind = z.enum(['protocol', 'contract']);

export { AmountCents } from '../../kernel/commitments.ts';
import { AmountCents } from '../../kernel/commitments.ts';

export const Signatory = z.strictObject({
  name: z.string().trim().min(1).max(200),
  /** Company, mandate or office. */
  role: z.string().trim().min(1).max(200).optional(),
  partyKind: PartyKind.optional(),
});
export type Signatory = z.infer<typeof Signatory>;

/** The terms of one commitment, as recorded (flat). */
const CommitmentTerms = {
  partyKind: PartyKind,
  partyName: z.string(),
  /** SIREN of the party when known. */
  partySiren: Siren.nullable(),
  axis: Axis,
  description: z.string(),
  amountCents: AmountCents,
  dueOn: BusinessDate,
};

export const ContractEventSchemas = {
  ContractDrafted: z.object({
    contractId: ContractId,
    territoryId: TerritoryId,
    /** The territory's region when the contract was drafted (decisions read it again then). */
    regionCode: RegionCode,
    kind: ContractKind,
    title: z.string(),
    draftedOn: BusinessDate,
  }),
  /** v2: `amountCents`. v1 recorded `amountEur` in whole euros (upcaster in events.ts). */
  CommitmentMade: z.object({
    contractId: ContractId,
    territoryId: TerritoryId,
    commitmentId: CommitmentId,
    ...CommitmentTerms,
    madeOn: BusinessDate,
  }),
  /** Carries the full terms after the amendment (not a diff). */
  CommitmentAmended: z.object({
    contractId: ContractId,
    territoryId: TerritoryId,
    commitmentId: CommitmentId,
    ...CommitmentTerms,
    amendedOn: BusinessDate,
    reason: z.string().nullable(),
  }),
  CommitmentWithdrawn: z.object({
    contractId: ContractId,
    territoryId: TerritoryId,
    commitmentId: CommitmentId,
    withdrawnOn: BusinessDate,
    reason: z.string().nullable(),
  }),
  ContractSubmittedForValidation: z.object({
    contractId: ContractId,
    territoryId: TerritoryId,
    /** 1 for the first submission, 2 after changes were requested, ... */
    submission: z.number().int().positive(),
    submittedOn: BusinessDate,
    commitmentCount: z.number().int().nonnegative(),
    totalCents: AmountCents,
  }),
  ContractValidatedByRegion: z.object({
    contractId: ContractId,
    territoryId: TerritoryId,
    /** The territory's region at the time of the decision. */
    regionCode: RegionCode,
    submission: z.number().int().positive(),
    decidedOn: BusinessDate,
    comment: z.string().nullable(),
  }),
  ContractChangesRequestedByRegion: z.object({
    contractId: ContractId,
    territoryId: TerritoryId,
    regionCode: RegionCode,
    submission: z.number().int().positive(),
    decidedOn: BusinessDate,
    reason: z.string(),
  }),
  ContractRejectedByRegion: z.object({
    contractId: ContractId,
    territoryId: TerritoryId,
    regionCode: RegionCode,
    submission: z.number().int().positive(),
    decidedOn: BusinessDate,
    reason: z.string(),
  }),
  /** A validated contract reopened so its commitments can change; it needs a new submission. */
  ContractReopened: z.object({
    contractId: ContractId,
    territoryId: TerritoryId,
    reopenedOn: BusinessDate,
    reason: z.string(),
  }),
  ContractSigned: z.object({
    contractId: ContractId,
    territoryId: TerritoryId,
    submission: z.number().int().positive(),
    signedOn: BusinessDate,
    signatories: z.array(Signatory),
  }),
} as const;

type Schemas = typeof ContractEventSchemas;
export type ContractEvent = {
  [K in keyof Schemas]: DomainEvent<K, z.infer<Schemas[K]>>;
}[keyof Schemas];
export type ContractEventOf<T extends ContractEvent['type']> = Extract<ContractEvent, { type: T }>;

export interface Commitment {
  commitmentId: string;
  partyKind: PartyKind;
  partyName: string;
  partySiren: string | null;
  axis: Axis;
  description: string;
  amountCents: number;
  dueOn: string;
  madeOn: string;
  amendedOn: string | null;
}

export interface Decision {
  kind: 'validated' | 'changes_requested' | 'rejected';
  regionCode: string;
  submission: number;
  decidedOn: string;
  text: string | null;
}

interface Known {
  id: string;
  territoryId: string;
  regionCode: string;
  kind: z.infer<typeof ContractKind>;
  title: string;
  draftedOn: string;
  /** Active commitments in the order they were made. */
  commitments: Commitment[];
  /** Number of submissions so far (0 before the first). */
  submissions: number;
  submittedOn: string | null;
  decisions: Decision[];
  /** Business date of the latest event: later dates may not come before it. */
  lastDate: string;
}

export type Contract =
  | { status: 'Unknown' }
  | ({ status: 'Draft' } & Known)
  | ({ status: 'Submitted'; submittedOn: string } & Known)
  | ({ status: 'ChangesRequested' } & Known)
  | ({ status: 'Validated'; validatedOn: string } & Known)
  | ({ status: 'Rejected'; rejectedOn: string } & Known)
  | ({ status: 'Signed'; signedOn: string; signatories: Signatory[] } & Known);

export type KnownContract = Exclude<Contract, { status: 'Unknown' }>;

/** The API's spelling of the status. */
export const CONTRACT_STATUS = {
  Draft: 'draft',
  Submitted: 'submitted',
  ChangesRequested: 'changes_requested',
  Validated: 'validated',
  Rejected: 'rejected',
  Signed: 'signed',
} as const satisfies Record<KnownContract['status'], string>;

export const initialContract = (): Contract => ({ status: 'Unknown' });

const maxDate = (a: string, b: string) => (a > b ? a : b);

/** A Region's decision on the current submission: appended to the decisions, its region kept. */
function decided(
  k: Known,
  kind: Decision['kind'],
  d: { regionCode: string; submission: number; decidedOn: string },
  text: string | null,
): Known {
  return {
    ...k,
    regionCode: d.regionCode,
    decisions: [
      ...k.decisions,
      { kind, regionCode: d.regionCode, submission: d.submission, decidedOn: d.decidedOn, text },
    ],
    lastDate: maxDate(k.lastDate, d.decidedOn),
  };
}

function base(s: KnownContract): Known {
  return {
    id: s.id,
    territoryId: s.territoryId,
    regionCode: s.regionCode,
    kind: s.kind,
    title: s.title,
    draftedOn: s.draftedOn,
    commitments: s.commitments,
    submissions: s.submissions,
    submittedOn: s.submittedOn,
    decisions: s.decisions,
    lastDate: s.lastDate,
  };
}

export function evolveContract(state: Contract, event: ContractEvent): Contract {
  if (event.type === 'ContractDrafted') {
    const d = event.data;
    return {
      status: 'Draft',
      id: d.contractId,
      territoryId: d.territoryId,
      regionCode: d.regionCode,
      kind: d.kind,
      title: d.title,
      draftedOn: d.draftedOn,
      commitments: [],
      submissions: 0,
      submittedOn: null,
      decisions: [],
      lastDate: d.draftedOn,
    };
  }
  // A recorded event is a fact: evolve never refuses one, even out of the expected order.
  if (state.status === 'Unknown') return state;
  const k = base(state);
  switch (event.type) {
    case 'CommitmentMade': {
      const { contractId: _c, territoryId: _t, ...d } = event.data;
      return {
        ...state,
        commitments: [...k.commitments.filter((c) => c.commitmentId !== d.commitmentId), { ...d, amendedOn: null }],
        lastDate: maxDate(k.lastDate, d.madeOn),
      };
    }
    case 'CommitmentAmended': {
      const { contractId: _c, territoryId: _t, reason: _r, ...d } = event.data;
      return {
        ...state,
        commitments: k.commitments.map((c) =>
          c.commitmentId === d.commitmentId ? { ...c, ...d, amendedOn: d.amendedOn } : c,
        ),
        lastDate: maxDate(k.lastDate, d.amendedOn),
      };
    }
    case 'CommitmentWithdrawn':
      return {
        ...state,
        commitments: k.commitments.filter((c) => c.commitmentId !== event.data.commitmentId),
        lastDate: maxDate(k.lastDate, event.data.withdrawnOn),
      };
    case 'ContractSubmittedForValidation':
      return {
        ...k,
        status: 'Submitted',
        submissions: event.data.submission,
        submittedOn: event.data.submittedOn,
        lastDate: maxDate(k.lastDate, event.data.submittedOn),
      };
    case 'ContractValidatedByRegion':
      return {
        ...decided(k, 'validated', event.data, event.data.comment),
        status: 'Validated',
        validatedOn: event.data.decidedOn,
      };
    case 'ContractChangesRequestedByRegion':
      return { ...decided(k, 'changes_requested', event.data, event.data.reason), status: 'ChangesRequested' };
    case 'ContractRejectedByRegion':
      return {
        ...decided(k, 'rejected', event.data, event.data.reason),
        status: 'Rejected',
        rejectedOn: event.data.decidedOn,
      };
    case 'ContractReopened':
      return { ...k, status: 'Draft', lastDate: maxDate(k.lastDate, event.data.reopenedOn) };
    case 'ContractSigned':
      return {
        ...k,
        status: 'Signed',
        signedOn: event.data.signedOn,
        signatories: [...event.data.signatories],
        lastDate: maxDate(k.lastDate, event.data.signedOn),
      };
    default: {
      const never: never = event;
      return never;
    }
  }
}
