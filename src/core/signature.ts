import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { decodeBase64url } from './base64url.js';
import { badRequest, RegistryError } from './errors.js';
import { keyProblem, parseSignerId, type SignerId, signerPublicKey } from './signer-id.js';

/** One signature as it travels in descriptors and proposals (SPEC §2). */
export interface Signature {
  readonly signer_id: SignerId;
  readonly alg: string;
  readonly sig: string;
  readonly ts: number;
}

const SIGNATURE_FIELDS = new Set(['signer_id', 'alg', 'sig', 'ts']);

/** Attacker-controlled input: shape only. `alg` is checked at verification (BadSignature, SPEC §3). */
export function parseSignature(raw: unknown, field: string): Signature {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw badRequest(field, 'must be an object');
  for (const key of Object.keys(raw)) {
    if (!SIGNATURE_FIELDS.has(key)) throw badRequest(`${field}.${key}`, 'unknown field');
  }
  const r = raw as Record<string, unknown>;
  const signerId = parseSignerId(r.signer_id, `${field}.signer_id`);
  if (typeof r.alg !== 'string' || r.alg.length > 64) throw badRequest(`${field}.alg`, 'must be a string');
  if (typeof r.sig !== 'string' || decodeBase64url(r.sig, 64) === undefined) {
    throw badRequest(`${field}.sig`, 'must be base64url of 64 bytes, no padding');
  }
  if (!Number.isSafeInteger(r.ts) || (r.ts as number) < 0) {
    throw badRequest(`${field}.ts`, 'must be a non-negative integer (Unix milliseconds)');
  }
  return { signer_id: signerId, alg: r.alg, sig: r.sig, ts: r.ts as number };
}

/** A list of signatures; SPEC §3: the same signer twice in one request is a BadRequest. */
export function parseSignatures(raw: unknown, field = 'signatures'): readonly Signature[] {
  if (!Array.isArray(raw)) throw badRequest(field, 'must be an array');
  if (raw.length > 64) throw badRequest(field, 'at most 64 signatures');
  const seen = new Set<string>();
  return raw.map((item, i) => {
    const sig = parseSignature(item, `${field}[${i}]`);
    if (seen.has(sig.signer_id)) throw badRequest(`${field}[${i}]`, `duplicate signer ${sig.signer_id}`);
    seen.add(sig.signer_id);
    return sig;
  });
}

// L, the order of the ed25519 base point, little-endian: S must be below it (RFC 8032 §5.1.7).
const L = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');

function isCanonicalS(sig: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = sig[32 + i] as number;
    const l = L[i] as number;
    if (s !== l) return s < l;
  }
  return false;
}

const keyObjects = new Map<string, KeyObject>();

function keyObject(id: SignerId): KeyObject {
  let key = keyObjects.get(id);
  if (key === undefined) {
    const x = Buffer.from(signerPublicKey(id)).toString('base64url');
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    if (keyObjects.size > 10_000) keyObjects.clear();
    keyObjects.set(id, key);
  }
  return key;
}

/**
 * Strict RFC 8032 verification on node:crypto (SPEC §2). Returns why the signature is not
 * valid, or null when it is. The explicit S < L and small-order checks do not trust
 * OpenSSL's defaults to stay what they are today.
 */
export function signatureProblem(s: Signature, message: Uint8Array): string | null {
  if (s.alg !== 'ed25519') return `unsupported alg ${JSON.stringify(s.alg)}`;
  const problem = keyProblem(s.signer_id);
  if (problem !== null) return `key ${problem}`;
  const sig = decodeBase64url(s.sig, 64);
  if (sig === undefined) return 'sig is not base64url of 64 bytes';
  if (!isCanonicalS(sig)) return 'non-canonical S';
  return verify(null, message, keyObject(s.signer_id), sig) ? null : 'signature does not verify';
}

/** Throws BadSignature naming the signer when `s` does not verify over `message`. */
export function assertSignature(s: Signature, message: Uint8Array): void {
  const problem = signatureProblem(s, message);
  if (problem !== null) {
    throw new RegistryError('BadSignature', `invalid signature by ${s.signer_id}: ${problem}`);
  }
}
