import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable, isOutOfResources, RETRY_AFTER_SECONDS } from '../db/faults.ts';
import { DomainError } from '../domain/kernel/shared.ts';
import { EventIdConflictError, InvalidEventError, WrongExpectedRevisionError } from '../eventstore/types.ts';

/**
 * RFC 9457 problem details. The one place where errors become HTTP answers.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: { field: string; message: string }[];
  [k: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(status: number, detail: string, extra: Record<string, unknown> = {}): Problem {
  return {
    type: `https://ti-ledger.dev/problems/${status}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...extra,
  };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}

/**
 * Marks an error the HTTP layer raises with a known status (auth, media type, etc.). `extra` goes
 * into the problem document; `headers` are response headers (e.g. WWW-Authenticate), never body.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The challenge every 401 carries (RFC 6750 section 3) unless the error names a more precise one. */
export const BEARER_CHALLENGE = 'Bearer realm="ti-ledger"';

/** Sets the response headers an error carries, and the WWW-Authenticate challenge of any 401. */
export function applyErrorHeaders(reply: FastifyReply, error: unknown, status: number): void {
  if (error instanceof HttpError) for (const [h, v] of Object.entries(error.headers)) reply.header(h, v);
  if (status === 401 && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', BEARER_CHALLENGE);
}

function pathOf(instancePath: string | undefined, params: Record<string, unknown> | undefined): string {
  const fromPath = (instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const missing = params && typeof params.missingProperty === 'string' ? params.missingProperty : '';
  return [fromPath, missing].filter(Boolean).join('.') || '(root)';
}

export function toProblem(error: unknown, request: FastifyRequest): Problem {
  const instance = request.url;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((v) => ({
      field: `${error.validationContext ?? 'body'}.${pathOf(v.instancePath, v.params)}`.replace(/\.\(root\)$/, ''),
      message: v.message ?? 'is invalid',
    }));
    return problem(400, `invalid request: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, {
      instance,
      errors,
    });
  }
  if (error instanceof DomainError) {
    const field = typeof error.details.field === 'string' ? error.details.field : undefined;
    return problem(error.status, error.message, {
      instance,
      code: error.code,
      ...error.details,
      ...(field && error.status === 400 ? { errors: [{ field, message: error.message }] } : {}),
    });
  }
  if (error instanceof HttpError) return problem(error.status, error.message, { instance, ...error.extra });
  if (error instanceof WrongExpectedRevisionError)
    return problem(409, error.message, { instance, currentRevision: Number(error.actual) });
  if (error instanceof EventIdConflictError) return problem(409, error.message, { instance });
  if (error instanceof InvalidEventError) return problem(400, error.message, { instance });
  const fe = error as Partial<FastifyError>;
  if (isDatabaseUnavailable(error))
    return problem(
      503,
      isOutOfResources(error)
        ? 'the database is out of space or memory; retry later with the same Idempotency-Key'
        : 'the database is unavailable or did not answer in time; retry with the same Idempotency-Key',
      { instance, retryAfterSeconds: RETRY_AFTER_SECONDS },
    );
  if (isResponseSerializationError(error)) return problem(500, 'the server failed to build its answer', { instance });
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own client errors: body too large (413), bad JSON (400), media type (415)...
    return problem(fe.statusCode, fe.message ?? 'bad request', { instance, code: fe.code });
  }
  return problem(500, 'an unexpected error occurred; it has been logged', { instance });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const p = toProblem(error, request);
    if (p.status === 503) {
      // a route that knows better (the feed's stream cap) has set its own Retry-After already
      if (!reply.hasHeader('retry-after')) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      request.log.warn({ err: error, url: request.url, method: request.method }, 'service unavailable');
    } else if (p.status >= 500)
      request.log.error({ err: error, url: request.url, method: request.method }, 'request failed');
    else request.log.info({ status: p.status, detail: p.detail }, 'request refused');
    applyErrorHeaders(reply, error, p.status);
    return sendProblem(reply, p);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problem(404, `no route ${request.method} ${request.url.split('?')[0]}`, { instance: request.url }),
    ),
  );
}
