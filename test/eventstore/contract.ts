/**
 * The event-store contract: one suite, run against every backend
 * (postgres.int.test.ts on a fresh PostgreSQL database, esdb.e2e.test.ts when EVENTSTORE_URL is set).
 *
 * Every test writes to its own, freshly named streams and looks at the global log only after a
 * checkpoint taken at its start, so the suite also runs against a shared EventStoreDB.
 */
import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import { Frontier, leafHash } from '../../src/audit/merkle.ts';
import { eventHash } from '../../src/eventstore/hash.ts';
import {
  EventIdConflictError,
  InvalidEventError,
  WrongExpectedRevisionError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '../../src/eventstore/types.ts';
import { verifyChains } from '../../src/eventstore/verify.ts';

/** The event types the contract writes (an EventStoreDB store must be connected with them). */
export const CONTRACT_EVENT_TYPES = ['ContractTestHappened', 'ContractTestNoted'];

export function newEvent(n: number, overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    type: n % 2 === 0 ? 'ContractTestHappened' : 'ContractTestNoted',
    schemaVersion: 1 + (n % 3),
    data: { n, label: `event ${n}`, nested: { list: [n, 'é', true, null], amount: 1.5 } },
    metadata: {
      actor: { sub: 'user-1', name: 'Test User', roles: ['programme_admin'] },
      occurredOn: '2019-11-19',
      correlationId: `corr-${n}`,
      requestId: `req-${n}`,
    },
    ...overrides,
  };
}

export const events = (count: number, start = 0) => Array.from({ length: count }, (_, i) => newEvent(start + i));

export const uniqueStream = (label = 'c') => `territory-${label}${randomUUID().replace(/-/g, '').slice(0, 16)}`;

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Reads the log after a checkpoint, keeping only the given streams (the log may be shared). */
export async function readOwn(store: EventStore, after: string | undefined, streams: Set<string>, batchSize?: number) {
  const out: RecordedEvent[] = [];
  for await (const e of store.readAll({ after, ...(batchSize ? { batchSize } : {}) })) {
    if (streams.has(e.stream)) out.push(e);
  }
  return out;
}

export async function rejectsWith<E extends Error>(
  p: Promise<unknown>,
  cls: abstract new (...args: never[]) => E,
): Promise<E> {
  try {
    await p;
  } catch (err) {
    if (err instanceof cls) return err;
    throw new Error(`expected ${cls.name}, got ${String(err)}`, { cause: err });
  }
  throw new Error(`expected ${cls.name}, but the promise resolved`);
}

function checkChain(t: Test, recorded: RecordedEvent[], msg: string) {
  let prev = '';
  recorded.forEach((e, i) => {
    t.equal(e.revision, BigInt(i), `${msg}: revision ${i}`);
    t.equal(e.prevHash, prev, `${msg}: prevHash of revision ${i}`);
    t.equal(
      e.hash,
      eventHash({
        stream: e.stream,
        revision: e.revision,
        type: e.type,
        schemaVersion: e.schemaVersion,
        data: e.data,
        metadata: e.metadata,
        prevHash: e.prevHash,
      }),
      `${msg}: hash of revision ${i} recomputes`,
    );
    t.match(e.hash, /^[0-9a-f]{64}$/);
    prev = e.hash;
  });
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([
    p,
    new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms).unref()),
  ]);

export function eventStoreContract(t: Test, makeStore: (t: Test) => Promise<EventStore>): void {
  t.test('append returns the new revision and position; readStream gives back what was written', async (t) => {
    const store = await makeStore(t);
    const stream = uniqueStream();
    const batch = events(3);
    const before = Date.now();
    const r = await store.append(stream, batch, { expectedRevision: 'no_stream' });
    t.equal(r.nextRevision, 2n);
    const read = await collect(store.readStream(stream));
    t.equal(read.length, 3);
    read.forEach((e, i) => {
      const sent = batch[i]!;
      t.equal(e.id, sent.id);
      t.equal(e.type, sent.type);
      t.equal(e.schemaVersion, sent.schemaVersion);
      t.same(e.data, sent.data);
      const { recordedAt, ...callerMeta } = e.metadata;
      t.same(callerMeta, sent.metadata, 'the caller metadata comes back unchanged');
      t.ok(Date.parse(recordedAt) >= before - 1000 && Date.parse(recordedAt) <= Date.now() + 1000, 'recordedAt');
      t.equal(e.stream, stream);
      // PostgreSQL: one position per event; EventStoreDB: the events of one append share a commit position
      if (i > 0) t.ok(e.position >= read[i - 1]!.position, 'positions never decrease within the batch');
    });
    t.equal(read[2]!.position, r.position, 'append returns the position of its last event');
    checkChain(t, read, 'one batch');
  });

  t.test('optimistic concurrency: typed error with the actual revision, nothing of the batch written', async (t) => {
    const store = await makeStore(t);
    const stream = uniqueStream();
    await store.append(stream, events(3), { expectedRevision: 'no_stream' });

    // exact revision, wrong
    const rejected = events(2, 10);
    const e1 = await rejectsWith(store.append(stream, rejected, { expectedRevision: 0n }), WrongExpectedRevisionError);
    t.equal(e1.actual, 2n);
    t.equal(e1.expected, 0n);
    t.equal(e1.stream, stream);
    // no_stream on an existing stream
    const e2 = await rejectsWith(
      store.append(stream, rejected, { expectedRevision: 'no_stream' }),
      WrongExpectedRevisionError,
    );
    t.equal(e2.actual, 2n);
    t.equal(e2.expected, 'no_stream');
    // exact revision on a missing stream
    const missing = uniqueStream();
    const e3 = await rejectsWith(
      store.append(missing, events(1), { expectedRevision: 0n }),
      WrongExpectedRevisionError,
    );
    t.equal(e3.actual, -1n, 'a missing stream has revision -1');
    t.same(await collect(store.readStream(missing)), [], 'nothing written to the missing stream');

    t.equal((await collect(store.readStream(stream))).length, 3, 'nothing of the refused batch was written');
    // the refused ids were not recorded: they append as new events at the right revision
    const r = await store.append(stream, rejected, { expectedRevision: 2n });
    t.equal(r.nextRevision, 4n);
    const read = await collect(store.readStream(stream));
    t.same(
      read.slice(3).map((e) => e.id),
      rejected.map((e) => e.id),
    );
    checkChain(t, read, 'after a refused batch');

    // 'any' appends whatever the revision, to existing and missing streams
    t.equal((await store.append(stream, events(1, 20), { expectedRevision: 'any' })).nextRevision, 5n);
    const fresh = uniqueStream();
    t.equal((await store.append(fresh, events(2, 30), { expectedRevision: 'any' })).nextRevision, 1n);
    checkChain(t, await collect(store.readStream(stream)), "after 'any'");

    // two writers with the same expected revision: exactly one wins
    const results = await Promise.allSettled([
      store.append(stream, events(1, 40), { expectedRevision: 5n }),
      store.append(stream, events(1, 41), { expectedRevision: 5n }),
    ]);
    t.equal(results.filter((x) => x.status === 'fulfilled').length, 1, 'one writer wins');
    const lost = results.find((x) => x.status === 'rejected');
    t.ok(lost && lost.reason instanceof WrongExpectedRevisionError, 'the other gets WrongExpectedRevisionError');
    t.equal((lost?.reason as WrongExpectedRevisionError).actual, 6n);
    checkChain(t, await collect(store.readStream(stream)), 'after a race');
  });

  t.test('idempotent retries return the original result and write nothing twice', async (t) => {
    const store = await makeStore(t);
    const stream = uniqueStream();
    const first = events(2);
    const r1 = await store.append(stream, first, { expectedRevision: 'no_stream' });
    t.same(await store.append(stream, first, { expectedRevision: 'no_stream' }), r1, 'retry with no_stream');

    const second = events(1, 2);
    const r2 = await store.append(stream, second, { expectedRevision: 1n });
    t.same(await store.append(stream, second, { expectedRevision: 1n }), r2, 'retry with an exact revision');
    t.same(await store.append(stream, first, { expectedRevision: 'no_stream' }), r1, 'a late retry of the first batch');

    const third = events(1, 3);
    const r3 = await store.append(stream, third, { expectedRevision: 'any' });
    t.same(await store.append(stream, third, { expectedRevision: 'any' }), r3, "retry with 'any'");

    const read = await collect(store.readStream(stream));
    t.same(
      read.map((e) => e.id),
      [...first, ...second, ...third].map((e) => e.id),
      'every event once',
    );

    // the same id with other content is refused, and nothing is written
    const changed = { ...second[0]!, data: { n: 999 } };
    const c1 = await rejectsWith(store.append(stream, [changed], { expectedRevision: 1n }), EventIdConflictError);
    t.equal(c1.eventId, changed.id);
    const otherMeta = { ...first[1]!, metadata: { ...first[1]!.metadata, requestId: 'another' } };
    const c2 = await rejectsWith(
      store.append(stream, [first[0]!, otherMeta], { expectedRevision: 'no_stream' }),
      EventIdConflictError,
    );
    t.ok([first[0]!.id, first[1]!.id].includes(c2.eventId));
    t.equal((await collect(store.readStream(stream))).length, 4, 'nothing written by refused retries');
  });

  t.test('an id reused at the revision it was written after is a retry or a clash, never a second write', async (t) => {
    const store = await makeStore(t);
    // the stream has not moved past the expected revision: the head is the event itself
    const stream = uniqueStream();
    const [a] = events(1);
    const r1 = await store.append(stream, [a!], { expectedRevision: 'no_stream' });
    t.same(await store.append(stream, [a!], { expectedRevision: 0n }), r1, 'the same event: the original result');
    t.equal((await collect(store.readStream(stream))).length, 1, 'written once');
    const c = await rejectsWith(
      store.append(stream, [{ ...a!, data: { other: true } }], { expectedRevision: 0n }),
      EventIdConflictError,
    );
    t.equal(c.eventId, a!.id, 'names the reused id');
    t.same(
      (await collect(store.readStream(stream))).map((e) => e.id),
      [a!.id],
      'nothing written by the clash',
    );

    // a batch, retried at the revision of its own last event
    const other = uniqueStream();
    const batch = events(2, 10);
    const r2 = await store.append(other, batch, { expectedRevision: 'no_stream' });
    t.same(await store.append(other, batch, { expectedRevision: 1n }), r2, 'the same batch: the original result');
    t.same(
      (await collect(store.readStream(other))).map((e) => e.id),
      batch.map((e) => e.id),
      'the batch written once',
    );
  });

  t.test(
    'an event id is a UUID in any spelling; it comes back in lowercase, and a retry spelt otherwise is the same retry',
    async (t) => {
      const store = await makeStore(t);
      const stream = uniqueStream();
      const [a, b] = events(2);
      const upper = [
        { ...a!, id: a!.id.toUpperCase() },
        { ...b!, id: `{${b!.id.replace(/-/g, '')}}` },
      ];
      const r1 = await store.append(stream, upper, { expectedRevision: 'no_stream' });
      t.same(
        (await collect(store.readStream(stream))).map((e) => e.id),
        [a!.id, b!.id],
        'recorded as lowercase 8-4-4-4-12',
      );
      t.same(await store.append(stream, [a!, b!], { expectedRevision: 'no_stream' }), r1, 'the lowercase retry');
      t.same(await store.append(stream, upper, { expectedRevision: 'no_stream' }), r1, 'the same spelling again');
      t.equal((await collect(store.readStream(stream))).length, 2, 'written once');
      await rejectsWith(
        store.append(uniqueStream(), [{ ...a!, id: 'not-a-uuid' }], { expectedRevision: 'no_stream' }),
        InvalidEventError,
      );
    },
  );

  t.test('a batch is atomic: all events or none, contiguous in its stream', async (t) => {
    const store = await makeStore(t);
    const stream = uniqueStream();
    await store.append(stream, events(1), { expectedRevision: 'no_stream' });
    const bad = events(3, 1);
    bad[1] = { ...bad[1]!, data: { text: 'a\u0000b' } };
    await rejectsWith(store.append(stream, bad, { expectedRevision: 0n }), InvalidEventError);
    t.equal((await collect(store.readStream(stream))).length, 1, 'an invalid event refuses the whole batch');
    // lone UTF-16 surrogates are not Unicode text: refused with the path, whole batch, both backends
    for (const text of ['\ud800', 'x\udfff', '\uffff\ud800y']) {
      const lone = events(2, 50);
      lone[1] = { ...lone[1]!, data: { nested: [{ text }] } };
      const err = await store.append(stream, lone, { expectedRevision: 0n }).then(
        () => undefined,
        (e: unknown) => e,
      );
      t.ok(err instanceof InvalidEventError, `refused: ${JSON.stringify(text)}`);
      t.match((err as Error).message, /lone UTF-16 surrogate.*\$\.nested\[0\]\.text/);
    }
    t.equal((await collect(store.readStream(stream))).length, 1, 'nothing written for lone surrogates');
    // while a proper surrogate pair (an emoji) is stored and read back intact
    const emoji = events(1, 60);
    emoji[0] = { ...emoji[0]!, data: { text: 'usine 🏭 \ud83d\ude00' } };
    await store.append(stream, emoji, { expectedRevision: 0n });
    const back = await collect(store.readStream(stream));
    t.equal((back[1]!.data as { text: string }).text, 'usine 🏭 😀');

    // concurrent 10-event batches into one stream never interleave
    const writers = 4;
    const batches = Array.from({ length: writers }, (_, w) =>
      Array.from({ length: 4 }, (_, b) => events(10, 1000 * w + 10 * b)),
    );
    await Promise.all(
      batches.map(async (mine) => {
        for (const b of mine) await store.append(stream, b, { expectedRevision: 'any' });
      }),
    );
    const read = await collect(store.readStream(stream));
    t.equal(read.length, 2 + writers * 4 * 10);
    const ids = read.slice(2).map((e) => e.id);
    const starts = new Map(batches.flat().map((b) => [b[0]!.id, b.map((e) => e.id)]));
    let i = 0;
    let contiguous = 0;
    while (i < ids.length) {
      const b = starts.get(ids[i]!);
      if (!b) break;
      if (ids.slice(i, i + b.length).join() !== b.join()) break;
      contiguous++;
      i += b.length;
    }
    t.equal(contiguous, writers * 4, 'every batch is contiguous and in order');
    checkChain(t, read, 'concurrent batches');
  });

  t.test('readStream: from, to, backwards, maxCount', async (t) => {
    const store = await makeStore(t);
    const stream = uniqueStream();
    await store.append(stream, events(10), { expectedRevision: 'no_stream' });
    const revs = async (o: Parameters<EventStore['readStream']>[1]) =>
      (await collect(store.readStream(stream, o))).map((e) => Number(e.revision));
    t.same(await revs({}), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    t.same(await revs({ from: 3n }), [3, 4, 5, 6, 7, 8, 9]);
    t.same(await revs({ from: 3n, to: 5n }), [3, 4, 5]);
    t.same(await revs({ maxCount: 4 }), [0, 1, 2, 3]);
    t.same(await revs({ from: 8n, maxCount: 5 }), [8, 9]);
    t.same(await revs({ direction: 'backwards' }), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    t.same(await revs({ direction: 'backwards', maxCount: 2 }), [9, 8]);
    t.same(await revs({ direction: 'backwards', from: 7n, maxCount: 3 }), [7, 6, 5]);
    t.same(await revs({ direction: 'backwards', from: 7n, to: 5n }), [7, 6, 5]);
    t.same(await revs({ from: 10n }), [], 'past the end');
    t.same(await collect(store.readStream(uniqueStream())), [], 'a missing stream reads empty');
  });

  t.test('readAll: one commit order, resumable from any checkpoint', async (t) => {
    const store = await makeStore(t);
    const start = await store.headCheckpoint();
    const streams = [uniqueStream('a'), uniqueStream('b'), uniqueStream('c')];
    const written: string[] = [];
    const results: { position: bigint; lastId: string }[] = [];
    for (let i = 0; i < 12; i++) {
      const s = streams[i % 3]!;
      const batch = events(1 + (i % 2), i * 10);
      const r = await store.append(s, batch, { expectedRevision: 'any' });
      written.push(...batch.map((e) => e.id));
      results.push({ position: r.position, lastId: batch[batch.length - 1]!.id });
    }
    const own = new Set(streams);
    const all = await readOwn(store, start, own);
    t.same(
      all.map((e) => e.id),
      written,
      'sequential appends come back in append order',
    );
    for (let i = 1; i < all.length; i++) {
      t.ok(store.compareCheckpoints(all[i - 1]!.checkpoint, all[i]!.checkpoint) < 0, `checkpoint ${i} grows`);
      t.ok(all[i - 1]!.position <= all[i]!.position, `position ${i} never decreases`);
    }
    t.equal(store.compareCheckpoints(all[3]!.checkpoint, all[3]!.checkpoint), 0);
    t.same(
      (await readOwn(store, start, own, 2)).map((e) => e.id),
      written,
      'small batches read the same order',
    );
    t.same(
      (await readOwn(store, all[6]!.checkpoint, own)).map((e) => e.id),
      written.slice(7),
      'resuming after a checkpoint gives exactly the events after it',
    );
    for (const r of results) {
      const e = all.find((x) => x.id === r.lastId)!;
      t.equal(e.position, r.position, 'append position = recorded position');
      t.equal(await store.checkpointOfPosition(r.position), e.checkpoint, 'checkpointOfPosition');
    }
    const head = await store.headCheckpoint();
    t.ok(head !== undefined && store.compareCheckpoints(head, all[all.length - 1]!.checkpoint) >= 0, 'head');
    // per-stream chains are independent of interleaving
    for (const s of streams) checkChain(t, await collect(store.readStream(s)), s);
    const v = await verifyChains(store, { stream: streams[1]! });
    t.equal(v.ok, true, 'the verifier accepts an untouched stream');
    t.equal(v.eventsChecked, (await collect(store.readStream(streams[1]!))).length);
  });

  t.test('the Merkle tree over readAll: a prefix keeps its root as the log grows, resumed or not', async (t) => {
    // what src/audit/tree.ts needs of a backend (docs/adr/0008-merkle-log.md): one order that never
    // changes below the head, and a resume point after each event that continues exactly there
    const store = await makeStore(t);
    const start = await store.headCheckpoint();
    const root = async (after: string | undefined, n: number, legs: number[] = []) => {
      const f = new Frontier();
      let cursor = after;
      for (const leg of [...legs, n - legs.reduce((a, b) => a + b, 0)]) {
        let taken = 0;
        for await (const e of store.readAll({ after: cursor, batchSize: 3 })) {
          if (taken === leg) break;
          f.push(leafHash(Buffer.from(e.hash, 'hex')));
          cursor = e.checkpoint;
          taken++;
        }
        if (taken < leg) return undefined;
      }
      return f.root().toString('hex');
    };
    const s1 = uniqueStream('m');
    const s2 = uniqueStream('m');
    await store.append(s1, events(3), { expectedRevision: 'no_stream' });
    await store.append(s2, events(2, 10), { expectedRevision: 'no_stream' });
    const before = await root(start, 5);
    t.ok(before, 'five leaves after the start');
    await store.append(s1, events(4, 20), { expectedRevision: 2n });
    t.equal(await root(start, 5), before, 'the first five leaves keep their root after more appends');
    t.equal(await root(start, 5, [2]), before, 'resumed after leaf 2: the same root');
    t.equal(await root(start, 9, [1, 3, 4]), await root(start, 9), 'resumed three times: the same root');
  });

  t.test('subscribe catches up, then follows live appends; stop() ends it cleanly', async (t) => {
    const store = await makeStore(t);
    const start = await store.headCheckpoint();
    const stream = uniqueStream();
    const early = events(5);
    await store.append(stream, early, { expectedRevision: 'no_stream' });
    const sub = store.subscribe({ after: start, batchSize: 2 });
    const got: RecordedEvent[] = [];
    const late = events(3, 100);
    let caughtUp!: () => void;
    const caughtUpP = new Promise<void>((r) => (caughtUp = r));
    const consumer = (async () => {
      for await (const e of sub) {
        if (e.stream !== stream) continue;
        got.push(e);
        if (got.length === early.length) caughtUp();
        if (got.length === early.length + late.length) break;
      }
    })();
    await withTimeout(caughtUpP, 10_000, 'catch-up');
    await store.append(stream, late.slice(0, 1), { expectedRevision: 4n });
    await store.append(stream, late.slice(1), { expectedRevision: 5n });
    await withTimeout(consumer, 10_000, 'live events');
    await sub.stop();
    t.same(
      got.map((e) => e.id),
      [...early, ...late].map((e) => e.id),
      'every event once, in order',
    );
    t.same(
      got.map((e) => e.checkpoint),
      (await readOwn(store, start, new Set([stream]))).map((e) => e.checkpoint),
      'the same checkpoints as readAll',
    );

    // stop() while the consumer waits for a live event ends the iteration
    const idle = store.subscribe({ after: await store.headCheckpoint() });
    const idleRun = (async () => {
      let n = 0;
      for await (const e of idle) if (e.stream === stream) n++;
      return n;
    })();
    await new Promise((r) => setTimeout(r, 300));
    await idle.stop();
    t.equal(await withTimeout(idleRun, 5000, 'stop()'), 0, 'the waiting iteration ends after stop()');

    // stop() before iterating: the iteration yields nothing of ours and ends
    const never = store.subscribe({ after: start });
    await never.stop();
    t.same(
      (await withTimeout(collect(never), 5000, 'stopped before use')).filter((e) => e.stream === stream),
      [],
    );
  });
}
