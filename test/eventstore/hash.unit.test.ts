import t from 'tap';
import { CanonicalEvent, canonicalJson, contentDigest, eventHash } from '../../src/eventstore/hash.ts';
import type { JsonObject } from '../../src/eventstore/types.ts';

// The appender's one-pass CanonicalEvent must give exactly the hashes the verifier recomputes.
const cases: { type: string; schemaVersion: number; data: JsonObject; metadata: { [k: string]: unknown } }[] = [
  { type: 'TerritoryRenamed', schemaVersion: 1, data: { b: 1, a: [2, { z: null, y: 'é' }] }, metadata: {} },
  {
    type: 'Weird "type"\n',
    schemaVersion: 3,
    data: { '\u20ac': 1e21, '\u00e9': 0.1, Z: -0, a: 'x\u2028y', '10': true, '2': false, '': 'empty' },
    metadata: {
      recordedAt: '1999-01-01T00:00:00.000Z',
      zeta: undefined,
      actor: { sub: 's', roles: ['b', 'a'] },
      occurredOn: '2019-11-19',
      '\ud83d\ude00': 'emoji key',
      A: 1.5,
    },
  },
];

t.test('CanonicalEvent gives the digest and chain hash of contentDigest and eventHash', async (t) => {
  const recordedAt = '2026-11-22T01:02:03.456Z';
  for (const e of cases) {
    const c = new CanonicalEvent(e, recordedAt);
    const metadata = { ...e.metadata, recordedAt };
    t.equal(c.digest, contentDigest({ ...e, metadata }));
    for (const [revision, prevHash] of [
      [0n, ''],
      [41n, 'ab'.repeat(32)],
    ] as const) {
      t.equal(
        c.hash('territory-T1', revision, prevHash),
        eventHash({ ...e, metadata, stream: 'territory-T1', revision, prevHash }),
      );
    }
    t.same(JSON.parse(c.metadata), JSON.parse(JSON.stringify(metadata)), 'the recorded metadata');
    t.same(JSON.parse(c.data), e.data, 'the recorded data');
  }
});

t.test('canonicalJson gives the canonicalize package’s text, and throws where it throws', async (t) => {
  const { default: canonicalize } = await import('canonicalize');
  const fc = (await import('fast-check')).default;
  const same = (v: unknown) => {
    let want: string | Error;
    try {
      want = canonicalize(v) ?? new TypeError('undefined');
    } catch (e) {
      want = e as Error;
    }
    let got: string | Error;
    try {
      got = canonicalJson(v);
    } catch (e) {
      got = e as Error;
    }
    if (typeof want === 'string') return got === want;
    return got instanceof Error;
  };
  fc.assert(fc.property(fc.jsonValue(), same), { numRuns: 2000 });
  fc.assert(fc.property(fc.anything({ withNullPrototype: true, withDate: true, withBigInt: true }), same), {
    numRuns: 2000,
  });
  fc.assert(fc.property(fc.string({ unit: 'binary' }), same), { numRuns: 2000 });
  // eslint-disable-next-line no-sparse-arrays -- a hole, as the package renders it
  const holes = [1, , 3];
  const edges: unknown[] = [
    NaN,
    Infinity,
    -0,
    1e21,
    5e-324,
    '\ud800',
    'a\udc00',
    '\ud83d\ude00',
    holes,
    { a: undefined },
    [undefined],
  ];
  edges.forEach((v, i) => t.ok(same(v), `edge case ${i}`));
});
