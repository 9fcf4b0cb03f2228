import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { hashRows, type RowHashes, type RowsToHash } from './row-hash.ts';

/**
 * Worker threads that run `hashRows` (JSON parse, RFC 8785, SHA-256) over batches of the log, so
 * a full verification uses every core while the main thread reads the database and checks the
 * chains and the tree. Batches are answered in the order they were given. With `workers: 0` the
 * work runs inline (same code, same results).
 *
 * The worker is a TypeScript module like the rest of the code base; it registers tsx itself when
 * the process runs under tsx (workers do not inherit the loader).
 */
export interface HashPoolOptions {
  /** Default: the AUDIT_VERIFY_WORKERS environment variable, else the number of cores (at most 4). 0: inline. */
  workers?: number;
}

interface Job {
  resolve: (h: RowHashes) => void;
  reject: (e: Error) => void;
}

export function defaultWorkers(): number {
  const env = process.env.AUDIT_VERIFY_WORKERS;
  if (env !== undefined && env !== '' && Number.isInteger(Number(env)) && Number(env) >= 0) return Number(env);
  return Math.min(4, availableParallelism());
}

const WORKER = new URL('./hash-worker.ts', import.meta.url).href;

function bootstrap(): string {
  let tsx: string | undefined;
  try {
    tsx = import.meta.resolve('tsx/esm/api');
  } catch {
    tsx = undefined;
  }
  return tsx
    ? `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER)}); })`
    : `import(${JSON.stringify(WORKER)})`;
}

export class HashPool {
  private readonly workers: { worker: Worker; queue: Job[] }[] = [];
  private next = 0;
  private failed: Error | undefined;

  constructor(opts: HashPoolOptions = {}) {
    const n = opts.workers ?? defaultWorkers();
    for (let i = 0; i < n; i++) {
      const worker = new Worker(bootstrap(), { eval: true });
      const slot = { worker, queue: [] as Job[] };
      worker.on('message', (m: { chain: Uint8Array; leaf: Uint8Array } | { error: string }) => {
        const job = slot.queue.shift();
        if (!job) return;
        if ('error' in m) job.reject(new Error(m.error));
        else
          job.resolve({
            chain: Buffer.from(m.chain.buffer, m.chain.byteOffset, m.chain.byteLength),
            leaf: Buffer.from(m.leaf.buffer, m.leaf.byteOffset, m.leaf.byteLength),
          });
      });
      const fail = (e: Error) => {
        this.failed ??= e;
        for (const job of slot.queue.splice(0)) job.reject(e);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (slot.queue.length > 0) fail(new Error(`a hashing worker exited (code ${code})`));
      });
      this.workers.push(slot);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** The hashes of one batch (round-robin over the workers; inline without workers). */
  hash(rows: RowsToHash): Promise<RowHashes> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.workers.length === 0) {
      try {
        return Promise.resolve(hashRows(rows));
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
    const slot = this.workers[this.next++ % this.workers.length]!;
    return new Promise<RowHashes>((resolve, reject) => {
      slot.queue.push({ resolve, reject });
      slot.worker.postMessage(rows);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers.length = 0;
  }
}
