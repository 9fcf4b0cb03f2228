import { z } from 'zod';
import { AmountCents } from '../../kernel/commitments.ts';
import { BusinessDate, RegionCode, Siren, type DomainEvent } from '../../kernel/shared.ts';
import { ImpactIndicator } from '../contract/contract.ts';
import { FuiCallNumber, FuiProjectId, PoleId } from '../ids.ts';

/**
 * A collaborative R&D project submitted to an FUI call: its consortium (firms with SIREN and size,
 * labs, a firm as lead), the pôles that label it, its R&D budget and, from phase 3 on, its
 * economic-impact objectives; selected or rejected by the State (its grant), co-funded by Regions,
 * started, completed, and its economic impact reported. Pure.
 */
export const Member = z.object({
  name: z.string(),
  kind: z.enum(['firm', 'lab']),
  siren: Siren.nullable(),
  /** Firms only: SME, ETI (mid-size) or large. */
  size: z.enum(['sme', 'eti', 'large']).nullable(),
  lead: z.boolean(),
});
export type Member = z.infer<typeof Member>;
export const ProjectObjective = z.object({ indicator: ImpactIndicator, target: z.number().nonnegative() });

const Id = FuiProjectId;
export const FuiProjectEventSchemas = {
  FuiProjectSubmitted: z.object({
    projectId: Id,
    callNumber: FuiCallNumber,
    title: z.string(),
    consortium: z.array(Member),
    labellingPoles: z.array(PoleId),
    /** The main Region of the first labelling pôle (the project's Region in the reports). */
    regionCode: RegionCode,
    budgetCents: AmountCents,
    impactObjectives: z.array(ProjectObjective),
    submittedOn: BusinessDate,
    synthetic: z.boolean(),
  }),
  FuiProjectSelected: z.object({ projectId: Id, stateGrantCents: AmountCents, selectedOn: BusinessDate }),
  FuiProjectRejected: z.object({ projectId: Id, rejectedOn: BusinessDate, reason: z.string() }),
  FuiProjectCoFunded: z.object({
    projectId: Id,
    regionCode: RegionCode,
    amountCents: AmountCents,
    decidedOn: BusinessDate,
  }),
  FuiProjectStarted: z.object({ projectId: Id, startedOn: BusinessDate }),
  FuiProjectCompleted: z.object({ projectId: Id, completedOn: BusinessDate }),
  FuiProjectImpactReported: z.object({
    projectId: Id,
    reportedOn: BusinessDate,
    productsServices: z.number().int().nonnegative(),
    jobs: z.number().int().nonnegative(),
    revenueCents: AmountCents,
    patents: z.number().int().nonnegative(),
  }),
} as const;

type Schemas = typeof FuiProjectEventSchemas;
export type FuiProjectEvent = { [K in keyof Schemas]: DomainEvent<K, z.infer<Schemas[K]>> }[keyof Schemas];
export type FuiProjectEventOf<T extends FuiProjectEvent['type']> = Extract<FuiProjectEvent, { type: T }>;

export type FuiProjectStatus = 'Submitted' | 'Selected' | 'Rejected' | 'Started' | 'Completed';
export interface KnownFuiProject {
  status: FuiProjectStatus;
  id: string;
  callNumber: number;
  title: string;
  consortium: Member[];
  labellingPoles: string[];
  regionCode: string;
  budgetCents: number;
  submittedOn: string;
  selectedOn: string | null;
  stateGrantCents: number;
  coFunding: { regionCode: string; amountCents: number; decidedOn: string }[];
  startedOn: string | null;
  completedOn: string | null;
  impacts: Omit<FuiProjectEventOf<'FuiProjectImpactReported'>['data'], 'projectId'>[];
  lastDate: string;
}
export type FuiProject = { status: 'Unknown' } | KnownFuiProject;

export const initialFuiProject = (): FuiProject => ({ status: 'Unknown' });
const maxDate = (a: string, b: string) => (a > b ? a : b);

export function evolveFuiProject(state: FuiProject, event: FuiProjectEvent): FuiProject {
  if (event.type === 'FuiProjectSubmitted') {
    const d = event.data;
    return {
      status: 'Submitted',
      id: d.projectId,
      callNumber: d.callNumber,
      title: d.title,
      consortium: [...d.consortium],
      labellingPoles: [...d.labellingPoles],
      regionCode: d.regionCode,
      budgetCents: d.budgetCents,
      submittedOn: d.submittedOn,
      selectedOn: null,
      stateGrantCents: 0,
      coFunding: [],
      startedOn: null,
      completedOn: null,
      impacts: [],
      lastDate: d.submittedOn,
    };
  }
  if (state.status === 'Unknown') return state;
  switch (event.type) {
    case 'FuiProjectSelected':
      return {
        ...state,
        status: 'Selected',
        selectedOn: event.data.selectedOn,
        stateGrantCents: event.data.stateGrantCents,
        lastDate: maxDate(state.lastDate, event.data.selectedOn),
      };
    case 'FuiProjectRejected':
      return { ...state, status: 'Rejected', lastDate: maxDate(state.lastDate, event.data.rejectedOn) };
    case 'FuiProjectCoFunded': {
      const { projectId: _p, ...f } = event.data;
      return { ...state, coFunding: [...state.coFunding, f], lastDate: maxDate(state.lastDate, f.decidedOn) };
    }
    case 'FuiProjectStarted':
      return {
        ...state,
        status: 'Started',
        startedOn: event.data.startedOn,
        lastDate: maxDate(state.lastDate, event.data.startedOn),
      };
    case 'FuiProjectCompleted':
      return {
        ...state,
        status: 'Completed',
        completedOn: event.data.completedOn,
        lastDate: maxDate(state.lastDate, event.data.completedOn),
      };
    case 'FuiProjectImpactReported': {
      const { projectId: _p, ...i } = event.data;
      return { ...state, impacts: [...state.impacts, i], lastDate: maxDate(state.lastDate, i.reportedOn) };
    }
    default: {
      const never: never = event;
      return never;
    }
  }
}
