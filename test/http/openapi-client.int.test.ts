import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import t from 'tap';
import { build } from '../helpers/build.ts';
import { TODAY, post, tokens, vosges } from './commands/fixtures.ts';

/**
 * A client generated from the live document (openapi-typescript) type-checks a small program
 * against it with tsc, with no casts: the operations by their operationIds, a request body, and
 * answers the server really sent (success and problem) assigned to their generated types.
 */
t.test('a client generated from /openapi.json type-checks a program using real answers', async (t) => {
  const b = await build(t, { today: TODAY });
  const doc = (await b.app.inject({ url: '/openapi.json' })).json<{
    paths: Record<string, Record<string, { operationId?: string }>>;
  }>();
  const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
  t.ok(ids.length > 30, `${ids.length} operations`);
  t.ok(
    ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id)),
    'every operation has a camelCase operationId',
  );
  t.equal(new Set(ids).size, ids.length, 'operationIds are unique');

  const tk = await tokens(b);
  const labelled = await post(b, tk.admin, '/territories', vosges);
  t.equal(labelled.statusCode, 201);
  const auth = { authorization: `Bearer ${tk.reporter}` };
  const list = await b.app.inject({ url: '/territories', headers: auth });
  const progress = await b.app.inject({ url: '/reports/progress?asOf=2019-01-01', headers: auth });
  const csv = await b.app.inject({ url: '/reports/progress', headers: { ...auth, accept: 'text/csv' } });
  const bad = await b.app.inject({ url: '/territories?asOf=bad', headers: auth });
  t.equal(bad.statusCode, 400);
  t.match(bad.headers['content-type'], /^application\/problem\+json/);

  const dir = mkdtempSync(join(tmpdir(), 'ti-ledger-client-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'api.ts'), astToString(await openapiTS(doc as unknown as Parameters<typeof openapiTS>[0])));
  const program = `
import type { components, operations, paths } from './api.ts';

type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer R } } };
}
  ? R
  : never;

export const operationIds: Record<keyof operations, true> = ${JSON.stringify(Object.fromEntries(ids.map((id) => [id, true])))};

export const labelBody: paths['/territories']['post']['requestBody']['content']['application/json'] = ${JSON.stringify(vosges)};
export const labelled: operations['labelTerritory']['responses'][201]['content']['application/json'] = ${labelled.body};
export const list: Json<'/territories', 'get'> = ${list.body};
export const firstName: string = list.items[0]?.name ?? '';
export const progress: operations['getProgressReport']['responses'][200]['content']['application/json'] = ${progress.body};
export const csv: operations['getProgressReport']['responses'][200]['content']['text/csv'] = ${JSON.stringify(csv.body)};
export const problem: operations['listTerritories']['responses'][400]['content']['application/problem+json'] = ${bad.body};
export const shared: components['schemas']['Problem'] = problem;
export const status: number = shared.status;
`;
  writeFileSync(join(dir, 'program.ts'), program);
  const tsc = resolve('node_modules/.bin/tsc');
  const run = promisify(execFile);
  const args = [
    '--noEmit',
    '--strict',
    '--exactOptionalPropertyTypes',
    '--noUncheckedIndexedAccess',
    '--target',
    'es2022',
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--allowImportingTsExtensions',
    '--skipLibCheck',
    join(dir, 'program.ts'),
  ];
  const result = await run(tsc, args, { cwd: dir }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
  );
  t.equal(result.code, 0, `tsc type-checks the program against the generated client\n${result.out}`);
  // no `x as T` outside string literals (the answers' texts may say "as of")
  t.notMatch(program.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""'), /\bas\b/, 'no casts in the program');
});
