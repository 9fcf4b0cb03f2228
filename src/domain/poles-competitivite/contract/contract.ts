import { z } from 'zod';
import { AmountCents, type CoDecision } from '../../kernel/commitments.ts';
import { BusinessDate, RegionCode, Siren, type DomainEvent } from '../../kernel/shared.ts';
import { PerformanceContractId, PoleId } from '../ids.ts';

/**
 * A pôle's performance contract (contrat de performance) for a period, e.g. 2013–2018: drafted by
 * the pôle's manager, commitments of the State, each Region concerned, the pôle and its members,
 * quantified economic-impact objectives, submitted, then co-validated: validated only once the
 * State and every Region concerned have each validated the same submission; one refusal sends it
 * back. A mid-term review records what the objectives reached. Pure.
 */

export const ContractParty = z.enum(['state', 'region', 'pole', 'member']);
export type ContractParty = z.infer<typeof ContractParty>;
/** A contract is submitted only with a commitment of the State, of the pôle and of each Region concerned. */
export const REQUIRED_CONTRACT_PARTIES: readonly ContractParty[] = ['state', 'pole', 'region'];

export const ImpactIndicator = z.enum(['products_services', 'jobs', 'revenue_eur', 'patents', 'projects']);
export type ImpactIndicator = z.infer<typeof ImpactIndicator>;

const Id = PerformanceContractId;

export const PerformanceContractEventSchemas = {
  PerformanceContractDrafted: z.object({
    contractId: Id,
    poleId: PoleId,
    title: z.string(),
    periodFrom: z.number().int(),
    periodTo: z.number().int(),
    /** The Regions concerned (the pôle's, when drafted): each one validates. */
    regions: z.array(RegionCode),
    draftedOn: BusinessDate,
  }),
  PerformanceCommitmentMade: z.object({
    contractId: Id,
    commitmentId: Id,
    party: ContractParty,
    /** The committing Region (party region). */
    regionCode: RegionCode.nullable(),
    partyName: z.string(),
    partySiren: Siren.nullable(),
    /** The pôle's own objective the commitment serves (axis-free when null). */
    objective: z.string().nullable(),
    description: z.string(),
    amountCents: AmountCents,
    dueOn: BusinessDate,
    madeOn: BusinessDate,
  }),
  ImpactObjectiveSet: z.object({
    contractId: Id,
    objectiveId: Id,
    indicator: ImpactIndicator,
    target: z.number().nonnegative(),
    dueOn: BusinessDate,
    setOn: BusinessDate,
  }),
  PerformanceContractSubmitted: z.object({
    contractId: Id,
    submission: z.number().int().positive(),
    submittedOn: BusinessDate,
    commitmentCount: z.number().int().nonnegative(),
    totalCents: AmountCents,
  }),
  PerformanceContractValidatedByState: z.object({
    contractId: Id,
    submission: z.number().int().positive(),
    decidedOn: BusinessDate,
    comment: z.string().nullable(),
  }),
  PerformanceContractValidatedByRegion: z.object({
    contractId: Id,
    regionCode: RegionCode,
    submission: z.number().int().positive(),
    decidedOn: BusinessDate,
    comment: z.string().nullable(),
  }),
  /** One refusal (the State's or a Region's) sends the contract back to its manager. */
  PerformanceContractRefused: z.object({
    contractId: Id,
    decider: z.enum(['state', 'region']),
    regionCode: RegionCode.nullable(),
    submission: z.number().int().positive(),
    decidedOn: BusinessDate,
    reason: z.string(),
  }),
  /** Recorded with the last validation awaited: the State and every Region concerned validated. */
  PerformanceContractCoValidated: z.object({
    contractId: Id,
    submission: z.number().int().positive(),
    validatedOn: BusinessDate,
  }),
  MidTermReviewRecorded: z.object({
    contractId: Id,
    reviewedOn: BusinessDate,
    results: z.array(z.object({ objectiveId: Id, achieved: z.number().nonnegative() })),
    comment: z.string().nullable(),
  }),
} as const;

type Schemas = typeof PerformanceContractEventSchemas;
export type PerformanceContractEvent = {
  [K in keyof Schemas]: DomainEvent<K, z.infer<Schemas[K]>>;
}[keyof Schemas];
export type PerformanceContractEventOf<T extends PerformanceContractEvent['type']> = Extract<
  PerformanceContractEvent,
  { type: T }
>;

export type PerformanceCommitment = Omit<PerformanceContractEventOf<'PerformanceCommitmentMade'>['data'], 'contractId'>;
export type ImpactObjective = Omit<PerformanceContractEventOf<'ImpactObjectiveSet'>['data'], 'contractId'>;
export interface ContractDecision extends CoDecision {
  regionCode: string | null;
  decidedOn: string;
  text: string | null;
}
export interface MidTermReview {
  reviewedOn: string;
  results: { objectiveId: string; achieved: number }[];
  comment: string | null;
}

export interface KnownPerformanceContract {
  id: string;
  poleId: string;
  title: string;
  periodFrom: number;
  periodTo: number;
  regions: string[];
  draftedOn: string;
  commitments: PerformanceCommitment[];
  objectives: ImpactObjective[];
  submissions: number;
  submittedOn: string | null;
  decisions: ContractDecision[];
  validatedOn: string | null;
  reviews: MidTermReview[];
  lastDate: string;
}

export type PerformanceContract =
  { status: 'Unknown' } | ({ status: 'Draft' | 'Submitted' | 'Validated' } & KnownPerformanceContract);

export const PERFORMANCE_CONTRACT_STATUS = { Draft: 'draft', Submitted: 'submitted', Validated: 'validated' } as const;

export const initialPerformanceContract = (): PerformanceContract => ({ status: 'Unknown' });

const maxDate = (a: string, b: string) => (a > b ? a : b);

export function evolvePerformanceContract(
  state: PerformanceContract,
  event: PerformanceContractEvent,
): PerformanceContract {
  if (event.type === 'PerformanceContractDrafted') {
    const d = event.data;
    return {
      status: 'Draft',
      id: d.contractId,
      poleId: d.poleId,
      title: d.title,
      periodFrom: d.periodFrom,
      periodTo: d.periodTo,
      regions: [...d.regions],
      draftedOn: d.draftedOn,
      commitments: [],
      objectives: [],
      submissions: 0,
      submittedOn: null,
      decisions: [],
      validatedOn: null,
      reviews: [],
      lastDate: d.draftedOn,
    };
  }
  if (state.status === 'Unknown') return state;
  switch (event.type) {
    case 'PerformanceCommitmentMade': {
      const { contractId: _c, ...k } = event.data;
      return { ...state, commitments: [...state.commitments, k], lastDate: maxDate(state.lastDate, k.madeOn) };
    }
    case 'ImpactObjectiveSet': {
      const { contractId: _c, ...o } = event.data;
      return {
        ...state,
        objectives: [...state.objectives.filter((x) => x.objectiveId !== o.objectiveId), o],
        lastDate: maxDate(state.lastDate, o.setOn),
      };
    }
    case 'PerformanceContractSubmitted':
      return {
        ...state,
        status: 'Submitted',
        submissions: event.data.submission,
        submittedOn: event.data.submittedOn,
        lastDate: maxDate(state.lastDate, event.data.submittedOn),
      };
    case 'PerformanceContractValidatedByState':
    case 'PerformanceContractValidatedByRegion': {
      const d = event.data;
      const regionCode = 'regionCode' in d ? d.regionCode : null;
      return {
        ...state,
        decisions: [
          ...state.decisions,
          {
            decider: regionCode ? `region:${regionCode}` : 'state',
            regionCode,
            submission: d.submission,
            kind: 'validated',
            decidedOn: d.decidedOn,
            text: d.comment,
          },
        ],
        lastDate: maxDate(state.lastDate, d.decidedOn),
      };
    }
    case 'PerformanceContractRefused': {
      const d = event.data;
      return {
        ...state,
        status: 'Draft',
        decisions: [
          ...state.decisions,
          {
            decider: d.regionCode ? `region:${d.regionCode}` : 'state',
            regionCode: d.regionCode,
            submission: d.submission,
            kind: 'refused',
            decidedOn: d.decidedOn,
            text: d.reason,
          },
        ],
        lastDate: maxDate(state.lastDate, d.decidedOn),
      };
    }
    case 'PerformanceContractCoValidated':
      return {
        ...state,
        status: 'Validated',
        validatedOn: event.data.validatedOn,
        lastDate: maxDate(state.lastDate, event.data.validatedOn),
      };
    case 'MidTermReviewRecorded': {
      const { contractId: _c, ...r } = event.data;
      return { ...state, reviews: [...state.reviews, r], lastDate: maxDate(state.lastDate, r.reviewedOn) };
    }
    default: {
      const never: never = event;
      return never;
    }
  }
}
