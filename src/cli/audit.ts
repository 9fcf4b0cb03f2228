import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { exportBundle } from '../audit/bundle.ts';
import { loadConfigOrExit } from '../config.ts';
import { isCalendarDate } from '../domain/shared.ts';
import { verifyChains } from '../eventstore/verify.ts';
import { createSystem } from '../system.ts';

/**
 * `npm run audit:verify [-- --stream NAME]`: recomputes the hash chains, with a progress bar;
 *   exit 0 when intact, 1 with the first broken link.
 * `npm run audit:export -- --territory ID [--as-of YYYY-MM-DD] [--out DIR]`: the evidence bundle,
 *   by default in DATA_DIR/exports/audit-<territory>-<as-of>-<time> (never the working directory).
 */
const USAGE = `usage: npm run audit:verify [-- --stream NAME]
       npm run audit:export -- --territory ID [--as-of YYYY-MM-DD] [--out DIR]
         (default --out: DATA_DIR/exports/audit-<territory>-<as-of|current>-<time>)`;
const err = (s: string) => process.stderr.write(s + '\n');
const out = (s: string) => process.stdout.write(s + '\n');
function usage(message: string): never {
  err(`error: ${message}\n${USAGE}`);
  process.exit(2);
}

const [command, ...rest] = process.argv.slice(2);
let values: { stream?: string; territory?: string; 'as-of'?: string; out?: string };
try {
  values = parseArgs({
    args: rest,
    options: {
      stream: { type: 'string' },
      territory: { type: 'string' },
      'as-of': { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  }).values;
} catch (e) {
  usage((e as Error).message);
}
if (command !== 'verify' && command !== 'export') usage(`unknown command ${command ?? '(none)'}`);
if (command === 'export') {
  if (!values.territory) usage('--territory is required');
  if (values['as-of'] !== undefined && !isCalendarDate(values['as-of'])) usage('--as-of must be YYYY-MM-DD');
}

function bar(done: number, total: number): string {
  const width = 30;
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const full = Math.round(share * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${Math.floor(share * 100)
    .toString()
    .padStart(3)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} events`;
}

const system = await createSystem(loadConfigOrExit(), { poolSize: 4 });
let code: number;
try {
  if (command === 'verify') {
    const started = Date.now();
    const total = Number(
      (
        await system.pool.query<{ n: string }>(
          values.stream
            ? 'select count(*) as n from es.events where stream_name = $1'
            : 'select count(*) as n from es.events',
          values.stream ? [values.stream] : [],
        )
      ).rows[0]?.n ?? 0,
    );
    const tty = process.stderr.isTTY;
    let lastLine = 0;
    const result = await verifyChains(system.store, {
      ...(values.stream ? { stream: values.stream } : {}),
      progressEvery: 1000,
      onProgress: ({ eventsChecked }) => {
        if (tty) process.stderr.write(`\r${bar(eventsChecked, total)}`);
        else if (eventsChecked - lastLine >= Math.max(1000, total / 10) || eventsChecked === total) {
          lastLine = eventsChecked;
          err(bar(eventsChecked, total));
        }
      },
    });
    if (tty) process.stderr.write('\n');
    const printable = {
      ...result,
      firstBroken: result.firstBroken
        ? {
            ...result.firstBroken,
            revision: Number(result.firstBroken.revision),
            position: result.firstBroken.position?.toString() ?? null,
          }
        : null,
    };
    out(JSON.stringify(printable, null, 2));
    err(
      result.ok
        ? `chains intact: ${result.eventsChecked} events in ${result.streamsChecked} streams (${Date.now() - started} ms)`
        : `BROKEN: ${result.firstBroken!.stream} revision ${result.firstBroken!.revision}: ${result.firstBroken!.reason}`,
    );
    code = result.ok ? 0 : 1;
  } else {
    const territoryId = values.territory!;
    const asOf = values['as-of'];
    const now = system.clock();
    const dir = resolve(
      values.out ??
        join(
          system.config.DATA_DIR,
          'exports',
          `audit-${territoryId}-${asOf ?? 'current'}-${now.toISOString().replace(/[:.]/g, '-')}`,
        ),
    );
    // the bundle's read-model rows, and the territory's contracts and projects, come from the projections
    if (!(await system.runner.ensureCaughtUp())) err('warning: the projections have not caught up with the log');
    const r = await exportBundle(system, { territoryId, asOf, out: dir, now });
    out(
      `${r.dir}: ${r.events} events in ${r.streams} streams, chains ${r.ok ? 'intact' : 'BROKEN'}; files ${r.files.join(', ')}`,
    );
    code = r.ok ? 0 : 1;
  }
} catch (e) {
  err(`error: ${(e as Error).message}`);
  code = 1;
} finally {
  await system.close();
}
process.exit(code);
