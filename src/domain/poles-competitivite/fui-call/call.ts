import { z } from 'zod';
import { AmountCents } from '../../kernel/commitments.ts';
import { BusinessDate, type DomainEvent } from '../../kernel/shared.ts';
import { FuiCallNumber } from '../ids.ts';

/**
 * A call for projects of the FUI (Fonds unique interministériel), two a year: opened with its
 * window; its results as the State published them (submitted, selected, State and local
 * authorities' euros). Pure.
 */
export const FuiCallEventSchemas = {
  FuiCallOpened: z.object({
    callNumber: FuiCallNumber,
    opensOn: BusinessDate,
    closesOn: BusinessDate,
    synthetic: z
      .boolean()
      .describe('whether the window is made up (the results are published, the windows mostly not)'),
  }),
  FuiCallResultsPublished: z.object({
    callNumber: FuiCallNumber,
    publishedOn: BusinessDate,
    submitted: z.number().int().nonnegative(),
    selected: z.number().int().nonnegative(),
    stateCents: AmountCents,
    localAuthoritiesCents: AmountCents,
    source: z.string(),
  }),
} as const;

type Schemas = typeof FuiCallEventSchemas;
export type FuiCallEvent = { [K in keyof Schemas]: DomainEvent<K, z.infer<Schemas[K]>> }[keyof Schemas];
export type FuiCallEventOf<T extends FuiCallEvent['type']> = Extract<FuiCallEvent, { type: T }>;

export type FuiCallResults = Omit<FuiCallEventOf<'FuiCallResultsPublished'>['data'], 'callNumber'>;
export type FuiCall =
  | { status: 'Unknown' }
  | { status: 'Opened'; callNumber: number; opensOn: string; closesOn: string; results: FuiCallResults | null };

export const initialFuiCall = (): FuiCall => ({ status: 'Unknown' });

export function evolveFuiCall(state: FuiCall, event: FuiCallEvent): FuiCall {
  switch (event.type) {
    case 'FuiCallOpened':
      return {
        status: 'Opened',
        callNumber: event.data.callNumber,
        opensOn: event.data.opensOn,
        closesOn: event.data.closesOn,
        results: null,
      };
    case 'FuiCallResultsPublished': {
      if (state.status === 'Unknown') return state;
      const { callNumber: _n, ...results } = event.data;
      return { ...state, results };
    }
    default: {
      const never: never = event;
      return never;
    }
  }
}
