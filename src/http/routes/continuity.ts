import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BusinessDate, validationError } from '../../domain/kernel/shared.ts';
import { ProgrammeId } from '../../domain/programmes/index.ts';
import { continuityCsv, continuityReport } from '../../projections/reports/continuity.ts';
import type { AppDeps } from '../app.ts';
import { guard } from '../auth.ts';
import { todayOf } from '../commands.ts';
import { territoryProgramme } from './programmes.ts';
import { MinPosition, Problem, readYourWrites } from './read.ts';

const Named = { id: z.string(), name: z.string(), regionCode: z.string() };
const ContinuityView = z.object({
  programme: z.string(),
  follows: z.string(),
  asOf: z.string(),
  counts: z.object({
    renewed: z.number().int(),
    new: z.number().int(),
    notRenewed: z.number().int(),
    proposed: z.number().int().describe('new territories with at least one proposed predecessor'),
  }),
  renewed: z.array(z.object({ ...Named, succeeds: z.object({ id: z.string(), name: z.string().nullable() }) })),
  new: z.array(
    z.object({
      ...Named,
      proposals: z
        .array(z.object({ ...Named, sharedEpcis: z.number().int(), jaccard: z.number() }))
        .describe('territories of the followed programme whose EPCIs overlap (Jaccard ≥ 0.5), best first, at most 3'),
    }),
  ),
  notRenewed: z.array(z.object(Named)),
});

export const continuityRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: AppDeps = app.deps;
  app.get(
    '/reports/continuity',
    {
      preParsing: guard(deps.auth),
      preHandler: readYourWrites(deps),
      schema: {
        operationId: 'getContinuityReport',
        tags: ['reports'],
        summary: 'Continuity between two phases: renewed, new, not renewed; JSON, or CSV with Accept: text/csv',
        description:
          'As of `asOf` (default today), the territories of `programme` that renew one of the programme it follows (`succeeds`), the new ones, and those of the followed programme not renewed. A new territory lists the earlier territories whose EPCIs overlap its own (Jaccard ≥ 0.5) as proposals; an administrator confirms one with POST /territories/{id}/succession. CSV: `section,territory_id,name,region_code,succeeds,succeeds_name,shared_epcis,jaccard` (sections renewed, new, proposal, not_renewed).',
        security: [{ bearer: [] }],
        querystring: z.strictObject({
          programme: ProgrammeId.describe('the later phase (e.g. territoires-industrie-2023)'),
          asOf: BusinessDate.optional(),
          minPosition: MinPosition,
        }),
        response: {
          200: z.union([ContinuityView, z.string().describe('text/csv')]),
          400: Problem,
          401: Problem,
          503: Problem,
        },
      },
    },
    async (req, reply) => {
      const programme = await territoryProgramme(deps, req.query.programme);
      const facts = await deps.programmes.find(programme.id);
      if (!facts?.follows)
        throw validationError(`programme: ${programme.id} follows no other programme`, { field: 'programme' });
      const asOf = req.query.asOf ?? todayOf(deps.clock);
      const report = await continuityReport(deps.db, programme.id, facts.follows, asOf);
      const accept = req.headers.accept ?? '';
      if (/\btext\/csv\b/.test(accept) && !/application\/json/.test(accept.split(',')[0] ?? ''))
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `inline; filename="continuity-${programme.id}-${asOf}.csv"`)
          .serializer((p: string) => p)
          .send(continuityCsv(report));
      return report;
    },
  );
};
