import t from 'tap';
import { build, type Built } from '../helpers/build.ts';
import { commitment, countEvents, post, tokens, type Tokens } from './commands/fixtures.ts';
import { polesIdempotencyCases } from '../poles/idempotency-cases.ts';

/**
 * Every POST route of the live OpenAPI document, with a repeated Idempotency-Key: the same body
 * gives the first answer again (replayed, nothing written), another body gives 422 (nothing
 * written). A POST route added without a case here fails the test: give it one.
 */

interface Case {
  token: string;
  url: string;
  body: Record<string, unknown>;
  other: Record<string, unknown>;
}

type Prepare = (b: Built, tk: Tokens & { lead: string }, n: number) => Promise<Case>;

const ok = async (r: Promise<{ statusCode: number; body: string }>, what: string) => {
  const a = await r;
  if (a.statusCode >= 300) throw new Error(`${what}: ${a.statusCode} ${a.body}`);
  return JSON.parse(a.body) as Record<string, unknown>;
};

const epci = (n: number, k = 0) => ({ siren: `2000${String(n).padStart(3, '0')}${k}0`, name: `CC ${n}-${k}` });

/** A fresh territory (its own id, region 44) for one case. */
async function territory(b: Built, tk: Tokens, n: number): Promise<string> {
  const id = `44${50 + n}`;
  await ok(
    post(b, tk.admin, '/territories', {
      id,
      name: `Territoire ${n}`,
      regionCode: '44',
      epcis: [epci(n)],
      labelledOn: '2018-11-22',
    }),
    `label ${id}`,
  );
  return id;
}

async function contract(b: Built, tk: Tokens & { lead: string }, n: number, stage: 'draft' | 'ready' | 'submitted') {
  const territoryId = await territory(b, tk, n);
  const c = await ok(
    post(b, tk.lead, '/contracts', { territoryId, title: `Contrat ${n}`, draftedOn: '2019-01-15' }),
    'draft',
  );
  const id = c.id as string;
  if (stage === 'draft') return { id, territoryId };
  const first = await ok(post(b, tk.lead, `/contracts/${id}/commitments`, commitment('industrial')), 'commit');
  for (const kind of ['epci', 'region', 'state'])
    await ok(post(b, tk.lead, `/contracts/${id}/commitments`, commitment(kind)), 'commit');
  if (stage === 'ready') return { id, territoryId, commitmentId: first.commitmentId as string };
  await ok(post(b, tk.lead, `/contracts/${id}/submit`, { submittedOn: '2019-03-01' }), 'submit');
  return { id, territoryId };
}

async function project(b: Built, tk: Tokens & { lead: string }, n: number) {
  const territoryId = await territory(b, tk, n);
  const p = await ok(
    post(b, tk.lead, '/projects', {
      territoryId,
      title: `Projet ${n}`,
      axis: 'innovation',
      budgetEur: 1000,
      registeredOn: '2019-05-01',
    }),
    'register',
  );
  return p.id as string;
}

const P2 = 'territoires-industrie-2023';
/** A candidate territory's application to phase 2's call (its own id, region 44). */
const application = (n: number) => ({
  id: `44${50 + n}`,
  programme: P2,
  name: `Candidat ${n}`,
  regionCode: '44',
  epcis: [epci(n)],
  submittedOn: '2023-07-01',
});
// ---- La Nouvelle France industrielle: one plan catalogue for the whole walk ----------------------
const nfiPlans: string[] = [];
async function nfiPlan(b: Built, tk: Tokens, id: string): Promise<string> {
  if (nfiPlans.includes(id)) return id;
  await ok(post(b, tk.admin, '/plans', { id, name: `Plan ${id}`, launchedOn: '2013-09-12' }), `launch ${id}`);
  nfiPlans.push(id);
  return id;
}
const officer = (b: Built, code: string) => b.token('regional_officer', { regions: [code], sub: `officer-${code}` });
async function nfiRegion(b: Built, tk: Tokens, code: string, stage: 'mandated' | 'ready' | 'submitted') {
  await ok(
    post(b, tk.admin, `/regions/${code}/mandate`, { mandatedOn: '2013-11-26', roadmapDueOn: '2014-03-31' }),
    'mandate',
  );
  const token = await officer(b, code);
  if (stage === 'mandated') return token;
  for (let i = 1; i <= 10; i++) {
    const planId = await nfiPlan(b, tk, `walk-${i}`);
    await ok(
      post(b, token, `/regions/${code}/plan-choices`, { planId, rank: i <= 5 ? 1 : 2, chosenOn: '2014-01-10' }),
      'choose',
    );
    await ok(
      post(b, token, `/regions/${code}/plan-choices/${planId}/lead`, {
        person: `Dirigeant ${i}`,
        company: `PME ${i}`,
        siren: `90000000${i % 10}`,
        appointedOn: '2014-02-01',
      }),
      'lead',
    );
  }
  if (stage === 'submitted')
    await ok(post(b, token, `/regions/${code}/roadmap`, { submittedOn: '2014-03-20' }), 'submit');
  return token;
}

const cases: Record<string, Prepare> = {
  '/territories': async (b, tk, n) => {
    const body = { id: `44${50 + n}`, name: 'Nouveau', regionCode: '44', epcis: [epci(n)], labelledOn: '2018-11-22' };
    return { token: tk.admin, url: '/territories', body, other: { ...body, name: 'Autre nom' } };
  },
  '/territories/{id}/perimeter-changes': async (b, tk, n) => {
    const id = await territory(b, tk, n);
    const body = { added: [epci(n, 1)], decidedOn: '2019-05-01', reason: 'new EPCI' };
    return { token: tk.admin, url: `/territories/${id}/perimeter-changes`, body, other: { ...body, reason: 'other' } };
  },
  '/territories/{id}/renames': async (b, tk, n) => {
    const id = await territory(b, tk, n);
    const body = { name: 'Renamed', renamedOn: '2019-05-01' };
    return { token: tk.admin, url: `/territories/${id}/renames`, body, other: { ...body, name: 'Other' } };
  },
  '/territories/{id}/co-leads': async (b, tk, n) => {
    const id = await territory(b, tk, n);
    const body = { industrial: { name: 'A. Martin' }, elected: { name: 'B. Durand' }, appointedOn: '2019-02-01' };
    return { token: tk.admin, url: `/territories/${id}/co-leads`, body, other: { ...body, appointedOn: '2019-02-02' } };
  },
  '/territories/{id}/withdrawal': async (b, tk, n) => {
    const id = await territory(b, tk, n);
    const body = { withdrawnOn: '2019-06-01', reason: 'left' };
    return { token: tk.admin, url: `/territories/${id}/withdrawal`, body, other: { ...body, reason: 'other' } };
  },
  '/territories/{id}/splits': async (b, tk, n) => {
    const id = await territory(b, tk, n);
    const body = {
      into: [
        { id: `${id}a`, name: 'North', epcis: [epci(n)] },
        { id: `${id}b`, name: 'South', epcis: [epci(n, 2)] },
      ],
      splitOn: '2019-07-01',
    };
    return { token: tk.admin, url: `/territories/${id}/splits`, body, other: { ...body, splitOn: '2019-07-02' } };
  },
  '/contracts': async (b, tk, n) => {
    const territoryId = await territory(b, tk, n);
    const body = { territoryId, title: 'Contrat', draftedOn: '2019-01-15' };
    return { token: tk.lead, url: '/contracts', body, other: { ...body, title: 'Autre' } };
  },
  '/contracts/{id}/commitments': async (b, tk, n) => {
    const { id } = await contract(b, tk, n, 'draft');
    const body = commitment('industrial');
    return { token: tk.lead, url: `/contracts/${id}/commitments`, body, other: { ...body, amountEur: 2 } };
  },
  '/contracts/{id}/commitments/{commitmentId}/amendments': async (b, tk, n) => {
    const { id, commitmentId } = await contract(b, tk, n, 'ready');
    const body = { amountEur: 3000, amendedOn: '2019-02-10' };
    const url = `/contracts/${id}/commitments/${commitmentId}/amendments`;
    return { token: tk.lead, url, body, other: { ...body, amountEur: 4000 } };
  },
  '/contracts/{id}/commitments/{commitmentId}/withdrawal': async (b, tk, n) => {
    const { id, commitmentId } = await contract(b, tk, n, 'ready');
    const body = { withdrawnOn: '2019-02-10' };
    const url = `/contracts/${id}/commitments/${commitmentId}/withdrawal`;
    return { token: tk.lead, url, body, other: { ...body, reason: 'other' } };
  },
  '/contracts/{id}/submit': async (b, tk, n) => {
    const { id } = await contract(b, tk, n, 'ready');
    const body = { submittedOn: '2019-03-01' };
    return { token: tk.lead, url: `/contracts/${id}/submit`, body, other: { submittedOn: '2019-03-02' } };
  },
  '/contracts/{id}/validate': async (b, tk, n) => {
    const { id } = await contract(b, tk, n, 'submitted');
    const body = { decidedOn: '2019-04-01' };
    return { token: tk.validator44, url: `/contracts/${id}/validate`, body, other: { decidedOn: '2019-04-02' } };
  },
  '/contracts/{id}/request-changes': async (b, tk, n) => {
    const { id } = await contract(b, tk, n, 'submitted');
    const body = { decidedOn: '2019-04-01', reason: 'more detail' };
    const url = `/contracts/${id}/request-changes`;
    return { token: tk.validator44, url, body, other: { ...body, reason: 'other' } };
  },
  '/contracts/{id}/reject': async (b, tk, n) => {
    const { id } = await contract(b, tk, n, 'submitted');
    const body = { decidedOn: '2019-04-01', reason: 'out of scope' };
    return { token: tk.validator44, url: `/contracts/${id}/reject`, body, other: { ...body, reason: 'other' } };
  },
  '/contracts/{id}/sign': async (b, tk, n) => {
    const { id } = await contract(b, tk, n, 'submitted');
    await ok(post(b, tk.validator44, `/contracts/${id}/validate`, { decidedOn: '2019-04-01' }), 'validate');
    const body = { signedOn: '2019-05-01', signatories: [{ name: 'Préfet' }] };
    return { token: tk.lead, url: `/contracts/${id}/sign`, body, other: { ...body, signedOn: '2019-05-02' } };
  },
  '/contracts/{id}/reopen': async (b, tk, n) => {
    const { id } = await contract(b, tk, n, 'submitted');
    await ok(post(b, tk.validator44, `/contracts/${id}/validate`, { decidedOn: '2019-04-01' }), 'validate');
    const body = { reopenedOn: '2019-05-01', reason: 'new partner' };
    return { token: tk.lead, url: `/contracts/${id}/reopen`, body, other: { ...body, reason: 'other' } };
  },
  '/projects': async (b, tk, n) => {
    const territoryId = await territory(b, tk, n);
    const body = { territoryId, title: 'Projet', axis: 'skills', budgetEur: 1000, registeredOn: '2019-05-01' };
    return { token: tk.lead, url: '/projects', body, other: { ...body, budgetEur: 2000 } };
  },
  '/projects/{id}/fundings': async (b, tk, n) => {
    const id = await project(b, tk, n);
    const body = { source: 'bpifrance', amountEur: 500, grantedOn: '2019-06-01' };
    return { token: tk.lead, url: `/projects/${id}/fundings`, body, other: { ...body, amountEur: 600 } };
  },
  '/projects/{id}/start': async (b, tk, n) => {
    const id = await project(b, tk, n);
    return {
      token: tk.lead,
      url: `/projects/${id}/start`,
      body: { startedOn: '2019-09-01' },
      other: { startedOn: '2019-09-02' },
    };
  },
  '/projects/{id}/complete': async (b, tk, n) => {
    const id = await project(b, tk, n);
    await ok(post(b, tk.lead, `/projects/${id}/start`, { startedOn: '2019-09-01' }), 'start');
    const body = { completedOn: '2020-03-01' };
    return { token: tk.lead, url: `/projects/${id}/complete`, body, other: { completedOn: '2020-03-02' } };
  },
  '/audit/verify': async (b, tk, n) => {
    // writes nothing; the repeat gives the first verdict, another checkpoint a 422
    await b.system.audit.tree.catchUp();
    const first = await b.system.audit.checkpoints.take();
    await territory(b, tk, n); // one more event: a second, larger checkpoint
    await b.system.audit.tree.catchUp();
    const second = await b.system.audit.checkpoints.take();
    return { token: tk.auditor, url: '/audit/verify', body: { checkpoint: first }, other: { checkpoint: second } };
  },
  '/projects/{id}/abandon': async (b, tk, n) => {
    const id = await project(b, tk, n);
    const body = { abandonedOn: '2019-10-01', reason: 'no funding' };
    return { token: tk.lead, url: `/projects/${id}/abandon`, body, other: { ...body, reason: 'other' } };
  },
  '/territories/{id}/project-lead': async (b, tk, n) => {
    const id = await territory(b, tk, n);
    const body = {
      lead: { name: 'C. Martin' },
      appointedOn: '2019-02-01',
      cofinancing: [
        { funder: 'ANCT', kind: 'state', amountEur: 40000 },
        { funder: 'CC', kind: 'epci', amountEur: 20000 },
      ],
    };
    return {
      token: tk.admin,
      url: `/territories/${id}/project-lead`,
      body,
      other: { ...body, appointedOn: '2019-02-02' },
    };
  },
  '/territories/{id}/succession': async (b, tk, n) => {
    const id = await territory(b, tk, n);
    await ok(
      post(b, tk.admin, '/territories', {
        id,
        programme: P2,
        name: `Territoire ${n} (2023)`,
        regionCode: '44',
        epcis: [epci(n)],
        labelledOn: '2023-11-09',
      }),
      `label ${id} in ${P2}`,
    );
    const body = { programme: P2, succeeds: id, linkedOn: '2024-01-10' };
    return { token: tk.admin, url: `/territories/${id}/succession`, body, other: { ...body, linkedOn: '2024-01-11' } };
  },
  '/applications': async (_b, tk, n) => {
    const body = application(n);
    return { token: tk.admin, url: '/applications', body, other: { ...body, name: 'Autre nom' } };
  },
  '/applications/{id}/selection': async (b, tk, n) => {
    await ok(post(b, tk.admin, '/applications', application(n)), 'apply');
    const body = { programme: P2, selectedOn: '2023-11-09' };
    return {
      token: tk.admin,
      url: `/applications/44${50 + n}/selection`,
      body,
      other: { ...body, selectedOn: '2023-11-10' },
    };
  },
  '/applications/{id}/non-selection': async (b, tk, n) => {
    await ok(post(b, tk.admin, '/applications', application(n)), 'apply');
    const body = { programme: P2, decidedOn: '2023-11-09' };
    return {
      token: tk.admin,
      url: `/applications/44${50 + n}/non-selection`,
      body,
      other: { ...body, decidedOn: '2023-11-10' },
    };
  },
  '/applications/{id}/labelling': async (b, tk, n) => {
    await ok(post(b, tk.admin, '/applications', application(n)), 'apply');
    await ok(
      post(b, tk.admin, `/applications/44${50 + n}/selection`, { programme: P2, selectedOn: '2023-11-09' }),
      'select',
    );
    const body = { programme: P2, labelledOn: '2023-11-09' };
    return {
      token: tk.admin,
      url: `/applications/44${50 + n}/labelling`,
      body,
      other: { ...body, labelledOn: '2023-11-10' },
    };
  },

  '/plans': async (b, tk, n) => {
    const body = { id: `case-${n}`, name: `Plan ${n}`, launchedOn: '2013-09-12' };
    nfiPlans.push(body.id);
    return { token: tk.admin, url: '/plans', body, other: { ...body, name: 'Autre' } };
  },
  '/plans/{id}/leads': async (b, tk, n) => {
    const id = await nfiPlan(b, tk, `case-${n}`);
    const body = { leads: [{ name: 'A', organisation: 'B' }], appointedOn: '2013-10-07' };
    return { token: tk.admin, url: `/plans/${id}/leads`, body, other: { ...body, appointedOn: '2013-10-08' } };
  },
  '/plans/{id}/renames': async (b, tk, n) => {
    const id = await nfiPlan(b, tk, `case-${n}`);
    const body = { name: `Nouveau ${n}`, renamedOn: '2014-01-15' };
    return { token: tk.admin, url: `/plans/${id}/renames`, body, other: { ...body, name: 'Autre' } };
  },
  '/plans/{id}/roadmap-validations': async (b, tk, n) => {
    const id = await nfiPlan(b, tk, `case-${n}`);
    const body = { committeeOn: '2014-03-14' };
    return { token: tk.admin, url: `/plans/${id}/roadmap-validations`, body, other: { committeeOn: '2014-05-07' } };
  },
  '/regions/{code}/mandate': async (b, tk) => {
    const body = { mandatedOn: '2013-11-26', roadmapDueOn: '2014-03-31' };
    return { token: tk.admin, url: '/regions/11/mandate', body, other: { ...body, roadmapDueOn: '2014-04-30' } };
  },
  '/regions/{code}/plan-choices': async (b, tk, n) => {
    const token = await nfiRegion(b, tk, '21', 'mandated');
    const planId = await nfiPlan(b, tk, `case-${n}`);
    const body = { planId, rank: 1, chosenOn: '2014-01-10' };
    return { token, url: '/regions/21/plan-choices', body, other: { ...body, rank: 2 } };
  },
  '/regions/{code}/plan-choices/{planId}/withdrawal': async (b, tk, n) => {
    const token = await nfiRegion(b, tk, '22', 'mandated');
    const planId = await nfiPlan(b, tk, `case-${n}`);
    await ok(post(b, token, '/regions/22/plan-choices', { planId, rank: 1, chosenOn: '2014-01-10' }), 'choose');
    const body = { withdrawnOn: '2014-02-01' };
    return { token, url: `/regions/22/plan-choices/${planId}/withdrawal`, body, other: { withdrawnOn: '2014-02-02' } };
  },
  '/regions/{code}/plan-choices/{planId}/lead': async (b, tk, n) => {
    const token = await nfiRegion(b, tk, '23', 'mandated');
    const planId = await nfiPlan(b, tk, `case-${n}`);
    await ok(post(b, token, '/regions/23/plan-choices', { planId, rank: 1, chosenOn: '2014-01-10' }), 'choose');
    const body = { person: 'P', company: 'C', siren: '123456789', appointedOn: '2014-02-01' };
    return { token, url: `/regions/23/plan-choices/${planId}/lead`, body, other: { ...body, person: 'Q' } };
  },
  '/regions/{code}/roadmap': async (b, tk) => {
    const token = await nfiRegion(b, tk, '24', 'ready');
    return {
      token,
      url: '/regions/24/roadmap',
      body: { submittedOn: '2014-03-20' },
      other: { submittedOn: '2014-03-21' },
    };
  },
  '/regions/{code}/roadmap/acceptance': async (b, tk) => {
    await nfiRegion(b, tk, '25', 'submitted');
    const body = { acceptedOn: '2014-04-15' };
    return { token: tk.admin, url: '/regions/25/roadmap/acceptance', body, other: { acceptedOn: '2014-04-16' } };
  },
  '/regions/{code}/roadmap/sending-back': async (b, tk) => {
    await nfiRegion(b, tk, '26', 'submitted');
    const body = { sentBackOn: '2014-04-15', reason: 'à préciser' };
    return { token: tk.admin, url: '/regions/26/roadmap/sending-back', body, other: { ...body, reason: 'autre' } };
  },
  '/regions/{code}/usine-du-futur': async (b, tk) => {
    const token = await nfiRegion(b, tk, '31', 'mandated');
    const body = { siren: '123456789', name: 'Forge', size: 'SME', selectedOn: '2014-03-01' };
    return { token, url: '/regions/31/usine-du-futur', body, other: { ...body, size: 'ETI' } };
  },
  // runs last (see LAST): no plan changes after the regrouping
  '/plan-regroupings': async (b, tk) => {
    const body = {
      regroupedOn: '2015-05-18',
      groupings: [{ solutionId: 'tout', name: 'Tout', plans: [...nfiPlans] }],
    };
    return { token: tk.admin, url: '/plan-regroupings', body, other: { ...body, regroupedOn: '2015-05-19' } };
  },
};

const LAST = ['/plan-regroupings'];
Object.assign(cases, polesIdempotencyCases);

t.test('every POST route of /openapi.json honours a repeated Idempotency-Key', async (t) => {
  // a today after phase 2's call (2023): the cases of phase 1 are dated 2019, before it anyway
  const b = await build(t, { today: '2026-01-15', runner: false });
  const doc = (await b.app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
  const postPaths = Object.entries(doc.paths)
    .filter(([, ops]) => 'post' in ops)
    .map(([path]) => path)
    .sort()
    // the NFI regrouping closes the plan catalogue: after every other plan route
    .sort((a, z) => Number(LAST.includes(a)) - Number(LAST.includes(z)));
  t.ok(postPaths.length >= 20, `${postPaths.length} POST routes`);
  t.same(
    postPaths.filter((p) => !(p in cases)),
    [],
    'every POST route of the document has a case here',
  );
  const base = await tokens(b);
  const territories = Array.from({ length: postPaths.length + 1 }, (_, i) => [`44${50 + i}`, `44${50 + i}a`]).flat();
  const tk = { ...base, lead: await b.token('territory_lead', { territories, sub: 'lead-walk' }) };

  let n = 0;
  for (const path of postPaths) {
    const c = await cases[path]!(b, tk, n++);
    const key = { 'idempotency-key': `walk-${n}` };
    const first = await post(b, c.token, c.url, c.body, key);
    t.ok(first.statusCode >= 200 && first.statusCode < 300, `${path}: the first request succeeds (${first.body})`);
    t.notOk(first.headers['idempotent-replayed'], `${path}: the first answer is not a replay`);
    const events = await countEvents(b);

    const again = await post(b, c.token, c.url, c.body, key);
    t.equal(again.statusCode, first.statusCode, `${path}: same key, same body: the first status`);
    t.same(again.json(), first.json(), `${path}: same key, same body: the first body`);
    t.equal(again.headers['idempotent-replayed'], 'true', `${path}: marked as replayed`);
    t.equal(again.headers.etag, first.headers.etag, `${path}: the first ETag`);
    if (first.headers.location) t.equal(again.headers.location, first.headers.location, `${path}: the first Location`);

    const other = await post(b, c.token, c.url, c.other, key);
    t.equal(other.statusCode, 422, `${path}: same key, other body: 422`);
    t.match(other.headers['content-type'], /^application\/problem\+json/);
    t.equal(await countEvents(b), events, `${path}: nothing written by the repeats`);
  }
});
