import t from 'tap';
import { build } from '../helpers/build.ts';

interface Operation {
  operationId?: string;
  tags?: string[];
  summary?: string;
  description?: string;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

t.test(
  'the queue, feed and web-view routes are documented: operationId, tags, summary, description, media types',
  async (t) => {
    const { app } = await build(t, { runner: false });
    const spec = (await app.inject({ url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, Operation>>;
    }>();
    const ours = Object.entries(spec.paths).filter(([path]) => /^\/(decisions|feed|ui)(\/|$)/.test(path));
    t.ok(ours.length >= 14, `${ours.length} paths`);
    const ids = new Set<string>();
    for (const [path, methods] of ours)
      for (const [method, op] of Object.entries(methods)) {
        const name = `${method.toUpperCase()} ${path}`;
        t.match(op.operationId, /^[a-z][A-Za-z]+$/, `${name}: camelCase operationId`);
        t.notOk(ids.has(op.operationId!), `${name}: operationId unique`);
        ids.add(op.operationId!);
        t.ok(op.tags?.length, `${name}: tags`);
        t.ok(op.summary, `${name}: summary`);
        t.ok(op.description, `${name}: description`);
        t.ok(
          Object.keys(op.responses).some((s) => s.startsWith('4')),
          `${name}: its refusals are declared`,
        );
      }
    t.ok(spec.paths['/feed/stream']!.get!.responses['200']!.content!['text/event-stream'], 'SSE declared');
    t.ok(spec.paths['/ui/file']!.get!.responses['200']!.content!['text/html'], 'HTML declared');
    t.same(spec.paths['/decisions/pending']!.get!.tags, ['decisions']);
  },
);
