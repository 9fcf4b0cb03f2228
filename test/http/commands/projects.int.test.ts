import t from 'tap';
import { build } from '../../helpers/build.ts';
import { TODAY, countEvents, post, readyContract, territories, tokens } from './fixtures.ts';

interface ProjectView {
  status: string;
  territoryId: string;
  contractId: string | null;
  regionCode: string;
  budgetEur: number;
  fundings: { source: string; amountEur: number }[];
  fundedEur: number;
  startedOn: string | null;
  completedOn: string | null;
  revision: number;
}

const project = (over: Record<string, unknown> = {}) => ({
  territoryId: '4401',
  title: 'Plateforme VTE des Vosges',
  axis: 'skills',
  budgetEur: 250000.5,
  registeredOn: '2019-05-01',
  ...over,
});

t.test('register, fund, start, complete a project; GET reads the stream, as of any date', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  const contractId = await readyContract(b, tk);

  const reg = await post(b, tk.lead44, '/projects', project({ contractId }));
  t.equal(reg.statusCode, 201, reg.body);
  const { id } = reg.json<{ id: string }>();
  t.equal(reg.headers.location, `/projects/${id}`);
  t.equal(reg.headers.etag, '"0"');

  const f1 = await post(b, tk.lead44, `/projects/${id}/fundings`, {
    source: 'banque-des-territoires',
    amountEur: 50000,
    grantedOn: '2019-06-01',
  });
  t.equal(f1.statusCode, 201, f1.body);
  t.match(f1.json(), { fundingId: /^[0-9a-f-]{36}$/, revision: 1 });
  t.equal(
    (
      await post(b, tk.lead44, `/projects/${id}/fundings`, {
        source: 'france-relance',
        amountEur: 0.5,
        grantedOn: '2020-01-10',
      })
    ).statusCode,
    201,
  );
  t.equal((await post(b, tk.lead44, `/projects/${id}/start`, { startedOn: '2019-09-01' })).statusCode, 200);
  t.equal((await post(b, tk.lead44, `/projects/${id}/complete`, { completedOn: '2020-03-01' })).statusCode, 200);
  const again = await post(b, tk.lead44, `/projects/${id}/abandon`, { abandonedOn: '2020-03-02', reason: 'x' });
  t.equal(again.statusCode, 409);
  t.equal(again.json<{ currentStatus: string }>().currentStatus, 'completed');

  const v = (
    await b.app.inject({ url: `/projects/${id}`, headers: { authorization: `Bearer ${tk.reporter}` } })
  ).json<ProjectView>();
  t.equal(v.status, 'completed');
  t.equal(v.contractId, contractId);
  t.equal(v.regionCode, '44');
  t.equal(v.budgetEur, 250000.5);
  t.equal(v.fundedEur, 50000.5);
  t.equal(v.startedOn, '2019-09-01');
  t.equal(v.revision, 4);

  const asOf = (
    await b.app.inject({ url: `/projects/${id}?asOf=2019-12-31`, headers: { authorization: `Bearer ${tk.auditor}` } })
  ).json<ProjectView>();
  t.equal(asOf.status, 'started');
  t.equal(asOf.fundedEur, 50000);
  t.equal(asOf.completedOn, null);

  const events = [];
  for await (const e of b.system.store.readStream(`project-${id}`)) events.push(e);
  t.same(
    events.map((e) => e.type),
    ['ProjectRegistered', 'ProjectFundingGranted', 'ProjectFundingGranted', 'ProjectStarted', 'ProjectCompleted'],
  );
  t.same(events[0]!.data, {
    projectId: id,
    territoryId: '4401',
    contractId,
    regionCode: '44',
    title: 'Plateforme VTE des Vosges',
    axis: 'skills',
    budgetCents: 25000050,
    registeredOn: '2019-05-01',
  });
  t.equal(events[1]!.data.amountCents, 5_000_000);
});

t.test("a project on a contract belongs to the contract's territory", async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  const contract84 = await readyContract(b, tk, '8401');
  const both = await b.token('territory_lead', { territories: ['4401', '8401'], sub: 'lead-both' });
  const before = await countEvents(b);
  const r = await post(b, both, '/projects', project({ contractId: contract84 }));
  t.equal(r.statusCode, 400, r.body);
  t.match(r.json(), { errors: [{ field: 'contractId' }] });
  const missing = await post(b, both, '/projects', project({ contractId: 'nope' }));
  t.equal(missing.statusCode, 404);
  t.equal(await countEvents(b), before);
  const ok = await post(b, both, '/projects', project({ territoryId: '8401', contractId: contract84 }));
  t.equal(ok.statusCode, 201, ok.body);
  const alone = await post(b, both, '/projects', project({ id: 'p-1' }));
  t.equal(alone.statusCode, 201);
  t.equal(alone.json<{ id: string }>().id, 'p-1');
  t.equal((await post(b, both, '/projects', project({ id: 'p-1' }))).statusCode, 409);
});

t.test('bad amounts and dates are 400 problems naming the field', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  for (const [field, value] of [
    ['budgetEur', -1],
    ['budgetEur', 1.234],
    ['budgetEur', '100'],
    ['registeredOn', '2019-02-30'],
    ['registeredOn', '2021-01-01'], // after today
    ['registeredOn', '2018-11-21'], // before the launch
    ['axis', 'growth'],
  ] as const) {
    const r = await post(b, tk.lead44, '/projects', project({ [field]: value }));
    t.equal(r.statusCode, 400, `${field}=${value}: ${r.body}`);
    t.ok(
      r.json<{ errors?: { field: string }[] }>().errors?.some((e) => e.field.endsWith(field)),
      `${field} named: ${r.body}`,
    );
  }
  t.equal(await countEvents(b), 2);
});
