import t from 'tap';
import { ConfigError, parseConfig } from '../../src/config.ts';

t.test('defaults', async (t) => {
  const c = parseConfig({});
  t.equal(c.PORT, 3000);
  t.equal(c.DATA_DIR, './.data');
  t.equal(c.SEED, 'demo');
  t.equal(c.DATABASE_URL, undefined);
  t.ok(Object.isFrozen(c), 'frozen');
});

t.test('a bad value names the variable', async (t) => {
  const cases: [Record<string, string>, string][] = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ EVENTSTORE_URL: 'http://x' }, 'EVENTSTORE_URL'],
    [{ SEED: 'lots' }, 'SEED'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ AUTH_JWT_SECRET: 'short' }, 'AUTH_JWT_SECRET'],
  ];
  for (const [env, variable] of cases) {
    const err = t.throws(() => parseConfig(env)) as unknown;
    t.ok(err instanceof ConfigError, `${variable} is a ConfigError`);
    t.ok(
      (err as ConfigError).issues.some((i) => i.variable === variable),
      `names ${variable}`,
    );
  }
});

t.test('empty strings count as unset', async (t) => {
  t.equal(parseConfig({ DATABASE_URL: '', PORT: '' }).PORT, 3000);
});
