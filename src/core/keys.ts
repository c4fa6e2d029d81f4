import { createHash } from 'node:crypto';
import * as ed from '@noble/ed25519';
import { encodeBase64url } from './base64url.js';
import { signingBytes } from './canonical.js';
import type { Payload } from './descriptor.types.js';
import type { Signature } from './signature.js';
import { encodeSignerId, type SignerId } from './signer-id.js';

// @noble/ed25519's synchronous API needs a SHA-512; node:crypto's is the fast one here.
ed.hashes.sha512 = (m: Uint8Array) => new Uint8Array(createHash('sha512').update(m).digest());

export interface SigningKey {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly signerId: SignerId;
}

/** A signing key from a 32-byte seed (the RFC 8032 secret key). */
export function signingKeyFromSeed(seed: Uint8Array): SigningKey {
  const publicKey = ed.getPublicKey(seed);
  return { secretKey: seed, publicKey, signerId: encodeSignerId(publicKey) };
}

export function generateSigningKey(): SigningKey {
  return signingKeyFromSeed(ed.utils.randomSecretKey());
}

/** Raw ed25519 signature (64 bytes) of arbitrary bytes. */
export function signBytes(message: Uint8Array, key: SigningKey): Uint8Array {
  return ed.sign(message, key.secretKey);
}

/** Signs a payload's signing bytes (SPEC §2) and returns the wire signature object. */
export function signPayload(payload: Payload, key: SigningKey, ts: number): Signature {
  const sig = signBytes(signingBytes(payload), key);
  return { signer_id: key.signerId, alg: 'ed25519', sig: encodeBase64url(sig), ts };
}
