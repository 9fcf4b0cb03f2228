/**
 * The event-store contract. Both backends (PostgreSQL event log, EventStoreDB) implement it and are
 * held to the same contract test suite (test/eventstore/contract.ts). Nothing above
 * `src/eventstore/` knows which backend runs.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

export interface Actor {
  sub: string;
  name: string;
  roles: string[];
}

/** What the caller gives with every event. */
export interface EventMetadata {
  actor: Actor;
  /** Business date (YYYY-MM-DD): when it happened in the programme. */
  occurredOn: string;
  correlationId?: string;
  causationId?: string;
  commandId?: string;
  idempotencyKey?: string;
  requestId?: string;
  [k: string]: JsonValue | Actor | undefined;
}

/** What the store adds: when it was recorded. */
export interface RecordedMetadata extends EventMetadata {
  recordedAt: string;
}

export interface NewEvent {
  /** Chosen by the caller; appending the same id twice is an idempotent retry. */
  id: string;
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: EventMetadata;
}

export interface RecordedEvent {
  id: string;
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: RecordedMetadata;
  stream: string;
  /** 0-based revision of the event in its stream. */
  revision: bigint;
  /**
   * The event's position in the global log, never decreasing in log order, not dense. PostgreSQL:
   * unique per event. EventStoreDB: the commit position, which the events of one append may share.
   */
  position: bigint;
  /** Opaque, serialisable resume point: `readAll({ after: checkpoint })` continues after this event. */
  checkpoint: string;
  /** SHA-256 (hex) of the canonical form of this event chained to `prevHash`. */
  hash: string;
  /** Hash of the previous event of the same stream ('' for the first). */
  prevHash: string;
}

export type ExpectedRevision = bigint | 'no_stream' | 'any';

export interface AppendResult {
  /** Revision of the last event written (the stream's new revision). */
  nextRevision: bigint;
  /** Log position of the last event written. */
  position: bigint;
}

export interface ReadStreamOptions {
  from?: bigint;
  to?: bigint;
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

export interface ReadAllOptions {
  /** A checkpoint from a previous event, or undefined for the start of the log. */
  after?: string | undefined;
  batchSize?: number;
}

export interface Subscription extends AsyncIterable<RecordedEvent> {
  /** Stops the subscription; the iterator ends after the events already handed out. */
  stop(): Promise<void>;
}

export interface SubscribeOptions {
  after?: string | undefined;
  /** Events fetched per read while catching up. */
  batchSize?: number;
}

export interface StreamHead {
  revision: bigint;
  hash: string;
}

export interface EventStore {
  readonly backend: 'postgres' | 'eventstoredb';
  append(stream: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult>;
  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  subscribe(options?: SubscribeOptions): Subscription;
  /** The checkpoint of the last event readers can see, or undefined for an empty log. */
  headCheckpoint(): Promise<string | undefined>;
  /** Orders two checkpoints of this backend (negative when a comes first). */
  compareCheckpoints(a: string, b: string): number;
  /** The checkpoint of the event at a log position (as returned by append), if it exists. */
  checkpointOfPosition(position: bigint): Promise<string | undefined>;
  close(): Promise<void>;
}

// ---- errors -------------------------------------------------------------------------------

export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual revision; -1n when the stream does not exist. */
    readonly actual: bigint,
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${actual}`);
  }
}

export class EventIdConflictError extends Error {
  override readonly name = 'EventIdConflictError';
  constructor(readonly eventId: string) {
    super(`event id ${eventId} was already recorded with other content or in another stream`);
  }
}

export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  constructor(message: string) {
    super(message);
  }
}

/**
 * An event id in its canonical form: the lowercase 8-4-4-4-12 UUID that both backends give back
 * (PostgreSQL's `uuid` type, EventStoreDB's .NET Guid), from any spelling PostgreSQL accepts
 * (upper case, braces, hyphens left out); undefined when it is not a UUID.
 */
export function canonicalEventId(id: string): string | undefined {
  const hex = id.replace(/^\{(.*)\}$/, '$1').replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex) || id.length > 38) return undefined;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
