import { createHash } from 'node:crypto';
import fc from 'fast-check';
import t from 'tap';
import {
  consistencyProof,
  edgeOf,
  EMPTY_ROOT,
  Frontier,
  inclusionProof,
  leafHash,
  leavesSource,
  mapSource,
  nodesFor,
  rootHash,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from '../../src/audit/merkle.ts';

/** An independent, naive MTH straight from RFC 9162 §2.1.1, over the raw leaves. */
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
function mth(d: Uint8Array[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(Buffer.from([0]), d[0]!);
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return sha(Buffer.from([1]), mth(d.slice(0, k)), mth(d.slice(k)));
}
function naivePath(m: number, d: Uint8Array[]): Buffer[] {
  if (d.length === 1) return [];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return m < k
    ? [...naivePath(m, d.slice(0, k)), mth(d.slice(k))]
    : [...naivePath(m - k, d.slice(k)), mth(d.slice(0, k))];
}
function naiveSub(m: number, d: Uint8Array[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return m <= k
    ? [...naiveSub(m, d.slice(0, k), b), mth(d.slice(k))]
    : [...naiveSub(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

const leaves = (n: number) => Array.from({ length: n }, (_, i) => sha(Buffer.from(`event ${i}`)));
const hex = (h: Hash) => h.toString('hex');

t.test('known vectors: the empty tree, one leaf, and the RFC 6962 test data', async (t) => {
  t.equal(hex(EMPTY_ROOT), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  // the eight leaves of the Certificate Transparency reference tests (RFC 6962 §2.1.3 examples)
  const data = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(
    (h) => Buffer.from(h, 'hex'),
  );
  const src = leavesSource(data.map(leafHash));
  t.equal(hex(rootHash(src, 1)), '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
  t.equal(hex(rootHash(src, 2)), 'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125');
  t.equal(hex(rootHash(src, 3)), 'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77');
  t.equal(hex(rootHash(src, 4)), 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7');
  t.equal(hex(rootHash(src, 5)), '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4');
  t.equal(hex(rootHash(src, 6)), '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef');
  t.equal(hex(rootHash(src, 7)), 'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c');
  t.equal(hex(rootHash(src, 8)), '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
});

t.test('roots, inclusion and consistency proofs equal the naive recursion for every size up to 40', async (t) => {
  const raw = leaves(40);
  const src = leavesSource(raw.map(leafHash));
  for (let n = 0; n <= 40; n++) {
    const d = raw.slice(0, n);
    t.same(hex(rootHash(src, n)), hex(mth(d)), `root of ${n}`);
    for (let m = 0; m < n; m++) t.same(inclusionProof(src, m, n).map(hex), naivePath(m, d).map(hex));
    for (let m = 1; m < n; m++) t.same(consistencyProof(src, m, n).map(hex), naiveSub(m, d, true).map(hex));
  }
});

t.test('the frontier gives the same roots, and the nodes it makes answer any proof', async (t) => {
  const raw = leaves(37);
  const f = new Frontier();
  const stored = new Map<string, Hash>();
  for (let i = 0; i < raw.length; i++) {
    for (const n of f.push(leafHash(raw[i]!))) stored.set(`${n.level}/${n.index}`, n.hash);
    t.equal(hex(f.root()), hex(mth(raw.slice(0, i + 1))));
  }
  const src = mapSource(stored);
  const need = nodesFor((s) => inclusionProof(s, 5, 37));
  t.ok(need.length > 0 && need.length < 37);
  t.same(inclusionProof(src, 5, 37).map(hex), naivePath(5, raw).map(hex));
  // restored from its edge nodes, it goes on as if it never stopped
  const g = Frontier.restore(
    20,
    edgeOf(20).map(([level, index]) => ({ level, index, hash: stored.get(`${level}/${index}`)! })),
  );
  for (let i = 20; i < 37; i++) g.push(leafHash(raw[i]!));
  t.equal(hex(g.root()), hex(mth(raw)));
  t.same(edgeOf(13), [
    [3, 0],
    [2, 2],
    [0, 12],
  ]);
});

const flip = (h: Uint8Array, bit: number) => {
  const c = Buffer.from(h);
  c[(bit >> 3) % c.length]! ^= 1 << (bit & 7);
  return c;
};

t.test('property: every inclusion proof verifies; a flipped bit anywhere fails it', async () => {
  const hashes = leaves(301).map(leafHash);
  const src = leavesSource(hashes);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), (n, m0, bit) => {
      const m = m0 % n;
      const root = rootHash(src, n);
      const proof = inclusionProof(src, m, n);
      if (!verifyInclusion(m, n, hashes[m]!, proof, root)) return false;
      if (verifyInclusion(m, n, flip(hashes[m]!, bit), proof, root)) return false;
      if (verifyInclusion(m, n, hashes[m]!, proof, flip(root, bit))) return false;
      if (proof.length > 0) {
        const i = bit % proof.length;
        const bad = proof.map((p, j) => (j === i ? flip(p, bit >> 3) : p));
        if (verifyInclusion(m, n, hashes[m]!, bad, root)) return false;
      }
      // another index, or the root of another size, does not verify with the same proof (the size
      // itself is bound by the signed checkpoint that carries it with the root)
      if (n > 1 && verifyInclusion((m + 1) % n, n, hashes[m]!, proof, root)) return false;
      return !verifyInclusion(m, n + 1, hashes[m]!, proof, rootHash(src, n + 1));
    }),
    { numRuns: 500 },
  );
});

t.test('property: every consistency proof verifies; a flipped bit anywhere fails it', async () => {
  const hashes = leaves(300).map(leafHash);
  const src = leavesSource(hashes);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.nat(), (a, b, bit) => {
      const [m, n] = a <= b ? [a, b] : [b, a];
      const r1 = rootHash(src, m);
      const r2 = rootHash(src, n);
      const proof = consistencyProof(src, m, n);
      if (!verifyConsistency(m, n, proof, r1, r2)) return false;
      if (verifyConsistency(m, n, proof, flip(r1, bit), r2)) return false;
      if (verifyConsistency(m, n, proof, r1, flip(r2, bit))) return false;
      if (proof.length > 0) {
        const i = bit % proof.length;
        const bad = proof.map((p, j) => (j === i ? flip(p, bit >> 3) : p));
        if (verifyConsistency(m, n, bad, r1, r2)) return false;
      }
      // a root of another prefix does not pass as the first tree
      return m === n || m + 1 === n || !verifyConsistency(m, n, proof, rootHash(src, m + 1), r2);
    }),
    { numRuns: 500 },
  );
});

t.test('bad arguments', async (t) => {
  const src = leavesSource(leaves(4).map(leafHash));
  t.throws(() => inclusionProof(src, 4, 4), RangeError);
  t.throws(() => consistencyProof(src, 5, 4), RangeError);
  t.notOk(verifyInclusion(4, 4, Buffer.alloc(32), [], Buffer.alloc(32)));
  t.notOk(verifyConsistency(5, 4, [], Buffer.alloc(32), Buffer.alloc(32)));
  t.ok(verifyConsistency(0, 4, [], EMPTY_ROOT, rootHash(src, 4)));
});
