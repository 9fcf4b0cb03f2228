import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isKnownRegion } from '../../domain/kernel/regions.ts';
import { BusinessDate, RegionCode, notFound } from '../../domain/kernel/shared.ts';
import { regionReport, regionReportCsv } from '../../projections/reports/regions.ts';
import type { AppDeps } from '../app.ts';
import { guard } from '../auth.ts';
import { todayOf } from '../commands.ts';
import { MinPosition, Problem, readYourWrites } from './read.ts';

const Figure = z.object({
  programme: z.string().describe('the programme the figure comes from'),
  metric: z.enum([
    'territories',
    'contracts_validated',
    'projects',
    'funding_eur',
    'plans_chosen_rank1',
    'plans_chosen_rank2',
    'roadmaps_submitted',
    'roadmaps_accepted',
    'roadmaps_late',
    'usine_du_futur_firms',
    'poles_labelled',
    'fui_projects_co_funded',
    'fui_co_funding_eur',
  ]),
  value: z.number(),
});
const RegionReportView = z.object({
  regionCode: z.string(),
  asOf: z.string(),
  geography: z.enum(['asof', 'current']),
  groups: z.array(
    z.object({
      regionCode: z.string(),
      name: z.string(),
      recordsOf: z.array(z.string()).describe('the Region codes whose records the group counts'),
      figures: z.array(Figure),
      nfi: z
        .array(
          z.object({
            programme: z.string(),
            regionCode: z.string().describe('the Region of 2013 that chose'),
            name: z.string(),
            roadmapStatus: z.enum(['due', 'overdue', 'submitted', 'accepted', 'sent_back']),
            submittedOn: z.string().nullable(),
            late: z.boolean(),
            rank1: z.array(z.object({ planId: z.string(), planName: z.string(), lead: z.string().nullable() })),
            rank2: z.array(z.object({ planId: z.string(), planName: z.string(), lead: z.string().nullable() })),
          }),
        )
        .describe("La Nouvelle France industrielle: each Region of 2013's plan choices and roadmap in the group"),
    }),
  ),
});

export const regionReportRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: AppDeps = app.deps;
  app.get(
    '/reports/regions/:code',
    {
      preParsing: guard(deps.auth),
      preHandler: readYourWrites(deps),
      schema: {
        operationId: 'getRegionReport',
        tags: ['reports'],
        summary: "One Region's figures in every programme as of a business date; JSON, or CSV with Accept: text/csv",
        description:
          "For a Region (INSEE code of any period), each programme's figures as of `asOf` (default today), each with its programme. `geography=asof` (default) groups records by the Regions in force on the date (Grand Est as of 2014 answers Alsace, Champagne-Ardenne and Lorraine separately); `geography=current` by today's Regions (Grand Est counts its predecessors' records). CSV: `region_code,region_name,programme,metric,value` (`csv=fr`: `;`, decimal comma and a UTF-8 BOM, as the progress report).",
        security: [{ bearer: [] }],
        params: z.strictObject({ code: RegionCode }),
        querystring: z.strictObject({
          asOf: BusinessDate.optional(),
          geography: z.enum(['asof', 'current']).default('asof'),
          csv: z
            .enum(['fr'])
            .optional()
            .describe('CSV for French spreadsheets: `;` separators, decimal comma, UTF-8 BOM (with Accept: text/csv)'),
          minPosition: MinPosition,
        }),
        response: {
          200: z.union([RegionReportView, z.string().describe('text/csv')]),
          400: Problem,
          401: Problem,
          404: Problem,
          503: Problem,
        },
      },
    },
    async (req, reply) => {
      const { code } = req.params;
      if (!isKnownRegion(code)) throw notFound(`region ${code} is not a Region of INSEE's COG`);
      const asOf = req.query.asOf ?? todayOf(deps.clock);
      const report = await regionReport(deps.db, code, asOf, req.query.geography);
      const accept = req.headers.accept ?? '';
      if (/\btext\/csv\b/.test(accept) && !/application\/json/.test(accept.split(',')[0] ?? ''))
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `inline; filename="region-${code}-${asOf}.csv"`)
          .serializer((p: string) => p)
          .send(regionReportCsv(report, { fr: req.query.csv === 'fr' }));
      return report;
    },
  );
};
