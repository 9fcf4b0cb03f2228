import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Dependencies } from '../application/commandHandler.ts';
import type { Database } from '../db/database.ts';
import { verifyChains } from '../eventstore/verify.ts';
import { getTerritory } from '../projections/territories/queries.ts';
import { VERIFY_BUNDLE_MJS, VERIFY_BUNDLE_PY } from './bundle-verifiers.ts';
import type { AuditTrail } from './scheduler.ts';
import type { SignedCheckpoint } from './signing.ts';
import { streamEvents, territoryAsOf, territoryStreams } from './timeline.ts';

/**
 * The evidence bundle of one territory, as of a business date: a directory a person can take away
 * and check with standard tools (python3, or jq + sha256sum), without this software.
 */

/** The offline chain check shipped in the bundle (and quoted in its README). */
export const VERIFY_SCRIPT = `#!/usr/bin/env python3
# Recomputes every event's hash and checks each stream's chain. Needs only python3.
# hash = sha256(JCS({stream, revision, type, schemaVersion, data, metadata, prevHash}));
# JCS (RFC 8785) of these values = sorted keys, no spaces, UTF-8, integers only.
import hashlib, json, sys
heads, broken, n = {}, 0, 0
with open(sys.argv[1] if len(sys.argv) > 1 else 'events.jsonl', encoding='utf-8') as f:
    for n, line in enumerate(f, 1):
        e = json.loads(line)
        body = {k: e[k] for k in ('stream', 'revision', 'type', 'schemaVersion', 'data', 'metadata', 'prevHash')}
        text = json.dumps(body, sort_keys=True, separators=(',', ':'), ensure_ascii=False)
        h = hashlib.sha256(text.encode('utf-8')).hexdigest()
        rev, prev = heads.get(e['stream'], (-1, ''))
        if h != e['hash'] or e['prevHash'] != prev or e['revision'] != rev + 1:
            broken += 1
            print('BROKEN line %d: %s revision %s' % (n, e['stream'], e['revision']))
        heads[e['stream']] = (e['revision'], e['hash'])
print('%d events, %d streams, %d broken' % (n, len(heads), broken))
sys.exit(1 if broken else 0)
`;

function readme(territoryId: string, asOf: string | null, counts: { events: number; streams: number }): string {
  return `# Evidence bundle: territory ${territoryId}${asOf ? `, as of ${asOf}` : ''}

Produced by \`npm run audit:export\` of ti-ledger. ${counts.events} events in ${counts.streams} streams
(the territory's own stream and those of its contracts and projects).

| file | what |
|---|---|
| \`events.jsonl\` | every event of those streams, one JSON object per line, in stream then revision order, with its \`hash\` and \`prevHash\`. Complete streams (a chain can only be checked from its start); \`metadata.occurredOn\` is the business date, compare it with the as-of date. |
| \`verification.json\` | the chain check the ledger ran when exporting, per stream (\`ok\`, \`eventsChecked\`, \`firstBroken\`) |
| \`read-model.json\` | the read-model rows (territory, its EPCIs, contracts, projects) valid on the as-of date |
| \`rebuilt.json\` | the territory folded from its own stream up to the as-of date |
| \`manifest.json\` | what was exported, when, and the hash recipe |
| \`verify_chain.py\` | the offline chain check below |
| \`checkpoint.json\` | the signed checkpoint (Ed25519) of the whole log the bundle was cut against: its size, its Merkle root |
| \`proofs.jsonl\` | for each line of \`events.jsonl\`, the event's RFC 9162 inclusion proof in that checkpoint's tree |
| \`public-key.pem\` | the ledger's checkpoint signing key (compare it with \`GET /audit/public-key\` or one published elsewhere) |
| \`verify_bundle.mjs\`, \`verify_bundle.py\` | the offline check of all three: Node 20+ alone, or Python 3 + openssl |
| \`SHA256SUMS\` | checksums of the other files |

## How each hash is made

\`hash = SHA-256( JCS({ stream, revision, type, schemaVersion, data, metadata, prevHash }) )\`, hex,
where JCS is the JSON Canonicalization Scheme (RFC 8785) and \`prevHash\` is the previous event's hash
in the same stream (\`""\` for revision 0). The values here hold strings, booleans, null and integers
only, so JCS is simply: keys sorted, no whitespace, UTF-8, strings escaped as JSON requires.

## Verify offline, against the signed checkpoint

\`node verify_bundle.mjs .\` (Node 20+, no dependency) or \`python3 verify_bundle.py .\` (Python 3's standard
library, and \`openssl\` 3.0+ for the signature) checks, exit code 0 when all hold:

1. \`checkpoint.json\` is signed by \`public-key.pem\`: Ed25519 over the RFC 8785 (JCS) UTF-8 bytes of its
   fields but \`signature\`; its \`keyId\` is the SHA-256 of the raw 32-byte public key;
2. every event hashes to its \`hash\` and chains to the previous event of its stream (below);
3. every event is in the checkpoint's Merkle tree: leaf = SHA-256(0x00 || the 32 bytes of \`hash\`),
   node = SHA-256(0x01 || left || right), verified with \`leafIndex\`, \`treeSize\` and \`inclusionPath\`
   (hex) by the algorithm of RFC 9162 §2.1.3.2 against \`rootHash\`.

The signature by hand: \`jq -jcS 'del(.signature)' checkpoint.json > body; jq -r .signature checkpoint.json |
base64 -d > sig; openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in body -sigfile sig\`.

An administrator of the database can recompute an event's hash chain (the algorithm is public),
but not its place in a tree whose root the ledger signed with a key kept outside the database:
such an event fails step 3. Keep \`checkpoint.json\` (or a later checkpoint, and check consistency
with \`GET /audit/proofs/consistency\`); \`npm run audit:verify -- --checkpoint checkpoint.json\` checks
the whole live log against it.

## Verify the chains alone

1. The files are the ones exported: \`sha256sum -c SHA256SUMS\`
2. Every chain, with python3 only: \`python3 verify_chain.py events.jsonl\` (exit code 0 when intact). The script:

\`\`\`python
${VERIFY_SCRIPT}\`\`\`

3. One event by hand, with jq and sha256sum (line 1 here; the two outputs must be equal):

\`\`\`sh
sed -n 1p events.jsonl | jq -jcS '{stream,revision,type,schemaVersion,data,metadata,prevHash}' | sha256sum
sed -n 1p events.jsonl | jq -r .hash
\`\`\`

A changed field changes that event's hash; a deleted or reordered event breaks the next event's
\`prevHash\` or the revision sequence. To check the bundle against the live ledger, compare
\`hash\` values with \`GET /audit/territories/${territoryId}/timeline\` or run \`GET /audit/verify\`.
`;
}

async function readModelRows(
  db: Kysely<Database>,
  table: 'contracts' | 'projects',
  territoryId: string,
  asOf: string | null,
) {
  const valid = asOf
    ? sql`valid_from <= ${asOf}::date and (valid_to is null or valid_to > ${asOf}::date)`
    : sql`valid_to is null`;
  try {
    const r = await sql<Record<string, unknown>>`select * from ${sql.table(`read.${table}`)}
      where territory_id = ${territoryId} and ${valid} order by 1`.execute(db);
    return r.rows;
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return { unavailable: `read.${table} does not exist` };
    throw err;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const stringify = (v: unknown) =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x), 2) + '\n';

export interface BundleResult {
  dir: string;
  events: number;
  streams: number;
  ok: boolean;
  files: string[];
}

/**
 * The checkpoint the bundle is cut against: the tree completed past the exported events, then
 * signed; each event's leaf found in it (an event committed behind an older open transaction
 * reaches the tree a moment later: waited for, briefly).
 */
async function cutCheckpoint(audit: AuditTrail, eventIds: string[]) {
  for (let attempt = 0; ; attempt++) {
    await audit.tree.catchUp();
    const checkpoint = await audit.checkpoints.take();
    const proofs = [];
    let missing: string | undefined;
    for (const id of eventIds) {
      const leaf = await audit.tree.leafOfEvent(id);
      if (!leaf || leaf.index >= checkpoint.logSize) {
        missing = id;
        break;
      }
      proofs.push({
        eventId: id,
        leafIndex: leaf.index,
        treeSize: checkpoint.logSize,
        inclusionPath: (await audit.tree.inclusion(leaf.index, checkpoint.logSize)).map((h) => h.toString('hex')),
      });
    }
    if (!missing) return { checkpoint, proofs };
    if (attempt >= 50) throw new Error(`event ${missing} has not reached the Merkle tree`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function exportBundle(
  deps: Dependencies & { pool: pg.Pool; db: Kysely<Database>; audit: AuditTrail },
  opts: { territoryId: string; asOf?: string | undefined; out: string; now: Date },
): Promise<BundleResult> {
  const { territoryId } = opts;
  const asOf = opts.asOf ?? null;
  const rows = await streamEvents(deps.store, await territoryStreams(deps.db, territoryId));
  const streams = [...new Set(rows.map((r) => r.stream))];
  if (streams.length === 0) throw new Error(`no event names territory ${territoryId}`);
  mkdirSync(opts.out, { recursive: true });
  if (readdirSync(opts.out).length > 0) throw new Error(`${opts.out} is not empty: give a new --out directory`);

  const files: Record<string, string> = {};
  files['events.jsonl'] = rows
    .map(
      (r) =>
        JSON.stringify({
          stream: r.stream,
          revision: Number(r.revision),
          type: r.type,
          schemaVersion: r.schemaVersion,
          data: r.data,
          metadata: r.metadata,
          prevHash: r.prevHash,
          hash: r.hash,
          position: r.position.toString(),
          eventId: r.id,
        }) + '\n',
    )
    .join('');

  const perStream = [];
  for (const stream of streams) {
    const v = await verifyChains(deps.store, { stream });
    perStream.push({ stream, ...v });
  }
  const ok = perStream.every((v) => v.ok);
  files['verification.json'] = stringify({ verifiedAt: opts.now.toISOString(), ok, streams: perStream });

  const [territory, contracts, projects, rebuilt] = await Promise.all([
    getTerritory(deps.db, territoryId, asOf ?? undefined),
    readModelRows(deps.db, 'contracts', territoryId, asOf),
    readModelRows(deps.db, 'projects', territoryId, asOf),
    territoryAsOf(deps, territoryId, asOf ?? undefined),
  ]);
  files['read-model.json'] = stringify({ asOf, territory: territory ?? null, contracts, projects });
  files['rebuilt.json'] = stringify({ asOf, ...rebuilt });
  const asOfEvents = asOf ? rows.filter((r) => r.metadata.occurredOn <= asOf).length : rows.length;
  const { checkpoint, proofs }: { checkpoint: SignedCheckpoint; proofs: unknown[] } = await cutCheckpoint(
    deps.audit,
    rows.map((r) => r.id),
  );
  files['checkpoint.json'] = JSON.stringify(checkpoint, null, 2) + '\n';
  files['proofs.jsonl'] = proofs.map((p) => JSON.stringify(p) + '\n').join('');
  files['public-key.pem'] = deps.audit.key.publicKeyPem;
  files['verify_bundle.mjs'] = VERIFY_BUNDLE_MJS;
  files['verify_bundle.py'] = VERIFY_BUNDLE_PY;
  files['manifest.json'] = stringify({
    territoryId,
    asOf,
    exportedAt: opts.now.toISOString(),
    events: rows.length,
    eventsOnOrBeforeAsOf: asOfEvents,
    streams,
    chainsOk: ok,
    checkpoint: { logSize: checkpoint.logSize, rootHash: checkpoint.rootHash, keyId: checkpoint.keyId },
    merkle: 'RFC 9162 §2.1: leaf = sha256(0x00 || hash bytes), node = sha256(0x01 || left || right), log order',
    hash: 'sha256(JCS({stream,revision,type,schemaVersion,data,metadata,prevHash})), RFC 8785',
  });
  files['verify_chain.py'] = VERIFY_SCRIPT;
  files['README.md'] = readme(territoryId, asOf, { events: rows.length, streams: streams.length });
  const names = Object.keys(files).sort();
  files['SHA256SUMS'] = names.map((n) => `${sha256(files[n]!)}  ${n}\n`).join('');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(opts.out, name), text);
  return { dir: opts.out, events: rows.length, streams: streams.length, ok, files: Object.keys(files).sort() };
}
