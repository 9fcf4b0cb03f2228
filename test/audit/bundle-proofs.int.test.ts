import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { exportBundle } from '../../src/audit/bundle.ts';
import { eventHash } from '../../src/eventstore/hash.ts';
import { loadDemoHistory } from '../../seeds/index.ts';
import { build } from '../helpers/build.ts';

/**
 * The evidence bundle of territory 4413 (Val de Lorraine) as of 2019-12-31, from the demo history,
 * checked offline by its own scripts (Node alone; Python 3 + openssl), and refused when one byte of
 * an event, of a proof or of the checkpoint is changed.
 */
const run = (cmd: string, args: string[]) =>
  new Promise<{ code: number; out: string }>((resolve) =>
    execFile(cmd, args, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    ),
  );

t.test('the bundle of 4413 as of 2019-12-31 verifies offline, and fails when one byte changes', async (t) => {
  const b = await build(t, { env: { AUDIT_CHECKPOINT_EVERY: 'off' } });
  const r = await loadDemoHistory(b.system, { today: new Date().toISOString().slice(0, 10) });
  t.ok(await b.system.runner.waitFor(r.lastPosition!, 120_000), 'projections caught up');
  const root = mkdtempSync(join(tmpdir(), 'ti-bundle-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'bundle');
  const bundle = await exportBundle(b.system, { territoryId: '4413', asOf: '2019-12-31', out: dir, now: new Date() });
  t.ok(bundle.events > 1, `${bundle.events} events in ${bundle.streams} streams`);
  for (const f of ['checkpoint.json', 'proofs.jsonl', 'public-key.pem', 'verify_bundle.mjs', 'verify_bundle.py'])
    t.ok(bundle.files.includes(f), f);
  const checkpoint = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as { logSize: number };
  t.equal(checkpoint.logSize, r.events + (r.poles?.events ?? 0), 'cut against the whole log');

  const verifiers: [string, string[]][] = [
    [process.execPath, [join(dir, 'verify_bundle.mjs'), dir]],
    ['python3', [join(dir, 'verify_bundle.py'), dir]],
  ];
  for (const [cmd, args] of verifiers) {
    const ok = await run(cmd, args);
    t.equal(ok.code, 0, `${cmd}: ${ok.out}`);
    t.match(ok.out, /all verified/);
  }

  const original = Object.fromEntries(
    ['events.jsonl', 'proofs.jsonl', 'checkpoint.json'].map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
  /** Changes one byte of a file (at the first match of `at`, offset `by`), runs both verifiers, restores. */
  const tamper = async (file: string, at: RegExp, change: (c: string) => string, expect: RegExp) => {
    const text = original[file]!;
    const m = at.exec(text);
    if (!m) throw new Error(`${at} not in ${file}`);
    const i = m.index + m[0].length;
    const forged = text.slice(0, i) + change(text[i]!) + text.slice(i + 1);
    t.equal(Buffer.byteLength(forged), Buffer.byteLength(text), 'one byte changed');
    writeFileSync(join(dir, file), forged);
    for (const [cmd, args] of verifiers) {
      const bad = await run(cmd, args);
      t.equal(bad.code, 1, `${cmd} refuses a byte changed in ${file}`);
      t.match(bad.out, expect);
    }
    writeFileSync(join(dir, file), text);
  };
  const hexFlip = (c: string) => (c === '0' ? '1' : '0');
  // an event: the first digit of its data (a code, a SIREN, a date)
  await tamper('events.jsonl', /"data":\{[^0-9]*/, (c) => String((Number(c) + 1) % 10), /does not hash to its hash/);
  await tamper('proofs.jsonl', /"inclusionPath":\["/, hexFlip, /inclusion proof fails/);
  await tamper('checkpoint.json', /"rootHash": "/, hexFlip, /signature does not verify/);
  // the event rewritten and its stream's chain recomputed, as an administrator would: the chains
  // hold, the inclusion proof does not
  type Line = Parameters<typeof eventHash>[0] & { revision: number; hash: string };
  const lines = original['events.jsonl']!.trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
  const stream = lines[0]!.stream;
  lines[0]!.data = { ...lines[0]!.data, forged: true };
  let prev = '';
  for (const e of lines.filter((x) => x.stream === stream)) {
    e.prevHash = prev;
    e.hash = prev = eventHash({ ...e, revision: BigInt(e.revision) });
  }
  writeFileSync(join(dir, 'events.jsonl'), lines.map((l) => JSON.stringify(l) + '\n').join(''));
  for (const [cmd, args] of verifiers) {
    const bad = await run(cmd, args);
    t.equal(bad.code, 1, `${cmd} refuses a rewritten, re-chained event`);
    t.match(bad.out, /line 1 .*not in the signed tree/);
    t.notMatch(bad.out, /does not hash|breaks the chain/, 'the chains alone would pass');
  }
});
