import { Point } from '@noble/ed25519';
import { decodeBase64url, encodeBase64url } from './base64url.js';
import { badRequest } from './errors.js';

/** `ed25519:<base64url of the raw 32-byte public key, no padding>` (SPEC §2). */
export type SignerId = string & { readonly __brand: 'SignerId' };

const PREFIX = 'ed25519:';

export function encodeSignerId(publicKey: Uint8Array): SignerId {
  if (publicKey.length !== 32) throw badRequest('signer_id', 'an ed25519 public key is 32 bytes');
  return `${PREFIX}${encodeBase64url(publicKey)}` as SignerId;
}

/** Format check only: a well-formed signer_id; whether the key is usable is `keyProblem`'s job. */
export function parseSignerId(raw: unknown, field = 'signer_id'): SignerId {
  if (typeof raw !== 'string' || !raw.startsWith(PREFIX)) {
    throw badRequest(field, 'must be "ed25519:" followed by base64url of a 32-byte key');
  }
  if (decodeBase64url(raw.slice(PREFIX.length), 32) === undefined) {
    throw badRequest(field, `${JSON.stringify(raw.slice(0, 80))} is not base64url of 32 bytes`);
  }
  return raw as SignerId;
}

export function signerPublicKey(id: SignerId): Uint8Array {
  const key = decodeBase64url(id.slice(PREFIX.length), 32);
  // parseSignerId admitted it, so this cannot fail; the check keeps the type honest.
  if (key === undefined) throw badRequest('signer_id', 'not base64url of 32 bytes');
  return key;
}

const problems = new Map<string, string | null>();

/**
 * Why a public key cannot be a signer, or null when it can. SPEC §2: small-order keys are
 * refused (node:crypto would accept a trivial signature under them), and so are
 * non-canonical or off-curve encodings (strict RFC 8032 decoding). Memoised: the
 * allow-list is small and this sits on the verification path.
 */
export function keyProblem(id: SignerId): string | null {
  const known = problems.get(id);
  if (known !== undefined) return known;
  let problem: string | null = null;
  try {
    const point = Point.fromBytes(signerPublicKey(id), false);
    if (point.isSmallOrder()) problem = 'is a small-order public key';
  } catch {
    problem = 'is not a valid ed25519 public key';
  }
  if (problems.size > 10_000) problems.clear();
  problems.set(id, problem);
  return problem;
}
