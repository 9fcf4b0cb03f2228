import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { loadAggregate, type Dependencies } from '../application/commandHandler.ts';
import type { EventRegistry } from '../domain/registry.ts';
import { territoryDecider } from '../domain/territoires-industrie/territory/index.ts';
import type { Territory, TerritoryEvent } from '../domain/territoires-industrie/territory/territory.ts';
import {
  TERRITORIES_DEFAULT_PROGRAMME,
  contractStream,
  projectStream,
  territoryStream,
} from '../eventstore/streams.ts';
import { territoryStreamFor } from '../application/territories.ts';
import type { EventStore, RecordedEvent } from '../eventstore/types.ts';

/**
 * The auditors' reads straight from the event log (not from the projections): a territory's
 * timeline and its state folded as of a business date.
 *
 * Which streams belong to a territory: its own stream, and the streams of the contracts and
 * projects the read models attach to it (contracts and projects carry `territoryId` in every
 * event). The events themselves come from the event store, whichever backend runs.
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

/**
 * Every stream holding the territory's events (its own, its contracts', its projects'). Contracts
 * and projects name a territory by id and belong to the one in `territory-<id>` (docs/adr/0007).
 */
export async function territoryStreams(
  db: Kysely<Database>,
  territoryId: string,
  programme: string = TERRITORIES_DEFAULT_PROGRAMME,
): Promise<string[]> {
  const known = await db
    .selectFrom('read.territory_streams')
    .select('stream')
    .where('programme', '=', programme)
    .where('territory_id', '=', territoryId)
    .executeTakeFirst();
  const own = known?.stream ?? territoryStream(territoryId, programme);
  if (own !== territoryStream(territoryId)) return [own];
  const [contracts, projects] = await Promise.all([
    db.selectFrom('read.contracts').select('contract_id').distinct().where('territory_id', '=', territoryId).execute(),
    db.selectFrom('read.projects').select('project_id').distinct().where('territory_id', '=', territoryId).execute(),
  ]);
  return [
    own,
    ...contracts.map((c) => contractStream(c.contract_id)),
    ...projects.map((p) => projectStream(p.project_id)),
  ].sort();
}

/** The events of those streams in full (stream, revision order): what a chain check needs. */
export async function streamEvents(store: EventStore, streams: string[]): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (const stream of streams) for await (const e of store.readStream(stream)) events.push(e);
  return events;
}

function summaryOf(registry: EventRegistry, type: string, data: Record<string, unknown>): string {
  try {
    return registry.has(type) ? registry.summary({ type, data }) : type;
  } catch {
    return type;
  }
}

export function toEntry(registry: EventRegistry, e: RecordedEvent): TimelineEntry {
  const m = e.metadata;
  return {
    position: e.position.toString(),
    stream: e.stream,
    revision: Number(e.revision),
    eventId: e.id,
    type: e.type,
    schemaVersion: e.schemaVersion,
    occurredOn: m.occurredOn,
    recordedAt: m.recordedAt,
    actor: { sub: m.actor?.sub ?? '', name: m.actor?.name ?? '', roles: m.actor?.roles ?? [] },
    summary: summaryOf(registry, e.type, e.data),
    hash: e.hash,
    prevHash: e.prevHash,
    data: e.data,
  };
}

/** Business-date order; within a day, the order of the log. */
export const byBusinessDate = (a: TimelineEntry, b: TimelineEntry) =>
  a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : Number(BigInt(a.position) - BigInt(b.position));

export async function territoryTimeline(
  deps: { db: Kysely<Database>; store: EventStore; registry: EventRegistry },
  territoryId: string,
  opts: { from?: string | undefined; to?: string | undefined; programme?: string | undefined } = {},
): Promise<{ streams: string[]; events: TimelineEntry[] }> {
  const rows = await streamEvents(deps.store, await territoryStreams(deps.db, territoryId, opts.programme));
  const streams = [...new Set(rows.map((r) => r.stream))];
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
  programme: string = TERRITORIES_DEFAULT_PROGRAMME,
): Promise<{ state: Territory; eventsFolded: number; lastRevision: number }> {
  const { state, events } = await loadAggregate<TerritoryEvent, Territory>(
    deps,
    await territoryStreamFor(deps, programme, territoryId),
    territoryDecider,
    asOf ? (r) => r.metadata.occurredOn <= asOf : undefined,
  );
  const last = events[events.length - 1];
  return { state, eventsFolded: events.length, lastRevision: last ? Number(last.revision) : -1 };
}
