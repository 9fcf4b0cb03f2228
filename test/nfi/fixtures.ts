import type { Built } from '../helpers/build.ts';
import { post } from '../http/commands/fixtures.ts';

/** Shared set-up of the NFI HTTP tests: plans, a mandated Region, its 5 + 5 choices with leaders. */
export const NFI_TODAY = '2016-06-30';

export async function nfiTokens(b: Built) {
  return {
    admin: await b.token('programme_admin'),
    officer41: await b.token('regional_officer', { regions: ['41'], sub: 'officer-41' }),
    officer44: await b.token('regional_officer', { regions: ['44'], sub: 'officer-44' }),
    officer42: await b.token('regional_officer', { regions: ['42'], sub: 'officer-42' }),
    officer84: await b.token('regional_officer', { regions: ['84'], sub: 'officer-84' }),
    reporter: await b.token('reporter'),
    auditor: await b.token('auditor'),
  };
}
export type NfiTokens = Awaited<ReturnType<typeof nfiTokens>>;

export const ok = async (r: Promise<{ statusCode: number; body: string }>, what: string) => {
  const a = await r;
  if (a.statusCode >= 300) throw new Error(`${what}: ${a.statusCode} ${a.body}`);
  return JSON.parse(a.body) as Record<string, unknown>;
};

/** Plan ids used by the tests: p-1 ... p-n, plus Usine du futur. */
export const planIds = (n: number) => Array.from({ length: n }, (_, i) => `p-${i + 1}`);

export async function launchPlans(b: Built, admin: string, n = 12) {
  let last: Record<string, unknown> = {};
  for (const id of [...planIds(n), 'usine-du-futur'])
    last = await ok(
      post(b, admin, '/plans', {
        id,
        name: id === 'usine-du-futur' ? 'Usine du futur' : `Plan ${id}`,
        launchedOn: '2013-09-12',
      }),
      `launch ${id}`,
    );
  return last;
}

export async function mandate(b: Built, admin: string, code: string) {
  return ok(
    post(b, admin, `/regions/${code}/mandate`, { mandatedOn: '2013-11-26', roadmapDueOn: '2014-03-31' }),
    `mandate ${code}`,
  );
}

export const leadBody = (k: number) => ({
  person: `Dirigeant ${k}`,
  company: `PME ${k} SAS`,
  siren: `9${String(k).padStart(8, '0')}`,
  appointedOn: '2014-02-01',
});

/** Region `code` chooses p-1..p-5 at rank 1 and p-6..p-10 at rank 2, with a leader each. */
export async function fivePlusFive(b: Built, token: string, code: string, leads = true) {
  let last: Record<string, unknown> = {};
  for (const [i, id] of planIds(10).entries()) {
    last = await ok(
      post(b, token, `/regions/${code}/plan-choices`, { planId: id, rank: i < 5 ? 1 : 2, chosenOn: '2014-01-10' }),
      `choose ${id}`,
    );
    if (leads)
      last = await ok(post(b, token, `/regions/${code}/plan-choices/${id}/lead`, leadBody(i + 1)), `lead ${id}`);
  }
  return last;
}
