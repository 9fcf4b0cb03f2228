import t from 'tap';
import { launchBuiltInProgrammes } from '../../src/application/programmes.ts';
import { build } from '../helpers/build.ts';

/** Issue 16's identity rules over HTTP: an id is unique within its programme. */

const epcis = [{ siren: '200071645', name: 'CC Fixture Plastics', nature: 'CC' }];
const label2018 = {
  id: '8413',
  name: 'Thiers – Ambert – Montbrison',
  regionCode: '84',
  epcis: [{ siren: '200070753', name: 'CC Fixture Thiers', nature: 'CC' }],
  labelledOn: '2018-11-22',
};
const label2023 = {
  id: '8413',
  programme: 'territoires-industrie-2023',
  name: 'Plastics Vallée – Oyonnax',
  regionCode: '84',
  epcis,
  labelledOn: '2023-11-09',
};

async function logSize(system: { pool: { query(q: string): Promise<{ rows: { n: string }[] }> } }) {
  return Number((await system.pool.query('select count(*) as n from es.events')).rows[0]!.n);
}

t.test('GET /programmes: the catalogue, recorded in the log once the release launches it', async (t) => {
  const { app, system, token } = await build(t, { today: '2026-01-15' });
  const reader = { authorization: `Bearer ${await token('reporter')}` };
  const before = await app.inject({ url: '/programmes', headers: reader });
  t.equal(before.statusCode, 200);
  const ids = before.json<{ items: { id: string; recorded: boolean }[] }>().items;
  t.same(
    ids.map((p) => p.id),
    [
      'territoires-industrie-2018',
      'territoires-industrie-2023',
      'nouvelle-france-industrielle-2013',
      'poles-competitivite',
    ],
  );
  t.ok(
    ids.every((p) => !p.recorded),
    'nothing recorded yet',
  );

  t.same(
    await launchBuiltInProgrammes(system, '2026-01-15'),
    ids.map((p) => p.id),
    'records all four',
  );
  t.same(await launchBuiltInProgrammes(system, '2026-01-15'), [], 'idempotent: the second time records nothing');
  const events = [];
  for await (const e of system.store.readStream('programme-territoires-industrie-2023')) events.push(e);
  t.equal(events.length, 1);
  t.equal(events[0]!.type, 'ProgrammeLaunched');
  t.equal(events[0]!.metadata.occurredOn, '2023-05-11');
  t.match(events[0]!.data, {
    follows: 'territoires-industrie-2018',
    endsOn: '2027-12-31',
    kind: 'territoires-industrie',
  });

  const one = await app.inject({ url: '/programmes/nouvelle-france-industrielle-2013', headers: reader });
  t.equal(one.statusCode, 200);
  t.match(one.json(), { launchedOn: '2013-09-12', kind: 'nouvelle-france-industrielle', recorded: true });
  const unknown = await app.inject({ url: '/programmes/plan-calcul-1966', headers: reader });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.equal((await app.inject({ url: '/programmes' })).statusCode, 401);
});

t.test('territory 8413 of 2018 and 8413 of 2023: two streams, two rows, two timelines', async (t) => {
  const { app, system, token } = await build(t, { today: '2026-01-15' });
  await launchBuiltInProgrammes(system, '2026-01-15');
  const admin = { authorization: `Bearer ${await token('programme_admin')}` };
  const auditor = { authorization: `Bearer ${await token('auditor')}` };
  const a = await app.inject({ method: 'POST', url: '/territories', headers: admin, payload: label2018 });
  t.equal(a.statusCode, 201, a.body);
  t.equal(a.headers.location, '/territories/8413');
  const b = await app.inject({ method: 'POST', url: '/territories', headers: admin, payload: label2023 });
  t.equal(b.statusCode, 201, b.body);
  t.equal(b.headers.location, '/territories/8413?programme=territoires-industrie-2023');
  t.match(b.json(), { id: '8413', programme: 'territoires-industrie-2023', revision: 0 });

  // a duplicate within one programme is still refused, naming the field; nothing written
  const size = await logSize(system);
  const dup = await app.inject({ method: 'POST', url: '/territories', headers: admin, payload: label2023 });
  t.equal(dup.statusCode, 409);
  t.match(dup.json(), { field: 'id', programme: 'territoires-industrie-2023' });
  t.equal(await logSize(system), size, 'nothing written');

  // a change names the programme in its body, and touches only that programme's 8413
  const ren = await app.inject({
    method: 'POST',
    url: '/territories/8413/renames',
    headers: admin,
    payload: { programme: 'territoires-industrie-2023', name: 'Plastics Vallée', renamedOn: '2024-02-01' },
  });
  t.equal(ren.statusCode, 200, ren.body);
  t.ok(await system.runner.waitFor(BigInt(ren.json<{ position: string }>().position), 5000));

  const reader = { authorization: `Bearer ${await token('reporter')}` };
  const get = (url: string) => app.inject({ url, headers: reader });
  const old = await get('/territories/8413');
  t.equal(old.statusCode, 200);
  t.match(old.json(), { name: 'Thiers – Ambert – Montbrison', programme: 'territoires-industrie-2018' });
  t.match((await get('/territories/8413?programme=territoires-industrie-2018')).json(), {
    name: 'Thiers – Ambert – Montbrison',
  });
  const p2 = await get('/territories/8413?programme=territoires-industrie-2023');
  t.match(p2.json(), { name: 'Plastics Vallée', programme: 'territoires-industrie-2023', labelledOn: '2023-11-09' });
  t.same(
    p2.json<{ epcis: { siren: string }[] }>().epcis.map((e) => e.siren),
    ['200071645'],
  );
  t.match((await get('/territories/8413?programme=territoires-industrie-2023&asOf=2024-01-31')).json(), {
    name: 'Plastics Vallée – Oyonnax',
  });
  t.equal((await get('/territories?programme=territoires-industrie-2023')).json<{ total: number }>().total, 1);
  t.equal((await get('/territories')).json<{ total: number }>().total, 1, 'no programme: phase 1');

  const streams = [];
  for await (const e of system.store.readStream('territory-8413@territoires-industrie-2023')) streams.push(e.type);
  t.same(streams, ['TerritoryLabelled', 'TerritoryRenamed']);

  const tl = await app.inject({
    url: '/audit/territories/8413/timeline?programme=territoires-industrie-2023',
    headers: auditor,
  });
  t.equal(tl.statusCode, 200, tl.body);
  t.same(tl.json<{ streams: string[] }>().streams, ['territory-8413@territoires-industrie-2023']);
  t.equal(tl.json<{ count: number }>().count, 2);
  const tl1 = await app.inject({ url: '/audit/territories/8413/timeline', headers: auditor });
  t.same(tl1.json<{ streams: string[] }>().streams, ['territory-8413']);
  const asOf = await app.inject({
    url: '/audit/territories/8413?programme=territoires-industrie-2023',
    headers: auditor,
  });
  t.match(asOf.json(), { matchesReadModel: true, rebuilt: { name: 'Plastics Vallée' } });
});

t.test('bad input about programmes answers 400 naming the field, and writes nothing', async (t) => {
  const { app, system, token } = await build(t, { today: '2026-01-15' });
  const admin = { authorization: `Bearer ${await token('programme_admin')}` };
  const size = await logSize(system);
  const post = (payload: object) => app.inject({ method: 'POST', url: '/territories', headers: admin, payload });

  const unknown = await post({ ...label2023, programme: 'territoires-industrie-2099' });
  t.equal(unknown.statusCode, 400);
  t.match(unknown.json(), { field: 'programme', detail: /unknown programme territoires-industrie-2099/ });

  const malformed = await post({ ...label2023, programme: 'Territoires Industrie' });
  t.equal(malformed.statusCode, 400);
  t.match(unknown.headers['content-type'], /application\/problem\+json/);

  const early = await post({ ...label2023, labelledOn: '2022-06-30' });
  t.equal(early.statusCode, 400);
  t.match(early.json(), {
    field: 'labelledOn',
    detail: /before programme territoires-industrie-2023 began \(2023-05-11\)/,
  });

  const old = await post({ ...label2018, labelledOn: '2013-10-01' });
  t.equal(old.statusCode, 400, 'a TI 2018 event of 2013 is refused');
  t.match(old.json(), { field: 'labelledOn' });

  const nfi = await post({ ...label2023, programme: 'nouvelle-france-industrielle-2013', labelledOn: '2013-10-01' });
  t.equal(nfi.statusCode, 400);
  t.match(nfi.json(), { field: 'programme', detail: /holds no territories/ });

  // a change in a programme the territory does not belong to: 404, nothing written
  const ok = await post(label2018);
  t.equal(ok.statusCode, 201);
  const afterLabel = await logSize(system);
  const wrong = await app.inject({
    method: 'POST',
    url: '/territories/8413/renames',
    headers: admin,
    payload: { programme: 'territoires-industrie-2023', name: 'X', renamedOn: '2024-01-01' },
  });
  t.equal(wrong.statusCode, 404);
  t.equal(await logSize(system), afterLabel);
  t.equal(afterLabel, size + 1, 'only the one good label was written');
});

t.test('succeeds links a territory to the one of the previous phase it renews', async (t) => {
  const { app, system, token } = await build(t, { today: '2026-01-15' });
  const admin = { authorization: `Bearer ${await token('programme_admin')}` };
  const post = (payload: object) => app.inject({ method: 'POST', url: '/territories', headers: admin, payload });
  t.equal((await post(label2018)).statusCode, 201);
  const size = await logSize(system);
  const missing = await post({ ...label2023, id: '8414', succeeds: '9999' });
  t.equal(missing.statusCode, 400);
  t.match(missing.json(), { field: 'succeeds', detail: /9999 does not exist in territoires-industrie-2018/ });
  const phase1 = await post({ ...label2018, id: '8499', succeeds: '8413' });
  t.equal(phase1.statusCode, 400);
  t.match(phase1.json(), { field: 'succeeds', detail: /follows no other programme/ });
  t.equal(await logSize(system), size, 'nothing written');
  const renewed = await post({ ...label2023, id: '8414', name: 'Thiers – Ambert (2023)', succeeds: '8413' });
  t.equal(renewed.statusCode, 201, renewed.body);
  t.ok(await system.runner.waitFor(BigInt(renewed.json<{ position: string }>().position), 5000));
  const reader = { authorization: `Bearer ${await token('reporter')}` };
  const view = await app.inject({ url: '/territories/8414?programme=territoires-industrie-2023', headers: reader });
  t.match(view.json(), { succeeds: '8413', programme: 'territoires-industrie-2023' });
});
