import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { JsonObject } from './types.ts';

/** RFC 8785 (JSON Canonicalization Scheme) text of a JSON value. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value cannot be canonicalised');
  return text;
}

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export interface HashInput {
  stream: string;
  revision: bigint;
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: { [k: string]: unknown };
  prevHash: string;
}

/**
 * hash = SHA-256(JCS({ stream, revision, type, schemaVersion, data, metadata, prevHash })).
 * `revision` is written as a JSON number. See docs/adr/0003-hash-chain.md.
 */
export function eventHash(e: HashInput): string {
  return sha256Hex(
    canonicalJson({
      stream: e.stream,
      revision: Number(e.revision),
      type: e.type,
      schemaVersion: e.schemaVersion,
      data: e.data,
      metadata: e.metadata,
      prevHash: e.prevHash,
    }),
  );
}

/** Digest of what the caller chose (not where or when it was recorded): tells a retry from a clash. */
export function contentDigest(e: {
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: { [k: string]: unknown };
}): string {
  const { recordedAt: _recordedAt, ...callerMetadata } = e.metadata;
  return sha256Hex(
    canonicalJson({ type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata: callerMetadata }),
  );
}

/** PostgreSQL's jsonb cannot hold U+0000; refuse it up front rather than fail inside a transaction. */
export function findNul(value: unknown, path = '$'): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = findNul(value[i], `${path}[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) return `${path}.${k}`;
      const p = findNul(v, `${path}.${k}`);
      if (p) return p;
    }
  }
  return undefined;
}
