import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadAggregate } from '../../application/commandHandler.ts';
import { lineageOf, mayActFor, isKnownRegion } from '../../domain/kernel/regions.ts';
import {
  BusinessDate,
  RegionCode,
  Siren,
  forbidden,
  notFound,
  type CommandMetadata,
  type ProgrammeBounds,
} from '../../domain/kernel/shared.ts';
import {
  FirmSize,
  Grouping,
  NFI_PROGRAMME,
  NationalLead,
  PlanId,
  PlanName,
  Rank,
  groupingOf,
  planFacts,
  plansDecider,
  prioritiesDecider,
  type Plans,
  type PlansCommand,
  type PrioritiesCommand,
} from '../../domain/nouvelle-france-industrielle/index.ts';
import { plansStream, prioritiesStream } from '../../eventstore/streams.ts';
import { plansAsOf } from '../../projections/nfi-plans/queries.ts';
import { prioritiesAsOf } from '../../projections/nfi-priorities/queries.ts';
import { nfiReport, nfiReportCsv } from '../../projections/reports/nfi.ts';
import type { AppDeps } from '../app.ts';
import { guard, type Principal } from '../auth.ts';
import {
  CommandHeaders,
  CommandResult,
  commandAnswer,
  commandProblems,
  etagOf,
  runCommand,
  todayOf,
} from '../commands.ts';
import { idempotent } from '../idempotency.ts';
import { MinPosition, Problem, readYourWrites } from './read.ts';

/**
 * La Nouvelle France industrielle (2013–2016), docs/programmes.md and the README's routes:
 * the national plans (`/plans`, programme administrators) and each Region of 2013's priorities
 * (`/regions/{code}/...`: its regional officers, for its own Region and the Regions it
 * succeeded; the State's acceptance by programme administrators). Everyone with a token reads.
 */
const TAG = 'nfi';
const Text = (max: number) => z.string().trim().min(1).max(max);

export const LaunchPlanBody = z.strictObject({
  id: PlanId,
  name: PlanName,
  launchedOn: BusinessDate,
  synthetic: z.boolean().optional().describe('made up by the demo'),
});
export const PlanLeadsBody = z.strictObject({
  leads: z.array(NationalLead.strict()).min(1).max(2).describe("the plan's national project heads (one or two)"),
  appointedOn: BusinessDate,
});
export const PlanRenameBody = z.strictObject({ name: PlanName, renamedOn: BusinessDate });
export const RoadmapValidationBody = z.strictObject({
  committeeOn: BusinessDate.describe("the steering committee's date"),
});
export const RegroupingBody = z.strictObject({
  regroupedOn: BusinessDate,
  groupings: z.array(Grouping.strict()).min(1).max(40),
  unsourcedPlacements: z.array(PlanId).max(40).optional().describe('plans whose grouping no source gives'),
});
export const MandateBody = z.strictObject({ mandatedOn: BusinessDate, roadmapDueOn: BusinessDate });
export const ChoiceBody = z.strictObject({
  planId: PlanId,
  rank: Rank.describe('1: strategic plan; 2: regional priority'),
  chosenOn: BusinessDate,
  synthetic: z.boolean().optional(),
});
export const ChoiceWithdrawalBody = z.strictObject({ withdrawnOn: BusinessDate });
export const RegionalLeadBody = z.strictObject({
  person: Text(200).describe('the SME leader named chef de projet'),
  company: Text(200),
  siren: Siren,
  appointedOn: BusinessDate,
  synthetic: z.boolean().optional(),
});
export const RoadmapBody = z.strictObject({ submittedOn: BusinessDate });
export const AcceptanceBody = z.strictObject({ acceptedOn: BusinessDate });
export const SendBackBody = z.strictObject({ sentBackOn: BusinessDate, reason: Text(2000) });
export const FirmBody = z.strictObject({
  siren: Siren,
  name: Text(200),
  size: FirmSize.describe('SME (PME) or ETI'),
  selectedOn: BusinessDate,
  synthetic: z.boolean().optional(),
});

const PlanParams = z.strictObject({ id: PlanId });
const RegionParams = z.strictObject({ code: RegionCode });
const ChoiceParams = z.strictObject({ code: RegionCode, planId: PlanId });
const AsOfQuery = z.strictObject({ asOf: BusinessDate.optional(), minPosition: MinPosition });

const Lead = z.object({ name: z.string(), organisation: z.string(), synthetic: z.boolean().optional() });
const PlanView = z.object({
  id: z.string(),
  name: z.string(),
  launchedOn: z.string(),
  status: z.enum(['in_force', 'regrouped']),
  leads: z.array(Lead),
  leadsAppointedOn: z.string().nullable(),
  roadmapValidatedOn: z.string().nullable(),
  groupingId: z.string().nullable(),
  groupingName: z.string().nullable(),
});
const PlanList = z.object({
  asOf: z.string(),
  programme: z.string(),
  items: z.array(PlanView.extend({ synthetic: z.boolean() })),
});
const PlanOne = PlanView.extend({ revision: z.number().int(), asOf: z.string().nullable() });

const ChoiceView = z.object({
  planId: z.string(),
  planName: z.string(),
  rank: z.number().int(),
  chosenOn: z.string(),
  lead: z.object({ person: z.string(), company: z.string(), siren: z.string(), appointedOn: z.string() }).nullable(),
});
const PrioritiesView = z.object({
  regionCode: z.string(),
  name: z.string(),
  mandatedOn: z.string(),
  roadmap: z.object({
    status: z.enum(['due', 'overdue', 'submitted', 'accepted', 'sent_back']),
    dueOn: z.string(),
    submittedOn: z.string().nullable(),
    late: z.boolean(),
    acceptedOn: z.string().nullable(),
    sentBackOn: z.string().nullable(),
    sentBackReason: z.string().nullable(),
  }),
  rank1: z.array(ChoiceView),
  rank2: z.array(ChoiceView),
  usineDuFutur: z.array(
    z.object({ siren: z.string(), name: z.string(), size: z.string(), selectedOn: z.string(), synthetic: z.boolean() }),
  ),
});
const RegionPriorities = z.object({
  regionCode: z.string(),
  asOf: z.string(),
  programme: z.string(),
  regions: z.array(PrioritiesView).describe('the Region of 2013 asked for, or each Region of 2013 that became it'),
});

const Count = z.number().int();
const NfiReportView = z.object({
  asOf: z.string(),
  programme: z.string(),
  plansLaunched: Count,
  plansInForce: Count.describe('plans launched and not regrouped on the date'),
  plansWithValidatedRoadmap: Count,
  groupings: Count.describe('groupings of 2015 (Industrie du futur and the solutions); 0 before 2015-05-18'),
  regionsMandated: Count,
  regionsWithFullChoices: Count.describe('Regions holding 5 plans of rank 1 and 5 of rank 2'),
  roadmapsSubmitted: Count.describe('submitted or accepted on the date'),
  roadmapsAccepted: Count,
  roadmapsSubmittedLate: Count,
  roadmapsOverdue: Count.describe('not submitted and past their due date'),
  usineDuFuturFirms: Count,
  usineDuFuturBySize: z.object({ SME: Count, ETI: Count }),
  plans: z.array(
    z.object({
      planId: z.string(),
      name: z.string(),
      status: z.enum(['in_force', 'regrouped']),
      roadmapValidatedOn: z.string().nullable(),
      groupingId: z.string().nullable(),
      rank1: Count.describe('Regions holding the plan at rank 1'),
      rank2: Count,
    }),
  ),
  byGrouping: z.array(
    z.object({
      groupingId: z.string(),
      name: z.string(),
      plans: Count,
      roadmapsValidated: Count,
      rank1: Count,
      rank2: Count,
    }),
  ),
});

const wantsCsv = (req: FastifyRequest) => {
  const accept = req.headers.accept ?? '';
  return /\btext\/csv\b/.test(accept) && !/application\/json/.test(accept.split(',')[0] ?? '');
};

export const nfiRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: AppDeps = app.deps;
  const anyone = guard(deps.auth);
  const guards: Record<'admin' | 'officer', ReturnType<typeof guard>> = {
    admin: guard(deps.auth, 'programme_admin'),
    officer: guard(deps.auth, 'regional_officer'),
  };

  const programme = async (): Promise<ProgrammeBounds> => {
    const { kind: _k, ...b } = await deps.programmes.bounds(NFI_PROGRAMME);
    return b;
  };
  const metadata = async (p: Principal): Promise<CommandMetadata> => ({
    actor: p,
    today: todayOf(deps.clock),
    programme: await programme(),
  });

  /** A regional officer acts for its own Region and the Regions that became it (mayActFor). */
  const actFor = (p: Principal, code: string) => {
    if (!p.roles.includes('regional_officer')) return;
    if (!mayActFor(p.regions, code))
      throw forbidden(
        `region ${code} is not one of your regions (${p.regions.join(', ') || 'none'}) nor a Region they succeeded`,
      );
  };

  const command = <P extends z.ZodType, B extends z.ZodType, X extends Record<string, unknown>>(opts: {
    url: string;
    operationId: string;
    summary: string;
    description: string;
    who: 'admin' | 'officer';
    params?: P;
    body: B;
    status: 200 | 201;
    extra?: z.ZodRawShape;
    run: (
      req: FastifyRequest,
      reply: FastifyReply,
      p: Principal,
      params: z.infer<P>,
      body: z.infer<B>,
    ) => Promise<{ body: z.infer<typeof CommandResult>; nextRevision: bigint; extra?: X; location?: string }>;
  }) =>
    app.post(
      opts.url,
      {
        preParsing: guards[opts.who],
        schema: {
          operationId: opts.operationId,
          tags: [TAG],
          summary: opts.summary,
          description: opts.description,
          security: [{ bearer: [] }],
          headers: CommandHeaders,
          ...(opts.params ? { params: opts.params } : {}),
          body: opts.body,
          response: {
            [opts.status]: opts.extra ? CommandResult.extend(opts.extra) : CommandResult,
            ...commandProblems,
          },
        },
      },
      async (req, reply) => {
        const p = req.principal!;
        return idempotent(req, reply, deps.db, p, async () => {
          const r = await opts.run(req, reply, p, req.params as z.infer<P>, req.body as z.infer<B>);
          return commandAnswer(
            opts.status,
            { ...(r.extra ?? {}), ...r.body },
            r.nextRevision,
            r.location ? { location: r.location } : {},
          );
        });
      },
    );

  // ---- the national plans ---------------------------------------------------------------------

  const onPlans = async (
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal,
    build: (meta: CommandMetadata) => PlansCommand,
  ) => {
    const meta = await metadata(p);
    return runCommand(req, reply, deps, p, plansStream(), plansDecider, build(meta));
  };

  command({
    url: '/plans',
    operationId: 'launchPlan',
    summary: 'Launch a plan of La Nouvelle France industrielle (programme administrators)',
    description:
      "Records one of the programme's national plans (the 34 of 2013-09-12). Its id is unique within the programme, and so is its name; no plan is launched after the 2015 regrouping. The ETag is the revision of the programme's plan catalogue (one stream, docs/adr/0012).",
    who: 'admin',
    body: LaunchPlanBody,
    status: 201,
    extra: { id: z.string() },
    run: async (req, reply, p, _params, b) => {
      const r = await onPlans(req, reply, p, (metadata) => ({
        type: 'LaunchPlan',
        data: { planId: b.id, name: b.name, launchedOn: b.launchedOn, ...(b.synthetic ? { synthetic: true } : {}) },
        metadata,
      }));
      return { ...r, extra: { id: b.id }, location: `/plans/${b.id}` };
    },
  });

  command({
    url: '/plans/:id/leads',
    operationId: 'appointPlanLeads',
    summary: "Appoint a plan's national project heads (programme administrators)",
    description:
      'One or two people with their organisation, from `appointedOn` (replacing earlier heads). Refused for an unknown plan (404) or after the regrouping (409, rule plan-not-regrouped).',
    who: 'admin',
    params: PlanParams,
    body: PlanLeadsBody,
    status: 200,
    run: (req, reply, p, { id }, b) =>
      onPlans(req, reply, p, (metadata) => ({ type: 'AppointPlanLeads', data: { planId: id, ...b }, metadata })),
  });

  command({
    url: '/plans/:id/renames',
    operationId: 'renamePlan',
    summary: 'Rename a plan (programme administrators)',
    description: 'Hôpital numérique became Santé numérique, for instance. The new name is unique within the programme.',
    who: 'admin',
    params: PlanParams,
    body: PlanRenameBody,
    status: 200,
    run: (req, reply, p, { id }, b) =>
      onPlans(req, reply, p, (metadata) => ({ type: 'RenamePlan', data: { planId: id, ...b }, metadata })),
  });

  command({
    url: '/plans/:id/roadmap-validations',
    operationId: 'validatePlanRoadmap',
    summary: "Record that a steering committee validated a plan's roadmap (programme administrators)",
    description: "A plan's roadmap is validated once (409, rule plan-roadmap-validated-once), dated by the committee.",
    who: 'admin',
    params: PlanParams,
    body: RoadmapValidationBody,
    status: 200,
    run: (req, reply, p, { id }, b) =>
      onPlans(req, reply, p, (metadata) => ({ type: 'ValidatePlanRoadmap', data: { planId: id, ...b }, metadata })),
  });

  command({
    url: '/plan-regroupings',
    operationId: 'regroupPlans',
    summary: 'Regroup the plans into Industrie du futur and the solutions of 2015 (programme administrators)',
    description:
      'Once (rule plans-regrouped-once): every plan of the catalogue goes into exactly one grouping (rule regroup-each-plan-into-one). From `regroupedOn` no plan is chosen, renamed, led or validated any more.',
    who: 'admin',
    body: RegroupingBody,
    status: 201,
    run: (req, reply, p, _params, b) =>
      onPlans(req, reply, p, (metadata) => ({ type: 'RegroupPlans', data: { ...b }, metadata })),
  });

  app.get(
    '/plans',
    {
      preParsing: anyone,
      preHandler: readYourWrites(deps),
      schema: {
        operationId: 'listPlans',
        tags: [TAG],
        summary: 'The national plans as of a business date (default today)',
        description:
          'Every plan launched on or before `asOf`, with its name, national project heads, roadmap validation and, from 2015-05-18, the grouping it went into (read.nfi_plans).',
        security: [{ bearer: [] }],
        querystring: AsOfQuery,
        response: { 200: PlanList, 400: Problem, 401: Problem, 503: Problem },
      },
    },
    async (req) => {
      const asOf = req.query.asOf ?? todayOf(deps.clock);
      const items = (await plansAsOf(deps.db, asOf, NFI_PROGRAMME)).map(({ planId, ...rest }) => ({
        id: planId,
        ...rest,
      }));
      return { asOf, programme: NFI_PROGRAMME, items };
    },
  );

  app.get(
    '/plans/:id',
    {
      preParsing: anyone,
      schema: {
        operationId: 'getPlan',
        tags: [TAG],
        summary: 'A plan as the log says now (or as of a business date)',
        description:
          "Folded from the programme's plan catalogue stream; the ETag is the catalogue's revision (pass it as If-Match to the plan's commands).",
        security: [{ bearer: [] }],
        params: PlanParams,
        querystring: z.strictObject({ asOf: BusinessDate.optional() }),
        response: { 200: PlanOne, 400: Problem, 401: Problem, 404: Problem },
      },
    },
    async (req, reply) => {
      const { asOf } = req.query;
      const loaded = await loadAggregate(
        deps,
        plansStream(),
        plansDecider,
        asOf ? (recorded) => recorded.metadata.occurredOn <= asOf : undefined,
      );
      const s: Plans = loaded.state;
      const plan = s.plans.get(req.params.id);
      if (!plan) throw notFound(`plan ${req.params.id} ${asOf ? `did not exist on ${asOf}` : 'does not exist'}`);
      reply.header('etag', etagOf(loaded.revision));
      const g = groupingOf(s, plan.id);
      return {
        id: plan.id,
        name: plan.name,
        launchedOn: plan.launchedOn,
        status: s.regrouping ? ('regrouped' as const) : ('in_force' as const),
        leads: plan.leads,
        leadsAppointedOn: plan.leadsAppointedOn,
        roadmapValidatedOn: plan.roadmapValidatedOn,
        groupingId: g?.solutionId ?? null,
        groupingName: g?.name ?? null,
        revision: Number(asOf ? (loaded.events.at(-1)?.revision ?? -1n) : loaded.revision),
        asOf: asOf ?? null,
      };
    },
  );

  // ---- a Region's priorities ------------------------------------------------------------------

  const onRegion = async (
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal,
    code: string,
    build: (meta: CommandMetadata) => PrioritiesCommand | Promise<PrioritiesCommand>,
  ) => {
    actFor(p, code);
    const cmd = await build(await metadata(p));
    return runCommand(req, reply, deps, p, prioritiesStream(code), prioritiesDecider, cmd);
  };

  command({
    url: '/regions/:code/mandate',
    operationId: 'mandateRegion',
    summary: 'Mandate a Region of 2013 to deploy the plans (programme administrators)',
    description:
      'The State made the 22 metropolitan Regions of 2013 the engine of the plans (2013-11-26), their roadmap due by `roadmapDueOn` (2014-03-31). `code` is the INSEE code of 2013 (Lorraine is 41): rule region-of-2013.',
    who: 'admin',
    params: RegionParams,
    body: MandateBody,
    status: 201,
    run: (req, reply, p, { code }, b) =>
      onRegion(req, reply, p, code, (metadata) => ({
        type: 'MandateRegion',
        data: { regionCode: code, ...b },
        metadata,
      })),
  });

  command({
    url: '/regions/:code/plan-choices',
    operationId: 'choosePlan',
    summary: "Record a Region's choice of a plan at rank 1 or 2 (the Region's officers)",
    description:
      'At most 5 plans of each rank (rule at-most-five-per-rank), one rank per plan (one-rank-per-plan), never Usine du futur (usine-du-futur-never-chosen), a plan that exists and is not regrouped on `chosenOn` (plan-exists, plan-not-regrouped), on or after the mandate, and not once the roadmap is submitted unless the State sent it back (choices-locked-after-submission). An officer acts for its own Region and the Regions it succeeded (Grand Est for Lorraine).',
    who: 'officer',
    params: RegionParams,
    body: ChoiceBody,
    status: 201,
    extra: { planId: z.string() },
    run: async (req, reply, p, { code }, b) => {
      const r = await onRegion(req, reply, p, code, async (metadata) => {
        const plans = await loadAggregate(deps, plansStream(), plansDecider);
        return {
          type: 'ChoosePlan',
          data: {
            regionCode: code,
            planId: b.planId,
            rank: b.rank,
            chosenOn: b.chosenOn,
            plan: planFacts(plans.state, b.planId),
            ...(b.synthetic ? { synthetic: true } : {}),
          },
          metadata,
        };
      });
      return { ...r, extra: { planId: b.planId } };
    },
  });

  command({
    url: '/regions/:code/plan-choices/:planId/withdrawal',
    operationId: 'withdrawPlanChoice',
    summary: "Withdraw a Region's choice of a plan (the Region's officers)",
    description: 'Frees its rank. Not once the roadmap is submitted, unless the State sent it back.',
    who: 'officer',
    params: ChoiceParams,
    body: ChoiceWithdrawalBody,
    status: 200,
    run: (req, reply, p, { code, planId }, b) =>
      onRegion(req, reply, p, code, (metadata) => ({
        type: 'WithdrawPlanChoice',
        data: { regionCode: code, planId, ...b },
        metadata,
      })),
  });

  command({
    url: '/regions/:code/plan-choices/:planId/lead',
    operationId: 'appointRegionalPlanLead',
    summary: "Name the SME leader of a Region's chosen plan (the Region's officers)",
    description: 'The chef de projet who relays the plan to the national level: a person, the company and its SIREN.',
    who: 'officer',
    params: ChoiceParams,
    body: RegionalLeadBody,
    status: 200,
    run: (req, reply, p, { code, planId }, b) =>
      onRegion(req, reply, p, code, (metadata) => ({
        type: 'AppointRegionalPlanLead',
        data: { regionCode: code, planId, ...b },
        metadata,
      })),
  });

  command({
    url: '/regions/:code/roadmap',
    operationId: 'submitRoadmap',
    summary: "Submit a Region's roadmap to the government (the Region's officers)",
    description:
      'Only with 5 plans of rank 1 and 5 of rank 2 (rule roadmap-five-plus-five), each with its SME leader (roadmap-lead-for-each-choice). After the due date it is recorded and marked late.',
    who: 'officer',
    params: RegionParams,
    body: RoadmapBody,
    status: 200,
    run: (req, reply, p, { code }, b) =>
      onRegion(req, reply, p, code, (metadata) => ({
        type: 'SubmitRoadmap',
        data: { regionCode: code, ...b },
        metadata,
      })),
  });

  command({
    url: '/regions/:code/roadmap/acceptance',
    operationId: 'acceptRoadmap',
    summary: "The State accepts a Region's submitted roadmap (programme administrators)",
    description: 'Only a submitted roadmap (rule roadmap-status), on or after its submission.',
    who: 'admin',
    params: RegionParams,
    body: AcceptanceBody,
    status: 200,
    run: (req, reply, p, { code }, b) =>
      onRegion(req, reply, p, code, (metadata) => ({
        type: 'AcceptRoadmap',
        data: { regionCode: code, ...b },
        metadata,
      })),
  });

  command({
    url: '/regions/:code/roadmap/sending-back',
    operationId: 'sendBackRoadmap',
    summary: "The State sends a Region's submitted roadmap back, with a reason (programme administrators)",
    description: 'Its choices may then change again, and the roadmap be submitted anew.',
    who: 'admin',
    params: RegionParams,
    body: SendBackBody,
    status: 200,
    run: (req, reply, p, { code }, b) =>
      onRegion(req, reply, p, code, (metadata) => ({
        type: 'SendBackRoadmap',
        data: { regionCode: code, ...b },
        metadata,
      })),
  });

  command({
    url: '/regions/:code/usine-du-futur',
    operationId: 'selectCompanyForUsineDuFutur',
    summary: "Select a firm of the Region for Usine du futur (the Region's officers)",
    description: 'An SME or ETI, by SIREN, once per Region (rule usine-du-futur-firm-once), on or after the mandate.',
    who: 'officer',
    params: RegionParams,
    body: FirmBody,
    status: 201,
    extra: { siren: z.string() },
    run: async (req, reply, p, { code }, b) => {
      const r = await onRegion(req, reply, p, code, (metadata) => ({
        type: 'SelectCompanyForUsineDuFutur',
        data: { regionCode: code, ...b },
        metadata,
      }));
      return { ...r, extra: { siren: b.siren } };
    },
  });

  app.get(
    '/regions/:code/priorities',
    {
      preParsing: anyone,
      preHandler: readYourWrites(deps),
      schema: {
        operationId: 'getRegionPriorities',
        tags: [TAG],
        summary: "A Region's NFI priorities as of a business date (default today)",
        description:
          'For a Region of 2013: its choices by rank with their SME leaders, its roadmap (due, overdue, submitted on, late, accepted, sent back), its Usine du futur firms. For a Region of today (Grand Est, 44): each Region of 2013 that became it.',
        security: [{ bearer: [] }],
        params: RegionParams,
        querystring: AsOfQuery,
        response: { 200: RegionPriorities, 400: Problem, 401: Problem, 404: Problem, 503: Problem },
      },
    },
    async (req) => {
      const { code } = req.params;
      if (!isKnownRegion(code)) throw notFound(`region ${code} is not a Region of INSEE's COG`);
      const asOf = req.query.asOf ?? todayOf(deps.clock);
      const regions = await prioritiesAsOf(deps.db, lineageOf(code), asOf, NFI_PROGRAMME);
      return { regionCode: code, asOf, programme: NFI_PROGRAMME, regions };
    },
  );

  app.get(
    '/reports/nfi',
    {
      preParsing: anyone,
      preHandler: readYourWrites(deps),
      schema: {
        operationId: 'getNfiReport',
        tags: ['reports'],
        summary: "La Nouvelle France industrielle's figures as of a business date; JSON, or CSV with Accept: text/csv",
        description:
          'Plans in force and with a validated roadmap, Regions mandated, with 5 + 5 choices, with a submitted / accepted / late / overdue roadmap, per plan how many Regions hold it at rank 1 and rank 2, Usine du futur firms; from 2015-05-18 the same by grouping (Industrie du futur and the 9 solutions). CSV: `section,key,metric,value`.',
        security: [{ bearer: [] }],
        querystring: AsOfQuery,
        response: {
          200: {
            description: 'The report: JSON, or CSV (one line per figure) with Accept: text/csv',
            content: {
              'application/json': { schema: NfiReportView },
              'text/csv': { schema: z.string().describe('CSV with a header line: section,key,metric,value') },
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
      const report = await nfiReport(deps.db, asOf, NFI_PROGRAMME);
      if (wantsCsv(req))
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `inline; filename="nfi-${asOf}.csv"`)
          .serializer((p: string) => p)
          .send(nfiReportCsv(report));
      return report;
    },
  );
};
