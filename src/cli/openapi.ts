import { writeFileSync } from 'node:fs';
import { parseConfig } from '../config.ts';
import { buildApp, type AppDeps } from '../http/app.ts';
import { createAuthenticator } from '../http/auth.ts';

/**
 * The OpenAPI document of the app, built without a database and without listening: the routes
 * are registered (their zod schemas make the document), nothing is served. Used by
 * `npm run openapi` / `npm run lint:openapi` and by tests.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const config = parseConfig({ SEED: 'none', LOG_LEVEL: 'silent', AUTH_JWT_SECRET: 'openapi-dump-only-0123456789' });
  // Routes only read their dependencies when a request comes; none will.
  const deps = { config, auth: createAuthenticator({ secret: config.AUTH_JWT_SECRET }), clock: () => new Date() };
  const app = await buildApp(deps as unknown as AppDeps);
  await app.ready();
  const doc = app.swagger() as unknown as Record<string, unknown>;
  await app.close();
  return doc;
}

async function main() {
  const out = process.argv[2];
  const text = JSON.stringify(await openApiDocument(), null, 2) + '\n';
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
}
