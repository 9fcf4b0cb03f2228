import { z } from 'zod';
import { Axis, BusinessDate, RegionCode, type DomainEvent } from '../../kernel/shared.ts';
import { AmountCents, ContractId } from '../contract/contract.ts';
import { TerritoryId } from '../territory/territory.ts';

/**
 * The project aggregate (fiche-action): its events, its state, and `evolve`. Pure.
 *
 * Every event carries `projectId`, `territoryId` and `contractId` (null when the project is not
 * attached to a contract); amounts are integer cents.
 */

export const ProjectId = ContractId;
export const FundingId = ContractId;

export const FundingSource = z.enum([
  'banque-des-territoires',
  'bpifrance',
  'business-france',
  'pic',
  'pia',
  'france-relance',
  'region',
  'eu',
  'state',
  'epci',
  'other',
]);
export type FundingSource = z.infer<typeof FundingSource>;

const Ids = {
  projectId: ProjectId,
  territoryId: TerritoryId,
  contractId: ContractId.nullable(),
};

export const ProjectEventSchemas = {
  ProjectRegistered: z.object({
    ...Ids,
    /** The territory's region when the project was registered (reports per Region). */
    regionCode: RegionCode,
    title: z.string(),
    axis: Axis,
    budgetCents: AmountCents,
    registeredOn: BusinessDate,
  }),
  ProjectFundingGranted: z.object({
    ...Ids,
    fundingId: FundingId,
    source: FundingSource,
    amountCents: AmountCents,
    grantedOn: BusinessDate,
  }),
  ProjectStarted: z.object({ ...Ids, startedOn: BusinessDate }),
  ProjectCompleted: z.object({ ...Ids, completedOn: BusinessDate }),
  ProjectAbandoned: z.object({ ...Ids, abandonedOn: BusinessDate, reason: z.string() }),
} as const;

type Schemas = typeof ProjectEventSchemas;
export type ProjectEvent = {
  [K in keyof Schemas]: DomainEvent<K, z.infer<Schemas[K]>>;
}[keyof Schemas];
export type ProjectEventOf<T extends ProjectEvent['type']> = Extract<ProjectEvent, { type: T }>;

export interface Funding {
  fundingId: string;
  source: FundingSource;
  amountCents: number;
  grantedOn: string;
}

interface Known {
  id: string;
  territoryId: string;
  contractId: string | null;
  regionCode: string;
  title: string;
  axis: Axis;
  budgetCents: number;
  registeredOn: string;
  fundings: Funding[];
  fundedCents: number;
  lastDate: string;
}

export type Project =
  | { status: 'Unknown' }
  | ({ status: 'Registered' } & Known)
  | ({ status: 'Started'; startedOn: string } & Known)
  | ({ status: 'Completed'; startedOn: string | null; completedOn: string } & Known)
  | ({ status: 'Abandoned'; abandonedOn: string; reason: string } & Known);

export type KnownProject = Exclude<Project, { status: 'Unknown' }>;

export const PROJECT_STATUS = {
  Registered: 'registered',
  Started: 'started',
  Completed: 'completed',
  Abandoned: 'abandoned',
} as const satisfies Record<KnownProject['status'], string>;

export const initialProject = (): Project => ({ status: 'Unknown' });

const maxDate = (a: string, b: string) => (a > b ? a : b);

function base(s: KnownProject): Known {
  return {
    id: s.id,
    territoryId: s.territoryId,
    contractId: s.contractId,
    regionCode: s.regionCode,
    title: s.title,
    axis: s.axis,
    budgetCents: s.budgetCents,
    registeredOn: s.registeredOn,
    fundings: s.fundings,
    fundedCents: s.fundedCents,
    lastDate: s.lastDate,
  };
}

export function evolveProject(state: Project, event: ProjectEvent): Project {
  if (event.type === 'ProjectRegistered') {
    const d = event.data;
    return {
      status: 'Registered',
      id: d.projectId,
      territoryId: d.territoryId,
      contractId: d.contractId,
      regionCode: d.regionCode,
      title: d.title,
      axis: d.axis,
      budgetCents: d.budgetCents,
      registeredOn: d.registeredOn,
      fundings: [],
      fundedCents: 0,
      lastDate: d.registeredOn,
    };
  }
  // A recorded event is a fact: evolve never refuses one.
  if (state.status === 'Unknown') return state;
  const k = base(state);
  switch (event.type) {
    case 'ProjectFundingGranted': {
      const d = event.data;
      return {
        ...state,
        fundings: [
          ...k.fundings,
          { fundingId: d.fundingId, source: d.source, amountCents: d.amountCents, grantedOn: d.grantedOn },
        ],
        fundedCents: k.fundedCents + d.amountCents,
        lastDate: maxDate(k.lastDate, d.grantedOn),
      };
    }
    case 'ProjectStarted':
      return {
        ...k,
        status: 'Started',
        startedOn: event.data.startedOn,
        lastDate: maxDate(k.lastDate, event.data.startedOn),
      };
    case 'ProjectCompleted':
      return {
        ...k,
        status: 'Completed',
        startedOn: state.status === 'Started' ? state.startedOn : null,
        completedOn: event.data.completedOn,
        lastDate: maxDate(k.lastDate, event.data.completedOn),
      };
    case 'ProjectAbandoned':
      return {
        ...k,
        status: 'Abandoned',
        abandonedOn: event.data.abandonedOn,
        reason: event.data.reason,
        lastDate: maxDate(k.lastDate, event.data.abandonedOn),
      };
    default: {
      const never: never = event;
      return never;
    }
  }
}
