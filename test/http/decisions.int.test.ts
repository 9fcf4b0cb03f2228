import t from 'tap';
import { build } from '../helpers/build.ts';
import { TODAY, commitment, post, readyContract, territories, tokens } from './commands/fixtures.ts';

interface Change {
  commitmentId: string;
  partyKind: string;
  amountEur: number;
  previousAmountEur: number | null;
  fields: string[];
}
interface Item {
  kind: string;
  id: string;
  href: string;
  territoryId: string;
  regionCode: string;
  submission: number;
  submittedOn: string;
  waitingDays: number;
  commitments: number;
  totalEur: number;
  sentBack: { kind: string; on: string; reason: string | null } | null;
  changes: { added: Change[]; amended: Change[]; withdrawn: Change[] } | null;
  revision: number;
  actions: { name: string; method: string; href: string }[];
}
interface Page {
  items: Item[];
  total: number;
  limit: number;
  offset: number;
}

t.test("GET /decisions/pending: a validator's queue, oldest submission first, with the changes since", async (t) => {
  const b = await build(t, { today: TODAY });
  const tk = await tokens(b);
  await territories(b, tk);
  const get = (token: string, qs = '') =>
    b.app.inject({ url: `/decisions/pending${qs}`, headers: { authorization: `Bearer ${token}` } });
  const submit = (id: string, on: string, lead = tk.lead44) =>
    post(b, lead, `/contracts/${id}/submit`, { submittedOn: on });

  // three contracts in region 44, one in 84
  const late = await readyContract(b, tk);
  const early = await readyContract(b, tk);
  const back = await readyContract(b, tk);
  const other = await readyContract(b, tk, '8401');
  t.equal((await submit(late, '2019-05-01')).statusCode, 200);
  t.equal((await submit(early, '2019-03-01')).statusCode, 200);
  t.equal((await submit(other, '2019-03-05', tk.lead84)).statusCode, 200);

  // `back` is sent back, then changed: one commitment added, one amended, one withdrawn; resubmitted
  t.equal((await submit(back, '2019-02-01')).statusCode, 200);
  const sentBack = await post(b, tk.validator44, `/contracts/${back}/request-changes`, {
    decidedOn: '2019-02-10',
    reason: 'engagement de la Région à préciser',
  });
  t.equal(sentBack.statusCode, 200, sentBack.body);
  const view = (
    await b.app.inject({ url: `/contracts/${back}`, headers: { authorization: `Bearer ${tk.auditor}` } })
  ).json<{ commitments: { commitmentId: string; partyKind: string }[] }>();
  const regionC = view.commitments.find((c) => c.partyKind === 'region')!.commitmentId;
  const stateC = view.commitments.find((c) => c.partyKind === 'state')!.commitmentId;
  const added = await post(
    b,
    tk.lead44,
    `/contracts/${back}/commitments`,
    commitment('industrial', { amountEur: 5000, madeOn: '2019-02-12' }),
  );
  t.equal(added.statusCode, 201, added.body);
  t.equal(
    (
      await post(b, tk.lead44, `/contracts/${back}/commitments/${regionC}/amendments`, {
        amountEur: 2500,
        amendedOn: '2019-02-13',
      })
    ).statusCode,
    200,
  );
  t.equal(
    (await post(b, tk.lead44, `/contracts/${back}/commitments/${stateC}/withdrawal`, { withdrawnOn: '2019-02-14' }))
      .statusCode,
    200,
  );
  t.equal(
    (await post(b, tk.lead44, `/contracts/${back}/commitments`, commitment('state', { madeOn: '2019-02-14' })))
      .statusCode,
    201,
  );
  const resubmit = await submit(back, '2019-06-01');
  t.equal(resubmit.statusCode, 200, resubmit.body);
  // a draft is not pending
  await readyContract(b, tk);
  const { position } = resubmit.json<{ position: string }>();

  const res = await get(tk.validator44, `?minPosition=${position}`);
  t.equal(res.statusCode, 200, res.body);
  const page = res.json<Page>();
  t.equal(page.total, 3, 'the three submitted contracts of region 44');
  t.same(
    page.items.map((i) => i.id),
    [early, late, back],
    'oldest current submission first',
  );
  const [first, , resubmitted] = page.items;
  t.match(first, {
    kind: 'contract_validation',
    href: `/contracts/${early}`,
    territoryId: '4401',
    regionCode: '44',
    submission: 1,
    submittedOn: '2019-03-01',
    waitingDays: 458,
    commitments: 4,
    totalEur: 4002,
    sentBack: null,
    changes: null,
  });
  t.same(
    first!.actions.map((a) => `${a.method} ${a.href}`),
    ['validate', 'request-changes', 'reject'].map((n) => `POST /contracts/${early}/${n}`),
  );
  t.match(resubmitted, {
    submission: 2,
    submittedOn: '2019-06-01',
    sentBack: { kind: 'changes_requested', on: '2019-02-10', reason: 'engagement de la Région à préciser' },
  });
  const ch = resubmitted!.changes!;
  t.same(
    ch.added.map((c) => [c.partyKind, c.amountEur]),
    [
      ['industrial', 5000],
      ['state', 1000.5],
    ],
    'two commitments added since',
  );
  t.same(
    ch.amended.map((c) => [c.commitmentId, c.previousAmountEur, c.amountEur, c.fields]),
    [[regionC, 1000.5, 2500, ['amountEur']]],
    'one amended, with the amount before',
  );
  t.same(
    ch.withdrawn.map((c) => [c.commitmentId, c.previousAmountEur]),
    [[stateC, 1000.5]],
    'one withdrawn',
  );
  t.equal(resubmitted!.commitments, 5);
  t.equal(resubmitted!.totalEur, 1000.5 * 2 + 2500 + 5000 + 1000.5);

  // paging
  const p2 = (await get(tk.validator44, '?limit=2&offset=2')).json<Page>();
  t.same(
    p2.items.map((i) => i.id),
    [back],
  );
  t.equal(p2.total, 3);

  // the other Region's validator sees only its own; asking for region 44 is refused
  const v84 = (await get(tk.validator84)).json<Page>();
  t.same(
    v84.items.map((i) => i.id),
    [other],
  );
  t.equal((await get(tk.validator84, '?region=44')).statusCode, 403);

  // auditors see every Region, without actions; a region filter narrows
  const audit = (await get(tk.auditor)).json<Page>();
  t.same(
    audit.items.map((i) => i.id),
    [early, other, late, back],
  );
  t.ok(audit.items.every((i) => i.actions.length === 0));
  t.same(
    (await get(tk.admin, '?region=84')).json<Page>().items.map((i) => i.id),
    [other],
  );

  // a decision takes the contract off the queue at once (from its stream, before the projection)
  const decided = await post(b, tk.validator44, `/contracts/${early}/validate`, { decidedOn: '2019-03-20' });
  t.equal(decided.statusCode, 200, decided.body);
  const after = (
    await get(tk.validator44, `?minPosition=${decided.json<{ position: string }>().position}`)
  ).json<Page>();
  t.same(
    after.items.map((i) => i.id),
    [late, back],
  );

  // refusals
  t.equal((await get(tk.reporter)).statusCode, 403);
  t.equal((await get(tk.lead44)).statusCode, 403);
  t.equal((await b.app.inject({ url: '/decisions/pending' })).statusCode, 401);
  const bad = await get(tk.validator44, '?limit=0');
  t.equal(bad.statusCode, 400);
  t.equal(bad.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.equal((await get(tk.validator44, '?region=4')).statusCode, 400);
});
