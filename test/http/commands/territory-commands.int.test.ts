import t from 'tap';
import { build } from '../../helpers/build.ts';
import { TODAY, countEvents, post, territories, tokens, vosges } from './fixtures.ts';

t.test('perimeter changes, renames, co-leads, withdrawal', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  const per = await post(b, tk.admin, '/territories/4401/perimeter-changes', {
    added: [{ siren: '200040392', name: 'CC de la Porte des Vosges Méridionales', nature: 'CC' }],
    removed: ['248800105'],
    decidedOn: '2019-03-01',
    reason: 'comité de pilotage régional',
  });
  t.equal(per.statusCode, 200, per.body);
  t.equal(per.headers.etag, '"1"');
  const ren = await post(b, tk.admin, '/territories/4401/renames', { name: 'Vosges Sud', renamedOn: '2019-03-02' });
  t.equal(ren.statusCode, 200, ren.body);
  const co = await post(b, tk.admin, '/territories/4401/co-leads', {
    industrial: { name: 'Marie Durand', role: 'Usine SA' },
    elected: { name: 'Jean Martin', role: 'président de CC' },
    appointedOn: '2019-03-03',
  });
  t.equal(co.statusCode, 200, co.body);
  const stale = await post(
    b,
    tk.admin,
    '/territories/4401/withdrawal',
    { withdrawnOn: '2019-03-04', reason: 'x' },
    { 'if-match': '"1"' },
  );
  t.equal(stale.statusCode, 412);
  const w = await post(
    b,
    tk.admin,
    '/territories/4401/withdrawal',
    { withdrawnOn: '2019-03-04', reason: 'fusion' },
    { 'if-match': '"3"' },
  );
  t.equal(w.statusCode, 200, w.body);
  const again = await post(b, tk.admin, '/territories/4401/renames', { name: 'Z', renamedOn: '2019-03-05' });
  t.equal(again.statusCode, 409);
  const types = [];
  for await (const e of b.system.store.readStream('territory-4401')) types.push(e.type);
  t.same(types, [
    'TerritoryLabelled',
    'TerritoryPerimeterChanged',
    'TerritoryRenamed',
    'TerritoryCoLeadsAppointed',
    'TerritoryWithdrawn',
  ]);
  const unknown = await post(b, tk.admin, '/territories/9999/renames', { name: 'Z', renamedOn: '2019-03-05' });
  t.equal(unknown.statusCode, 404);
});

t.test('a split closes the territory and labels the new ones in its region', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  const body = {
    into: [
      { id: '4401a', name: 'Val de Lorraine', epcis: [vosges.epcis[0]!] },
      { id: '4401b', name: 'Terres de Lorraine', epcis: [vosges.epcis[1]!] },
    ],
    splitOn: '2019-11-19',
    reason: 'comité régional',
  };
  const r = await post(b, tk.admin, '/territories/4401/splits', body);
  t.equal(r.statusCode, 200, r.body);
  t.same(r.json<{ territories: unknown }>().territories, [
    { id: '4401a', revision: 0 },
    { id: '4401b', revision: 0 },
  ]);
  const child = [];
  for await (const e of b.system.store.readStream('territory-4401b')) child.push(e);
  t.match(child[0]!.data, {
    splitFrom: '4401',
    regionCode: '44',
    labelledOn: '2019-11-19',
    name: 'Terres de Lorraine',
  });
  const before = await countEvents(b);
  const twice = await post(b, tk.admin, '/territories/4401/splits', body);
  t.equal(twice.statusCode, 409);
  const reuse = await post(b, tk.admin, '/territories/8401/splits', {
    ...body,
    into: [body.into[0], { id: '8401z', name: 'Z', epcis: [vosges.epcis[1]!] }],
  });
  t.equal(reuse.statusCode, 409, 'an existing id cannot be a new territory');
  t.equal(await countEvents(b), before);
  // the split territory takes no new contract; a new one does
  const lead = await b.token('territory_lead', { territories: ['4401', '4401a'] });
  t.equal(
    (await post(b, lead, '/contracts', { territoryId: '4401', title: 'x', draftedOn: '2019-12-01' })).statusCode,
    409,
  );
  t.equal(
    (await post(b, lead, '/contracts', { territoryId: '4401a', title: 'x', draftedOn: '2019-12-01' })).statusCode,
    201,
  );
});

t.test('the OpenAPI document lists every command route', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const doc = (await b.app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
  for (const path of [
    '/territories/{id}/perimeter-changes',
    '/territories/{id}/renames',
    '/territories/{id}/splits',
    '/territories/{id}/co-leads',
    '/territories/{id}/withdrawal',
    '/contracts',
    '/contracts/{id}',
    '/contracts/{id}/commitments',
    '/contracts/{id}/commitments/{commitmentId}/amendments',
    '/contracts/{id}/commitments/{commitmentId}/withdrawal',
    '/contracts/{id}/submit',
    '/contracts/{id}/validate',
    '/contracts/{id}/request-changes',
    '/contracts/{id}/reject',
    '/contracts/{id}/reopen',
    '/contracts/{id}/sign',
    '/projects',
    '/projects/{id}',
    '/projects/{id}/fundings',
    '/projects/{id}/start',
    '/projects/{id}/complete',
    '/projects/{id}/abandon',
  ])
    t.ok(doc.paths[path], path);
});
