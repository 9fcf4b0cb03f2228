import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Principal } from './auth.ts';
import { HttpError, sendProblem, toProblem } from './problem.ts';

/**
 * Idempotency-Key for every command (POST). Keys are scoped to the token's subject and kept
 * durably in `http.idempotency_keys` for `IDEMPOTENCY_TTL_HOURS`:
 * - same key, same method + path + body: the first answer is replayed and nothing is written;
 * - same key, another request: 422;
 * - same key while the first request is still running: 409 (retry later).
 * Answers below 500 are stored (successes and refusals alike: a refusal is an answer too);
 * a 5xx or an unexpected error frees the key so the client may retry.
 */
export const IDEMPOTENCY_TTL_HOURS = 24;

export interface CommandAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const KEY_RE = /^[\x21-\x7e]{1,200}$/;

export function requestHash(req: FastifyRequest): string {
  const canon = canonicalize(req.body ?? null) ?? 'null';
  return createHash('sha256').update(`${req.method} ${req.url}\n${canon}`).digest('hex');
}

/** Deletes every expired key (for a maintenance job; claims already purge their principal's). */
export async function purgeExpiredIdempotencyKeys(db: Kysely<Database>): Promise<number> {
  const r = await db
    .deleteFrom('http.idempotency_keys')
    .where('expires_at', '<', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * Runs `handler` at most once per (principal, Idempotency-Key) and sends its answer, or replays
 * the stored one. Without the header, simply runs the handler and sends its answer.
 */
export async function idempotent(
  req: FastifyRequest,
  reply: FastifyReply,
  db: Kysely<Database>,
  principal: Principal,
  handler: () => Promise<CommandAnswer>,
): Promise<FastifyReply> {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return send(reply, await handler());
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (key === undefined || !KEY_RE.test(key))
    throw new HttpError(400, 'Idempotency-Key must be 1-200 visible ASCII characters', {
      errors: [{ field: 'headers.idempotency-key', message: 'must be 1-200 visible ASCII characters' }],
    });
  const hash = requestHash(req);
  const route = req.url;

  // Claim the key (or take over an expired one) in one statement, dropping this principal's other
  // expired keys on the way (the table stays bounded without a sweeper).
  const claimed = await sql<{ key: string }>`
    with purged as (
      delete from http.idempotency_keys
      where principal_sub = ${principal.sub} and key <> ${key} and expires_at < now()
    )
    insert into http.idempotency_keys (principal_sub, key, method, route, body_hash, expires_at)
    values (${principal.sub}, ${key}, ${req.method}, ${route}, ${hash},
            now() + make_interval(hours => ${IDEMPOTENCY_TTL_HOURS}))
    on conflict (principal_sub, key) do update
      set method = excluded.method, route = excluded.route, body_hash = excluded.body_hash,
          status_code = null, response_body = null, response_headers = '{}'::jsonb,
          created_at = now(), completed_at = null, expires_at = excluded.expires_at
      where http.idempotency_keys.expires_at < now()
    returning key`.execute(db);

  if (claimed.rows.length === 0) {
    const row = await db
      .selectFrom('http.idempotency_keys')
      .select(['method', 'route', 'body_hash', 'status_code', 'response_body', 'response_headers'])
      .where('principal_sub', '=', principal.sub)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) throw new HttpError(409, 'this Idempotency-Key was just released; retry the request');
    if (row.body_hash !== hash || row.route !== route || row.method !== req.method)
      throw new HttpError(422, 'this Idempotency-Key was already used for another request (other path or body)', {
        errors: [{ field: 'headers.idempotency-key', message: 'already used for another request' }],
      });
    if (row.status_code === null)
      throw new HttpError(409, 'a request with this Idempotency-Key is still being processed; retry later');
    reply.header('idempotent-replayed', 'true');
    for (const [h, v] of Object.entries(row.response_headers)) reply.header(h, v);
    if (row.status_code >= 400) return sendProblem(reply, row.response_body as Parameters<typeof sendProblem>[1]);
    return reply.code(row.status_code).send(row.response_body);
  }

  let answer: CommandAnswer;
  try {
    answer = await handler();
  } catch (err) {
    const p = toProblem(err, req);
    if (p.status >= 500) {
      await db
        .deleteFrom('http.idempotency_keys')
        .where('principal_sub', '=', principal.sub)
        .where('key', '=', key)
        .execute();
      throw err;
    }
    await store(db, principal.sub, key, { status: p.status, body: p, headers: retryHeaders(reply) });
    throw err;
  }
  await store(db, principal.sub, key, answer);
  return send(reply, answer);
}

function retryHeaders(reply: FastifyReply): Record<string, string> {
  const etag = reply.getHeader('etag');
  return typeof etag === 'string' ? { etag } : {};
}

async function store(db: Kysely<Database>, sub: string, key: string, a: CommandAnswer): Promise<void> {
  await db
    .updateTable('http.idempotency_keys')
    .set({
      status_code: a.status,
      response_body: JSON.stringify(a.body ?? null),
      response_headers: JSON.stringify(a.headers ?? {}),
      completed_at: new Date(),
    })
    .where('principal_sub', '=', sub)
    .where('key', '=', key)
    .execute();
}

function send(reply: FastifyReply, a: CommandAnswer): FastifyReply {
  for (const [h, v] of Object.entries(a.headers ?? {})) reply.header(h, v);
  return reply.code(a.status).send(a.body);
}
