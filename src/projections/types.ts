import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { RecordedEvent } from '../eventstore/types.ts';

/** An event as projections see it: upcast to the current schema version, with where it was recorded. */
export interface ProjectedEvent {
  type: string;
  data: Record<string, unknown>;
  recorded: RecordedEvent;
  /** Business date (metadata.occurredOn). */
  occurredOn: string;
}

/**
 * A projection is a fold plus idempotent upserts. It never refuses a recorded event: an event it
 * cannot apply is a bug to fix (the runner parks it), not a decision.
 */
export interface Projection {
  readonly name: string;
  /** Event types it reads; others are skipped (but still advance its checkpoint). */
  readonly handles: ReadonlySet<string>;
  apply(trx: Transaction<Database> | Kysely<Database>, event: ProjectedEvent): Promise<void>;
}
