import { createHash, randomUUID } from 'node:crypto';
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
 * - same key while the first request is still running: 409 (retry later, Retry-After).
 * Answers below 500 are stored (successes and refusals alike: a refusal is an answer too);
 * a 5xx or an unexpected error frees the key so the client may retry the same request.
 *
 * A running request holds its key for a lease (IDEMPOTENCY_LEASE_MS). A key left pending by a
 * process that died (or a request stalled past its lease) is taken over by the next retry with
 * the same body, which runs the command again. Running it again is safe: the events carry the key
 * (metadata.idempotencyKey), the command handler finds them in the stream and answers what the
 * first run answered without writing anything, and the ids a command creates are derived from
 * the key (`idFromKey`), so a second run targets the same stream. Two runs racing on one stream
 * are ordered by the append's expected revision: the loser reads the winner's events and answers
 * the same.
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
  const leaseMs = req.server.deps?.config.IDEMPOTENCY_LEASE_MS ?? 10_000;
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return send(reply, await handler());
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (key === undefined || !KEY_RE.test(key))
    throw new HttpError(400, 'Idempotency-Key must be 1-200 visible ASCII characters', {
      errors: [{ field: 'headers.idempotency-key', message: 'must be 1-200 visible ASCII characters' }],
    });
  const hash = requestHash(req);
  const route = req.url;

  // Claim the key (or take over an expired one, or a pending one whose lease ran out, for the same
  // request) in one statement, dropping this principal's other expired keys on the way (the table
  // stays bounded without a sweeper).
  const claim = randomUUID();
  const claimed = await sql<{ key: string; created_at: Date }>`
    with purged as (
      delete from http.idempotency_keys
      where principal_sub = ${principal.sub} and key <> ${key} and expires_at < now()
    )
    insert into http.idempotency_keys (principal_sub, key, method, route, body_hash, expires_at, claim_id, lease_until)
    values (${principal.sub}, ${key}, ${req.method}, ${route}, ${hash},
            now() + make_interval(hours => ${IDEMPOTENCY_TTL_HOURS}), ${claim}::uuid,
            now() + make_interval(secs => ${leaseMs / 1000}))
    on conflict (principal_sub, key) do update
      set method = excluded.method, route = excluded.route, body_hash = excluded.body_hash,
          status_code = null, response_body = null, response_headers = '{}'::jsonb,
          -- an expired key starts a new life; a key taken over keeps its own (see keyEpoch)
          created_at = case when http.idempotency_keys.expires_at < now() then now()
                            else http.idempotency_keys.created_at end,
          completed_at = null,
          expires_at = case when http.idempotency_keys.expires_at < now() then excluded.expires_at
                            else http.idempotency_keys.expires_at end,
          claim_id = excluded.claim_id, lease_until = excluded.lease_until
      where http.idempotency_keys.expires_at < now()
         or (http.idempotency_keys.status_code is null
             and coalesce(http.idempotency_keys.lease_until,
                          http.idempotency_keys.created_at + make_interval(secs => ${leaseMs / 1000})) < now()
             and http.idempotency_keys.body_hash = excluded.body_hash
             and http.idempotency_keys.route = excluded.route
             and http.idempotency_keys.method = excluded.method)
    returning key, created_at`.execute(db);

  if (claimed.rows.length === 0) {
    const row = await db
      .selectFrom('http.idempotency_keys')
      .select(['method', 'route', 'body_hash', 'status_code', 'response_body', 'response_headers', 'lease_until'])
      .where('principal_sub', '=', principal.sub)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) throw new HttpError(409, 'this Idempotency-Key was just released; retry the request');
    if (row.body_hash !== hash || row.route !== route || row.method !== req.method)
      throw new HttpError(422, 'this Idempotency-Key was already used for another request (other path or body)', {
        errors: [{ field: 'headers.idempotency-key', message: 'already used for another request' }],
      });
    if (row.status_code === null) {
      const left = row.lease_until ? Math.ceil((row.lease_until.getTime() - Date.now()) / 1000) : 1;
      reply.header('retry-after', String(Math.max(1, left)));
      throw new HttpError(409, 'a request with this Idempotency-Key is still being processed; retry later');
    }
    reply.header('idempotent-replayed', 'true');
    for (const [h, v] of Object.entries(row.response_headers)) reply.header(h, v);
    if (row.status_code >= 400) return sendProblem(reply, row.response_body as Parameters<typeof sendProblem>[1]);
    return reply.code(row.status_code).send(row.response_body);
  }

  epochs.set(req, claimed.rows[0]!.created_at);
  let answer: CommandAnswer;
  try {
    answer = await handler();
  } catch (err) {
    const p = toProblem(err, req);
    if (p.status >= 500) {
      // free the key for a retry of the same request (if this request still holds it): its lease
      // ends now. When the database is away this fails too, and the lease runs out instead.
      await db
        .updateTable('http.idempotency_keys')
        .set({ lease_until: sql<Date>`now() - interval '1 millisecond'` })
        .where('principal_sub', '=', principal.sub)
        .where('key', '=', key)
        .where('claim_id', '=', claim)
        .execute()
        .catch(() => undefined);
      throw err;
    }
    await store(db, principal.sub, key, claim, { status: p.status, body: p, headers: retryHeaders(reply) }).catch(
      () => undefined,
    );
    throw err;
  }
  try {
    await store(db, principal.sub, key, claim, answer);
  } catch (err) {
    // the command's events are recorded: answer its success. The key stays pending; a retry takes
    // it over once the lease runs out and gets the same answer from the stream.
    req.log.warn({ err, key }, 'the answer of a command could not be stored for its Idempotency-Key');
  }
  return send(reply, answer);
}

const epochs = new WeakMap<FastifyRequest, Date>();

/**
 * When the Idempotency-Key of this request was first claimed (kept when a retry takes over a
 * pending key; new when an expired key is used again). Events carrying the key and recorded since
 * (less a minute of clock skew) are this request's first run.
 */
export function keyEpoch(req: FastifyRequest): Date | undefined {
  return epochs.get(req);
}

/**
 * The id a command creates (a contract, a project, a funding, a commitment): derived from the
 * principal and the Idempotency-Key when one is given, so a retry that runs the command again
 * targets what the first run created; a random UUID otherwise.
 */
export function idFromKey(req: FastifyRequest, principal: Principal, purpose: string): string {
  const raw = req.headers['idempotency-key'];
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (key === undefined || !KEY_RE.test(key)) return randomUUID();
  const epoch = epochs.get(req)?.getTime() ?? '';
  const h = createHash('sha256').update(`${principal.sub}\n${key}\n${epoch}\n${purpose}`).digest('hex');
  // RFC 9562 layout, version 8 (custom), variant 10
  const v = `8${h.slice(13, 16)}`;
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16) + h.slice(17, 20);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${v}-${variant}-${h.slice(20, 32)}`;
}

function retryHeaders(reply: FastifyReply): Record<string, string> {
  const etag = reply.getHeader('etag');
  return typeof etag === 'string' ? { etag } : {};
}

async function store(db: Kysely<Database>, sub: string, key: string, claim: string, a: CommandAnswer): Promise<void> {
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
    .where('claim_id', '=', claim)
    .execute();
}

function send(reply: FastifyReply, a: CommandAnswer): FastifyReply {
  for (const [h, v] of Object.entries(a.headers ?? {})) reply.header(h, v);
  return reply.code(a.status).send(a.body);
}
