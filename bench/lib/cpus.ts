/**
 * How fast each CPU of this machine is right now: the same CPU-bound loop, pinned with `taskset`
 * to one CPU after the other. On the shared 2-vCPU machines these benchmarks run on, one vCPU was
 * at times 30-35% slower than the other (2026-11-30 05:46: 502-526 ms against 376-397 ms, for a
 * loop both ran in 375-387 ms eight minutes later), which moves whole runs depending on where the
 * scheduler puts the server's main thread, PostgreSQL and the load generator. The benchmarks print
 * this before and after their runs so a reader can tell a skewed machine from a slow change. Null
 * where `taskset` is missing (not Linux, no util-linux).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const LOOP =
  'let t=process.hrtime.bigint(),x=0;for(let i=0;i<2e8;i++)x+=i%7;console.log(Number(process.hrtime.bigint()-t)/1e6,x)';

/** Milliseconds the loop took pinned to `cpu`. */
function loopMsOn(cpu: number): number {
  const out = execFileSync('taskset', ['-c', String(cpu), process.execPath, '-e', LOOP], { encoding: 'utf8' });
  return Math.round(Number(out.split(' ')[0]));
}

export function cpuLoopMs(): number[] | null {
  try {
    return Array.from({ length: availableParallelism() }, (_, cpu) => loopMsOn(cpu));
  } catch {
    return null;
  }
}

export function describeCpus(ms: number[] | null): string {
  if (ms === null) return 'CPU check: taskset not available';
  const fastest = Math.min(...ms);
  return `CPU check (the same loop pinned to each CPU): ${ms.map((m, i) => `cpu${i} ${m} ms`).join(', ')}${
    ms.length > 1 ? `; slowest ${Math.round((Math.max(...ms) / fastest - 1) * 100)}% slower than fastest` : ''
  }`;
}

/**
 * CPU time the whole machine has spent busy so far, in µs (Linux: /proc/stat's user, nice, system,
 * irq and softirq; idle, I/O wait and time stolen by the hypervisor are not ours). Null elsewhere.
 * The kernel counts in clock ticks of 10 ms (USER_HZ is 100 on Linux).
 */
export function machineBusyMicros(): number | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq] = f;
    return (user! + nice! + system! + irq! + softirq!) * 10_000;
  } catch {
    return null;
  }
}
