import { loadConfigOrExit } from '../config.ts';
import { allProjections } from '../projections/index.ts';
import { checksums, rebuild, type RebuildProgress } from '../projections/rebuild.ts';
import { SHADOW_SCHEMA } from '../projections/schema.ts';
import { createSystem } from '../system.ts';

/**
 * `npm run projections:<command>`:
 *   status              checkpoint, lag (events, seconds), parked events, whether a runner is active
 *   rebuild [--fresh]   replay the log into read_next (progress on stderr), then swap it in
 *   checksum [schema]   md5 per read model (rows in key order): equal sums, equal tables
 *   replay              apply the parked events again (after a fix)
 *   run [--until-caught-up]  run the live projection runner in this process
 * Exits non-zero on failure.
 */
const [command = 'status', ...args] = process.argv.slice(2);

/** What a checkpoint says, printed under the status (docs/read-models.md, "Runner"). */
const CHECKPOINT_FORMAT =
  'a checkpoint is where the runner resumes: on the PostgreSQL log "<transaction id>/<log position>" ' +
  '(e.g. 1474/4626: the event at log position 4626, written by transaction 1474; readers follow ' +
  'transaction order, docs/adr/0002-log-order.md); on EventStoreDB "C:<commit>/P:<prepare>". ' +
  '"position" is the log position alone, the one commands return and reads take as minPosition';
const config = loadConfigOrExit();
// a rebuild's statements may run long: no statement timeout for this tool
const system = await createSystem(config, { poolSize: 6, timeouts: { statementTimeoutMs: 0, queryTimeoutMs: 0 } });
const out = (s: string) => process.stdout.write(s + '\n');

function bar(p: RebuildProgress): string {
  const rate = p.applied / Math.max(0.001, p.elapsedMs / 1000);
  const frac = p.total > 0 ? Math.min(1, p.applied / p.total) : 0;
  const width = 30;
  const filled = Math.round(frac * width);
  const eta = p.total > 0 && rate > 0 ? Math.max(0, (p.total - p.applied) / rate) : 0;
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.applied}/${p.total} events ${Math.round(rate)} ev/s ETA ${eta.toFixed(0)}s `;
}

let code = 0;
try {
  switch (command) {
    case 'status': {
      const { runner, db } = system;
      const lag = await runner.lag();
      const parked = await runner.parked();
      const lock = await system.pool.query<{ held: boolean }>(
        `select exists (select 1 from pg_locks where locktype = 'advisory' and classid = $1 and objid = hashtext($2)::oid and granted) as held`,
        [0x7469, runner.name],
      );
      const cp = await db.selectFrom('projections.checkpoints').selectAll().orderBy('name').execute();
      out(`runner ${runner.name}: ${lock.rows[0]?.held ? 'active (lock held)' : 'no active runner'}`);
      for (const c of cp)
        out(
          `checkpoint ${c.name}: ${c.checkpoint ?? '(start)'} position ${c.position ?? '-'} events applied ${c.events_applied} updated ${c.updated_at.toISOString()}`,
        );
      out(`head: ${lag.head ?? '(empty log)'}`);
      out(`  (${CHECKPOINT_FORMAT})`);
      out(`lag: ${lag.events} events, ${lag.seconds.toFixed(1)} s`);
      out(`parked events: ${parked.length}`);
      for (const p of parked.slice(0, 20))
        out(
          `  ${p.projection} ${p.type} ${p.stream}@${p.revision ?? '?'} position ${p.position}: ${p.error.split('\n')[0]}`,
        );
      break;
    }
    case 'rebuild': {
      let last = 0;
      const r = await rebuild(
        { ...system, projections: allProjections },
        {
          fresh: args.includes('--fresh'),
          onProgress: (p) => {
            if (Date.now() - last < 200) return;
            last = Date.now();
            process.stderr.write(bar(p));
          },
        },
      );
      process.stderr.write('\n');
      const s = r.elapsedMs / 1000;
      out(
        `rebuilt ${r.events} events in ${s.toFixed(1)} s (${Math.round(r.events / Math.max(s, 0.001))} ev/s)${r.resumed ? ', resumed' : ''}; swapped in`,
      );
      break;
    }
    case 'checksum': {
      const schema = args[0] === 'shadow' ? SHADOW_SCHEMA : (args[0] ?? 'read');
      for (const c of await checksums(system.db, schema))
        out(`${c.table.padEnd(22)} ${String(c.rows).padStart(9)} ${c.md5}`);
      break;
    }
    case 'replay': {
      const r = await system.runner.replayParked();
      out(`replayed ${r.replayed}, still failing ${r.failed}, not found ${r.missing}`);
      if (r.failed > 0) code = 2;
      break;
    }
    case 'run': {
      system.runner.start();
      if (args.includes('--until-caught-up')) {
        for (;;) {
          await new Promise((r) => setTimeout(r, 100));
          if (system.runner.lastError) throw new Error(system.runner.lastError);
          if (!system.runner.active) continue;
          const lag = await system.runner.lag();
          if (lag.events === 0) break;
        }
        out(`caught up at ${system.runner.checkpoint ?? '(start)'}`);
      } else {
        await new Promise<void>((res) => {
          process.once('SIGINT', res);
          process.once('SIGTERM', res);
        });
      }
      break;
    }
    default:
      process.stderr.write(
        `unknown command ${command}: status | rebuild [--fresh] | checksum [schema] | replay | run\n`,
      );
      code = 64;
  }
} catch (err) {
  process.stderr.write(`projections ${command} failed: ${err instanceof Error ? err.message : String(err)}\n`);
  code = 1;
} finally {
  await system.close();
}
process.exit(code);
