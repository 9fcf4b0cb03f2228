import type { KeyObject } from 'node:crypto';
import type { EventStore, RecordedEvent } from '../eventstore/types.ts';
import { recompute } from '../eventstore/verify.ts';
import type { RawBatch } from '../eventstore/postgres.ts';
import { HashPool } from './hash-pool.ts';
import { Frontier, leafHash, verifyConsistency } from './merkle.ts';
import { checkSignature, CheckpointError, type SignedCheckpoint } from './signing.ts';
import type { LeafInfo, MerkleLog } from './tree.ts';

/**
 * Verification against an anchor: a signed checkpoint the auditor holds (docs/adr/0008-merkle-log.md).
 *
 * The tree of the first `logSize` events is recomputed from the events themselves (each leaf from
 * the chain hash recomputed from the event's content, never from a stored hash or a stored node)
 * and its root compared with the signed one; every chain is checked on the way. When they differ,
 * the first event that differs is named with the help of the stored leaves, which are trusted for
 * that only if they themselves give the signed root (then an administrator cannot have forged them
 * without a SHA-256 collision); otherwise the earlier signed checkpoints of the witness files bound
 * where the change lies.
 */
export interface Difference {
  /** 0-based index of the first leaf (event in log order) that differs. */
  index: number;
  stream: string | null;
  revision: number | null;
  eventId: string | null;
  position: string | null;
  reason: string;
}

export interface AnchorResult {
  ok: boolean;
  checkpoint: { logSize: number; rootHash: string; createdAt: string; keyId: string };
  /** Events read from the log (all of it: chains are checked past the checkpoint too). */
  eventsChecked: number;
  streamsChecked: number;
  /** Root recomputed from the first logSize events (null when the log holds fewer). */
  computedRoot: string | null;
  firstDifference: Difference | null;
  /** The first broken hash chain, if any. */
  brokenChain: Difference | null;
  /** Earlier signed checkpoints (witness files) whose size the log reached: how many still match. */
  witnessChecked: number;
  witnessMismatches: number[];
}

/** A batch of the log in log order with each event's recomputed chain hash and leaf hash. */
interface HashedBatch {
  id: string[];
  stream: string[];
  revision: string[];
  position: string[];
  prevHash: string[];
  /** The chain hash the store holds (hex). */
  hash: string[];
  /** 32 bytes per event: the chain hash recomputed from the event's content. */
  chain: Buffer;
  /** 32 bytes per event: the Merkle leaf of that recomputed hash. */
  leaf: Buffer;
}

interface RawSource {
  readRawBatch(after: string | undefined, batchSize: number): Promise<RawBatch>;
}

const BATCH = 5000;

interface HashOptions {
  workers: number | undefined;
  batchSize: number;
}

/** Marks a promise handled now (it is awaited later, or dropped when the verification stops early). */
const quiet = <T>(p: Promise<T>): Promise<T> => {
  p.catch(() => undefined);
  return p;
};

/**
 * The whole log in log order, hashed. On PostgreSQL the rows come as text in keyset batches and
 * are hashed by the pool's workers while the next batches are read (the database, the workers and
 * the main thread's chain and tree checks overlap); elsewhere through `readAll`, hashed inline.
 */
async function* hashedLog(store: EventStore, { workers, batchSize }: HashOptions): AsyncGenerator<HashedBatch> {
  const s = store as EventStore & Partial<RawSource>;
  if (typeof s.readRawBatch !== 'function') {
    let batch: RecordedEvent[] = [];
    const flush = (): HashedBatch => {
      const chain = Buffer.allocUnsafe(32 * batch.length);
      const leaf = Buffer.allocUnsafe(32 * batch.length);
      batch.forEach((e, i) => {
        const h = Buffer.from(recompute(e), 'hex');
        h.copy(chain, 32 * i);
        leafHash(h).copy(leaf, 32 * i);
      });
      const out = {
        id: batch.map((e) => e.id),
        stream: batch.map((e) => e.stream),
        revision: batch.map((e) => e.revision.toString()),
        position: batch.map((e) => e.position.toString()),
        prevHash: batch.map((e) => e.prevHash),
        hash: batch.map((e) => e.hash),
        chain,
        leaf,
      };
      batch = [];
      return out;
    };
    for await (const e of store.readAll({ batchSize })) {
      batch.push(e);
      if (batch.length === batchSize) yield flush();
    }
    if (batch.length > 0) yield flush();
    return;
  }
  const read = s.readRawBatch.bind(s);
  const inflight: Promise<HashedBatch>[] = [];
  let reading: Promise<RawBatch> | undefined = quiet(read(undefined, batchSize));
  // workers only for a log of more than one batch (starting one costs a few hundred ms)
  let pool: HashPool | undefined;
  try {
    for (;;) {
      while (reading && inflight.length < (pool?.size ?? 0) + 2) {
        const raw: RawBatch = await reading;
        const n = raw.id.length;
        reading = n === batchSize ? quiet(read(`${raw.txid[n - 1]}/${raw.position[n - 1]}`, batchSize)) : undefined;
        if (n === 0) break;
        pool ??= new HashPool(reading && workers !== 0 ? (workers === undefined ? {} : { workers }) : { workers: 0 });
        const { stream, revision, type, schemaVersion, data, metadata, prevHash } = raw;
        inflight.push(
          quiet(
            pool
              .hash({ stream, revision, type, schemaVersion, data, metadata, prevHash })
              .then((h) => ({ id: raw.id, stream, revision, position: raw.position, prevHash, hash: raw.hash, ...h })),
          ),
        );
      }
      const next = inflight.shift();
      if (!next) return;
      yield await next;
    }
  } finally {
    await pool?.close();
  }
}

export async function verifyAgainstCheckpoint(
  deps: { store: EventStore; tree: MerkleLog },
  checkpoint: SignedCheckpoint,
  publicKey: KeyObject,
  opts: {
    witness?: SignedCheckpoint[];
    onProgress?: (events: number) => void;
    /** Hashing worker threads (default: AUDIT_VERIFY_WORKERS, else the cores, at most 4; 0: inline). */
    workers?: number;
    /** Events per read (default 5,000); tests make it small to cross batches. */
    batchSize?: number;
  } = {},
): Promise<AnchorResult> {
  checkSignature(checkpoint, publicKey);
  const size = checkpoint.logSize;
  const witness = new Map<number, SignedCheckpoint>();
  for (const w of opts.witness ?? []) {
    if (w.keyId !== checkpoint.keyId) continue;
    checkSignature(w, publicKey);
    if (w.logSize <= size) witness.set(w.logSize, w);
  }
  witness.set(size, checkpoint);
  // a first pass reads the events only; the stored leaves, which name what differs, are read in
  // a second pass when there is something to name
  const hashing = { workers: opts.workers, batchSize: opts.batchSize ?? BATCH };
  const first = await pass(deps, hashing, checkpoint, witness, false, opts.onProgress);
  return first.ok || (first.brokenChain !== null && first.firstDifference === null)
    ? first
    : pass(deps, hashing, checkpoint, witness, true, opts.onProgress);
}

async function pass(
  deps: { store: EventStore; tree: MerkleLog },
  hashing: HashOptions,
  checkpoint: SignedCheckpoint,
  witness: Map<number, SignedCheckpoint>,
  withHints: boolean,
  onProgress: ((events: number) => void) | undefined,
): Promise<AnchorResult> {
  const size = checkpoint.logSize;
  const frontier = new Frontier();
  const stored = new Frontier();
  let storedComplete = true;
  let hint: (LeafInfo & { checkpoint: string })[] = [];
  let hintFrom = 0;
  const heads = new Map<string, { revision: number; hash: string }>();
  let firstHintMismatch: Difference | null = null;
  let brokenChain: Difference | null = null;
  let lastGoodWitness = 0;
  let firstBadWitness: number | null = null;
  const witnessMismatches: number[] = [];
  let witnessChecked = 0;
  let n = 0;
  const HINT_PAGE = 2000;

  for await (const b of hashedLog(deps.store, hashing)) {
    for (let i = 0; i < b.id.length; i++) {
      const stream = b.stream[i]!;
      const revision = Number(b.revision[i]);
      const storedHash = b.hash[i]!;
      // the chain
      const last = heads.get(stream);
      const expected = last ? last.revision + 1 : 0;
      const why =
        revision !== expected
          ? `revision ${revision} where ${expected} was expected`
          : b.prevHash[i] !== (last?.hash ?? '')
            ? 'prev_hash does not name the previous event of the stream'
            : b.chain.toString('hex', 32 * i, 32 * i + 32) !== storedHash
              ? 'hash mismatch: the event differs from what was hashed'
              : undefined;
      if (why && !brokenChain) {
        brokenChain = { index: n, stream, revision, eventId: b.id[i]!, position: b.position[i]!, reason: why };
      }
      if (last) {
        last.revision = revision;
        last.hash = storedHash;
      } else heads.set(stream, { revision, hash: storedHash });

      if (n < size) {
        const leaf = b.leaf.subarray(32 * i, 32 * i + 32);
        frontier.add(leaf);
        if (!withHints) storedComplete = false;
        else if (n >= hintFrom + hint.length) {
          hintFrom = n;
          hint = await deps.tree.leaves(n, Math.min(size, n + HINT_PAGE));
        }
        const s = withHints ? hint[n - hintFrom] : undefined;
        if (!s || s.index !== n) storedComplete = false;
        else {
          stored.add(s.hash);
          if (!firstHintMismatch && !s.hash.equals(leaf)) {
            const id = b.id[i]!;
            firstHintMismatch =
              s.eventId === id
                ? {
                    index: n,
                    stream,
                    revision,
                    eventId: id,
                    position: b.position[i]!,
                    reason: `event ${id} (${stream} revision ${revision}) was altered: its content no longer hashes to the leaf the signed tree holds`,
                  }
                : {
                    index: n,
                    stream: s.stream,
                    revision: Number(s.revision),
                    eventId: s.eventId,
                    position: s.position.toString(),
                    reason: `log index ${n} held event ${s.eventId} (${s.stream} revision ${s.revision}); the log now has ${id} (${stream} revision ${revision}) there: events were removed, inserted or reordered`,
                  };
          }
        }
        const w = witness.get(frontier.size);
        if (w) {
          witnessChecked++;
          if (frontier.root().toString('hex') === w.rootHash) {
            if (firstBadWitness === null) lastGoodWitness = w.logSize;
          } else {
            witnessMismatches.push(w.logSize);
            firstBadWitness ??= w.logSize;
          }
        }
      }
      n++;
      if (n % 10_000 === 0) onProgress?.(n);
    }
  }
  onProgress?.(n);

  const result = (computedRoot: string | null, firstDifference: Difference | null): AnchorResult => ({
    ok: firstDifference === null && brokenChain === null,
    checkpoint: {
      logSize: checkpoint.logSize,
      rootHash: checkpoint.rootHash,
      createdAt: checkpoint.createdAt,
      keyId: checkpoint.keyId,
    },
    eventsChecked: n,
    streamsChecked: heads.size,
    computedRoot,
    firstDifference,
    brokenChain,
    witnessChecked,
    witnessMismatches,
  });

  // the stored leaves are evidence only if they give the signed root
  const hintTrusted = storedComplete && stored.size === size && stored.root().toString('hex') === checkpoint.rootHash;

  if (n < size) {
    let missing: LeafInfo | undefined;
    if (storedComplete) {
      // the stored tree is trusted if its leaves (the n the log still has and the rest) give the signed root
      let first: LeafInfo | undefined;
      for (let from = n; from < size && storedComplete; from += HINT_PAGE) {
        const page = await deps.tree.leaves(from, Math.min(size, from + HINT_PAGE));
        first ??= page[0];
        page.forEach((l, i) => {
          if (l.index !== from + i) storedComplete = false;
          else stored.push(l.hash);
        });
        if (page.length === 0) storedComplete = false;
      }
      if (storedComplete && stored.size === size && stored.root().toString('hex') === checkpoint.rootHash) {
        missing = first;
      }
    }
    const what = missing
      ? `; the first missing is event ${missing.eventId} (${missing.stream} revision ${missing.revision})`
      : '';
    return result(
      null,
      firstHintMismatch ?? {
        index: n,
        stream: missing?.stream ?? null,
        revision: missing ? Number(missing.revision) : null,
        eventId: missing?.eventId ?? null,
        position: missing ? missing.position.toString() : null,
        reason: `the log holds ${n} events but the checkpoint signed ${size}: ${size - n} were removed${what}`,
      },
    );
  }

  const root = frontier.root().toString('hex');
  if (root === checkpoint.rootHash) return result(root, null);
  if (hintTrusted && firstHintMismatch) return result(root, firstHintMismatch);
  // the stored tree was rewritten too: the witnessed checkpoints bound the change
  const lo = lastGoodWitness;
  const hi = firstBadWitness ?? size;
  return result(root, {
    index: lo,
    stream: null,
    revision: null,
    eventId: null,
    position: null,
    reason:
      `the root of the first ${size} events differs from the signed one, and the stored tree was rewritten too; ` +
      `the first ${lo} events still give the root signed at size ${lo}, so the change lies among log indices ${lo}..${hi - 1}` +
      (firstHintMismatch
        ? ` (the stored tree first disagrees at index ${firstHintMismatch.index}: ${firstHintMismatch.reason})`
        : ''),
  });
}

/**
 * Without an anchor from the auditor: the latest stored checkpoint must be consistent (RFC 9162
 * consistency proof from the stored tree) with every earlier one in the witness files, and none
 * of those may be larger than it (a database that lost checkpoints).
 */
export interface WitnessResult {
  ok: boolean;
  latest: { logSize: number; rootHash: string } | null;
  witnessed: number;
  problems: string[];
}

export async function verifyWitness(
  deps: { tree: MerkleLog },
  latest: SignedCheckpoint | undefined,
  witness: { checkpoints: SignedCheckpoint[]; bad: { line: number; error: string }[] },
  publicKey: KeyObject,
): Promise<WitnessResult> {
  const problems = witness.bad.map((b) => `witness file line ${b.line}: ${b.error}`);
  if (latest) {
    try {
      checkSignature(latest, publicKey);
    } catch (e) {
      problems.push(`latest stored checkpoint (size ${latest.logSize}): ${(e as Error).message}`);
    }
  }
  for (const w of witness.checkpoints) {
    try {
      checkSignature(w, publicKey);
    } catch (e) {
      if (e instanceof CheckpointError) {
        problems.push(`witness checkpoint of size ${w.logSize}: ${e.message}`);
        continue;
      }
      throw e;
    }
    if (!latest || w.logSize > latest.logSize) {
      problems.push(
        `the witness files hold a checkpoint of size ${w.logSize}, larger than the latest stored one (${latest?.logSize ?? 'none'}): the database lost checkpoints`,
      );
      continue;
    }
    let proof;
    try {
      proof = await deps.tree.consistency(w.logSize, latest.logSize);
    } catch (e) {
      problems.push(`no consistency proof from size ${w.logSize} to ${latest.logSize}: ${(e as Error).message}`);
      continue;
    }
    if (
      !verifyConsistency(
        w.logSize,
        latest.logSize,
        proof,
        Buffer.from(w.rootHash, 'hex'),
        Buffer.from(latest.rootHash, 'hex'),
      )
    ) {
      problems.push(
        `the latest stored checkpoint (size ${latest.logSize}) is not consistent with the witnessed one of size ${w.logSize}`,
      );
    }
  }
  return {
    ok: problems.length === 0,
    latest: latest ? { logSize: latest.logSize, rootHash: latest.rootHash } : null,
    witnessed: witness.checkpoints.length,
    problems,
  };
}
