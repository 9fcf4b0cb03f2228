import t from 'tap';
import { build } from '../helpers/build.ts';

const body = {
  id: '4401',
  name: 'Vosges',
  regionCode: '44',
  epcis: [
    { siren: '200068757', name: 'CC des Vosges Côté Sud-Ouest', nature: 'CC' },
    { siren: '248800105', name: "CA d'Épinal", nature: 'CA' },
  ],
  labelledOn: '2018-11-22',
};

t.test('POST /territories labels a territory that GET reads back through the projection', async (t) => {
  const { app, system, token } = await build(t);
  const admin = await token('programme_admin');
  const res = await app.inject({
    method: 'POST',
    url: '/territories',
    headers: { authorization: `Bearer ${admin}` },
    payload: body,
  });
  t.equal(res.statusCode, 201, res.body);
  const created = res.json<{ id: string; revision: number; position: string }>();
  t.equal(created.id, '4401');
  t.equal(created.revision, 0);
  t.equal(res.headers.etag, '"0"');
  t.ok(await system.runner.waitFor(BigInt(created.position), 5000), 'projection caught up');

  const reader = { authorization: `Bearer ${await token('reporter')}` };
  t.equal((await app.inject({ url: '/territories/4401' })).statusCode, 401, 'reads need a token');
  const one = await app.inject({ url: '/territories/4401', headers: reader });
  t.equal(one.statusCode, 200);
  const view = one.json<{ name: string; regionCode: string; epcis: { siren: string }[]; status: string }>();
  t.equal(view.name, 'Vosges');
  t.equal(view.regionCode, '44');
  t.equal(view.status, 'labelled');
  t.same(
    view.epcis.map((e) => e.siren),
    ['200068757', '248800105'],
  );

  const list = await app.inject({ url: '/territories?region=44', headers: reader });
  t.equal(list.json<{ total: number }>().total, 1);
  const other = await app.inject({ url: '/territories?region=84', headers: reader });
  t.equal(other.json<{ total: number }>().total, 0);

  // as of a date before the labelling it did not exist yet
  const before = await app.inject({ url: '/territories/4401?asOf=2018-11-21', headers: reader });
  t.equal(before.statusCode, 404);
  t.equal(before.headers['content-type'], 'application/problem+json; charset=utf-8');

  // the event is in the log with its actor and business date
  const events = [];
  for await (const e of system.store.readStream('territory-4401')) events.push(e);
  t.equal(events.length, 1);
  t.equal(events[0]!.type, 'TerritoryLabelled');
  t.equal(events[0]!.metadata.occurredOn, '2018-11-22');
  t.equal(events[0]!.metadata.actor.sub, 'test-programme_admin');

  // labelling twice is a conflict
  const again = await app.inject({
    method: 'POST',
    url: '/territories',
    headers: { authorization: `Bearer ${admin}` },
    payload: body,
  });
  t.equal(again.statusCode, 409);
});

t.test('a malformed body is a 400 problem naming each field, and nothing is appended', async (t) => {
  const { app, system, token } = await build(t);
  const admin = await token('programme_admin');
  const res = await app.inject({
    method: 'POST',
    url: '/territories',
    headers: { authorization: `Bearer ${admin}` },
    payload: { ...body, regionCode: 'x', labelledOn: '2019-02-30', epcis: [{ siren: '12', name: 'A' }], extra: true },
  });
  t.equal(res.statusCode, 400);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const p = res.json<{ status: number; errors: { field: string }[] }>();
  t.equal(p.status, 400);
  const fields = p.errors.map((e) => e.field);
  t.ok(fields.includes('body.regionCode'), 'names regionCode');
  t.ok(fields.includes('body.labelledOn'), 'names labelledOn');
  t.ok(fields.includes('body.epcis.0.siren'), 'names the bad SIREN');
  t.ok(
    fields.some((f) => f === 'body'),
    'refuses the unknown key',
  );
  t.equal(await system.store.headCheckpoint(), undefined, 'the log is still empty');

  const notJson = await app.inject({
    method: 'POST',
    url: '/territories',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/plain' },
    payload: 'hello',
  });
  t.equal(notJson.statusCode, 415);
  const broken = await app.inject({
    method: 'POST',
    url: '/territories',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    payload: '{"id":',
  });
  t.equal(broken.statusCode, 400);
  t.equal(await system.store.headCheckpoint(), undefined, 'still empty');
});

t.test('labelling needs a programme administrator token', async (t) => {
  const { app, token } = await build(t);
  const none = await app.inject({ method: 'POST', url: '/territories', payload: body });
  t.equal(none.statusCode, 401);
  const bad = await app.inject({
    method: 'POST',
    url: '/territories',
    headers: { authorization: 'Bearer abc.def.ghi' },
    payload: body,
  });
  t.equal(bad.statusCode, 401);
  const lead = await token('territory_lead', { territories: ['4401'] });
  const forbidden = await app.inject({
    method: 'POST',
    url: '/territories',
    headers: { authorization: `Bearer ${lead}` },
    payload: body,
  });
  t.equal(forbidden.statusCode, 403);
});

t.test('health, readiness, OpenAPI and docs', async (t) => {
  const { app } = await build(t);
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
  const ready = await app.inject({ url: '/readyz' });
  t.equal(ready.statusCode, 200);
  t.equal(ready.json<{ database: boolean }>().database, true);
  const spec = await app.inject({ url: '/openapi.json' });
  t.equal(spec.json<{ openapi: string }>().openapi, '3.1.0');
  t.ok(spec.json<{ paths: Record<string, unknown> }>().paths['/territories'], 'documents /territories');
  t.equal((await app.inject({ url: '/docs/' })).statusCode, 200);
  const missing = await app.inject({ url: '/nope' });
  t.equal(missing.statusCode, 404);
  t.match(missing.headers['content-type'], /problem\+json/);
});
