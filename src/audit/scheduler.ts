import type pg from 'pg';
import type { EventStore } from '../eventstore/types.ts';
import { signingKeyFile, loadSigningKey, type SigningKey } from './signing.ts';
import { Checkpoints, MerkleLog } from './tree.ts';
import { join } from 'node:path';

/** AUDIT_CHECKPOINT_EVERY parsed: `1000`, `10m`, `1000,10m` (whichever first), `off`. */
export interface CheckpointEvery {
  events: number | null;
  minutes: number | null;
}

export function parseCheckpointEvery(text: string): CheckpointEvery {
  if (text === 'off') return { events: null, minutes: null };
  const every: CheckpointEvery = { events: null, minutes: null };
  for (const part of text.split(',')) {
    if (part.endsWith('m')) every.minutes = Number(part.slice(0, -1));
    else every.events = Number(part);
  }
  if (every.events === 0) every.events = null;
  if (every.minutes === 0) every.minutes = null;
  return every;
}

type Log = { warn(o: object, msg?: string): void; info(o: object | string, msg?: string): void };

/**
 * The audit trail of a running system: the Merkle tree following the log, the signed checkpoints,
 * and the loop that keeps the tree complete and takes a checkpoint every AUDIT_CHECKPOINT_EVERY.
 * `start()` writes to the witness file the stored checkpoints it lacks (a crash between the two);
 * the loop's first round completes the tree the last run left behind (a crash leaves it behind,
 * never wrong), then it follows the log, polling every second. `stop()` ends it between batches.
 */
export class AuditTrail {
  readonly tree: MerkleLog;
  readonly checkpoints: Checkpoints;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastAt = 0;
  private lastSize = -1;

  constructor(
    private readonly deps: {
      store: EventStore;
      pool: pg.Pool;
      key: SigningKey;
      witnessDir: string;
      every: CheckpointEvery;
      clock: () => Date;
      log?: Log | undefined;
      pollMs?: number;
    },
  ) {
    this.tree = new MerkleLog(deps);
    this.checkpoints = new Checkpoints({ ...deps, tree: this.tree });
  }

  get key(): SigningKey {
    return this.deps.key;
  }

  /** Adds what the log has to the tree, and takes a checkpoint if one is due; returns it if taken. */
  async tick(): Promise<void> {
    const size = await this.tree.catchUp({ stop: () => this.stopped });
    if (this.lastSize < 0) {
      const latest = await this.checkpoints.latest();
      this.lastSize = latest?.logSize ?? 0;
      this.lastAt = latest ? Date.parse(latest.createdAt) : this.deps.clock().getTime();
    }
    const { events, minutes } = this.deps.every;
    const grown = size - this.lastSize;
    const dueByCount = events !== null && grown >= events;
    const dueByTime = minutes !== null && grown > 0 && this.deps.clock().getTime() - this.lastAt >= minutes * 60_000;
    if (dueByCount || dueByTime) {
      const c = await this.checkpoints.take();
      this.lastSize = c.logSize;
      this.lastAt = Date.parse(c.createdAt);
      this.deps.log?.info({ logSize: c.logSize, rootHash: c.rootHash }, 'audit checkpoint taken');
    }
  }

  /** Returns once the witness file is repaired; the tree is completed by the loop's first round. */
  async start(): Promise<void> {
    await this.checkpoints.syncWitness();
    const poll = this.deps.pollMs ?? 1000;
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tick()
        .catch((err: unknown) => this.deps.log?.warn({ err }, 'audit tree: will retry'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(loop, poll);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

export function createAuditTrail(
  config: {
    DATA_DIR: string;
    AUDIT_SIGNING_KEY_FILE?: string | undefined;
    AUDIT_WITNESS_DIR?: string | undefined;
    AUDIT_CHECKPOINT_EVERY: string;
  },
  deps: { store: EventStore; pool: pg.Pool; clock: () => Date; log?: Log | undefined },
): AuditTrail {
  return new AuditTrail({
    ...deps,
    key: loadSigningKey(signingKeyFile(config), { create: true }),
    witnessDir: config.AUDIT_WITNESS_DIR ?? join(config.DATA_DIR, 'witness'),
    every: parseCheckpointEvery(config.AUDIT_CHECKPOINT_EVERY),
  });
}
