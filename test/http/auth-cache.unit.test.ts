import t from 'tap';
import { VERIFIED_TOKENS_CACHED, createAuthenticator, signToken } from '../../src/http/auth.ts';

const SECRET = 'unit-secret-0123456789abcdef0123';
const claims = { sub: 'lead-44', name: 'Lead 44', roles: ['territory_lead' as const], territories: ['4401'] };

t.test('a verified token is remembered until it expires, then refused', async (t) => {
  let clock = Date.now();
  const auth = createAuthenticator({ secret: SECRET, now: () => clock });
  const token = await signToken(SECRET, claims, '60s');
  t.equal(auth.cached!(token), undefined, 'unknown before its first verification');
  const p = await auth.verify(token);
  t.equal(p.sub, 'lead-44');
  t.equal(auth.cached!(token), p, 'remembered after it');
  t.ok(Object.isFrozen(p) && Object.isFrozen(p.roles), 'the shared principal cannot be changed by a request');
  clock += 61_000;
  t.equal(auth.cached!(token), undefined, 'forgotten once expired');
  await t.rejects(auth.verify(token), /expired/, 'and refused by verify');
});

t.test('the cache is a bounded LRU', async (t) => {
  const auth = createAuthenticator({ secret: SECRET });
  const first = await signToken(SECRET, { ...claims, sub: 'first' }, '1h');
  await auth.verify(first);
  for (let i = 0; i < VERIFIED_TOKENS_CACHED; i++) {
    if (i === VERIFIED_TOKENS_CACHED / 2) t.ok(auth.cached!(first), 'a hit keeps the first token recent');
    await auth.verify(await signToken(SECRET, { ...claims, sub: `u${i}` }, '1h'));
  }
  t.ok(auth.cached!(first), 'recently used: still there');
  const evicted = await signToken(SECRET, { ...claims, sub: 'old' }, '1h');
  await auth.verify(evicted);
  for (let i = 0; i < VERIFIED_TOKENS_CACHED; i++)
    await auth.verify(await signToken(SECRET, { ...claims, sub: `v${i}` }, '1h'));
  t.equal(auth.cached!(evicted), undefined, 'least recently used: evicted');
});

t.test('a token refused once is never remembered', async (t) => {
  const auth = createAuthenticator({ secret: SECRET });
  const forged = await signToken('another-secret-0123456789abcdef', claims, '1h');
  await t.rejects(auth.verify(forged));
  t.equal(auth.cached!(forged), undefined);
});
