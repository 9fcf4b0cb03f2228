import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BusinessDate, RegionCode, notFound } from '../../domain/shared.ts';
import { Epci, TerritoryId, territoryDecider } from '../../domain/territory/index.ts';
import { territoryStream } from '../../eventstore/streams.ts';
import { CommandHeaders, CommandResult, commandAnswer, commandProblems, runCommand, todayOf } from '../commands.ts';
import { idempotent } from '../idempotency.ts';
import { getTerritory, listTerritories } from '../../projections/territories/queries.ts';
import { guard } from '../auth.ts';
import { MinPosition, readYourWrites } from './read.ts';

const Problem = z
  .object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string().optional() })
  .loose();

export const LabelTerritoryBody = z.strictObject({
  id: TerritoryId,
  programme: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/)
    .default('territoires-industrie-2018'),
  name: z.string().trim().min(1).max(200),
  regionCode: RegionCode,
  epcis: z.array(Epci).min(1).max(500),
  labelledOn: BusinessDate,
  synthetic: z.boolean().optional(),
});

const TerritoryView = z.object({
  id: z.string(),
  programme: z.string(),
  name: z.string(),
  regionCode: z.string(),
  status: z.string(),
  labelledOn: z.string(),
  epcis: z.array(z.object({ siren: z.string(), name: z.string(), nature: z.string().nullable() })),
  coLeads: z.object({ industrial: z.string().nullable(), elected: z.string().nullable() }),
  splitFrom: z.string().nullable(),
  synthetic: z.boolean(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  position: z.string(),
});

export const territoryRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = app.deps;
  const anyone = guard(deps.auth);
  const admin = guard(deps.auth, 'programme_admin');

  app.post(
    '/territories',
    {
      // the role guard runs before the body is read, as on every other command route
      preParsing: admin,
      schema: {
        tags: ['territories'],
        summary: 'Label a territory (programme administrators)',
        security: [{ bearer: [] }],
        headers: CommandHeaders,
        body: LabelTerritoryBody,
        response: { 201: CommandResult.extend({ id: z.string() }), ...commandProblems },
      },
    },
    // through the one idempotency path (src/http/idempotency.ts), like every POST
    async (req, reply) => {
      const principal = req.principal!;
      return idempotent(req, reply, deps.db, principal, async () => {
        const { id, ...rest } = req.body;
        const r = await runCommand(req, reply, deps, principal, territoryStream(id), territoryDecider, {
          type: 'LabelTerritory',
          data: { territoryId: id, ...rest },
          metadata: { actor: principal, today: todayOf(deps.clock) },
        });
        return commandAnswer(201, { id, ...r.body }, r.nextRevision, { location: `/territories/${id}` });
      });
    },
  );

  app.get(
    '/territories',
    {
      schema: {
        tags: ['territories'],
        summary: 'Territories (current, or as of a business date)',
        security: [{ bearer: [] }],
        querystring: z.strictObject({
          region: RegionCode.optional(),
          programme: z.string().max(64).optional(),
          asOf: BusinessDate.optional(),
          minPosition: MinPosition,
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        }),
        response: {
          200: z.object({
            items: z.array(TerritoryView),
            total: z.number().int(),
            limit: z.number(),
            offset: z.number(),
          }),
          401: Problem,
          503: Problem,
        },
      },
      preParsing: anyone,
      preHandler: readYourWrites(deps),
    },
    async (req) => listTerritories(deps.db, req.query),
  );

  app.get(
    '/territories/:id',
    {
      schema: {
        tags: ['territories'],
        summary: 'One territory (current, or as of a business date)',
        security: [{ bearer: [] }],
        params: z.strictObject({ id: TerritoryId }),
        querystring: z.strictObject({ asOf: BusinessDate.optional(), minPosition: MinPosition }),
        response: { 200: TerritoryView, 401: Problem, 404: Problem, 503: Problem },
      },
      preParsing: anyone,
      preHandler: readYourWrites(deps),
    },
    async (req) => {
      const t = await getTerritory(deps.db, req.params.id, req.query.asOf);
      if (!t)
        throw notFound(
          `territory ${req.params.id} ${req.query.asOf ? `did not exist on ${req.query.asOf}` : 'does not exist'}`,
        );
      return t;
    },
  );
};
