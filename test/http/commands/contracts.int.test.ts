import t from 'tap';
import { build } from '../../helpers/build.ts';
import {
  TODAY,
  commitment,
  countEvents,
  post,
  readyContract,
  submittedContract,
  territories,
  tokens,
} from './fixtures.ts';

interface View {
  status: string;
  revision: number;
  regionCode: string;
  commitments: { commitmentId: string; partyKind: string; amountEur: number; amountCents: number }[];
  totalEur: number;
  decisions: { kind: string; regionCode: string; submission: number }[];
  signedOn: string | null;
  validatedOn: string | null;
  asOf: string | null;
}

t.test('the whole lifecycle over HTTP: draft, commitments, submit, validate, sign', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);

  const draft = await post(b, tk.lead44, '/contracts', {
    territoryId: '4401',
    title: 'Contrat Vosges',
    draftedOn: '2019-01-15',
  });
  t.equal(draft.statusCode, 201, draft.body);
  const { id, revision } = draft.json<{ id: string; revision: number; position: string }>();
  t.equal(revision, 0);
  t.equal(draft.headers.etag, '"0"');
  t.equal(draft.headers.location, `/contracts/${id}`);

  const made = await post(
    b,
    tk.lead44,
    `/contracts/${id}/commitments`,
    commitment('industrial', { amountEur: 1234.56 }),
  );
  t.equal(made.statusCode, 201, made.body);
  const { commitmentId } = made.json<{ commitmentId: string; revision: number }>();
  t.match(commitmentId, /^[0-9a-f-]{36}$/);
  t.equal(made.headers.etag, '"1"');

  // submitting with only an industrial commitment is refused with the missing parties
  const early = await post(b, tk.lead44, `/contracts/${id}/submit`, { submittedOn: '2019-03-01' });
  t.equal(early.statusCode, 409);
  t.match(early.json(), { currentStatus: 'draft', missingParties: ['epci', 'region', 'state'] });

  for (const kind of ['epci', 'region', 'state'])
    t.equal((await post(b, tk.lead44, `/contracts/${id}/commitments`, commitment(kind))).statusCode, 201);

  const amended = await post(b, tk.lead44, `/contracts/${id}/commitments/${commitmentId}/amendments`, {
    amountEur: 2000,
    amendedOn: '2019-02-10',
    reason: 'larger plant',
  });
  t.equal(amended.statusCode, 200, amended.body);
  t.equal(amended.json<{ revision: number }>().revision, 5);

  t.equal((await post(b, tk.lead44, `/contracts/${id}/submit`, { submittedOn: '2019-03-01' })).statusCode, 200);
  // a decision dated before the submission is a 400 naming the field
  const tooEarly = await post(b, tk.validator44, `/contracts/${id}/validate`, { decidedOn: '2019-02-28' });
  t.equal(tooEarly.statusCode, 400);
  t.match(tooEarly.json(), { errors: [{ field: 'decidedOn' }] });

  const validated = await post(b, tk.validator44, `/contracts/${id}/validate`, {
    decidedOn: '2019-04-01',
    comment: 'bon projet',
  });
  t.equal(validated.statusCode, 200, validated.body);
  t.equal(validated.headers.etag, '"7"');

  // once per submission: a second decision answers 409 with the current status
  const again = await post(b, tk.validator44, `/contracts/${id}/reject`, { decidedOn: '2019-04-02', reason: 'no' });
  t.equal(again.statusCode, 409);
  t.equal(again.json<{ currentStatus: string }>().currentStatus, 'validated');

  const signed = await post(b, tk.lead44, `/contracts/${id}/sign`, {
    signedOn: '2019-04-15',
    signatories: [{ name: 'Préfète des Vosges', partyKind: 'state' }],
  });
  t.equal(signed.statusCode, 200, signed.body);

  const view = await b.app.inject({ url: `/contracts/${id}`, headers: { authorization: `Bearer ${tk.auditor}` } });
  t.equal(view.statusCode, 200, view.body);
  const v = view.json<View>();
  t.equal(v.status, 'signed');
  t.equal(v.revision, 8);
  t.equal(view.headers.etag, '"8"');
  t.equal(v.validatedOn, '2019-04-01');
  t.equal(v.commitments.length, 4);
  t.equal(v.commitments.find((c) => c.partyKind === 'industrial')?.amountCents, 200_000);
  t.equal(v.totalEur, 2000 + 3 * 1000.5);
  t.same(
    v.decisions.map((d) => [d.kind, d.regionCode, d.submission]),
    [['validated', '44', 1]],
  );

  // as of a business date: only the events that had happened by then
  const asOf = await b.app.inject({
    url: `/contracts/${id}?asOf=2019-03-15`,
    headers: { authorization: `Bearer ${tk.reporter}` },
  });
  t.equal(asOf.statusCode, 200);
  const a = asOf.json<View>();
  t.equal(a.status, 'submitted');
  t.equal(a.asOf, '2019-03-15');
  t.equal(a.commitments.find((c) => c.partyKind === 'industrial')?.amountCents, 200_000);
  const before = await b.app.inject({
    url: `/contracts/${id}?asOf=2019-01-14`,
    headers: { authorization: `Bearer ${tk.reporter}` },
  });
  t.equal(before.statusCode, 404);
  t.equal((await b.app.inject({ url: `/contracts/${id}` })).statusCode, 401, 'reads need a token');

  // the events carry the actor and the region of the decision
  const events = [];
  for await (const e of b.system.store.readStream(`contract-${id}`)) events.push(e);
  t.same(
    events.map((e) => e.type),
    [
      'ContractDrafted',
      'CommitmentMade',
      'CommitmentMade',
      'CommitmentMade',
      'CommitmentMade',
      'CommitmentAmended',
      'ContractSubmittedForValidation',
      'ContractValidatedByRegion',
      'ContractSigned',
    ],
  );
  const decision = events.find((e) => e.type === 'ContractValidatedByRegion')!;
  t.equal(decision.metadata.actor.sub, 'val-44');
  t.equal(decision.data.regionCode, '44');
  t.equal(decision.metadata.occurredOn, '2019-04-01');
});

t.test('request changes, then a new submission, then rejection', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  const id = await submittedContract(b, tk);
  const back = await post(b, tk.validator44, `/contracts/${id}/request-changes`, {
    decidedOn: '2019-03-10',
    reason: 'the State commitment is vague',
  });
  t.equal(back.statusCode, 200, back.body);
  t.equal((await post(b, tk.lead44, `/contracts/${id}/submit`, { submittedOn: '2019-03-20' })).statusCode, 200);
  const rej = await post(b, tk.validator44, `/contracts/${id}/reject`, { decidedOn: '2019-03-25', reason: 'no' });
  t.equal(rej.statusCode, 200, rej.body);
  const v = (
    await b.app.inject({ url: `/contracts/${id}`, headers: { authorization: `Bearer ${tk.auditor}` } })
  ).json<View>();
  t.equal(v.status, 'rejected');
  t.same(
    v.decisions.map((d) => [d.kind, d.submission]),
    [
      ['changes_requested', 1],
      ['rejected', 2],
    ],
  );
});

t.test('If-Match: a stale ETag is a 412 and writes nothing; the current one passes', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  const id = await readyContract(b, tk); // revision 4
  const before = await countEvents(b);
  const stale = await post(
    b,
    tk.lead44,
    `/contracts/${id}/submit`,
    { submittedOn: '2019-03-01' },
    { 'if-match': '"2"' },
  );
  t.equal(stale.statusCode, 412);
  t.match(stale.headers['content-type'], /problem\+json/);
  t.equal(stale.json<{ currentRevision: number }>().currentRevision, 4);
  t.equal(await countEvents(b), before);
  const bad = await post(b, tk.lead44, `/contracts/${id}/submit`, { submittedOn: '2019-03-01' }, { 'if-match': 'x' });
  t.equal(bad.statusCode, 400);
  const ok = await post(b, tk.lead44, `/contracts/${id}/submit`, { submittedOn: '2019-03-01' }, { 'if-match': '"4"' });
  t.equal(ok.statusCode, 200, ok.body);
  t.equal(ok.headers.etag, '"5"');
});

t.test('two validators race on one contract: one decides, the other gets 409 with the current status', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  const other = await b.token('regional_validator', { regions: ['44'], sub: 'val-44-bis' });
  for (let round = 0; round < 5; round++) {
    const id = await submittedContract(b, tk);
    const [x, y] = await Promise.all([
      post(b, tk.validator44, `/contracts/${id}/validate`, { decidedOn: '2019-04-01' }),
      post(b, other, `/contracts/${id}/reject`, { decidedOn: '2019-04-01', reason: 'no' }),
    ]);
    const codes = [x.statusCode, y.statusCode].sort();
    t.same(codes, [200, 409], `round ${round}: ${x.body} ${y.body}`);
    const loser = x.statusCode === 409 ? x : y;
    const winnerStatus = x.statusCode === 200 ? 'validated' : 'rejected';
    t.equal(loser.json<{ currentStatus: string }>().currentStatus, winnerStatus);
    let decisions = 0;
    for await (const e of b.system.store.readStream(`contract-${id}`)) if (/ByRegion$/.test(e.type)) decisions++;
    t.equal(decisions, 1, 'exactly one decision recorded');
  }
});

t.test('a validated contract changes its commitments only through a new submission', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  const id = await submittedContract(b, tk);
  t.equal((await post(b, tk.validator44, `/contracts/${id}/validate`, { decidedOn: '2019-04-01' })).statusCode, 200);
  const refused = await post(
    b,
    tk.lead44,
    `/contracts/${id}/commitments`,
    commitment('operator', { madeOn: '2019-04-02' }),
  );
  t.equal(refused.statusCode, 409);
  t.equal(refused.json<{ currentStatus: string }>().currentStatus, 'validated');
  const reopen = await post(b, tk.lead44, `/contracts/${id}/reopen`, {
    reopenedOn: '2019-04-02',
    reason: 'new partner',
  });
  t.equal(reopen.statusCode, 200, reopen.body);
  const added = await post(
    b,
    tk.lead44,
    `/contracts/${id}/commitments`,
    commitment('operator', { madeOn: '2019-04-02' }),
  );
  t.equal(added.statusCode, 201);
  const sign = await post(b, tk.lead44, `/contracts/${id}/sign`, {
    signedOn: '2019-04-03',
    signatories: [{ name: 'A' }],
  });
  t.equal(sign.statusCode, 409, 'not signed before a new validation');
});

t.test('a withdrawn territory takes no new contract', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  const w = await post(b, tk.admin, '/territories/4401/withdrawal', { withdrawnOn: '2019-06-01', reason: 'merged' });
  t.equal(w.statusCode, 200, w.body);
  const before = await countEvents(b);
  const r = await post(b, tk.lead44, '/contracts', { territoryId: '4401', title: 'x', draftedOn: '2019-06-02' });
  t.equal(r.statusCode, 409);
  t.equal(await countEvents(b), before);
  const unknown = await post(b, tk.lead44, '/contracts', { territoryId: '4401x', title: 'x', draftedOn: '2019-06-02' });
  t.equal(unknown.statusCode, 403, 'a territory outside the claim is refused before anything else');
});

t.test('Idempotency-Key: same body replays the first answer; another body is a 422', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  const body = { territoryId: '4401', title: 'Contrat', draftedOn: '2019-01-15' };
  const key = { 'idempotency-key': 'draft-4401-1' };
  const first = await post(b, tk.lead44, '/contracts', body, key);
  t.equal(first.statusCode, 201);
  const after = await countEvents(b);
  const second = await post(b, tk.lead44, '/contracts', body, key);
  t.equal(second.statusCode, 201);
  t.same(second.json(), first.json(), 'same answer, same generated id');
  t.equal(second.headers.etag, first.headers.etag);
  t.equal(second.headers['idempotent-replayed'], 'true');
  t.equal(await countEvents(b), after, 'nothing written twice');
  const other = await post(b, tk.lead44, '/contracts', { ...body, title: 'Autre' }, key);
  t.equal(other.statusCode, 422);
  t.match(other.headers['content-type'], /problem\+json/);
  t.equal(await countEvents(b), after);
  // the key belongs to its principal: another lead with the same key is another request
  const lead2 = await b.token('territory_lead', { territories: ['4401'], sub: 'lead-44-bis' });
  const theirs = await post(b, lead2, '/contracts', body, key);
  t.equal(theirs.statusCode, 201);
  t.not(theirs.json<{ id: string }>().id, first.json<{ id: string }>().id);
  // a refusal is an answer too: replayed, still nothing written
  const id = first.json<{ id: string }>().id;
  const k2 = { 'idempotency-key': 'submit-1' };
  const r1 = await post(b, tk.lead44, `/contracts/${id}/submit`, { submittedOn: '2019-03-01' }, k2);
  t.equal(r1.statusCode, 409);
  const r2 = await post(b, tk.lead44, `/contracts/${id}/submit`, { submittedOn: '2019-03-01' }, k2);
  t.equal(r2.statusCode, 409);
  t.match(r2.headers['content-type'], /problem\+json/);
  t.same(r2.json(), r1.json());
  // kept durably, at least 24 h
  const row = await b.system.pool.query<{ hours: number }>(
    `select extract(epoch from expires_at - created_at) / 3600 as hours from http.idempotency_keys where key = 'draft-4401-1' and principal_sub = 'lead-44'`,
  );
  t.ok(Number(row.rows[0]!.hours) >= 24);
  // an expired key is free again
  await b.system.pool.query(`update http.idempotency_keys set expires_at = now() - interval '1 second'`);
  const fresh = await post(b, tk.lead44, '/contracts', body, key);
  t.equal(fresh.statusCode, 201);
  t.not(fresh.json<{ id: string }>().id, id);
  const left = await b.system.pool.query<{ key: string }>(
    `select key from http.idempotency_keys where principal_sub = 'lead-44'`,
  );
  t.same(
    left.rows.map((r) => r.key),
    ['draft-4401-1'],
    "the principal's other expired keys were dropped",
  );
});

t.test('a CommitmentMade recorded as v1 (whole euros) reads back as v2 (cents)', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  const id = (
    await post(b, tk.lead44, '/contracts', { territoryId: '4401', title: 'Ancien', draftedOn: '2019-01-15' })
  ).json<{ id: string }>().id;
  // as the code of 2019 recorded it: schema version 1, amountEur in whole euros
  await b.system.store.append(
    `contract-${id}`,
    [
      {
        id: '00000000-0000-4000-8000-000000000001',
        type: 'CommitmentMade',
        schemaVersion: 1,
        data: {
          contractId: id,
          territoryId: '4401',
          commitmentId: 'old-1',
          partyKind: 'region',
          partyName: 'Région Grand Est',
          partySiren: null,
          axis: 'attractiveness',
          description: 'foncier industriel',
          amountEur: 1500000,
          dueOn: '2021-12-31',
          madeOn: '2019-02-01',
        },
        metadata: { actor: { sub: 'import', name: 'Import', roles: [] }, occurredOn: '2019-02-01' },
      },
    ],
    { expectedRevision: 0n },
  );
  const v = (
    await b.app.inject({ url: `/contracts/${id}`, headers: { authorization: `Bearer ${tk.auditor}` } })
  ).json<View>();
  t.equal(v.commitments[0]?.amountCents, 150_000_000);
  t.equal(v.commitments[0]?.amountEur, 1_500_000);
  // and commands keep working on top of it (the state was folded from the upcast event)
  const amend = await post(b, tk.lead44, `/contracts/${id}/commitments/old-1/amendments`, {
    amountEur: 1500000.25,
    amendedOn: '2019-02-02',
  });
  t.equal(amend.statusCode, 200, amend.body);
});

t.test('the same Idempotency-Key sent twice at once creates one contract', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  const body = { territoryId: '4401', title: 'Contrat', draftedOn: '2019-01-15' };
  const key = { 'idempotency-key': 'twice-at-once' };
  const before = await countEvents(b);
  const rs = await Promise.all([1, 2, 3].map(() => post(b, tk.lead44, '/contracts', body, key)));
  for (const r of rs) t.ok([201, 409].includes(r.statusCode), r.body);
  t.ok(rs.some((r) => r.statusCode === 201));
  t.equal(new Set(rs.filter((r) => r.statusCode === 201).map((r) => r.json<{ id: string }>().id)).size, 1);
  t.equal(await countEvents(b), before + 1);
});
