import t from 'tap';
import { build } from '../helpers/build.ts';
import { TODAY, post, territories, tokens } from './commands/fixtures.ts';

/**
 * One rule for back-dated facts: the business date governs. A funding granted 2019-06-01 but
 * recorded after the project started (2019-09-01) counts from 2019-06-01 in the list, the
 * detail, the progress report and the SQL of docs/read-models.md alike.
 */
t.test('a back-dated funding: every view agrees on every date', async (t) => {
  const b = await build(t, { today: TODAY });
  const tk = await tokens(b);
  await territories(b, tk);
  const p = await post(b, tk.lead44, '/projects', {
    territoryId: '4401',
    title: 'Plateforme',
    axis: 'skills',
    budgetEur: 900000,
    registeredOn: '2019-05-01',
  });
  const id = p.json<{ id: string }>().id;
  t.equal((await post(b, tk.lead44, `/projects/${id}/start`, { startedOn: '2019-09-01' })).statusCode, 200);
  const f = await post(b, tk.lead44, `/projects/${id}/fundings`, {
    source: 'region',
    amountEur: 400000,
    grantedOn: '2019-06-01',
  });
  t.equal(f.statusCode, 201, f.body);
  const position = f.json<{ position: string }>().position;
  const auth = { authorization: `Bearer ${tk.reporter}` };
  const get = async <T>(url: string) => (await b.app.inject({ url, headers: auth })).json<T>();

  for (const [asOf, eur, n] of [
    ['2019-05-15', 0, 0],
    ['2019-06-01', 400000, 1],
    ['2019-07-01', 400000, 1],
    ['2019-10-01', 400000, 1],
  ] as const) {
    const list = await get<{ items: { fundings: number; fundingCount: number; fundingEur: number }[] }>(
      `/projects?asOf=${asOf}&minPosition=${position}`,
    );
    const detail = await get<{ fundings: unknown[]; fundingCount: number; fundingEur: number; fundedEur: number }>(
      `/projects/${id}?asOf=${asOf}`,
    );
    const report = await get<{ fundingEur: number }>(`/reports/progress?asOf=${asOf}`);
    const sql = await b.system.pool.query<{ cents: string | null; n: string }>(
      `select sum(amount_cents)::text as cents, count(*)::text as n from read.project_fundings
        where project_id = $1 and valid_from <= $2`,
      [id, asOf],
    );
    const item = list.items[0]!;
    t.same(
      {
        list: [item.fundingCount, item.fundingEur, item.fundings],
        detail: [detail.fundingCount, detail.fundingEur, detail.fundings.length, detail.fundedEur],
        report: report.fundingEur,
        sql: [Number(sql.rows[0]!.n), Number(sql.rows[0]!.cents ?? 0) / 100],
      },
      { list: [n, eur, n], detail: [n, eur, n, eur], report: eur, sql: [n, eur] },
      `as of ${asOf}: list, detail, report and SQL agree`,
    );
  }
});
