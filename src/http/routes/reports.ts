import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BusinessDate } from '../../domain/kernel/shared.ts';
import { progressCsv, progressReport } from '../../projections/queries.ts';
import { guard } from '../auth.ts';
import { ProgrammeQuery, territoryProgramme } from './programmes.ts';
import { todayOf } from '../commands.ts';
import { MinPosition, Problem, readYourWrites } from './read.ts';

/** Reports read from the projections, as of any business date (any authenticated role). */
const Progress = z.object({
  asOf: z.string(),
  programme: z.string().describe("the Territoires d'industrie phase reported (default territoires-industrie-2018)"),
  territories: z.number().int().describe('territories labelled and in force on the date'),
  epcis: z.number().int().describe('distinct EPCIs (SIREN) in those territories on the date'),
  contracts: z
    .object({
      drafted: z.number().int(),
      submitted: z.number().int(),
      validated: z.number().int(),
      rejected: z.number().int(),
      signed: z.number().int(),
    })
    .describe('contracts that had reached each milestone on or before the date (cumulative)'),
  projects: z.number().int().describe('projects registered on or before the date and not abandoned by then'),
  fundingEur: z.number().describe('funding granted on or before the date'),
  byRegion: z.array(
    z.object({
      regionCode: z.string(),
      regionName: z.string().nullable().describe("the Region's name in force on the date"),
      territories: z.number().int(),
      contractsValidated: z.number().int(),
      projects: z.number().int(),
    }),
  ),
  byAxis: z.array(z.object({ axis: z.string(), projects: z.number().int() })),
  byRegionAxis: z
    .array(
      z.object({
        regionCode: z.string(),
        regionName: z.string().nullable(),
        axis: z.string(),
        projects: z.number().int(),
      }),
    )
    .optional()
    .describe('with by=region,axis: projects per Region and axis (only the pairs that have some)'),
});

/** `by=region,axis` (either order): the breakdowns asked for on top of the usual ones. */
const By = z
  .string()
  .regex(/^(region|axis)(,(region|axis))*$/, 'must be region, axis or region,axis')
  .optional()
  .describe('breakdowns: `region,axis` adds byRegionAxis (projects per Region and axis)');

export const reportRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = app.deps;
  app.get(
    '/reports/progress',
    {
      preParsing: guard(deps.auth),
      preHandler: readYourWrites(deps),
      schema: {
        tags: ['reports'],
        summary: 'Programme progress as of a business date (default today); JSON, or CSV with Accept: text/csv',
        security: [{ bearer: [] }],
        querystring: z.strictObject({
          asOf: BusinessDate.optional(),
          programme: ProgrammeQuery.describe(
            "a Territoires d'industrie phase (default territoires-industrie-2018); contracts and projects are phase 1's",
          ),
          by: By,
          csv: z
            .enum(['fr'])
            .optional()
            .describe('CSV for French spreadsheets: `;` separators, decimal comma, UTF-8 BOM (with Accept: text/csv)'),
          minPosition: MinPosition,
        }),
        response: {
          200: {
            description: 'The report: JSON, or CSV (one line per figure) with Accept: text/csv',
            content: {
              'application/json': { schema: Progress },
              'text/csv': {
                schema: z
                  .string()
                  .describe(
                    "CSV with a header line: section,key,metric,value,region_name (region_name: the Region's name on the date, on the lines that carry a Region)",
                  ),
              },
            },
          },
          400: Problem,
          401: Problem,
          503: Problem,
        },
      },
    },
    async (req, reply) => {
      const asOf = req.query.asOf ?? todayOf(deps.clock);
      const programme = await territoryProgramme(deps, req.query.programme);
      const by = (req.query.by?.split(',') ?? []) as ('region' | 'axis')[];
      const report = await progressReport(deps.db, asOf, programme.id, { by });
      const accept = req.headers.accept ?? '';
      if (/\btext\/csv\b/.test(accept) && !/application\/json/.test(accept.split(',')[0] ?? '')) {
        // CSV bypasses the JSON serializer
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `inline; filename="progress-${asOf}.csv"`)
          .serializer((p: string) => p)
          .send(progressCsv(report, { fr: req.query.csv === 'fr' }));
      }
      return report;
    },
  );
};
