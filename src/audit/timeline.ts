import type pg from 'pg';
import { loadAggregate, type Dependencies } from '../application/commandHandler.ts';
import type { EventRegistry } from '../domain/registry.ts';
import { territoryDecider } from '../domain/territory/index.ts';
import type { Territory, TerritoryEvent } from '../domain/territory/territory.ts';
import { territoryStream } from '../eventstore/streams.ts';
import type { RecordedEvent } from '../eventstore/types.ts';

/**
 * The auditors' reads straight from the event log (not from the projections): a territory's
 * timeline and its state folded as of a business date.
 *
 * Which streams belong to a territory: its own stream, and every stream one of whose events names
 * it in `data.territoryId` (contracts and projects carry it in every event). This reads
 * PostgreSQL's `es.events` directly; the EventStoreDB backend has no such query.
 */
export interface TimelineEntry {
  position: string;
  stream: string;
  revision: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  occurredOn: string;
  recordedAt: string;
  actor: { sub: string; name: string; roles: string[] };
  summary: string;
  hash: string;
  prevHash: string;
  data: Record<string, unknown>;
}

interface Row {
  position: string;
  stream_name: string;
  revision: string;
  event_id: string;
  type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: RecordedEvent['metadata'];
  prev_hash: string;
  hash: string;
}

/** Every stream holding the territory's events (its own, its contracts', its projects'). */
export async function territoryStreams(pool: pg.Pool, territoryId: string): Promise<string[]> {
  const r = await pool.query<{ stream_name: string }>(
    `select distinct stream_name from es.events
      where stream_name = $1 or data->>'territoryId' = $2
      order by stream_name`,
    [territoryStream(territoryId), territoryId],
  );
  return r.rows.map((x) => x.stream_name);
}

/** The events of those streams in full (stream, revision order): what a chain check needs. */
export async function streamEvents(pool: pg.Pool, streams: string[]): Promise<Row[]> {
  if (streams.length === 0) return [];
  const r = await pool.query<Row>(
    `select position::text as position, stream_name, revision::text as revision, event_id, type, schema_version,
            data, metadata, prev_hash, hash
       from es.events where stream_name = any($1::text[])
      order by stream_name, revision`,
    [streams],
  );
  return r.rows;
}

function summaryOf(registry: EventRegistry, type: string, data: Record<string, unknown>): string {
  try {
    return registry.has(type) ? registry.summary({ type, data }) : type;
  } catch {
    return type;
  }
}

export function toEntry(registry: EventRegistry, r: Row): TimelineEntry {
  const m = r.metadata;
  return {
    position: r.position,
    stream: r.stream_name,
    revision: Number(r.revision),
    eventId: r.event_id,
    type: r.type,
    schemaVersion: r.schema_version,
    occurredOn: m.occurredOn,
    recordedAt: m.recordedAt,
    actor: { sub: m.actor?.sub ?? '', name: m.actor?.name ?? '', roles: m.actor?.roles ?? [] },
    summary: summaryOf(registry, r.type, r.data),
    hash: r.hash,
    prevHash: r.prev_hash,
    data: r.data,
  };
}

/** Business-date order; within a day, the order of the log. */
export const byBusinessDate = (a: TimelineEntry, b: TimelineEntry) =>
  a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : Number(BigInt(a.position) - BigInt(b.position));

export async function territoryTimeline(
  deps: { pool: pg.Pool; registry: EventRegistry },
  territoryId: string,
  opts: { from?: string | undefined; to?: string | undefined } = {},
): Promise<{ streams: string[]; events: TimelineEntry[] }> {
  const streams = await territoryStreams(deps.pool, territoryId);
  const rows = await streamEvents(deps.pool, streams);
  const events = rows
    .map((r) => toEntry(deps.registry, r))
    .filter((e) => (!opts.from || e.occurredOn >= opts.from) && (!opts.to || e.occurredOn <= opts.to))
    .sort(byBusinessDate);
  return { streams, events };
}

/** The territory folded from its own stream, counting only events dated on or before `asOf`. */
export async function territoryAsOf(
  deps: Dependencies,
  territoryId: string,
  asOf: string | undefined,
): Promise<{ state: Territory; eventsFolded: number; lastRevision: number }> {
  const { state, events } = await loadAggregate<TerritoryEvent, Territory>(
    deps,
    territoryStream(territoryId),
    territoryDecider,
    asOf ? (r) => r.metadata.occurredOn <= asOf : undefined,
  );
  const last = events[events.length - 1];
  return { state, eventsFolded: events.length, lastRevision: last ? Number(last.revision) : -1 };
}
