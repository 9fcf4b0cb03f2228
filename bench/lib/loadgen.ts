/**
 * The HTTP load generator of `bench:http`: autocannon in a process of its own that lives for the
 * whole benchmark, so its code is compiled once, during the warm-up runs.
 *
 * Before this, each measured run started autocannon with `workers: 1`, a fresh worker thread
 * inside the server's process: every run paid the load generator's start-up (module loading and
 * JIT compilation of autocannon, its HTTP parser and histograms, 20-40 deoptimisations per run
 * under `--trace-deopt`) on the same two cores as the server and PostgreSQL, and that worker
 * shared V8's background threads with the server. Neither is a cost of serving HTTP. A client is
 * another program, usually on another machine; here it is at least another, warm process.
 *
 * Protocol (IPC): the parent sends `{ id, options }` (autocannon options), the child answers
 * `{ id, result }` with the fields the bench reads, or `{ id, error }`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export interface LoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  duration: number;
  p50ms: number;
  p99ms: number;
  /** CPU time (user + system) the load generator's process spent on the run, in µs. */
  cpuMicros: number;
}

interface Request {
  id: number;
  options: autocannon.Options;
}

type Answer = { id: number; result: LoadResult } | { id: number; error: string };

/** Starts the load generator process; `run` sends it one run, `close` ends it. */
export function startLoadGenerator(): {
  run: (options: autocannon.Options) => Promise<LoadResult>;
  close: () => Promise<void>;
} {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  let next = 0;
  child.on('message', (m: Answer) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if ('error' in m) p.reject(new Error(m.error));
    else p.resolve(m.result);
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`load generator exited with ${code}`));
    pending.clear();
  });
  return {
    run: (options) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        child.send({ id, options } satisfies Request);
      }),
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

if (process.argv.includes('--child')) {
  process.on('message', (m: Request) => {
    const cpu = process.cpuUsage();
    autocannon(m.options).then(
      (r) => {
        const spent = process.cpuUsage(cpu);
        process.send!({
          id: m.id,
          result: {
            ok: r['2xx'],
            non2xx: r.non2xx,
            errors: r.errors,
            duration: r.duration,
            p50ms: r.latency.p50,
            p99ms: r.latency.p99,
            cpuMicros: spent.user + spent.system,
          },
        } satisfies Answer);
      },
      (err: unknown) => process.send!({ id: m.id, error: String(err) } satisfies Answer),
    );
  });
  // the parent's disconnect ends the process
  process.on('disconnect', () => process.exit(0));
}
