import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Axis, BusinessDate, RegionCode } from '../../domain/kernel/shared.ts';
import { listAuditEvents, listContracts, listProjects } from '../../projections/queries.ts';
import type { AppDeps } from '../app.ts';
import { guard } from '../auth.ts';
import { HttpError } from '../problem.ts';
import { Cursor, DeprecatedOffset, Next, afterOf, nextAfterCursor, nextOffset, offsetOf } from '../paging.ts';

/**
 * Lists read from the projections (any authenticated role): contracts, projects, the audit
 * trail. Every read accepts `minPosition` (a position a command returned): the answer waits, at
 * most MIN_POSITION_WAIT_MS, until the projections have applied it; otherwise 503 + Retry-After.
 */
export const MIN_POSITION_WAIT_MS = 5000;

export const MinPosition = z
  .string()
  .regex(/^\d{1,19}$/, 'must be a log position (digits)')
  .optional()
  .describe('wait (at most 5 s) until the projections have applied this log position (read your writes)');

export const Problem = z
  .object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string().optional() })
  .loose();

const Paging = {
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: Cursor,
  offset: DeprecatedOffset(1_000_000),
};

/** A list page: the items, `total`, `next` (README "Pagination"), and the deprecated `limit`/`offset` echo. */
const ListPage = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    next: Next,
    limit: z.number(),
    offset: z.number(),
  });

/** preHandler: waits for `minPosition` (bounded), 503 when the projections did not reach it. */
export function readYourWrites(deps: AppDeps) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const q = req.query as { minPosition?: string } | undefined;
    if (!q?.minPosition) return;
    const reached = await deps.runner.waitFor(BigInt(q.minPosition), MIN_POSITION_WAIT_MS);
    reply.header('x-min-position-reached', reached ? 'true' : 'false');
    if (!reached) {
      reply.header('retry-after', '1');
      throw new HttpError(503, `the projections have not reached position ${q.minPosition} yet; retry shortly`, {
        minPosition: q.minPosition,
      });
    }
  };
}

const ContractItem = z.object({
  id: z.string(),
  territoryId: z.string(),
  regionCode: z.string().nullable(),
  kind: z.string().nullable(),
  title: z.string().nullable(),
  status: z.string(),
  draftedOn: z.string().nullable(),
  submittedOn: z.string().nullable().describe('first submission'),
  validatedOn: z.string().nullable().describe('first validation by the Region'),
  changesRequestedOn: z.string().nullable(),
  rejectedOn: z.string().nullable(),
  signedOn: z.string().nullable(),
  submissions: z.number().int(),
  commitments: z.number().int().describe('commitments not withdrawn'),
  committedEur: z.number(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  position: z.string(),
});

const ProjectItem = z.object({
  id: z.string(),
  territoryId: z.string(),
  contractId: z.string().nullable(),
  regionCode: z.string().nullable(),
  axis: z.string().nullable(),
  title: z.string().nullable(),
  budgetEur: z.number().nullable(),
  status: z.string(),
  registeredOn: z.string().nullable(),
  startedOn: z.string().nullable(),
  completedOn: z.string().nullable(),
  abandonedOn: z.string().nullable(),
  fundings: z
    .number()
    .int()
    .describe(
      'DEPRECATED (kept for old clients): the number of fundings, as fundingCount; the detail names its array fundings',
    ),
  fundingCount: z.number().int().describe('fundings granted on or before the date (asOf, else all), by grant date'),
  fundingEur: z.number().describe('their sum in euros, by grant date'),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  position: z.string(),
});

const AuditItem = z.object({
  position: z.string(),
  eventId: z.string(),
  stream: z.string(),
  revision: z.number().int(),
  type: z.string(),
  schemaVersion: z.number().int(),
  actor: z.object({ sub: z.string().nullable(), name: z.string().nullable() }),
  occurredOn: z.string(),
  recordedAt: z.string(),
  correlationId: z.string().nullable(),
  causationId: z.string().nullable(),
  summary: z.string(),
  hash: z.string(),
});

const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/);

export const readRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = app.deps;
  const anyone = guard(deps.auth);
  const wait = readYourWrites(deps);

  app.get(
    '/contracts',
    {
      preParsing: anyone,
      preHandler: wait,
      schema: {
        tags: ['contracts'],
        summary: 'Contracts from the projection (current, or as they stood on a business date)',
        security: [{ bearer: [] }],
        querystring: z.strictObject({
          territoryId: Id.optional(),
          status: z.enum(['draft', 'submitted', 'changes_requested', 'validated', 'rejected', 'signed']).optional(),
          region: RegionCode.optional(),
          asOf: BusinessDate.optional(),
          minPosition: MinPosition,
          ...Paging,
        }),
        response: {
          200: ListPage(ContractItem),
          400: Problem,
          401: Problem,
          503: Problem,
        },
      },
    },
    async (req) => {
      const offset = offsetOf(req.query);
      const page = await listContracts(deps.db, { ...req.query, offset });
      return { ...page, next: nextOffset(offset, page.items.length, page.total) };
    },
  );

  app.get(
    '/projects',
    {
      preParsing: anyone,
      preHandler: wait,
      schema: {
        tags: ['projects'],
        summary: 'Projects from the projection (current, or as they stood on a business date)',
        security: [{ bearer: [] }],
        querystring: z.strictObject({
          territoryId: Id.optional(),
          axis: Axis.optional(),
          region: RegionCode.optional(),
          status: z.enum(['registered', 'started', 'completed', 'abandoned']).optional(),
          asOf: BusinessDate.optional(),
          minPosition: MinPosition,
          ...Paging,
        }),
        response: {
          200: ListPage(ProjectItem),
          400: Problem,
          401: Problem,
          503: Problem,
        },
      },
    },
    async (req) => {
      const offset = offsetOf(req.query);
      const page = await listProjects(deps.db, { ...req.query, offset });
      return { ...page, next: nextOffset(offset, page.items.length, page.total) };
    },
  );

  app.get(
    '/audit/events',
    {
      preParsing: anyone,
      preHandler: wait,
      schema: {
        tags: ['audit'],
        summary: 'The audit trail: one entry per event, in log order (page with `cursor` = next)',
        security: [{ bearer: [] }],
        querystring: z.strictObject({
          stream: z.string().max(500).optional(),
          actor: z.string().max(200).optional().describe("the actor's sub"),
          type: z.string().max(100).optional(),
          from: BusinessDate.optional().describe('business date, inclusive'),
          to: BusinessDate.optional().describe('business date, inclusive'),
          after: z
            .string()
            .regex(/^\d{1,19}$/)
            .optional()
            .describe('deprecated alias: the log position after which to read (use `cursor`)'),
          limit: Paging.limit,
          cursor: Cursor,
          minPosition: MinPosition,
        }),
        response: {
          200: z.object({
            items: z.array(AuditItem),
            next: Next,
            nextAfter: z.string().nullable().describe('deprecated: the `after` of the next page (use `next`)'),
          }),
          400: Problem,
          401: Problem,
          503: Problem,
        },
      },
    },
    async (req) => {
      const page = await listAuditEvents(deps.db, { ...req.query, after: afterOf(req.query) });
      return { ...page, next: nextAfterCursor(page.nextAfter) };
    },
  );
};
