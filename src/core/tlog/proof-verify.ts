import { HASH_SIZE, hashEquals, nodeHash } from './hash.js';
import { isPowerOfTwo } from './tree-math.js';

/**
 * Bound on proof lengths before any hashing: a tree of at most 2^53 - 1 leaves has inclusion
 * proofs of at most 53 hashes and consistency proofs of at most 2 × 53 (attacker-controlled).
 */
export const MAX_PROOF_HASHES = 128;

function isSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function wellFormed(proof: readonly Uint8Array[]): boolean {
  return proof.length <= MAX_PROOF_HASHES && proof.every((h) => h.length === HASH_SIZE);
}

const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/**
 * RFC 9162 §2.1.3.2: verifies that `leaf` (a leaf hash) is leaf `index` of the tree of `size`
 * leaves whose root is `root`. Never throws: every input may be attacker-controlled.
 */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isSize(index) || !isSize(size) || !wellFormed(proof)) return false;
  // 1. "If leaf_index is greater than or equal to tree_size, then fail the proof verification."
  if (index >= size) return false;
  // 2. "Set fn to leaf_index and sn to tree_size - 1."
  let fn = index;
  let sn = size - 1;
  // 3. "Set r to hash."
  let r = leaf;
  // 4. "For each value p in the inclusion_path array:"
  for (const p of proof) {
    // a. "If sn is 0, then stop the iteration and fail the proof verification."
    if (sn === 0) return false;
    // b. "If LSB(fn) is set, or if fn is equal to sn, then:"
    if (odd(fn) || fn === sn) {
      // i. "Set r to HASH(0x01 || p || r)."
      r = nodeHash(p, r);
      // ii. "If LSB(fn) is not set, then right-shift both fn and sn equally until either
      //     LSB(fn) is set or fn is 0."
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      // "Otherwise: i. Set r to HASH(0x01 || r || p)."
      r = nodeHash(r, p);
    }
    // c. "Finally, right-shift both fn and sn one time."
    fn = half(fn);
    sn = half(sn);
  }
  // 5. "Compare sn to 0. Compare r against the root_hash. If sn is equal to 0 and r and the
  //    root_hash are equal, then the log has proven the inclusion of hash."
  return sn === 0 && hashEquals(r, root);
}

/**
 * RFC 9162 §2.1.4.2: verifies that the tree of `first` leaves with root `firstRoot` is a
 * prefix of the tree of `second` leaves with root `secondRoot`. Two edge cases the RFC's
 * algorithm leaves to its callers: equal sizes need an empty proof and equal roots (§2.1.4.1:
 * SUBPROOF(m, D[m], true) = {}), and an empty first tree is consistent with any tree given an
 * empty proof (tlog-witness: "The proof MUST be empty if the old size is zero"). Never throws.
 */
export function verifyConsistency(
  first: number,
  second: number,
  proof: readonly Uint8Array[],
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): boolean {
  if (!isSize(first) || !isSize(second) || !wellFormed(proof) || first > second) return false;
  if (first === 0) return proof.length === 0;
  if (first === second) return proof.length === 0 && hashEquals(firstRoot, secondRoot);
  // 1. "If consistency_path is an empty array, stop and fail the proof verification."
  if (proof.length === 0) return false;
  // 2. "If first is an exact power of 2, then prepend first_hash to the consistency_path array."
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  // 3. "Set fn to first - 1 and sn to second - 1."
  let fn = first - 1;
  let sn = second - 1;
  // 4. "If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set."
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5. "Set both fr and sr to the first value in the consistency_path array."
  const [head, ...rest] = path as [Uint8Array, ...Uint8Array[]];
  let fr = head;
  let sr = head;
  // 6. "For each subsequent value c in the consistency_path array:"
  for (const c of rest) {
    // a. "If sn is 0, then stop the iteration and fail the proof verification."
    if (sn === 0) return false;
    // b. "If LSB(fn) is set, or if fn is equal to sn, then:"
    if (odd(fn) || fn === sn) {
      // i. "Set fr to HASH(0x01 || c || fr). Set sr to HASH(0x01 || c || sr)."
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      // ii. "If LSB(fn) is not set, then right-shift both fn and sn equally until either
      //     LSB(fn) is set or fn is 0."
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      // "Otherwise: i. Set sr to HASH(0x01 || sr || c)."
      sr = nodeHash(sr, c);
    }
    // c. "Finally, right-shift both fn and sn one time."
    fn = half(fn);
    sn = half(sn);
  }
  // 7. "verify that the fr calculated is equal to the first_hash supplied, that the sr
  //    calculated is equal to the second_hash supplied, and that sn is 0."
  return sn === 0 && hashEquals(fr, firstRoot) && hashEquals(sr, secondRoot);
}
