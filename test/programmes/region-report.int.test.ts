import t from 'tap';
import { reportGroups } from '../../src/projections/reports/regions.ts';
import { build } from '../helpers/build.ts';
import { TODAY, post, submittedContract, territories, tokens } from '../http/commands/fixtures.ts';

t.test('report groups across the 2016 merger', async (t) => {
  t.same(reportGroups('44', '2014-06-30', 'asof'), ['21', '41', '42'], 'Grand Est in 2014: its three predecessors');
  t.same(reportGroups('44', '2014-06-30', 'current'), ['44'], "today's Grand Est");
  t.same(reportGroups('41', '2014-06-30', 'asof'), ['41']);
  t.same(reportGroups('41', '2019-06-30', 'asof'), ['44'], 'Lorraine after 2016: the Region that holds its history');
  t.same(reportGroups('41', '2019-06-30', 'current'), ['44']);
  t.same(reportGroups('84', '2019-06-30', 'asof'), ['84']);
});

t.test('GET /reports/regions/{code}: every programme figure of the Region, JSON and CSV', async (t) => {
  const b = await build(t, { today: TODAY });
  const tk = await tokens(b);
  await territories(b, tk);
  const id = await submittedContract(b, tk);
  const v = await post(b, tk.validator44, `/contracts/${id}/validate`, { decidedOn: '2019-04-02' });
  t.equal(v.statusCode, 200, v.body);
  const pr = await post(b, tk.lead44, '/projects', {
    territoryId: '4401',
    contractId: id,
    title: 'Plateforme VTE',
    axis: 'skills',
    budgetEur: 250000,
    registeredOn: '2019-05-01',
  });
  t.equal(pr.statusCode, 201, pr.body);
  const f = await post(b, tk.lead44, `/projects/${pr.json<{ id: string }>().id}/fundings`, {
    source: 'region',
    amountEur: 1234.5,
    grantedOn: '2019-06-01',
  });
  t.equal(f.statusCode, 201, f.body);
  t.ok(await b.system.runner.waitFor(BigInt(f.json<{ position: string }>().position), 5000));
  const auth = { authorization: `Bearer ${tk.reporter}` };
  const get = (url: string, headers: Record<string, string> = auth) => b.app.inject({ url, headers });

  const r = await get('/reports/regions/44?asOf=2019-12-31');
  t.equal(r.statusCode, 200, r.body);
  t.match(r.json(), {
    regionCode: '44',
    geography: 'asof',
    groups: [
      {
        regionCode: '44',
        name: 'Grand Est',
        recordsOf: ['21', '41', '42', '44'],
        figures: [
          { programme: 'territoires-industrie-2018', metric: 'territories', value: 1 },
          { programme: 'territoires-industrie-2018', metric: 'contracts_validated', value: 1 },
          { programme: 'territoires-industrie-2018', metric: 'projects', value: 1 },
          { programme: 'territoires-industrie-2018', metric: 'funding_eur', value: 1234.5 },
        ],
      },
    ],
  });
  t.equal(r.json<{ groups: unknown[] }>().groups.length, 1);
  const before = await get('/reports/regions/44?asOf=2019-03-31');
  t.match(before.json<{ groups: { figures: { metric: string; value: number }[] }[] }>().groups[0]!.figures[1], {
    metric: 'contracts_validated',
    value: 0,
  });
  // Auvergne-Rhône-Alpes has its own territory, not Grand Est's
  const ara = await get('/reports/regions/84?asOf=2019-12-31&geography=current');
  t.match(ara.json(), { groups: [{ regionCode: '84', figures: [{ metric: 'territories', value: 1 }] }] });

  const csv = await get('/reports/regions/44?asOf=2019-12-31', { ...auth, accept: 'text/csv' });
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /text\/csv/);
  t.same(csv.body.trim().split('\n'), [
    'region_code,region_name,programme,metric,value',
    '44,Grand Est,territoires-industrie-2018,territories,1',
    '44,Grand Est,territoires-industrie-2018,contracts_validated,1',
    '44,Grand Est,territoires-industrie-2018,projects,1',
    '44,Grand Est,territoires-industrie-2018,funding_eur,1234.5',
    // La Nouvelle France industrielle (none recorded here): its figures, each with its programme
    '44,Grand Est,nouvelle-france-industrielle-2013,plans_chosen_rank1,0',
    '44,Grand Est,nouvelle-france-industrielle-2013,plans_chosen_rank2,0',
    '44,Grand Est,nouvelle-france-industrielle-2013,roadmaps_submitted,0',
    '44,Grand Est,nouvelle-france-industrielle-2013,roadmaps_accepted,0',
    '44,Grand Est,nouvelle-france-industrielle-2013,roadmaps_late,0',
    '44,Grand Est,nouvelle-france-industrielle-2013,usine_du_futur_firms,0',
    // the pôles' figures (issue 18), each with its programme
    '44,Grand Est,poles-competitivite,poles_labelled,0',
    '44,Grand Est,poles-competitivite,fui_projects_co_funded,0',
    '44,Grand Est,poles-competitivite,fui_co_funding_eur,0',
  ]);
  // for French spreadsheets, as the progress CSV: BOM, `;`, decimal comma; accented names intact
  const fr = await get('/reports/regions/84?asOf=2019-12-31&csv=fr', { ...auth, accept: 'text/csv' });
  t.equal(fr.statusCode, 200, fr.body);
  t.ok(fr.body.startsWith('\ufeffregion_code;region_name;programme;metric;value\n'), 'BOM and `;`');
  t.ok(fr.body.includes('\n84;Auvergne-Rhône-Alpes;territoires-industrie-2018;territories;1\n'), fr.body);
  const fr44 = await get('/reports/regions/44?asOf=2019-12-31&csv=fr', { ...auth, accept: 'text/csv' });
  t.ok(fr44.body.includes('\n44;Grand Est;territoires-industrie-2018;funding_eur;1234,5\n'), 'decimal comma');
  t.equal((await get('/reports/regions/44?csv=de', { ...auth, accept: 'text/csv' })).statusCode, 400);

  t.equal((await get('/reports/regions/99')).statusCode, 404);
  t.equal((await get('/reports/regions/44?geography=today')).statusCode, 400);
  t.equal((await get('/reports/regions/44?asOf=2019-02-30')).statusCode, 400);
  t.equal((await b.app.inject({ url: '/reports/regions/44' })).statusCode, 401);
});
