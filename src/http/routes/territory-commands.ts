import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { handleCommand, loadAggregate } from '../../application/commandHandler.ts';
import { AmountEur, BusinessDate, Siren, conflict, notFound } from '../../domain/kernel/shared.ts';
import {
  Epci,
  Person,
  TerritoryId,
  territoryDecider,
  type Territory,
  type TerritoryCommand,
} from '../../domain/territoires-industrie/territory/index.ts';
import { territoryStreamFor } from '../../application/territories.ts';
import { territoryProgramme, ProgrammeField } from './programmes.ts';
import type { AppDeps } from '../app.ts';
import { actorOf, guard, type Principal } from '../auth.ts';
import {
  CommandHeaders,
  CommandResult,
  commandAnswer,
  commandOnId,
  commandProblems,
  runCommand,
  todayOf,
} from '../commands.ts';
import { idempotent } from '../idempotency.ts';
import { assertSucceeds } from './territories.ts';

const Text = (max: number) => z.string().trim().min(1).max(max);

export const PerimeterChangeBody = z.strictObject({
  programme: ProgrammeField,
  added: z.array(Epci).max(500).default([]),
  removed: z.array(Siren).max(500).default([]),
  decidedOn: BusinessDate,
  reason: Text(2000),
});
export const RenameBody = z.strictObject({ programme: ProgrammeField, name: Text(200), renamedOn: BusinessDate });
export const SplitBody = z.strictObject({
  programme: ProgrammeField,
  into: z
    .array(z.strictObject({ id: TerritoryId, name: Text(200), epcis: z.array(Epci).min(1).max(500) }))
    .min(2)
    .max(20),
  splitOn: BusinessDate,
  reason: Text(2000).optional(),
});
export const CoLeadsBody = z.strictObject({
  programme: ProgrammeField,
  industrial: Person,
  elected: Person,
  appointedOn: BusinessDate,
});
export const WithdrawalBody = z.strictObject({
  programme: ProgrammeField,
  withdrawnOn: BusinessDate,
  reason: Text(2000),
});

export const ProjectLeadBody = z.strictObject({
  programme: ProgrammeField,
  lead: Person,
  appointedOn: BusinessDate,
  cofinancing: z
    .array(
      z.strictObject({
        funder: Text(200).describe('who co-finances the post (ANCT, the Region, an EPCI...)'),
        kind: z.enum(['state', 'region', 'epci', 'other']),
        amountEur: AmountEur.describe('yearly amount'),
      }),
    )
    .min(1)
    .max(20)
    .describe('the co-financing of the post: at least two funders'),
});
export const SuccessionBody = z.strictObject({
  programme: ProgrammeField,
  succeeds: TerritoryId.describe('the territory of the programme this one follows that it renews'),
  linkedOn: BusinessDate,
  basis: z
    .enum(['epci-overlap', 'administrator'])
    .default('epci-overlap')
    .describe('epci-overlap: a pair the continuity report proposed, confirmed'),
});

const IdParams = z.strictObject({ id: TerritoryId });

export const territoryCommandRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: AppDeps = app.deps;
  const admin = guard(deps.auth, 'programme_admin');

  // Every body may name the territory's programme (default territoires-industrie-2018); the
  // command is checked against that programme's dates and lands in its territory's stream.
  const action = <B extends z.ZodType<{ programme?: string | undefined }>>(
    path: string,
    summary: string,
    body: B,
    build: (id: string, b: Omit<z.infer<B>, 'programme'>, p: Principal, today: string) => TerritoryCommand,
  ) =>
    commandOnId(app, deps, { prefix: 'territories', tag: 'territories', params: IdParams, guard: admin })(
      path,
      summary,
      body,
      async (req, reply, p, id, b) => {
        const { programme: named, ...rest } = b;
        const programme = await territoryProgramme(deps, named);
        const cmd = build(id, rest, p, todayOf(deps.clock));
        const stream = await territoryStreamFor(deps, programme.id, id);
        return runCommand(req, reply, deps, p, stream, territoryDecider, {
          ...cmd,
          metadata: { ...cmd.metadata, programme },
        });
      },
    );

  action(
    'perimeter-changes',
    'Add or remove EPCIs (programme administrators)',
    PerimeterChangeBody,
    (territoryId, b, actor, today) => ({
      type: 'ChangeTerritoryPerimeter',
      data: { territoryId, ...b },
      metadata: { actor, today },
    }),
  );
  action('renames', 'Rename a territory (programme administrators)', RenameBody, (territoryId, b, actor, today) => ({
    type: 'RenameTerritory',
    data: { territoryId, ...b },
    metadata: { actor, today },
  }));
  action(
    'co-leads',
    'Appoint the co-leads: an industrial and an elected official (programme administrators)',
    CoLeadsBody,
    (territoryId, b, actor, today) => ({
      type: 'AppointCoLeads',
      data: { territoryId, ...b },
      metadata: { actor, today },
    }),
  );
  action(
    'project-lead',
    'Appoint the co-financed project lead (chef de projet) of a territory (programme administrators)',
    ProjectLeadBody,
    (territoryId, b, actor, today) => ({
      type: 'AppointProjectLead',
      data: { territoryId, ...b },
      metadata: { actor, today },
    }),
  );

  // The renewal link recorded after labelling (an imported list has none): checked against the
  // programme this one follows, as POST /territories checks `succeeds`.
  commandOnId(app, deps, { prefix: 'territories', tag: 'territories', params: IdParams, guard: admin })(
    'succession',
    'Record that a territory renews one of the programme it follows (programme administrators)',
    SuccessionBody,
    async (req, reply, p, id, b) => {
      const programme = await territoryProgramme(deps, b.programme);
      await assertSucceeds(deps, programme.id, b.succeeds);
      const stream = await territoryStreamFor(deps, programme.id, id);
      return runCommand(req, reply, deps, p, stream, territoryDecider, {
        type: 'LinkSuccession',
        data: { territoryId: id, succeeds: b.succeeds, linkedOn: b.linkedOn, basis: b.basis },
        metadata: { actor: p, today: todayOf(deps.clock), programme },
      });
    },
  );

  action(
    'withdrawal',
    'Withdraw a territory from the programme (programme administrators)',
    WithdrawalBody,
    (territoryId, b, actor, today) => ({
      type: 'WithdrawTerritory',
      data: { territoryId, ...b },
      metadata: { actor, today },
    }),
  );

  // A split closes the territory and labels each new one (splitFrom), in the parent's region and
  // programme. The parent's TerritorySplit is the decision; the new territories follow it.
  app.post(
    '/territories/:id/splits',
    {
      preParsing: admin,
      schema: {
        tags: ['territories'],
        summary: 'Split a territory into new ones (programme administrators)',
        security: [{ bearer: [] }],
        headers: CommandHeaders,
        params: IdParams,
        body: SplitBody,
        response: {
          200: CommandResult.extend({ territories: z.array(z.object({ id: z.string(), revision: z.number() })) }),
          ...commandProblems,
        },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      return idempotent(req, reply, deps.db, p, async () => {
        const id = req.params.id;
        const today = todayOf(deps.clock);
        const { into, splitOn, reason } = req.body;
        const programme = await territoryProgramme(deps, req.body.programme);
        const streams = await Promise.all(into.map((t) => territoryStreamFor(deps, programme.id, t.id)));
        // New ids must be free (in the programme) before anything is written.
        const existing = await Promise.all(streams.map((s) => loadAggregate(deps, s, territoryDecider)));
        existing.forEach((e, i) => {
          if (e.state.status !== 'Unknown') throw conflict(`territory ${into[i]!.id} already exists`);
        });
        let parent: Territory = { status: 'Unknown' };
        const r = await runCommand(
          req,
          reply,
          deps,
          p,
          await territoryStreamFor(deps, programme.id, id),
          territoryDecider,
          (state): TerritoryCommand => {
            parent = state;
            return {
              type: 'SplitTerritory',
              data: {
                territoryId: id,
                into: into.map((t) => ({ territoryId: t.id, name: t.name, epcis: t.epcis })),
                splitOn,
                ...(reason ? { reason } : {}),
              },
              metadata: { actor: p, today, programme },
            };
          },
        );
        const split = parent as Territory;
        if (split.status === 'Unknown') throw notFound(`territory ${id} does not exist`);
        const children = [];
        for (const [i, t] of into.entries()) {
          const c = await handleCommand(
            deps,
            streams[i]!,
            territoryDecider,
            {
              type: 'LabelTerritory',
              data: {
                territoryId: t.id,
                programme: split.programme,
                name: t.name,
                regionCode: split.regionCode,
                epcis: t.epcis,
                labelledOn: splitOn,
                splitFrom: id,
              },
              metadata: { actor: p, today, programme },
            },
            { actor: actorOf(p), requestId: req.id, causationId: id },
          );
          children.push({ id: t.id, revision: Number(c.nextRevision) });
        }
        return commandAnswer(200, { ...r.body, territories: children }, r.nextRevision);
      });
    },
  );
};
