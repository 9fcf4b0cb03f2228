import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import t from 'tap';
import { build, TEST_SECRET, type Built } from '../helpers/build.ts';
import {
  TODAY,
  commitment,
  countEvents,
  post,
  readyContract,
  submittedContract,
  territories,
  tokens,
  type Tokens,
} from './commands/fixtures.ts';

/**
 * Who may do what: one test per cell of role x command family. A refusal is a 403 problem and
 * writes nothing; an allowed command succeeds.
 */

type Family = 'territory' | 'contract' | 'decision' | 'project' | 'read';
type Who = keyof Tokens;

const allowed: Record<Who, Family[]> = {
  admin: ['territory', 'read'],
  lead44: ['contract', 'project', 'read'],
  lead84: ['read'], // territory 4401 is not theirs
  validator44: ['decision', 'read'],
  validator84: ['read'], // region 84 on a contract of region 44
  auditor: ['read'],
  reporter: ['read'],
};

/** Runs one command of the family against fresh fixtures of territory 4401 (region 44). */
async function attempt(b: Built, tk: Tokens, family: Family, token: string, n: number) {
  switch (family) {
    case 'territory':
      return post(b, token, '/territories/4401/renames', { name: `Vosges ${n}`, renamedOn: '2019-05-01' });
    case 'contract': {
      const id = await readyContract(b, tk);
      return post(b, token, `/contracts/${id}/commitments`, commitment('operator', { madeOn: '2019-02-02' }));
    }
    case 'decision': {
      const id = await submittedContract(b, tk);
      return post(b, token, `/contracts/${id}/validate`, { decidedOn: '2019-04-01' });
    }
    case 'project':
      return post(b, token, '/projects', {
        territoryId: '4401',
        title: 'Plateforme VTE',
        axis: 'skills',
        budgetEur: 1000,
        registeredOn: '2019-05-01',
      });
    case 'read': {
      const id = await readyContract(b, tk);
      return b.app.inject({ url: `/contracts/${id}`, headers: { authorization: `Bearer ${token}` } });
    }
  }
}

t.test('role x command family', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await territories(b, tk);
  let n = 0;
  for (const who of Object.keys(allowed) as Who[])
    for (const family of ['territory', 'contract', 'decision', 'project', 'read'] as Family[])
      await t.test(`${who} / ${family}`, async (t) => {
        const ok = allowed[who].includes(family);
        // fixtures are written first (by the attempt), then the count is taken on the refused call
        const res = await attempt(b, tk, family, tk[who], n++);
        if (ok) {
          t.ok(res.statusCode >= 200 && res.statusCode < 300, `${res.statusCode} ${res.body}`);
        } else {
          t.equal(res.statusCode, 403, res.body);
          t.match(res.headers['content-type'], /^application\/problem\+json/);
        }
      });

  await t.test('a refused command writes nothing', async (t) => {
    const contract = await readyContract(b, tk);
    const submitted = await submittedContract(b, tk);
    const before = await countEvents(b);
    const refused = [
      post(b, tk.lead44, '/territories/4401/withdrawal', { withdrawnOn: '2019-05-01', reason: 'x' }),
      post(b, tk.validator44, '/contracts', { territoryId: '4401', title: 'x', draftedOn: '2019-01-15' }),
      post(b, tk.admin, `/contracts/${contract}/submit`, { submittedOn: '2019-03-01' }),
      post(b, tk.lead44, `/contracts/${submitted}/validate`, { decidedOn: '2019-04-01' }),
      post(b, tk.lead84, `/contracts/${contract}/submit`, { submittedOn: '2019-03-01' }),
      post(b, tk.auditor, '/projects', {
        territoryId: '4401',
        title: 'x',
        axis: 'skills',
        budgetEur: 1,
        registeredOn: '2019-05-01',
      }),
      post(b, tk.reporter, `/contracts/${submitted}/reject`, { decidedOn: '2019-04-01', reason: 'x' }),
    ];
    for (const r of await Promise.all(refused)) t.equal(r.statusCode, 403, r.body);
    t.equal(await countEvents(b), before);
  });

  await t.test('a validator of region 84 may not decide on a contract of region 44 (any decision)', async (t) => {
    const id = await submittedContract(b, tk);
    const before = await countEvents(b);
    for (const [path, body] of [
      ['validate', { decidedOn: '2019-04-01' }],
      ['request-changes', { decidedOn: '2019-04-01', reason: 'x' }],
      ['reject', { decidedOn: '2019-04-01', reason: 'x' }],
    ] as const) {
      const r = await post(b, tk.validator84, `/contracts/${id}/${path}`, body);
      t.equal(r.statusCode, 403, r.body);
      t.match(r.json<{ detail: string }>().detail, /region 44/);
    }
    t.equal(await countEvents(b), before);
    // ... while their own region's contracts are theirs
    const theirs = await submittedContract(b, tk, '8401');
    const ok = await post(b, tk.validator84, `/contracts/${theirs}/validate`, { decidedOn: '2019-04-01' });
    t.equal(ok.statusCode, 200, ok.body);
  });

  await t.test('and a validator of region 44 may not decide on a contract of region 84', async (t) => {
    const id = await submittedContract(b, tk, '8401');
    const r44 = await post(b, tk.validator44, `/contracts/${id}/validate`, { decidedOn: '2019-04-01' });
    t.equal(r44.statusCode, 403);
  });
});

t.test('401: missing, malformed, expired, wrongly signed tokens', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const body = { territoryId: '4401', title: 'x', draftedOn: '2019-01-15' };
  const claims = { name: 'Lead', roles: ['territory_lead'], territories: ['4401'] };
  const expired = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('lead')
    .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
    .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
    .sign(new TextEncoder().encode(TEST_SECRET));
  const wrongSecret = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('lead')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode('another-secret-0123456789abcdef'));
  const badClaims = await new SignJWT({ ...claims, roles: ['emperor'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('lead')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(TEST_SECRET));
  const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'lead', ...claims })).toString('base64url')}.`;
  const cases: [string, Record<string, string>][] = [
    ['missing', {}],
    ['not bearer', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['malformed', { authorization: 'Bearer not a token' }],
    ['garbage', { authorization: 'Bearer abc.def.ghi' }],
    ['expired', { authorization: `Bearer ${expired}` }],
    ['wrong secret', { authorization: `Bearer ${wrongSecret}` }],
    ['bad claims', { authorization: `Bearer ${badClaims}` }],
    ['alg none', { authorization: `Bearer ${unsigned}` }],
  ];
  for (const [name, headers] of cases) {
    const r = await b.app.inject({ method: 'POST', url: '/contracts', headers, payload: body });
    t.equal(r.statusCode, 401, `${name}: ${r.body}`);
    t.match(r.headers['content-type'], /^application\/problem\+json/, name);
    const g = await b.app.inject({ url: '/contracts/x', headers });
    t.equal(g.statusCode, 401, `${name} (read)`);
  }
  t.match((await b.app.inject({ method: 'POST', url: '/contracts', headers: cases[4]![1], payload: body })).json(), {
    detail: /expired/,
  });
  // 401 comes before the body is looked at: a bad body without a token is still a 401
  const r = await b.app.inject({ method: 'POST', url: '/contracts', payload: { nonsense: true } });
  t.equal(r.statusCode, 401);
  t.equal(await countEvents(b), 0);
});

t.test('AUTH_JWKS_URL: RS256 tokens checked against a JWKS served locally', async (t) => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  let fetches = 0;
  const server = createServer((req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;

  const b = await build(t, {
    today: TODAY,
    runner: false,
    env: { AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json` },
  });
  const sign = (key: Parameters<SignJWT['sign']>[0], kid: string) =>
    new SignJWT({ name: 'Admin (IdP)', roles: ['programme_admin'] })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setSubject('idp-admin')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key);
  const label = (token: string) =>
    b.app.inject({
      method: 'POST',
      url: '/territories',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        id: '4401',
        name: 'Vosges',
        regionCode: '44',
        epcis: [{ siren: '200068757', name: 'CC' }],
        labelledOn: '2018-11-22',
      },
    });
  const good = await label(await sign(privateKey, 'k1'));
  t.equal(good.statusCode, 201, good.body);
  t.ok(fetches >= 1, 'the JWKS was fetched');
  const events = [];
  for await (const e of b.system.store.readStream('territory-4401')) events.push(e);
  t.equal(events[0]!.metadata.actor.sub, 'idp-admin');
  t.same(events[0]!.metadata.actor.roles, ['programme_admin']);

  t.equal((await label(await sign(other.privateKey, 'k1'))).statusCode, 401, 'signed by another key');
  t.equal((await label(await sign(other.privateKey, 'k2'))).statusCode, 401, 'unknown kid');
  const hs = await b.token('programme_admin');
  t.equal((await label(hs)).statusCode, 401, 'local HS256 tokens are refused in JWKS mode');
});
