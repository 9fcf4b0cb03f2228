import { createHash, hash } from 'node:crypto';

/**
 * The Merkle tree of RFC 9162 §2.1 (Certificate Transparency 2.0), pure: no I/O.
 *
 * - leaf hash = SHA-256(0x00 || leaf), interior node = SHA-256(0x01 || left || right);
 * - MTH(D[0:n]) splits at k, the largest power of two smaller than n;
 * - inclusion proofs (§2.1.3.1) and consistency proofs (§2.1.4.1), and their verification
 *   algorithms (§2.1.3.2, §2.1.4.2).
 *
 * Trees are read through a `NodeSource`: the hash of a complete, aligned subtree of 2^level leaves
 * (level 0: a leaf hash). Every range the RFC's recursions visit decomposes into such subtrees, so
 * a store that keeps them (es.merkle_nodes) answers a proof with O(log² n) lookups; `nodesFor`
 * names them beforehand so they are fetched in one query. Indices are JS numbers (exact to 2^53).
 */
export type Hash = Buffer;

export interface NodeSource {
  /** Hash of leaves [index·2^level, (index+1)·2^level). */
  node(level: number, index: number): Hash;
}

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export const EMPTY_ROOT: Hash = createHash('sha256').digest();

// one-shot hashing of a reused buffer: a third of the cost of createHash().update()… per node
const LEAF_INPUT = Buffer.alloc(33);
const NODE_INPUT = Buffer.alloc(65, 1);

export const leafHash = (leaf: Uint8Array): Hash => {
  if (leaf.length !== 32) return createHash('sha256').update(LEAF).update(leaf).digest();
  LEAF_INPUT.set(leaf, 1);
  return hash('sha256', LEAF_INPUT, 'buffer');
};

export const nodeHash = (left: Uint8Array, right: Uint8Array): Hash => {
  if (left.length !== 32 || right.length !== 32) {
    return createHash('sha256').update(NODE).update(left).update(right).digest();
  }
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 33);
  return hash('sha256', NODE_INPUT, 'buffer');
};

/** The largest power of two smaller than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isPow2 = (n: number) => n > 0 && 2 ** Math.round(Math.log2(n)) === n;
const log2 = (n: number) => Math.round(Math.log2(n));

/** MTH(D[lo:hi]) for a range the RFC's recursions visit (lo aligned to the range's size). */
export function rangeHash(src: NodeSource, lo: number, hi: number): Hash {
  const n = hi - lo;
  if (n <= 0) return EMPTY_ROOT;
  if (isPow2(n) && lo % n === 0) return src.node(log2(n), lo / n);
  const k = splitPoint(n);
  return nodeHash(rangeHash(src, lo, lo + k), rangeHash(src, lo + k, hi));
}

/** Root hash of the first n leaves. */
export const rootHash = (src: NodeSource, n: number): Hash => rangeHash(src, 0, n);

/** PATH(m, D[0:n]) of RFC 9162 §2.1.3.1: the inclusion proof of leaf m in the tree of size n. */
export function inclusionProof(src: NodeSource, m: number, n: number): Hash[] {
  if (!(m >= 0 && m < n)) throw new RangeError(`leaf ${m} is not in a tree of size ${n}`);
  const path = (m: number, lo: number, hi: number): Hash[] => {
    const size = hi - lo;
    if (size === 1) return [];
    const k = splitPoint(size);
    return m < k
      ? [...path(m, lo, lo + k), rangeHash(src, lo + k, hi)]
      : [...path(m - k, lo + k, hi), rangeHash(src, lo, lo + k)];
  };
  return path(m, 0, n);
}

/** PROOF(m, D[0:n]) of RFC 9162 §2.1.4.1: proves the tree of size m is a prefix of that of size n. */
export function consistencyProof(src: NodeSource, m: number, n: number): Hash[] {
  if (!(m >= 0 && m <= n)) throw new RangeError(`a tree of size ${m} cannot be a prefix of one of size ${n}`);
  if (m === 0 || m === n) return [];
  const sub = (m: number, lo: number, hi: number, whole: boolean): Hash[] => {
    const size = hi - lo;
    if (m === size) return whole ? [] : [rangeHash(src, lo, hi)];
    const k = splitPoint(size);
    return m <= k
      ? [...sub(m, lo, lo + k, whole), rangeHash(src, lo + k, hi)]
      : [...sub(m - k, lo + k, hi, false), rangeHash(src, lo, lo + k)];
  };
  return sub(m, 0, n, true);
}

/** The (level, index) nodes a computation reads, found by running it on a recording source. */
export function nodesFor(run: (src: NodeSource) => unknown): [number, number][] {
  const seen = new Map<string, [number, number]>();
  const zero = Buffer.alloc(32);
  run({
    node(level, index) {
      seen.set(`${level}/${index}`, [level, index]);
      return zero;
    },
  });
  return [...seen.values()];
}

/** A NodeSource over fetched nodes; a missing node is an error naming it. */
export function mapSource(nodes: Map<string, Hash>): NodeSource {
  return {
    node(level, index) {
      const h = nodes.get(`${level}/${index}`);
      if (!h) throw new Error(`Merkle node ${level}/${index} is missing`);
      return h;
    },
  };
}

/** A NodeSource over leaf hashes in memory (tests, small trees): O(2^level) per node. */
export function leavesSource(leafHashes: Hash[]): NodeSource {
  const cache = new Map<string, Hash>();
  const node = (level: number, index: number): Hash => {
    if (level === 0) {
      const h = leafHashes[index];
      if (!h) throw new Error(`leaf ${index} is missing`);
      return h;
    }
    const key = `${level}/${index}`;
    let h = cache.get(key);
    if (!h) {
      h = nodeHash(node(level - 1, 2 * index), node(level - 1, 2 * index + 1));
      cache.set(key, h);
    }
    return h;
  };
  return { node };
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;

/** RFC 9162 §2.1.3.2: does `proof` show leaf hash `leaf` at `index` in the tree of `size` with `root`? */
export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: Uint8Array[], root: Uint8Array) {
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else r = nodeHash(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (first, firstRoot) is a prefix of (second, secondRoot)? */
export function verifyConsistency(
  first: number,
  second: number,
  proof: Uint8Array[],
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): boolean {
  if (!(first >= 0 && first <= second)) return false;
  if (first === 0) return proof.length === 0;
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  const path = isPow2(first) ? [firstRoot, ...proof] : [...proof];
  if (path.length === 0) return false;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else sr = nodeHash(sr, c);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
}

/** A complete subtree on the right edge of a tree: its level, its index at that level, its hash. */
export interface EdgeNode {
  level: number;
  index: number;
  hash: Hash;
}

/**
 * The compact range of a growing tree: the O(log n) complete subtrees of its right edge (one per
 * set bit of its size, largest first). Appending a leaf merges equal-sized subtrees and returns
 * every complete node it made, the leaf included, which is what es.merkle_nodes stores.
 */
export class Frontier {
  private edge: EdgeNode[] = [];
  size = 0;

  /** The frontier of a tree of `size` leaves, from its edge nodes (as `edgeOf(size)` names them). */
  static restore(size: number, edge: EdgeNode[]): Frontier {
    const f = new Frontier();
    f.size = size;
    f.edge = [...edge];
    return f;
  }

  /** Appends a leaf hash (already SHA-256(0x00 || leaf)); returns the complete nodes made. */
  push(leaf: Hash): EdgeNode[] {
    const made: EdgeNode[] = [{ level: 0, index: this.size, hash: leaf }];
    this.edge.push(made[0]!);
    this.size++;
    for (;;) {
      const n = this.edge.length;
      if (n < 2 || this.edge[n - 1]!.level !== this.edge[n - 2]!.level) break;
      const right = this.edge.pop()!;
      const left = this.edge.pop()!;
      const parent = { level: left.level + 1, index: left.index / 2, hash: nodeHash(left.hash, right.hash) };
      this.edge.push(parent);
      made.push(parent);
    }
    return made;
  }

  /** As `push`, without listing the nodes made (the verifier's hot loop). */
  add(leaf: Hash): void {
    let level = 0;
    let index = this.size;
    let hash = leaf;
    this.size++;
    const edge = this.edge;
    while (edge.length > 0 && edge[edge.length - 1]!.level === level) {
      const left = edge.pop()!;
      hash = nodeHash(left.hash, hash);
      level++;
      index = left.index / 2;
    }
    edge.push({ level, index, hash });
  }

  root(): Hash {
    if (this.edge.length === 0) return EMPTY_ROOT;
    let r = this.edge[this.edge.length - 1]!.hash;
    for (let i = this.edge.length - 2; i >= 0; i--) r = nodeHash(this.edge[i]!.hash, r);
    return r;
  }
}

/** The (level, index) of the right-edge subtrees of a tree of `size` leaves, largest first. */
export function edgeOf(size: number): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (let level = 52; level >= 0; level--) {
    const w = 2 ** level;
    if (size - start >= w) {
      out.push([level, start / w]);
      start += w;
    }
  }
  return out;
}
