import { z } from 'zod';
import { BusinessDate, RegionCode, Siren, type DomainEvent } from '../../kernel/shared.ts';

/** The territory aggregate: its events, its state, and `evolve`. Pure. */

export const Epci = z.strictObject({
  siren: Siren,
  name: z.string().trim().min(1).max(200),
  /** CC, CA, CU, METRO, EPT... as INSEE or ANCT names them. */
  nature: z.string().trim().min(1).max(10).optional(),
  /** Invented for the demo history (no public list of that territory's EPCIs). */
  synthetic: z.boolean().optional(),
});
export type Epci = z.infer<typeof Epci>;

export const TerritoryId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'must be 1-64 letters, digits, _ . : -');

export const Person = z.strictObject({
  name: z.string().trim().min(1).max(200),
  /** Company (industrial) or mandate (elected official). */
  role: z.string().trim().min(1).max(200).optional(),
  synthetic: z.boolean().optional(),
});

export const TerritoryEventSchemas = {
  TerritoryLabelled: z.object({
    territoryId: TerritoryId,
    programme: z.string(),
    name: z.string(),
    regionCode: RegionCode,
    epcis: z.array(Epci),
    labelledOn: BusinessDate,
    splitFrom: TerritoryId.optional(),
    /** The territory of the programme this one follows that it renews (phase 2 renewing phase 1). */
    succeeds: TerritoryId.optional(),
    /** The selected application of the programme's call it was labelled from (phase 2). */
    application: TerritoryId.optional(),
    synthetic: z.boolean().optional(),
  }),
  TerritoryRenamed: z.object({ territoryId: TerritoryId, name: z.string(), renamedOn: BusinessDate }),
  TerritoryPerimeterChanged: z.object({
    territoryId: TerritoryId,
    added: z.array(Epci),
    removed: z.array(Siren),
    decidedOn: BusinessDate,
    reason: z.string(),
  }),
  TerritorySplit: z.object({
    territoryId: TerritoryId,
    into: z.array(z.object({ territoryId: TerritoryId, name: z.string(), epcis: z.array(Epci) })),
    splitOn: BusinessDate,
    reason: z.string().optional(),
  }),
  TerritoryCoLeadsAppointed: z.object({
    territoryId: TerritoryId,
    industrial: Person,
    elected: Person,
    appointedOn: BusinessDate,
  }),
  TerritoryWithdrawn: z.object({ territoryId: TerritoryId, withdrawnOn: BusinessDate, reason: z.string() }),
  /** The co-financed project lead (chef de projet) of a territory, and who co-finances the post. */
  TerritoryProjectLeadAppointed: z.object({
    territoryId: TerritoryId,
    lead: Person,
    appointedOn: BusinessDate,
    cofinancing: z.array(
      z.object({
        funder: z.string(),
        kind: z.enum(['state', 'region', 'epci', 'other']),
        /** Yearly amount, integer cents. */
        amountCents: z.number().int().nonnegative(),
      }),
    ),
  }),
  /**
   * The territory renews one of the programme it follows (phase 2 renewing phase 1), recorded
   * after its labelling: an administrator confirming a pair the continuity report proposed.
   */
  TerritorySuccessionLinked: z.object({
    territoryId: TerritoryId,
    succeeds: TerritoryId,
    linkedOn: BusinessDate,
    basis: z.enum(['epci-overlap', 'administrator']),
  }),
} as const;

type Schemas = typeof TerritoryEventSchemas;
export type TerritoryEvent = {
  [K in keyof Schemas]: DomainEvent<K, z.infer<Schemas[K]>>;
}[keyof Schemas];
export type TerritoryEventOf<T extends TerritoryEvent['type']> = Extract<TerritoryEvent, { type: T }>;

export interface CoLeads {
  industrial: z.infer<typeof Person>;
  elected: z.infer<typeof Person>;
  appointedOn: string;
}

export interface ProjectLead {
  lead: z.infer<typeof Person>;
  appointedOn: string;
  cofinancing: { funder: string; kind: 'state' | 'region' | 'epci' | 'other'; amountCents: number }[];
}

interface Known {
  id: string;
  programme: string;
  name: string;
  regionCode: string;
  epcis: Epci[];
  labelledOn: string;
  coLeads: CoLeads | null;
  projectLead: ProjectLead | null;
  /** The territory of the followed programme it renews, null when none is recorded. */
  succeeds: string | null;
  /** Business date of the latest event: a new decision may not be dated before it. */
  lastDate: string;
}

export type Territory =
  | { status: 'Unknown' }
  | ({ status: 'Labelled' } & Known)
  | ({ status: 'Split'; splitOn: string; into: string[] } & Known)
  | ({ status: 'Withdrawn'; withdrawnOn: string } & Known);

export const initialTerritory = (): Territory => ({ status: 'Unknown' });

export function evolveTerritory(state: Territory, event: TerritoryEvent): Territory {
  switch (event.type) {
    case 'TerritoryLabelled': {
      const d = event.data;
      return {
        status: 'Labelled',
        id: d.territoryId,
        programme: d.programme,
        name: d.name,
        regionCode: d.regionCode,
        epcis: [...d.epcis],
        labelledOn: d.labelledOn,
        coLeads: null,
        projectLead: null,
        succeeds: d.succeeds ?? null,
        lastDate: d.labelledOn,
      };
    }
    default:
      break;
  }
  // A recorded event is a fact: evolve never refuses one, even out of the expected order.
  if (state.status === 'Unknown') return state;
  switch (event.type) {
    case 'TerritoryRenamed':
      return { ...state, name: event.data.name, lastDate: maxDate(state.lastDate, event.data.renamedOn) };
    case 'TerritoryPerimeterChanged': {
      const removed = new Set(event.data.removed);
      const kept = state.epcis.filter((e) => !removed.has(e.siren));
      const known = new Set(kept.map((e) => e.siren));
      return {
        ...state,
        epcis: [...kept, ...event.data.added.filter((e) => !known.has(e.siren))],
        lastDate: maxDate(state.lastDate, event.data.decidedOn),
      };
    }
    case 'TerritorySplit':
      return {
        ...state,
        status: 'Split',
        splitOn: event.data.splitOn,
        into: event.data.into.map((t) => t.territoryId),
        lastDate: maxDate(state.lastDate, event.data.splitOn),
      };
    case 'TerritoryCoLeadsAppointed':
      return {
        ...state,
        coLeads: {
          industrial: event.data.industrial,
          elected: event.data.elected,
          appointedOn: event.data.appointedOn,
        },
        lastDate: maxDate(state.lastDate, event.data.appointedOn),
      };
    case 'TerritoryProjectLeadAppointed':
      return {
        ...state,
        projectLead: {
          lead: event.data.lead,
          appointedOn: event.data.appointedOn,
          cofinancing: event.data.cofinancing.map((f) => ({ ...f })),
        },
        lastDate: maxDate(state.lastDate, event.data.appointedOn),
      };
    case 'TerritorySuccessionLinked':
      return { ...state, succeeds: event.data.succeeds, lastDate: maxDate(state.lastDate, event.data.linkedOn) };
    case 'TerritoryWithdrawn':
      return {
        ...state,
        status: 'Withdrawn',
        withdrawnOn: event.data.withdrawnOn,
        lastDate: maxDate(state.lastDate, event.data.withdrawnOn),
      };
    default:
      return state;
  }
}

const maxDate = (a: string, b: string) => (a > b ? a : b);
