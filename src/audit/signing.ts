import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { canonicalJson } from '../eventstore/hash.ts';

/**
 * The checkpoint signing key (Ed25519, node:crypto): outside the database, in a PKCS#8 PEM file,
 * `AUDIT_SIGNING_KEY_FILE` or `DATA_DIR/audit-signing-key.pem`, generated on the first start with
 * mode 0600 (as the JWT secret is). The key id is the SHA-256 (hex) of the raw 32-byte public key.
 */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
  /** SPKI PEM of the public key (what `GET /audit/public-key` serves). */
  publicKeyPem: string;
}

export const signingKeyFile = (config: { DATA_DIR: string; AUDIT_SIGNING_KEY_FILE?: string | undefined }) =>
  config.AUDIT_SIGNING_KEY_FILE ?? join(config.DATA_DIR, 'audit-signing-key.pem');

/** The raw 32 bytes of an Ed25519 public key (the last 32 bytes of its SPKI DER). */
export const rawPublicKey = (key: KeyObject): Buffer => key.export({ type: 'spki', format: 'der' }).subarray(-32);

export const keyIdOf = (key: KeyObject): string => createHash('sha256').update(rawPublicKey(key)).digest('hex');

export function loadSigningKey(file: string, opts: { create: boolean }): SigningKey {
  if (!existsSync(file)) {
    if (!opts.create) throw new Error(`the audit signing key ${file} does not exist`);
    mkdirSync(dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    try {
      writeFileSync(file, pem, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      // another process of the same DATA_DIR made it first: use theirs
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
    chmodSync(file, 0o600);
  }
  const privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 private key`);
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** What a checkpoint states; the signature covers the RFC 8785 (JCS) UTF-8 bytes of exactly this. */
export interface CheckpointBody {
  /** "ti-ledger checkpoint v1": what the signature is about (never reusable for another message). */
  format: 'ti-ledger checkpoint v1';
  /** Number of leaves (events) of the tree. */
  logSize: number;
  /** RFC 9162 root hash of the first logSize events in log order, hex. */
  rootHash: string;
  /** Log position of the last event in the tree (null for an empty tree). */
  lastPosition: string | null;
  /** The backend's resume point after that event (opaque; null for an empty tree). */
  lastCheckpoint: string | null;
  createdAt: string;
  keyId: string;
}

export interface SignedCheckpoint extends CheckpointBody {
  /** Ed25519 signature of JCS(body), base64. */
  signature: string;
}

export const signedBytes = (body: CheckpointBody): Buffer =>
  Buffer.from(
    canonicalJson({
      format: body.format,
      logSize: body.logSize,
      rootHash: body.rootHash,
      lastPosition: body.lastPosition,
      lastCheckpoint: body.lastCheckpoint,
      createdAt: body.createdAt,
      keyId: body.keyId,
    }),
    'utf8',
  );

export function signCheckpoint(key: SigningKey, body: Omit<CheckpointBody, 'keyId' | 'format'>): SignedCheckpoint {
  const full: CheckpointBody = { format: 'ti-ledger checkpoint v1', ...body, keyId: key.keyId };
  return { ...full, signature: sign(null, signedBytes(full), key.privateKey).toString('base64') };
}

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Parses a checkpoint (file text or JSON value); a bad one is a CheckpointError naming what is wrong. */
export function parseCheckpoint(input: unknown): SignedCheckpoint {
  let v = input;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch (e) {
      throw new CheckpointError(`the checkpoint is not JSON: ${(e as Error).message}`);
    }
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new CheckpointError('the checkpoint is not a JSON object');
  const c = v as Record<string, unknown>;
  const fail = (field: string, what: string) => {
    throw new CheckpointError(`checkpoint field ${field}: ${what}`);
  };
  if (c.format !== 'ti-ledger checkpoint v1') fail('format', 'must be "ti-ledger checkpoint v1"');
  if (typeof c.logSize !== 'number' || !Number.isSafeInteger(c.logSize) || c.logSize < 0)
    fail('logSize', 'must be a non-negative integer');
  if (typeof c.rootHash !== 'string' || !HEX64.test(c.rootHash)) fail('rootHash', 'must be 64 lowercase hex digits');
  for (const f of ['lastPosition', 'lastCheckpoint'] as const)
    if (c[f] !== null && typeof c[f] !== 'string') fail(f, 'must be a string or null');
  if (typeof c.createdAt !== 'string' || Number.isNaN(Date.parse(c.createdAt)))
    fail('createdAt', 'must be an ISO 8601 date-time');
  if (typeof c.keyId !== 'string' || !HEX64.test(c.keyId)) fail('keyId', 'must be 64 lowercase hex digits');
  if (typeof c.signature !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(c.signature))
    fail('signature', 'must be a base64 Ed25519 signature (88 characters)');
  return {
    format: 'ti-ledger checkpoint v1',
    logSize: c.logSize as number,
    rootHash: c.rootHash as string,
    lastPosition: c.lastPosition as string | null,
    lastCheckpoint: c.lastCheckpoint as string | null,
    createdAt: c.createdAt as string,
    keyId: c.keyId as string,
    signature: c.signature as string,
  };
}

/** Checks a checkpoint's key id and signature against the public key; throws CheckpointError if not. */
export function checkSignature(c: SignedCheckpoint, publicKey: KeyObject): void {
  const keyId = keyIdOf(publicKey);
  if (c.keyId !== keyId) {
    throw new CheckpointError(`the checkpoint is signed by key ${c.keyId}, not by this ledger's key ${keyId}`);
  }
  if (!verify(null, signedBytes(c), publicKey, Buffer.from(c.signature, 'base64'))) {
    throw new CheckpointError('the checkpoint signature does not verify: the checkpoint was altered');
  }
}
