import { RegistryError } from '../errors.js';
import { EMPTY_ROOT, nodeHash } from './hash.js';
import { assertSize, isPowerOfTwo, pow2, splitPoint } from './tree-math.js';

/**
 * Reads a stored hash: the Merkle Tree Hash of the full subtree of 2^level leaves that starts
 * at leaf index × 2^level (level 0: the leaf hashes). The engine backs it with tiles
 * (`tileHashReader`); tests back it with memory (`memoryHashReader`).
 */
export type HashReader = (level: number, index: number) => Uint8Array;

/** The level of a full subtree of `size` leaves starting at `start`, or -1 when it is not one. */
function fullLevel(start: number, size: number): number {
  if (!isPowerOfTwo(size) || start % size !== 0) return -1;
  let level = 0;
  while (pow2(level) < size) level++;
  return level;
}

/**
 * RFC 9162 §2.1.1: MTH(D[start:end]), read from stored hashes: a full subtree aligned on its
 * size is one stored hash; any other range splits at k (the largest power of two below its
 * length) and hashes its two halves, exactly as the definition of MTH does.
 */
export function subtreeHash(start: number, end: number, read: HashReader): Uint8Array {
  const n = end - start;
  if (n < 1) throw new RegistryError('Internal', `empty subtree [${start}, ${end})`);
  const level = fullLevel(start, n);
  if (level >= 0) return read(level, start / pow2(level));
  const k = splitPoint(n);
  return nodeHash(subtreeHash(start, start + k, read), subtreeHash(start + k, end, read));
}

/** RFC 9162 §2.1.1: the root of the tree of `size` leaves (MTH({}) = HASH() when empty). */
export function treeRoot(size: number, read: HashReader): Uint8Array {
  assertSize(size, 'tree size');
  return size === 0 ? EMPTY_ROOT : subtreeHash(0, size, read);
}

/**
 * RFC 9162 §2.1.3.1: PATH(m, D_n), the inclusion proof of leaf `index` in the tree of `size`
 * leaves. "PATH(0, {d(0)}) = {}"; for n > 1, with k the largest power of two below n,
 * "PATH(m, D_n) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k; and
 *  PATH(m, D_n) = PATH(m - k, D[k:n]) : MTH(D[0:k]) for m >= k".
 */
export function inclusionProof(index: number, size: number, read: HashReader): Uint8Array[] {
  assertSize(size, 'tree size');
  assertSize(index, 'leaf index');
  if (index >= size) throw new RegistryError('BadRequest', `leaf index ${index} is not below size ${size}`);
  const out: Uint8Array[] = [];
  path(index, 0, size, read, out);
  return out;
}

function path(m: number, start: number, end: number, read: HashReader, out: Uint8Array[]): void {
  const n = end - start;
  if (n === 1) return;
  const k = splitPoint(n);
  if (m < k) {
    path(m, start, start + k, read, out);
    out.push(subtreeHash(start + k, end, read));
  } else {
    path(m - k, start + k, end, read, out);
    out.push(subtreeHash(start, start + k, read));
  }
}

/**
 * RFC 9162 §2.1.4.1: PROOF(m, D_n) = SUBPROOF(m, D_n, true), the consistency proof from the
 * tree of `m` leaves to the tree of `n` leaves. It is empty when m = n ("SUBPROOF(m, D[m],
 * true) = {}") and, by tlog-witness's rule for an old size of zero, when m = 0.
 */
export function consistencyProof(m: number, n: number, read: HashReader): Uint8Array[] {
  assertSize(m, 'old size');
  assertSize(n, 'new size');
  if (m > n) throw new RegistryError('BadRequest', `old size ${m} is above new size ${n}`);
  const out: Uint8Array[] = [];
  if (m > 0) subproof(m, 0, n, true, read, out);
  return out;
}

/**
 * RFC 9162 §2.1.4.1: "SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])};
 * for m < n, SUBPROOF(m, D_n, b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n]) if m <= k, and
 * SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]) if m > k".
 */
function subproof(
  m: number,
  start: number,
  end: number,
  complete: boolean,
  read: HashReader,
  out: Uint8Array[],
): void {
  const n = end - start;
  if (m === n) {
    if (!complete) out.push(subtreeHash(start, end, read));
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproof(m, start, start + k, complete, read, out);
    out.push(subtreeHash(start + k, end, read));
  } else {
    subproof(m - k, start + k, end, false, read, out);
    out.push(subtreeHash(start, start + k, read));
  }
}
