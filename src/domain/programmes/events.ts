import type { EventTypeSpec } from '../registry.ts';
import { ProgrammeEventSchemas as S } from './programme.ts';

export const programmeEventTypes: Record<string, EventTypeSpec> = {
  ProgrammeLaunched: {
    version: 1,
    schema: S.ProgrammeLaunched,
    occurredOn: (d) => String(d.launchedOn),
    summary: (d) => `Programme ${String(d.programmeId)} "${String(d.name)}" launched`,
  },
};
