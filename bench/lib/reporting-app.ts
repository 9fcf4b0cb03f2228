import { parseConfig } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { signToken } from '../../src/http/auth.ts';
import { createSystem } from '../../src/system.ts';

/**
 * The app over a bench cluster already migrated and projected, as the report benches measure it:
 * no seed, no rate limit in the way, silent logs; and a reporter's token for its routes.
 */
export async function reportingApp(databaseUrl: string, secret: string) {
  const config = parseConfig({
    DATABASE_URL: databaseUrl,
    AUTH_JWT_SECRET: secret,
    LOG_LEVEL: 'silent',
    SEED: 'none',
    NODE_ENV: 'test',
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const system = await createSystem(config, { migrate: false, poolSize: 10 });
  const app = await buildApp(system);
  const token = await signToken(secret, { sub: 'bench', name: 'Bench', roles: ['reporter'] });
  return { system, app, token };
}
