import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { handleCommand, type Decider, type HandleResult } from '../application/commandHandler.ts';
import type { DomainEvent } from '../domain/kernel/shared.ts';
import type { AppDeps } from './app.ts';
import { actorOf, authenticate, requireRole, type Principal, type Role } from './auth.ts';
import { HttpError } from './problem.ts';
import { idempotent, keyEpoch } from './idempotency.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

/** What every command answers: the stream's revision (also the ETag) and the log position. */
export const CommandResult = z.object({
  revision: z.number().int(),
  position: z
    .string()
    .nullable()
    .describe('log position of the last event written; pass it as minPosition to read your writes'),
});

export const CommandHeaders = z.object({
  'if-match': z.string().max(100).optional().describe('ETag (stream revision) the command expects: 412 when stale'),
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('same key + same body = same answer, nothing written twice'),
});

export const etagOf = (revision: bigint) => `"${revision}"`;

export function parseIfMatch(header: string | undefined): bigint | undefined {
  if (header === undefined || header === '*') return undefined;
  const m = /^(?:W\/)?"(-?\d{1,18})"$/.exec(header.trim());
  if (!m)
    throw new HttpError(400, 'If-Match must be an ETag such as "3"', {
      errors: [{ field: 'headers.if-match', message: 'must be an ETag such as "3"' }],
    });
  return BigInt(m[1]!);
}

export const todayOf = (clock: () => Date) => clock().toISOString().slice(0, 10);

export async function authorize(req: FastifyRequest, deps: AppDeps, ...roles: Role[]): Promise<Principal> {
  const p = await authenticate(req, deps.auth);
  requireRole(p, ...roles);
  return p;
}

/** Runs a command through the one command handler with the request's actor, ids and If-Match. */
export async function runCommand<C, E extends DomainEvent, S>(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: AppDeps,
  principal: Principal,
  stream: string,
  decider: Decider<C, E, S>,
  command: C | ((state: S) => C),
): Promise<HandleResult<S> & { body: z.infer<typeof CommandResult> }> {
  const headers = req.headers as Record<string, string | undefined>;
  const result = await handleCommand(deps, stream, decider, command, {
    actor: actorOf(principal),
    requestId: req.id,
    correlationId:
      typeof headers['x-correlation-id'] === 'string' ? headers['x-correlation-id'].slice(0, 200) : undefined,
    idempotencyKey: headers['idempotency-key'],
    idempotencySince: keyEpoch(req),
    expectedRevision: parseIfMatch(headers['if-match']),
  });
  reply.header('etag', etagOf(result.nextRevision));
  return {
    ...result,
    body: { revision: Number(result.nextRevision), position: result.position?.toString() ?? null },
  };
}

/** A problem document (RFC 9457) as routes declare it in their responses. */
export const ProblemSchema = z
  .object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string().optional() })
  .loose();

/** The usual refusals of a command route, for the OpenAPI document. */
export const commandProblems = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  412: ProblemSchema,
  413: ProblemSchema,
  415: ProblemSchema,
  422: ProblemSchema,
  429: ProblemSchema,
} as const;

/** The answer of a command (for `idempotent`): status, body, and the ETag of the new revision. */
export function commandAnswer<B>(
  status: number,
  body: B,
  revision: bigint,
  headers: Record<string, string> = {},
): { status: number; body: B; headers: Record<string, string> } {
  return { status, body, headers: { etag: etagOf(revision), ...headers } };
}

type CommandApp = Parameters<FastifyPluginAsyncZod>[0];

/**
 * Registers `POST /<prefix>/:id/<path>` for a command on an existing aggregate: the role guard
 * runs before the body is read, the zod schemas document and validate it, Idempotency-Key is
 * honoured, and the answer is `200 { revision, position }` with the ETag. `run` executes the
 * command its own way (territory, contract and project routes differ in what they load first).
 */
export function commandOnId<P extends z.ZodType<{ id: string }>>(
  app: CommandApp,
  deps: AppDeps,
  route: { prefix: string; tag: string; params: P; guard: (req: FastifyRequest) => Promise<void> },
) {
  return <B extends z.ZodType>(
    path: string,
    summary: string,
    body: B,
    run: (
      req: FastifyRequest,
      reply: FastifyReply,
      principal: Principal,
      id: string,
      body: z.infer<B>,
    ) => Promise<{ body: z.infer<typeof CommandResult>; nextRevision: bigint }>,
  ) =>
    app.post(
      `/${route.prefix}/:id/${path}`,
      {
        preParsing: route.guard,
        schema: {
          tags: [route.tag],
          summary,
          security: [{ bearer: [] }],
          headers: CommandHeaders,
          params: route.params,
          body,
          response: { 200: CommandResult, ...commandProblems },
        },
      },
      async (req, reply) => {
        const p = req.principal!;
        return idempotent(req, reply, deps.db, p, async () => {
          const r = await run(req, reply, p, (req.params as { id: string }).id, req.body as z.infer<B>);
          return commandAnswer(200, r.body, r.nextRevision);
        });
      },
    );
}
