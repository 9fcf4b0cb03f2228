import type { ProjectionRunner } from '../../src/projections/runner.ts';

/** Polls until the runner has applied the whole log (or fails after `ms`). */
export async function caughtUp(runner: ProjectionRunner, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (runner.lastError) throw new Error(runner.lastError);
    const lag = await runner.lag();
    if (lag.events === 0 && lag.head !== undefined) return;
    if (Date.now() > deadline) throw new Error(`runner not caught up after ${ms} ms: ${JSON.stringify(lag)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
