import fc from 'fast-check';
import t from 'tap';
import { build } from '../helpers/build.ts';
import { TODAY, commitment, post, readyContract, submittedContract, territories, tokens } from './commands/fixtures.ts';

/**
 * Property: across every command route, random and adversarial input (wrong types, huge strings,
 * unicode, SQL and JSON injection, prototype-pollution keys, out-of-range dates and amounts,
 * bad ids, bad tokens, bad headers) never makes the server answer 5xx, and no 4xx answer ever
 * writes an event.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

const nasty = fc.constantFrom<unknown>(
  "' OR 1=1 --",
  "'; drop table es.events; --",
  '"); select pg_sleep(10); --',
  '{"$gt":""}',
  '__proto__',
  'constructor',
  'prototype',
  '\u0000',
  '\uffff\ud800',
  '😀'.repeat(500),
  'x'.repeat(70_000),
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '9999-99-99',
  '0000-01-01',
  '2019-02-29',
  '2100-01-01',
  '1900-01-01',
  '2019-1-1',
  ' 2019-03-01',
  '',
  ' ',
  -1,
  -0.01,
  0.001,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  1e15,
  0,
  true,
  null,
  [],
  {},
  [null],
  { __proto__: null, constructor: { prototype: { polluted: true } } },
);

const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nasty },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

type Ctx = { contract: string; submitted: string; project: string };
type Route = { method: 'POST'; path: (c: Ctx) => string; base: Record<string, unknown>; who: string };

const routes: Route[] = [
  {
    method: 'POST',
    path: () => '/territories',
    who: 'admin',
    base: {
      id: '4499',
      name: 'T',
      regionCode: '44',
      epcis: [{ siren: '200068757', name: 'CC' }],
      labelledOn: '2019-01-01',
    },
  },
  {
    method: 'POST',
    path: () => '/territories/4401/perimeter-changes',
    who: 'admin',
    base: { added: [], removed: ['248800105'], decidedOn: '2019-03-01', reason: 'r' },
  },
  {
    method: 'POST',
    path: () => '/territories/4401/renames',
    who: 'admin',
    base: { name: 'N', renamedOn: '2019-03-01' },
  },
  {
    method: 'POST',
    path: () => '/territories/4401/splits',
    who: 'admin',
    base: {
      into: [
        { id: 'a1', name: 'A', epcis: [{ siren: '200068757', name: 'CC' }] },
        { id: 'a2', name: 'B', epcis: [{ siren: '248800105', name: 'CA' }] },
      ],
      splitOn: '2019-11-19',
    },
  },
  {
    method: 'POST',
    path: () => '/territories/4401/co-leads',
    who: 'admin',
    base: { industrial: { name: 'I' }, elected: { name: 'E' }, appointedOn: '2019-03-01' },
  },
  {
    method: 'POST',
    path: () => '/territories/4401/withdrawal',
    who: 'admin',
    base: { withdrawnOn: '2019-03-01', reason: 'r' },
  },
  {
    method: 'POST',
    path: () => '/contracts',
    who: 'lead44',
    base: { territoryId: '4401', title: 'T', draftedOn: '2019-01-15' },
  },
  { method: 'POST', path: (c) => `/contracts/${c.contract}/commitments`, who: 'lead44', base: commitment('epci') },
  {
    method: 'POST',
    path: (c) => `/contracts/${c.contract}/commitments/k1/amendments`,
    who: 'lead44',
    base: { amountEur: 10, amendedOn: '2019-02-02' },
  },
  {
    method: 'POST',
    path: (c) => `/contracts/${c.contract}/commitments/k1/withdrawal`,
    who: 'lead44',
    base: { withdrawnOn: '2019-02-02' },
  },
  {
    method: 'POST',
    path: (c) => `/contracts/${c.contract}/submit`,
    who: 'lead44',
    base: { submittedOn: '2019-03-01' },
  },
  {
    method: 'POST',
    path: (c) => `/contracts/${c.submitted}/validate`,
    who: 'validator44',
    base: { decidedOn: '2019-04-01' },
  },
  {
    method: 'POST',
    path: (c) => `/contracts/${c.submitted}/request-changes`,
    who: 'validator44',
    base: { decidedOn: '2019-04-01', reason: 'r' },
  },
  {
    method: 'POST',
    path: (c) => `/contracts/${c.submitted}/reject`,
    who: 'validator44',
    base: { decidedOn: '2019-04-01', reason: 'r' },
  },
  {
    method: 'POST',
    path: (c) => `/contracts/${c.contract}/sign`,
    who: 'lead44',
    base: { signedOn: '2019-05-01', signatories: [{ name: 'A' }] },
  },
  {
    method: 'POST',
    path: (c) => `/contracts/${c.contract}/reopen`,
    who: 'lead44',
    base: { reopenedOn: '2019-05-01', reason: 'r' },
  },
  {
    method: 'POST',
    path: () => '/projects',
    who: 'lead44',
    base: { territoryId: '4401', title: 'P', axis: 'skills', budgetEur: 10, registeredOn: '2019-05-01' },
  },
  {
    method: 'POST',
    path: (c) => `/projects/${c.project}/fundings`,
    who: 'lead44',
    base: { source: 'eu', amountEur: 10, grantedOn: '2019-05-02' },
  },
  { method: 'POST', path: (c) => `/projects/${c.project}/start`, who: 'lead44', base: { startedOn: '2019-05-02' } },
  {
    method: 'POST',
    path: (c) => `/projects/${c.project}/complete`,
    who: 'lead44',
    base: { completedOn: '2019-05-02' },
  },
  {
    method: 'POST',
    path: (c) => `/projects/${c.project}/abandon`,
    who: 'lead44',
    base: { abandonedOn: '2019-05-02', reason: 'r' },
  },
];

/** One way to spoil a valid body. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), field: fc.nat(), v: value }),
  fc.record({ kind: fc.constant('drop' as const), field: fc.nat() }),
  fc.record({
    kind: fc.constant('extra' as const),
    key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'status', 'id', '$where'), fc.string()),
    v: value,
  }),
  fc.record({ kind: fc.constant('replace' as const), v: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({
    kind: fc.constant('raw' as const),
    text: fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.constantFrom('{', '{"a":', 'null', '[]', '"x"', '{"__proto__":{"polluted":1}}', '\u0000', 'NaN'),
    ),
  }),
);

const idSpoil = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }) },
  { weight: 1, arbitrary: fc.constantFrom("x' or 1=1", '..', '%00', 'a'.repeat(300), '😀') },
);

const tokenChoice = fc.oneof(
  { weight: 8, arbitrary: fc.constant('right') },
  { weight: 1, arbitrary: fc.constantFrom('none', 'garbage', 'auditor', 'lead84', 'validator84') },
);

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', '') },
);

t.test(`${RUNS} random and adversarial commands: no 5xx, nothing written on 4xx`, async (t) => {
  const b = await build(t, { today: TODAY, runner: false, env: { RATE_LIMIT_PER_MINUTE: '10000000' } });
  const tk = await tokens(b);
  await territories(b, tk);
  const ctx: Ctx = {
    contract: await readyContract(b, tk),
    submitted: await submittedContract(b, tk),
    project: '',
  };
  const p = await post(b, tk.lead44, '/projects', {
    territoryId: '4401',
    title: 'P',
    axis: 'skills',
    budgetEur: 10,
    registeredOn: '2019-05-01',
  });
  ctx.project = p.json<{ id: string }>().id;
  const tokenOf = (who: string, choice: string): string | undefined =>
    choice === 'none'
      ? undefined
      : choice === 'garbage'
        ? 'a.b.c'
        : choice === 'right'
          ? tk[who as keyof typeof tk]
          : tk[choice as keyof typeof tk];
  const count = async () =>
    Number((await b.system.pool.query<{ n: string }>('select count(*)::text as n from es.events')).rows[0]!.n);

  let events = await count();
  const seen = new Map<number, number>();
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: routes.length - 1 }),
      mutation,
      idSpoil,
      tokenChoice,
      contentType,
      fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
      async (ri, m, badId, who, ct, ifMatch) => {
        const route = routes[ri]!;
        let url = route.path(ctx);
        if (badId !== null) url = url.replace(/^(\/\w+\/)[^/]+/, `$1${encodeURIComponent(badId)}`);
        let payload: string;
        const body: Record<string, unknown> = { ...route.base };
        const keys = Object.keys(body);
        switch (m.kind) {
          case 'set':
            body[keys[m.field % keys.length]!] = m.v;
            payload = JSON.stringify(body);
            break;
          case 'drop':
            delete body[keys[m.field % keys.length]!];
            payload = JSON.stringify(body);
            break;
          case 'extra':
            payload = JSON.stringify(body).replace(
              /^\{/,
              `{${JSON.stringify(m.key)}:${JSON.stringify(m.v) ?? 'null'},`,
            );
            break;
          case 'replace':
            payload = JSON.stringify(m.v);
            break;
          case 'raw':
            payload = m.text;
            break;
        }
        const token = tokenOf(route.who, who);
        const headers: Record<string, string> = {};
        if (token) headers.authorization = `Bearer ${token}`;
        if (ct) headers['content-type'] = ct;
        if (ifMatch !== undefined) headers['if-match'] = ifMatch.replace(/[^\x20-\x7e]/g, '');
        const res = await b.app.inject({ method: route.method, url, headers, payload });
        seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500) throw new Error(`${res.statusCode} on ${url} ${payload.slice(0, 300)}: ${res.body}`);
        const now = await count();
        if (res.statusCode >= 400) {
          if (now !== events) throw new Error(`${res.statusCode} on ${url} wrote ${now - events} event(s)`);
          if (!/^application\/problem\+json/.test(String(res.headers['content-type'])))
            throw new Error(`${res.statusCode} without problem+json on ${url}`);
        }
        events = now;
      },
    ),
    { numRuns: RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
  );
  t.comment(`statuses: ${JSON.stringify(Object.fromEntries([...seen].sort(([a], [b]) => a - b)))}`);
  t.comment(`${RUNS} requests in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  t.equal(
    [...seen.values()].reduce((a, n) => a + n, 0),
    RUNS,
  );
  t.notOk(
    [...seen.keys()].some((s) => s >= 500),
    'no 5xx',
  );
  t.ok(seen.get(400)! > RUNS / 4, 'most inputs are refused as bad requests');
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
});
