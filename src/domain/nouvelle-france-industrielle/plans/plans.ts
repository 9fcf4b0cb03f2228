import { z } from 'zod';
import { BusinessDate, type DomainEvent } from '../../kernel/shared.ts';

/**
 * The national plans of La Nouvelle France industrielle: one aggregate for the programme's whole
 * catalogue (stream `plans-<programme>`, docs/adr/0012), because the 2015 regrouping is one
 * decision over every plan (each plan into exactly one grouping) and plan names are unique within
 * the catalogue. Its events, state and `evolve`. Pure.
 */

/** A plan's id: lower-case words and digits joined by hyphens (`voiture-2l`, `usine-du-futur`). */
export const PlanId = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case words and digits joined by hyphens');
export const PlanName = z.string().trim().min(1).max(200);

export const NationalLead = z.object({
  name: z.string().trim().min(1).max(200),
  organisation: z.string().trim().min(1).max(200),
  /** Made up by the demo (no source names this person). */
  synthetic: z.boolean().optional(),
});
export type NationalLead = z.infer<typeof NationalLead>;

export const Grouping = z.object({
  /** Its id (`industrie-du-futur`, `ville-durable`...). */
  solutionId: PlanId,
  name: PlanName,
  plans: z.array(PlanId).min(1).max(40),
});
export type Grouping = z.infer<typeof Grouping>;

export const PlansEventSchemas = {
  PlanLaunched: z.object({
    planId: PlanId,
    name: PlanName,
    launchedOn: BusinessDate,
    synthetic: z.boolean().optional(),
  }),
  PlanLeadAppointed: z.object({
    planId: PlanId,
    /** The plan's national project heads from this date (one or two people), replacing earlier ones. */
    leads: z.array(NationalLead).min(1).max(2),
    appointedOn: BusinessDate,
  }),
  PlanRenamed: z.object({ planId: PlanId, name: PlanName, previousName: PlanName, renamedOn: BusinessDate }),
  PlanRoadmapValidated: z.object({ planId: PlanId, committeeOn: BusinessDate }),
  PlansRegrouped: z.object({
    regroupedOn: BusinessDate,
    groupings: z.array(Grouping).min(1).max(40),
    /** Plans whose grouping no source gives (the demo places them, marked synthetic). */
    unsourcedPlacements: z.array(PlanId).default([]),
  }),
} as const;

type Schemas = typeof PlansEventSchemas;
export type PlansEvent = { [K in keyof Schemas]: DomainEvent<K, z.infer<Schemas[K]>> }[keyof Schemas];
export type PlansEventOf<T extends PlansEvent['type']> = Extract<PlansEvent, { type: T }>;

export interface Plan {
  id: string;
  name: string;
  launchedOn: string;
  leads: NationalLead[];
  leadsAppointedOn: string | null;
  roadmapValidatedOn: string | null;
  /** The last business date recorded for the plan. */
  lastDate: string;
}

export interface Regrouping {
  regroupedOn: string;
  groupings: Grouping[];
}

export interface Plans {
  plans: ReadonlyMap<string, Plan>;
  regrouping: Regrouping | null;
}

export const initialPlans = (): Plans => ({ plans: new Map(), regrouping: null });

const maxDate = (a: string, b: string) => (a > b ? a : b);

function withPlan(state: Plans, id: string, f: (p: Plan) => Plan): Plans {
  const p = state.plans.get(id);
  // A recorded event is a fact: evolve never refuses one.
  if (!p) return state;
  const plans = new Map(state.plans);
  plans.set(id, f(p));
  return { ...state, plans };
}

export function evolvePlans(state: Plans, event: PlansEvent): Plans {
  switch (event.type) {
    case 'PlanLaunched': {
      const d = event.data;
      if (state.plans.has(d.planId)) return state;
      const plans = new Map(state.plans);
      plans.set(d.planId, {
        id: d.planId,
        name: d.name,
        launchedOn: d.launchedOn,
        leads: [],
        leadsAppointedOn: null,
        roadmapValidatedOn: null,
        lastDate: d.launchedOn,
      });
      return { ...state, plans };
    }
    case 'PlanLeadAppointed': {
      const d = event.data;
      return withPlan(state, d.planId, (p) => ({
        ...p,
        leads: [...d.leads],
        leadsAppointedOn: d.appointedOn,
        lastDate: maxDate(p.lastDate, d.appointedOn),
      }));
    }
    case 'PlanRenamed': {
      const d = event.data;
      return withPlan(state, d.planId, (p) => ({ ...p, name: d.name, lastDate: maxDate(p.lastDate, d.renamedOn) }));
    }
    case 'PlanRoadmapValidated': {
      const d = event.data;
      return withPlan(state, d.planId, (p) => ({
        ...p,
        roadmapValidatedOn: p.roadmapValidatedOn ?? d.committeeOn,
        lastDate: maxDate(p.lastDate, d.committeeOn),
      }));
    }
    case 'PlansRegrouped':
      return state.regrouping
        ? state
        : { ...state, regrouping: { regroupedOn: event.data.regroupedOn, groupings: [...event.data.groupings] } };
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** The grouping a plan went into, if the catalogue was regrouped. */
export function groupingOf(state: Plans, planId: string): Grouping | undefined {
  return state.regrouping?.groupings.find((g) => g.plans.includes(planId));
}

/** What a Region's choice needs to know of a plan, read by the shell from the catalogue. */
export interface PlanFacts {
  planId: string;
  /** Null when the catalogue has no such plan. */
  name: string | null;
  launchedOn: string | null;
  /** The day the plan went into a 2015 grouping, null while not regrouped. */
  regroupedOn: string | null;
}

export function planFacts(state: Plans, planId: string): PlanFacts {
  const p = state.plans.get(planId);
  return {
    planId,
    name: p?.name ?? null,
    launchedOn: p?.launchedOn ?? null,
    regroupedOn: p && state.regrouping ? state.regrouping.regroupedOn : null,
  };
}
