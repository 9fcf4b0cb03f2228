import t from 'tap';
import { ROLES, type Role } from '../../src/http/auth.ts';
import { build } from '../helpers/build.ts';
import { countEvents, post } from '../http/commands/fixtures.ts';
import { NFI_TODAY, fivePlusFive, launchPlans, leadBody, mandate, ok, planIds } from './fixtures.ts';

/**
 * The role × command matrix of La Nouvelle France industrielle: every command refused (403,
 * nothing written) to every role but its own, then accepted for its own; a regional officer of
 * another Region is refused, one of the Region that succeeded it (Grand Est for Lorraine) is not.
 */
t.test('role × command matrix', async (t) => {
  const b = await build(t, { today: NFI_TODAY });
  const token = (role: Role, regions = ['41']) => b.token(role, { regions, sub: `${role}-${regions.join('-')}` });
  const tokens = Object.fromEntries(await Promise.all(ROLES.map(async (r) => [r, await token(r)] as const))) as Record<
    Role,
    string
  >;
  const admin = tokens.programme_admin;
  const officer84 = await token('regional_officer', ['84']);
  const officer44 = await token('regional_officer', ['44']);
  await launchPlans(b, admin, 12);
  await mandate(b, admin, '41');
  await fivePlusFive(b, officer44, '41', false);
  for (const [i, id] of planIds(9).entries())
    await ok(post(b, officer44, `/regions/41/plan-choices/${id}/lead`, leadBody(i + 1)), `lead ${id}`);

  const cells: string[] = [];
  /** Every role but `allowed` gets 403 and writes nothing; then `allowed` (or `as`) succeeds. */
  const cell = async (
    name: string,
    allowed: Role,
    url: string,
    body: Record<string, unknown>,
    status: number,
    as?: string,
  ) => {
    for (const role of ROLES) {
      if (role === allowed) continue;
      const before = await countEvents(b);
      const r = await post(b, tokens[role], url, body);
      t.equal(r.statusCode, 403, `${name} as ${role}: ${r.body}`);
      t.match(String(r.headers['content-type']), /^application\/problem\+json/);
      t.equal(await countEvents(b), before, `${name} as ${role}: nothing written`);
      cells.push(`${name} × ${role}: 403`);
    }
    if (allowed === 'regional_officer') {
      const before = await countEvents(b);
      const r = await post(b, officer84, url, body);
      t.equal(r.statusCode, 403, `${name} by an officer of 84 for 41: ${r.body}`);
      t.match(r.json(), { detail: /not one of your regions/ });
      t.equal(await countEvents(b), before, `${name} by an officer of 84: nothing written`);
      cells.push(`${name} × regional_officer of 84 for 41: 403`);
    }
    const r = await post(b, as ?? tokens[allowed], url, body);
    t.equal(r.statusCode, status, `${name} as ${allowed}: ${r.body}`);
    cells.push(`${name} × ${allowed}${as ? ' (another token)' : ''}: ${status}`);
  };

  await cell(
    'launchPlan',
    'programme_admin',
    '/plans',
    { id: 'p-13', name: 'Plan p-13', launchedOn: '2013-09-12' },
    201,
  );
  await cell(
    'appointPlanLeads',
    'programme_admin',
    '/plans/p-1/leads',
    { leads: [{ name: 'A', organisation: 'B' }], appointedOn: '2013-10-07' },
    200,
  );
  await cell(
    'renamePlan',
    'programme_admin',
    '/plans/p-2/renames',
    { name: 'Santé numérique', renamedOn: '2014-01-15' },
    200,
  );
  await cell(
    'validatePlanRoadmap',
    'programme_admin',
    '/plans/p-1/roadmap-validations',
    { committeeOn: '2014-03-14' },
    200,
  );
  await cell(
    'mandateRegion',
    'programme_admin',
    '/regions/42/mandate',
    { mandatedOn: '2013-11-26', roadmapDueOn: '2014-03-31' },
    201,
  );
  await cell(
    'withdrawPlanChoice',
    'regional_officer',
    '/regions/41/plan-choices/p-10/withdrawal',
    { withdrawnOn: '2014-02-01' },
    200,
  );
  // an officer of Lorraine's successor (Grand Est) records for Lorraine in 2014
  await cell(
    'choosePlan',
    'regional_officer',
    '/regions/41/plan-choices',
    { planId: 'p-11', rank: 2, chosenOn: '2014-02-02' },
    201,
    officer44,
  );
  await cell(
    'appointRegionalPlanLead',
    'regional_officer',
    '/regions/41/plan-choices/p-11/lead',
    { ...leadBody(11), appointedOn: '2014-02-03' },
    200,
    officer44,
  );
  await cell(
    'selectCompanyForUsineDuFutur',
    'regional_officer',
    '/regions/41/usine-du-futur',
    { siren: '123456789', name: 'Forge', size: 'SME', selectedOn: '2014-03-01' },
    201,
  );
  await cell('submitRoadmap', 'regional_officer', '/regions/41/roadmap', { submittedOn: '2014-03-20' }, 200);
  await cell(
    'sendBackRoadmap',
    'programme_admin',
    '/regions/41/roadmap/sending-back',
    { sentBackOn: '2014-04-01', reason: 'à préciser' },
    200,
  );
  await ok(post(b, tokens.regional_officer, '/regions/41/roadmap', { submittedOn: '2014-04-10' }), 'resubmit');
  await cell('acceptRoadmap', 'programme_admin', '/regions/41/roadmap/acceptance', { acceptedOn: '2014-04-20' }, 200);
  await cell(
    'regroupPlans',
    'programme_admin',
    '/plan-regroupings',
    {
      regroupedOn: '2015-05-18',
      groupings: [
        { solutionId: 'industrie-du-futur', name: 'Industrie du futur', plans: ['usine-du-futur'] },
        { solutionId: 'tout', name: 'Tout le reste', plans: planIds(13) },
      ],
    },
    201,
  );
  t.equal(cells.length, 13 * ROLES.length + 5, 'every cell of the matrix was tried');

  // reading: every role with a token
  for (const role of ROLES)
    for (const url of ['/plans', '/plans/p-1', '/regions/41/priorities', '/reports/nfi'])
      t.equal(
        (await b.app.inject({ url, headers: { authorization: `Bearer ${tokens[role]}` } })).statusCode,
        200,
        `${role} reads ${url}`,
      );
  t.equal((await b.app.inject({ url: '/reports/nfi' })).statusCode, 401, 'no token, no read');
});
