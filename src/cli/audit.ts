import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { verifyAgainstCheckpoint, verifyWitness } from '../audit/anchor.ts';
import { exportBundle } from '../audit/bundle.ts';
import { CheckpointError, parseCheckpoint, type SignedCheckpoint } from '../audit/signing.ts';
import { loadConfigOrExit } from '../config.ts';
import { isCalendarDate } from '../domain/kernel/shared.ts';
import { verifyChains } from '../eventstore/verify.ts';
import { createSystem } from '../system.ts';

/**
 * `npm run audit:verify [-- --stream NAME]`: recomputes the hash chains, with a progress bar, and
 *   checks the latest stored checkpoint against the witness files; exit 0 when intact, 1 with the
 *   first broken link.
 * `npm run audit:verify -- --checkpoint FILE`: against a signed checkpoint (the anchor): recomputes
 *   the Merkle tree of its first logSize events from the events, compares the root, checks every
 *   chain; exit 0 when they match, 1 naming the first event that differs, 2 for a bad checkpoint.
 * `npm run audit:checkpoint [-- --out FILE]`: completes the tree and takes a signed checkpoint now.
 * `npm run audit:public-key`: the checkpoint signing key (PEM) and its key id.
 * `npm run audit:export -- --territory ID [--as-of YYYY-MM-DD] [--out DIR]`: the evidence bundle,
 *   by default in DATA_DIR/exports/audit-<territory>-<as-of>-<time> (never the working directory).
 */
const USAGE = `usage: npm run audit:verify [-- --stream NAME | --checkpoint FILE]
       npm run audit:checkpoint [-- --out FILE]
       npm run audit:public-key
       npm run audit:export -- --territory ID [--as-of YYYY-MM-DD] [--out DIR]
         (default --out: DATA_DIR/exports/audit-<territory>-<as-of|current>-<time>)`;
const err = (s: string) => process.stderr.write(s + '\n');
const out = (s: string) => process.stdout.write(s + '\n');
function usage(message: string): never {
  err(`error: ${message}\n${USAGE}`);
  process.exit(2);
}

const [command, ...rest] = process.argv.slice(2);
let values: { stream?: string; territory?: string; 'as-of'?: string; out?: string; checkpoint?: string };
try {
  values = parseArgs({
    args: rest,
    options: {
      stream: { type: 'string' },
      territory: { type: 'string' },
      'as-of': { type: 'string' },
      out: { type: 'string' },
      checkpoint: { type: 'string' },
    },
    strict: true,
  }).values;
} catch (e) {
  usage((e as Error).message);
}
if (!['verify', 'export', 'checkpoint', 'public-key'].includes(command ?? '')) {
  usage(`unknown command ${command ?? '(none)'}`);
}
if (values.checkpoint !== undefined && values.stream !== undefined) usage('give --stream or --checkpoint, not both');
// the anchor is read before anything starts: a bad file is exit 2 without touching the database
let anchor: SignedCheckpoint | undefined;
if (command === 'verify' && values.checkpoint !== undefined) {
  let text: string;
  try {
    text = readFileSync(values.checkpoint, 'utf8');
  } catch (e) {
    usage(`cannot read the checkpoint file: ${(e as Error).message}`);
  }
  try {
    anchor = parseCheckpoint(text);
  } catch (e) {
    err(`error: ${values.checkpoint}: ${(e as Error).message}`);
    process.exit(2);
  }
}
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
  if (command === 'public-key') {
    out(system.audit.key.publicKeyPem.trimEnd());
    err(`key id (SHA-256 of the raw Ed25519 public key): ${system.audit.key.keyId}`);
    code = 0;
  } else if (command === 'checkpoint') {
    const started = Date.now();
    const size = await system.audit.tree.catchUp();
    const built = Date.now();
    const c = await system.audit.checkpoints.take();
    const text = JSON.stringify(c, null, 2) + '\n';
    if (values.out) writeFileSync(values.out, text, { flag: 'wx' });
    out(text.trimEnd());
    err(
      `checkpoint of ${size} events (tree completed in ${built - started} ms, signed and stored in ${Date.now() - built} ms)` +
        (values.out ? `, written to ${values.out}` : ''),
    );
    code = 0;
  } else if (command === 'verify' && anchor) {
    const started = Date.now();
    const total = Number(
      (await system.pool.query<{ n: string }>('select count(*) as n from es.events')).rows[0]?.n ?? 0,
    );
    const tty = process.stderr.isTTY;
    const r = await verifyAgainstCheckpoint(
      { store: system.store, tree: system.audit.tree },
      anchor,
      system.audit.key.publicKey,
      {
        witness: system.audit.checkpoints.readWitness().checkpoints,
        ...(system.config.AUDIT_VERIFY_WORKERS !== undefined ? { workers: system.config.AUDIT_VERIFY_WORKERS } : {}),
        onProgress: (n) => {
          if (tty) process.stderr.write(`\r${bar(n, total)}`);
        },
      },
    );
    if (tty) process.stderr.write('\n');
    out(JSON.stringify(r, null, 2));
    const d = r.firstDifference ?? r.brokenChain;
    err(
      r.ok
        ? `the log matches the checkpoint: ${anchor.logSize} events give the signed root, chains intact (${r.eventsChecked} events, ${Date.now() - started} ms)`
        : `TAMPERED: ${d!.stream ? `stream ${d!.stream}: ` : ''}${d!.reason}`,
    );
    code = r.ok ? 0 : 1;
  } else if (command === 'verify') {
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
    let witness = null;
    if (!values.stream) {
      witness = await verifyWitness(
        system.audit,
        await system.audit.checkpoints.latest(),
        system.audit.checkpoints.readWitness(),
        system.audit.key.publicKey,
      );
      for (const p of witness.problems) err(`CHECKPOINTS: ${p}`);
    }
    out(
      JSON.stringify(
        witness ? { ...printable, ok: result.ok && witness.ok, checkpoints: witness } : printable,
        null,
        2,
      ),
    );
    err(
      result.ok
        ? `chains intact: ${result.eventsChecked} events in ${result.streamsChecked} streams (${Date.now() - started} ms)`
        : `BROKEN: ${result.firstBroken!.stream} revision ${result.firstBroken!.revision}: ${result.firstBroken!.reason}`,
    );
    code = result.ok && (witness?.ok ?? true) ? 0 : 1;
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
  code = e instanceof CheckpointError ? 2 : 1;
} finally {
  await system.close();
}
process.exit(code);
