import { loadAggregate } from '../../src/application/commandHandler.ts';
import { performanceContractDecider } from '../../src/domain/poles-competitivite/index.ts';
import { performanceContractStream } from '../../src/eventstore/streams.ts';
import type { Built } from '../helpers/build.ts';
import { post } from '../http/commands/fixtures.ts';

/**
 * The pôles' POST routes for the walk over every POST route with a repeated Idempotency-Key
 * (test/http/idempotency-routes.int.test.ts): each case prepares what its command needs.
 */
interface Case {
  token: string;
  url: string;
  body: Record<string, unknown>;
  other: Record<string, unknown>;
}
type Prepare = (b: Built, tk: { admin: string }, n: number) => Promise<Case>;

const ok = async (r: Promise<{ statusCode: number; body: string }>, what: string) => {
  const a = await r;
  if (a.statusCode >= 300) throw new Error(`${what}: ${a.statusCode} ${a.body}`);
  return JSON.parse(a.body) as Record<string, unknown>;
};

const poleBody = (id: string, o: Record<string, unknown> = {}) => ({
  id,
  name: `Pôle ${id}`,
  theme: 'chimie',
  mainRegion: '82',
  phase: 3,
  category: 'national',
  endsOn: '2018-12-31',
  labelledOn: '2013-01-09',
  ...o,
});
const manager = (b: Built, id: string) => b.token('pole_manager', { poles: [id], sub: `manager-${id}` });
const officer = (b: Built) => b.token('regional_officer', { regions: ['84'], sub: 'officer-84-walk' });

async function pole(b: Built, tk: { admin: string }, n: number, o: Record<string, unknown> = {}) {
  const id = `pole-walk-${n}`;
  await ok(post(b, tk.admin, '/poles', poleBody(id, o)), 'label pôle');
  return id;
}
const k = (party: string, regionCode?: string) => ({
  party,
  ...(regionCode ? { regionCode } : {}),
  partyName: party,
  description: 'engagement',
  amountEur: 1000,
  dueOn: '2018-12-31',
  madeOn: '2013-03-02',
});
async function contract(b: Built, tk: { admin: string }, n: number, stage: 'draft' | 'submitted' | 'validated') {
  const poleId = await pole(b, tk, n);
  const m = await manager(b, poleId);
  const id = `pc-walk-${n}`;
  await ok(
    post(b, m, `/poles/${poleId}/performance-contracts`, {
      id,
      title: 'C',
      periodFrom: 2013,
      periodTo: 2018,
      draftedOn: '2013-03-01',
    }),
    'draft',
  );
  if (stage === 'draft') return { id, m };
  for (const c of [k('state'), k('pole'), k('region', '82')])
    await ok(post(b, m, `/performance-contracts/${id}/commitments`, c), 'commit');
  await ok(
    post(b, m, `/performance-contracts/${id}/objectives`, {
      indicator: 'jobs',
      target: 10,
      dueOn: '2018-12-31',
      setOn: '2013-03-02',
    }),
    'objective',
  );
  await ok(post(b, m, `/performance-contracts/${id}/submit`, { submittedOn: '2013-04-01' }), 'submit');
  if (stage === 'submitted') return { id, m };
  await ok(
    post(b, tk.admin, `/performance-contracts/${id}/state-decision`, {
      decision: 'validated',
      decidedOn: '2013-05-01',
    }),
    'state',
  );
  await ok(
    post(b, await officer(b), `/performance-contracts/${id}/region-decisions`, {
      regionCode: '82',
      decision: 'validated',
      decidedOn: '2013-05-01',
    }),
    'region',
  );
  return { id, m };
}
async function call(b: Built, tk: { admin: string }, n: number) {
  const number = 40 + n;
  await ok(post(b, tk.admin, '/fui/calls', { number, opensOn: '2013-11-04', closesOn: '2014-01-15' }), 'call');
  return number;
}
const projectBody = (poleId: string, callNumber: number, o: Record<string, unknown> = {}) => ({
  callNumber,
  title: 'Projet',
  consortium: [
    { name: 'F1', kind: 'firm', siren: '000000001', size: 'sme', lead: true },
    { name: 'F2', kind: 'firm', siren: '000000002', size: 'eti' },
    { name: 'Labo', kind: 'lab' },
  ],
  labellingPoles: [poleId],
  budgetEur: 1e6,
  impactObjectives: [{ indicator: 'jobs', target: 10 }],
  submittedOn: '2013-12-01',
  ...o,
});
async function project(
  b: Built,
  tk: { admin: string },
  n: number,
  stage: 'submitted' | 'selected' | 'started' | 'completed',
) {
  const poleId = await pole(b, tk, n);
  const m = await manager(b, poleId);
  const number = await call(b, tk, n);
  const r = await ok(post(b, m, '/fui/projects', projectBody(poleId, number)), 'submit project');
  const id = r.id as string;
  if (stage === 'submitted') return { id, m };
  await ok(
    post(b, tk.admin, `/fui/projects/${id}/selection`, { stateGrantEur: 1000, selectedOn: '2014-05-26' }),
    'select',
  );
  if (stage === 'selected') return { id, m };
  await ok(post(b, m, `/fui/projects/${id}/start`, { startedOn: '2014-09-01' }), 'start');
  if (stage === 'started') return { id, m };
  await ok(post(b, m, `/fui/projects/${id}/completion`, { completedOn: '2017-09-01' }), 'complete');
  return { id, m };
}

export const polesIdempotencyCases: Record<string, Prepare> = {
  '/poles': async (_b, tk, n) => {
    const body = poleBody(`pole-walk-${n}`);
    return { token: tk.admin, url: '/poles', body, other: { ...body, name: 'Autre' } };
  },
  '/poles/{id}/labels': async (b, tk, n) => {
    const id = await pole(b, tk, n);
    const body = { phase: 4, endsOn: '2022-12-31', renewedOn: '2019-02-05' };
    return { token: tk.admin, url: `/poles/${id}/labels`, body, other: { ...body, endsOn: '2022-12-30' } };
  },
  '/poles/{id}/probation-end': async (b, tk, n) => {
    const id = await pole(b, tk, n, { probationMonths: 12 });
    const body = { outcome: 'kept', endedOn: '2014-01-09' };
    return { token: tk.admin, url: `/poles/${id}/probation-end`, body, other: { ...body, outcome: 'delabelled' } };
  },
  '/poles/{id}/delabelling': async (b, tk, n) => {
    const id = await pole(b, tk, n);
    const body = { delabelledOn: '2014-01-09', reason: 'r' };
    return { token: tk.admin, url: `/poles/${id}/delabelling`, body, other: { ...body, reason: 'autre' } };
  },
  '/poles/{id}/evaluations': async (b, tk, n) => {
    const id = await pole(b, tk, n, { phase: 2, endsOn: '2012-12-31', labelledOn: '2012-01-02' });
    const body = { campaign: 2012, rating: 'performant', evaluatedOn: '2012-06-26' };
    return { token: tk.admin, url: `/poles/${id}/evaluations`, body, other: { ...body, rating: 'tres_performant' } };
  },
  '/poles/{id}/category-changes': async (b, tk, n) => {
    const id = await pole(b, tk, n);
    const body = { category: 'mondial', changedOn: '2014-01-01' };
    return {
      token: tk.admin,
      url: `/poles/${id}/category-changes`,
      body,
      other: { ...body, category: 'vocation_mondiale' },
    };
  },
  '/poles/mergers': async (b, tk, n) => {
    const a = await pole(b, tk, n);
    const c = await pole(b, tk, n + 1000);
    const body = {
      poles: [a, c],
      into: { ...poleBody(`pole-walk-m${n}`), labelledOn: undefined },
      mergedOn: '2015-01-01',
    };
    delete (body.into as Record<string, unknown>).labelledOn;
    return { token: tk.admin, url: '/poles/mergers', body, other: { ...body, mergedOn: '2015-01-02' } };
  },
  '/poles/{id}/performance-contracts': async (b, tk, n) => {
    const id = await pole(b, tk, n);
    const body = { title: 'C', periodFrom: 2013, periodTo: 2018, draftedOn: '2013-03-01' };
    return {
      token: await manager(b, id),
      url: `/poles/${id}/performance-contracts`,
      body,
      other: { ...body, title: 'D' },
    };
  },
  '/performance-contracts/{id}/commitments': async (b, tk, n) => {
    const { id, m } = await contract(b, tk, n, 'draft');
    const body = k('state');
    return { token: m, url: `/performance-contracts/${id}/commitments`, body, other: { ...body, amountEur: 2 } };
  },
  '/performance-contracts/{id}/objectives': async (b, tk, n) => {
    const { id, m } = await contract(b, tk, n, 'draft');
    const body = { indicator: 'jobs', target: 10, dueOn: '2018-12-31', setOn: '2013-03-02' };
    return { token: m, url: `/performance-contracts/${id}/objectives`, body, other: { ...body, target: 11 } };
  },
  '/performance-contracts/{id}/submit': async (b, tk, n) => {
    const poleId = await pole(b, tk, n);
    const m = await manager(b, poleId);
    const id = `pc-walk-${n}`;
    await ok(
      post(b, m, `/poles/${poleId}/performance-contracts`, {
        id,
        title: 'C',
        periodFrom: 2013,
        periodTo: 2018,
        draftedOn: '2013-03-01',
      }),
      'draft',
    );
    for (const c of [k('state'), k('pole'), k('region', '82')])
      await ok(post(b, m, `/performance-contracts/${id}/commitments`, c), 'commit');
    await ok(
      post(b, m, `/performance-contracts/${id}/objectives`, {
        indicator: 'jobs',
        target: 10,
        dueOn: '2018-12-31',
        setOn: '2013-03-02',
      }),
      'objective',
    );
    return {
      token: m,
      url: `/performance-contracts/${id}/submit`,
      body: { submittedOn: '2013-04-01' },
      other: { submittedOn: '2013-04-02' },
    };
  },
  '/performance-contracts/{id}/state-decision': async (b, tk, n) => {
    const { id } = await contract(b, tk, n, 'submitted');
    const body = { decision: 'validated', decidedOn: '2013-05-01' };
    return {
      token: tk.admin,
      url: `/performance-contracts/${id}/state-decision`,
      body,
      other: { ...body, decidedOn: '2013-05-02' },
    };
  },
  '/performance-contracts/{id}/region-decisions': async (b, tk, n) => {
    const { id } = await contract(b, tk, n, 'submitted');
    const body = { regionCode: '82', decision: 'validated', decidedOn: '2013-05-01' };
    return {
      token: await officer(b),
      url: `/performance-contracts/${id}/region-decisions`,
      body,
      other: { ...body, decidedOn: '2013-05-02' },
    };
  },
  '/performance-contracts/{id}/mid-term-reviews': async (b, tk, n) => {
    const { id, m } = await contract(b, tk, n, 'validated');
    // the objective's id is handed out by the server: read it back from the stream
    const s = (await loadAggregate(b.system, performanceContractStream(id), performanceContractDecider)).state as {
      objectives: { objectiveId: string }[];
    };
    const body = { reviewedOn: '2016-01-01', results: [{ objectiveId: s.objectives[0]!.objectiveId, achieved: 3 }] };
    return {
      token: m,
      url: `/performance-contracts/${id}/mid-term-reviews`,
      body,
      other: { ...body, reviewedOn: '2016-01-02' },
    };
  },
  '/fui/calls': async (_b, tk, n) => {
    const body = { number: 40 + n, opensOn: '2013-11-04', closesOn: '2014-01-15' };
    return { token: tk.admin, url: '/fui/calls', body, other: { ...body, closesOn: '2014-01-16' } };
  },
  '/fui/calls/{id}/results': async (b, tk, n) => {
    const number = await call(b, tk, n);
    const body = {
      publishedOn: '2014-05-26',
      submitted: 10,
      selected: 5,
      stateEur: 1,
      localAuthoritiesEur: 1,
      source: 's',
    };
    return { token: tk.admin, url: `/fui/calls/${number}/results`, body, other: { ...body, selected: 6 } };
  },
  '/fui/projects': async (b, tk, n) => {
    const poleId = await pole(b, tk, n);
    const number = await call(b, tk, n);
    const body = projectBody(poleId, number);
    return { token: await manager(b, poleId), url: '/fui/projects', body, other: { ...body, title: 'Autre' } };
  },
  '/fui/projects/{id}/selection': async (b, tk, n) => {
    const { id } = await project(b, tk, n, 'submitted');
    const body = { stateGrantEur: 1000, selectedOn: '2014-05-26' };
    return { token: tk.admin, url: `/fui/projects/${id}/selection`, body, other: { ...body, stateGrantEur: 2000 } };
  },
  '/fui/projects/{id}/rejection': async (b, tk, n) => {
    const { id } = await project(b, tk, n, 'submitted');
    const body = { rejectedOn: '2014-05-26', reason: 'r' };
    return { token: tk.admin, url: `/fui/projects/${id}/rejection`, body, other: { ...body, reason: 'autre' } };
  },
  '/fui/projects/{id}/co-fundings': async (b, tk, n) => {
    const { id } = await project(b, tk, n, 'selected');
    const body = { amountEur: 1000, decidedOn: '2014-06-01' };
    return {
      token: await officer(b),
      url: `/fui/projects/${id}/co-fundings`,
      body,
      other: { ...body, amountEur: 2000 },
    };
  },
  '/fui/projects/{id}/start': async (b, tk, n) => {
    const { id, m } = await project(b, tk, n, 'selected');
    return {
      token: m,
      url: `/fui/projects/${id}/start`,
      body: { startedOn: '2014-09-01' },
      other: { startedOn: '2014-09-02' },
    };
  },
  '/fui/projects/{id}/completion': async (b, tk, n) => {
    const { id, m } = await project(b, tk, n, 'started');
    return {
      token: m,
      url: `/fui/projects/${id}/completion`,
      body: { completedOn: '2017-09-01' },
      other: { completedOn: '2017-09-02' },
    };
  },
  '/fui/projects/{id}/impact-reports': async (b, tk, n) => {
    const { id, m } = await project(b, tk, n, 'completed');
    const body = { reportedOn: '2018-09-01', productsServices: 1, jobs: 2, revenueEur: 3, patents: 0 };
    return { token: m, url: `/fui/projects/${id}/impact-reports`, body, other: { ...body, jobs: 3 } };
  },
};
