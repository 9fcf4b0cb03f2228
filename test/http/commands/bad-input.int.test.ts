import t from 'tap';
import { build } from '../../helpers/build.ts';
import { TODAY, commitment, countEvents, post, readyContract, territories, tokens } from './fixtures.ts';

const problemJson = /^application\/problem\+json/;

t.test('unknown fields are refused, naming each one (no mass assignment)', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  const before = await countEvents(b);
  const r = await post(b, tk.lead44, '/contracts', {
    territoryId: '4401',
    title: 'x',
    draftedOn: '2019-01-15',
    status: 'signed',
    regionCode: '84',
  });
  t.equal(r.statusCode, 400);
  t.match(r.headers['content-type'], problemJson);
  t.match(r.json<{ detail: string }>().detail, /status/);
  t.match(r.json<{ detail: string }>().detail, /regionCode/);
  // prototype pollution keys are just unknown fields
  const proto = await b.app.inject({
    method: 'POST',
    url: '/contracts',
    headers: { authorization: `Bearer ${tk.lead44}`, 'content-type': 'application/json' },
    payload: '{"territoryId":"4401","title":"x","draftedOn":"2019-01-15","__proto__":{"isAdmin":true}}',
  });
  t.equal(proto.statusCode, 400, proto.body);
  t.equal(({} as Record<string, unknown>).isAdmin, undefined, 'Object.prototype untouched');
  const nested = await b.app.inject({
    method: 'POST',
    url: '/contracts/x/sign',
    headers: { authorization: `Bearer ${tk.lead44}`, 'content-type': 'application/json' },
    payload: '{"signedOn":"2019-05-01","signatories":[{"name":"A","constructor":{"prototype":{"x":1}}}]}',
  });
  t.equal(nested.statusCode, 400, nested.body);
  t.equal(await countEvents(b), before);
});

t.test('413, 415 and bad JSON are problem documents; nothing is written', async (t) => {
  const b = await build(t, { today: TODAY, runner: false, env: { BODY_LIMIT_BYTES: '4096' } });
  const tk = await tokens(b);
  await territories(b, tk);
  const id = await readyContract(b, tk);
  const before = await countEvents(b);
  const big = await post(
    b,
    tk.lead44,
    `/contracts/${id}/commitments`,
    commitment('epci', { description: 'x'.repeat(5000) }),
  );
  t.equal(big.statusCode, 413, big.body);
  t.match(big.headers['content-type'], problemJson);
  const form = await b.app.inject({
    method: 'POST',
    url: `/contracts/${id}/submit`,
    headers: { authorization: `Bearer ${tk.lead44}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'submittedOn=2019-03-01',
  });
  t.equal(form.statusCode, 415, form.body);
  t.match(form.headers['content-type'], problemJson);
  const text = await b.app.inject({
    method: 'POST',
    url: `/contracts/${id}/submit`,
    headers: { authorization: `Bearer ${tk.lead44}`, 'content-type': 'text/plain' },
    payload: '{"submittedOn":"2019-03-01"}',
  });
  t.equal(text.statusCode, 415);
  const broken = await b.app.inject({
    method: 'POST',
    url: `/contracts/${id}/submit`,
    headers: { authorization: `Bearer ${tk.lead44}`, 'content-type': 'application/json' },
    payload: '{"submittedOn":',
  });
  t.equal(broken.statusCode, 400);
  t.match(broken.headers['content-type'], problemJson);
  const empty = await b.app.inject({
    method: 'POST',
    url: `/contracts/${id}/submit`,
    headers: { authorization: `Bearer ${tk.lead44}` },
  });
  t.equal(empty.statusCode, 400, 'an empty body is not a command');
  t.equal(await countEvents(b), before);
});

t.test('per-token rate limit: 429 problem with retry-after; other tokens unaffected', async (t) => {
  const b = await build(t, { today: TODAY, runner: false, env: { RATE_LIMIT_PER_MINUTE: '5' } });
  const a = await b.token('auditor', { sub: 'auditor-a' });
  const c = await b.token('auditor', { sub: 'auditor-b' });
  const responses = [];
  for (let i = 0; i < 7; i++)
    responses.push(await b.app.inject({ url: '/contracts/nope', headers: { authorization: `Bearer ${a}` } }));
  t.same(
    responses.map((r) => r.statusCode),
    [404, 404, 404, 404, 404, 429, 429],
  );
  const last = responses.at(-1)!;
  t.match(last.headers['content-type'], problemJson);
  t.ok(Number(last.headers['retry-after']) > 0, 'retry-after');
  t.equal(last.headers['x-ratelimit-remaining'], '0');
  t.equal(responses[0]!.headers['x-ratelimit-limit'], '5');
  t.equal(responses[0]!.headers['x-ratelimit-remaining'], '4');
  t.equal(last.json<{ retryAfterSeconds: number }>().retryAfterSeconds, Number(last.headers['retry-after']));
  t.equal(last.json<{ status: number }>().status, 429);
  const other = await b.app.inject({ url: '/contracts/nope', headers: { authorization: `Bearer ${c}` } });
  t.equal(other.statusCode, 404, 'the limit is per token subject');
});

t.test(
  'text that is not Unicode (a lone surrogate, U+0000) is a 400 naming the field; nothing is written',
  async (t) => {
    const b = await build(t, { today: TODAY, runner: false });
    const tk = await tokens(b);
    await territories(b, tk);
    const before = await countEvents(b);
    // found by the fuzzer: `"\uffff\ud800"` used to reach PostgreSQL's jsonb and answer 500
    for (const payload of [
      '{"name":"\\uffff\\ud800","renamedOn":"2019-03-01"}',
      '{"name":"a\\u0000b","renamedOn":"2019-03-01"}',
    ]) {
      const r = await b.app.inject({
        method: 'POST',
        url: '/territories/4401/renames',
        headers: { authorization: `Bearer ${tk.admin}`, 'content-type': 'application/json' },
        payload,
      });
      t.equal(r.statusCode, 400, r.body);
      t.match(r.headers['content-type'], problemJson);
      t.match(r.json<{ detail: string }>().detail, /\$\.name/);
    }
    t.equal(await countEvents(b), before);
  },
);

t.test('probes are never throttled; calls without a token are limited by address', async (t) => {
  const b = await build(t, { today: TODAY, runner: false, env: { RATE_LIMIT_PER_MINUTE: '2' } });
  for (let i = 0; i < 4; i++) {
    const r = await b.app.inject({ url: '/healthz' });
    t.equal(r.statusCode, 200);
    t.equal(r.headers['x-ratelimit-limit'], undefined);
  }
  const anonymous = [];
  for (let i = 0; i < 3; i++) anonymous.push((await b.app.inject({ url: '/contracts/nope' })).statusCode);
  t.same(anonymous, [401, 401, 429]);
});

t.test('a commitment due before the date it is made: 400 problem naming dueOn, nothing written', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  const id = await readyContract(b, tk);
  const before = await countEvents(b);
  const made = await post(
    b,
    tk.lead44,
    `/contracts/${id}/commitments`,
    commitment('operator', { madeOn: '2019-03-01', dueOn: '2019-02-28' }),
  );
  t.equal(made.statusCode, 400, made.body);
  t.match(made.headers['content-type'], problemJson);
  t.match(made.json(), { field: 'dueOn', detail: /dueOn 2019-02-28 is before the date the commitment is made/ });
  // nor amended to fall due before it was made (the fixture's commitments are made 2019-02-01)
  const contract = await b.app.inject({ url: `/contracts/${id}`, headers: { authorization: `Bearer ${tk.lead44}` } });
  const k = contract.json<{ commitments: { commitmentId: string }[] }>().commitments[0]!.commitmentId;
  const amended = await post(b, tk.lead44, `/contracts/${id}/commitments/${k}/amendments`, {
    dueOn: '2019-01-31',
    amendedOn: '2019-03-01',
  });
  t.equal(amended.statusCode, 400, amended.body);
  t.match(amended.json(), { field: 'dueOn', detail: /before the date the commitment is made \(madeOn 2019-02-01\)/ });
  t.equal(await countEvents(b), before, 'no event written');
  // due the day it is made: accepted
  const same = await post(
    b,
    tk.lead44,
    `/contracts/${id}/commitments`,
    commitment('operator', { madeOn: '2019-03-01', dueOn: '2019-03-01' }),
  );
  t.equal(same.statusCode, 201, same.body);
});
