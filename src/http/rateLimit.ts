/**
 * The per-token rate limit: a fixed window per key (`sub:<token subject>`, or `ip:<address>` for
 * calls without a valid token), `max` requests per `windowMs`, counted in this process.
 *
 * It replaces @fastify/rate-limit, which ran as an async `onRequest` hook of its own on every
 * route (four awaits per request, a symbol property added to each request after construction):
 * here the count is one Map lookup inside the hook that already identifies the caller. In
 * `bench:http` the difference was below the run-to-run noise; the gain is fewer moving parts on
 * the hot path and one dependency less, with the same headers and answers.
 *
 * Memory is bounded: at `maxKeys` keys the oldest window is dropped first (a window is re-inserted
 * when it restarts, so the Map's insertion order is the order of window starts). Dropping an
 * unexpired window lets that key start afresh: under a flood of distinct keys the limit fails
 * open for the oldest, never closed for everyone.
 *
 * Several API instances each count their own share; a limit shared across instances belongs in
 * the load balancer or gateway in front of them.
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window restarts (at least 1). */
  resetSeconds: number;
}

interface Window {
  count: number;
  resetAt: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
    readonly maxKeys = 10_000,
  ) {}

  /** Counts one request of `key` and says whether it is within the limit. */
  hit(key: string): RateDecision {
    const now = this.now();
    let w = this.windows.get(key);
    if (w === undefined || w.resetAt <= now) {
      if (w !== undefined) this.windows.delete(key);
      else if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
      w = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return {
      allowed: w.count <= this.max,
      limit: this.max,
      remaining: Math.max(0, this.max - w.count),
      resetSeconds: Math.max(1, Math.ceil((w.resetAt - now) / 1000)),
    };
  }

  /** How many keys are held (for tests and metrics). */
  get size(): number {
    return this.windows.size;
  }
}
