import t from 'tap';
import { build } from '../helpers/build.ts';
import { TODAY, post, territories, tokens } from './commands/fixtures.ts';

/**
 * GET /reports/progress?by=region,axis: projects per Region and axis as of a date, the same
 * figures as the two SQL queries of docs/read-models.md ("Connect a BI tool").
 */
t.test('projects per Region and axis as of 2019-11-19: API (JSON, CSV) = SQL', async (t) => {
  const b = await build(t, { today: TODAY });
  const tk = await tokens(b);
  await territories(b, tk);
  const register = async (lead: string, territoryId: string, axis: string, registeredOn: string) => {
    const r = await post(b, lead, '/projects', {
      territoryId,
      title: `P ${axis}`,
      axis,
      budgetEur: 1000,
      registeredOn,
    });
    t.equal(r.statusCode, 201, r.body);
    return r.json<{ id: string; position: string }>();
  };
  await register(tk.lead44, '4401', 'innovation', '2019-05-01');
  await register(tk.lead44, '4401', 'innovation', '2019-11-19'); // on the date: counts
  await register(tk.lead44, '4401', 'skills', '2019-11-20'); // the day after: does not
  const gone = await register(tk.lead44, '4401', 'attractiveness', '2019-03-01');
  const ab = await post(b, tk.lead44, `/projects/${gone.id}/abandon`, { abandonedOn: '2019-10-01', reason: 'x' });
  t.equal(ab.statusCode, 200);
  const last = await register(tk.lead84, '8401', 'skills', '2019-06-01');
  const auth = { authorization: `Bearer ${tk.reporter}` };
  const url = `/reports/progress?asOf=2019-11-19&by=region,axis&minPosition=${last.position}`;

  const r = await b.app.inject({ url, headers: auth });
  t.equal(r.statusCode, 200, r.body);
  const body = r.json<{ byRegionAxis: { regionCode: string; regionName: string; axis: string; projects: number }[] }>();
  t.same(body.byRegionAxis, [
    { regionCode: '44', regionName: 'Grand Est', axis: 'innovation', projects: 2 },
    { regionCode: '84', regionName: 'Auvergne-Rhône-Alpes', axis: 'skills', projects: 1 },
  ]);

  const fromDeltas = await b.system.pool.query<{ region_code: string; axis: string; n: string }>(`
    select region_code, axis, sum(delta)::text as n from (
      select region_code, axis, delta from read.report_deltas_monthly
       where metric = 'projects' and month < date '2019-11-01'
      union all
      select region_code, axis, delta from read.report_deltas
       where metric = 'projects' and day between date '2019-11-01' and date '2019-11-19'
    ) x group by region_code, axis having sum(delta) <> 0 order by region_code, axis`);
  const fromVersions = await b.system.pool.query<{ region_code: string; axis: string; n: string }>(`
    select p.region_code, p.axis, count(*)::text as n from read.projects p
     where p.valid_from <= date '2019-11-19' and (p.valid_to is null or p.valid_to > date '2019-11-19')
       and p.registered_on <= date '2019-11-19' and p.status <> 'abandoned'
     group by p.region_code, p.axis order by p.region_code, p.axis`);
  const api = body.byRegionAxis.map((x) => ({ region_code: x.regionCode, axis: x.axis, n: String(x.projects) }));
  t.same(fromDeltas.rows, api, 'the pre-aggregated deltas query of docs/read-models.md');
  t.same(fromVersions.rows, api, 'the versioned-table query of docs/read-models.md');

  // worked query 2 of docs/read-models.md
  const perRegion = await b.system.pool.query(`
    select t.region_code, count(distinct t.territory_id)::int as territories, count(e.siren)::int as epcis
      from read.territories t
      left join read.territory_epcis e on e.territory_id = t.territory_id
       and e.valid_from <= date '2019-11-19' and (e.valid_to is null or e.valid_to > date '2019-11-19')
     where t.valid_from <= date '2019-11-19' and (t.valid_to is null or t.valid_to > date '2019-11-19')
       and t.status = 'labelled'
     group by t.region_code order by t.region_code`);
  t.same(perRegion.rows, [
    { region_code: '44', territories: 1, epcis: 2 },
    { region_code: '84', territories: 1, epcis: 1 },
  ]);

  const csv = await b.app.inject({ url, headers: { ...auth, accept: 'text/csv' } });
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  const lines = csv.body.trim().split('\n');
  t.same(
    lines.filter((l) => l.startsWith('region_axis,')),
    ['region_axis,44/innovation,projects,2,Grand Est', 'region_axis,84/skills,projects,1,Auvergne-Rhône-Alpes'],
  );
  const fr = await b.app.inject({ url: `${url}&csv=fr`, headers: { ...auth, accept: 'text/csv' } });
  t.equal(fr.statusCode, 200);
  t.ok(fr.body.startsWith('\ufeffsection;key;metric;value;region_name\n'), 'French CSV: BOM and `;`');
  t.match(fr.body, /\nregion_axis;44\/innovation;projects;2;Grand Est\n/);
  t.match(fr.body, /\ntotal;;funding_eur;0,00;\n/, 'decimal comma');
  const plain = await b.app.inject({ url: '/reports/progress?asOf=2019-11-19', headers: auth });
  t.notOk('byRegionAxis' in plain.json<object>(), 'without by=, the answer is as before');
  const bad = await b.app.inject({ url: '/reports/progress?by=department', headers: auth });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { errors: [{ field: 'querystring.by' }] });
});
