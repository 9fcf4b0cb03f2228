import { z } from 'zod';
import { BusinessDate, RegionCode, type DomainEvent } from '../../kernel/shared.ts';
import { Epci, TerritoryId } from '../territory/territory.ts';

/**
 * A candidate territory's application to a programme's call (Territoires d'industrie phase 2):
 * its events, its state, and `evolve`. Pure. Its id is the id the candidate would be labelled
 * with, unique within the programme (one application per candidate territory); its stream
 * `application-<id>@<programme>`.
 */

export const ApplicationEventSchemas = {
  ApplicationSubmitted: z.object({
    applicationId: TerritoryId,
    programme: z.string(),
    name: z.string(),
    regionCode: RegionCode,
    epcis: z.array(Epci),
    submittedOn: BusinessDate,
    /** The territory of the programme this one follows that the candidate renews. */
    succeeds: TerritoryId.optional(),
    synthetic: z.boolean().optional(),
  }),
  ApplicationSelected: z.object({ applicationId: TerritoryId, selectedOn: BusinessDate }),
  ApplicationNotSelected: z.object({
    applicationId: TerritoryId,
    decidedOn: BusinessDate,
    reason: z.string().optional(),
  }),
} as const;

type Schemas = typeof ApplicationEventSchemas;
export type ApplicationEvent = {
  [K in keyof Schemas]: DomainEvent<K, z.infer<Schemas[K]>>;
}[keyof Schemas];
export type ApplicationEventOf<T extends ApplicationEvent['type']> = Extract<ApplicationEvent, { type: T }>;

interface Known {
  id: string;
  programme: string;
  name: string;
  regionCode: string;
  epcis: Epci[];
  submittedOn: string;
  succeeds: string | null;
  synthetic: boolean;
}

export type Application =
  | { status: 'Unknown' }
  | ({ status: 'Submitted' } & Known)
  | ({ status: 'Selected'; selectedOn: string } & Known)
  | ({ status: 'NotSelected'; decidedOn: string; reason: string | null } & Known);

export const initialApplication = (): Application => ({ status: 'Unknown' });

export function evolveApplication(state: Application, event: ApplicationEvent): Application {
  switch (event.type) {
    case 'ApplicationSubmitted': {
      const d = event.data;
      return {
        status: 'Submitted',
        id: d.applicationId,
        programme: d.programme,
        name: d.name,
        regionCode: d.regionCode,
        epcis: [...d.epcis],
        submittedOn: d.submittedOn,
        succeeds: d.succeeds ?? null,
        synthetic: d.synthetic ?? false,
      };
    }
    case 'ApplicationSelected':
      // a recorded fact: never refused, even out of the expected order
      if (state.status === 'Unknown') return state;
      return { ...known(state), status: 'Selected', selectedOn: event.data.selectedOn };
    case 'ApplicationNotSelected':
      if (state.status === 'Unknown') return state;
      return {
        ...known(state),
        status: 'NotSelected',
        decidedOn: event.data.decidedOn,
        reason: event.data.reason ?? null,
      };
    default:
      return state;
  }
}

function known(s: Exclude<Application, { status: 'Unknown' }>): Known {
  const { id, programme, name, regionCode, epcis, submittedOn, succeeds, synthetic } = s;
  return { id, programme, name, regionCode, epcis, submittedOn, succeeds, synthetic };
}
