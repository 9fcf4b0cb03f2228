import type { Migration } from 'kysely';
import * as m0001 from './0001_event_log.ts';
import * as m0002 from './0002_projections.ts';

/** Every migration, in order. Names are frozen once released. */
export const migrations: Record<string, Migration> = {
  '0001_event_log': m0001,
  '0002_projections': m0002,
};
