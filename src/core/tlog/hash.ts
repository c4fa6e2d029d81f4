import { createHash } from 'node:crypto';

/** SHA-256 output size: every tree hash in the log (RFC 9162 §2.1 with SHA-256, SPEC §13). */
export const HASH_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** RFC 9162 §2.1.1: MTH({d(0)}) = HASH(0x00 || d(0)). */
export function leafHash(leaf: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(LEAF_PREFIX).update(leaf).digest());
}

/** RFC 9162 §2.1.1: MTH(D_n) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n])). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest());
}

/** RFC 9162 §2.1.1: "The hash of an empty list is the hash of an empty string: MTH({}) = HASH()." */
export const EMPTY_ROOT: Uint8Array = new Uint8Array(createHash('sha256').digest());

/** Byte equality of two hashes (not secret, so no constant-time compare is needed). */
export function hashEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
