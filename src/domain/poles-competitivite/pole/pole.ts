import { z } from 'zod';
import { BusinessDate, RegionCode, type DomainEvent } from '../../kernel/shared.ts';
import { PoleId } from '../ids.ts';

/**
 * A pôle de compétitivité: labelled for a phase, renewed, evaluated, merged, delabelled. Its
 * events, its state and `evolve`. Pure.
 *
 * A label holds from its start (`labelledOn` / `renewedOn`) to `endsOn` inclusive, unless the
 * pôle is delabelled, merged or loses its probation before; a delabelled or merged pôle labels
 * nothing after that date.
 */

/** Category of phases 1–3 (mondial, à vocation mondiale, national); none from phase 4 on. */
export const PoleCategory = z.enum(['mondial', 'vocation_mondiale', 'national']);
export type PoleCategory = z.infer<typeof PoleCategory>;
export const Phase = z.number().int().min(1).max(5);

export const Rating2008 = z.enum(['met', 'partly_met', 'to_reconfigure']);
export const Rating2012 = z.enum(['tres_performant', 'performant', 'moins_performant']);
export const Rating = z.union([Rating2008, Rating2012]);
export type Rating = z.infer<typeof Rating>;
export const Campaign = z.union([z.literal(2008), z.literal(2012)]);

const Label = {
  phase: Phase,
  category: PoleCategory.nullable(),
  /** Last day the label holds (inclusive). */
  endsOn: BusinessDate,
  /** Months of probation when the label is given on probation. */
  probationMonths: z.number().int().min(1).max(48).nullable(),
};

export const PoleEventSchemas = {
  PoleLabelled: z.object({
    poleId: PoleId,
    name: z.string(),
    theme: z.string(),
    mainRegion: RegionCode,
    otherRegions: z.array(RegionCode),
    ...Label,
    labelledOn: BusinessDate,
    /** The pôles whose merger this one is (PolesMerged in their streams). */
    mergedFrom: z.array(PoleId),
    synthetic: z.boolean(),
  }),
  PoleLabelRenewed: z.object({ poleId: PoleId, ...Label, renewedOn: BusinessDate }),
  PoleProbationEnded: z.object({
    poleId: PoleId,
    outcome: z.enum(['kept', 'delabelled']),
    endedOn: BusinessDate,
  }),
  PoleDelabelled: z.object({ poleId: PoleId, delabelledOn: BusinessDate, reason: z.string() }),
  /** In each merged pôle's stream: its label closes; `into` opens (its PoleLabelled names them). */
  PolesMerged: z.object({
    poleId: PoleId,
    into: PoleId,
    mergedWith: z.array(PoleId),
    mergedOn: BusinessDate,
  }),
  PoleEvaluated: z.object({ poleId: PoleId, campaign: Campaign, rating: Rating, evaluatedOn: BusinessDate }),
  PoleCategoryChanged: z.object({ poleId: PoleId, category: PoleCategory, changedOn: BusinessDate }),
} as const;

type Schemas = typeof PoleEventSchemas;
export type PoleEvent = { [K in keyof Schemas]: DomainEvent<K, z.infer<Schemas[K]>> }[keyof Schemas];
export type PoleEventOf<T extends PoleEvent['type']> = Extract<PoleEvent, { type: T }>;

export interface PoleLabel {
  phase: number;
  category: PoleCategory | null;
  startsOn: string;
  endsOn: string;
  probationMonths: number | null;
  probationEndedOn: string | null;
  probationOutcome: 'kept' | 'delabelled' | null;
}

export interface Evaluation {
  campaign: 2008 | 2012;
  rating: Rating;
  evaluatedOn: string;
}

export interface KnownPole {
  id: string;
  name: string;
  theme: string;
  mainRegion: string;
  otherRegions: string[];
  category: PoleCategory | null;
  labels: PoleLabel[];
  evaluations: Evaluation[];
  mergedFrom: string[];
  /** The date its labelling ended for good (delabelled, merged, probation lost), null while active. */
  closedOn: string | null;
  closedBy: 'delabelled' | 'merged' | 'probation' | null;
  mergedInto: string | null;
  lastDate: string;
}

export type Pole = { status: 'Unknown' } | ({ status: 'Active' | 'Closed' } & KnownPole);

export const initialPole = (): Pole => ({ status: 'Unknown' });

const maxDate = (a: string, b: string) => (a > b ? a : b);

/** The label holding on `date` (undefined when none: not yet, ended, delabelled or merged). */
export function labelOn(p: Pole, date: string): PoleLabel | undefined {
  if (p.status === 'Unknown') return undefined;
  if (p.closedOn !== null && date >= p.closedOn) return undefined;
  return p.labels.findLast((l) => l.startsOn <= date && date <= l.endsOn);
}

/** The regions concerned by the pôle: its main Region, then the others. */
export const poleRegions = (p: KnownPole) => [p.mainRegion, ...p.otherRegions.filter((r) => r !== p.mainRegion)];

function close(p: KnownPole, on: string, by: NonNullable<KnownPole['closedBy']>, into: string | null = null): Pole {
  return { ...p, status: 'Closed', closedOn: on, closedBy: by, mergedInto: into, lastDate: maxDate(p.lastDate, on) };
}

export function evolvePole(state: Pole, event: PoleEvent): Pole {
  if (event.type === 'PoleLabelled') {
    const d = event.data;
    return {
      status: 'Active',
      id: d.poleId,
      name: d.name,
      theme: d.theme,
      mainRegion: d.mainRegion,
      otherRegions: [...d.otherRegions],
      category: d.category,
      labels: [
        {
          phase: d.phase,
          category: d.category,
          startsOn: d.labelledOn,
          endsOn: d.endsOn,
          probationMonths: d.probationMonths,
          probationEndedOn: null,
          probationOutcome: null,
        },
      ],
      evaluations: [],
      mergedFrom: [...d.mergedFrom],
      closedOn: null,
      closedBy: null,
      mergedInto: null,
      lastDate: d.labelledOn,
    };
  }
  if (state.status === 'Unknown') return state;
  switch (event.type) {
    case 'PoleLabelRenewed': {
      const d = event.data;
      return {
        ...state,
        category: d.category ?? state.category,
        labels: [
          ...state.labels,
          {
            phase: d.phase,
            category: d.category,
            startsOn: d.renewedOn,
            endsOn: d.endsOn,
            probationMonths: d.probationMonths,
            probationEndedOn: null,
            probationOutcome: null,
          },
        ],
        lastDate: maxDate(state.lastDate, d.renewedOn),
      };
    }
    case 'PoleProbationEnded': {
      const d = event.data;
      const labels = state.labels.map((l, i) =>
        i === state.labels.length - 1 ? { ...l, probationEndedOn: d.endedOn, probationOutcome: d.outcome } : l,
      );
      const next = { ...state, labels, lastDate: maxDate(state.lastDate, d.endedOn) };
      return d.outcome === 'delabelled' ? close(next, d.endedOn, 'probation') : next;
    }
    case 'PoleDelabelled':
      return close(state, event.data.delabelledOn, 'delabelled');
    case 'PolesMerged':
      return close(state, event.data.mergedOn, 'merged', event.data.into);
    case 'PoleEvaluated': {
      const { poleId: _p, ...e } = event.data;
      return { ...state, evaluations: [...state.evaluations, e], lastDate: maxDate(state.lastDate, e.evaluatedOn) };
    }
    case 'PoleCategoryChanged':
      return {
        ...state,
        category: event.data.category,
        labels: state.labels.map((l, i) =>
          i === state.labels.length - 1 ? { ...l, category: event.data.category } : l,
        ),
        lastDate: maxDate(state.lastDate, event.data.changedOn),
      };
    default: {
      const never: never = event;
      return never;
    }
  }
}
