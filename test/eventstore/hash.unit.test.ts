import t from 'tap';
import { CanonicalEvent, contentDigest, eventHash } from '../../src/eventstore/hash.ts';
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
