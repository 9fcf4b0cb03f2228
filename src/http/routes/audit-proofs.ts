import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { verifyAgainstCheckpoint } from '../../audit/anchor.ts';
import { rawPublicKey, CheckpointError, parseCheckpoint } from '../../audit/signing.ts';
import { notFound } from '../../domain/kernel/shared.ts';
import { canonicalEventId } from '../../eventstore/types.ts';
import { authorize } from '../commands.ts';
import { idempotent } from '../idempotency.ts';
import { HttpError } from '../problem.ts';

/**
 * The Merkle log's public face (RFC 9162 shapes, docs/adr/0008-merkle-log.md): the signing key, the
 * signed checkpoints, inclusion and consistency proofs, and verification against a checkpoint the
 * caller holds. Hashes are lowercase hex; signatures base64. Auditors and programme administrators.
 */
const Problem = z
  .object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string().optional() })
  .loose();

const Hex = z.string().regex(/^[0-9a-f]{64}$/);

const Checkpoint = z
  .object({
    format: z.literal('ti-ledger checkpoint v1'),
    logSize: z.number().int().min(0).describe('number of events (leaves) the tree covers'),
    rootHash: Hex.describe('RFC 9162 root hash of the first logSize events in log order (hex)'),
    lastPosition: z.string().nullable().describe('log position of the last event covered'),
    lastCheckpoint: z.string().nullable().describe("the backend's resume point after that event"),
    createdAt: z.string(),
    keyId: Hex.describe('SHA-256 of the raw Ed25519 public key (hex)'),
    signature: z.string().describe('Ed25519 signature of the RFC 8785 (JCS) UTF-8 bytes of the other fields (base64)'),
  })
  .describe('A signed tree head');

const Difference = z.object({
  index: z.number().int(),
  stream: z.string().nullable(),
  revision: z.number().int().nullable(),
  eventId: z.string().nullable(),
  position: z.string().nullable(),
  reason: z.string(),
});

const badRequest = (message: string) => new HttpError(400, message);
const hex = (b: Buffer) => b.toString('hex');

export const auditProofRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = app.deps;
  const security = [{ bearer: [] }];
  const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };
  const who = ['auditor', 'programme_admin'] as const;

  app.get(
    '/audit/public-key',
    {
      schema: {
        operationId: 'getAuditPublicKey',
        tags: ['audit'],
        summary: 'The Ed25519 public key that signs the audit checkpoints',
        description:
          'PEM (SPKI) and raw (base64) forms, and the key id (SHA-256 of the raw key, hex) that every checkpoint names. Also printed by `npm run audit:public-key`.',
        security,
        response: {
          200: z.object({
            algorithm: z.literal('Ed25519'),
            keyId: Hex,
            publicKeyPem: z.string(),
            publicKeyRaw: z.string(),
          }),
          401: Problem,
          403: Problem,
        },
      },
    },
    async (req) => {
      await authorize(req, deps, ...who);
      const k = deps.audit.key;
      return {
        algorithm: 'Ed25519' as const,
        keyId: k.keyId,
        publicKeyPem: k.publicKeyPem,
        publicKeyRaw: rawPublicKey(k.publicKey).toString('base64'),
      };
    },
  );

  app.get(
    '/audit/checkpoints',
    {
      schema: {
        operationId: 'listAuditCheckpoints',
        tags: ['audit'],
        summary: 'The signed checkpoints, newest first, paged',
        description:
          'Each checkpoint as stored in the database (and appended to the witness files). Page with `before`: the `next` value of the previous page (a log size).',
        security,
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          before: z.coerce.number().int().min(0).optional(),
        }),
        response: { 200: z.object({ checkpoints: z.array(Checkpoint), next: z.number().int().nullable() }), ...errors },
      },
    },
    async (req) => {
      await authorize(req, deps, ...who);
      const list = await deps.audit.checkpoints.list({ limit: req.query.limit, before: req.query.before });
      return {
        checkpoints: list,
        next: list.length === req.query.limit ? list[list.length - 1]!.logSize : null,
      };
    },
  );

  app.get(
    '/audit/checkpoints/latest',
    {
      schema: {
        operationId: 'getLatestAuditCheckpoint',
        tags: ['audit'],
        summary: 'The latest signed checkpoint',
        description:
          'Save it: it is the anchor `audit:verify -- --checkpoint` and `POST /audit/verify` check the log against.',
        security,
        response: { 200: Checkpoint, ...errors },
      },
    },
    async (req) => {
      await authorize(req, deps, ...who);
      const c = await deps.audit.checkpoints.latest();
      if (!c) throw notFound('no checkpoint has been taken yet');
      return c;
    },
  );

  app.get(
    '/audit/proofs/inclusion',
    {
      schema: {
        operationId: 'getAuditInclusionProof',
        tags: ['audit'],
        summary: "An event's inclusion proof (RFC 9162 §2.1.3) in the tree of a given size",
        description:
          'leafHash = SHA-256(0x00 || chain hash bytes); verify with the algorithm of RFC 9162 §2.1.3.2 against the rootHash of a checkpoint of that size. `size` defaults to the latest checkpoint. Hashes in hex.',
        security,
        querystring: z.strictObject({
          eventId: z.string().min(1).max(64),
          size: z.coerce.number().int().min(1).optional(),
        }),
        response: {
          200: z.object({
            eventId: z.string(),
            stream: z.string(),
            revision: z.number().int(),
            leafIndex: z.number().int(),
            treeSize: z.number().int(),
            leafHash: Hex,
            inclusionPath: z.array(Hex),
            rootHash: Hex,
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      await authorize(req, deps, ...who);
      const id = canonicalEventId(req.query.eventId);
      if (!id) throw badRequest('eventId: must be a UUID');
      const treeSize = await deps.audit.tree.size();
      const size = req.query.size ?? (await deps.audit.checkpoints.latest())?.logSize ?? treeSize;
      if (size > treeSize) throw badRequest(`size: ${size} is larger than the tree (${treeSize} events)`);
      const leaf = await deps.audit.tree.leafOfEvent(id);
      if (!leaf) throw notFound(`event ${id} is not in the tree (yet)`);
      if (leaf.index >= size) {
        throw badRequest(`size: event ${id} is leaf ${leaf.index}, not in a tree of ${size} events`);
      }
      return {
        eventId: id,
        stream: leaf.stream,
        revision: Number(leaf.revision),
        leafIndex: leaf.index,
        treeSize: size,
        leafHash: hex(leaf.hash),
        inclusionPath: (await deps.audit.tree.inclusion(leaf.index, size)).map(hex),
        rootHash: hex(await deps.audit.tree.root(size)),
      };
    },
  );

  app.get(
    '/audit/proofs/consistency',
    {
      schema: {
        operationId: 'getAuditConsistencyProof',
        tags: ['audit'],
        summary: 'A consistency proof (RFC 9162 §2.1.4) between two tree sizes',
        description:
          'Proves the tree of `from` events is a prefix of the tree of `to` events: verify with RFC 9162 §2.1.4.2 against the root hashes of two checkpoints. Hashes in hex.',
        security,
        querystring: z.strictObject({
          from: z.coerce.number().int().min(0),
          to: z.coerce.number().int().min(0),
        }),
        response: {
          200: z.object({
            first: z.number().int(),
            second: z.number().int(),
            firstRootHash: Hex,
            secondRootHash: Hex,
            consistencyPath: z.array(Hex),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      await authorize(req, deps, ...who);
      const { from, to } = req.query;
      if (from > to) throw badRequest(`from: ${from} is larger than to (${to})`);
      const treeSize = await deps.audit.tree.size();
      if (to > treeSize) throw badRequest(`to: ${to} is larger than the tree (${treeSize} events)`);
      return {
        first: from,
        second: to,
        firstRootHash: hex(await deps.audit.tree.root(from)),
        secondRootHash: hex(await deps.audit.tree.root(to)),
        consistencyPath: (await deps.audit.tree.consistency(from, to)).map(hex),
      };
    },
  );

  app.post(
    '/audit/verify',
    {
      schema: {
        operationId: 'verifyAuditCheckpoint',
        tags: ['audit'],
        summary: 'Verifies the log against a signed checkpoint the caller holds',
        description:
          'Checks the signature, recomputes the Merkle tree of the first logSize events from the events themselves (never from stored nodes), compares the root with the signed one and checks every hash chain. `ok: false` names the first event that differs. A malformed checkpoint, or one signed by another key or altered, is a 400. The same as `npm run audit:verify -- --checkpoint FILE`.',
        security,
        body: z.object({ checkpoint: z.unknown() }),
        response: {
          200: z.object({
            ok: z.boolean(),
            checkpoint: z.object({
              logSize: z.number().int(),
              rootHash: z.string(),
              createdAt: z.string(),
              keyId: z.string(),
            }),
            eventsChecked: z.number().int(),
            streamsChecked: z.number().int(),
            computedRoot: z.string().nullable(),
            firstDifference: Difference.nullable(),
            brokenChain: Difference.nullable(),
            witnessChecked: z.number().int(),
            witnessMismatches: z.array(z.number().int()),
          }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const principal = await authorize(req, deps, ...who);
      // it writes nothing, but goes through the one path of every POST: a repeated
      // Idempotency-Key gives the verdict first given for it, another body a 422
      return idempotent(req, reply, deps.db, principal, async () => {
        try {
          const c = parseCheckpoint(req.body.checkpoint);
          const verdict = await verifyAgainstCheckpoint(
            { store: deps.store, tree: deps.audit.tree },
            c,
            deps.audit.key.publicKey,
            {
              witness: deps.audit.checkpoints.readWitness().checkpoints,
              ...(deps.config.AUDIT_VERIFY_WORKERS !== undefined ? { workers: deps.config.AUDIT_VERIFY_WORKERS } : {}),
            },
          );
          return { status: 200, body: verdict };
        } catch (e) {
          if (e instanceof CheckpointError) throw badRequest(`checkpoint: ${e.message}`);
          throw e;
        }
      });
    },
  );
};
