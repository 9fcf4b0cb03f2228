import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { build, type Built } from '../helpers/build.ts';
import { TODAY, post, readyContract, territories, tokens } from '../http/commands/fixtures.ts';
import type { RecordedEvent } from '../../src/eventstore/types.ts';
import { connectSse, type SseMessage } from './sse-client.ts';

interface FeedEvent {
  cursor: string;
  position: string;
  stream: string;
  type: string;
  occurredOn: string;
  territoryId: string | null;
  regionCode: string | null;
  href: string | null;
  summary: string | null;
  actor?: { sub: string; name: string } | null;
}
interface FeedPage {
  events: FeedEvent[];
  next: string | null;
}

async function allRecorded(b: Built): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of b.system.store.readAll()) out.push(e);
  return out;
}

const getFeed = (b: Built, token: string, qs: string) =>
  b.app.inject({ url: `/feed${qs}`, headers: { authorization: `Bearer ${token}` } });

/** Walks the feed page by page from the start; every event it was given. */
async function walk(b: Built, token: string, limit: number): Promise<FeedEvent[]> {
  const seen: FeedEvent[] = [];
  let after: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const res = await getFeed(b, token, `?limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    if (res.statusCode !== 200) throw new Error(res.body);
    const page = res.json<FeedPage>();
    seen.push(...page.events);
    if (page.events.length === 0 || page.next === after) return seen;
    after = page.next;
  }
  throw new Error('the feed never ended');
}

t.test(
  'GET /feed: pages in log order, filtered by rights, long-poll, resumable from a cursor or a position',
  async (t) => {
    const b = await build(t, { today: TODAY, runner: false });
    const tk = await tokens(b);
    await territories(b, tk);
    const c44 = await readyContract(b, tk, '4401');
    const c84 = await readyContract(b, tk, '8401');
    const recorded = await allRecorded(b);
    t.ok(recorded.length >= 12, `${recorded.length} events recorded`);

    const auditor = await walk(b, tk.auditor, 3);
    t.same(
      auditor.map((e) => e.cursor),
      recorded.map((e) => e.checkpoint),
      'an auditor walking pages of 3 gets every event once, in log order',
    );
    const drafted = auditor.find((e) => e.type === 'ContractDrafted' && e.territoryId === '4401')!;
    t.match(drafted, {
      stream: `contract-${c44}`,
      href: `/contracts/${c44}`,
      occurredOn: '2019-01-15',
      regionCode: '44',
      actor: { sub: 'lead-44' },
    });
    t.match(auditor[0], { type: 'TerritoryLabelled', href: '/territories/4401', occurredOn: '2018-11-22' });
    t.type(drafted.summary, 'string');

    const reporter = await walk(b, tk.reporter, 100);
    t.equal(reporter.length, recorded.length, 'a reporter sees every event');
    t.ok(
      reporter.every((e) => !('actor' in e)),
      'without who did it',
    );

    const v44 = await walk(b, tk.validator44, 2);
    t.ok(v44.length > 0);
    t.same(
      v44.map((e) => e.cursor),
      auditor.filter((e) => e.territoryId === '4401').map((e) => e.cursor),
      "a Region's validator sees its territories' events (territory and contracts), nothing else",
    );
    t.ok(v44.every((e) => e.regionCode === '44' && !('actor' in e)));
    const l84 = await walk(b, tk.lead84, 50);
    t.same(
      l84.map((e) => e.stream),
      auditor.filter((e) => e.territoryId === '8401').map((e) => e.stream),
      'a territory lead sees its territory',
    );
    t.ok(l84.some((e) => e.stream === `contract-${c84}`));

    // resuming from a position (as a write returns it) or a cursor gives what follows it
    const mid = recorded[5]!;
    const fromPos = (await getFeed(b, tk.auditor, `?after=${mid.position}&limit=1000`)).json<FeedPage>();
    t.same(
      fromPos.events.map((e) => e.cursor),
      recorded.slice(6).map((e) => e.checkpoint),
    );
    const fromCursor = (await getFeed(b, tk.auditor, `?after=${encodeURIComponent(mid.checkpoint)}`)).json<FeedPage>();
    t.same(fromCursor.events, fromPos.events);

    // long-poll: nothing new within the wait is an empty page that keeps its place
    const head = recorded.at(-1)!.checkpoint;
    const idle = await getFeed(b, tk.auditor, '?after=head&wait=0.3');
    t.equal(idle.statusCode, 200, idle.body);
    t.same(idle.json<FeedPage>(), { events: [], next: head });
    // ... and an event recorded while the poll waits answers it
    const pending = getFeed(b, tk.validator44, `?after=${encodeURIComponent(head)}&wait=20`);
    await new Promise((r) => setTimeout(r, 300));
    const sub = await post(b, tk.lead44, `/contracts/${c44}/submit`, { submittedOn: '2019-03-01' });
    t.equal(sub.statusCode, 200, sub.body);
    const woke = (await pending).json<FeedPage>();
    t.same(
      woke.events.map((e) => [e.type, e.position]),
      [['ContractSubmittedForValidation', sub.json<{ position: string }>().position]],
    );

    // refusals
    t.equal((await getFeed(b, tk.auditor, '?after=nope')).statusCode, 400);
    t.equal((await getFeed(b, tk.auditor, '?after=987654321')).statusCode, 400, 'no event at that position');
    t.equal((await getFeed(b, tk.auditor, '?wait=31')).statusCode, 400);
    t.equal((await getFeed(b, tk.auditor, '?after=C:1/P:1')).statusCode, 400, "another backend's cursor");
    t.equal((await b.app.inject({ url: '/feed' })).statusCode, 401);
  },
);

t.test('GET /feed/stream: a client cut off three times under load ends with every event once, in order', async (t) => {
  const b = await build(t, { today: TODAY, runner: false });
  const tk = await tokens(b);
  await b.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;
  const store = b.system.store;

  // the load: 6 writers appending batches of 1-3 events to their own streams until told to stop
  let stop = false;
  let appended = 0;
  const writer = async (w: number) => {
    let revision = -1n;
    const stream = `territory-W${w}`;
    for (let i = 0; !stop && i < 400; i++) {
      const n = 1 + (i % 3);
      const events = Array.from({ length: n }, (_, k) => ({
        id: randomUUID(),
        type: 'TerritoryRenamed',
        schemaVersion: 1,
        data: { territoryId: `W${w}`, name: `writer ${w} step ${i}.${k}`, renamedOn: '2019-01-01' },
        metadata: { actor: { sub: `writer-${w}`, name: `Writer ${w}`, roles: [] }, occurredOn: '2019-01-01' },
      }));
      const r = await store.append(stream, events, { expectedRevision: revision === -1n ? 'no_stream' : revision });
      revision = r.nextRevision;
      appended += n;
    }
  };
  const writers = Promise.all([0, 1, 2, 3, 4, 5].map(writer));

  const received: SseMessage[] = [];
  const cutAt = [40, 200, 500];
  let connections = 0;
  // each connection: Last-Event-ID on the 2nd and 4th, ?after= on the 3rd (both resume points)
  const connect = () => {
    const last = received.at(-1)?.id;
    connections++;
    const viaQuery = connections === 3 && last !== undefined;
    const headers: Record<string, string> = { authorization: `Bearer ${tk.auditor}` };
    if (last !== undefined && !viaQuery) headers['last-event-id'] = last;
    const url = `${base}/feed/stream${viaQuery ? `?after=${encodeURIComponent(last)}` : ''}`;
    return connectSse(url, headers, (m, conn) => {
      received.push(m);
      if (cutAt.length > 0 && received.length >= cutAt[0]!) {
        cutAt.shift();
        conn.cut();
      }
    });
  };

  let conn = connect();
  const ready = await conn.ready;
  t.equal(ready.status, 200);
  t.match(ready.contentType, /^text\/event-stream/);
  for (let cuts = 0; cuts < 3; cuts++) {
    await conn.ended;
    t.ok(appended > received.length || !stop, `cut ${cuts + 1} at ${received.length} events, ${appended} appended`);
    conn = connect();
  }
  stop = true;
  await writers;
  const total = (await allRecorded(b)).length;
  t.ok(connections === 4, 'connected four times');
  // the last connection catches up with everything appended
  const deadline = Date.now() + 60_000;
  while (received.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  conn.cut();
  const expected = (await allRecorded(b)).map((e) => e.checkpoint);
  const ids = received.map((m) => m.id);
  t.equal(new Set(ids).size, ids.length, 'no event twice');
  t.same(ids, expected, `all ${expected.length} events, in log order, across 3 cut-offs`);
  const events = received.map((m) => JSON.parse(m.data) as FeedEvent);
  t.ok(
    events.every((e, i) => e.cursor === ids[i] && e.type === 'TerritoryRenamed'),
    'each message carries its event',
  );
});

t.test('app.close() ends open event streams and waiting long-polls instead of hanging', async (t) => {
  const b = await build(t, { today: TODAY, runner: false, env: { FEED_MAX_STREAMS: '3' } });
  const tk = await tokens(b);
  await b.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;
  const streams = [0, 1, 2].map(() =>
    connectSse(`${base}/feed/stream`, { authorization: `Bearer ${tk.reporter}` }, () => {}),
  );
  for (const s of streams) t.equal((await s.ready).status, 200);
  // a fourth stream is over this instance's limit: 503, Retry-After, nothing held open
  const over = await fetch(`${base}/feed/stream`, { headers: { authorization: `Bearer ${tk.reporter}` } });
  t.equal(over.status, 503);
  t.equal(over.headers.get('retry-after'), '5');
  t.match(over.headers.get('content-type'), /problem\+json/);
  const poll = fetch(`${base}/feed?wait=30`, { headers: { authorization: `Bearer ${tk.reporter}` } });
  await new Promise((r) => setTimeout(r, 200));
  const closed = await Promise.race([
    b.app.close().then(() => 'closed'),
    new Promise((r) => setTimeout(() => r('hung'), 10_000)),
  ]);
  t.equal(closed, 'closed', 'app.close() returned');
  await Promise.all(streams.map((s) => s.ended));
  t.pass('every stream ended');
  const answered = await poll;
  t.equal(answered.status, 200, 'the long-poll answered (empty)');
  t.same(await answered.json(), { events: [], next: null });
});
