import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type pg from 'pg';
import type { Database } from '../db/database.ts';
import type { EventRegistry } from '../domain/registry.ts';
import type { EventStore, RecordedEvent } from '../eventstore/types.ts';
import type { Projection, ProjectedEvent } from './types.ts';

/**
 * Runs the projections: catches up from the checkpoint, then follows live appends. Each batch is
 * applied in one PostgreSQL transaction together with the checkpoint (exactly-once effect).
 * Only the runner holding the advisory lock works, so several API instances can run side by side.
 */
export interface RunnerOptions {
  store: EventStore;
  db: Kysely<Database>;
  pool: pg.Pool;
  registry: EventRegistry;
  projections: Projection[];
  /** Checkpoint row name; all projections here advance together. */
  name?: string;
  batchSize?: number;
  /** How long a batch waits to fill up once it holds at least one event. */
  batchWaitMs?: number;
  /** Attempts before an event is parked in the dead-letter table. */
  maxAttempts?: number;
  log?: {
    info(o: object, msg?: string): void;
    warn(o: object, msg?: string): void;
    error(o: object, msg?: string): void;
  };
}

const LOCK_NAMESPACE = 0x7469; // "ti"

export function toProjected(registry: EventRegistry, e: RecordedEvent): ProjectedEvent {
  const domain = registry.upcast(e.type, e.schemaVersion, e.data);
  return {
    type: domain.type,
    data: domain.data,
    recorded: e,
    occurredOn: e.metadata.occurredOn,
  };
}

export class ProjectionRunner {
  readonly name: string;
  private stopped = false;
  private running: Promise<void> | undefined;
  private stopSubscription: (() => Promise<void>) | undefined;
  private lockClient: pg.PoolClient | undefined;
  private listeners = new Set<() => void>();
  /** The last checkpoint committed by this runner (or read at start). */
  checkpoint: string | undefined;
  active = false;
  lastError: string | undefined;

  constructor(private readonly opts: RunnerOptions) {
    this.name = opts.name ?? 'main';
  }

  async readCheckpoint(): Promise<string | undefined> {
    const row = await this.opts.db
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
      const cp = this.checkpoint ?? (await this.readCheckpoint());
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

  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.running = this.loop().catch((err: unknown) => {
      this.lastError = String(err);
      this.opts.log?.error({ err }, 'projection runner stopped on an error');
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.stopSubscription?.();
    await this.running;
    this.running = undefined;
  }

  private async acquireLock(): Promise<boolean> {
    this.lockClient ??= await this.opts.pool.connect();
    const r = await this.lockClient.query<{ ok: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as ok', [
      LOCK_NAMESPACE,
      this.name,
    ]);
    return r.rows[0]?.ok === true;
  }

  private async releaseLock(): Promise<void> {
    if (!this.lockClient) return;
    try {
      await this.lockClient.query('select pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, this.name]);
    } catch {
      /* the connection is gone, and the lock with it */
    }
    this.lockClient.release();
    this.lockClient = undefined;
  }

  private async loop(): Promise<void> {
    // Standby until we hold the lock: another instance's runner is active.
    while (!this.stopped && !(await this.acquireLock())) {
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (this.stopped) return this.releaseLock();
    this.active = true;
    try {
      this.checkpoint = await this.readCheckpoint();
      await this.follow();
    } finally {
      this.active = false;
      await this.releaseLock();
    }
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
      // wait for the first event, then take what arrives within batchWaitMs
      pending ??= it.next();
      const first = await pending;
      pending = undefined;
      if (first.done) return;
      batch.push(first.value);
      const deadline = Date.now() + batchWaitMs;
      while (batch.length < batchSize) {
        pending = it.next();
        const timeout = new Promise<'timeout'>((r) =>
          setTimeout(() => r('timeout'), Math.max(0, deadline - Date.now())),
        );
        const next = await Promise.race([pending, timeout]);
        if (next === 'timeout') break;
        pending = undefined;
        if (next.done) break;
        batch.push(next.value);
      }
      await this.applyBatch(batch);
    }
  }

  /** Applies a batch and its checkpoint in one transaction; parks events a projection cannot apply. */
  async applyBatch(batch: RecordedEvent[]): Promise<void> {
    if (batch.length === 0) return;
    const last = batch[batch.length - 1]!;
    const maxAttempts = this.opts.maxAttempts ?? 3;
    try {
      // fast path: the whole batch in one transaction, no savepoints
      await this.opts.db.transaction().execute(async (trx) => {
        for (const e of batch) {
          for (const p of this.opts.projections)
            if (p.handles.has(e.type)) await p.apply(trx, toProjected(this.opts.registry, e));
        }
        await this.saveCheckpoint(trx, last, batch.length);
      });
    } catch (err) {
      // Something in the batch failed: apply it again with a savepoint per event and attempt,
      // parking the events that still fail, so one bad event cannot hold back the others.
      this.opts.log?.warn({ err }, 'projection batch failed; applying event by event');
      await this.opts.db.transaction().execute(async (trx) => {
        for (const e of batch) await this.applyOne(trx, e, maxAttempts);
        await this.saveCheckpoint(trx, last, batch.length);
      });
    }
    this.checkpoint = last.checkpoint;
    for (const l of [...this.listeners]) l();
  }

  private async saveCheckpoint(trx: Kysely<Database>, e: RecordedEvent, n: number) {
    await trx
      .insertInto('projections.checkpoints')
      .values({ name: this.name, checkpoint: e.checkpoint, position: e.position.toString(), events_applied: String(n) })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({
          checkpoint: e.checkpoint,
          position: e.position.toString(),
          events_applied: sql`projections.checkpoints.events_applied + ${n}`,
          updated_at: sql`now()`,
        }),
      )
      .execute();
  }

  private async applyOne(trx: Kysely<Database>, e: RecordedEvent, maxAttempts: number) {
    const relevant = this.opts.projections.filter((p) => p.handles.has(e.type));
    if (relevant.length === 0) return;
    for (const p of relevant) {
      let lastErr: unknown;
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        try {
          // a savepoint per attempt: a failed statement must not poison the batch's transaction
          await sql`savepoint apply_one`.execute(trx);
          await p.apply(trx, toProjected(this.opts.registry, e));
          await sql`release savepoint apply_one`.execute(trx);
          lastErr = undefined;
          break;
        } catch (err) {
          lastErr = err;
          await sql`rollback to savepoint apply_one`.execute(trx);
        }
      }
      if (lastErr !== undefined) {
        this.opts.log?.error({ err: lastErr, projection: p.name, eventId: e.id }, 'event parked');
        await trx
          .insertInto('projections.dead_letters')
          .values({
            projection: p.name,
            event_id: e.id,
            position: e.position.toString(),
            checkpoint: e.checkpoint,
            stream: e.stream,
            type: e.type,
            error: (lastErr instanceof Error ? (lastErr.stack ?? lastErr.message) : JSON.stringify(lastErr)).slice(
              0,
              4000,
            ),
            attempts: maxAttempts,
            replayed_at: null,
          })
          .onConflict((oc) => oc.columns(['projection', 'event_id']).doNothing())
          .execute();
      }
    }
  }
}
