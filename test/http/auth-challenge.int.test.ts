import t from 'tap';
import { signToken } from '../../src/http/auth.ts';
import { build } from '../helpers/build.ts';

/** Every 401 carries its challenge as a WWW-Authenticate header (RFC 6750), never in the body. */
t.test('a 401 has a WWW-Authenticate header and no "headers" in its body', async (t) => {
  const b = await build(t, { runner: false });
  const expired = await b.token('reporter');
  const cases: { name: string; authorization?: string; challenge: RegExp }[] = [
    { name: 'no token', challenge: /^Bearer realm="ti-ledger"$/ },
    { name: 'a token that is not valid', authorization: 'Bearer abc.def.ghi', challenge: /error="invalid_token"/ },
    { name: 'a tampered token', authorization: `Bearer ${expired}x`, challenge: /error="invalid_token"/ },
    { name: 'not a bearer header', authorization: 'Basic dTpw', challenge: /error="invalid_request"/ },
  ];
  for (const c of cases) {
    for (const req of [
      { method: 'GET' as const, url: '/territories' },
      { method: 'POST' as const, url: '/territories', payload: {} },
      { method: 'POST' as const, url: '/contracts/abc/submit', payload: { submittedOn: '2019-01-01' } },
    ]) {
      const r = await b.app.inject({
        ...req,
        headers: c.authorization ? { authorization: c.authorization } : {},
      });
      const what = `${c.name}, ${req.method} ${req.url}`;
      t.equal(r.statusCode, 401, what);
      t.match(r.headers['www-authenticate'], c.challenge, `${what}: the challenge`);
      t.match(r.headers['www-authenticate'], /^Bearer realm="ti-ledger"/, `${what}: a Bearer challenge`);
      t.match(r.headers['content-type'], /^application\/problem\+json/, `${what}: problem+json`);
      const body = r.json<Record<string, unknown>>();
      t.notOk('headers' in body, `${what}: no "headers" member in the body`);
      t.equal(body.status, 401);
    }
  }
  // an authorised request carries no challenge
  const ok = await b.app.inject({ url: '/territories', headers: { authorization: `Bearer ${expired}` } });
  t.equal(ok.statusCode, 200);
  t.notOk(ok.headers['www-authenticate']);
});

t.test('a token signed with another secret is refused with a message saying so', async (t) => {
  const b = await build(t, { runner: false });
  const other = await signToken('another-secret-of-another-DATA_DIR', { sub: 'x', name: 'X', roles: ['reporter'] });
  const r = await b.app.inject({ url: '/territories', headers: { authorization: `Bearer ${other}` } });
  t.equal(r.statusCode, 401);
  t.match(r.json<{ detail: string }>().detail, /signed with another secret, key id [0-9a-f]{8}, this server's is/);
  t.match(r.headers['www-authenticate'], /error="invalid_token"/);
});
