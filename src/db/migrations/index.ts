import type { Migration } from 'kysely';
import * as m0001 from './0001_event_log.ts';
import * as m0002 from './0002_projections.ts';
import * as m0003 from './0003_idempotency.ts';
import * as m0004 from './0004_read_models.ts';
import * as m0005 from './0005_report_indexes.ts';
import * as m0006 from './0006_report_deltas.ts';
import * as m0007 from './0007_append_batch.ts';
import * as m0008 from './0008_merkle_log.ts';
import * as m0009 from './0009_idempotency_lease.ts';
import * as m0012 from './0012_programme_identity.ts';
import * as m0013 from './0013_nfi.ts';
import * as m0014 from './0014_poles.ts';
import * as m0015 from './0015_phase2_applications.ts';
import * as m0016 from './0016_back_dated_projects.ts';
import * as m0017 from './0017_merkle_leaf_index.ts';

/** Every migration, in order. Names are frozen once released. */
export const migrations: Record<string, Migration> = {
  '0001_event_log': m0001,
  '0002_projections': m0002,
  '0003_idempotency': m0003,
  '0004_read_models': m0004,
  '0005_report_indexes': m0005,
  '0006_report_deltas': m0006,
  '0007_append_batch': m0007,
  '0008_merkle_log': m0008,
  '0009_idempotency_lease': m0009,
  '0012_programme_identity': m0012,
  '0013_nfi': m0013,
  '0014_poles': m0014,
  '0015_phase2_applications': m0015,
  '0016_back_dated_projects': m0016,
  '0017_merkle_leaf_index': m0017,
};
