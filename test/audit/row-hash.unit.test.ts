import t, { type Test } from 'tap';
import { HashPool } from '../../src/audit/hash-pool.ts';
import { leafHash } from '../../src/audit/merkle.ts';
import { hashRows, type RowsToHash } from '../../src/audit/row-hash.ts';
import { eventHash } from '../../src/eventstore/hash.ts';

// The verifier hashes raw rows (JSON text as the database sends it, members in any order) in worker
// threads; it must give exactly the chain hash eventHash gives, and the leaf of merkle.ts.
const events = Array.from({ length: 300 }, (_, i) => ({
  stream: i % 7 === 0 ? `territory-"é\u2028${i}` : `contract-${i}`,
  revision: BigInt(i % 13),
  type: i % 2 ? 'ContractSigned' : 'Weird "type"\n',
  schemaVersion: 1 + (i % 3),
  data: { z: i, a: [1.5, -0, 1e21, { y: null, b: true }], '\u20ac': 'x', '10': `v${i}`, '2': '\ud83d\ude00' },
  metadata: { recordedAt: '2026-12-03T00:00:00.000Z', actor: { sub: 's', roles: ['b', 'a'] }, n: i / 3 },
  prevHash: i % 13 === 0 ? '' : 'ab'.repeat(32),
}));
// jsonb sends its own member order and spacing: reverse the members to make sure they are re-sorted
const reversed = (o: object): string =>
  `{${Object.entries(o)
    .reverse()
    .map(
      ([k, v]) =>
        `${JSON.stringify(k)}: ${v && typeof v === 'object' && !Array.isArray(v) ? reversed(v) : JSON.stringify(v)}`,
    )
    .join(', ')}}`;
const rows: RowsToHash = {
  stream: events.map((e) => e.stream),
  revision: events.map((e) => e.revision.toString()),
  type: events.map((e) => e.type),
  schemaVersion: events.map((e) => e.schemaVersion),
  data: events.map((e) => reversed(e.data)),
  metadata: events.map((e) => reversed(e.metadata)),
  prevHash: events.map((e) => e.prevHash),
};
const expected = events.map((e) => eventHash(e));

const check = (t: Test, h: { chain: Buffer; leaf: Buffer }) => {
  t.equal(h.chain.length, 32 * events.length);
  let same = 0;
  events.forEach((_, i) => {
    const chain = h.chain.subarray(32 * i, 32 * i + 32);
    if (
      chain.toString('hex') === expected[i] &&
      h.leaf.subarray(32 * i, 32 * i + 32).equals(leafHash(Buffer.from(expected[i], 'hex')))
    )
      same++;
  });
  t.equal(same, events.length, 'every chain hash and leaf as eventHash and leafHash give them');
};

t.test('hashRows inline', async (t) => check(t, hashRows(rows)));

t.test('HashPool with workers answers each batch in order', async (t) => {
  const pool = new HashPool({ workers: 2 });
  try {
    t.equal(pool.size, 2);
    const halves = (k: number): RowsToHash => {
      const pick = <T>(a: T[]) => a.filter((_, i) => i % 2 === k);
      return {
        stream: pick(rows.stream),
        revision: pick(rows.revision),
        type: pick(rows.type),
        schemaVersion: pick(rows.schemaVersion),
        data: pick(rows.data),
        metadata: pick(rows.metadata),
        prevHash: pick(rows.prevHash),
      };
    };
    const [all, even, odd] = await Promise.all([pool.hash(rows), pool.hash(halves(0)), pool.hash(halves(1))]);
    check(t, all);
    t.equal(even.chain.toString('hex', 0, 32), expected[0]);
    t.equal(odd.chain.toString('hex', 0, 32), expected[1]);
    // a batch that cannot be hashed rejects with the reason, and the pool keeps working
    await t.rejects(pool.hash({ ...rows, data: ['{not json', ...rows.data.slice(1)] }), /JSON/);
    check(t, await pool.hash(rows));
  } finally {
    await pool.close();
  }
});

t.test('HashPool without workers hashes inline', async (t) => {
  const pool = new HashPool({ workers: 0 });
  check(t, await pool.hash(rows));
  await pool.close();
});
