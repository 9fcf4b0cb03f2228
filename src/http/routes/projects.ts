import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadAggregate } from '../../application/commandHandler.ts';
import { ContractId, contractDecider, territoryFacts } from '../../domain/territoires-industrie/contract/index.ts';
import {
  FundingSource,
  PROJECT_STATUS,
  ProjectId,
  contractFacts,
  projectDecider,
  type KnownProject,
  type Project,
  type ProjectCommand,
} from '../../domain/territoires-industrie/project/index.ts';
import { AmountEur, Axis, BusinessDate, forbidden, notFound, toEur } from '../../domain/kernel/shared.ts';
import { TerritoryId, territoryDecider } from '../../domain/territoires-industrie/territory/index.ts';
import { contractStream, projectStream, territoryStream } from '../../eventstore/streams.ts';
import type { AppDeps } from '../app.ts';
import { guard, type Principal } from '../auth.ts';
import {
  CommandHeaders,
  CommandResult,
  commandAnswer,
  commandProblems,
  etagOf,
  commandOnId,
  runCommand,
  todayOf,
} from '../commands.ts';
import { idempotent, idFromKey } from '../idempotency.ts';

const Text = (max: number) => z.string().trim().min(1).max(max);

export const RegisterProjectBody = z.strictObject({
  id: ProjectId.optional().describe('chosen by the caller (imports); a UUID otherwise'),
  territoryId: TerritoryId,
  contractId: ContractId.nullable().optional(),
  title: Text(300),
  axis: Axis,
  budgetEur: AmountEur,
  registeredOn: BusinessDate,
});
export const FundingBody = z.strictObject({ source: FundingSource, amountEur: AmountEur, grantedOn: BusinessDate });
export const StartBody = z.strictObject({ startedOn: BusinessDate });
export const CompleteBody = z.strictObject({ completedOn: BusinessDate });
export const AbandonBody = z.strictObject({ abandonedOn: BusinessDate, reason: Text(2000) });

const IdParams = z.strictObject({ id: ProjectId });

export const ProjectView = z.object({
  id: z.string(),
  territoryId: z.string(),
  contractId: z.string().nullable(),
  regionCode: z.string(),
  title: z.string(),
  axis: z.string(),
  status: z.enum(['registered', 'started', 'completed', 'abandoned']),
  budgetEur: z.number(),
  registeredOn: z.string(),
  startedOn: z.string().nullable(),
  completedOn: z.string().nullable(),
  abandonedOn: z.string().nullable(),
  fundings: z.array(
    z.object({ fundingId: z.string(), source: z.string(), amountEur: z.number(), grantedOn: z.string() }),
  ),
  fundingCount: z.number().int().describe('the number of fundings (as in the list)'),
  fundingEur: z.number().describe('their sum in euros (as in the list; fundedEur is the same)'),
  fundedEur: z.number(),
  revision: z.number().int(),
  asOf: z.string().nullable(),
});

export function projectView(s: KnownProject, revision: bigint, asOf: string | null): z.infer<typeof ProjectView> {
  return {
    id: s.id,
    territoryId: s.territoryId,
    contractId: s.contractId,
    regionCode: s.regionCode,
    title: s.title,
    axis: s.axis,
    status: PROJECT_STATUS[s.status],
    budgetEur: toEur(s.budgetCents),
    registeredOn: s.registeredOn,
    startedOn: s.status === 'Started' || s.status === 'Completed' ? s.startedOn : null,
    completedOn: s.status === 'Completed' ? s.completedOn : null,
    abandonedOn: s.status === 'Abandoned' ? s.abandonedOn : null,
    fundings: s.fundings.map((f) => ({
      fundingId: f.fundingId,
      source: f.source,
      amountEur: toEur(f.amountCents),
      grantedOn: f.grantedOn,
    })),
    fundingCount: s.fundings.length,
    fundingEur: toEur(s.fundedCents),
    fundedEur: toEur(s.fundedCents),
    revision: Number(revision),
    asOf,
  };
}

/**
 * Registers a project: the territory (and contract) are read at decision time; shared by the
 * route and the in-process benchmark path.
 */
export async function registerProject(
  deps: Pick<AppDeps, 'store' | 'registry' | 'clock'>,
  p: Principal,
  body: z.infer<typeof RegisterProjectBody>,
  run: (
    stream: string,
    command: ProjectCommand,
  ) => Promise<{ body: z.infer<typeof CommandResult>; nextRevision: bigint }>,
) {
  const { id = randomUUID(), territoryId, contractId = null, ...rest } = body;
  if (!p.territories.includes(territoryId)) throw forbidden(`territory ${territoryId} is not in your territories`);
  const [territory, contract] = await Promise.all([
    loadAggregate(deps, territoryStream(territoryId), territoryDecider),
    contractId === null ? null : loadAggregate(deps, contractStream(contractId), contractDecider),
  ]);
  const r = await run(projectStream(id), {
    type: 'RegisterProject',
    data: {
      projectId: id,
      territoryId,
      contractId,
      ...rest,
      territory: territoryFacts(territory.state),
      contract: contract ? contractFacts(contract.state) : null,
    },
    metadata: { actor: p, today: todayOf(deps.clock) },
  });
  return { id, ...r };
}

export const projectRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: AppDeps = app.deps;
  const lead = guard(deps.auth, 'territory_lead');
  const anyone = guard(deps.auth);

  function onProject(
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal,
    id: string,
    build: (s: KnownProject, today: string) => ProjectCommand,
  ): Promise<{ body: z.infer<typeof CommandResult>; nextRevision: bigint }> {
    return runCommand(req, reply, deps, p, projectStream(id), projectDecider, (state: Project) => {
      if (state.status === 'Unknown') throw notFound(`project ${id} does not exist`);
      if (!p.territories.includes(state.territoryId))
        throw forbidden(`project ${id} belongs to territory ${state.territoryId}, which is not in your territories`);
      return build(state, todayOf(deps.clock));
    });
  }

  app.post(
    '/projects',
    {
      preParsing: lead,
      schema: {
        tags: ['projects'],
        summary: 'Register a project (fiche-action) in one of your territories (territory leads)',
        security: [{ bearer: [] }],
        headers: CommandHeaders,
        body: RegisterProjectBody,
        response: { 201: CommandResult.extend({ id: z.string() }), ...commandProblems },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      return idempotent(req, reply, deps.db, p, async () => {
        const body = { ...req.body, id: req.body.id ?? idFromKey(req, p, 'project') };
        const r = await registerProject(deps, p, body, (stream, command) =>
          runCommand(req, reply, deps, p, stream, projectDecider, command),
        );
        return commandAnswer(201, { id: r.id, ...r.body }, r.nextRevision, { location: `/projects/${r.id}` });
      });
    },
  );

  app.post(
    '/projects/:id/fundings',
    {
      preParsing: lead,
      schema: {
        tags: ['projects'],
        summary: 'Record a funding granted to a project (territory leads)',
        security: [{ bearer: [] }],
        headers: CommandHeaders,
        params: IdParams,
        body: FundingBody,
        response: { 201: CommandResult.extend({ fundingId: z.string() }), ...commandProblems },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      return idempotent(req, reply, deps.db, p, async () => {
        const fundingId = idFromKey(req, p, `funding:${req.params.id}`);
        const r = await onProject(req, reply, p, req.params.id, (s, today) => ({
          type: 'GrantProjectFunding',
          data: { projectId: s.id, fundingId, ...req.body },
          metadata: { actor: p, today },
        }));
        return commandAnswer(201, { fundingId, ...r.body }, r.nextRevision);
      });
    },
  );

  const action = <B extends z.ZodType>(
    path: string,
    summary: string,
    body: B,
    build: (s: KnownProject, b: z.infer<B>, today: string, p: Principal) => ProjectCommand,
  ) =>
    commandOnId(app, deps, { prefix: 'projects', tag: 'projects', params: IdParams, guard: lead })(
      path,
      summary,
      body,
      (req, reply, p, id, b) => onProject(req, reply, p, id, (s, today) => build(s, b, today, p)),
    );

  action('start', 'Record that a project started (territory leads)', StartBody, (s, b, today, p) => ({
    type: 'StartProject',
    data: { projectId: s.id, startedOn: b.startedOn },
    metadata: { actor: p, today },
  }));
  action('complete', 'Record that a project was completed (territory leads)', CompleteBody, (s, b, today, p) => ({
    type: 'CompleteProject',
    data: { projectId: s.id, completedOn: b.completedOn },
    metadata: { actor: p, today },
  }));
  action('abandon', 'Record that a project was abandoned (territory leads)', AbandonBody, (s, b, today, p) => ({
    type: 'AbandonProject',
    data: { projectId: s.id, ...b },
    metadata: { actor: p, today },
  }));

  app.get(
    '/projects/:id',
    {
      preParsing: anyone,
      schema: {
        tags: ['projects'],
        summary: 'A project as its event stream says now (or as of a business date)',
        security: [{ bearer: [] }],
        params: IdParams,
        querystring: z.strictObject({ asOf: BusinessDate.optional() }),
        response: { 200: ProjectView, 401: commandProblems[401], 404: commandProblems[404] },
      },
    },
    async (req, reply) => {
      const { asOf } = req.query;
      const loaded = await loadAggregate(
        deps,
        projectStream(req.params.id),
        projectDecider,
        asOf ? (recorded) => recorded.metadata.occurredOn <= asOf : undefined,
      );
      if (loaded.state.status === 'Unknown')
        throw notFound(`project ${req.params.id} ${asOf ? `did not exist on ${asOf}` : 'does not exist'}`);
      reply.header('etag', etagOf(loaded.revision));
      const revision = asOf ? (loaded.events.at(-1)?.revision ?? -1n) : loaded.revision;
      return projectView(loaded.state, revision, asOf ?? null);
    },
  );
};
