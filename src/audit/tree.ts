import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import type { EventStore, RecordedEvent } from '../eventstore/types.ts';
import {
  consistencyProof,
  edgeOf,
  Frontier,
  inclusionProof,
  leafHash,
  mapSource,
  nodeHash,
  nodesFor,
  rootHash,
  type Hash,
  type NodeSource,
} from './merkle.ts';
import { parseCheckpoint, signCheckpoint, type SignedCheckpoint, type SigningKey } from './signing.ts';

/**
 * The Merkle tree over the log, kept in PostgreSQL (migration 0008) whichever backend holds the
 * events: it follows `readAll` (log order on PostgreSQL, `$all` order on EventStoreDB) and adds one
 * leaf per event, SHA-256(0x00 || chain hash bytes), in batches, each batch in one transaction with
 * the tree's new size and resume point. Appends never wait for it. After a crash the tree is
 * simply behind and the next `catchUp` completes it. Several instances may run it: the state row
 * is locked per batch.
 *
 * The stored nodes only serve proofs; the verifier (anchor.ts) recomputes the tree from the events.
 */
export interface TreeHead {
  size: number;
  root: Hash;
  lastPosition: string | null;
  lastCheckpoint: string | null;
}

export interface LeafInfo {
  index: number;
  eventId: string;
  stream: string;
  revision: bigint;
  position: bigint;
  hash: Hash;
}

export class MerkleLog {
  constructor(private readonly deps: { store: EventStore; pool: pg.Pool }) {}

  /** Adds the log's new events to the tree, `batchSize` per transaction; returns the new size. */
  async catchUp(opts: { batchSize?: number; maxEvents?: number; stop?: () => boolean } = {}): Promise<number> {
    const batchSize = opts.batchSize ?? 2000;
    let budget = opts.maxEvents ?? Number.POSITIVE_INFINITY;
    for (;;) {
      const { size, added } = await this.batch(Math.min(batchSize, budget));
      budget -= added;
      if (added < batchSize || budget <= 0 || opts.stop?.()) return size + added;
    }
  }

  /** One batch of at most `take` events added to the tree, in one transaction. */
  private async batch(take: number): Promise<{ size: number; added: number }> {
    {
      const client = await this.deps.pool.connect();
      try {
        // An asynchronous commit: the appenders' commits do not wait behind the tree's (the tree is
        // a cache; a batch lost in a crash is made again from the same events at the next start).
        // A checkpoint's own commit is synchronous and flushes the WAL up to it, so every batch a
        // reported checkpoint covers is durable first (ADR 0008).
        await client.query('begin; set local synchronous_commit = off');
        const st = await client.query<{ size: string; after_checkpoint: string | null }>(
          'select size, after_checkpoint from es.merkle_state for update',
        );
        const size = Number(st.rows[0]!.size);
        const after = st.rows[0]!.after_checkpoint ?? undefined;
        const frontier = Frontier.restore(size, await this.edge(size, client));
        if (this.eventsHere()) {
          const added = await this.batchInDatabase(client, frontier, size, after, take);
          await client.query('commit');
          return { size, added };
        }
        const lv: number[] = [];
        const ix: string[] = [];
        const hs: Buffer[] = [];
        const leaves: {
          idx: string;
          id: string;
          stream: string;
          rev: string;
          pos: string;
          cp: string;
          hash: Buffer;
        }[] = [];
        let last: string | undefined;
        for await (const e of this.headers(after, take)) {
          const leaf = leafHash(Buffer.from(e.hash, 'hex'));
          for (const n of frontier.push(leaf)) {
            if (n.level < STORED_FROM) continue;
            lv.push(n.level);
            ix.push(String(n.index));
            hs.push(n.hash);
          }
          leaves.push({
            idx: String(size + leaves.length),
            id: e.id,
            stream: e.stream,
            rev: e.revision.toString(),
            pos: e.position.toString(),
            cp: e.checkpoint,
            hash: leaf,
          });
          last = e.checkpoint;
          if (leaves.length >= take) break;
        }
        const added = leaves.length;
        if (added > 0) {
          if (lv.length > 0) {
            await client.query(
              `insert into es.merkle_nodes (level, idx, hash)
               select * from unnest($1::smallint[], $2::bigint[], $3::bytea[])`,
              [lv, ix, hs],
            );
          }
          await client.query(
            `insert into es.merkle_leaves (idx, event_id, stream_name, revision, position, checkpoint, hash)
             select * from unnest($1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::bigint[], $6::text[],
                                  $7::bytea[])`,
            [
              leaves.map((l) => l.idx),
              leaves.map((l) => l.id),
              leaves.map((l) => l.stream),
              leaves.map((l) => l.rev),
              leaves.map((l) => l.pos),
              leaves.map((l) => l.cp),
              leaves.map((l) => l.hash),
            ],
          );
          await client.query('update es.merkle_state set size = $1, after_checkpoint = $2', [size + added, last]);
        }
        await client.query('commit');
        return { size, added };
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    }
  }

  /** Whether the events are in the tree's own PostgreSQL database (the PostgreSQL backend). */
  private eventsHere(): boolean {
    const store = this.deps.store as EventStore & { usesPool?: (pool: pg.Pool) => boolean };
    return typeof store.usesPool === 'function' && store.usesPool(this.deps.pool);
  }

  /**
   * The batch on the PostgreSQL backend: the leaf rows are made by one statement inside the
   * database (each leaf SHA-256(0x00 ‖ chain hash) by PostgreSQL's sha256()), which answers only
   * the new leaf hashes, concatenated; Node adds them to the frontier and stores the complete
   * subtrees. The appenders' process parses and sends no event rows for the tree (ADR 0008,
   * "Cost on the append path"). Same rows as the generic path (test/audit/tree).
   */
  private async batchInDatabase(
    client: pg.PoolClient,
    frontier: Frontier,
    size: number,
    after: string | undefined,
    take: number,
  ): Promise<number> {
    const r = await client.query<{ leaves: Buffer | null; n: number; last: string | null }>({
      name: 'merkle_leaves_batch',
      text: `with batch as (
          select transaction_id, position, stream_name, revision, event_id, hash from es.events
           where (transaction_id, position) > (split_part($1, '/', 1)::xid8, split_part($1, '/', 2)::bigint)
             and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
           order by transaction_id, position
           limit $2),
        added as (
          insert into es.merkle_leaves (idx, event_id, stream_name, revision, position, checkpoint, hash)
          select $3::bigint + row_number() over (order by transaction_id, position) - 1, event_id, stream_name,
                 revision, position, transaction_id::text || '/' || position, sha256(decode('00' || hash, 'hex'))
            from batch
          returning idx, checkpoint, hash)
        select string_agg(hash, ''::bytea order by idx) as leaves, count(*)::int as n,
               (array_agg(checkpoint order by idx desc))[1] as last
          from added`,
      values: [after ?? '0/0', take, size],
    });
    const { leaves, n, last } = r.rows[0]!;
    if (n === 0 || !leaves) return 0;
    const lv: number[] = [];
    const ix: string[] = [];
    const hs: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      for (const node of frontier.push(leaves.subarray(32 * i, 32 * i + 32))) {
        if (node.level < STORED_FROM) continue;
        lv.push(node.level);
        ix.push(String(node.index));
        hs.push(node.hash);
      }
    }
    if (lv.length > 0) {
      await client.query(
        `insert into es.merkle_nodes (level, idx, hash) select * from unnest($1::smallint[], $2::bigint[], $3::bytea[])`,
        [lv, ix, hs],
      );
    }
    await client.query('update es.merkle_state set size = $1, after_checkpoint = $2', [size + n, last]);
    return n;
  }

  /** The log after `after`, as much as the tree needs of each event (PostgreSQL: without the content). */
  private async *headers(after: string | undefined, take: number): AsyncIterable<Header> {
    const store = this.deps.store as EventStore & Partial<HeaderSource>;
    if (typeof store.readHeaders === 'function') yield* await store.readHeaders(after, take);
    else yield* this.deps.store.readAll({ after, batchSize: take });
  }

  /** The right-edge nodes of the stored tree of `size` leaves. */
  private async edge(size: number, q: Pick<pg.Pool, 'query'> = this.deps.pool) {
    const want = edgeOf(size);
    const got = await this.fetch(want, q);
    return want.map(([level, index]) => ({ level, index, hash: got.node(level, index) }));
  }

  /**
   * Fetches the nodes a computation needs: stored ones (16 leaves or more) in one query, smaller
   * ones hashed from their leaves (at most 8 each), read in one more query.
   */
  async fetch(pairs: [number, number][], q: Pick<pg.Pool, 'query'> = this.deps.pool): Promise<NodeSource> {
    const nodes = new Map<string, Hash>();
    const high = pairs.filter(([level]) => level >= STORED_FROM);
    const low = pairs.filter(([level]) => level < STORED_FROM);
    if (high.length > 0) {
      const r = await q.query<{ level: number; idx: string; hash: Buffer }>(
        `select n.level, n.idx, n.hash from es.merkle_nodes n
           join unnest($1::smallint[], $2::bigint[]) u(level, idx) on n.level = u.level and n.idx = u.idx`,
        [high.map((p) => p[0]), high.map((p) => String(p[1]))],
      );
      for (const row of r.rows) nodes.set(`${row.level}/${row.idx}`, row.hash);
    }
    if (low.length > 0) {
      const r = await q.query<{ idx: string; hash: Buffer }>(
        `select l.idx, l.hash from es.merkle_leaves l
           join unnest($1::bigint[], $2::bigint[]) u(lo, hi) on l.idx >= u.lo and l.idx < u.hi`,
        [
          low.map(([level, index]) => String(index * 2 ** level)),
          low.map(([level, index]) => String((index + 1) * 2 ** level)),
        ],
      );
      const leaves = new Map(r.rows.map((row) => [Number(row.idx), row.hash]));
      const hashUp = (level: number, index: number): Hash | undefined => {
        if (level === 0) return leaves.get(index);
        const l = hashUp(level - 1, 2 * index);
        const rt = hashUp(level - 1, 2 * index + 1);
        return l && rt ? nodeHash(l, rt) : undefined;
      };
      for (const [level, index] of low) {
        const h = hashUp(level, index);
        if (h) nodes.set(`${level}/${index}`, h);
      }
    }
    return mapSource(nodes);
  }

  async size(): Promise<number> {
    const r = await this.deps.pool.query<{ size: string }>('select size from es.merkle_state');
    return Number(r.rows[0]?.size ?? 0);
  }

  /** The stored tree's head (size, root, last event) now. */
  async head(): Promise<TreeHead> {
    const size = await this.size();
    const root = rootHash(await this.fetch(nodesFor((s) => rootHash(s, size))), size);
    const last = size > 0 ? await this.leaf(size - 1) : undefined;
    return {
      size,
      root,
      lastPosition: last ? last.position.toString() : null,
      lastCheckpoint: last ? last.checkpoint : null,
    };
  }

  async leaf(index: number): Promise<(LeafInfo & { checkpoint: string }) | undefined> {
    const r = await this.deps.pool.query<LeafRow>(`${LEAF_SELECT} where l.idx = $1`, [index]);
    return r.rows[0] ? toLeaf(r.rows[0]) : undefined;
  }

  async leafOfEvent(eventId: string): Promise<(LeafInfo & { checkpoint: string }) | undefined> {
    // through the log (event_id -> position), then the leaves' position index (migration 0017)
    const r = await this.deps.pool.query<LeafRow>(
      `${LEAF_SELECT} where l.position = (select e.position from es.events e where e.event_id = $1) and l.event_id = $1`,
      [eventId],
    );
    return r.rows[0] ? toLeaf(r.rows[0]) : undefined;
  }

  /** Stored leaves [from, to) in index order (the verifier's hint of what each leaf was). */
  async leaves(from: number, to: number): Promise<(LeafInfo & { checkpoint: string })[]> {
    const r = await this.deps.pool.query<LeafRow>(`${LEAF_SELECT} where l.idx >= $1 and l.idx < $2 order by l.idx`, [
      from,
      to,
    ]);
    return r.rows.map(toLeaf);
  }

  async root(size: number): Promise<Hash> {
    return rootHash(await this.fetch(nodesFor((s) => rootHash(s, size))), size);
  }

  async inclusion(index: number, size: number): Promise<Hash[]> {
    const src = await this.fetch(nodesFor((s) => inclusionProof(s, index, size)));
    return inclusionProof(src, index, size);
  }

  async consistency(from: number, to: number): Promise<Hash[]> {
    const src = await this.fetch(nodesFor((s) => consistencyProof(s, from, to)));
    return consistencyProof(src, from, to);
  }
}

/** Subtrees of 2^4 = 16 leaves and more are stored; smaller ones are hashed from the leaves. */
const STORED_FROM = 4;

type Header = Pick<RecordedEvent, 'id' | 'stream' | 'revision' | 'position' | 'checkpoint' | 'hash'>;
interface HeaderSource {
  readHeaders(after: string | undefined, batchSize: number): Promise<Header[]>;
}

type LeafRow = {
  idx: string;
  event_id: string;
  stream_name: string;
  revision: string;
  position: string;
  checkpoint: string;
  hash: Buffer;
};
const LEAF_SELECT = `select l.idx, l.event_id, l.stream_name, l.revision, l.position, l.checkpoint, l.hash
  from es.merkle_leaves l`;
const toLeaf = (r: LeafRow) => ({
  index: Number(r.idx),
  eventId: r.event_id,
  stream: r.stream_name,
  revision: BigInt(r.revision),
  position: BigInt(r.position),
  checkpoint: r.checkpoint,
  hash: r.hash,
});

// ---- checkpoints -------------------------------------------------------------------------

const WITNESS_FILE = 'checkpoints.jsonl';

type CheckpointRow = { body: string };

/** Signed checkpoints: stored in es.audit_checkpoints and appended to the witness files. */
export class Checkpoints {
  constructor(
    private readonly deps: { pool: pg.Pool; tree: MerkleLog; key: SigningKey; witnessDir: string; clock: () => Date },
  ) {}

  /**
   * Signs the tree as it stands, stores the checkpoint, appends it to the witness file (fsync'd),
   * and only then returns it: a checkpoint reported as taken is in both places. The same size twice
   * gives back the checkpoint already taken.
   */
  async take(): Promise<SignedCheckpoint> {
    const head = await this.deps.tree.head();
    const existing = await this.bySize(head.size);
    if (existing) {
      this.witness([existing]);
      return existing;
    }
    const c = signCheckpoint(this.deps.key, {
      logSize: head.size,
      rootHash: head.root.toString('hex'),
      lastPosition: head.lastPosition,
      lastCheckpoint: head.lastCheckpoint,
      createdAt: this.deps.clock().toISOString(),
    });
    const body = JSON.stringify(c);
    const r = await this.deps.pool.query<CheckpointRow>(
      `insert into es.audit_checkpoints (size, root_hash, last_position, last_checkpoint, created_at, key_id, signature, body)
       values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (size) do nothing returning body`,
      [c.logSize, c.rootHash, c.lastPosition, c.lastCheckpoint, c.createdAt, c.keyId, c.signature, body],
    );
    const taken = r.rows[0] ? c : (await this.bySize(head.size))!;
    this.witness([taken]);
    return taken;
  }

  async bySize(size: number): Promise<SignedCheckpoint | undefined> {
    const r = await this.deps.pool.query<CheckpointRow>('select body from es.audit_checkpoints where size = $1', [
      size,
    ]);
    return r.rows[0] ? parseCheckpoint(r.rows[0].body) : undefined;
  }

  async latest(): Promise<SignedCheckpoint | undefined> {
    const r = await this.deps.pool.query<CheckpointRow>(
      'select body from es.audit_checkpoints order by size desc limit 1',
    );
    return r.rows[0] ? parseCheckpoint(r.rows[0].body) : undefined;
  }

  /** Newest first; `before`: only checkpoints of a smaller size (the previous page's last size). */
  async list(opts: { limit: number; before?: number | undefined }): Promise<SignedCheckpoint[]> {
    const r = await this.deps.pool.query<CheckpointRow>(
      `select body from es.audit_checkpoints where size < $1 order by size desc limit $2`,
      [opts.before ?? Number.MAX_SAFE_INTEGER, opts.limit],
    );
    return r.rows.map((row) => parseCheckpoint(row.body));
  }

  /** Every checkpoint of the witness file, in file order (unparsable lines reported, not hidden). */
  readWitness(): { checkpoints: SignedCheckpoint[]; bad: { line: number; error: string }[] } {
    return readWitnessDir(this.deps.witnessDir);
  }

  /** Appends to the witness file the stored checkpoints it lacks (after a crash between the two). */
  async syncWitness(): Promise<number> {
    const have = new Set(this.readWitness().checkpoints.map((c) => `${c.logSize}/${c.signature}`));
    const r = await this.deps.pool.query<CheckpointRow>('select body from es.audit_checkpoints order by size');
    const missing = r.rows
      .map((row) => parseCheckpoint(row.body))
      .filter((c) => !have.has(`${c.logSize}/${c.signature}`));
    this.witness(missing, have);
    return missing.length;
  }

  private witness(cs: SignedCheckpoint[], have?: Set<string>): void {
    if (cs.length === 0) return;
    const known = have ?? new Set(this.readWitness().checkpoints.map((c) => `${c.logSize}/${c.signature}`));
    const fresh = cs.filter((c) => !known.has(`${c.logSize}/${c.signature}`));
    mkdirSync(this.deps.witnessDir, { recursive: true });
    if (fresh.length > 0) {
      const fd = openSync(join(this.deps.witnessDir, WITNESS_FILE), 'a', 0o644);
      try {
        writeSync(fd, fresh.map((c) => JSON.stringify(c) + '\n').join(''));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    // latest.json: the newest checkpoint alone, replaced atomically (what an operator publishes)
    const newest = cs.reduce((a, b) => (b.logSize > a.logSize ? b : a));
    const latestFile = join(this.deps.witnessDir, 'latest.json');
    const current = existsSync(latestFile) ? safeParse(readFileSync(latestFile, 'utf8')) : undefined;
    if (!current || current.logSize <= newest.logSize) {
      const tmp = `${latestFile}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(newest, null, 2) + '\n');
      const fd = openSync(tmp, 'r');
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, latestFile);
    }
  }
}

function safeParse(text: string): SignedCheckpoint | undefined {
  try {
    return parseCheckpoint(text);
  } catch {
    return undefined;
  }
}

export function readWitnessDir(dir: string): {
  checkpoints: SignedCheckpoint[];
  bad: { line: number; error: string }[];
} {
  const file = join(dir, WITNESS_FILE);
  if (!existsSync(file)) return { checkpoints: [], bad: [] };
  const checkpoints: SignedCheckpoint[] = [];
  const bad: { line: number; error: string }[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        checkpoints.push(parseCheckpoint(line));
      } catch (e) {
        bad.push({ line: i + 1, error: (e as Error).message });
      }
    });
  return { checkpoints, bad };
}
