import t from 'tap';
import { build } from '../helpers/build.ts';
import { TODAY, post, submittedContract, territories, tokens } from './commands/fixtures.ts';

/**
 * One pagination convention (README "Pagination"): `limit` + an opaque `cursor`; every page
 * answers `next` (the cursor of the next page, null on the last). Every paged route is walked
 * page by page with a small limit, following `next` until null: every item comes exactly once and
 * in the order of the unpaged answer. The older parameters (`offset`, `after`/`nextAfter`) still work.
 */
t.test('every paged route: walk `next` until null; old parameters still work', async (t) => {
  const b = await build(t, { today: TODAY });
  const tk = await tokens(b);
  await territories(b, tk);
  const contracts = [
    await submittedContract(b, tk),
    await submittedContract(b, tk),
    await submittedContract(b, tk, '8401'),
    await submittedContract(b, tk),
    await submittedContract(b, tk, '8401'),
  ];
  let last = '0';
  for (const [lead, territoryId, axis] of [
    [tk.lead44, '4401', 'innovation'],
    [tk.lead84, '8401', 'skills'],
    [tk.lead44, '4401', 'skills'],
  ] as const) {
    const r = await post(b, lead, '/projects', {
      territoryId,
      title: `P ${axis}`,
      axis,
      budgetEur: 1000,
      registeredOn: '2019-05-01',
    });
    t.equal(r.statusCode, 201, r.body);
    last = r.json<{ position: string }>().position;
  }

  const get = async (token: string, url: string, status = 200) => {
    const sep = url.includes('?') ? '&' : '?';
    // the timeline reads the event log itself: no minPosition to wait for
    const wait = url.startsWith('/audit/territories/') ? '' : `${sep}minPosition=${last}`;
    const res = await b.app.inject({
      url: `${url}${wait}`,
      headers: { authorization: `Bearer ${token}` },
    });
    t.equal(res.statusCode, status, `${url}: ${res.body}`);
    return res.json<Record<string, unknown>>();
  };
  type Row = Record<string, unknown>;
  const walk = async (token: string, path: string, field: string, limit: number, key: (x: Row) => string) => {
    const all = ((await get(token, `${path}${path.includes('?') ? '&' : '?'}limit=100`))[field] as Row[]).map(key);
    t.ok(all.length > limit, `${path}: more items (${all.length}) than one page of ${limit}`);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `${path}${path.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await get(token, q);
      const items = (page[field] as Row[]).map(key);
      t.ok(items.length <= limit, `${q}: at most ${limit}`);
      seen.push(...items);
      t.ok('next' in page, `${q}: answers next`);
      cursor = page.next as string | null;
      if (cursor !== null) t.match(cursor, /^[A-Za-z0-9_-]+$/, 'an opaque, URL-safe cursor');
      pages++;
    } while (cursor !== null && pages < 100);
    t.same(seen, all, `${path}: every item exactly once, in order, over ${pages} pages`);
    t.equal(new Set(seen).size, seen.length, `${path}: no item twice`);
    return all;
  };

  const territoryIds = await walk(tk.reporter, '/territories', 'items', 1, (x) => String(x.id));
  t.same(territoryIds, ['4401', '8401']);
  const contractIds = await walk(tk.reporter, '/contracts', 'items', 2, (x) => String(x.id));
  t.same([...contractIds].sort(), [...contracts].sort());
  await walk(tk.reporter, '/projects', 'items', 2, (x) => String(x.id));
  const queue = await walk(tk.auditor, '/decisions/pending', 'items', 2, (x) => String(x.id));
  t.equal(queue.length, 5, 'the whole queue');
  const audit = await walk(tk.reporter, '/audit/events', 'items', 7, (x) => String(x.position));
  t.ok(audit.length > 20);
  const timeline = await walk(tk.auditor, '/audit/territories/4401/timeline', 'events', 3, (x) => String(x.position));
  t.ok(timeline.length > 5);

  // the totals do not change with the page
  const p1 = await get(tk.reporter, '/contracts?limit=2');
  t.equal(p1.total, 5);
  const p2 = await get(tk.reporter, `/contracts?limit=2&cursor=${String(p1.next)}`);
  t.equal(p2.total, 5);
  t.equal(p2.offset, 2, 'the deprecated offset echo still answers where the page starts');
  const tl = await get(tk.auditor, '/audit/territories/4401/timeline?limit=3');
  t.equal(tl.count, timeline.length, 'timeline count: every event matched, on every page');
  const tlAll = await get(tk.auditor, '/audit/territories/4401/timeline');
  t.equal((tlAll.events as Row[]).length, timeline.length, 'timeline without limit: one page, as before');
  t.equal(tlAll.next, null);

  // deprecated aliases: offset on the lists, after/nextAfter on the audit trail
  for (const [token, path, all] of [
    [tk.reporter, '/territories', territoryIds],
    [tk.reporter, '/contracts', contractIds],
    [tk.auditor, '/decisions/pending', queue],
  ] as const) {
    const page = await get(token, `${path}?limit=2&offset=1`);
    t.same(
      (page.items as Row[]).map((x) => String(x.id)),
      all.slice(1, 3),
      `${path}?offset=1: the old parameter still works`,
    );
    t.equal(page.offset, 1);
    t.equal(page.limit, 2);
  }
  const viaAfter: string[] = [];
  let after: string | null = null;
  do {
    const page = await get(tk.reporter, `/audit/events?limit=7${after ? `&after=${after}` : ''}`);
    viaAfter.push(...(page.items as Row[]).map((x) => String(x.position)));
    after = page.nextAfter as string | null;
    t.equal(page.next === null, after === null, 'next and nextAfter end together');
  } while (after !== null);
  t.same(viaAfter, audit, '/audit/events: after/nextAfter still walk the whole trail');

  // a cursor and its deprecated alias together, or a cursor not answered by the route: 400
  await get(tk.reporter, `/contracts?cursor=${String(p1.next)}&offset=1`, 400);
  const a1 = await get(tk.reporter, '/audit/events?limit=2');
  await get(tk.reporter, `/audit/events?cursor=${String(a1.next)}&after=1`, 400);
  await get(tk.reporter, `/audit/events?cursor=${String(p1.next)}`, 400);
  await get(tk.reporter, '/contracts?cursor=bm90LWEtY3Vyc29y', 400);
  await get(tk.reporter, '/contracts?cursor=not%20base64', 400);
});
