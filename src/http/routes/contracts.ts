import { mayActFor } from '../../domain/kernel/regions.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadAggregate } from '../../application/commandHandler.ts';
import {
  CONTRACT_STATUS,
  CommitmentId,
  ContractId,
  ContractKind,
  PartyKind,
  Signatory,
  contractDecider,
  territoryFacts,
  type Contract,
  type ContractCommand,
  type KnownContract,
} from '../../domain/territoires-industrie/contract/index.ts';
import { AmountEur, Axis, BusinessDate, Siren, forbidden, notFound, toEur } from '../../domain/kernel/shared.ts';
import { TerritoryId, territoryDecider } from '../../domain/territoires-industrie/territory/index.ts';
import { contractStream, territoryStream } from '../../eventstore/streams.ts';
import type { AppDeps } from '../app.ts';
import { guard, type Principal } from '../auth.ts';
import {
  CommandHeaders,
  CommandResult,
  commandAnswer,
  commandOnId,
  commandProblems,
  etagOf,
  runCommand,
  todayOf,
} from '../commands.ts';
import { idempotent, idFromKey } from '../idempotency.ts';

const Text = (max: number) => z.string().trim().min(1).max(max);

export const DraftContractBody = z.strictObject({
  id: ContractId.optional().describe('chosen by the caller (imports); a UUID otherwise'),
  territoryId: TerritoryId,
  title: Text(300),
  kind: ContractKind.optional(),
  draftedOn: BusinessDate,
});
const Terms = {
  partyKind: PartyKind,
  partyName: Text(200),
  partySiren: Siren.nullable().optional(),
  axis: Axis,
  description: Text(2000),
  amountEur: AmountEur,
  dueOn: BusinessDate,
};
export const MakeCommitmentBody = z.strictObject({ ...Terms, madeOn: BusinessDate });
export const AmendCommitmentBody = z.strictObject({
  partyKind: Terms.partyKind.optional(),
  partyName: Terms.partyName.optional(),
  partySiren: Terms.partySiren,
  axis: Terms.axis.optional(),
  description: Terms.description.optional(),
  amountEur: Terms.amountEur.optional(),
  dueOn: Terms.dueOn.optional(),
  amendedOn: BusinessDate,
  reason: Text(2000).optional(),
});
export const WithdrawCommitmentBody = z.strictObject({ withdrawnOn: BusinessDate, reason: Text(2000).optional() });
export const SubmitBody = z.strictObject({ submittedOn: BusinessDate });
export const ValidateBody = z.strictObject({ decidedOn: BusinessDate, comment: Text(2000).optional() });
export const DecisionWithReasonBody = z.strictObject({ decidedOn: BusinessDate, reason: Text(2000) });
export const ReopenBody = z.strictObject({ reopenedOn: BusinessDate, reason: Text(2000) });
export const SignBody = z.strictObject({ signedOn: BusinessDate, signatories: z.array(Signatory).min(1).max(50) });

const IdParams = z.strictObject({ id: ContractId });
const CommitmentParams = z.strictObject({ id: ContractId, commitmentId: CommitmentId });

const CommitmentView = z.object({
  commitmentId: z.string(),
  partyKind: z.string(),
  partyName: z.string(),
  partySiren: z.string().nullable(),
  axis: z.string(),
  description: z.string(),
  amountEur: z.number(),
  amountCents: z.number().int(),
  dueOn: z.string(),
  madeOn: z.string(),
  amendedOn: z.string().nullable(),
});
export const ContractView = z.object({
  id: z.string(),
  territoryId: z.string(),
  regionCode: z.string(),
  kind: z.string(),
  title: z.string(),
  status: z.enum(['draft', 'submitted', 'changes_requested', 'validated', 'rejected', 'signed']),
  draftedOn: z.string(),
  submissions: z.number().int(),
  submittedOn: z.string().nullable(),
  validatedOn: z.string().nullable(),
  signedOn: z.string().nullable(),
  signatories: z.array(z.object({ name: z.string(), role: z.string().optional(), partyKind: z.string().optional() })),
  commitments: z.array(CommitmentView),
  totalEur: z.number(),
  decisions: z.array(
    z.object({
      kind: z.string(),
      regionCode: z.string(),
      submission: z.number().int(),
      decidedOn: z.string(),
      text: z.string().nullable(),
    }),
  ),
  revision: z.number().int(),
  asOf: z.string().nullable(),
});

export function contractView(s: KnownContract, revision: bigint, asOf: string | null): z.infer<typeof ContractView> {
  const totalCents = s.commitments.reduce((sum, c) => sum + c.amountCents, 0);
  return {
    id: s.id,
    territoryId: s.territoryId,
    regionCode: s.regionCode,
    kind: s.kind,
    title: s.title,
    status: CONTRACT_STATUS[s.status],
    draftedOn: s.draftedOn,
    submissions: s.submissions,
    submittedOn: s.submittedOn,
    validatedOn:
      s.status === 'Validated' || s.status === 'Signed'
        ? (s.decisions.findLast((d) => d.kind === 'validated')?.decidedOn ?? null)
        : null,
    signedOn: s.status === 'Signed' ? s.signedOn : null,
    signatories: s.status === 'Signed' ? s.signatories : [],
    commitments: s.commitments.map((c) => ({ ...c, amountEur: toEur(c.amountCents) })),
    totalEur: toEur(totalCents),
    decisions: s.decisions,
    revision: Number(revision),
    asOf,
  };
}

type LeadCommand = (s: KnownContract, today: string) => ContractCommand;

export const contractRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: AppDeps = app.deps;
  const lead = guard(deps.auth, 'territory_lead');
  const validator = guard(deps.auth, 'regional_validator');
  const anyone = guard(deps.auth);
  const meta = (p: Principal) => ({ actor: p, today: todayOf(deps.clock) });

  /** A territory lead's command on an existing contract of one of their territories. */
  function onContract(
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal,
    id: string,
    build: LeadCommand,
  ): Promise<{ body: z.infer<typeof CommandResult>; nextRevision: bigint }> {
    return runCommand(req, reply, deps, p, contractStream(id), contractDecider, (state: Contract) => {
      if (state.status === 'Unknown') throw notFound(`contract ${id} does not exist`);
      if (!p.territories.includes(state.territoryId))
        throw forbidden(`contract ${id} belongs to territory ${state.territoryId}, which is not in your territories`);
      return build(state, todayOf(deps.clock));
    });
  }

  /** A regional decision: the territory's region is read now, at the time of the decision. */
  async function decide(
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal,
    id: string,
    build: (base: {
      contractId: string;
      decidedOn: string;
      regionCode: string;
      validatorRegions: string[];
    }) => ContractCommand,
    decidedOn: string,
  ) {
    const current = await loadAggregate(deps, contractStream(id), contractDecider);
    if (current.state.status === 'Unknown') throw notFound(`contract ${id} does not exist`);
    const territoryId = current.state.territoryId;
    const territory = await loadAggregate(deps, territoryStream(territoryId), territoryDecider);
    const regionCode = territory.state.status === 'Unknown' ? current.state.regionCode : territory.state.regionCode;
    if (!mayActFor(p.regions, regionCode))
      throw forbidden(
        `contract ${id} belongs to a territory of region ${regionCode}; you may decide only for region(s) ${p.regions.join(', ') || '(none)'}`,
      );
    const r = await runCommand(req, reply, deps, p, contractStream(id), contractDecider, () =>
      build({ contractId: id, decidedOn, regionCode, validatorRegions: p.regions }),
    );
    return r;
  }

  app.post(
    '/contracts',
    {
      preParsing: lead,
      schema: {
        tags: ['contracts'],
        summary: 'Draft a contract for one of your territories (territory leads)',
        security: [{ bearer: [] }],
        headers: CommandHeaders,
        body: DraftContractBody,
        response: { 201: CommandResult.extend({ id: z.string() }), ...commandProblems },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      return idempotent(req, reply, deps.db, p, async () => {
        const { id = idFromKey(req, p, 'contract'), territoryId, ...rest } = req.body;
        if (!p.territories.includes(territoryId))
          throw forbidden(`territory ${territoryId} is not in your territories`);
        const territory = await loadAggregate(deps, territoryStream(territoryId), territoryDecider);
        const r = await runCommand(req, reply, deps, p, contractStream(id), contractDecider, {
          type: 'DraftContract',
          data: { contractId: id, territoryId, ...rest, territory: territoryFacts(territory.state) },
          metadata: meta(p),
        });
        return commandAnswer(201, { id, ...r.body }, r.nextRevision, { location: `/contracts/${id}` });
      });
    },
  );

  app.post(
    '/contracts/:id/commitments',
    {
      preParsing: lead,
      schema: {
        tags: ['contracts'],
        summary: 'Record a commitment of one party (territory leads)',
        security: [{ bearer: [] }],
        headers: CommandHeaders,
        params: IdParams,
        body: MakeCommitmentBody,
        response: { 201: CommandResult.extend({ commitmentId: z.string() }), ...commandProblems },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      return idempotent(req, reply, deps.db, p, async () => {
        const commitmentId = idFromKey(req, p, `commitment:${req.params.id}`);
        const r = await onContract(req, reply, p, req.params.id, (s, today) => ({
          type: 'MakeCommitment',
          data: { contractId: s.id, commitmentId, ...req.body },
          metadata: { actor: p, today },
        }));
        return commandAnswer(201, { commitmentId, ...r.body }, r.nextRevision);
      });
    },
  );

  app.post(
    '/contracts/:id/commitments/:commitmentId/amendments',
    {
      preParsing: lead,
      schema: {
        tags: ['contracts'],
        summary: 'Amend a commitment: only the fields given change (territory leads)',
        security: [{ bearer: [] }],
        headers: CommandHeaders,
        params: CommitmentParams,
        body: AmendCommitmentBody,
        response: { 200: CommandResult, ...commandProblems },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      return idempotent(req, reply, deps.db, p, async () => {
        const r = await onContract(req, reply, p, req.params.id, (s, today) => ({
          type: 'AmendCommitment',
          data: { contractId: s.id, commitmentId: req.params.commitmentId, ...req.body },
          metadata: { actor: p, today },
        }));
        return commandAnswer(200, r.body, r.nextRevision);
      });
    },
  );

  app.post(
    '/contracts/:id/commitments/:commitmentId/withdrawal',
    {
      preParsing: lead,
      schema: {
        tags: ['contracts'],
        summary: 'Withdraw a commitment (territory leads)',
        security: [{ bearer: [] }],
        headers: CommandHeaders,
        params: CommitmentParams,
        body: WithdrawCommitmentBody,
        response: { 200: CommandResult, ...commandProblems },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      return idempotent(req, reply, deps.db, p, async () => {
        const r = await onContract(req, reply, p, req.params.id, (s, today) => ({
          type: 'WithdrawCommitment',
          data: { contractId: s.id, commitmentId: req.params.commitmentId, ...req.body },
          metadata: { actor: p, today },
        }));
        return commandAnswer(200, r.body, r.nextRevision);
      });
    },
  );

  const leadAction = <B extends z.ZodType>(
    path: string,
    summary: string,
    body: B,
    build: (s: KnownContract, b: z.infer<B>, today: string, p: Principal) => ContractCommand,
  ) =>
    commandOnId(app, deps, { prefix: 'contracts', tag: 'contracts', params: IdParams, guard: lead })(
      path,
      summary,
      body,
      (req, reply, p, id, b) => onContract(req, reply, p, id, (s, today) => build(s, b, today, p)),
    );

  leadAction('submit', 'Submit the contract to the Region (territory leads)', SubmitBody, (s, b, today, p) => ({
    type: 'SubmitContract',
    data: { contractId: s.id, submittedOn: b.submittedOn },
    metadata: { actor: p, today },
  }));
  leadAction('sign', 'Sign a validated contract (territory leads)', SignBody, (s, b, today, p) => ({
    type: 'SignContract',
    data: { contractId: s.id, ...b },
    metadata: { actor: p, today },
  }));
  leadAction(
    'reopen',
    'Reopen a validated contract so its commitments can change; it must be submitted again (territory leads)',
    ReopenBody,
    (s, b, today, p) => ({ type: 'ReopenContract', data: { contractId: s.id, ...b }, metadata: { actor: p, today } }),
  );

  const decision = <B extends z.ZodType<{ decidedOn: string }>>(
    path: string,
    summary: string,
    body: B,
    build: (
      base: { contractId: string; decidedOn: string; regionCode: string; validatorRegions: string[] },
      b: z.infer<B>,
      p: Principal,
    ) => ContractCommand,
  ) =>
    commandOnId(app, deps, { prefix: 'contracts', tag: 'contracts', params: IdParams, guard: validator })(
      path,
      summary,
      body,
      (req, reply, p, id, b) => decide(req, reply, p, id, (base) => build(base, b, p), b.decidedOn),
    );

  decision(
    'validate',
    'Validate a submitted contract (regional validators of its region)',
    ValidateBody,
    (base, b, p) => ({
      type: 'ValidateContract',
      data: { ...base, comment: b.comment },
      metadata: meta(p),
    }),
  );
  decision(
    'request-changes',
    'Send a submitted contract back for changes (regional validators of its region)',
    DecisionWithReasonBody,
    (base, b, p) => ({ type: 'RequestContractChanges', data: { ...base, reason: b.reason }, metadata: meta(p) }),
  );
  decision(
    'reject',
    'Reject a submitted contract (regional validators of its region)',
    DecisionWithReasonBody,
    (base, b, p) => ({
      type: 'RejectContract',
      data: { ...base, reason: b.reason },
      metadata: meta(p),
    }),
  );

  app.get(
    '/contracts/:id',
    {
      preParsing: anyone,
      schema: {
        tags: ['contracts'],
        summary: 'A contract as its event stream says now (or as of a business date): no projection lag',
        security: [{ bearer: [] }],
        params: IdParams,
        querystring: z.strictObject({ asOf: BusinessDate.optional() }),
        response: { 200: ContractView, 401: commandProblems[401], 404: commandProblems[404] },
      },
    },
    async (req, reply) => {
      const { asOf } = req.query;
      const loaded = await loadAggregate(
        deps,
        contractStream(req.params.id),
        contractDecider,
        asOf ? (recorded) => recorded.metadata.occurredOn <= asOf : undefined,
      );
      const s = loaded.state;
      if (s.status === 'Unknown')
        throw notFound(`contract ${req.params.id} ${asOf ? `did not exist on ${asOf}` : 'does not exist'}`);
      const revision = asOf ? (loaded.events.at(-1)?.revision ?? -1n) : loaded.revision;
      reply.header('etag', etagOf(loaded.revision));
      return contractView(s, revision, asOf ?? null);
    },
  );
};
