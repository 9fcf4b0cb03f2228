import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Dependencies } from '../application/commandHandler.ts';
import type { Database } from '../db/database.ts';
import { verifyChains } from '../eventstore/verify.ts';
import { getTerritory } from '../projections/territories/queries.ts';
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
| \`SHA256SUMS\` | checksums of the other files |

## How each hash is made

\`hash = SHA-256( JCS({ stream, revision, type, schemaVersion, data, metadata, prevHash }) )\`, hex,
where JCS is the JSON Canonicalization Scheme (RFC 8785) and \`prevHash\` is the previous event's hash
in the same stream (\`""\` for revision 0). The values here hold strings, booleans, null and integers
only, so JCS is simply: keys sorted, no whitespace, UTF-8, strings escaped as JSON requires.

## Verify offline

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

export async function exportBundle(
  deps: Dependencies & { pool: pg.Pool; db: Kysely<Database> },
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
  files['manifest.json'] = stringify({
    territoryId,
    asOf,
    exportedAt: opts.now.toISOString(),
    events: rows.length,
    eventsOnOrBeforeAsOf: asOfEvents,
    streams,
    chainsOk: ok,
    hash: 'sha256(JCS({stream,revision,type,schemaVersion,data,metadata,prevHash})), RFC 8785',
  });
  files['verify_chain.py'] = VERIFY_SCRIPT;
  files['README.md'] = readme(territoryId, asOf, { events: rows.length, streams: streams.length });
  const names = Object.keys(files).sort();
  files['SHA256SUMS'] = names.map((n) => `${sha256(files[n]!)}  ${n}\n`).join('');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(opts.out, name), text);
  return { dir: opts.out, events: rows.length, streams: streams.length, ok, files: Object.keys(files).sort() };
}
