import t, { type Test } from 'tap';
import { isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CommandResult, ProblemSchema } from '../../src/http/commands.ts';
import { createSerializerCompiler } from '../../src/http/serialize.ts';

const route = (schema: z.ZodType) => ({ schema, method: 'POST', url: '/x', httpStatus: '201' });
const checked = createSerializerCompiler({ checkResponses: true });
const production = createSerializerCompiler({ checkResponses: false });
const Created = CommandResult.extend({ id: z.string() });

const throwsSerializationError = (t: Test, f: () => unknown, what: string) => {
  try {
    f();
    t.fail(`${what}: no error`);
  } catch (err) {
    t.ok(isResponseSerializationError(err), `${what}: the type provider's serialization error (a 500 problem)`);
  }
};

t.test('answers are written with the declared fields only, in the schema order, as zod writes them', async (t) => {
  for (const [name, compile] of [
    ['checked', checked],
    ['production', production],
  ] as const) {
    const write = compile(route(Created));
    const answer = { id: 'p-1', position: '42', revision: 0, smuggled: 'x' };
    t.equal(write(answer), '{"revision":0,"position":"42","id":"p-1"}', name);
    t.equal(write(answer), JSON.stringify(z.encode(Created, answer)), `${name}: same bytes as zod`);
    t.equal(
      write({ id: 'é"\u2028</', position: null, revision: 3 }),
      JSON.stringify(z.encode(Created, { id: 'é"\u2028</', position: null, revision: 3 })),
      `${name}: strings escaped as JSON.stringify does`,
    );
  }
  // a loose schema (problem documents) keeps its extra members
  const p = { type: 't', title: 'Bad Request', status: 400, detail: 'd', errors: [{ field: 'body.x', message: 'm' }] };
  t.equal(checked(route(ProblemSchema))(p), JSON.stringify(p));
});

t.test('an answer its schema refuses is a serialization error in both modes', async (t) => {
  throwsSerializationError(
    t,
    () => checked(route(Created))({ id: 'x', revision: 1.5, position: null }),
    'checked, revision 1.5',
  );
  throwsSerializationError(t, () => checked(route(Created))({ id: 'x', revision: 1 }), 'checked, position missing');
  throwsSerializationError(
    t,
    () => production(route(Created))({ id: 'x', revision: 1 }),
    'production, position missing',
  );
  throwsSerializationError(
    t,
    () => production(route(Created))({ id: 'x', revision: 1, position: 7 }),
    'production, position a number',
  );
  // production trusts the types it cannot see wrong: fast-json-stringify writes an integer field as
  // an integer (this is why every other environment checks with zod too)
  t.equal(
    production(route(Created))({ id: 'x', revision: 1.5, position: null }),
    '{"revision":1,"position":null,"id":"x"}',
  );
});

t.test('checked: an answer fast-json-stringify would write differently from zod is an error', async (t) => {
  // .trim() changes the value in zod only; JSON Schema has no way to say it
  const Trimmed = z.object({ name: z.string().trim() });
  t.throws(
    () => checked(route(Trimmed))({ name: ' x ' }),
    /fast-json-stringify wrote \{"name":" x "\}, zod \{"name":"x"\}/,
  );
  t.equal(checked(route(Trimmed))({ name: 'x' }), '{"name":"x"}', 'no drift, no error');
});

t.test('schemas whose wire form is not their JSON Schema keep the zod serializer', async (t) => {
  // a codec: the handler answers a number, the wire carries a string (zod encodes output -> input)
  const Coded = z.object({ n: z.codec(z.string(), z.number(), { decode: Number, encode: String }) });
  t.equal(production(route(Coded))({ n: 5 }), '{"n":"5"}');
  t.equal(checked(route(Coded))({ n: 5 }), '{"n":"5"}');
  // a default: zod requires the field in an answer, JSON Schema's input side does not
  const Defaulted = z.object({ n: z.number().default(1) });
  throwsSerializationError(t, () => production(route(Defaulted))({}), 'default');
  // a one-way transform cannot be encoded at all (zod throws)
  const Piped = z.object({ n: z.string().transform((s) => s.length) });
  t.throws(() => production(route(Piped))({ n: 3 }), /unidirectional transform/);
});
