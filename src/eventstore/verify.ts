import pg from 'pg';
import { eventHash } from './hash.ts';
import { PostgresEventStore } from './postgres.ts';
import type { EventStore, RecordedEvent, StreamHead } from './types.ts';

/**
 * The tamper-evidence verifier: recomputes every hash chain (docs/adr/0003-hash-chain.md) from
 * what the store reads back, through the EventStore interface only, so it runs on either backend.
 *
 * Detected: changed data, metadata, type, schema version, stream or revision (hash mismatch);
 * a deleted or reordered event (revision gap, prev_hash mismatch). A deleted *last* event of a
 * stream leaves a valid shorter chain: it is detected only when the store can name each stream's
 * head from somewhere else (PostgreSQL: es.streams), see `heads` below.
 */
export interface BrokenLink {
  stream: string;
  /** The revision where the chain breaks (for a missing tail: the first missing revision). */
  revision: bigint;
  /** The offending event's log position, null when the event is missing. */
  position: bigint | null;
  eventId: string | null;
  reason: string;
}

export interface VerifyResult {
  ok: boolean;
  eventsChecked: number;
  streamsChecked: number;
  firstBroken: BrokenLink | null;
}

export interface VerifyOptions {
  /** Verify one stream only (default: the whole log). */
  stream?: string;
  /** Called every `progressEvery` events and at the end. */
  onProgress?: (p: { eventsChecked: number; streamsChecked: number }) => void;
  progressEvery?: number;
}

/** A store that can name every stream's head independently of the events (PostgreSQL: es.streams). */
interface HeadSource {
  streamHead(stream: string): Promise<StreamHead | undefined>;
  streamHeads(): AsyncIterable<{ stream: string } & StreamHead>;
}

const hasHeads = (s: EventStore): s is EventStore & HeadSource =>
  typeof (s as Partial<HeadSource>).streamHead === 'function' &&
  typeof (s as Partial<HeadSource>).streamHeads === 'function';

export const recompute = (e: RecordedEvent) =>
  eventHash({
    stream: e.stream,
    revision: e.revision,
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: e.data,
    metadata: e.metadata,
    prevHash: e.prevHash,
  });

/** Checks one event against the chain so far; returns why it breaks, if it does. */
function check(e: RecordedEvent, last: StreamHead | undefined): string | undefined {
  const expected = last ? last.revision + 1n : 0n;
  if (e.revision !== expected) {
    return e.revision > expected
      ? `revision gap: expected revision ${expected}, found ${e.revision}`
      : `revision out of order: expected revision ${expected}, found ${e.revision}`;
  }
  const prev = last?.hash ?? '';
  if (e.prevHash !== prev) return 'prev_hash mismatch: does not name the previous event of the stream';
  if (recompute(e) !== e.hash) return 'hash mismatch: the event differs from what was hashed';
  return undefined;
}

export async function verifyChains(source: EventStore | pg.Pool, options: VerifyOptions = {}): Promise<VerifyResult> {
  const store = source instanceof pg.Pool ? new PostgresEventStore(source) : source;
  const every = options.progressEvery ?? 10_000;
  const heads = new Map<string, StreamHead>();
  let eventsChecked = 0;
  const progress = () => options.onProgress?.({ eventsChecked, streamsChecked: heads.size });
  const result = (firstBroken: BrokenLink | null): VerifyResult => {
    progress();
    return { ok: firstBroken === null, eventsChecked, streamsChecked: heads.size, firstBroken };
  };

  const events = options.stream ? store.readStream(options.stream) : store.readAll();
  for await (const e of events) {
    const reason = check(e, heads.get(e.stream));
    if (reason) {
      return result({ stream: e.stream, revision: e.revision, position: e.position, eventId: e.id, reason });
    }
    heads.set(e.stream, { revision: e.revision, hash: e.hash });
    eventsChecked++;
    if (eventsChecked % every === 0) progress();
  }

  // A missing tail: compare each chain's end with the head the store keeps apart from the events.
  if (hasHeads(store)) {
    const recorded = options.stream
      ? await store.streamHead(options.stream).then((h) => (h ? [{ stream: options.stream!, ...h }] : []))
      : store.streamHeads();
    for await (const h of recorded) {
      let seen = heads.get(h.stream) ?? { revision: -1n, hash: '' };
      if (h.revision > seen.revision) {
        // appended while we read the log? then the events are there now: check them too
        for await (const e of store.readStream(h.stream, { from: seen.revision + 1n, to: h.revision })) {
          const reason = check(e, seen.revision < 0n ? undefined : seen);
          if (reason) {
            return result({ stream: e.stream, revision: e.revision, position: e.position, eventId: e.id, reason });
          }
          seen = { revision: e.revision, hash: e.hash };
          heads.set(e.stream, seen);
          eventsChecked++;
        }
      }
      if (h.revision > seen.revision) {
        return result({
          stream: h.stream,
          revision: seen.revision + 1n,
          position: null,
          eventId: null,
          reason: `missing events: the stream head says revision ${h.revision}, the chain ends at ${seen.revision}`,
        });
      }
      if (h.revision === seen.revision && h.hash !== seen.hash) {
        return result({
          stream: h.stream,
          revision: h.revision,
          position: null,
          eventId: null,
          reason: 'head hash mismatch: the last event is not the one the stream head recorded',
        });
      }
    }
  }
  return result(null);
}
