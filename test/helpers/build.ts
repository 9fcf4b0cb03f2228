import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parseConfig } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { signToken, type Role } from '../../src/http/auth.ts';
import { createSystem, type System } from '../../src/system.ts';
import { createTestDatabase } from './cluster.ts';

export const TEST_SECRET = 'test-secret-0123456789abcdef';

type T = { teardown(fn: () => Promise<void> | void): void };

export interface Built {
  app: FastifyInstance;
  system: System;
  token(
    roles: Role | Role[],
    claims?: { regions?: string[]; territories?: string[]; poles?: string[]; sub?: string; name?: string },
  ): Promise<string>;
}

/**
 * The test helper: a system on a fresh database of the test cluster, the app built on it (use
 * `app.inject`), the projection runner started; everything torn down with the test.
 */
export async function build(
  t: T,
  opts: { env?: Record<string, string>; runner?: boolean; today?: string } = {},
): Promise<Built> {
  const url = await createTestDatabase(t);
  // each test's audit checkpoints go to its own witness directory (they belong to its database)
  const witness = mkdtempSync(join(tmpdir(), 'ti-witness-'));
  t.teardown(() => rmSync(witness, { recursive: true, force: true }));
  const config = parseConfig({
    AUDIT_WITNESS_DIR: witness,
    DATABASE_URL: url,
    AUTH_JWT_SECRET: TEST_SECRET,
    DATA_DIR: '.data/test',
    SEED: 'none',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    ...opts.env,
  });
  const clock = opts.today ? () => new Date(`${opts.today}T12:00:00Z`) : () => new Date();
  const system = await createSystem(config, { migrate: false, poolSize: 10, clock });
  const app = await buildApp(system);
  if (opts.runner !== false) system.runner.start();
  t.teardown(async () => {
    await app.close();
    await system.close();
  });
  return {
    app,
    system,
    token: (roles, claims = {}) => {
      const list = Array.isArray(roles) ? roles : [roles];
      return signToken(TEST_SECRET, {
        sub: claims.sub ?? `test-${list.join('+')}`,
        name: claims.name ?? `Test ${list.join(', ')}`,
        roles: list,
        regions: claims.regions ?? [],
        territories: claims.territories ?? [],
        poles: claims.poles ?? [],
      });
    },
  };
}
