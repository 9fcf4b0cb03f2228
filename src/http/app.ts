import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type pg from 'pg';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { EventRegistry } from '../domain/registry.ts';
import type { EventStore } from '../eventstore/types.ts';
import type { ProjectionRunner } from '../projections/runner.ts';
import { identify, type Authenticator } from './auth.ts';
import { accessLine } from './logger.ts';
import { applyOpenApiConventions } from './openapi.ts';
import { HttpError, registerErrorHandling, sendProblem, toProblem } from './problem.ts';
import { RateLimiter } from './rateLimit.ts';
import { createSerializerCompiler } from './serialize.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { readRoutes } from './routes/read.ts';
import { reportRoutes } from './routes/reports.ts';
import { territoryRoutes } from './routes/territories.ts';
import { territoryCommandRoutes } from './routes/territory-commands.ts';
import { contractRoutes } from './routes/contracts.ts';
import { projectRoutes } from './routes/projects.ts';
import { auditRoutes } from './routes/audit.ts';
import { decisionRoutes } from './routes/decisions.ts';
import { feedRoutes } from './routes/feed.ts';
import { uiRoutes } from './routes/ui.ts';
import { auditProofRoutes } from './routes/audit-proofs.ts';
import type { AuditTrail } from '../audit/scheduler.ts';
import { programmeRoutes } from './routes/programmes.ts';
import { regionReportRoutes } from './routes/region-reports.ts';
import { applicationRoutes } from './routes/applications.ts';
import { continuityRoutes } from './routes/continuity.ts';
import { nfiRoutes } from './routes/nfi.ts';
import { poleRoutes } from './routes/poles.ts';
import type { ProgrammeCatalogue } from '../application/programmes.ts';

/** Everything the HTTP layer needs, passed in explicitly (no singletons). */
export interface AppDeps {
  config: Config;
  store: EventStore;
  db: Kysely<Database>;
  pool: pg.Pool;
  registry: EventRegistry;
  runner: ProjectionRunner;
  /** The programme catalogue: a programme's dates for the business-date checks. */
  programmes: ProgrammeCatalogue;
  auth: Authenticator;
  /** The Merkle tree over the log and its signed checkpoints (routes/audit-proofs.ts). */
  audit: AuditTrail;
  /** The clock: "today" for business-date checks, recorded times. */
  clock: () => Date;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}

/**
 * Request logging: one line per request, `request completed` at info with the request (method,
 * url, host, remote address), the status and the response time, built by `accessLine` (the same
 * bytes as pino's, without its generic path) where the logger allows. Fastify's own `incoming
 * request` line is logged at debug only: at info it doubled the logging cost of every request for
 * nothing the completion line does not say. Errors and aborted requests log as Fastify does.
 */
export class RequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) return super.requestCompleted(error, request, reply);
    if (accessLine(reply.log as Logger, { request, reply })) return;
    reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/** Cuts (408) a connection whose first request headers have not arrived within `ms`. */
function guardSlowHeaders(server: HttpServer, ms: number): void {
  const timers = new WeakMap<object, NodeJS.Timeout>();
  server.on('connection', (socket: Socket) => {
    const t = setTimeout(() => {
      if (socket.destroyed) return;
      socket.destroy();
    }, ms);
    t.unref();
    timers.set(socket, t);
    socket.once('close', () => clearTimeout(t));
  });
  server.prependListener('request', (req: IncomingMessage) => {
    const t = timers.get(req.socket);
    if (t) clearTimeout(t);
  });
}

/** Builds the Fastify app (no listen): the server entry and the tests both use it. */
export async function buildApp(deps: AppDeps, options: { logger?: FastifyBaseLogger } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger, logController: new RequestLog() } : { logger: false }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    connectionTimeout: 30_000,
    requestTimeout: deps.config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: 72_000,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
    ajv: { customOptions: { removeAdditional: false } },
    // bad URLs and over-long path parameters answer problem+json too
    frameworkErrors: (error, req, reply) => {
      void sendProblem(reply, toProblem(error, req));
    },
  }).withTypeProvider<ZodTypeProvider>();

  // Slow clients (docs/architecture.md, "Faults"): at most HTTP_MAX_CONNECTIONS sockets are open
  // at once, and a connection's first request headers must arrive within HTTP_HEADERS_TIMEOUT_MS
  // (Node's own headersTimeout is only checked every 30 s on Node 20).
  app.server.maxConnections = deps.config.HTTP_MAX_CONNECTIONS;
  guardSlowHeaders(app.server, deps.config.HTTP_HEADERS_TIMEOUT_MS);
  app.decorate('deps', deps);
  app.decorateRequest('principal', null);
  app.decorateRequest('authError', null);
  // Headers are checked, not replaced: Fastify would otherwise keep the parsed copy (only the
  // declared headers) and rebuild a merged copy of all the headers at every later `req.headers`.
  // The header schemas neither transform nor default anything, so the values are the same.
  app.setValidatorCompiler((route) => {
    const validate = validatorCompiler(route as Parameters<typeof validatorCompiler>[0]);
    if (route.httpPart !== 'headers') return validate;
    return (data: unknown) => {
      const result = validate(data) as { error?: Error };
      return result.error ? { error: result.error } : {};
    };
  });
  // fast-json-stringify from the zod response schemas; outside production every answer is also
  // checked by zod (src/http/serialize.ts)
  app.setSerializerCompiler(createSerializerCompiler({ checkResponses: deps.config.NODE_ENV !== 'production' }));
  registerErrorHandling(app);

  // The request id, who is calling (when a bearer token is given), then the per-token rate limit
  // (by IP otherwise; probes and scrapes are never throttled). A callback hook: a token seen before
  // costs no promise.
  const limiter = new RateLimiter(deps.config.RATE_LIMIT_PER_MINUTE, 60_000);
  const unlimited = new Set(['/healthz', '/readyz', '/metrics']);
  const limit = (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    // by path: `req.routeOptions` builds a frozen object of the route's options at every access
    const q = req.url.indexOf('?');
    if (unlimited.has(q < 0 ? req.url : req.url.slice(0, q))) return done();
    const d = limiter.hit(req.principal ? `sub:${req.principal.sub}` : `ip:${req.ip}`);
    reply.header('x-ratelimit-limit', d.limit);
    reply.header('x-ratelimit-remaining', d.remaining);
    reply.header('x-ratelimit-reset', d.resetSeconds);
    if (d.allowed) return done();
    reply.header('retry-after', d.resetSeconds);
    done(
      new HttpError(429, `rate limit of ${d.limit} requests per minute exceeded; retry later`, {
        retryAfterSeconds: d.resetSeconds,
      }),
    );
  };
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    const pending = identify(req, deps.auth);
    if (pending === undefined) limit(req, reply, done);
    else void pending.then(() => limit(req, reply, done));
  });
  // JSON only for bodies: anything else is a 415 (empty bodies are fine).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/merge-patch+json'],
    { parseAs: 'string' },
    (req, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') return done(null, undefined);
      try {
        // JSON.parse makes "__proto__" an own property, never the prototype; zod's strict objects
        // then refuse it as an unknown field.
        done(null, JSON.parse(text));
      } catch (err) {
        done(new HttpError(400, `the body is not valid JSON: ${(err as Error).message}`), undefined);
      }
    },
  );
  app.addContentTypeParser('*', (req, _payload, done) => {
    done(
      new HttpError(
        415,
        `Content-Type ${req.headers['content-type'] ?? '(none)'} is not supported; send application/json`,
      ),
      undefined,
    );
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ti-ledger',
        version: '0.1.0',
        description:
          "Event-sourced ledger of the Territoires d'industrie programme: territories, contracts of reciprocal commitments, regional validation, projects. Commands answer with the stream revision (ETag) and log position; reads accept `asOf` business dates.",
        contact: { name: 'ti-ledger maintainers (see the README)' },
        // no licence has been chosen yet: an SPDX LicenseRef says so until one is
        license: { name: 'Proprietary: private project, no licence granted yet', identifier: 'LicenseRef-Proprietary' },
      },
      // relative: the host that serves this document (npm start: http://localhost:3000)
      servers: [{ url: '/', description: 'the host serving this document' }],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: jsonSchemaTransform,
    // operationIds, descriptions, problem+json error responses, tags: src/http/openapi.ts
    transformObject: (documentObject) =>
      applyOpenApiConventions((documentObject as { openapiObject: Record<string, unknown> }).openapiObject) as never,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes);
  await app.register(metricsRoutes);
  await app.register(readRoutes);
  await app.register(reportRoutes);
  await app.register(territoryRoutes);
  await app.register(territoryCommandRoutes);
  await app.register(contractRoutes);
  await app.register(projectRoutes);
  await app.register(auditRoutes);
  await app.register(decisionRoutes);
  await app.register(feedRoutes);
  await app.register(uiRoutes);
  await app.register(auditProofRoutes);
  await app.register(programmeRoutes);
  await app.register(regionReportRoutes);
  await app.register(applicationRoutes);
  await app.register(continuityRoutes);
  await app.register(nfiRoutes);
  await app.register(poleRoutes);
  return app;
}
