import { z } from 'zod';
import { BusinessDate, RegionCode, Siren, type DomainEvent } from '../../kernel/shared.ts';
import { PlanId, PlanName } from '../plans/plans.ts';

/**
 * A Region's priorities in La Nouvelle France industrielle: one aggregate per Region of 2013
 * (stream `priorities-<INSEE code of 2013>@<programme>`, docs/adr/0012): its mandate, the plans it
 * chose at rank 1 (strategic) and rank 2 (regional priority) with their SME leaders, its roadmap
 * and the firms it selected for Usine du futur. Events, state and `evolve`. Pure.
 */

export const Rank = z.union([z.literal(1), z.literal(2)]);
export type Rank = z.infer<typeof Rank>;
export const FirmSize = z.enum(['SME', 'ETI']);
export type FirmSize = z.infer<typeof FirmSize>;
const Text = (max: number) => z.string().trim().min(1).max(max);

export const PrioritiesEventSchemas = {
  RegionMandated: z.object({ regionCode: RegionCode, mandatedOn: BusinessDate, roadmapDueOn: BusinessDate }),
  PlanChosen: z.object({
    regionCode: RegionCode,
    planId: PlanId,
    /** The plan's name on the day it was chosen. */
    planName: PlanName,
    rank: Rank,
    chosenOn: BusinessDate,
    synthetic: z.boolean().optional(),
  }),
  PlanChoiceWithdrawn: z.object({ regionCode: RegionCode, planId: PlanId, rank: Rank, withdrawnOn: BusinessDate }),
  RegionalPlanLeadAppointed: z.object({
    regionCode: RegionCode,
    planId: PlanId,
    /** The SME leader named chef de projet for the plan in the Region. */
    person: Text(200),
    company: Text(200),
    siren: Siren,
    appointedOn: BusinessDate,
    synthetic: z.boolean().optional(),
  }),
  RoadmapSubmitted: z.object({
    regionCode: RegionCode,
    submittedOn: BusinessDate,
    dueOn: BusinessDate,
    /** Submitted after its due date: recorded (facts are facts) and marked late. */
    late: z.boolean(),
    /** The choices the roadmap holds. */
    choices: z.array(z.object({ planId: PlanId, rank: Rank })),
  }),
  RoadmapAccepted: z.object({ regionCode: RegionCode, acceptedOn: BusinessDate }),
  RoadmapSentBack: z.object({ regionCode: RegionCode, sentBackOn: BusinessDate, reason: Text(2000) }),
  CompanySelectedForUsineDuFutur: z.object({
    regionCode: RegionCode,
    siren: Siren,
    name: Text(200),
    size: FirmSize,
    selectedOn: BusinessDate,
    synthetic: z.boolean().optional(),
  }),
} as const;

type Schemas = typeof PrioritiesEventSchemas;
export type PrioritiesEvent = { [K in keyof Schemas]: DomainEvent<K, z.infer<Schemas[K]>> }[keyof Schemas];
export type PrioritiesEventOf<T extends PrioritiesEvent['type']> = Extract<PrioritiesEvent, { type: T }>;

export interface RegionalLead {
  person: string;
  company: string;
  siren: string;
  appointedOn: string;
}

export interface Choice {
  planId: string;
  planName: string;
  rank: Rank;
  chosenOn: string;
  lead: RegionalLead | null;
}

export type RoadmapStatus = 'due' | 'submitted' | 'accepted' | 'sent-back';

export interface MandatedRegion {
  status: 'Mandated';
  regionCode: string;
  mandatedOn: string;
  dueOn: string;
  choices: ReadonlyMap<string, Choice>;
  roadmap: RoadmapStatus;
  submittedOn: string | null;
  late: boolean;
  acceptedOn: string | null;
  sentBackOn: string | null;
  /** SIRENs selected for Usine du futur. */
  firms: ReadonlySet<string>;
  /** The last date a choice or lead was recorded (a roadmap is not handed in before its contents). */
  choicesLastDate: string;
  /** The last date of the roadmap's own steps. */
  roadmapLastDate: string;
}

export type Priorities = { status: 'Unknown' } | MandatedRegion;

export const initialPriorities = (): Priorities => ({ status: 'Unknown' });

const maxDate = (a: string, b: string) => (a > b ? a : b);

export function evolvePriorities(state: Priorities, event: PrioritiesEvent): Priorities {
  if (event.type === 'RegionMandated') {
    if (state.status !== 'Unknown') return state;
    const d = event.data;
    return {
      status: 'Mandated',
      regionCode: d.regionCode,
      mandatedOn: d.mandatedOn,
      dueOn: d.roadmapDueOn,
      choices: new Map(),
      roadmap: 'due',
      submittedOn: null,
      late: false,
      acceptedOn: null,
      sentBackOn: null,
      firms: new Set(),
      choicesLastDate: d.mandatedOn,
      roadmapLastDate: d.mandatedOn,
    };
  }
  // A recorded event is a fact: evolve never refuses one.
  if (state.status === 'Unknown') return state;
  switch (event.type) {
    case 'PlanChosen': {
      const d = event.data;
      const choices = new Map(state.choices);
      choices.set(d.planId, { planId: d.planId, planName: d.planName, rank: d.rank, chosenOn: d.chosenOn, lead: null });
      return { ...state, choices, choicesLastDate: maxDate(state.choicesLastDate, d.chosenOn) };
    }
    case 'PlanChoiceWithdrawn': {
      const choices = new Map(state.choices);
      choices.delete(event.data.planId);
      return { ...state, choices, choicesLastDate: maxDate(state.choicesLastDate, event.data.withdrawnOn) };
    }
    case 'RegionalPlanLeadAppointed': {
      const d = event.data;
      const c = state.choices.get(d.planId);
      if (!c) return state;
      const choices = new Map(state.choices);
      choices.set(d.planId, {
        ...c,
        lead: { person: d.person, company: d.company, siren: d.siren, appointedOn: d.appointedOn },
      });
      return { ...state, choices, choicesLastDate: maxDate(state.choicesLastDate, d.appointedOn) };
    }
    case 'RoadmapSubmitted':
      return {
        ...state,
        roadmap: 'submitted',
        submittedOn: event.data.submittedOn,
        late: event.data.late,
        roadmapLastDate: maxDate(state.roadmapLastDate, event.data.submittedOn),
      };
    case 'RoadmapAccepted':
      return {
        ...state,
        roadmap: 'accepted',
        acceptedOn: event.data.acceptedOn,
        roadmapLastDate: maxDate(state.roadmapLastDate, event.data.acceptedOn),
      };
    case 'RoadmapSentBack':
      return {
        ...state,
        roadmap: 'sent-back',
        sentBackOn: event.data.sentBackOn,
        roadmapLastDate: maxDate(state.roadmapLastDate, event.data.sentBackOn),
      };
    case 'CompanySelectedForUsineDuFutur': {
      const firms = new Set(state.firms);
      firms.add(event.data.siren);
      return { ...state, firms };
    }
    default: {
      const never: never = event;
      return never;
    }
  }
}

export const choicesAt = (s: MandatedRegion, rank: Rank) => [...s.choices.values()].filter((c) => c.rank === rank);
