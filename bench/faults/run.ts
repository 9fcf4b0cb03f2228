/**
 * npm run faults [-- --short] [--clients N] [--seconds S] [--only name]
 * Every scenario of bench/faults/suite.ts, one after the other, each with its own verdict; a
 * table at the end. --short: the baseline and kill -9 of PostgreSQL only (about a minute).
 */
import { parseArgs } from 'node:util';
import { SCENARIOS, runScenario, table, type Verdict } from './suite.ts';

const { values } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    clients: { type: 'string', default: '16' },
    seconds: { type: 'string' },
    only: { type: 'string' },
  },
});
const short = values.short;
const seconds = Number(values.seconds ?? (short ? 25 : 45));
let list = short ? SCENARIOS.filter((s) => s.name === 'kill -9 PostgreSQL') : SCENARIOS;
if (values.only) list = SCENARIOS.filter((s) => s.name.includes(values.only!));
const started = Date.now();
const verdicts: Verdict[] = [];
for (const s of list) {
  process.stderr.write(`== ${s.name} (${seconds} s of load, ${values.clients} clients)\n`);
  const v = await runScenario(s, { clients: Number(values.clients), loadMs: seconds * 1000, faultAtMs: seconds * 300 });
  process.stderr.write(`   ${v.ok ? 'ok' : 'FAIL'} ${JSON.stringify(v)}\n`);
  verdicts.push(v);
}
process.stdout.write(table(verdicts) + '\n');
process.stdout.write(`\ntotal ${Math.round((Date.now() - started) / 1000)} s\n`);
process.exit(verdicts.every((v) => v.ok) ? 0 : 1);
