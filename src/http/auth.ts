import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import type { Actor } from '../eventstore/types.ts';
import { BEARER_CHALLENGE, HttpError } from './problem.ts';

/** A 401 whose WWW-Authenticate challenge says the token given was refused (RFC 6750 section 3.1). */
const invalidToken = (message: string) =>
  new HttpError(401, message, {}, { 'www-authenticate': `${BEARER_CHALLENGE}, error="invalid_token"` });

export const ROLES = [
  'programme_admin',
  'territory_lead',
  'regional_validator',
  'auditor',
  'reporter',
  // the Region's industrial policy officer: its own Region's (and its predecessors') choices, leads,
  // selections and co-funding decisions in the NFI and the pôles de compétitivité
  'regional_officer',
  // a pôle de compétitivité's manager: the pôles of its `poles` claim
  'pole_manager',
] as const;
export type Role = (typeof ROLES)[number];

export interface Principal extends Actor {
  roles: Role[];
  regions: string[];
  territories: string[];
  /** The pôles de compétitivité a `pole_manager` acts for (their ids). */
  poles: string[];
}

const Claims = z.object({
  sub: z.string().min(1).max(200),
  name: z.string().min(1).max(200),
  roles: z.array(z.enum(ROLES)).max(10),
  regions: z
    .array(z.string().regex(/^\d{2}$/))
    .max(50)
    .default([]),
  territories: z.array(z.string().max(64)).max(500).default([]),
  poles: z.array(z.string().max(64)).max(100).default([]),
});

export interface Authenticator {
  verify(token: string): Promise<Principal>;
  /**
   * The principal of a token verified before and not expired yet, without any work: the hot
   * path of every authenticated request. Undefined otherwise (then call `verify`).
   */
  cached?(token: string): Principal | undefined;
}

const ISSUER = 'ti-ledger';

/**
 * The key id of an HS256 secret (not the secret: 8 hex digits of its SHA-256), in the header of
 * the tokens it signs, so a token signed with another secret (another DATA_DIR, another
 * AUTH_JWT_SECRET) is refused with a message saying so rather than a bare "not valid".
 */
export const secretKeyId = (secret: string) => createHash('sha256').update(secret).digest('hex').slice(0, 8);

function otherSecretHint(token: string, kid: string | undefined): string {
  if (!kid) return '';
  try {
    const theirs = decodeProtectedHeader(token).kid;
    return typeof theirs === 'string' && theirs !== kid
      ? ` (it was signed with another secret, key id ${theirs}, this server's is ${kid}: made with another DATA_DIR or AUTH_JWT_SECRET?)`
      : '';
  } catch {
    return '';
  }
}
/** Tokens remembered as verified (an LRU of this many tokens). */
export const VERIFIED_TOKENS_CACHED = 10_000;

/** HS256 tokens signed with AUTH_JWT_SECRET, or RS/ES tokens checked against AUTH_JWKS_URL. */
export function createAuthenticator(opts: {
  secret?: string | undefined;
  jwksUrl?: string | undefined;
  /** The clock (ms), for the expiry of remembered tokens. */
  now?: () => number;
}): Authenticator {
  const secret = opts.secret ? new TextEncoder().encode(opts.secret) : undefined;
  const kid = opts.secret && !opts.jwksUrl ? secretKeyId(opts.secret) : undefined;
  const jwks: JWTVerifyGetKey | undefined = opts.jwksUrl ? createRemoteJWKSet(new URL(opts.jwksUrl)) : undefined;
  const now = opts.now ?? Date.now;
  // Tokens already verified (signature, claims), keyed by the raw token, until they expire: a
  // signature check and a claims parse per request are most of the cost of authentication. A
  // bounded LRU (a Map iterates in insertion order: a hit moves its token to the end, the first
  // entry is the least recently used). The principal is frozen: requests share it.
  const verified = new Map<string, { principal: Principal; expiresAt: number }>();
  const cached = (token: string): Principal | undefined => {
    const hit = verified.get(token);
    if (hit === undefined) return undefined;
    verified.delete(token);
    if (now() >= hit.expiresAt) return undefined;
    verified.set(token, hit);
    return hit.principal;
  };
  return {
    cached,
    async verify(token: string): Promise<Principal> {
      const hit = cached(token);
      if (hit) return hit;
      let payload: unknown;
      try {
        if (jwks)
          payload = (await jwtVerify(token, jwks, { requiredClaims: ['exp'], currentDate: new Date(now()) })).payload;
        else if (secret)
          payload = (
            await jwtVerify(token, secret, {
              algorithms: ['HS256'],
              requiredClaims: ['exp'],
              currentDate: new Date(now()),
            })
          ).payload;
        else throw new HttpError(401, 'authentication is not configured (AUTH_JWT_SECRET or AUTH_JWKS_URL)');
      } catch (err) {
        if (err instanceof HttpError) throw err;
        const code = (err as { code?: string }).code;
        if (code === 'ERR_JWT_EXPIRED') throw invalidToken('the token has expired');
        throw invalidToken(
          `the token is not valid${code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? otherSecretHint(token, kid) : ''}`,
        );
      }
      const claims = Claims.safeParse(payload);
      if (!claims.success)
        throw invalidToken(
          `the token's claims are not valid: ${claims.error.issues.map((i) => i.path.join('.') + ' ' + i.message).join('; ')}`,
        );
      const principal = claims.data;
      const exp = (payload as { exp?: unknown }).exp;
      if (typeof exp === 'number' && exp * 1000 > now()) {
        Object.freeze(principal.roles);
        Object.freeze(principal.regions);
        Object.freeze(principal.territories);
        Object.freeze(principal.poles);
        Object.freeze(principal);
        verified.delete(token);
        verified.set(token, { principal, expiresAt: exp * 1000 });
        while (verified.size > VERIFIED_TOKENS_CACHED) verified.delete(verified.keys().next().value!);
      }
      return principal;
    },
  };
}

export async function signToken(
  secret: string,
  claims: { sub: string; name: string; roles: Role[]; regions?: string[]; territories?: string[]; poles?: string[] },
  expiresIn: string = '12h',
): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: secretKeyId(secret) })
    .setSubject(claims.sub)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** Why the bearer token given was refused (set by `identify`), answered as 401 where needed. */
    authError: HttpError | null;
  }
}

/**
 * onRequest hook body: verifies the bearer token when one is given and records the principal (or
 * why the token was refused), so the rate limit can key on the token's subject. Never throws:
 * routes that need a principal call `authenticate` / `guard`.
 */
export function identify(req: FastifyRequest, auth: Authenticator): void | Promise<void> {
  const header = req.headers.authorization;
  if (header === undefined) return;
  // a token verified before: no promise, no await (the common case). Only verified tokens are
  // remembered, so a malformed one never matches here; `authenticate` checks the header's shape.
  const known = header.startsWith('Bearer ') ? auth.cached?.(header.slice(7)) : undefined;
  if (known) {
    req.principal = known;
    return;
  }
  return authenticate(req, auth).then(
    () => undefined,
    (err: unknown) => {
      req.authError = err instanceof HttpError ? err : invalidToken('the token is not valid');
    },
  );
}

/**
 * A route hook (preParsing: before the body is read or validated) that answers 401 without a
 * valid token and 403 without one of `roles`, so nothing about the body is looked at first.
 */
export function guard(auth: Authenticator, ...roles: Role[]) {
  return async (req: FastifyRequest): Promise<void> => {
    const p = await authenticate(req, auth);
    if (roles.length > 0) requireRole(p, ...roles);
  };
}

/** Reads the bearer token (401 when missing or bad). */
export async function authenticate(req: FastifyRequest, auth: Authenticator): Promise<Principal> {
  if (req.principal) return req.principal;
  if (req.authError) throw req.authError;
  const header = req.headers.authorization;
  // no credentials: the bare challenge (RFC 6750 section 3.1: no error code), as a header only
  if (!header) throw new HttpError(401, 'a bearer token is required');
  const m = /^Bearer ([A-Za-z0-9_\-.=]+)$/.exec(header);
  if (!m)
    throw new HttpError(
      401,
      'the Authorization header must be "Bearer <token>"',
      {},
      { 'www-authenticate': `${BEARER_CHALLENGE}, error="invalid_request"` },
    );
  const principal = await auth.verify(m[1]!);
  req.principal = principal;
  return principal;
}

export function requireRole(p: Principal, ...roles: Role[]): void {
  if (!p.roles.some((r) => roles.includes(r)))
    throw new HttpError(403, `this needs one of the roles ${roles.join(', ')}`);
}

export const actorOf = (p: Principal): Actor => ({ sub: p.sub, name: p.name, roles: [...p.roles] });
