import { hash } from 'node:crypto';
import { canonicalJson } from '../eventstore/hash.ts';

/**
 * The verifier's per-event work, on raw rows (docs/adr/0008-merkle-log.md, "Verification throughput"): each event's
 * chain hash recomputed from its content as ADR 0003 defines it (SHA-256 of the RFC 8785 text of
 * `{ data, metadata, prevHash, revision, schemaVersion, stream, type }`), and its Merkle leaf hash
 * (RFC 9162: SHA-256(0x00 ‖ the 32 bytes of that hash)). `data` and `metadata` arrive as the JSON
 * text the database holds and are parsed here, so this runs in a worker thread
 * (src/audit/hash-pool.ts) as well as inline. Same result as `eventHash` (test/audit/row-hash).
 */
export interface RowsToHash {
  stream: string[];
  revision: string[];
  type: string[];
  schemaVersion: number[];
  data: string[];
  metadata: string[];
  prevHash: string[];
}

export interface RowHashes {
  /** 32 bytes per event: the chain hash recomputed from its content. */
  chain: Buffer;
  /** 32 bytes per event: its leaf hash. */
  leaf: Buffer;
}

export function hashRows(rows: RowsToHash): RowHashes {
  const n = rows.stream.length;
  const chain = Buffer.allocUnsafeSlow(32 * n); // never the shared pool: the worker transfers it
  const leaf = Buffer.allocUnsafeSlow(32 * n);
  const scratch = Buffer.alloc(33); // 0x00 ‖ chain hash
  for (let i = 0; i < n; i++) {
    // keys in RFC 8785 order: data, metadata, prevHash, revision, schemaVersion, stream, type
    const text =
      `{"data":${canonicalJson(JSON.parse(rows.data[i]!))},"metadata":${canonicalJson(JSON.parse(rows.metadata[i]!))}` +
      `,"prevHash":${canonicalJson(rows.prevHash[i])},"revision":${canonicalJson(Number(rows.revision[i]))}` +
      `,"schemaVersion":${canonicalJson(rows.schemaVersion[i])},"stream":${canonicalJson(rows.stream[i])}` +
      `,"type":${canonicalJson(rows.type[i])}}`;
    const h = hash('sha256', text, 'buffer');
    h.copy(chain, 32 * i);
    h.copy(scratch, 1);
    hash('sha256', scratch, 'buffer').copy(leaf, 32 * i);
  }
  return { chain, leaf };
}
