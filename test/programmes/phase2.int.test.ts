import t from 'tap';
import { launchBuiltInProgrammes } from '../../src/application/programmes.ts';
import { build } from '../helpers/build.ts';

/** Phase 2 over HTTP: the call for applications, the project lead, the continuity report (issue 16). */

const P2 = 'territoires-industrie-2023';
const epci = (n: number) => ({ siren: `2000710${String(n).padStart(2, '0')}`, name: `CC Fixture ${n}`, nature: 'CC' });

async function logSize(system: { pool: { query(q: string): Promise<{ rows: { n: string }[] }> } }) {
  return Number((await system.pool.query('select count(*) as n from es.events')).rows[0]!.n);
}

t.test('the call: submit within the window, select after it, label from the selection', async (t) => {
  const { app, system, token } = await build(t, { today: '2026-01-15' });
  await launchBuiltInProgrammes(system, '2026-01-15');
  const admin = { authorization: `Bearer ${await token('programme_admin')}` };
  const reader = { authorization: `Bearer ${await token('reporter')}` };
  const post = (url: string, payload: object, headers: Record<string, string> = admin) =>
    app.inject({ method: 'POST', url, headers, payload });

  // phase 1's 8401, which 8401 of phase 2 renews
  const p1 = await post('/territories', {
    id: '8401',
    name: 'Ardèche Drôme',
    regionCode: '84',
    epcis: [epci(1), epci(2)],
    labelledOn: '2018-11-22',
  });
  t.equal(p1.statusCode, 201, p1.body);

  const application = {
    id: '8401',
    programme: P2,
    name: 'Ardèche Drôme',
    regionCode: '84',
    epcis: [epci(1), epci(2)],
    submittedOn: '2023-07-10',
    succeeds: '8401',
  };
  // outside the window: 400 naming the rule and the field, nothing written
  const before = await logSize(system);
  for (const submittedOn of ['2023-06-22', '2023-09-23']) {
    const late = await post('/applications', { ...application, submittedOn });
    t.equal(late.statusCode, 400, late.body);
    t.equal(late.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.match(late.json(), {
      rule: 'call-window',
      opensOn: '2023-06-23',
      closesOn: '2023-09-22',
      errors: [{ field: 'submittedOn' }],
    });
  }
  // a programme without a call, a `succeeds` that is not a phase-1 territory
  const noCall = await post('/applications', { ...application, programme: 'territoires-industrie-2018' });
  t.equal(noCall.statusCode, 400);
  t.match(noCall.json(), { rule: 'call-for-applications', errors: [{ field: 'programme' }] });
  const badLink = await post('/applications', { ...application, succeeds: '9999' });
  t.equal(badLink.statusCode, 400);
  t.match(badLink.json(), { errors: [{ field: 'succeeds' }] });
  t.equal(await logSize(system), before, 'nothing written');

  const ok = await post('/applications', application);
  t.equal(ok.statusCode, 201, ok.body);
  t.equal(ok.headers.location, `/applications/8401?programme=${P2}`);
  const again = await post('/applications', { ...application, submittedOn: '2023-08-01' });
  t.equal(again.statusCode, 409, 'one application per candidate');
  t.match(again.json(), { rule: 'one-application-per-candidate' });

  // a territory lead submits its own candidacy only
  const lead = { authorization: `Bearer ${await token('territory_lead', { territories: ['8402'] })}` };
  const other = { ...application, id: '8402', name: 'Vallée de l’Arve', epcis: [epci(3)], succeeds: undefined };
  t.equal((await post('/applications', { ...other, id: '8403' }, lead)).statusCode, 403);
  t.equal((await post('/applications', other, lead)).statusCode, 201);
  const validator = { authorization: `Bearer ${await token('regional_validator', { regions: ['84'] })}` };
  t.equal((await post('/applications', { ...other, id: '8404' }, validator)).statusCode, 403);

  // labelling before selection: 409; selection before the call closed: 400
  const early = await post('/applications/8401/labelling', { programme: P2, labelledOn: '2023-11-09' });
  t.equal(early.statusCode, 409, early.body);
  t.match(early.json(), { rule: 'labelled-from-selected-application' });
  const tooSoon = await post('/applications/8401/selection', { programme: P2, selectedOn: '2023-09-22' });
  t.equal(tooSoon.statusCode, 400);
  t.match(tooSoon.json(), { rule: 'decided-after-call', errors: [{ field: 'selectedOn' }] });
  t.equal(
    (await post('/applications/8401/selection', { programme: P2, selectedOn: '2023-11-09' }, lead)).statusCode,
    403,
  );
  t.equal((await post('/applications/8401/selection', { programme: P2, selectedOn: '2023-11-09' })).statusCode, 200);
  const declined = await post('/applications/8402/non-selection', {
    programme: P2,
    decidedOn: '2023-11-09',
    reason: 'hors critères',
  });
  t.equal(declined.statusCode, 200, declined.body);
  t.equal((await post('/applications/8402/selection', { programme: P2, selectedOn: '2023-11-10' })).statusCode, 409);
  t.equal((await post('/applications/8402/labelling', { programme: P2, labelledOn: '2023-11-09' })).statusCode, 409);

  const labelled = await post('/applications/8401/labelling', { programme: P2, labelledOn: '2023-11-09' });
  t.equal(labelled.statusCode, 201, labelled.body);
  t.equal(labelled.headers.location, `/territories/8401?programme=${P2}`);
  const position = labelled.json<{ position: string }>().position;
  t.equal((await post('/applications/8401/labelling', { programme: P2, labelledOn: '2023-11-10' })).statusCode, 409);

  const territory = await app.inject({
    url: `/territories/8401?programme=${P2}&minPosition=${position}`,
    headers: reader,
  });
  t.match(territory.json(), { name: 'Ardèche Drôme', succeeds: '8401', application: '8401', programme: P2 });

  // the applications as of a date
  const asOf = async (d: string) =>
    (await app.inject({ url: `/applications?programme=${P2}&asOf=${d}`, headers: reader })).json<{
      items: { id: string; status: string }[];
      byStatus: Record<string, number>;
    }>();
  t.same((await asOf('2023-06-30')).items, []);
  t.match(await asOf('2023-10-01'), { byStatus: { submitted: 2, selected: 0, labelled: 0 } });
  t.match(await asOf('2023-11-09'), {
    items: [
      { id: '8401', status: 'labelled' },
      { id: '8402', status: 'not_selected' },
    ],
  });
  // paged like every list (limit + cursor, `next` null on the last page; offset still accepted)
  const ids: string[] = [];
  let next: string | null = '';
  while (next !== null) {
    const page: { items: { id: string }[]; next: string | null; total: number } = (
      await app.inject({
        url: `/applications?programme=${P2}&limit=1${next ? `&cursor=${next}` : ''}`,
        headers: reader,
      })
    ).json();
    t.equal(page.total, 2);
    ids.push(...page.items.map((x) => x.id));
    next = page.next;
  }
  t.same(ids, ['8401', '8402'], 'walked page by page');
  t.match((await app.inject({ url: `/applications?programme=${P2}&limit=1&offset=1`, headers: reader })).json(), {
    items: [{ id: '8402' }],
    next: null,
  });
  const one = await app.inject({ url: `/applications/8401?programme=${P2}&asOf=2023-08-01`, headers: reader });
  t.match(one.json(), { status: 'submitted', submittedOn: '2023-07-10', succeeds: '8401' });
  t.equal(
    (await app.inject({ url: `/applications/8401?programme=${P2}&asOf=2023-07-01`, headers: reader })).statusCode,
    404,
  );
  t.equal(
    (await app.inject({ url: `/applications?asOf=2023-07-01`, headers: reader })).statusCode,
    400,
    'programme required',
  );

  // the co-financed project lead, shown on the territory as of a date
  const leadBody = {
    programme: P2,
    lead: { name: 'Camille Martin', role: 'Cheffe de projet' },
    appointedOn: '2024-02-01',
    cofinancing: [
      { funder: 'ANCT', kind: 'state', amountEur: 40000 },
      { funder: 'CA Fixture', kind: 'epci', amountEur: 25000.5 },
    ],
  };
  const single = await post('/territories/8401/project-lead', {
    ...leadBody,
    cofinancing: leadBody.cofinancing.slice(0, 1),
  });
  t.equal(single.statusCode, 400);
  t.match(single.json(), { rule: 'co-financed', errors: [{ field: 'cofinancing' }] });
  const appointed = await post('/territories/8401/project-lead', leadBody);
  t.equal(appointed.statusCode, 200, appointed.body);
  const at = (d: string) =>
    app.inject({
      url: `/territories/8401?programme=${P2}&asOf=${d}&minPosition=${appointed.json<{ position: string }>().position}`,
      headers: reader,
    });
  t.equal((await at('2024-01-31')).json<{ projectLead: unknown }>().projectLead, null);
  t.match((await at('2024-02-01')).json(), {
    projectLead: {
      name: 'Camille Martin',
      appointedOn: '2024-02-01',
      cofinancingEur: 65000.5,
      funders: ['ANCT', 'CA Fixture'],
    },
  });
  const p1view = await app.inject({ url: '/territories/8401', headers: reader });
  t.match(p1view.json(), { programme: 'territoires-industrie-2018', projectLead: null, application: null });
});

t.test('continuity: renewed, new, not renewed; EPCI-overlap proposals confirmed as the succession link', async (t) => {
  const { app, system, token } = await build(t, { today: '2026-01-15' });
  await launchBuiltInProgrammes(system, '2026-01-15');
  const admin = { authorization: `Bearer ${await token('programme_admin')}` };
  const reader = { authorization: `Bearer ${await token('reporter')}` };
  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, headers: admin, payload });
  const label = (id: string, programme: string, epcis: number[], extra: object = {}) =>
    post('/territories', {
      id,
      programme,
      name: `Territoire ${id} ${programme.slice(-4)}`,
      regionCode: '44',
      epcis: epcis.map(epci),
      labelledOn: programme === P2 ? '2023-11-09' : '2018-11-22',
      ...extra,
    });
  const P1 = 'territoires-industrie-2018';
  for (const r of [
    await label('4401', P1, [1, 2, 3]),
    await label('4402', P1, [4, 5]),
    await label('4403', P1, [6]),
    await label('4401', P2, [1, 2, 3], { succeeds: '4401' }),
    // imported without links: 4410 holds most of 4402's EPCIs, 4420 none of anyone's
    await label('4410', P2, [4, 5, 7]),
    await label('4420', P2, [8]),
  ])
    t.equal(r.statusCode, 201, r.body);
  const last = await label('4430', P2, [9]);
  const report = async (asOf: string, accept = 'application/json') =>
    app.inject({
      url: `/reports/continuity?programme=${P2}&asOf=${asOf}&minPosition=${last.json<{ position: string }>().position}`,
      headers: { ...reader, accept },
    });
  const r = (await report('2023-12-31')).json();
  t.match(r, {
    programme: P2,
    follows: P1,
    counts: { renewed: 1, new: 3, notRenewed: 2, proposed: 1 },
    renewed: [{ id: '4401', succeeds: { id: '4401', name: 'Territoire 4401 2018' } }],
    notRenewed: [{ id: '4402' }, { id: '4403' }],
  });
  const fresh = (r as { new: { id: string; proposals: { id: string; sharedEpcis: number; jaccard: number }[] }[] }).new;
  t.same(
    fresh.map((x) => [x.id, x.proposals.map((p) => [p.id, p.sharedEpcis, p.jaccard])]),
    [
      ['4410', [['4402', 2, 0.667]]],
      ['4420', []],
      ['4430', []],
    ],
  );
  const csv = await report('2023-12-31', 'text/csv');
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
  t.match(csv.body, /^section,territory_id,name,region_code,succeeds,succeeds_name,shared_epcis,jaccard\n/);
  t.match(csv.body, /\nproposal,4410,Territoire 4410 2023,44,4402,Territoire 4402 2018,2,0\.667\n/);
  t.match(csv.body, /\nnot_renewed,4403,/);
  // before phase 2: every phase-1 territory is not renewed (yet)
  t.match((await report('2023-11-08')).json(), { counts: { renewed: 0, new: 0, notRenewed: 3 } });

  // the administrator confirms the proposal: a TerritorySuccessionLinked on 4410's stream
  const bad = await post('/territories/4410/succession', { programme: P2, succeeds: '4499', linkedOn: '2024-01-10' });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { errors: [{ field: 'succeeds' }] });
  const linked = await post('/territories/4410/succession', {
    programme: P2,
    succeeds: '4402',
    linkedOn: '2024-01-10',
  });
  t.equal(linked.statusCode, 200, linked.body);
  const events = [];
  for await (const e of system.store.readStream(`territory-4410@${P2}`)) events.push(e.type);
  t.same(events, ['TerritoryLabelled', 'TerritorySuccessionLinked']);
  const conflicting = await post('/territories/4410/succession', {
    programme: P2,
    succeeds: '4403',
    linkedOn: '2024-01-11',
  });
  t.equal(conflicting.statusCode, 409);
  const after = (
    await app.inject({
      url: `/reports/continuity?programme=${P2}&asOf=2024-01-10&minPosition=${linked.json<{ position: string }>().position}`,
      headers: reader,
    })
  ).json();
  t.match(after, { counts: { renewed: 2, new: 2, notRenewed: 1, proposed: 0 }, notRenewed: [{ id: '4403' }] });
  t.match((await report('2023-12-31')).json(), { counts: { renewed: 1 } }, 'as of before the link: as it was');
  const p1 = await app.inject({ url: `/reports/continuity?programme=${P1}`, headers: reader });
  t.equal(p1.statusCode, 400, 'phase 1 follows no programme');
});
