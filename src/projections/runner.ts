import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type pg from 'pg';
import type { Database } from '../db/database.ts';
import type { EventRegistry } from '../domain/registry.ts';
import type { EventStore, RecordedEvent } from '../eventstore/types.ts';
import { isDatabaseUnavailable } from '../db/faults.ts';
import { copyRows, kyselyOn, serial } from './copy.ts';
import { LIVE_SCHEMA } from './schema.ts';
import { handles, type Db, type Projection, type ProjectedEvent, type ProjectionContext } from './types.ts';

/**
 * Runs the projections: catches up from the checkpoint, then follows live appends. Each batch is
 * applied in one PostgreSQL transaction together with the checkpoint (exactly-once effect).
 * Only the runner holding the advisory lock works, so several API instances can run side by side.
 *
 * Every batch transaction starts by locking its checkpoint row and checking it still holds the
 * checkpoint this runner last wrote; when it moved (a rebuild swapped the schemas in, or another
 * runner wrote it), the batch is rolled back and the runner resumes from the stored checkpoint.
 */
export interface RunnerOptions {
  store: EventStore;
  db: Kysely<Database>;
  pool: pg.Pool;
  registry: EventRegistry;
  projections: Projection[];
  /** Checkpoint row name; all projections here advance together. */
  name?: string;
  /** The read schema written to (`read`; `read_next` during a rebuild). */
  schema?: string;
  batchSize?: number;
  /** How long a batch waits to fill up once it holds at least one event. */
  batchWaitMs?: number;
  /** Batches commit with `synchronous_commit = off` (rebuilds: the shadow schema is not served). */
  asyncCommit?: boolean;
  /** Attempts before an event is parked in the dead-letter table. */
  maxAttempts?: number;
  /** How often a standby runner tries to take the lock. */
  lockRetryMs?: number;
  /** After an error, the runner starts again after this delay, doubling up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /**
   * A batch not done within this (a stalled database; a COPY has no client-side query timeout)
   * is abandoned: its connection is destroyed, so it can never commit, and the runner starts again.
   */
  batchTimeoutMs?: number;
  log?: {
    info(o: object, msg?: string): void;
    warn(o: object, msg?: string): void;
    error(o: object, msg?: string): void;
  };
}

const LOCK_NAMESPACE = 0x7469; // "ti"

/**
 * The event as projections read it. An event recorded at the current schema version was checked
 * against its schema when appended and is handed over as recorded; an older one is upcast (and
 * checked) by the registry.
 */
export function toProjected(registry: EventRegistry, e: RecordedEvent): ProjectedEvent {
  const current = registry.spec(e.type).version === e.schemaVersion;
  const domain = current ? { type: e.type, data: e.data } : registry.upcast(e.type, e.schemaVersion, e.data);
  return {
    type: domain.type,
    data: domain.data,
    recorded: e,
    occurredOn: e.metadata.occurredOn,
  };
}

/** The stored checkpoint moved under this runner (rebuild swap, another writer). */
export class CheckpointMovedError extends Error {
  override readonly name = 'CheckpointMovedError';
  constructor(
    readonly expected: string | undefined,
    readonly actual: string | undefined,
  ) {
    super(`checkpoint moved: expected ${expected ?? '(start)'}, found ${actual ?? '(start)'}`);
  }
}

/** The connection holding the runner's advisory lock was lost (and the lock with it). */
export class LockLostError extends Error {
  override readonly name = 'LockLostError';
  constructor(message = 'the connection holding the projection lock was lost') {
    super(message);
  }
}

export interface Lag {
  checkpoint: string | undefined;
  head: string | undefined;
  /** Events in the log after the checkpoint. */
  events: number;
  /** How long the oldest event not yet applied has been recorded (0 when caught up). */
  seconds: number;
}

export interface ReplayResult {
  replayed: number;
  failed: number;
  missing: number;
}

type Progress = (p: { applied: number; checkpoint: string; position: bigint }) => void;

export class ProjectionRunner {
  readonly name: string;
  readonly schema: string;
  private stopped = false;
  private running: Promise<void> | undefined;
  private stopSubscription: (() => Promise<void>) | undefined;
  private lockClient: pg.PoolClient | undefined;
  private lockLost = false;
  private wake: (() => void) | undefined;
  private listeners = new Set<() => void>();
  /** The last checkpoint committed by this runner (or read at start). */
  checkpoint: string | undefined;
  /** True while this runner holds the lock and applies events. */
  active = false;
  lastError: string | undefined;
  /** Counters since the process started (for /metrics). */
  readonly stats = { eventsApplied: 0, batches: 0, parked: 0, restarts: 0, errors: 0 };

  constructor(private readonly opts: RunnerOptions) {
    this.name = opts.name ?? 'main';
    this.schema = opts.schema ?? LIVE_SCHEMA;
  }

  get projections(): readonly Projection[] {
    return this.opts.projections;
  }

  private get ctx(): ProjectionContext {
    return { schema: this.schema, registry: this.opts.registry };
  }

  async readCheckpoint(db: Db = this.opts.db): Promise<string | undefined> {
    const row = await db
      .selectFrom('projections.checkpoints')
      .select('checkpoint')
      .where('name', '=', this.name)
      .executeTakeFirst();
    return row?.checkpoint ?? undefined;
  }

  /** Resolves once the projections have applied the event at `position` (or the timeout passes). */
  async waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    const target = await this.opts.store.checkpointOfPosition(position);
    if (!target) return false;
    const reached = async () => {
      const cp = this.active ? this.checkpoint : await this.readCheckpoint();
      return cp !== undefined && this.opts.store.compareCheckpoints(cp, target) >= 0;
    };
    if (await reached()) return true;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await new Promise<void>((res) => {
        const t = setTimeout(done, Math.min(50, Math.max(1, deadline - Date.now())));
        const self = this;
        function done() {
          clearTimeout(t);
          self.listeners.delete(done);
          res();
        }
        this.listeners.add(done);
      });
      if (await reached()) return true;
    }
    return false;
  }

  /** Events and seconds between the stored checkpoint and the head of the log. */
  async lag(): Promise<Lag> {
    const checkpoint = this.active ? this.checkpoint : await this.readCheckpoint();
    const head = await this.opts.store.headCheckpoint();
    if (head === undefined || (checkpoint !== undefined && this.opts.store.compareCheckpoints(checkpoint, head) >= 0))
      return { checkpoint, head, events: 0, seconds: 0 };
    let events: number;
    let oldest: string | undefined;
    if (this.opts.store.backend === 'postgres') {
      const [tx, pos] = checkpoint ? checkpoint.split('/') : ['0', '0'];
      const r = await this.opts.pool.query<{ n: string; oldest: Date | null }>(
        `select count(*) as n, min(recorded_at) as oldest from es.events
          where (transaction_id, position) > ($1::text::xid8, $2::bigint)
            and transaction_id < pg_snapshot_xmin(pg_current_snapshot())`,
        [tx, pos],
      );
      events = Number(r.rows[0]?.n ?? 0);
      oldest = r.rows[0]?.oldest?.toISOString();
    } else {
      // other backends: positions are not dense; count what is there (bounded)
      events = 0;
      for await (const e of this.opts.store.readAll({ after: checkpoint, batchSize: 1000 })) {
        oldest ??= e.metadata.recordedAt;
        if (++events >= 1_000_000) break;
      }
    }
    const seconds = oldest ? Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) : 0;
    return { checkpoint, head, events, seconds };
  }

  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.running = this.supervise();
  }

  /**
   * Runs the loop until stopped: an error (the database gone, a full disk, a dropped lock
   * connection) is logged and the runner starts again after a backoff, from the stored checkpoint.
   * It never stops for good on a transient fault.
   */
  private async supervise(): Promise<void> {
    const base = this.opts.retryMs ?? 500;
    const max = this.opts.maxRetryMs ?? 10_000;
    let delay = base;
    while (!this.stopped) {
      const startedAt = Date.now();
      try {
        await this.loop();
        if (this.stopped) return;
      } catch (err) {
        this.stats.errors++;
        this.lastError = String(err);
        if (this.stopped) return;
        this.opts.log?.[isDatabaseUnavailable(err) || err instanceof LockLostError ? 'warn' : 'error'](
          { err, retryInMs: delay },
          'projection runner failed; starting again',
        );
      }
      // a run that lasted a while was healthy: the next failure starts the backoff again
      if (Date.now() - startedAt > max) delay = base;
      await new Promise<void>((r) => {
        const t = setTimeout(r, delay);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
      this.wake = undefined;
      delay = Math.min(max, delay * 2);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.stopSubscription?.();
    await this.running;
    this.running = undefined;
  }

  /** Takes the advisory lock for this runner's name on a dedicated connection (non-blocking). */
  async acquireLock(): Promise<boolean> {
    if (!this.lockClient) {
      const client = await this.opts.pool.connect();
      this.lockLost = false;
      // this connection is checked out for as long as the lock is held: its loss (the server
      // restarted, pg_terminate_backend) must not crash the process; the runner notices and
      // starts again
      client.on('error', () => {
        this.lockLost = true;
      });
      this.lockClient = client;
    }
    try {
      const r = await this.lockClient.query<{ ok: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as ok', [
        LOCK_NAMESPACE,
        this.name,
      ]);
      return r.rows[0]?.ok === true;
    } catch (err) {
      this.dropLockClient(err);
      throw err;
    }
  }

  private dropLockClient(err?: unknown): void {
    const c = this.lockClient;
    this.lockClient = undefined;
    this.lockLost = false;
    c?.release(err instanceof Error ? err : true);
  }

  async releaseLock(): Promise<void> {
    if (!this.lockClient) return;
    if (this.lockLost) return this.dropLockClient(new LockLostError());
    try {
      await this.lockClient.query('select pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, this.name]);
    } catch (err) {
      /* the connection is gone, and the lock with it */
      return this.dropLockClient(err);
    }
    this.lockClient.release();
    this.lockClient = undefined;
  }

  /** Throws when the lock connection was lost: another runner may hold the lock by now. */
  private checkLock(): void {
    if (this.lockLost) throw new LockLostError();
  }

  private async loop(): Promise<void> {
    // Standby until we hold the lock: another instance's runner is active.
    while (!this.stopped && !(await this.acquireLock())) {
      await new Promise((r) => setTimeout(r, this.opts.lockRetryMs ?? 1000));
    }
    if (this.stopped) return this.releaseLock();
    this.active = true;
    this.lastError = undefined;
    try {
      while (!this.stopped) {
        this.checkpoint = await this.readCheckpoint();
        try {
          await this.catchUp();
          if (!this.stopped) await this.follow();
          return;
        } catch (err) {
          if (!(err instanceof CheckpointMovedError)) throw err;
          this.stats.restarts++;
          this.opts.log?.warn({ err }, 'checkpoint moved; resuming from the stored checkpoint');
          await this.stopSubscription?.();
        }
      }
    } finally {
      this.active = false;
      await this.releaseLock();
    }
  }

  /** One batch of the log after `after`: the PostgreSQL store's direct read, or readAll elsewhere. */
  private async read(after: string | undefined, batchSize: number): Promise<RecordedEvent[]> {
    const store = this.opts.store as EventStore & {
      readBatch?: (after: string | undefined, n: number) => Promise<RecordedEvent[]>;
    };
    if (typeof store.readBatch === 'function') return store.readBatch(after, batchSize);
    const out: RecordedEvent[] = [];
    for await (const e of store.readAll({ after, batchSize })) {
      out.push(e);
      if (out.length >= batchSize) break;
    }
    return out;
  }

  /**
   * Applies every event up to the head of the log as it stands now, in batches, reading the next
   * batch while the current one is applied. Returns the number of events applied.
   */
  async catchUp(opts: { batchSize?: number; onProgress?: Progress } = {}): Promise<number> {
    const batchSize = opts.batchSize ?? this.opts.batchSize ?? 2000;
    const head = await this.opts.store.headCheckpoint();
    if (head === undefined) return 0;
    let applied = 0;
    let after = this.checkpoint;
    if (after !== undefined && this.opts.store.compareCheckpoints(after, head) >= 0) return 0;
    let next = this.read(after, batchSize);
    while (!this.stopped) {
      const batch = await next;
      if (batch.length === 0) break;
      const last = batch[batch.length - 1]!;
      after = last.checkpoint;
      const done = this.opts.store.compareCheckpoints(after, head) >= 0 || batch.length < batchSize;
      next = done ? Promise.resolve([]) : this.read(after, batchSize);
      // keep the prefetch from being an unhandled rejection while we apply
      next.catch(() => undefined);
      await this.applyBatch(batch);
      applied += batch.length;
      opts.onProgress?.({ applied, checkpoint: last.checkpoint, position: last.position });
      if (done) break;
    }
    return applied;
  }

  /**
   * For command-line tools: brings the read models up to the head of the log. When no other
   * runner is active this process takes the lock and applies what is missing; when one is (the
   * server runs), it waits for that runner, at most `timeoutMs`. Resolves false on time-out.
   */
  async ensureCaughtUp(timeoutMs = 60_000): Promise<boolean> {
    const head = await this.opts.store.headCheckpoint();
    if (head === undefined) return true;
    const reached = async () => {
      const cp = await this.readCheckpoint();
      return cp !== undefined && this.opts.store.compareCheckpoints(cp, head) >= 0;
    };
    if (await reached()) return true;
    if (await this.acquireLock()) {
      try {
        this.checkpoint = await this.readCheckpoint();
        await this.catchUp();
      } finally {
        await this.releaseLock();
      }
      return reached();
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await reached()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  private async follow(): Promise<void> {
    const batchSize = this.opts.batchSize ?? 500;
    const batchWaitMs = this.opts.batchWaitMs ?? 5;
    const sub = this.opts.store.subscribe({ after: this.checkpoint, batchSize });
    this.stopSubscription = () => sub.stop();
    const it = sub[Symbol.asyncIterator]();
    let pending: Promise<IteratorResult<RecordedEvent>> | undefined;
    while (!this.stopped) {
      const batch: RecordedEvent[] = [];
      // wait for the first event, then take what arrives within batchWaitMs (one timer per batch)
      pending ??= it.next();
      const first = await pending;
      pending = undefined;
      if (first.done) return;
      batch.push(first.value);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => {
        timer = setTimeout(() => r('timeout'), batchWaitMs);
      });
      while (batch.length < batchSize) {
        pending = it.next();
        const next = await Promise.race([pending, timeout]);
        if (next === 'timeout') break;
        pending = undefined;
        if (next.done) break;
        batch.push(next.value);
      }
      clearTimeout(timer);
      await this.applyBatch(batch);
    }
  }

  /** Locks the checkpoint row and checks nobody moved it since this runner last wrote it. */
  private async guard(trx: Db): Promise<void> {
    await trx
      .insertInto('projections.checkpoints')
      .values({ name: this.name, checkpoint: null, position: null })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await trx
      .selectFrom('projections.checkpoints')
      .select('checkpoint')
      .where('name', '=', this.name)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const stored = row.checkpoint ?? undefined;
    if (stored !== this.checkpoint) throw new CheckpointMovedError(this.checkpoint, stored);
  }

  /** Applies a batch and its checkpoint in one transaction; parks events a projection cannot apply. */
  async applyBatch(batch: RecordedEvent[]): Promise<void> {
    if (batch.length === 0) return;
    this.checkLock();
    const last = batch[batch.length - 1]!;
    const maxAttempts = this.opts.maxAttempts ?? 3;
    try {
      // fast path: the whole batch in one transaction on one connection, set-based per
      // projection (COPY where it fits), no savepoints
      const client = await this.opts.pool.connect();
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      const abandon = new Promise<never>((_, rej) => {
        timer = setTimeout(() => {
          timedOut = true;
          rej(new LockLostError('a projection batch did not finish in time; its connection was closed'));
        }, this.opts.batchTimeoutMs ?? 45_000);
      });
      abandon.catch(() => undefined);
      const work = (async () => {
        // a rebuild's shadow tables have no statistics while they fill: the planner would scan a
        // whole table for each batch's lookup of open versions by key; every lookup has its index
        await client.query(
          this.opts.asyncCommit ? 'begin; set local synchronous_commit = off; set local enable_seqscan = off' : 'begin',
        );
        const queue = serial();
        const trx = kyselyOn(client, queue);
        const ctx: ProjectionContext = { ...this.ctx, copy: (t, cols, rows) => copyRows(client, t, cols, rows, queue) };
        try {
          await this.guard(trx);
          const projected = batch.map((e) => toProjected(this.opts.registry, e));
          // Projections write disjoint rows: they run side by side on the one connection (which
          // runs their statements one after the other), so one folds its events in memory
          // while PostgreSQL executes another's writes.
          const runs = await Promise.allSettled(
            this.opts.projections.map(async (p) => {
              const mine = projected.filter((e) => handles(p, e.type));
              if (mine.length === 0) return;
              if (p.applyBatch) await p.applyBatch(trx, mine, ctx);
              else for (const e of mine) await p.apply(trx, e, ctx);
            }),
          );
          // the first failure aborts the transaction, and the other projections' next statements
          // fail with 25P02 (in failed sql transaction): report the cause
          const failures = runs.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
          const cause = failures.find((e) => (e as { code?: unknown } | null)?.code !== '25P02') ?? failures[0];
          if (failures.length > 0) throw cause;
          await this.saveCheckpoint(trx, last, batch.length);
          await client.query('commit');
        } catch (err) {
          await client.query('rollback');
          throw err;
        }
      })();
      work.catch(() => undefined);
      try {
        await Promise.race([work, abandon]);
      } finally {
        clearTimeout(timer);
        // a connection whose batch was abandoned is destroyed (never reused, never committed)
        client.release(timedOut ? new Error('abandoned batch') : undefined);
      }
    } catch (err) {
      if (err instanceof CheckpointMovedError || err instanceof LockLostError) throw err;
      // The database is away or out of space: nothing is wrong with the events; the runner
      // starts again once it is back (parking them would lose them from the read models).
      if (isDatabaseUnavailable(err)) throw err;
      // Something in the batch failed: apply it again with a savepoint per event and attempt,
      // parking the events that still fail, so one bad event cannot hold back the others.
      this.opts.log?.warn({ err }, 'projection batch failed; applying event by event');
      const parked: { err: unknown; projection: string; eventId: string }[] = [];
      await this.opts.db.transaction().execute(async (trx) => {
        await this.guard(trx);
        for (const e of batch) await this.applyOne(trx, e, maxAttempts, parked);
        await this.saveCheckpoint(trx, last, batch.length);
      });
      // logged once committed: a transaction that rolled back parked nothing
      for (const p of parked) {
        this.stats.parked++;
        this.opts.log?.error(p, 'event parked');
      }
    }
    this.checkpoint = last.checkpoint;
    this.stats.eventsApplied += batch.length;
    this.stats.batches++;
    for (const l of [...this.listeners]) l();
  }

  private async saveCheckpoint(trx: Db, e: RecordedEvent, n: number) {
    await trx
      .updateTable('projections.checkpoints')
      .set({
        checkpoint: e.checkpoint,
        position: e.position.toString(),
        events_applied: sql`events_applied + ${n}`,
        updated_at: sql`now()`,
      })
      .where('name', '=', this.name)
      .execute();
  }

  private async applyOne(
    trx: Db,
    e: RecordedEvent,
    maxAttempts: number,
    parked: { err: unknown; projection: string; eventId: string }[],
  ) {
    const relevant = this.opts.projections.filter((p) => handles(p, e.type));
    if (relevant.length === 0) return;
    for (const p of relevant) {
      let lastErr: unknown;
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        try {
          // a savepoint per attempt: a failed statement must not poison the batch's transaction
          await sql`savepoint apply_one`.execute(trx);
          await p.apply(trx, toProjected(this.opts.registry, e), this.ctx);
          await sql`release savepoint apply_one`.execute(trx);
          lastErr = undefined;
          break;
        } catch (err) {
          // a fault of the database is not the event's: the whole batch is tried again later
          if (isDatabaseUnavailable(err)) throw err;
          lastErr = err;
          await sql`rollback to savepoint apply_one`.execute(trx);
        }
      }
      if (lastErr !== undefined) {
        parked.push({ err: lastErr, projection: p.name, eventId: e.id });
        await trx
          .insertInto('projections.dead_letters')
          .values({
            projection: p.name,
            event_id: e.id,
            position: e.position.toString(),
            checkpoint: e.checkpoint,
            stream: e.stream,
            revision: e.revision.toString(),
            type: e.type,
            error: errorText(lastErr),
            attempts: maxAttempts,
            replayed_at: null,
          })
          .onConflict((oc) => oc.columns(['projection', 'event_id']).doNothing())
          .execute();
      }
    }
  }

  /** Parked events not replayed yet, oldest first. */
  async parked() {
    return this.opts.db
      .selectFrom('projections.dead_letters')
      .selectAll()
      .where('replayed_at', 'is', null)
      .orderBy('position')
      .execute();
  }

  /**
   * Applies the parked events again (after a fix), each in its own transaction holding the
   * checkpoint row's lock so it never interleaves with a live batch. A success marks the row
   * replayed; a failure keeps it parked with the new error.
   */
  async replayParked(): Promise<ReplayResult> {
    const result: ReplayResult = { replayed: 0, failed: 0, missing: 0 };
    for (const dl of await this.parked()) {
      const p = this.opts.projections.find((x) => x.name === dl.projection);
      let event: RecordedEvent | undefined;
      const from = dl.revision !== null ? BigInt(dl.revision) : 0n;
      for await (const e of this.opts.store.readStream(dl.stream, { from })) {
        if (e.id === dl.event_id) {
          event = e;
          break;
        }
      }
      if (!p || !event) {
        result.missing++;
        continue;
      }
      const found = event;
      try {
        await this.opts.db.transaction().execute(async (trx) => {
          await trx
            .selectFrom('projections.checkpoints')
            .select('name')
            .where('name', '=', this.name)
            .forUpdate()
            .execute();
          await p.apply(trx, toProjected(this.opts.registry, found), this.ctx);
          await trx
            .updateTable('projections.dead_letters')
            .set({ replayed_at: sql`now()` })
            .where('id', '=', dl.id)
            .execute();
        });
        result.replayed++;
      } catch (err) {
        result.failed++;
        await this.opts.db
          .updateTable('projections.dead_letters')
          .set({ error: errorText(err), attempts: sql`attempts + 1` })
          .where('id', '=', dl.id)
          .execute();
      }
    }
    return result;
  }
}

function errorText(err: unknown): string {
  return (err instanceof Error ? (err.stack ?? err.message) : JSON.stringify(err)).slice(0, 4000);
}
