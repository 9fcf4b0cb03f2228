import type { Dependencies } from '../application/commandHandler.ts';
import { categoryOf, idOf, territoryStream } from '../eventstore/streams.ts';
import { mayActFor } from '../domain/kernel/regions.ts';
import type { RecordedEvent, Subscription } from '../eventstore/types.ts';

/**
 * The change feed for downstream systems: the events of the global log, in log order, as
 * notifications (what happened, where, when, and the link to read the resource), filtered by the
 * reader's rights. A reader resumes after the `cursor` of the last event it received (the store's
 * checkpoint: on PostgreSQL log order is (transaction id, position), so the bare position is not a
 * resume point; on EventStoreDB several events of one append share a commit position).
 *
 * Who sees what (docs in README, "The change feed"):
 * - auditor, programme_admin: every event, with its actor (who did it);
 * - reporter: every event, without actor (reports read every resource anyway);
 * - regional_validator: the events of the territories of its Regions (and of their contracts and
 *   projects), without actor;
 * - territory_lead: the events of its territories (and of their contracts and projects), without actor.
 * A token with several roles sees the union.
 */
export interface FeedEvent {
  cursor: string;
  position: string;
  stream: string;
  revision: number;
  type: string;
  occurredOn: string;
  recordedAt: string;
  territoryId: string | null;
  regionCode: string | null;
  href: string | null;
  summary: string | null;
  actor?: { sub: string; name: string } | null;
}

export interface Reader {
  roles: readonly string[];
  regions: readonly string[];
  territories: readonly string[];
}

const RESOURCE: Record<string, string> = {
  territory: 'territories',
  contract: 'contracts',
  project: 'projects',
  programme: 'programmes',
  application: 'applications',
};

export class Feed {
  /** A territory's Region never changes after its labelling: remembered once read from its stream. */
  private readonly regions = new Map<string, string | null>();

  constructor(private readonly deps: Dependencies) {}

  private async regionOf(territory: string, e: RecordedEvent): Promise<string | null> {
    const known = this.regions.get(territory);
    if (known !== undefined) return known;
    // the Region is in the territory's first event, its labelling
    let first: RecordedEvent | undefined = e.type === 'TerritoryLabelled' && e.revision === 0n ? e : undefined;
    if (!first) for await (const x of this.deps.store.readStream(territory, { maxCount: 1 })) first = x;
    // no such territory (yet): the event's own regionCode if it has one, asked again next time
    if (!first) return typeof e.data.regionCode === 'string' ? e.data.regionCode : null;
    const region =
      first.type === 'TerritoryLabelled' && typeof first.data.regionCode === 'string' ? first.data.regionCode : null;
    if (this.regions.size >= 100_000) this.regions.clear();
    this.regions.set(territory, region);
    return region;
  }

  /** The event as this reader may see it, or undefined when it is not theirs. */
  async view(e: RecordedEvent, reader: Reader): Promise<FeedEvent | undefined> {
    const all = reader.roles.some((r) => r === 'auditor' || r === 'programme_admin' || r === 'reporter');
    const category = categoryOf(e.stream);
    // a territory of another programme than phase 1 is `territory-<id>@<programme>` (ADR 0007);
    // contracts and projects belong to phase 1
    const [streamId, streamProgramme] = idOf(e.stream).split('@') as [string, string | undefined];
    const territoryId =
      category === 'territory' ? streamId : typeof e.data.territoryId === 'string' ? e.data.territoryId : null;
    const territory = category === 'territory' ? e.stream : territoryId ? territoryStream(territoryId) : null;
    // a Region's NFI priorities carry their Region of 2013 (ADR 0012)
    const nfiRegion = category === 'priorities' && typeof e.data.regionCode === 'string' ? e.data.regionCode : null;
    const regionCode = territory ? await this.regionOf(territory, e) : nfiRegion;
    if (!all) {
      const lead =
        reader.roles.includes('territory_lead') && territoryId !== null && reader.territories.includes(territoryId);
      const regional =
        reader.roles.includes('regional_validator') && regionCode !== null && reader.regions.includes(regionCode);
      // a Region's officers see its NFI record, and its predecessors' (Grand Est sees Lorraine's)
      const officer =
        reader.roles.includes('regional_officer') && nfiRegion !== null && mayActFor(reader.regions, nfiRegion);
      if (!lead && !regional && !officer) return undefined;
    }
    const resource = RESOURCE[category];
    const nfiHref =
      category === 'priorities' && nfiRegion
        ? `/regions/${nfiRegion}/priorities`
        : category === 'plans'
          ? typeof e.data.planId === 'string'
            ? `/plans/${encodeURIComponent(e.data.planId)}`
            : '/plans'
          : null;
    let summary: string | null;
    try {
      const spec = this.deps.registry.spec(e.type);
      const domain = this.deps.registry.upcast(e.type, e.schemaVersion, e.data) as { data: Record<string, unknown> };
      summary = spec.summary?.(domain.data) ?? null;
    } catch {
      summary = null; // a type this code does not know (written by a newer version): still delivered
    }
    const seesActor = reader.roles.some((r) => r === 'auditor' || r === 'programme_admin');
    const actor = e.metadata.actor as { sub?: unknown; name?: unknown } | undefined;
    return {
      cursor: e.checkpoint,
      position: e.position.toString(),
      stream: e.stream,
      revision: Number(e.revision),
      type: e.type,
      occurredOn: e.metadata.occurredOn,
      recordedAt: e.metadata.recordedAt,
      territoryId,
      regionCode,
      href: resource
        ? `/${resource}/${encodeURIComponent(streamId)}` +
          (streamProgramme ? `?programme=${encodeURIComponent(streamProgramme)}` : '')
        : nfiHref,
      summary,
      ...(seesActor
        ? { actor: actor && typeof actor.sub === 'string' ? { sub: actor.sub, name: String(actor.name) } : null }
        : {}),
    };
  }

  /**
   * One page: the reader's events after `after`, at most `limit`, looking at most `scan` events of
   * the log. `next` is where to continue (the last event looked at, theirs or not), so a reader
   * who sees few events still moves on.
   */
  async page(
    reader: Reader,
    after: string | undefined,
    limit: number,
    scan = Math.max(1000, limit * 10),
  ): Promise<{ events: FeedEvent[]; next: string | undefined; scanned: number }> {
    const events: FeedEvent[] = [];
    let next = after;
    let scanned = 0;
    for await (const e of this.deps.store.readAll({ after, batchSize: Math.min(1000, scan) })) {
      scanned++;
      next = e.checkpoint;
      const v = await this.view(e, reader);
      if (v) events.push(v);
      if (events.length >= limit || scanned >= scan) break;
    }
    return { events, next, scanned };
  }

  /** The live subscription after `after`, as the reader's events (ends when `stop()` is called). */
  subscribe(reader: Reader, after: string | undefined): { events: AsyncIterable<FeedEvent>; stop(): Promise<void> } {
    const sub: Subscription = this.deps.store.subscribe({ after, batchSize: 500 });
    const self = this;
    async function* run(): AsyncGenerator<FeedEvent> {
      for await (const e of sub) {
        const v = await self.view(e, reader);
        if (v) yield v;
      }
    }
    return { events: run(), stop: () => sub.stop() };
  }

  /**
   * Long-poll: the first page after `after`; when it is empty, waits (at most `waitMs`) for the
   * reader's next events, then answers with what has arrived.
   */
  async poll(
    reader: Reader,
    after: string | undefined,
    limit: number,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<{ events: FeedEvent[]; next: string | undefined }> {
    const scan = Math.max(1000, limit * 10);
    const first = await this.page(reader, after, limit, scan);
    // events there (or a stretch of the log the reader may not see: let them move on at once)
    if (first.events.length > 0 || first.scanned >= scan || waitMs <= 0 || signal?.aborted) return first;
    const sub = this.deps.store.subscribe({ after: first.next, batchSize: 500 });
    const it = sub[Symbol.asyncIterator]();
    const events: FeedEvent[] = [];
    let next = first.next;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), waitMs);
      signal?.addEventListener('abort', () => resolve('timeout'), { once: true });
    });
    try {
      while (events.length === 0) {
        const r = await Promise.race([it.next(), timeout]);
        if (r === 'timeout' || r.done) break;
        next = r.value.checkpoint;
        const v = await this.view(r.value, reader);
        if (v) events.push(v);
      }
    } finally {
      clearTimeout(timer);
      await sub.stop();
    }
    if (events.length === 0 || events.length >= limit) return { events, next };
    // what else is already there, up to the limit
    const more = await this.page(reader, next, limit - events.length);
    return { events: [...events, ...more.events], next: more.next ?? next };
  }
}
