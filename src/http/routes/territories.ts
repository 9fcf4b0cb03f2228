import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BusinessDate, RegionCode, notFound, validationError } from '../../domain/kernel/shared.ts';
import { loadAggregate } from '../../application/commandHandler.ts';
import type { AppDeps } from '../app.ts';
import { Epci, TerritoryId, territoryDecider } from '../../domain/territoires-industrie/territory/index.ts';
import { territoryStreamFor } from '../../application/territories.ts';
import { ProgrammeId } from '../../domain/programmes/index.ts';
import { ProgrammeQuery, territoryProgramme } from './programmes.ts';
import { CommandHeaders, CommandResult, commandAnswer, commandProblems, runCommand, todayOf } from '../commands.ts';
import { idempotent } from '../idempotency.ts';
import { getTerritory, listTerritories } from '../../projections/territories/queries.ts';
import { guard } from '../auth.ts';
import { MinPosition, readYourWrites } from './read.ts';
import { Cursor, DeprecatedOffset, Next, nextOffset, offsetOf } from '../paging.ts';

const Problem = z
  .object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string().optional() })
  .loose();

export const LabelTerritoryBody = z.strictObject({
  id: TerritoryId,
  programme: ProgrammeId.default('territoires-industrie-2018').describe(
    'the programme that labels it (GET /programmes); the id is unique within the programme',
  ),
  name: z.string().trim().min(1).max(200),
  regionCode: RegionCode,
  epcis: z.array(Epci).min(1).max(500),
  labelledOn: BusinessDate,
  succeeds: TerritoryId.optional().describe(
    'the territory of the programme this one follows that it renews (e.g. a 2023 territory renewing a 2018 one)',
  ),
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
  succeeds: z.string().nullable().describe('the territory of the previous phase it renews'),
  application: z
    .string()
    .nullable()
    .describe("the application of the programme's call it was labelled from (GET /applications/{id})"),
  projectLead: z
    .object({
      name: z.string(),
      appointedOn: z.string(),
      cofinancingEur: z.number().describe('yearly co-financing of the post, all funders'),
      funders: z.array(z.string()),
    })
    .nullable()
    .describe('the co-financed project lead (chef de projet) in force on the date, null until appointed'),
  synthetic: z.boolean(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  position: z.string(),
});

/** `succeeds` names a territory of the programme this one follows, labelled there. */
export async function assertSucceeds(deps: AppDeps, programme: string, succeeds: string): Promise<void> {
  const facts = await deps.programmes.find(programme);
  if (!facts?.follows)
    throw validationError(`succeeds: programme ${programme} follows no other programme`, { field: 'succeeds' });
  const stream = await territoryStreamFor(deps, facts.follows, succeeds);
  const { state } = await loadAggregate(deps, stream, territoryDecider);
  if (state.status === 'Unknown' || state.programme !== facts.follows)
    throw validationError(`succeeds: territory ${succeeds} does not exist in ${facts.follows}`, { field: 'succeeds' });
}

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
        response: { 201: CommandResult.extend({ id: z.string(), programme: z.string() }), ...commandProblems },
      },
    },
    // through the one idempotency path (src/http/idempotency.ts), like every POST
    async (req, reply) => {
      const principal = req.principal!;
      return idempotent(req, reply, deps.db, principal, async () => {
        const { id, ...rest } = req.body;
        const programme = await territoryProgramme(deps, rest.programme);
        if (rest.succeeds !== undefined) await assertSucceeds(deps, programme.id, rest.succeeds);
        const stream = await territoryStreamFor(deps, programme.id, id);
        const r = await runCommand(req, reply, deps, principal, stream, territoryDecider, {
          type: 'LabelTerritory',
          data: { territoryId: id, ...rest },
          metadata: { actor: principal, today: todayOf(deps.clock), programme },
        });
        const query = programme.id === 'territoires-industrie-2018' ? '' : `?programme=${programme.id}`;
        return commandAnswer(201, { id, programme: programme.id, ...r.body }, r.nextRevision, {
          location: `/territories/${id}${query}`,
        });
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
          programme: ProgrammeQuery,
          asOf: BusinessDate.optional(),
          minPosition: MinPosition,
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          cursor: Cursor,
          offset: DeprecatedOffset(1_000_000),
        }),
        response: {
          200: z.object({
            items: z.array(TerritoryView),
            total: z.number().int(),
            next: Next,
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
    async (req) => {
      const offset = offsetOf(req.query);
      const page = await listTerritories(deps.db, { ...req.query, offset });
      return { ...page, next: nextOffset(offset, page.items.length, page.total) };
    },
  );

  app.get(
    '/territories/:id',
    {
      schema: {
        tags: ['territories'],
        summary: 'One territory (current, or as of a business date)',
        security: [{ bearer: [] }],
        params: z.strictObject({ id: TerritoryId }),
        querystring: z.strictObject({
          programme: ProgrammeQuery,
          asOf: BusinessDate.optional(),
          minPosition: MinPosition,
        }),
        response: { 200: TerritoryView, 401: Problem, 404: Problem, 503: Problem },
      },
      preParsing: anyone,
      preHandler: readYourWrites(deps),
    },
    async (req) => {
      const programme = req.query.programme ?? 'territoires-industrie-2018';
      const t = await getTerritory(deps.db, req.params.id, req.query.asOf, programme);
      if (!t)
        throw notFound(
          `territory ${req.params.id} of ${programme} ${req.query.asOf ? `did not exist on ${req.query.asOf}` : 'does not exist'}`,
        );
      return t;
    },
  );
};
