import { readFileSync } from 'node:fs';
import t from 'tap';
import { build } from '../helpers/build.ts';

/**
 * requests.http, the README's walk-through, runs as written against the app: every request in
 * order, variables and named responses (`{{name.response.body.x}}`) filled in as the REST
 * clients do, and every answer a success.
 */
t.test('requests.http runs end to end: label, draft, commit, submit, validate, project, report, audit', async (t) => {
  const b = await build(t, { today: '2020-06-01' });
  const vars: Record<string, string> = {
    base: '',
    admin: await b.token('programme_admin'),
    lead: await b.token('territory_lead', { territories: ['9901'], sub: 'lead-9901' }),
    validator: await b.token('regional_validator', { regions: ['44'], sub: 'val-44' }),
    auditor: await b.token('auditor'),
    reporter: await b.token('reporter'),
  };
  const named: Record<string, { body: Record<string, unknown> }> = {};
  const fill = (s: string) =>
    s.replace(/\{\{([\w.]+)\}\}/g, (_, name: string) => {
      const m = /^(\w+)\.response\.body\.(\w+)$/.exec(name);
      const v = m ? named[m[1]!]?.body[m[2]!] : vars[name];
      if (v === undefined) throw new Error(`requests.http: {{${name}}} is not defined`);
      return typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);
    });
  const text = readFileSync('requests.http', 'utf8');
  const blocks = text.split(/^###.*$/m).slice(1);
  let sent = 0;
  let last = '0';
  const seen = new Set<string>();
  for (const block of blocks) {
    const lines = block.split('\n');
    const name = lines.map((l) => /^# @name (\w+)/.exec(l)?.[1]).find(Boolean);
    const rest = lines.filter((l) => !l.startsWith('#') && !l.startsWith('@'));
    const start = rest.findIndex((l) => /^(GET|POST|PUT|PATCH|DELETE) /.test(l));
    if (start < 0) continue;
    const [method, url] = fill(rest[start]!).split(' ') as ['GET' | 'POST', string];
    const headers: Record<string, string> = {};
    let i = start + 1;
    for (; i < rest.length && rest[i]!.trim() !== ''; i++) {
      const [h, ...v] = rest[i]!.split(':');
      headers[h!.trim().toLowerCase()] = fill(v.join(':').trim());
    }
    const body = rest.slice(i).join('\n').trim();
    const r = await b.app.inject({ method, url, headers, ...(body ? { payload: fill(body) } : {}) });
    sent++;
    t.ok(r.statusCode < 300, `${method} ${url}: ${r.statusCode} ${r.body.slice(0, 300)}`);
    if (name) named[name] = { body: r.json<Record<string, unknown>>() };
    if (method === 'POST') last = r.json<{ position: string }>().position;
    seen.add(`${method} ${url.split('?')[0]!.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, '{id}')}`);
  }
  t.ok(sent >= 20, `${sent} requests sent`);
  for (const step of [
    'POST /territories',
    'POST /contracts',
    'POST /contracts/{id}/commitments',
    'POST /contracts/{id}/submit',
    'POST /contracts/{id}/validate',
    'POST /projects',
    'GET /reports/progress',
    'GET /audit/territories/9901/timeline',
  ])
    t.ok(seen.has(step), `the walk-through covers ${step}`);
  const report = await b.app.inject({
    url: `/reports/progress?asOf=2019-11-19&minPosition=${last}`,
    headers: { authorization: `Bearer ${vars.reporter}` },
  });
  t.match(report.json(), { territories: 1, contracts: { validated: 1, signed: 1 }, projects: 1, fundingEur: 120000 });
});
