import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { JsonObject } from './types.ts';

/**
 * RFC 8785 (JSON Canonicalization Scheme) text of a JSON value. A fast path for what JSON.parse
 * and the domain produce (plain objects, arrays, finite numbers, strings without surrogates,
 * booleans, null), the same text as the `canonicalize` package gives; anything else (a lone
 * surrogate, a non-finite number, toJSON, a class instance, a bigint) goes to that package, which
 * answers or throws as it always did. test/eventstore/hash.unit.test.ts checks both agree.
 */
export function canonicalJson(value: unknown): string {
  return jcs(value);
}

function libraryJcs(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value cannot be canonicalised');
  return text;
}

const SURROGATE = /[\ud800-\udfff]/;

function jcs(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return SURROGATE.test(v) ? libraryJcs(v) : JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : libraryJcs(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) {
          if (!(i in v)) return libraryJcs(v); // a hole: as the package renders it
          const x: unknown = v[i];
          if (i > 0) s += ',';
          s += x === undefined || typeof x === 'symbol' ? 'null' : jcs(x);
        }
        return `${s}]`;
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if ((proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === 'function') {
        return libraryJcs(v);
      }
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).sort();
      let s = '{';
      let first = true;
      for (const k of keys) {
        const x = o[k];
        if (x === undefined || typeof x === 'symbol') continue;
        if (!first) s += ',';
        first = false;
        s += `${jcs(k)}:${jcs(x)}`;
      }
      return `${s}}`;
    }
    default:
      return libraryJcs(v);
  }
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

/**
 * One event's canonical texts, each computed once: the JCS of its data and of its recorded metadata
 * (also the JSON the store writes), its content digest (as `contentDigest`) and its chain hash (as
 * `eventHash`). The appender's hot path: data and metadata are canonicalised once, not per use.
 */
export class CanonicalEvent {
  readonly data: string;
  readonly metadata: string;
  readonly digest: string;
  private readonly type: string;
  private readonly schemaVersion: string;

  constructor(
    e: { type: string; schemaVersion: number; data: JsonObject; metadata: { [k: string]: unknown } },
    recordedAt: string,
  ) {
    this.data = canonicalJson(e.data);
    this.type = canonicalJson(e.type);
    this.schemaVersion = canonicalJson(e.schemaVersion);
    // the caller's members, recordedAt aside (the digest leaves it out; the record sets its own)
    const members: [string, string][] = [];
    for (const [k, v] of Object.entries(e.metadata)) {
      if (k === 'recordedAt' || v === undefined || typeof v === 'symbol') continue;
      members.push([k, `${canonicalJson(k)}:${canonicalJson(v)}`]);
    }
    const caller = sortedObject(members);
    members.push(['recordedAt', `"recordedAt":${canonicalJson(recordedAt)}`]);
    this.metadata = sortedObject(members);
    // keys in RFC 8785 order: data, metadata, schemaVersion, type
    this.digest = sha256Hex(
      `{"data":${this.data},"metadata":${caller},"schemaVersion":${this.schemaVersion},"type":${this.type}}`,
    );
  }

  /** The chain hash of this event at `revision` of `stream` after `prevHash`. */
  hash(stream: string, revision: bigint, prevHash: string): string {
    // keys in RFC 8785 order: data, metadata, prevHash, revision, schemaVersion, stream, type
    return sha256Hex(
      `{"data":${this.data},"metadata":${this.metadata},"prevHash":${canonicalJson(prevHash)},"revision":${canonicalJson(
        Number(revision),
      )},"schemaVersion":${this.schemaVersion},"stream":${canonicalJson(stream)},"type":${this.type}}`,
    );
  }
}

/** `{...}` of canonical members, sorted by key in UTF-16 code units as RFC 8785 wants. */
function sortedObject(members: [string, string][]): string {
  return `{${members
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, m]) => m)
    .join(',')}}`;
}

/**
 * What no backend can store faithfully: U+0000 (PostgreSQL's jsonb refuses it) and lone UTF-16
 * surrogates (not Unicode scalar values: jsonb refuses them, UTF-8 cannot encode them, RFC 8785
 * hashing would be ambiguous). Refused up front with the path of the value rather than failing
 * inside a transaction.
 */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function unstorable(s: string): string | undefined {
  const m = UNSTORABLE.exec(s);
  if (!m) return undefined;
  return m[0] === '\u0000' ? 'U+0000 is not allowed' : 'a lone UTF-16 surrogate is not allowed';
}

/** The first unstorable string (or key) in a JSON value: `"<why> (at <path>)"`, else undefined. */
export function findUnstorable(value: unknown, path = '$'): string | undefined {
  if (typeof value === 'string') {
    const why = unstorable(value);
    return why ? `${why} (at ${path})` : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = findUnstorable(value[i], `${path}[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const why = unstorable(k);
      if (why) return `${why} (at ${path}.${k})`;
      const p = findUnstorable(v, `${path}.${k}`);
      if (p) return p;
    }
  }
  return undefined;
}
