import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadAggregate } from '../../application/commandHandler.ts';
import { territoryStreamFor } from '../../application/territories.ts';
import {
  BusinessDate,
  RegionCode,
  forbidden,
  notFound,
  validationError,
  type ProgrammeBounds,
} from '../../domain/kernel/shared.ts';
import { ProgrammeId } from '../../domain/programmes/index.ts';
import {
  applicationDecider,
  callOf,
  labellingOf,
  type CallForApplications,
} from '../../domain/territoires-industrie/application/index.ts';
import { Epci, TerritoryId, territoryDecider } from '../../domain/territoires-industrie/territory/index.ts';
import { applicationStream } from '../../eventstore/streams.ts';
import { getApplication, listApplications } from '../../projections/applications/queries.ts';
import type { AppDeps } from '../app.ts';
import { guard, type Principal } from '../auth.ts';
import { CommandHeaders, CommandResult, commandAnswer, commandProblems, runCommand, todayOf } from '../commands.ts';
import { idempotent } from '../idempotency.ts';
import { Cursor, DeprecatedOffset, Next, nextOffset, offsetOf } from '../paging.ts';
import { territoryProgramme } from './programmes.ts';
import { MinPosition, Problem, readYourWrites } from './read.ts';
import { assertSucceeds } from './territories.ts';

/**
 * The call for applications of a Territoires d'industrie programme (phase 2): a candidate
 * territory applies within the call's window; a programme administrator selects it or not after
 * the window closes; a selected application is labelled (its territory, in the programme).
 */

const Programme = ProgrammeId.describe('the programme whose call it answers (e.g. territoires-industrie-2023)');

export const SubmitApplicationBody = z.strictObject({
  id: TerritoryId.describe(
    'the candidate territory: the id it is labelled with if selected, unique within the programme',
  ),
  programme: Programme,
  name: z.string().trim().min(1).max(200),
  regionCode: RegionCode,
  epcis: z.array(Epci).min(1).max(500),
  submittedOn: BusinessDate.describe("within the call's window (phase 2: 2023-06-23 to 2023-09-22)"),
  succeeds: TerritoryId.optional().describe(
    'the territory of the programme this one follows that the candidate renews',
  ),
  synthetic: z.boolean().optional(),
});
export const SelectionBody = z.strictObject({
  programme: Programme,
  selectedOn: BusinessDate.describe('after the call closed'),
});
export const NonSelectionBody = z.strictObject({
  programme: Programme,
  decidedOn: BusinessDate.describe('after the call closed'),
  reason: z.string().trim().min(1).max(2000).optional(),
});
export const LabellingBody = z.strictObject({
  programme: Programme,
  labelledOn: BusinessDate.describe('on or after the selection (phase 2: 2023-11-09)'),
});

const ApplicationView = z.object({
  id: z.string(),
  programme: z.string(),
  name: z.string(),
  regionCode: z.string(),
  epciCount: z.number().int(),
  status: z.string().describe('`submitted`, `selected`, `not_selected`, `labelled`'),
  submittedOn: z.string(),
  decidedOn: z.string().nullable().describe('the selection or non-selection'),
  succeeds: z.string().nullable(),
  labelledOn: z.string().nullable().describe('the labelling of the territory from it'),
  synthetic: z.boolean(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  position: z.string(),
});

const IdParams = z.strictObject({ id: TerritoryId });

/** The programme's call, or a 400 naming `programme` when it has none. */
function callFor(programme: ProgrammeBounds): CallForApplications {
  const call = callOf(programme.id);
  if (!call)
    throw validationError(`programme: ${programme.id} has no call for applications`, {
      field: 'programme',
      rule: 'call-for-applications',
    });
  return call;
}

/** A territory lead may submit its own candidacy (its `territories` claim names the id). */
function maySubmit(p: Principal, id: string): void {
  if (p.roles.includes('programme_admin')) return;
  if (!p.territories.includes(id)) throw forbidden(`candidate territory ${id} is not in your territories`);
}

export const applicationRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: AppDeps = app.deps;
  const admin = guard(deps.auth, 'programme_admin');
  const submitter = guard(deps.auth, 'programme_admin', 'territory_lead');

  app.post(
    '/applications',
    {
      preParsing: submitter,
      schema: {
        operationId: 'submitApplication',
        tags: ['applications'],
        summary: "Submit a candidate territory's application to a programme's call",
        description:
          "Records ApplicationSubmitted in `application-<id>@<programme>`: one application per candidate territory, dated within the call's window (else 400 with `rule: call-window`). Programme administrators record it on the candidate's behalf; a territory lead may submit its own (its `territories` claim names the id). `succeeds` must name a territory of the programme this one follows.",
        security: [{ bearer: [] }],
        headers: CommandHeaders,
        body: SubmitApplicationBody,
        response: { 201: CommandResult.extend({ id: z.string(), programme: z.string() }), ...commandProblems },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      return idempotent(req, reply, deps.db, p, async () => {
        const { id, ...rest } = req.body;
        maySubmit(p, id);
        const programme = await territoryProgramme(deps, rest.programme);
        const call = callOf(programme.id) ?? null;
        if (call && rest.succeeds !== undefined) await assertSucceeds(deps, programme.id, rest.succeeds);
        const r = await runCommand(req, reply, deps, p, applicationStream(id, programme.id), applicationDecider, {
          type: 'SubmitApplication',
          data: { applicationId: id, ...rest, call },
          metadata: { actor: p, today: todayOf(deps.clock), programme },
        });
        return commandAnswer(201, { id, programme: programme.id, ...r.body }, r.nextRevision, {
          location: `/applications/${id}?programme=${programme.id}`,
        });
      });
    },
  );

  const decision = (
    path: string,
    operationId: string,
    summary: string,
    description: string,
    body: typeof SelectionBody | typeof NonSelectionBody,
  ) =>
    app.post(
      `/applications/:id/${path}`,
      {
        preParsing: admin,
        schema: {
          operationId,
          tags: ['applications'],
          summary,
          description,
          security: [{ bearer: [] }],
          headers: CommandHeaders,
          params: IdParams,
          body,
          response: { 200: CommandResult, ...commandProblems },
        },
      },
      async (req, reply) => {
        const p = req.principal!;
        return idempotent(req, reply, deps.db, p, async () => {
          const id = req.params.id;
          const b = req.body;
          const programme = await territoryProgramme(deps, b.programme);
          const call = callFor(programme);
          const metadata = { actor: p, today: todayOf(deps.clock), programme };
          const r = await runCommand(
            req,
            reply,
            deps,
            p,
            applicationStream(id, programme.id),
            applicationDecider,
            'selectedOn' in b
              ? { type: 'SelectApplication', data: { applicationId: id, selectedOn: b.selectedOn, call }, metadata }
              : {
                  type: 'DeclineApplication',
                  data: { applicationId: id, decidedOn: b.decidedOn, ...(b.reason ? { reason: b.reason } : {}), call },
                  metadata,
                },
          );
          return commandAnswer(200, r.body, r.nextRevision);
        });
      },
    );
  decision(
    'selection',
    'selectApplication',
    'Select an application (programme administrators)',
    'Records ApplicationSelected, dated after the call closed (else 400 with `rule: decided-after-call`); a selected application is labelled with POST /applications/{id}/labelling.',
    SelectionBody,
  );
  decision(
    'non-selection',
    'declineApplication',
    'Record that an application is not selected (programme administrators)',
    'Records ApplicationNotSelected, dated after the call closed; an application is selected or not, never both (409).',
    NonSelectionBody,
  );

  app.post(
    '/applications/:id/labelling',
    {
      preParsing: admin,
      schema: {
        operationId: 'labelApplicationTerritory',
        tags: ['applications'],
        summary: "Label a selected application's territory (programme administrators)",
        description:
          "Records TerritoryLabelled in the programme's territory stream, from the application: its id, name, Region, EPCIs and `succeeds`, with `application` naming it. 409 unless the application is selected; labelledOn not before the selection. The ETag and revision are the territory's.",
        security: [{ bearer: [] }],
        headers: CommandHeaders,
        params: IdParams,
        body: LabellingBody,
        response: { 201: CommandResult.extend({ id: z.string(), programme: z.string() }), ...commandProblems },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      return idempotent(req, reply, deps.db, p, async () => {
        const id = req.params.id;
        const programme = await territoryProgramme(deps, req.body.programme);
        const { state } = await loadAggregate(deps, applicationStream(id, programme.id), applicationDecider);
        if (state.status === 'Unknown') throw notFound(`application ${id} does not exist in programme ${programme.id}`);
        const command = labellingOf(state, id, req.body.labelledOn, {
          actor: p,
          today: todayOf(deps.clock),
          programme,
        });
        const stream = await territoryStreamFor(deps, programme.id, id);
        const r = await runCommand(req, reply, deps, p, stream, territoryDecider, command);
        return commandAnswer(201, { id, programme: programme.id, ...r.body }, r.nextRevision, {
          location: `/territories/${id}?programme=${programme.id}`,
        });
      });
    },
  );

  app.get(
    '/applications',
    {
      preParsing: guard(deps.auth),
      preHandler: readYourWrites(deps),
      schema: {
        operationId: 'listApplications',
        tags: ['applications'],
        summary: "The applications to a programme's call (current, or as of a business date)",
        description:
          'Every application of the programme as of `asOf` (default: current state), with its status then (`submitted`, `selected`, `not_selected`, `labelled`) and the counts per status (`byStatus`). Pages with `limit` and `cursor`.',
        security: [{ bearer: [] }],
        querystring: z.strictObject({
          programme: Programme,
          asOf: BusinessDate.optional(),
          status: z.enum(['submitted', 'selected', 'not_selected', 'labelled']).optional(),
          region: RegionCode.optional(),
          minPosition: MinPosition,
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          cursor: Cursor,
          offset: DeprecatedOffset(1_000_000),
        }),
        response: {
          200: z.object({
            items: z.array(ApplicationView),
            total: z.number().int(),
            byStatus: z.object({
              submitted: z.number().int(),
              selected: z.number().int(),
              not_selected: z.number().int(),
              labelled: z.number().int(),
            }),
            next: Next,
            limit: z.number(),
            offset: z.number(),
          }),
          400: Problem,
          401: Problem,
          503: Problem,
        },
      },
    },
    async (req) => {
      const offset = offsetOf(req.query);
      const page = await listApplications(deps.db, { ...req.query, offset });
      return { ...page, next: nextOffset(offset, page.items.length, page.total) };
    },
  );

  app.get(
    '/applications/:id',
    {
      preParsing: guard(deps.auth),
      preHandler: readYourWrites(deps),
      schema: {
        operationId: 'getApplication',
        tags: ['applications'],
        summary: 'One application (current, or as of a business date)',
        description:
          "The application of candidate territory `id` to the programme's call, as of `asOf` (default: current).",
        security: [{ bearer: [] }],
        params: IdParams,
        querystring: z.strictObject({ programme: Programme, asOf: BusinessDate.optional(), minPosition: MinPosition }),
        response: { 200: ApplicationView, 400: Problem, 401: Problem, 404: Problem, 503: Problem },
      },
    },
    async (req) => {
      const a = await getApplication(deps.db, req.query.programme, req.params.id, req.query.asOf);
      if (!a)
        throw notFound(
          `application ${req.params.id} to ${req.query.programme} ${req.query.asOf ? `did not exist on ${req.query.asOf}` : 'does not exist'}`,
        );
      return a;
    },
  );
};
