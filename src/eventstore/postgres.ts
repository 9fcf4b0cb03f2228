import type pg from 'pg';
import { CanonicalEvent, findUnstorable } from './hash.ts';
import {
  EventIdConflictError,
  InvalidEventError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamHead,
  type SubscribeOptions,
  type Subscription,
} from './types.ts';

/**
 * The PostgreSQL event log (schema `es`, see migration 0001).
 *
 * Order: readers walk `(transaction_id, position)` and only below `pg_snapshot_xmin`, the oldest
 * transaction still open, so an event whose transaction commits late is never skipped
 * (docs/adr/0002-log-order.md). A checkpoint is the text `<xid8>/<position>`.
 */
export interface PostgresEventStoreOptions {
  /** How long an idle subscriber waits before looking for events appended by other processes. */
  pollIntervalMs?: number;
  /** Streams whose head (revision, hash) is remembered to spare a read before appending. */
  headCacheSize?: number;
  /**
   * Group commit: at most this many append statements run at once; appends arriving meanwhile
   * wait and go together in the next one (one transaction, one WAL flush). Default 2.
   */
  appendConcurrency?: number;
  /**
   * While a group is in flight, a second one starts only when appends holding at least this many
   * events wait; less work waits for the group in flight and then goes with the rest. A queue
   * holding at least `overlapAt` events per free slot is shared among the free slots. Default 16
   * (see docs/architecture.md, "Commands over HTTP": overlapping small groups cost more per
   * append than one larger group).
   */
  overlapAt?: number;
}

/** One append as es.append_events takes it. */
interface AppendRequest {
  stream: string;
  expected: string;
  prevHash: string;
  ids: string[];
  types: string[];
  versions: number[];
  data: string[];
  metas: string[];
  digests: string[];
  hashes: string[];
  recordedAt: string;
}

interface AppendRow {
  status: string;
  revision: string;
  last_position: string | null;
  last_hash: string;
}

interface Pending {
  req: AppendRequest;
  resolve: (row: AppendRow) => void;
  reject: (err: unknown) => void;
}

const MAX_GROUP = 256;
const MAX_STALE_HEAD_RETRIES = 100;

function mapPgError(err: unknown, ids: string[]): unknown {
  const pgErr = err as { code?: string; constraint?: string; detail?: string };
  if (pgErr.code === '23505' && pgErr.constraint === 'events_event_id_key') {
    const id = /\(event_id\)=\(([^)]+)\)/.exec(pgErr.detail ?? '')?.[1] ?? ids[0]!;
    return new EventIdConflictError(id);
  }
  if (pgErr.code === '22P02') return new InvalidEventError(`invalid event: ${(err as Error).message}`);
  return err;
}

/** A batch of the log, column by column, content as JSON text (readRawBatch). */
export interface RawBatch {
  position: string[];
  txid: string[];
  stream: string[];
  revision: string[];
  id: string[];
  type: string[];
  schemaVersion: number[];
  data: string[];
  metadata: string[];
  prevHash: string[];
  hash: string[];
}

interface EventRow {
  position: string;
  txid: string;
  stream_name: string;
  revision: string;
  event_id: string;
  type: string;
  schema_version: number;
  data: RecordedEvent['data'];
  metadata: RecordedEvent['metadata'];
  prev_hash: string;
  hash: string;
}

// The xid is read as text under another name: `order by transaction_id` must sort the xid8 column,
// not its text (where '1000' < '745').
const EVENT_COLUMNS = `position, transaction_id::text as txid, stream_name, revision, event_id, type,
  schema_version, data, metadata, prev_hash, hash`;

function toRecorded(r: EventRow): RecordedEvent {
  return {
    id: r.event_id,
    type: r.type,
    schemaVersion: r.schema_version,
    data: r.data,
    metadata: r.metadata,
    stream: r.stream_name,
    revision: BigInt(r.revision),
    position: BigInt(r.position),
    checkpoint: `${r.txid}/${r.position}`,
    hash: r.hash,
    prevHash: r.prev_hash,
  };
}

export function parsePgCheckpoint(c: string): [bigint, bigint] {
  const m = /^(\d+)\/(\d+)$/.exec(c);
  if (!m) throw new InvalidEventError(`not a PostgreSQL log checkpoint: ${c}`);
  return [BigInt(m[1]!), BigInt(m[2]!)];
}

const expectedCode = (e: ExpectedRevision): bigint => (e === 'no_stream' ? -1n : e === 'any' ? -2n : e);

export class PostgresEventStore implements EventStore {
  readonly backend = 'postgres' as const;
  private readonly heads = new Map<string, StreamHead>();
  private readonly wakers = new Set<() => void>();
  private readonly pollIntervalMs: number;
  private readonly headCacheSize: number;
  private readonly appendConcurrency: number;
  private readonly overlapAt: number;
  private readonly queue: Pending[] = [];
  /** Events held by the appends in `queue`. */
  private queuedEvents = 0;
  private inFlight = 0;
  private dispatchScheduled = false;
  /** False when the database has no es.append_batch (a schema older than migration 0007). */
  private groupCommit = true;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.headCacheSize = options.headCacheSize ?? 10_000;
    this.appendConcurrency = Math.max(1, options.appendConcurrency ?? 2);
    this.overlapAt = Math.max(1, options.overlapAt ?? 16);
  }

  /** Whether this store's events are read through `pool` (the Merkle tree's tables live beside them). */
  usesPool(pool: pg.Pool): boolean {
    return pool === this.pool;
  }

  private submit(req: AppendRequest): Promise<AppendRow> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.queuedEvents += req.ids.length;
      this.schedule();
    });
  }

  /**
   * Dispatch waits for the current turn of the event loop to end: the writers that an answered group
   * releases append again in their continuations, and they go together rather than one by one.
   */
  private schedule() {
    if (this.dispatchScheduled || this.inFlight >= this.appendConcurrency || this.queue.length === 0) return;
    this.dispatchScheduled = true;
    setImmediate(() => {
      this.dispatchScheduled = false;
      this.pump();
    });
  }

  private pump() {
    while (this.inFlight < this.appendConcurrency && this.queue.length > 0) {
      // Little waiting work waits for the group in flight and then goes as one larger group: each
      // group is a transaction, a statement and a WAL flush, and on a busy machine two small groups
      // cost more CPU per append than one (POST /projects at 16 clients: 7.8 appends per group
      // instead of 4.3, 10-15% less CPU per command). Work is counted in events: a queue holding
      // many events (10-event batches, 64 single-event writers) is shared among the free slots,
      // so large groups overlap rather than alternate with an idle database. One append per
      // stream in a group (es.append_batch wants distinct streams); the rest wait.
      if (this.inFlight > 0 && this.queuedEvents < this.overlapAt) return;
      const free = this.appendConcurrency - this.inFlight;
      const share =
        this.queuedEvents >= this.overlapAt * free ? Math.ceil(this.queue.length / free) : this.queue.length;
      const size = Math.min(MAX_GROUP, share);
      const group: Pending[] = [];
      const streams = new Set<string>();
      const rest: Pending[] = [];
      for (const p of this.queue) {
        if (group.length < size && !streams.has(p.req.stream)) {
          streams.add(p.req.stream);
          group.push(p);
          this.queuedEvents -= p.req.ids.length;
        } else rest.push(p);
      }
      this.queue.splice(0, this.queue.length, ...rest);
      this.inFlight++;
      void this.flush(group).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async appendOne(req: AppendRequest): Promise<AppendRow> {
    try {
      const r = await this.pool.query<AppendRow>({
        name: 'es_append_events',
        text: `select * from es.append_events($1, $2, $3, $4::uuid[], $5::text[], $6::int[], $7::jsonb[], $8::jsonb[],
                 $9::text[], $10::text[], $11)`,
        values: [
          req.stream,
          req.expected,
          req.prevHash,
          req.ids,
          req.types,
          req.versions,
          req.data,
          req.metas,
          req.digests,
          req.hashes,
          req.recordedAt,
        ],
      });
      return r.rows[0]!;
    } catch (err) {
      throw mapPgError(err, req.ids);
    }
  }

  /**
   * Runs a group of appends in one statement (es.append_batch), each with its own outcome. If the
   * statement fails (an id clash, a deadlock, a lost connection), nothing of it committed, or it
   * did and a retry is answered as a duplicate: each append then runs again on its own.
   */
  private async flush(group: Pending[]): Promise<void> {
    if (group.length > 1 && this.groupCommit) {
      // one lock order for every group: by stream (a stable sort keeps a stream's appends in order)
      const sorted = group
        .map((p, i) => ({ p, i }))
        .sort((a, b) => (a.p.req.stream < b.p.req.stream ? -1 : a.p.req.stream > b.p.req.stream ? 1 : a.i - b.i));
      const reqs = sorted.map((x) => x.p.req);
      let n = 0;
      const last = reqs.map((q) => (n += q.ids.length));
      try {
        const r = await this.pool.query<AppendRow & { idx: number }>({
          name: 'es_append_batch',
          text: `select * from es.append_batch($1::text[], $2::bigint[], $3::text[], $4::int[], $5::uuid[], $6::text[],
                   $7::int[], $8::jsonb[], $9::jsonb[], $10::text[], $11::text[], $12::int[], $13::int[], $14::int[], $15)`,
          values: [
            reqs.map((q) => q.stream),
            reqs.map((q) => q.expected),
            reqs.map((q) => q.prevHash),
            reqs.map((q) => q.ids.length),
            reqs.flatMap((q) => q.ids),
            reqs.flatMap((q) => q.types),
            reqs.flatMap((q) => q.versions),
            reqs.flatMap((q) => q.data),
            reqs.flatMap((q) => q.metas),
            reqs.flatMap((q) => q.digests),
            reqs.flatMap((q) => q.hashes),
            reqs.flatMap((q, a) => q.ids.map(() => a + 1)),
            reqs.flatMap((q) => q.ids.map((_, k) => k)),
            last,
            reqs[0]!.recordedAt,
          ],
        });
        for (const row of r.rows) sorted[row.idx - 1]!.p.resolve(row);
        return;
      } catch (err) {
        if ((err as { code?: string }).code === '42883') this.groupCommit = false;
      }
    }
    await Promise.all(
      group.map(async (p) => {
        try {
          p.resolve(await this.appendOne(p.req));
        } catch (err) {
          p.reject(err);
        }
      }),
    );
  }

  private remember(stream: string, head: StreamHead) {
    this.heads.delete(stream);
    this.heads.set(stream, head);
    if (this.heads.size > this.headCacheSize) {
      const oldest = this.heads.keys().next().value;
      if (oldest !== undefined) this.heads.delete(oldest);
    }
  }

  private async readHead(stream: string): Promise<StreamHead> {
    const r = await this.pool.query<{ revision: string; last_hash: string }>(
      'select revision, last_hash from es.streams where stream_name = $1',
      [stream],
    );
    const row = r.rows[0];
    const head = row ? { revision: BigInt(row.revision), hash: row.last_hash } : { revision: -1n, hash: '' };
    this.remember(stream, head);
    return head;
  }

  async append(
    stream: string,
    events: NewEvent[],
    { expectedRevision }: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    if (events.length === 0) throw new InvalidEventError('append needs at least one event');
    if (!stream || stream.length > 500) throw new InvalidEventError('stream name must be 1..500 characters');
    for (const e of events) {
      const bad = findUnstorable(e.data) ?? findUnstorable(e.metadata);
      if (bad) throw new InvalidEventError(`event ${e.id}: ${bad}`);
    }
    const recordedAt = new Date().toISOString();
    const canon = events.map((e) => new CanonicalEvent(e, recordedAt));

    for (let attempt = 0; ; attempt++) {
      let head: StreamHead;
      if (expectedRevision === 'no_stream') head = { revision: -1n, hash: '' };
      else {
        const cached = this.heads.get(stream);
        head =
          // after a stale_head answer the cache holds the head the database saw under the stream lock
          cached && (expectedRevision === 'any' || cached.revision === expectedRevision)
            ? cached
            : await this.readHead(stream);
      }
      const hashes: string[] = [];
      let prev = head.hash;
      canon.forEach((c, i) => {
        prev = c.hash(stream, head.revision + 1n + BigInt(i), prev);
        hashes.push(prev);
      });

      const row = await this.submit({
        stream,
        expected: expectedCode(expectedRevision).toString(),
        prevHash: head.hash,
        ids: events.map((e) => e.id),
        types: events.map((e) => e.type),
        versions: events.map((e) => e.schemaVersion),
        data: canon.map((c) => c.data),
        metas: canon.map((c) => c.metadata),
        digests: canon.map((c) => c.digest),
        hashes,
        recordedAt,
      });
      const revision = BigInt(row.revision);
      switch (row.status) {
        case 'ok':
          this.remember(stream, { revision, hash: row.last_hash });
          for (const wake of this.wakers) wake();
          return { nextRevision: revision, position: BigInt(row.last_position!) };
        case 'duplicate':
          return { nextRevision: revision, position: BigInt(row.last_position!) };
        case 'id_conflict':
          throw new EventIdConflictError(events[0]!.id);
        case 'wrong_revision':
          this.remember(stream, { revision, hash: row.last_hash });
          throw new WrongExpectedRevisionError(stream, expectedRevision, revision);
        case 'stale_head':
          // our remembered head was older than the stream: learn it and chain again
          this.remember(stream, { revision, hash: row.last_hash });
          // appends to one stream are granted in arrival order, so each retry gets closer to its turn
          if (attempt >= MAX_STALE_HEAD_RETRIES) throw new Error(`append to ${stream}: stream head keeps moving`);
          continue;
        default:
          throw new Error(`append_events answered an unknown status ${row.status}`);
      }
    }
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    const backwards = options.direction === 'backwards';
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    let cursor: bigint | undefined = options.from;
    const page = 1000;
    while (remaining > 0) {
      const params: unknown[] = [stream];
      let where = 'stream_name = $1';
      if (cursor !== undefined) {
        params.push(cursor.toString());
        where += backwards ? ` and revision <= $${params.length}` : ` and revision >= $${params.length}`;
      }
      if (options.to !== undefined) {
        params.push(options.to.toString());
        where += backwards ? ` and revision >= $${params.length}` : ` and revision <= $${params.length}`;
      }
      const limit = Math.min(page, remaining);
      params.push(limit);
      // A named (prepared) statement per shape of the query: PostgreSQL parses and plans it once
      // per connection instead of at every read (every command reads one or two streams).
      const r = await this.pool.query<EventRow>({
        name: `es_read_stream_${backwards ? 'b' : 'f'}${cursor !== undefined ? 'c' : ''}${options.to !== undefined ? 't' : ''}`,
        text: `select ${EVENT_COLUMNS} from es.events where ${where}
         order by revision ${backwards ? 'desc' : 'asc'} limit $${params.length}`,
        values: params,
      });
      for (const row of r.rows) yield toRecorded(row);
      remaining -= r.rows.length;
      if (r.rows.length < limit) return;
      const last = BigInt(r.rows[r.rows.length - 1]!.revision);
      cursor = backwards ? last - 1n : last + 1n;
      if (cursor < 0n) return;
    }
  }

  /** One batch of the log after a checkpoint, only below the oldest open transaction. */
  async readBatch(after: string | undefined, batchSize: number): Promise<RecordedEvent[]> {
    const [tx, pos] = after ? parsePgCheckpoint(after) : [0n, 0n];
    const r = await this.pool.query<EventRow>({
      name: 'es_read_batch',
      text: `select ${EVENT_COLUMNS} from es.events
        where (transaction_id, position) > ($1::text::xid8, $2::bigint)
          and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        order by transaction_id, position
        limit $3`,
      values: [tx.toString(), pos.toString(), batchSize],
    });
    return r.rows.map(toRecorded);
  }

  /**
   * One batch of the log as readBatch reads it, column by column, `data` and `metadata` as the
   * JSON text PostgreSQL sends (not parsed): what the full verifier hashes (src/audit/anchor.ts),
   * in worker threads. Keyset order on (transaction_id, position), never OFFSET.
   */
  async readRawBatch(after: string | undefined, batchSize: number): Promise<RawBatch> {
    const [tx, pos] = after ? parsePgCheckpoint(after) : [0n, 0n];
    const r = await this.pool.query<unknown[]>({
      name: 'es_read_raw_batch',
      // text under other names: `order by` must sort the columns, not their text (see EVENT_COLUMNS)
      text: `select position::text as pos, transaction_id::text as txid, stream_name, revision::text as rev,
          event_id::text as id, type, schema_version, data::text as data_text, metadata::text as metadata_text,
          prev_hash, hash from es.events
        where (transaction_id, position) > ($1::text::xid8, $2::bigint)
          and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        order by transaction_id, position
        limit $3`,
      values: [tx.toString(), pos.toString(), batchSize],
      rowMode: 'array',
    });
    const n = r.rows.length;
    const b: RawBatch = {
      position: new Array<string>(n),
      txid: new Array<string>(n),
      stream: new Array<string>(n),
      revision: new Array<string>(n),
      id: new Array<string>(n),
      type: new Array<string>(n),
      schemaVersion: new Array<number>(n),
      data: new Array<string>(n),
      metadata: new Array<string>(n),
      prevHash: new Array<string>(n),
      hash: new Array<string>(n),
    };
    for (let i = 0; i < n; i++) {
      const row = r.rows[i]!;
      b.position[i] = row[0] as string;
      b.txid[i] = row[1] as string;
      b.stream[i] = row[2] as string;
      b.revision[i] = row[3] as string;
      b.id[i] = row[4] as string;
      b.type[i] = row[5] as string;
      b.schemaVersion[i] = row[6] as number;
      b.data[i] = row[7] as string;
      b.metadata[i] = row[8] as string;
      b.prevHash[i] = row[9] as string;
      b.hash[i] = row[10] as string;
    }
    return b;
  }

  /**
   * One batch of the log as readBatch reads it, without the events' content: what the Merkle tree
   * follower needs (src/audit/tree.ts), without parsing every event's JSON.
   */
  async readHeaders(
    after: string | undefined,
    batchSize: number,
  ): Promise<Pick<RecordedEvent, 'id' | 'stream' | 'revision' | 'position' | 'checkpoint' | 'hash'>[]> {
    const [tx, pos] = after ? parsePgCheckpoint(after) : [0n, 0n];
    const r = await this.pool.query<{
      position: string;
      txid: string;
      stream_name: string;
      revision: string;
      event_id: string;
      hash: string;
    }>({
      name: 'es_read_headers',
      text: `select position, transaction_id::text as txid, stream_name, revision, event_id, hash from es.events
        where (transaction_id, position) > ($1::text::xid8, $2::bigint)
          and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        order by transaction_id, position
        limit $3`,
      values: [tx.toString(), pos.toString(), batchSize],
    });
    return r.rows.map((row) => ({
      id: row.event_id,
      stream: row.stream_name,
      revision: BigInt(row.revision),
      position: BigInt(row.position),
      checkpoint: `${row.txid}/${row.position}`,
      hash: row.hash,
    }));
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const batchSize = options.batchSize ?? 1000;
    let after = options.after;
    for (;;) {
      const batch = await this.readBatch(after, batchSize);
      for (const e of batch) yield e;
      if (batch.length < batchSize) return;
      after = batch[batch.length - 1]!.checkpoint;
    }
  }

  subscribe(options: SubscribeOptions = {}): Subscription {
    const batchSize = options.batchSize ?? 1000;
    let stopped = false;
    let wake: (() => void) | undefined;
    const waker = () => wake?.();
    this.wakers.add(waker);
    const self = this;
    const sleep = () =>
      new Promise<void>((res) => {
        const t = setTimeout(done, self.pollIntervalMs);
        function done() {
          clearTimeout(t);
          wake = undefined;
          res();
        }
        wake = done;
      });
    async function* run(): AsyncGenerator<RecordedEvent> {
      let after = options.after;
      try {
        while (!stopped) {
          const batch = await self.readBatch(after, batchSize);
          // backpressure: the next batch is read only once the consumer has taken this one
          for (const e of batch) {
            if (stopped) return;
            yield e;
            after = e.checkpoint;
          }
          if (batch.length < batchSize && !stopped) await sleep();
        }
      } finally {
        self.wakers.delete(waker);
      }
    }
    const iterator = run();
    return {
      [Symbol.asyncIterator]: () => iterator,
      stop: async () => {
        stopped = true;
        wake?.();
        this.wakers.delete(waker);
      },
    };
  }

  async headCheckpoint(): Promise<string | undefined> {
    const r = await this.pool.query<{ txid: string; position: string }>(
      `select transaction_id::text as txid, position from es.events
        where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        order by transaction_id desc, position desc limit 1`,
    );
    const row = r.rows[0];
    return row ? `${row.txid}/${row.position}` : undefined;
  }

  compareCheckpoints(a: string, b: string): number {
    const [ta, pa] = parsePgCheckpoint(a);
    const [tb, pb] = parsePgCheckpoint(b);
    return ta !== tb ? (ta < tb ? -1 : 1) : pa === pb ? 0 : pa < pb ? -1 : 1;
  }

  async checkpointOfPosition(position: bigint): Promise<string | undefined> {
    const r = await this.pool.query<{ transaction_id: string }>(
      'select transaction_id::text as transaction_id from es.events where position = $1',
      [position.toString()],
    );
    const row = r.rows[0];
    return row ? `${row.transaction_id}/${position}` : undefined;
  }

  /** The head es.streams keeps for a stream, apart from its events (the verifier checks tails with it). */
  async streamHead(stream: string): Promise<StreamHead | undefined> {
    const r = await this.pool.query<{ revision: string; last_hash: string }>(
      'select revision, last_hash from es.streams where stream_name = $1 and revision >= 0',
      [stream],
    );
    const row = r.rows[0];
    return row ? { revision: BigInt(row.revision), hash: row.last_hash } : undefined;
  }

  async *streamHeads(): AsyncIterable<{ stream: string } & StreamHead> {
    let after = '';
    for (;;) {
      const r = await this.pool.query<{ stream_name: string; revision: string; last_hash: string }>(
        `select stream_name, revision, last_hash from es.streams
          where stream_name > $1 and revision >= 0 order by stream_name limit 1000`,
        [after],
      );
      for (const row of r.rows) yield { stream: row.stream_name, revision: BigInt(row.revision), hash: row.last_hash };
      if (r.rows.length < 1000) return;
      after = r.rows[r.rows.length - 1]!.stream_name;
    }
  }

  /**
   * Age in seconds of the oldest transaction holding an xid anywhere in the cluster (0 when none),
   * prepared transactions included. Readers of the log stop below it: pg_snapshot_xmin is
   * cluster-wide (docs/adr/0002-log-order.md). Export it as a metric and alert on it.
   */
  async oldestOpenTransactionAgeSeconds(): Promise<number> {
    const r = await this.pool.query<{ age: number | null }>(
      `select extract(epoch from now() - min(t))::float8 as age from (
         select xact_start as t from pg_stat_activity where backend_xid is not null
         union all select prepared from pg_prepared_xacts) open`,
    );
    return Math.max(0, r.rows[0]?.age ?? 0);
  }

  async close(): Promise<void> {
    for (const w of this.wakers) w();
    this.wakers.clear();
  }
}
