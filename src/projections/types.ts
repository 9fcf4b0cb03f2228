import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { EventRegistry } from '../domain/registry.ts';
import type { RecordedEvent } from '../eventstore/types.ts';

/** An event as projections see it: upcast to the current schema version, with where it was recorded. */
export interface ProjectedEvent {
  type: string;
  data: Record<string, unknown>;
  recorded: RecordedEvent;
  /** Business date (metadata.occurredOn). */
  occurredOn: string;
}

/** Where a projection writes: `read` live, `read_next` while a rebuild fills the shadow schema. */
export interface ProjectionContext {
  /** The read schema's name (an SQL identifier). */
  schema: string;
  registry: EventRegistry;
  /**
   * COPY rows into a table (`"schema"."table"`) on the batch's connection, when the runner
   * provides it (its set-based path); projections fall back to INSERT without it.
   */
  copy?: (table: string, columns: readonly string[], rows: readonly object[]) => Promise<void>;
}

export type Db = Transaction<Database> | Kysely<Database>;

/**
 * A projection is a fold plus idempotent upserts. It never refuses a recorded event: an event it
 * cannot apply is a bug to fix (the runner parks it), not a decision.
 */
export interface Projection {
  readonly name: string;
  /** Event types it reads ('all': every event); others are skipped (but still advance its checkpoint). */
  readonly handles: ReadonlySet<string> | 'all';
  /** Applies one event (the runner's event-by-event path, and replays of parked events). */
  apply(trx: Db, event: ProjectedEvent, ctx: ProjectionContext): Promise<void>;
  /**
   * Applies a batch of events (only those it handles, in log order) with set-based writes. Must
   * leave the same rows as `apply` called on each event in turn. The runner runs the projections
   * of a batch side by side on one connection: a projection writes only its own rows.
   */
  applyBatch?(trx: Db, events: ProjectedEvent[], ctx: ProjectionContext): Promise<void>;
}

export const handles = (p: Projection, type: string): boolean => p.handles === 'all' || p.handles.has(type);
