import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadAggregate } from '../../application/commandHandler.ts';
import {
  AmountEur,
  BusinessDate,
  RegionCode,
  Siren,
  forbidden,
  notFound,
  validationError,
} from '../../domain/kernel/shared.ts';
import {
  Campaign,
  ContractParty,
  FuiCallNumber,
  FuiProjectId,
  ImpactIndicator,
  POLES_PROGRAMME,
  PerformanceContractId,
  PoleCategory,
  PoleId,
  Rating,
  fuiCallDecider,
  fuiProjectDecider,
  performanceContractDecider,
  poleDecider,
  type FuiProjectCommand,
  type KnownFuiProject,
  type PerformanceContractCommand,
  type Pole,
  type PoleCommand,
} from '../../domain/poles-competitivite/index.ts';
import type { Decider } from '../../domain/kernel/decider.ts';
import type { DomainEvent, ProgrammeBounds } from '../../domain/kernel/shared.ts';
import { fuiCallStream, fuiProjectStream, performanceContractStream, poleStream } from '../../eventstore/streams.ts';
import { polePage, polesLabelledOn } from '../../projections/poles/queries.ts';
import { polesReport, polesReportCsv } from '../../projections/reports/poles.ts';
import type { AppDeps } from '../app.ts';
import { guard, type Principal } from '../auth.ts';
import { CommandHeaders, CommandResult, commandAnswer, commandProblems, runCommand, todayOf } from '../commands.ts';
import { idempotent, idFromKey } from '../idempotency.ts';
import { Cursor, Next, nextOffset, offsetOf } from '../paging.ts';
import { MinPosition, Problem, readYourWrites } from './read.ts';

/**
 * The pôles de compétitivité (issue 18): pôles labelled, evaluated, merged by the State;
 * performance contracts drafted by the pôle's manager and co-validated by the State and each
 * Region concerned; FUI calls and projects. Who may do what: README, "Pôles de compétitivité".
 */
const Text = (max: number) => z.string().trim().min(1).max(max);
const TAG = 'poles';

const LabelTerms = {
  phase: z.number().int().min(1).max(5),
  category: PoleCategory.nullable().optional().describe('phases 1–3 only: mondial, vocation_mondiale, national'),
  endsOn: BusinessDate.describe('last day the label holds'),
  probationMonths: z.number().int().min(1).max(48).nullable().optional().describe('when labelled on probation'),
};
export const LabelPoleBody = z.strictObject({
  id: PoleId,
  name: Text(200),
  theme: Text(200),
  mainRegion: RegionCode,
  otherRegions: z.array(RegionCode).max(18).optional(),
  labelledOn: BusinessDate,
  synthetic: z.boolean().optional(),
  ...LabelTerms,
});
const RenewBody = z.strictObject({ renewedOn: BusinessDate, ...LabelTerms });
const ProbationBody = z.strictObject({ outcome: z.enum(['kept', 'delabelled']), endedOn: BusinessDate });
const DelabelBody = z.strictObject({ delabelledOn: BusinessDate, reason: Text(2000) });
const EvaluationBody = z.strictObject({ campaign: Campaign, rating: Rating, evaluatedOn: BusinessDate });
const CategoryBody = z.strictObject({ category: PoleCategory, changedOn: BusinessDate });
const MergerBody = z.strictObject({
  poles: z.array(PoleId).min(2).max(10).describe('the pôles merged: their labels close'),
  into: LabelPoleBody.omit({ labelledOn: true }).describe('the pôle their merger opens'),
  mergedOn: BusinessDate,
});
const DraftBody = z.strictObject({
  id: PerformanceContractId.optional().describe('chosen by the caller; a UUID otherwise'),
  title: Text(300),
  periodFrom: z.number().int().min(2005).max(2026),
  periodTo: z.number().int().min(2005).max(2026),
  draftedOn: BusinessDate,
});
const CommitmentBody = z.strictObject({
  party: ContractParty,
  regionCode: RegionCode.nullable().optional().describe('the committing Region (party `region`)'),
  partyName: Text(200),
  partySiren: Siren.nullable().optional(),
  objective: Text(500).nullable().optional().describe("the pôle's own objective it serves; none: axis-free"),
  description: Text(2000),
  amountEur: AmountEur,
  dueOn: BusinessDate,
  madeOn: BusinessDate,
});
const ObjectiveBody = z.strictObject({
  indicator: ImpactIndicator,
  target: z.number().positive().max(1e12),
  dueOn: BusinessDate,
  setOn: BusinessDate,
});
const SubmitBody = z.strictObject({ submittedOn: BusinessDate });
const Decision = z.enum(['validated', 'refused']);
const StateDecisionBody = z.strictObject({
  decision: Decision,
  decidedOn: BusinessDate,
  comment: Text(2000).optional().describe('required for a refusal: its reason'),
});
const RegionDecisionBody = StateDecisionBody.extend({
  regionCode: RegionCode.optional().describe("the Region deciding (default: the token's only Region)"),
}).strict();
const ReviewBody = z.strictObject({
  reviewedOn: BusinessDate,
  results: z
    .array(z.strictObject({ objectiveId: PerformanceContractId, achieved: z.number().nonnegative() }))
    .min(1)
    .max(50),
  comment: Text(2000).optional(),
});
const CallBody = z.strictObject({
  number: FuiCallNumber,
  opensOn: BusinessDate,
  closesOn: BusinessDate,
  synthetic: z.boolean().optional().describe('the window is made up'),
});
const ResultsBody = z.strictObject({
  publishedOn: BusinessDate,
  submitted: z.number().int().nonnegative(),
  selected: z.number().int().nonnegative(),
  stateEur: AmountEur,
  localAuthoritiesEur: AmountEur,
  source: Text(500),
});
const MemberBody = z.strictObject({
  name: Text(200),
  kind: z.enum(['firm', 'lab']),
  siren: Siren.nullable().optional(),
  size: z.enum(['sme', 'eti', 'large']).nullable().optional(),
  lead: z.boolean().optional(),
});
export const SubmitProjectBody = z.strictObject({
  id: FuiProjectId.optional().describe('chosen by the caller; a UUID otherwise'),
  callNumber: FuiCallNumber,
  title: Text(300),
  consortium: z.array(MemberBody).min(1).max(50),
  labellingPoles: z.array(PoleId).max(10),
  budgetEur: AmountEur,
  impactObjectives: z
    .array(z.strictObject({ indicator: ImpactIndicator, target: z.number().nonnegative() }))
    .max(20)
    .optional(),
  submittedOn: BusinessDate,
  synthetic: z.boolean().optional(),
});
const SelectBody = z.strictObject({ stateGrantEur: AmountEur, selectedOn: BusinessDate });
const RejectBody = z.strictObject({ rejectedOn: BusinessDate, reason: Text(2000) });
const CoFundBody = z.strictObject({
  regionCode: RegionCode.optional().describe("the co-funding Region (default: the token's only Region)"),
  amountEur: AmountEur,
  decidedOn: BusinessDate,
});
const StartBody = z.strictObject({ startedOn: BusinessDate });
const CompleteBody = z.strictObject({ completedOn: BusinessDate });
const ImpactBody = z.strictObject({
  reportedOn: BusinessDate,
  productsServices: z.number().int().nonnegative(),
  jobs: z.number().int().nonnegative(),
  revenueEur: AmountEur,
  patents: z.number().int().nonnegative(),
});

const Id = z.strictObject({ id: z.string().min(1).max(64) });
const AsOf = { asOf: BusinessDate.optional().describe('business date (default today)'), minPosition: MinPosition };

type Answer = { body: z.infer<typeof CommandResult>; nextRevision: bigint };

export const poleRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: AppDeps = app.deps;
  const admin = guard(deps.auth, 'programme_admin');
  const manager = guard(deps.auth, 'pole_manager');
  const officer = guard(deps.auth, 'regional_officer');
  const reader = guard(deps.auth);
  let bounds: ProgrammeBounds | undefined;
  const meta = async (p: Principal) => {
    if (!bounds) {
      const { kind: _k, ...b } = await deps.programmes.bounds(POLES_PROGRAMME);
      bounds = b;
    }
    return { actor: p, today: todayOf(deps.clock), programme: bounds };
  };
  const poleState = async (id: string) => (await loadAggregate(deps, poleStream(id), poleDecider)).state;
  const callState = async (n: number) => (await loadAggregate(deps, fuiCallStream(n), fuiCallDecider)).state;
  const ownPole = (p: Principal, poleId: string) => {
    if (!p.poles.includes(poleId))
      throw forbidden(`pôle ${poleId} is not in your pôles (${p.poles.join(', ') || 'none'})`);
  };
  /** The Region an officer decides for: the one named (it must be theirs), or their only Region. */
  const officerRegion = (p: Principal, named: string | undefined) => {
    const code = named ?? (p.regions.length === 1 ? p.regions[0] : undefined);
    if (!code)
      throw validationError('regionCode: your token holds several Regions: name the one deciding', {
        field: 'regionCode',
      });
    return code;
  };

  /** Registers `POST <url>` for one command: guard before the body, idempotency, `{ revision, position }`. */
  function command<B extends z.ZodType, P extends z.ZodType>(
    url: string,
    o: {
      operationId: string;
      summary: string;
      description: string;
      guard: (req: FastifyRequest) => Promise<void>;
      body: B;
      params?: P;
      created?: string;
    },
    run: (
      req: FastifyRequest,
      reply: FastifyReply,
      p: Principal,
      body: z.infer<B>,
      params: z.infer<P>,
    ) => Promise<Answer & { id?: string }>,
  ) {
    app.post(
      url,
      {
        preParsing: o.guard,
        schema: {
          operationId: o.operationId,
          tags: [TAG],
          summary: o.summary,
          description: o.description,
          security: [{ bearer: [] }],
          headers: CommandHeaders,
          ...(o.params ? { params: o.params } : {}),
          body: o.body,
          response: o.created
            ? { 201: CommandResult.extend({ id: z.string() }), ...commandProblems }
            : { 200: CommandResult, ...commandProblems },
        },
      },
      async (req, reply) => {
        const p = req.principal!;
        return idempotent(req, reply, deps.db, p, async () => {
          const r = await run(req, reply, p, req.body as z.infer<B>, req.params as z.infer<P>);
          if (o.created) {
            const id = r.id!;
            return commandAnswer(201, { id, ...r.body }, r.nextRevision, { location: `${o.created}/${id}` });
          }
          return commandAnswer(200, r.body, r.nextRevision);
        });
      },
    );
  }
  const exec = <C, E extends DomainEvent, S>(
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal,
    stream: string,
    decider: Decider<C, E, S>,
    cmd: C | ((s: S) => C),
  ) => runCommand(req, reply, deps, p, stream, decider, cmd);

  // ---- pôles (State) ---------------------------------------------------------------------------
  const onPole =
    (type: PoleCommand['type']) =>
    async (req: FastifyRequest, reply: FastifyReply, p: Principal, body: object, params: { id: string }) =>
      exec(req, reply, p, poleStream(params.id), poleDecider, {
        type,
        data: { poleId: params.id, ...body },
        metadata: await meta(p),
      } as unknown as PoleCommand);

  command(
    '/poles',
    {
      operationId: 'labelPole',
      summary: 'Label a pôle de compétitivité for a phase (programme administrators)',
      description:
        'Records PoleLabelled: name, theme, main Region and others, category (phases 1–3), phase, the last day the label holds, probation months when on probation.',
      guard: admin,
      body: LabelPoleBody,
      created: '/poles',
    },
    async (req, reply, p, { id, ...b }) => ({
      id,
      ...(await exec(req, reply, p, poleStream(id), poleDecider, {
        type: 'LabelPole',
        data: { poleId: id, ...b },
        metadata: await meta(p),
      })),
    }),
  );
  command(
    '/poles/:id/labels',
    {
      operationId: 'renewPoleLabel',
      summary: "Renew a pôle's label for a phase (programme administrators)",
      description: 'Records PoleLabelRenewed; an unresolved probation must be resolved first.',
      guard: admin,
      body: RenewBody,
      params: Id,
    },
    onPole('RenewPoleLabel'),
  );
  command(
    '/poles/:id/probation-end',
    {
      operationId: 'endPoleProbation',
      summary: "Resolve a pôle's probation: kept or delabelled (programme administrators)",
      description: "Records PoleProbationEnded, before the label's end.",
      guard: admin,
      body: ProbationBody,
      params: Id,
    },
    onPole('EndPoleProbation'),
  );
  command(
    '/poles/:id/delabelling',
    {
      operationId: 'delabelPole',
      summary: 'Delabel a pôle (programme administrators)',
      description: 'Records PoleDelabelled: the pôle labels nothing after that date.',
      guard: admin,
      body: DelabelBody,
      params: Id,
    },
    onPole('DelabelPole'),
  );
  command(
    '/poles/:id/evaluations',
    {
      operationId: 'evaluatePole',
      summary: "Record a pôle's evaluation (programme administrators)",
      description:
        'Records PoleEvaluated: campaign 2008 (met, partly_met, to_reconfigure) or 2012 (tres_performant, performant, moins_performant), once per campaign, while labelled.',
      guard: admin,
      body: EvaluationBody,
      params: Id,
    },
    onPole('EvaluatePole'),
  );
  command(
    '/poles/:id/category-changes',
    {
      operationId: 'changePoleCategory',
      summary: "Change a pôle's category (programme administrators)",
      description: 'Records PoleCategoryChanged (phases 1–3).',
      guard: admin,
      body: CategoryBody,
      params: Id,
    },
    onPole('ChangePoleCategory'),
  );
  command(
    '/poles/mergers',
    {
      operationId: 'mergePoles',
      summary: 'Merge pôles: their labels close, one opens (programme administrators)',
      description:
        "Labels the merged pôle (PoleLabelled naming them in mergedFrom), then records PolesMerged in each merged pôle's stream. A repeat with the same Idempotency-Key completes a merger cut short.",
      guard: admin,
      body: MergerBody,
      created: '/poles',
    },
    async (req, reply, p, b) => {
      for (const id of b.poles) {
        const s = await poleState(id);
        if (s.status === 'Unknown') throw notFound(`pôle ${id} does not exist`);
      }
      const m = await meta(p);
      const { id, ...into } = b.into;
      // a repeat of a merger cut short completes it: what is recorded already is not written again
      const before = await poleState(id);
      const again = before.status !== 'Unknown' && before.mergedFrom.join() === b.poles.join();
      const r = again
        ? { body: { revision: -1, position: null }, nextRevision: -1n }
        : await exec(req, reply, p, poleStream(id), poleDecider, {
            type: 'LabelPole',
            data: { poleId: id, ...into, labelledOn: b.mergedOn, mergedFrom: b.poles },
            metadata: m,
          });
      for (const from of b.poles) {
        const s = await poleState(from);
        if (s.status === 'Closed' && s.mergedInto === id) continue;
        await exec(req, reply, p, poleStream(from), poleDecider, {
          type: 'MergePole',
          data: { poleId: from, into: id, mergedWith: b.poles.filter((x) => x !== from), mergedOn: b.mergedOn },
          metadata: m,
        });
      }
      reply.header('etag', `"${r.nextRevision}"`);
      return { id, ...r };
    },
  );

  // ---- performance contracts -------------------------------------------------------------------
  command(
    '/poles/:id/performance-contracts',
    {
      operationId: 'draftPerformanceContract',
      summary: "Draft a pôle's performance contract for a period (its pôle managers)",
      description:
        "Records PerformanceContractDrafted for a labelled pôle; the Regions concerned are the pôle's (main and others): each validates it with the State.",
      guard: manager,
      body: DraftBody,
      params: Id,
      created: '/performance-contracts',
    },
    async (req, reply, p, { id: chosen, ...b }, params) => {
      ownPole(p, params.id);
      const id = chosen ?? idFromKey(req, p, 'performance-contract');
      const pole = await poleState(params.id);
      const r = await exec(req, reply, p, performanceContractStream(id), performanceContractDecider, {
        type: 'DraftPerformanceContract',
        data: { contractId: id, poleId: params.id, ...b, pole },
        metadata: await meta(p),
      });
      return { id, ...r };
    },
  );
  /** A command on an existing contract, by a role-specific check. */
  const onContract =
    (
      build: (p: Principal, id: string, body: never) => Omit<PerformanceContractCommand, 'metadata'>,
      who: 'manager' | 'any',
    ) =>
    async (req: FastifyRequest, reply: FastifyReply, p: Principal, body: object, params: { id: string }) => {
      const m = await meta(p);
      return exec(req, reply, p, performanceContractStream(params.id), performanceContractDecider, (s) => {
        if (s.status === 'Unknown') throw notFound(`performance contract ${params.id} does not exist`);
        if (who === 'manager') ownPole(p, s.poleId);
        return { ...build(p, params.id, body as never), metadata: m } as PerformanceContractCommand;
      });
    };
  command(
    '/performance-contracts/:id/commitments',
    {
      operationId: 'makePerformanceCommitment',
      summary: 'Record a commitment of the State, a Region, the pôle or a member (its pôle managers)',
      description: 'Records PerformanceCommitmentMade on a draft: a Region party names one of the Regions concerned.',
      guard: manager,
      body: CommitmentBody,
      params: Id,
    },
    async (req, reply, p, b, params) =>
      onContract(
        (_p, id, body: z.infer<typeof CommitmentBody>) => ({
          type: 'MakePerformanceCommitment',
          data: { contractId: id, commitmentId: idFromKey(req, p, `pc-commitment:${id}`), ...body },
        }),
        'manager',
      )(req, reply, p, b, params),
  );
  command(
    '/performance-contracts/:id/objectives',
    {
      operationId: 'setImpactObjective',
      summary: 'Set a quantified economic-impact objective (its pôle managers)',
      description: 'Records ImpactObjectiveSet on a draft.',
      guard: manager,
      body: ObjectiveBody,
      params: Id,
    },
    async (req, reply, p, b, params) =>
      onContract(
        (_p, id, body: z.infer<typeof ObjectiveBody>) => ({
          type: 'SetImpactObjective',
          data: { contractId: id, objectiveId: idFromKey(req, p, `pc-objective:${id}`), ...body },
        }),
        'manager',
      )(req, reply, p, b, params),
  );
  command(
    '/performance-contracts/:id/submit',
    {
      operationId: 'submitPerformanceContract',
      summary: 'Submit a performance contract for co-validation (its pôle managers)',
      description:
        'Needs a commitment of the State, of the pôle and of each Region concerned, and at least one impact objective.',
      guard: manager,
      body: SubmitBody,
      params: Id,
    },
    onContract(
      (_p, id, body: z.infer<typeof SubmitBody>) => ({
        type: 'SubmitPerformanceContract',
        data: { contractId: id, ...body },
      }),
      'manager',
    ),
  );
  command(
    '/performance-contracts/:id/state-decision',
    {
      operationId: 'decidePerformanceContractForState',
      summary: "The State's decision on a submitted performance contract (programme administrators)",
      description:
        'Validated alone it is not validated: it is once the State and each Region concerned validated the same submission. A refusal (with its reason in comment) sends it back.',
      guard: admin,
      body: StateDecisionBody,
      params: Id,
    },
    onContract(
      (_p, id, body: z.infer<typeof StateDecisionBody>) => ({
        type: 'DecidePerformanceContractForState',
        data: { contractId: id, ...body },
      }),
      'any',
    ),
  );
  command(
    '/performance-contracts/:id/region-decisions',
    {
      operationId: 'decidePerformanceContractForRegion',
      summary: "A Region's decision on a submitted performance contract (regional officers, own Region)",
      description:
        "A Region not concerned by the contract, or a token of another Region, gets 403 and nothing is written. A token of today's Region acts for its predecessors.",
      guard: officer,
      body: RegionDecisionBody,
      params: Id,
    },
    onContract((p, id, body: z.infer<typeof RegionDecisionBody>) => {
      const { regionCode, ...rest } = body;
      return {
        type: 'DecidePerformanceContractForRegion',
        data: { contractId: id, regionCode: officerRegion(p, regionCode), officerRegions: p.regions, ...rest },
      };
    }, 'any'),
  );
  command(
    '/performance-contracts/:id/mid-term-reviews',
    {
      operationId: 'recordMidTermReview',
      summary: 'Record the mid-term review against the objectives (its pôle managers)',
      description: 'Records MidTermReviewRecorded on a co-validated contract.',
      guard: manager,
      body: ReviewBody,
      params: Id,
    },
    onContract(
      (_p, id, body: z.infer<typeof ReviewBody>) => ({
        type: 'RecordMidTermReview',
        data: { contractId: id, ...body },
      }),
      'manager',
    ),
  );

  // ---- FUI ------------------------------------------------------------------------------------
  command(
    '/fui/calls',
    {
      operationId: 'openFuiCall',
      summary: 'Open a FUI call for projects (programme administrators)',
      description: 'Records FuiCallOpened: its number and window.',
      guard: admin,
      body: CallBody,
      created: '/fui/calls',
    },
    async (req, reply, p, b) => {
      const r = await exec(req, reply, p, fuiCallStream(b.number), fuiCallDecider, {
        type: 'OpenFuiCall',
        data: { callNumber: b.number, opensOn: b.opensOn, closesOn: b.closesOn, synthetic: b.synthetic },
        metadata: await meta(p),
      });
      return { id: String(b.number), ...r };
    },
  );
  command(
    '/fui/calls/:id/results',
    {
      operationId: 'publishFuiCallResults',
      summary: "Record a FUI call's published results (programme administrators)",
      description:
        "Records FuiCallResultsPublished: submitted, selected, State and local authorities' euros, source; after the window closes.",
      guard: admin,
      body: ResultsBody,
      params: Id,
    },
    async (req, reply, p, b, params) =>
      exec(req, reply, p, fuiCallStream(Number(params.id)), fuiCallDecider, {
        type: 'PublishFuiCallResults',
        data: { callNumber: Number(params.id), ...b },
        metadata: await meta(p),
      }),
  );
  command(
    '/fui/projects',
    {
      operationId: 'submitFuiProject',
      summary: 'Submit a FUI project to a call (pôle managers of a labelling pôle)',
      description:
        "At least two firms (with SIREN and size) and one lab, a firm as lead, at least one labelling pôle whose label holds on the submission date, within the call's window; from phase 3 on, economic-impact objectives. Each refusal names its rule (`rule`).",
      guard: manager,
      body: SubmitProjectBody,
      created: '/fui/projects',
    },
    async (req, reply, p, { id: chosen, consortium, ...b }) => {
      if (!b.labellingPoles.some((x) => p.poles.includes(x)))
        throw forbidden(`none of the labelling pôles (${b.labellingPoles.join(', ') || 'none'}) is in your pôles`);
      const id = chosen ?? idFromKey(req, p, 'fui-project');
      const poles: Record<string, Pole> = {};
      for (const x of b.labellingPoles) poles[x] = await poleState(x);
      const call = await callState(b.callNumber);
      const r = await exec(req, reply, p, fuiProjectStream(id), fuiProjectDecider, {
        type: 'SubmitFuiProject',
        data: {
          projectId: id,
          ...b,
          consortium: consortium.map((m) => ({
            name: m.name,
            kind: m.kind,
            siren: m.siren ?? null,
            size: m.size ?? null,
            lead: m.lead ?? false,
          })),
          call,
          poles,
        },
        metadata: await meta(p),
      });
      return { id, ...r };
    },
  );
  const onProject =
    (
      build: (
        p: Principal,
        s: KnownFuiProject,
        body: never,
      ) => Promise<Omit<FuiProjectCommand, 'metadata'>> | Omit<FuiProjectCommand, 'metadata'>,
      who: 'manager' | 'any',
    ) =>
    async (req: FastifyRequest, reply: FastifyReply, p: Principal, body: object, params: { id: string }) => {
      const current = await loadAggregate(deps, fuiProjectStream(params.id), fuiProjectDecider);
      const s = current.state;
      if (s.status === 'Unknown') throw notFound(`FUI project ${params.id} does not exist`);
      if (who === 'manager' && !s.labellingPoles.some((x) => p.poles.includes(x)))
        throw forbidden(
          `FUI project ${params.id} is labelled by ${s.labellingPoles.join(', ')}, none of which is in your pôles`,
        );
      const cmd = { ...(await build(p, s, body as never)), metadata: await meta(p) } as FuiProjectCommand;
      return exec(req, reply, p, fuiProjectStream(params.id), fuiProjectDecider, cmd);
    };
  command(
    '/fui/projects/:id/selection',
    {
      operationId: 'selectFuiProject',
      summary: 'Select a FUI project, with its State grant (programme administrators)',
      description: "After the call's window closes.",
      guard: admin,
      body: SelectBody,
      params: Id,
    },
    onProject(
      async (_p, s, body: z.infer<typeof SelectBody>) => ({
        type: 'SelectFuiProject',
        data: { projectId: s.id, ...body, call: await callState(s.callNumber) },
      }),
      'any',
    ),
  );
  command(
    '/fui/projects/:id/rejection',
    {
      operationId: 'rejectFuiProject',
      summary: 'Reject a FUI project (programme administrators)',
      description: "After the call's window closes.",
      guard: admin,
      body: RejectBody,
      params: Id,
    },
    onProject(
      async (_p, s, body: z.infer<typeof RejectBody>) => ({
        type: 'RejectFuiProject',
        data: { projectId: s.id, ...body, call: await callState(s.callNumber) },
      }),
      'any',
    ),
  );
  command(
    '/fui/projects/:id/co-fundings',
    {
      operationId: 'coFundFuiProject',
      summary: "A Region's co-funding of a selected FUI project (regional officers, own Region)",
      description: 'Each Region decides for itself only (its predecessors too); once per Region.',
      guard: officer,
      body: CoFundBody,
      params: Id,
    },
    onProject((p, s, body: z.infer<typeof CoFundBody>) => {
      const { regionCode, ...rest } = body;
      return {
        type: 'CoFundFuiProject',
        data: { projectId: s.id, regionCode: officerRegion(p, regionCode), officerRegions: p.regions, ...rest },
      };
    }, 'any'),
  );
  command(
    '/fui/projects/:id/start',
    {
      operationId: 'startFuiProject',
      summary: 'Start a selected FUI project (pôle managers of a labelling pôle)',
      description: 'Records FuiProjectStarted.',
      guard: manager,
      body: StartBody,
      params: Id,
    },
    onProject(
      (_p, s, body: z.infer<typeof StartBody>) => ({ type: 'StartFuiProject', data: { projectId: s.id, ...body } }),
      'manager',
    ),
  );
  command(
    '/fui/projects/:id/completion',
    {
      operationId: 'completeFuiProject',
      summary: 'Complete a started FUI project (pôle managers of a labelling pôle)',
      description: 'Records FuiProjectCompleted.',
      guard: manager,
      body: CompleteBody,
      params: Id,
    },
    onProject(
      (_p, s, body: z.infer<typeof CompleteBody>) => ({
        type: 'CompleteFuiProject',
        data: { projectId: s.id, ...body },
      }),
      'manager',
    ),
  );
  command(
    '/fui/projects/:id/impact-reports',
    {
      operationId: 'reportFuiProjectImpact',
      summary: "Report a completed FUI project's economic impact (pôle managers of a labelling pôle)",
      description: 'Products or services brought to market, jobs, revenue, patents, on a date: the phase-3 judgement.',
      guard: manager,
      body: ImpactBody,
      params: Id,
    },
    onProject(
      (_p, s, body: z.infer<typeof ImpactBody>) => ({
        type: 'ReportFuiProjectImpact',
        data: { projectId: s.id, ...body },
      }),
      'manager',
    ),
  );

  // ---- reads ----------------------------------------------------------------------------------
  const asOfOf = (q: { asOf?: string | undefined }) => q.asOf ?? todayOf(deps.clock);
  const PoleItem = z.object({
    id: z.string(),
    name: z.string(),
    theme: z.string(),
    mainRegion: z.string(),
    otherRegions: z.array(z.string()),
    phase: z.number().int(),
    category: z.string().nullable(),
    labelStartsOn: z.string(),
    labelEndsOn: z.string(),
    onProbation: z.boolean(),
    synthetic: z.boolean(),
  });
  app.get(
    '/poles',
    {
      preParsing: reader,
      preHandler: readYourWrites(deps),
      schema: {
        operationId: 'listPoles',
        tags: [TAG],
        summary: 'The pôles labelled on a business date',
        description:
          'Every pôle whose label holds on `asOf` (default today): phase and category of that label, probation. Paged (limit + cursor).',
        security: [{ bearer: [] }],
        querystring: z.strictObject({
          ...AsOf,
          region: RegionCode.optional().describe('main Region (code recorded)'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          cursor: Cursor,
        }),
        response: {
          200: z.object({ asOf: z.string(), items: z.array(PoleItem), total: z.number().int(), next: Next }),
          400: Problem,
          401: Problem,
          503: Problem,
        },
      },
    },
    async (req) => {
      const asOf = asOfOf(req.query);
      const all = (await polesLabelledOn(deps.db, asOf)).filter(
        (x) => !req.query.region || x.mainRegion === req.query.region,
      );
      const offset = offsetOf(req.query);
      const items = all.slice(offset, offset + req.query.limit).map(({ poleId, ...x }) => ({ id: poleId, ...x }));
      return { asOf, items, total: all.length, next: nextOffset(offset, items.length, all.length) };
    },
  );
  app.get(
    '/poles/:id',
    {
      preParsing: reader,
      preHandler: readYourWrites(deps),
      schema: {
        operationId: 'getPole',
        tags: [TAG],
        summary: "A pôle's page as of a business date",
        description:
          'Its labels, evaluations, performance contracts with their commitments, objectives, decisions (each with its decider and who recorded it) and reviews, and its FUI projects, as the ledger held them on `asOf`.',
        security: [{ bearer: [] }],
        params: Id,
        querystring: z.strictObject(AsOf),
        response: { 200: z.record(z.string(), z.unknown()), 400: Problem, 401: Problem, 404: Problem, 503: Problem },
      },
    },
    async (req) => {
      const asOf = asOfOf(req.query);
      const page = await polePage(deps.db, req.params.id, asOf);
      if (!page) throw notFound(`pôle ${req.params.id} was not labelled on ${asOf}`);
      return page;
    },
  );
  app.get(
    '/reports/poles',
    {
      preParsing: reader,
      preHandler: readYourWrites(deps),
      schema: {
        operationId: 'getPolesReport',
        tags: ['reports'],
        summary: 'The pôles de compétitivité as of a business date; JSON, or CSV with Accept: text/csv',
        description:
          "Pôles labelled by category and phase, on probation; evaluations by rating; performance contracts validated; each FUI call with its published submitted / selected and State / local-authority euros and what the ledger records of it; projects with impact reported and the sums of their indicators; per Region (`geography=asof`: the Regions in force on the date; `current`: today's). CSV: `scope,key,metric,value`.",
        security: [{ bearer: [] }],
        querystring: z.strictObject({ ...AsOf, geography: z.enum(['asof', 'current']).default('asof') }),
        response: {
          200: z.union([z.record(z.string(), z.unknown()), z.string().describe('text/csv')]),
          400: Problem,
          401: Problem,
          503: Problem,
        },
      },
    },
    async (req, reply) => {
      const asOf = asOfOf(req.query);
      const report = await polesReport(deps.db, asOf, req.query.geography);
      const accept = req.headers.accept ?? '';
      if (/\btext\/csv\b/.test(accept) && !/application\/json/.test(accept.split(',')[0] ?? ''))
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `inline; filename="poles-${asOf}.csv"`)
          .serializer((x: string) => x)
          .send(polesReportCsv(report));
      return report as unknown as Record<string, unknown>;
    },
  );
};
