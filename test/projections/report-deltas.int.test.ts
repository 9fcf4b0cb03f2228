import t from 'tap';
import { sql } from 'kysely';
import { generate, insertEvents } from '../../bench/events.ts';
import * as m0006 from '../../src/db/migrations/0006_report_deltas.ts';
import { progressReport } from '../../src/projections/queries.ts';
import { checksums } from '../../src/projections/rebuild.ts';
import { build } from '../helpers/build.ts';
import { caughtUp } from './helpers.ts';

const deltaTables = (cs: Awaited<ReturnType<typeof checksums>>) =>
  cs.filter((c) => c.table.startsWith('report_deltas'));

t.test('the pre-aggregated report deltas give the figures of the detailed tables on every date', async (t) => {
  const { system } = await build(t);
  await insertEvents(system.pool, generate(6000, 11), { chunk: 500 });
  await caughtUp(system.runner);
  const db = system.db;

  // the same figures straight from the detailed read models (the definitions of docs/read-models.md)
  const reference = async (d: string) => {
    const c = await sql<{ region_code: string | null; drafted: string; validated: string; signed: string }>`
      select region_code,
             count(*) filter (where drafted_on <= ${d}::date) as drafted,
             count(*) filter (where validated_on <= ${d}::date) as validated,
             count(*) filter (where signed_on <= ${d}::date) as signed
        from read.contracts where valid_to is null and drafted_on <= ${d}::date group by region_code`.execute(db);
    const p = await sql<{ region_code: string | null; axis: string | null; n: string }>`
      select region_code, axis, count(*) as n from read.projects
       where valid_to is null and registered_on <= ${d}::date and (abandoned_on is null or abandoned_on > ${d}::date)
       group by region_code, axis`.execute(db);
    const f = await sql<{ cents: string | null }>`
      select sum(amount_cents) as cents from read.project_fundings where valid_from <= ${d}::date`.execute(db);
    const sum = (xs: Record<string, unknown>[], k: string) => xs.reduce((a, x) => a + Number(x[k]), 0);
    return {
      drafted: sum(c.rows, 'drafted'),
      validated: sum(c.rows, 'validated'),
      signed: sum(c.rows, 'signed'),
      validatedIn44: sum(
        c.rows.filter((r) => r.region_code === '44'),
        'validated',
      ),
      projects: sum(p.rows, 'n'),
      projectsIn84: sum(
        p.rows.filter((r) => r.region_code === '84'),
        'n',
      ),
      skills: sum(
        p.rows.filter((r) => r.axis === 'skills'),
        'n',
      ),
      fundingEur: Number(f.rows[0]?.cents ?? 0) / 100,
    };
  };
  const dates = ['2018-11-22', '2019-01-31', '2019-02-01', '2019-06-17', '2020-03-01', '2021-12-31', '2023-07-04'];
  let nonZero = 0;
  for (const d of dates) {
    const r = await progressReport(db, d);
    const want = await reference(d);
    const got = {
      drafted: r.contracts.drafted,
      validated: r.contracts.validated,
      signed: r.contracts.signed,
      validatedIn44: r.byRegion.find((x) => x.regionCode === '44')?.contractsValidated ?? 0,
      projects: r.projects,
      projectsIn84: r.byRegion.find((x) => x.regionCode === '84')?.projects ?? 0,
      skills: r.byAxis.find((x) => x.axis === 'skills')?.projects ?? 0,
      fundingEur: r.fundingEur,
    };
    t.same(got, want, `as of ${d}`);
    if (want.projects > 0 && want.validated > 0 && want.fundingEur > 0) nonZero++;
  }
  t.ok(nonZero >= 3, 'the history has contracts, projects and funding on most dates');

  // the migration's backfill from the detailed tables equals what the projections wrote
  const projected = deltaTables(await checksums(db));
  for (const c of projected) t.ok(c.rows > 0, `${c.table} has rows`);
  await system.runner.stop();
  await m0006.down(db);
  await m0006.up(db);
  t.same(deltaTables(await checksums(db)), projected, 'backfill == projection');
  const zero = await sql<{ n: string }>`
    select (select count(*) from read.report_deltas where delta = 0)
         + (select count(*) from read.report_deltas_monthly where delta = 0) as n`.execute(db);
  t.equal(Number(zero.rows[0]!.n), 0, 'no row sums to zero');
});
