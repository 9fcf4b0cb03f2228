import { z } from 'zod';
import type { Decider } from '../kernel/decider.ts';
import {
  BusinessDate,
  assertNever,
  conflict,
  validationError,
  type Command,
  type DomainEvent,
} from '../kernel/shared.ts';

/**
 * A programme of the catalogue (Territoires d'industrie 2018, its phase 2 of 2023, the Nouvelle
 * France industrielle, the pôles de compétitivité...): a recorded fact, one stream per programme
 * (`programme-<id>`). Its dates bound the business dates of everything recorded in it. Pure.
 */

/** Lower-case words joined by hyphens (`territoires-industrie-2023`): never `@` nor `.`. */
export const ProgrammeId = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case letters and digits joined by hyphens')
  .max(64);

/** The shape a programme has, i.e. which folder of src/domain holds its aggregates. */
export const ProgrammeKind = z.enum(['territoires-industrie', 'nouvelle-france-industrielle', 'poles-competitivite']);
export type ProgrammeKind = z.infer<typeof ProgrammeKind>;

export const ProgrammeEventSchemas = {
  ProgrammeLaunched: z.object({
    programmeId: ProgrammeId,
    name: z.string().min(1).max(200),
    kind: ProgrammeKind,
    launchedOn: BusinessDate,
    /** The last day of the programme, when known. */
    endsOn: BusinessDate.nullable(),
    /** The programme it follows (phase 2 follows phase 1), if any. */
    follows: ProgrammeId.nullable(),
    /** Where the dates come from (addresses without the scheme). */
    sources: z.array(z.string().max(300)).max(10).default([]),
  }),
} as const;

type Schemas = typeof ProgrammeEventSchemas;
export type ProgrammeEvent = { [K in keyof Schemas]: DomainEvent<K, z.infer<Schemas[K]>> }[keyof Schemas];

export type ProgrammeFacts = z.infer<Schemas['ProgrammeLaunched']>;

export type Programme = { status: 'Unknown' } | ({ status: 'Launched' } & ProgrammeFacts);

export const initialProgramme = (): Programme => ({ status: 'Unknown' });

export function evolveProgramme(state: Programme, event: ProgrammeEvent): Programme {
  switch (event.type) {
    case 'ProgrammeLaunched':
      return { status: 'Launched', ...event.data, sources: [...event.data.sources] };
    default:
      return state;
  }
}

export type LaunchProgramme = Command<'LaunchProgramme', ProgrammeFacts>;
export type ProgrammeCommand = LaunchProgramme;

const launch = (c: LaunchProgramme, state: Programme): ProgrammeEvent[] => {
  if (state.status !== 'Unknown') throw conflict(`programme ${c.data.programmeId} is already launched`);
  if (c.data.launchedOn > c.metadata.today)
    throw validationError(`launchedOn ${c.data.launchedOn} is after today (${c.metadata.today})`, {
      field: 'launchedOn',
    });
  if (c.data.endsOn !== null && c.data.endsOn < c.data.launchedOn)
    throw validationError(`endsOn ${c.data.endsOn} is before launchedOn ${c.data.launchedOn}`, { field: 'endsOn' });
  if (c.data.follows === c.data.programmeId)
    throw validationError('follows: a programme does not follow itself', { field: 'follows' });
  return [{ type: 'ProgrammeLaunched', data: { ...c.data } }];
};

export function decideProgramme(command: ProgrammeCommand, state: Programme): ProgrammeEvent[] {
  switch (command.type) {
    case 'LaunchProgramme':
      return launch(command, state);
    default:
      return assertNever(command.type);
  }
}

export const programmeDecider: Decider<ProgrammeCommand, ProgrammeEvent, Programme> = {
  decide: decideProgramme,
  evolve: evolveProgramme,
  initialState: initialProgramme,
};
