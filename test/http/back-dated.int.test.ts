import t from 'tap';
import { migrations } from '../../src/db/migrations/index.ts';
import { allProjections } from '../../src/projections/index.ts';
import { checksums, rebuild } from '../../src/projections/rebuild.ts';
import { caughtUp } from '../projections/helpers.ts';
import { build, type Built } from '../helpers/build.ts';
import { TODAY, countEvents, post, territories, tokens } from './commands/fixtures.ts';

/**
 * One rule for back-dated facts: the business date governs (docs/read-models.md "Back-dated
 * facts"). Fundings and lifecycle steps recorded after facts dated later, out of order, count from
 * their own dates in every view: the list, the detail, the progress report (total, by region and
 * axis, CSV), the Region report (JSON and CSV), SQL over the versions of read.projects and SQL
 * over read.project_fundings; and a rebuild gives the very same rows.
 */
type Item = { id: string; status: string; fundings: number; fundingCount: number; fundingEur: number };
type Detail = { status: string; fundings: unknown[]; fundingCount: number; fundingEur: number; fundedEur: number };
type Progress = {
  projects: number;
  fundingEur: number;
  byRegionAxis: { regionCode: string; axis: string; projects: number }[];
};
type RegionReport = { groups: { figures: { programme: string; metric: string; value: number }[] }[] };

/** What every view says about the projects on `asOf`: one record per view, compared with each other. */
async function views(b: Built, token: string, ids: string[], asOf: string, minPosition: string) {
  const get = async (url: string, accept = 'application/json') =>
    b.app.inject({ url, headers: { authorization: `Bearer ${token}`, accept } });
  const json = async <T>(url: string) => {
    const r = await get(url);
    if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
    return r.json<T>();
  };
  const list = await json<{ items: Item[] }>(`/projects?asOf=${asOf}&limit=100&minPosition=${minPosition}`);
  const out = {
    list: {} as Record<string, [string, number, number, number]>,
    detail: {} as Record<string, [string, number, number, number]>,
    versions: {} as Record<string, [string, number, number, number]>,
  };
  for (const i of list.items) out.list[i.id] = [i.status, i.fundingCount, i.fundings, i.fundingEur];
  for (const id of ids) {
    const r = await get(`/projects/${id}?asOf=${asOf}`);
    if (r.statusCode === 404) continue; // not registered yet on that date
    const d = r.json<Detail>();
    if (d.fundedEur !== d.fundingEur) throw new Error(`${id} on ${asOf}: fundedEur ${d.fundedEur} <> fundingEur`);
    out.detail[id] = [d.status, d.fundingCount, d.fundings.length, d.fundingEur];
  }
  const v = await b.system.pool.query<{ project_id: string; status: string; fundings: number; cents: string }>(
    `select project_id, status, fundings, funding_cents::text as cents from read.projects
      where valid_from <= $1 and (valid_to is null or valid_to > $1)`,
    [asOf],
  );
  for (const r of v.rows) out.versions[r.project_id] = [r.status, r.fundings, r.fundings, Number(r.cents) / 100];

  // totals: over the fundings table, the versions, the reports and their CSV
  const facts = await b.system.pool.query<{ cents: string | null; n: string }>(
    `select sum(amount_cents)::text as cents, count(*)::text as n from read.project_fundings where valid_from <= $1`,
    [asOf],
  );
  const progress = await json<Progress>(`/reports/progress?asOf=${asOf}&by=region,axis`);
  const csv = (await get(`/reports/progress?asOf=${asOf}&by=region,axis`, 'text/csv')).body;
  const csvFr = (await get(`/reports/progress?asOf=${asOf}&by=region,axis&csv=fr`, 'text/csv')).body;
  const line = (text: string, sep: string, section: string, key: string, metric: string) =>
    text
      .split('\n')
      .map((l) => l.replace(/^\ufeff/, '').split(sep))
      .find((f) => f[0] === section && f[1] === key && f[2] === metric)?.[3];
  const region = await json<RegionReport>(`/reports/regions/44?asOf=${asOf}`);
  const regionFunding = region.groups
    .flatMap((g) => g.figures)
    .find((f) => f.programme === 'territoires-industrie-2018' && f.metric === 'funding_eur');
  const regionCsv = (await get(`/reports/regions/44?asOf=${asOf}`, 'text/csv')).body
    .split('\n')
    .find((l) => l.includes(',territoires-industrie-2018,funding_eur,'));
  const byAxis = progress.byRegionAxis.filter((x) => x.regionCode === '44');
  const sqlByAxis = await b.system.pool.query<{ axis: string; n: string }>(
    `select axis, count(*)::text as n from read.projects
      where valid_from <= $1 and (valid_to is null or valid_to > $1)
        and registered_on <= $1 and status <> 'abandoned' and region_code = '44'
      group by axis order by axis`,
    [asOf],
  );
  const totals = {
    facts: Number(facts.rows[0]!.cents ?? 0) / 100,
    versions: Object.values(out.versions).reduce((s, x) => s + x[3], 0),
    list: Object.values(out.list).reduce((s, x) => s + x[3], 0),
    detail: Object.values(out.detail).reduce((s, x) => s + x[3], 0),
    progress: progress.fundingEur,
    csv: Number(line(csv, ',', 'total', '', 'funding_eur')),
    csvFr: Number(line(csvFr, ';', 'total', '', 'funding_eur')?.replace(',', '.')),
    region: regionFunding?.value ?? 0,
    regionCsv: Number(regionCsv?.split(',').at(-1) ?? 0),
  };
  const count = {
    facts: Number(facts.rows[0]!.n),
    versions: Object.values(out.versions).reduce((s, x) => s + x[1], 0),
    list: Object.values(out.list).reduce((s, x) => s + x[1], 0),
    detail: Object.values(out.detail).reduce((s, x) => s + x[1], 0),
  };
  const projects = {
    report: progress.projects,
    csv: Number(line(csv, ',', 'total', '', 'projects')),
    byAxis: Object.fromEntries(byAxis.map((x) => [x.axis, x.projects])),
    csvByAxis: Object.fromEntries(
      byAxis.map((x) => [x.axis, Number(line(csv, ',', 'region_axis', `44/${x.axis}`, 'projects'))]),
    ),
    sqlByAxis: Object.fromEntries(sqlByAxis.rows.map((r) => [r.axis, Number(r.n)])),
    notAbandoned: Object.values(out.detail).filter((x) => x[0] !== 'abandoned').length,
  };
  return { ...out, totals, count, projects };
}

t.test('back-dated fundings and lifecycle steps: every view agrees on every date; rebuild == live', async (t) => {
  const b = await build(t, { today: TODAY });
  const tk = await tokens(b);
  await territories(b, tk);
  const register = async (title: string, axis: string) => {
    const r = await post(b, tk.lead44, '/projects', {
      territoryId: '4401',
      title,
      axis,
      budgetEur: 900000,
      registeredOn: '2019-05-01',
    });
    t.equal(r.statusCode, 201, r.body);
    return r.json<{ id: string }>().id;
  };
  let position = '0';
  const step = async (id: string, path: string, body: Record<string, unknown>, status: number) => {
    const r = await post(b, tk.lead44, `/projects/${id}${path}`, body);
    t.equal(r.statusCode, status, `${path} ${JSON.stringify(body)}: ${r.body}`);
    if (r.statusCode < 300) position = r.json<{ position: string }>().position;
    return r;
  };
  const fund = (id: string, amountEur: number, grantedOn: string, status = 201) =>
    step(id, '/fundings', { source: 'region', amountEur, grantedOn }, status);

  // A: started 2019-09-01, then four fundings recorded out of order, three dated before the start
  const a = await register('Plateforme', 'skills');
  await step(a, '/start', { startedOn: '2019-09-01' }, 200);
  await fund(a, 400000, '2019-06-01'); // back-dated: splits [05-01, 09-01)
  await fund(a, 100000, '2019-10-15'); // in order
  await fund(a, 50000, '2019-05-01'); // the registration day: that version changed in place
  await fund(a, 25000, '2019-08-01'); // back-dated into the version the first one opened
  // before the project exists: refused (400 problem+json naming the field), nothing written
  const before = await countEvents(b);
  const refused = await fund(a, 1000, '2019-04-30', 400);
  t.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(refused.json(), {
    status: 400,
    field: 'grantedOn',
    detail: /grantedOn 2019-04-30 is before the project was registered/,
  });
  t.equal(await countEvents(b), before, 'the refused funding wrote nothing');

  // B: a funding dated 2019-10-01, then its start and completion recorded, dated before it
  const pb = await register('Banc d’essai', 'innovation');
  await fund(pb, 200000, '2019-10-01');
  await step(pb, '/start', { startedOn: '2019-09-01' }, 200);
  await step(pb, '/complete', { completedOn: '2019-09-20' }, 200);

  // C: a funding dated 2019-10-01, then abandoned on a date before it
  const c = await register('Halle', 'innovation');
  await fund(c, 70000, '2019-10-01');
  await step(c, '/abandon', { abandonedOn: '2019-09-15', reason: 'porteur défaillant' }, 200);

  const ids = [a, pb, c];
  const dates = [
    '2019-04-30',
    '2019-05-01',
    '2019-05-31',
    '2019-06-01',
    '2019-07-01',
    '2019-07-31',
    '2019-08-01',
    '2019-08-31',
    '2019-09-01',
    '2019-09-14',
    '2019-09-15',
    '2019-09-19',
    '2019-09-20',
    '2019-09-30',
    '2019-10-01',
    '2019-10-14',
    '2019-10-15',
    '2020-06-01',
  ];
  // the expected figures of A, B and C by date (euros), from the facts' own dates
  const expectA = (d: string) =>
    (d >= '2019-05-01' ? 50000 : 0) +
    (d >= '2019-06-01' ? 400000 : 0) +
    (d >= '2019-08-01' ? 25000 : 0) +
    (d >= '2019-10-15' ? 100000 : 0);
  const statusB = (d: string) => (d >= '2019-09-20' ? 'completed' : d >= '2019-09-01' ? 'started' : 'registered');
  const snapshot = async () => {
    const out: unknown[] = [];
    for (const d of dates) {
      const v = await views(b, tk.reporter, ids, d, position);
      out.push(v);
      const exists = d >= '2019-05-01';
      t.same(v.list, v.detail, `${d}: the list and the detail agree`);
      t.same(v.versions, v.detail, `${d}: the versions of read.projects and the detail agree`);
      const total = Object.values(v.totals);
      t.ok(
        total.every((x) => x === total[0]),
        `${d}: funding totals agree everywhere ${JSON.stringify(v.totals)}`,
      );
      t.ok(
        Object.values(v.count).every((x) => x === v.count.facts),
        `${d}: funding counts agree ${JSON.stringify(v.count)}`,
      );
      t.equal(v.projects.report, v.projects.notAbandoned, `${d}: projects in the report`);
      t.equal(v.projects.csv, v.projects.report, `${d}: projects in the CSV`);
      t.same(v.projects.byAxis, v.projects.sqlByAxis, `${d}: by=region,axis equals SQL over the versions`);
      t.same(v.projects.csvByAxis, v.projects.byAxis, `${d}: the CSV's region_axis lines`);
      // and they say what the facts' dates say
      if (!exists) t.same(v.detail, {}, `${d}: no project yet`);
      else {
        t.equal(v.detail[a]![3], expectA(d), `${d}: A's funding`);
        t.equal(v.detail[a]![0], d >= '2019-09-01' ? 'started' : 'registered');
        t.same(
          v.detail[pb],
          [statusB(d), d >= '2019-10-01' ? 1 : 0, d >= '2019-10-01' ? 1 : 0, d >= '2019-10-01' ? 200000 : 0],
          `${d}: B`,
        );
        t.equal(v.detail[c]![0], d >= '2019-09-15' ? 'abandoned' : 'registered', `${d}: C`);
        t.equal(v.totals.facts, expectA(d) + (d >= '2019-10-01' ? 270000 : 0));
      }
    }
    return out;
  };
  const live = await snapshot();
  // versions tile time: no gap, no overlap, one open version per project
  const tiles = await b.system.pool.query<{ n: string }>(
    `select count(*)::text as n from read.projects p
      where valid_to is not null and not exists (
        select 1 from read.projects q where q.project_id = p.project_id and q.valid_from = p.valid_to)`,
  );
  t.equal(tiles.rows[0]!.n, '0', 'each closed version is followed by the next');
  const versionsOfA = await b.system.pool.query<{ valid_from: string; fundings: number; funding_cents: string }>(
    `select valid_from, fundings, funding_cents from read.projects where project_id = $1 order by valid_from`,
    [a],
  );
  t.same(
    versionsOfA.rows.map((r) => [r.valid_from, r.fundings, Number(r.funding_cents) / 100]),
    [
      ['2019-05-01', 1, 50000],
      ['2019-06-01', 2, 450000],
      ['2019-08-01', 3, 475000],
      ['2019-09-01', 3, 475000],
      ['2019-10-15', 4, 575000],
    ],
    "A's versions: each holds the fundings dated on or before its start",
  );

  // a rebuild (batches: the back-dated facts meet their later facts in memory) gives the same rows
  await caughtUp(b.system.runner);
  const before2 = await checksums(b.system.db);
  await rebuild({ ...b.system, projections: allProjections }, { fresh: true });
  t.same(await checksums(b.system.db), before2, 'projections:rebuild gives the same rows (checksums)');
  t.same(await snapshot(), live, 'and the same answers');

  // a store projected by the previous release (back-dated facts clamped to the open version):
  // migration 0016 rewrites those projects' versions into the rows a rebuild writes
  const good = await checksums(b.system.db);
  await b.system.runner.stop();
  await b.system.pool.query('delete from read.projects where project_id = any($1) and valid_to is not null', [ids]);
  await b.system.pool.query(
    'update read.projects set valid_from = registered_on, position = 1 where project_id = any($1)',
    [ids],
  );
  t.notSame(await checksums(b.system.db), good, 'the versions are wrong now');
  await b.system.db.transaction().execute((trx) => migrations['0016_back_dated_projects']!.up(trx));
  t.same(await checksums(b.system.db), good, 'migration 0016 writes the rows of a rebuild');
  await b.system.db.transaction().execute((trx) => migrations['0016_back_dated_projects']!.up(trx));
  t.same(await checksums(b.system.db), good, 'and again: idempotent');
});
