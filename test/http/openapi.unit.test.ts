import t from 'tap';
import { openApiDocument } from '../../src/cli/openapi.ts';
import { derivedOperationId } from '../../src/http/openapi.ts';

type Op = {
  operationId?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
};

/** The conventions of src/http/openapi.ts hold for every operation of the document. */
t.test('every operation follows the OpenAPI conventions', async (t) => {
  const doc = (await openApiDocument()) as unknown as {
    paths: Record<string, Record<string, Op>>;
    tags: { name: string; description: string }[];
    components: { schemas: Record<string, unknown> };
  };
  const tags = new Set(doc.tags.map((x) => x.name));
  t.ok(doc.components.schemas.Problem, 'one shared Problem schema');
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) {
      const what = `${method.toUpperCase()} ${path}`;
      t.match(op.operationId, /^[a-z][A-Za-z0-9]+$/, `${what}: operationId`);
      t.ok(op.description && op.description.length > 20, `${what}: description`);
      t.ok(op.tags?.length && op.tags.every((x) => tags.has(x)), `${what}: tags defined`);
      t.ok(Array.isArray(op.security), `${what}: security said`);
      for (const [status, r] of Object.entries(op.responses)) {
        if (Number(status) < 400 || (path === '/readyz' && status === '503')) continue;
        t.same(Object.keys(r.content ?? {}), ['application/problem+json'], `${what} ${status}: problem+json`);
        t.equal(r.content?.['application/problem+json']?.schema?.$ref, '#/components/schemas/Problem');
      }
      if (op.security?.length) t.ok(op.responses['401'], `${what}: 401 listed`);
    }
  t.ok(doc.paths['/territories']!.get!.responses['400'], 'GET /territories?asOf=bad: its 400 is listed');
  t.same(
    Object.keys(doc.paths['/reports/progress']!.get!.responses['200']!.content ?? {}).sort(),
    ['application/json', 'text/csv'],
    'the CSV answer of /reports/progress is declared',
  );
  t.equal(derivedOperationId('GET', '/feed/{id}/stream'), 'getFeedByIdStream', 'fallback name for a new route');
});
