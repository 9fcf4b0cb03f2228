import t from 'tap';
import { RateLimiter } from '../../src/http/rateLimit.ts';

t.test('a fixed window per key: max requests, then refused until the window restarts', async (t) => {
  let now = 1_000_000;
  const limiter = new RateLimiter(3, 60_000, () => now);
  t.same(
    [1, 2, 3, 4].map(() => limiter.hit('sub:a')),
    [
      { allowed: true, limit: 3, remaining: 2, resetSeconds: 60 },
      { allowed: true, limit: 3, remaining: 1, resetSeconds: 60 },
      { allowed: true, limit: 3, remaining: 0, resetSeconds: 60 },
      { allowed: false, limit: 3, remaining: 0, resetSeconds: 60 },
    ],
  );
  t.equal(limiter.hit('sub:b').allowed, true, 'another key has its own window');
  now += 59_500;
  t.same(limiter.hit('sub:a'), { allowed: false, limit: 3, remaining: 0, resetSeconds: 1 }, 'never 0 seconds');
  now += 500;
  t.same(limiter.hit('sub:a'), { allowed: true, limit: 3, remaining: 2, resetSeconds: 60 }, 'a new window');
});

t.test('memory is bounded: past maxKeys the oldest window goes first', async (t) => {
  let now = 0;
  const limiter = new RateLimiter(1, 60_000, () => now, 3);
  for (const k of ['a', 'b', 'c']) {
    limiter.hit(k);
    now += 1;
  }
  t.equal(limiter.hit('a').allowed, false, 'a is still counted');
  limiter.hit('d');
  t.equal(limiter.size, 3);
  t.equal(limiter.hit('b').allowed, false, 'b kept');
  t.equal(limiter.hit('a').allowed, true, 'a, the oldest window, was dropped and starts afresh');
});
