import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listPendingDecisions, PENDING_KINDS } from '../../decisions/pending.ts';
import { RegionCode, forbidden } from '../../domain/kernel/shared.ts';
import type { AppDeps } from '../app.ts';
import { guard, type Principal } from '../auth.ts';
import { ProblemSchema, todayOf } from '../commands.ts';
import { MinPosition, readYourWrites } from './read.ts';
import { Cursor, DeprecatedOffset, Next, nextOffset, offsetOf } from '../paging.ts';

const Change = z.object({
  commitmentId: z.string(),
  partyKind: z.string(),
  partyName: z.string(),
  on: z.string().describe('business date of the change'),
  amountEur: z.number().describe('the amount now (0 once withdrawn)'),
  previousAmountEur: z.number().nullable().describe('amended: the amount before; withdrawn: the amount withdrawn'),
  fields: z.array(z.string()).describe('amended: the terms that changed'),
  reason: z.string().nullable(),
});

const Action = z.object({
  name: z.enum(['validate', 'request-changes', 'reject']),
  method: z.literal('POST'),
  href: z.string(),
});

export const PendingDecision = z.object({
  kind: z
    .enum(PENDING_KINDS)
    .describe('what waits: `contract_validation` (a Region validates a contract); more kinds join later'),
  id: z.string().describe('the id of the thing to decide on (a contract id for contract_validation)'),
  href: z.string().describe('the resource'),
  territoryId: z.string(),
  territoryName: z.string().nullable(),
  regionCode: z.string(),
  title: z.string(),
  submission: z.number().int().describe('1 for the first submission, 2 after changes were requested, ...'),
  submittedOn: z.string().describe('business date of the current submission'),
  waitingDays: z.number().int().describe("days from the submission to the server's today"),
  commitments: z.number().int(),
  totalEur: z.number(),
  sentBack: z
    .object({ kind: z.enum(['changes_requested', 'reopened']), on: z.string(), reason: z.string().nullable() })
    .nullable()
    .describe('the last time the contract was sent back (null: first submission)'),
  changes: z
    .object({ added: z.array(Change), amended: z.array(Change), withdrawn: z.array(Change) })
    .nullable()
    .describe('commitment changes recorded since `sentBack` (null on a first submission)'),
  revision: z.number().int().describe("the stream's revision: send it as If-Match with the decision"),
  position: z.string().describe('log position of the submission'),
  actions: z.array(Action).describe('the decisions this token may take (none for auditors and administrators)'),
});

export const decisionRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: AppDeps = app.deps;
  const readers = guard(deps.auth, 'regional_validator', 'auditor', 'programme_admin');

  /** The Regions a principal may list (undefined: all), narrowed by `?region=`. */
  const regionsOf = (p: Principal, region: string | undefined): string[] | undefined => {
    const all = p.roles.includes('auditor') || p.roles.includes('programme_admin');
    if (all) return region ? [region] : undefined;
    if (region === undefined) return [...p.regions];
    if (!p.regions.includes(region))
      throw forbidden(`region ${region} is not among your regions (${p.regions.join(', ') || 'none'})`);
    return [region];
  };

  app.get(
    '/decisions/pending',
    {
      preParsing: readers,
      preHandler: readYourWrites(deps),
      schema: {
        operationId: 'listPendingDecisions',
        tags: ['decisions'],
        summary: "A validator's queue: what waits for a decision, oldest submission first",
        description:
          'The contracts submitted to a Region and not decided yet (`kind: contract_validation`), oldest current ' +
          'submission first, each with what changed since it was last sent back (commitments added, amended and ' +
          'withdrawn since the last "changes requested" or reopening, read from its event stream). A regional ' +
          "validator sees its token's Regions (`region` narrows to one of them; another Region is 403) and the " +
          'actions it may take; auditors and programme administrators see every Region (or `region`), without ' +
          'actions; other roles are refused (403). Paged with `limit` and `cursor` (the `next` of the previous page; `offset` is a deprecated alias); `total` counts the whole queue.',
        security: [{ bearer: [] }],
        querystring: z.strictObject({
          region: RegionCode.optional().describe('only this Region'),
          limit: z.coerce.number().int().min(1).max(100).default(20),
          cursor: Cursor,
          offset: DeprecatedOffset(100_000),
          minPosition: MinPosition,
        }),
        response: {
          200: z.object({
            items: z.array(PendingDecision),
            total: z.number().int(),
            next: Next,
            limit: z.number().int(),
            offset: z.number().int(),
          }),
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          429: ProblemSchema,
          503: ProblemSchema,
        },
      },
    },
    async (req) => {
      const p = req.principal!;
      const regions = regionsOf(p, req.query.region);
      const offset = offsetOf(req.query, 100_000);
      const page = await listPendingDecisions(deps.db, deps, {
        regions,
        limit: req.query.limit,
        offset,
        today: todayOf(deps.clock),
      });
      const canDecide = (regionCode: string) =>
        p.roles.includes('regional_validator') && p.regions.includes(regionCode);
      return {
        ...page,
        next: nextOffset(offset, page.items.length, page.total),
        items: page.items.map((item) => ({
          ...item,
          actions: canDecide(item.regionCode)
            ? (['validate', 'request-changes', 'reject'] as const).map((name) => ({
                name,
                method: 'POST' as const,
                href: `/contracts/${item.id}/${name}`,
              }))
            : [],
        })),
      };
    },
  );
};
