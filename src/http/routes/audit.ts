import { ProgrammeQuery } from './programmes.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { territoryAsOf, territoryTimeline } from '../../audit/timeline.ts';
import { BusinessDate, notFound } from '../../domain/kernel/shared.ts';
import { TerritoryId, type Territory } from '../../domain/territoires-industrie/territory/territory.ts';
import { verifyChains } from '../../eventstore/verify.ts';
import { getTerritory, type TerritoryView } from '../../projections/territories/queries.ts';
import { authorize } from '../commands.ts';
import { Cursor, Next, nextOffset, offsetOf } from '../paging.ts';

/** The auditors' tools: timelines and as-of states read from the log, and the hash-chain check. */
const Problem = z
  .object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string().optional() })
  .loose();

const Actor = z.object({ sub: z.string(), name: z.string(), roles: z.array(z.string()) });

const TimelineEntry = z.object({
  occurredOn: z.string().describe('business date'),
  recordedAt: z.string().describe('when the event was recorded'),
  actor: Actor,
  type: z.string(),
  summary: z.string(),
  stream: z.string(),
  revision: z.number().int(),
  position: z.string(),
  eventId: z.string(),
  schemaVersion: z.number().int(),
  hash: z.string(),
  prevHash: z.string(),
  data: z.record(z.string(), z.unknown()),
});

const RebuiltTerritory = z.object({
  id: z.string(),
  programme: z.string(),
  name: z.string(),
  regionCode: z.string(),
  status: z.string(),
  labelledOn: z.string(),
  epcis: z.array(
    z.object({
      siren: z.string(),
      name: z.string(),
      nature: z.string().optional(),
      synthetic: z.boolean().optional().describe('invented for the demo history'),
    }),
  ),
  coLeads: z.object({ industrial: z.string(), elected: z.string(), appointedOn: z.string() }).nullable(),
});

const VerifyResult = z.object({
  ok: z.boolean(),
  eventsChecked: z.number().int(),
  streamsChecked: z.number().int(),
  firstBroken: z
    .object({
      stream: z.string(),
      revision: z.number().int(),
      position: z.string().nullable(),
      eventId: z.string().nullable(),
      reason: z.string(),
    })
    .nullable(),
});

export function rebuiltView(state: Territory): z.infer<typeof RebuiltTerritory> | null {
  if (state.status === 'Unknown') return null;
  return {
    id: state.id,
    programme: state.programme,
    name: state.name,
    regionCode: state.regionCode,
    status: state.status.toLowerCase(),
    labelledOn: state.labelledOn,
    // the declared fields only (an event may carry more, e.g. `synthetic` on the demo's EPCIs)
    epcis: [...state.epcis]
      .sort((a, b) => a.siren.localeCompare(b.siren))
      .map((e) => ({
        siren: e.siren,
        name: e.name,
        ...(e.nature !== undefined ? { nature: e.nature } : {}),
        ...(e.synthetic ? { synthetic: true } : {}),
      })),
    coLeads: state.coLeads
      ? {
          industrial: state.coLeads.industrial.name,
          elected: state.coLeads.elected.name,
          appointedOn: state.coLeads.appointedOn,
        }
      : null,
  };
}

/** Where the read model and the fold of the stream disagree (empty: they agree). */
export function differences(
  rebuilt: z.infer<typeof RebuiltTerritory> | null,
  read: TerritoryView | undefined,
): string[] {
  if (!rebuilt && !read) return [];
  if (!rebuilt) return ['the read model holds the territory, the event stream does not (as of that date)'];
  if (!read) return ['the event stream holds the territory, the read model does not (as of that date)'];
  const out: string[] = [];
  const cmp = (field: string, a: unknown, b: unknown) => {
    if (a !== b) out.push(`${field}: stream ${JSON.stringify(a)}, read model ${JSON.stringify(b)}`);
  };
  cmp('name', rebuilt.name, read.name);
  cmp('regionCode', rebuilt.regionCode, read.regionCode);
  cmp('programme', rebuilt.programme, read.programme);
  cmp('status', rebuilt.status, read.status);
  cmp('labelledOn', rebuilt.labelledOn, read.labelledOn);
  cmp(
    'epcis',
    rebuilt.epcis.map((e) => e.siren).join(' '),
    read.epcis
      .map((e) => e.siren)
      .sort()
      .join(' '),
  );
  return out;
}

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = app.deps;
  const security = [{ bearer: [] }];

  app.get(
    '/audit/territories/:id/timeline',
    {
      schema: {
        tags: ['audit'],
        summary: "A territory's events and those of its contracts and projects, in business-date order",
        description:
          'Read from the event log itself (not the projections): actor, business date, recorded time and hash of every event. Auditors and programme administrators. ' +
          'Paged with `limit` and `cursor` (the `next` of the previous page); without `limit` every event comes in one page, as before; `count` counts them all.',
        security,
        params: z.strictObject({ id: TerritoryId }),
        querystring: z.strictObject({
          from: BusinessDate.optional(),
          to: BusinessDate.optional(),
          programme: ProgrammeQuery,
          limit: z.coerce
            .number()
            .int()
            .min(1)
            .max(1000)
            .optional()
            .describe('events per page (default: all of them in one page)'),
          cursor: Cursor,
        }),
        response: {
          200: z.object({
            territoryId: z.string(),
            streams: z.array(z.string()),
            count: z.number().int().describe('the events matched, on every page'),
            events: z.array(TimelineEntry),
            next: Next,
          }),
          401: Problem,
          403: Problem,
          404: Problem,
        },
      },
    },
    async (req) => {
      await authorize(req, deps, 'auditor', 'programme_admin');
      const { streams, events } = await territoryTimeline(deps, req.params.id, req.query);
      if (streams.length === 0) throw notFound(`no event names territory ${req.params.id}`);
      const offset = offsetOf(req.query);
      const page = events.slice(offset, req.query.limit === undefined ? undefined : offset + req.query.limit);
      const next = nextOffset(offset, page.length, events.length);
      return { territoryId: req.params.id, streams, count: events.length, events: page, next };
    },
  );

  app.get(
    '/audit/territories/:id',
    {
      schema: {
        tags: ['audit'],
        summary: 'A territory rebuilt from its event stream as of a business date, checked against the read model',
        security,
        params: z.strictObject({ id: TerritoryId }),
        querystring: z.strictObject({ asOf: BusinessDate.optional(), programme: ProgrammeQuery }),
        response: {
          200: z.object({
            territoryId: z.string(),
            asOf: z.string().nullable(),
            rebuilt: RebuiltTerritory.nullable(),
            eventsFolded: z.number().int(),
            lastRevision: z.number().int(),
            matchesReadModel: z.boolean(),
            differences: z.array(z.string()),
          }),
          401: Problem,
          403: Problem,
          404: Problem,
        },
      },
    },
    async (req) => {
      await authorize(req, deps, 'auditor', 'programme_admin');
      const { id } = req.params;
      const { asOf, programme = 'territoires-industrie-2018' } = req.query;
      const [folded, read] = await Promise.all([
        territoryAsOf(deps, id, asOf, programme),
        getTerritory(deps.db, id, asOf, programme),
      ]);
      const rebuilt = rebuiltView(folded.state);
      if (!rebuilt && !read) throw notFound(`territory ${id} ${asOf ? `did not exist on ${asOf}` : 'does not exist'}`);
      const diff = differences(rebuilt, read);
      return {
        territoryId: id,
        asOf: asOf ?? null,
        rebuilt,
        eventsFolded: folded.eventsFolded,
        lastRevision: folded.lastRevision,
        matchesReadModel: diff.length === 0,
        differences: diff,
      };
    },
  );

  app.get(
    '/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: 'Recomputes the hash chains of the whole log (or one stream) and names the first broken link',
        security,
        querystring: z.strictObject({ stream: z.string().min(1).max(500).optional() }),
        response: { 200: VerifyResult, 401: Problem, 403: Problem },
      },
    },
    async (req) => {
      await authorize(req, deps, 'auditor', 'programme_admin');
      const r = await verifyChains(deps.store, req.query.stream ? { stream: req.query.stream } : {});
      return {
        ok: r.ok,
        eventsChecked: r.eventsChecked,
        streamsChecked: r.streamsChecked,
        firstBroken: r.firstBroken
          ? {
              stream: r.firstBroken.stream,
              revision: Number(r.firstBroken.revision),
              position: r.firstBroken.position?.toString() ?? null,
              eventId: r.firstBroken.eventId,
              reason: r.firstBroken.reason,
            }
          : null,
      };
    },
  );
};
