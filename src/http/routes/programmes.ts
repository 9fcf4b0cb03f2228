import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { unknownProgramme } from '../../application/programmes.ts';
import { notFound, validationError, type ProgrammeBounds } from '../../domain/kernel/shared.ts';
import { BUILT_IN_PROGRAMMES, DEFAULT_PROGRAMME, ProgrammeId, ProgrammeKind } from '../../domain/programmes/index.ts';
import type { AppDeps } from '../app.ts';
import { guard } from '../auth.ts';
import { Problem } from './read.ts';

/** The `programme` member of a territory command's body: optional, territoires-industrie-2018 by default. */
export const ProgrammeField = ProgrammeId.optional().describe(
  'the programme the territory belongs to (default territoires-industrie-2018)',
);

/** The `?programme=` of a territory read: optional, territoires-industrie-2018 by default. */
export const ProgrammeQuery = ProgrammeId.optional().describe(
  'the programme the territory belongs to (default territoires-industrie-2018): ids are unique within a programme',
);

/**
 * The programme a territory command names (or the default), as the catalogue knows it: a 400
 * naming `programme` when it is unknown or holds no territories.
 */
export async function territoryProgramme(deps: AppDeps, named: string | undefined): Promise<ProgrammeBounds> {
  const id = named ?? DEFAULT_PROGRAMME;
  const { kind, ...bounds } = await deps.programmes.bounds(id);
  if (kind !== 'territoires-industrie')
    throw validationError(`programme: ${id} is a ${kind} programme, which holds no territories`, {
      field: 'programme',
    });
  return bounds;
}

const ProgrammeView = z.object({
  id: z.string(),
  name: z.string(),
  kind: ProgrammeKind,
  launchedOn: z.string(),
  endsOn: z.string().nullable(),
  follows: z.string().nullable(),
  sources: z.array(z.string()),
  recorded: z.boolean().describe('whether the log holds its ProgrammeLaunched yet (the server records it at start)'),
});

export const programmeRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: AppDeps = app.deps;
  const view = async (id: string) => {
    const p = await deps.programmes.find(id);
    if (!p) return undefined;
    return {
      id: p.programmeId,
      name: p.name,
      kind: p.kind,
      launchedOn: p.launchedOn,
      endsOn: p.endsOn,
      follows: p.follows,
      sources: p.sources,
      recorded: p.recorded,
    };
  };

  app.get(
    '/programmes',
    {
      preParsing: guard(deps.auth),
      schema: {
        operationId: 'listProgrammes',
        tags: ['programmes'],
        summary: 'The programme catalogue',
        description:
          'Every programme the ledger holds, with the dates that bound the business dates recorded in it (ProgrammeLaunched facts of the log, streams `programme-<id>`).',
        security: [{ bearer: [] }],
        response: { 200: z.object({ items: z.array(ProgrammeView) }), 401: Problem, 503: Problem },
      },
    },
    async () => {
      const items = await Promise.all(BUILT_IN_PROGRAMMES.map((p) => view(p.programmeId)));
      return { items: items.filter((p) => p !== undefined) };
    },
  );

  app.get(
    '/programmes/:id',
    {
      preParsing: guard(deps.auth),
      schema: {
        operationId: 'getProgramme',
        tags: ['programmes'],
        summary: 'One programme of the catalogue',
        description: 'A programme: its kind, launch and end dates, the programme it follows and its sources.',
        security: [{ bearer: [] }],
        params: z.strictObject({ id: ProgrammeId }),
        response: { 200: ProgrammeView, 400: Problem, 401: Problem, 404: Problem, 503: Problem },
      },
    },
    async (req) => {
      const p = await view(req.params.id);
      if (!p) throw notFound(unknownProgramme(req.params.id, 'id').message);
      return p;
    },
  );
};
