import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  type AllStreamResolvedEvent,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { contentDigest, eventHash, findUnstorable } from './hash.ts';
import {
  canonicalEventId,
  EventIdConflictError,
  InvalidEventError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type JsonObject,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type RecordedMetadata,
  type SubscribeOptions,
  type Subscription,
} from './types.ts';

/**
 * The EventStoreDB backend, held to the same contract suite as PostgreSQL
 * (test/eventstore/esdb.e2e.test.ts, run in CI against an EventStoreDB container).
 *
 * - Hash chain: `schemaVersion`, `hash` and `prevHash` travel in the event metadata under `ledger`.
 *   Every append reads the stream's last event (for its hash) and writes with that exact revision,
 *   so a concurrent writer makes ESDB refuse the append instead of forking the chain; with
 *   `expectedRevision: 'any'` we then chain on the new head and try again.
 * - Idempotency is decided here, on the read of the stream's tail that also gives the head, as
 *   PostgreSQL's es.append_events decides it whatever the expected revision: when the batch's first id
 *   is there, the same ids with the same content, consecutive, are a retry (the original result,
 *   nothing written); anything else is EventIdConflictError. Where EventStoreDB answers a write as
 *   idempotent itself (it compares ids only), the events are compared the same way.
 *   Limits: only the first id is looked up, and only in this stream's last RETRY_WINDOW events (or,
 *   for an exact revision / no_stream, right after that revision): an id reused in another stream,
 *   further back, or later in a batch is not detected (PostgreSQL enforces ids across the whole log).
 * - Position = the event's commit position (the events of one append may share it); checkpoint =
 *   `C:<commit>/P:<prepare>`, which orders `$all`.
 * - `$all` reads and the catch-up subscription keep only our event types (no `$` system events);
 *   stream reads keep every event of ours (any type, so a retired type still counts for the head).
 *   A subscription that fails resubscribes from the last checkpoint it handed out and drops
 *   anything at or before it, so a reconnect neither loses nor repeats events; its retry budget
 *   starts again each time the server confirms it. `close()` stops the live subscriptions.
 */
const RETRY_WINDOW = 1000;
const MAX_CHAIN_ATTEMPTS = 50;
const MAX_RESUBSCRIBE_FAILURES = 10;

interface LedgerMetadata {
  schemaVersion: number;
  hash: string;
  prevHash: string;
}
type StoredMetadata = RecordedMetadata & { ledger?: LedgerMetadata };

const formatCheckpoint = (p: Position) => `C:${p.commit}/P:${p.prepare}`;

export function parseEsdbCheckpoint(c: string): Position {
  const m = /^C:(\d+)\/P:(\d+)$/.exec(c);
  if (!m) throw new InvalidEventError(`not an EventStoreDB checkpoint: ${c}`);
  return { commit: BigInt(m[1]!), prepare: BigInt(m[2]!) };
}

/** A sleep that `wake()` ends early (a subscription's backoff, cut short by `stop()`). */
function wakeableSleep(ms: number): { done: Promise<void>; wake: () => void } {
  let wake!: () => void;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, wake };
}

/**
 * The original result when `found` (the recorded events from the batch's first id on) is the batch:
 * the same ids, the same content, consecutive. Otherwise EventIdConflictError, naming the first event
 * that differs (es.append_events: `duplicate` / `id_conflict`).
 */
function originalResult(events: NewEvent[], found: RecordedEvent[]): AppendResult {
  events.forEach((e, i) => {
    const r = found[i];
    if (!r || r.id !== e.id || contentDigest(r) !== contentDigest(e)) throw new EventIdConflictError(e.id);
  });
  const last = found[events.length - 1]!;
  return { nextRevision: last.revision, position: last.position };
}

/**
 * Ends a read. `destroy()` only detaches the client's Transform: the gRPC call under it stays open
 * (paused, held by HTTP/2 flow control) until the server has sent everything, which for an
 * unbounded `$all` read is never (grpc/grpc-node#1238). `cancel()` ends the call; a no-op when done.
 */
function release(read: { destroy(): void; cancel(): Promise<void> }): void {
  read.destroy();
  read.cancel().catch(() => undefined);
}

export class EventStoreDbEventStore implements EventStore {
  readonly backend = 'eventstoredb' as const;
  private readonly types: Set<string>;
  /** The subscriptions not stopped yet: `close()` stops them before disposing of the client. */
  private readonly subscriptions = new Set<Subscription>();

  private constructor(
    private readonly client: EventStoreDBClient,
    eventTypes: string[],
  ) {
    this.types = new Set(eventTypes);
  }

  /** Connects (e.g. `esdb://localhost:2113?tls=false`) and checks the server answers. */
  static async connect(url: string, eventTypes: string[]): Promise<EventStoreDbEventStore> {
    const client = EventStoreDBClient.connectionString(url);
    try {
      for await (const _ of client.readAll({ maxCount: 1, direction: BACKWARDS, fromPosition: END })) break;
    } catch (err) {
      await client.dispose();
      throw err;
    }
    return new EventStoreDbEventStore(client, eventTypes);
  }

  /**
   * Our event (JSON, `ledger` metadata, not in a `$` stream), or undefined for anything else.
   * `anyType`: keep it whatever its type. Stream reads pass it: every event of one of our streams is
   * a ledger event, and one whose type is no longer in the registry still holds its revision and its
   * place in the chain. `$all` reads and the subscription do not: there the type filter keeps out
   * other applications' events.
   */
  private convert(resolved: ResolvedEvent | AllStreamResolvedEvent, anyType = false): RecordedEvent | undefined {
    const e = resolved.event;
    if (!e || !e.isJson || e.streamId.startsWith('$') || (!anyType && !this.types.has(e.type))) return undefined;
    if (!e.metadata || typeof e.metadata !== 'object' || !('ledger' in e.metadata)) return undefined;
    const { ledger, ...metadata } = e.metadata as StoredMetadata;
    if (!ledger) return undefined;
    const position = e.position ?? { commit: -1n, prepare: -1n };
    return {
      id: e.id,
      type: e.type,
      schemaVersion: ledger.schemaVersion,
      data: e.data as JsonObject,
      metadata,
      stream: e.streamId,
      revision: e.revision,
      position: position.commit,
      checkpoint: formatCheckpoint(position),
      hash: ledger.hash,
      prevHash: ledger.prevHash,
    };
  }

  /**
   * One backwards read of the stream's tail: its last event (the head to chain on) and, like
   * es.append_events whatever the expected revision, whether the batch was recorded already. The
   * batch's first id is looked for in the last RETRY_WINDOW events; for an exact revision or
   * no_stream, also right after that revision when that lies further back (a late retry). When found,
   * `retry` is the original result, or this throws EventIdConflictError (see `originalResult`).
   */
  private async findRetry(
    stream: string,
    events: NewEvent[],
    expected: ExpectedRevision,
  ): Promise<{ last: RecordedEvent | undefined; retry: AppendResult | undefined }> {
    const firstId = events[0]!.id;
    let last: RecordedEvent | undefined;
    let oldest: bigint | undefined;
    let found: RecordedEvent[] | undefined;
    // the events read after the one in hand (oldest first), as many as the batch has after its first
    const newer: RecordedEvent[] = [];
    for await (const e of this.readStream(stream, { direction: 'backwards', maxCount: RETRY_WINDOW })) {
      last ??= e;
      if (e.id === firstId) {
        found = [e, ...newer];
        break;
      }
      oldest = e.revision;
      newer.unshift(e);
      if (newer.length >= events.length) newer.pop();
    }
    if (!found && expected !== 'any' && oldest !== undefined) {
      const at = expected === 'no_stream' ? 0n : expected + 1n;
      if (at < oldest) {
        const there: RecordedEvent[] = [];
        for await (const e of this.readStream(stream, { from: at, maxCount: events.length })) there.push(e);
        if (there[0]?.id === firstId) found = there;
      }
    }
    return { last, retry: found && originalResult(events, found) };
  }

  async append(
    stream: string,
    given: NewEvent[],
    { expectedRevision }: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    if (given.length === 0) throw new InvalidEventError('append needs at least one event');
    // ids as the server gives them back (lowercase UUIDs): a retry spelt otherwise is the same retry
    const events = given.map((e) => {
      const id = canonicalEventId(e.id);
      if (id === undefined) throw new InvalidEventError(`event id ${e.id} is not a UUID`);
      return id === e.id ? e : { ...e, id };
    });
    if (!stream || stream.startsWith('$')) throw new InvalidEventError('stream name must be non-empty, not $-prefixed');
    for (const e of events) {
      const bad = findUnstorable(e.data) ?? findUnstorable(e.metadata);
      if (bad) throw new InvalidEventError(`event ${e.id}: ${bad}`);
      if ('ledger' in e.metadata) throw new InvalidEventError(`event ${e.id}: metadata.ledger is reserved`);
      // `$all` reads and the subscription keep only the types we were connected with: an unknown
      // type would be invisible to them (stream reads would still show it)
      if (!this.types.has(e.type)) throw new InvalidEventError(`event ${e.id}: unknown event type ${e.type}`);
    }
    const recordedAt = new Date().toISOString();
    const metas = events.map((e) => ({ ...e.metadata, recordedAt }));

    for (let attempt = 0; ; attempt++) {
      const { last, retry } = await this.findRetry(stream, events, expectedRevision);
      if (retry) return retry;
      const head = last?.revision ?? -1n;
      if (
        (expectedRevision === 'no_stream' && head !== -1n) ||
        (typeof expectedRevision === 'bigint' && head !== expectedRevision)
      ) {
        throw new WrongExpectedRevisionError(stream, expectedRevision, head);
      }
      let prevHash = last?.hash ?? '';
      const data = events.map((e, i) => {
        const revision = head + 1n + BigInt(i);
        const hash = eventHash({ stream, revision, ...e, metadata: metas[i]!, prevHash });
        const ledger: LedgerMetadata = { schemaVersion: e.schemaVersion, hash, prevHash };
        prevHash = hash;
        return jsonEvent({ id: e.id, type: e.type, data: e.data, metadata: { ...metas[i]!, ledger } });
      });
      let written: { success: boolean };
      try {
        written = await this.client.appendToStream(stream, data, { expectedRevision: head === -1n ? NO_STREAM : head });
      } catch (err) {
        // another writer moved the head since we read it: decide again on the new head
        if (err instanceof WrongExpectedVersionError && attempt < MAX_CHAIN_ATTEMPTS) continue;
        throw err;
      }
      // `throwOnAppendFailure=false` (a connection-string option) answers a refused write with
      // `success: false` instead of throwing: nothing was written, decide again as above
      if (!written.success) {
        if (attempt < MAX_CHAIN_ATTEMPTS) continue;
        throw new Error(`append to ${stream}: wrong expected revision after ${attempt + 1} attempts`);
      }
      // the position of the last event, as readers will see it
      const nextRevision = head + BigInt(events.length);
      let end: RecordedEvent | undefined;
      for await (const e of this.readStream(stream, { from: nextRevision, maxCount: 1 })) end = e;
      if (!end) throw new Error(`append to ${stream}: revision ${nextRevision} not readable after the write`);
      // our chain's last hash: these are the events we wrote
      if (end.hash === prevHash) return { nextRevision, position: end.position };
      // a concurrent writer put these ids at these revisions first, and EventStoreDB answered our
      // exact-revision write as its idempotent repeat (IndexWriter.CheckCommit compares ids only):
      // a retry if the content is ours too, else a clash
      const there: RecordedEvent[] = [];
      for await (const e of this.readStream(stream, { from: head + 1n, maxCount: events.length })) there.push(e);
      return originalResult(events, there);
    }
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    const backwards = options.direction === 'backwards';
    const read = this.client.readStream(stream, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: options.from ?? (backwards ? END : START),
      ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
    });
    try {
      for await (const resolved of read) {
        const e = this.convert(resolved, true);
        if (!e) continue;
        if (options.to !== undefined && (backwards ? e.revision < options.to : e.revision > options.to)) break;
        yield e;
      }
    } catch (err) {
      if (err instanceof StreamNotFoundError) return;
      throw err;
    } finally {
      release(read);
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const after = options.after;
    const read = this.client.readAll({
      direction: FORWARDS,
      fromPosition: after ? parseEsdbCheckpoint(after) : START,
    });
    try {
      for await (const resolved of read) {
        const e = this.convert(resolved);
        // the read starts at the checkpoint's own event: drop it (and anything before)
        if (e && (!after || this.compareCheckpoints(e.checkpoint, after) > 0)) yield e;
      }
    } finally {
      release(read);
    }
  }

  subscribe(options: SubscribeOptions = {}): Subscription {
    const self = this;
    let stopped = false;
    let current: { unsubscribe(): Promise<void> } | undefined;
    let wakeUp: (() => void) | undefined;
    let last = options.after;
    async function* run(): AsyncGenerator<RecordedEvent> {
      let failures = 0;
      try {
        while (!stopped) {
          const sub = self.client.subscribeToAll({
            fromPosition: last ? parseEsdbCheckpoint(last) : START,
            filter: eventTypeFilter({ prefixes: [...self.types] }),
          });
          current = sub;
          // the server took the subscription (its first message, SubscriptionConfirmation): the
          // connection works again, so a later drop starts a fresh budget, events or not
          sub.once('confirmation', () => {
            failures = 0;
          });
          try {
            for await (const resolved of sub as AsyncIterable<AllStreamResolvedEvent>) {
              if (stopped) return;
              const e = self.convert(resolved);
              if (!e || (last && self.compareCheckpoints(e.checkpoint, last) <= 0)) continue;
              failures = 0;
              last = e.checkpoint;
              yield e;
            }
          } catch (err) {
            // connection lost, leader changed, server restarted: resubscribe from `last`
            if (stopped) return;
            if (failures >= MAX_RESUBSCRIBE_FAILURES) throw err;
          } finally {
            await sub.unsubscribe().catch(() => undefined);
          }
          if (stopped) return;
          const nap = wakeableSleep(Math.min(5000, 100 * 2 ** ++failures));
          wakeUp = nap.wake;
          await nap.done;
          wakeUp = undefined;
        }
      } finally {
        self.subscriptions.delete(subscription);
      }
    }
    const iterator = run();
    const subscription: Subscription = {
      [Symbol.asyncIterator]: () => iterator,
      stop: async () => {
        stopped = true;
        self.subscriptions.delete(subscription);
        wakeUp?.();
        await current?.unsubscribe().catch(() => undefined);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headCheckpoint(): Promise<string | undefined> {
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END });
    try {
      for await (const resolved of read) {
        const e = this.convert(resolved);
        if (e) return e.checkpoint;
      }
      return undefined;
    } finally {
      release(read);
    }
  }

  compareCheckpoints(a: string, b: string): number {
    const pa = parseEsdbCheckpoint(a);
    const pb = parseEsdbCheckpoint(b);
    if (pa.commit !== pb.commit) return pa.commit < pb.commit ? -1 : 1;
    return pa.prepare === pb.prepare ? 0 : pa.prepare < pb.prepare ? -1 : 1;
  }

  /** The checkpoint of the last of our events at this commit position (scans `$all` back from its end). */
  async checkpointOfPosition(position: bigint): Promise<string | undefined> {
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END });
    try {
      for await (const resolved of read) {
        const commit = resolved.event?.position.commit;
        if (commit === undefined) continue;
        if (commit < position) return undefined;
        const e = this.convert(resolved);
        if (e && e.position === position) return e.checkpoint;
      }
      return undefined;
    } finally {
      release(read);
    }
  }

  /**
   * Stops the live subscriptions, then disposes of the client. (`dispose()` only cancels the calls
   * in flight and leaves the channel open: a subscription left running would take the cancel for a
   * clean end and subscribe again.)
   */
  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }
}
