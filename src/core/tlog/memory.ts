import { RegistryError } from '../errors.js';
import { EMPTY_ROOT, nodeHash } from './hash.js';
import type { HashReader } from './proof-make.js';
import { splitPoint } from './tree-math.js';

/**
 * The in-memory reference: RFC 9162 §2.1 taken literally over an array of leaf hashes, with
 * no stored hashes, no edge and no tiles. Tests hold every faster path to it.
 */
export function referenceRoot(leaves: readonly Uint8Array[]): Uint8Array {
  // §2.1.1: "MTH({}) = HASH()", "MTH({d(0)}) = HASH(0x00 || d(0))" (here already hashed).
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0] as Uint8Array;
  const k = splitPoint(leaves.length);
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

/** §2.1.3.1 PATH(m, D_n) over the leaf hashes themselves. */
export function referenceInclusionProof(m: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  const k = splitPoint(leaves.length);
  if (m < k) return [...referenceInclusionProof(m, leaves.slice(0, k)), referenceRoot(leaves.slice(k))];
  return [...referenceInclusionProof(m - k, leaves.slice(k)), referenceRoot(leaves.slice(0, k))];
}

/** §2.1.4.1 PROOF(m, D_n) = SUBPROOF(m, D_n, true) over the leaf hashes themselves. */
export function referenceConsistencyProof(m: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  return m === 0 ? [] : referenceSubproof(m, leaves, true);
}

function referenceSubproof(m: number, leaves: readonly Uint8Array[], b: boolean): Uint8Array[] {
  if (m === leaves.length) return b ? [] : [referenceRoot(leaves)];
  const k = splitPoint(leaves.length);
  if (m <= k) return [...referenceSubproof(m, leaves.slice(0, k), b), referenceRoot(leaves.slice(k))];
  return [...referenceSubproof(m - k, leaves.slice(k), false), referenceRoot(leaves.slice(0, k))];
}

/**
 * A HashReader over leaf hashes held in memory: level l, index i is the root of the 2^l
 * leaves from i × 2^l, computed once per level. For tests, tools and small trees.
 */
export function memoryHashReader(leaves: readonly Uint8Array[]): HashReader {
  const levels: Uint8Array[][] = [[...leaves]];
  for (let below = levels[0] as Uint8Array[]; below.length >= 2; ) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) {
      next.push(nodeHash(below[i] as Uint8Array, below[i + 1] as Uint8Array));
    }
    levels.push(next);
    below = next;
  }
  return (level, index) => {
    const hash = levels[level]?.[index];
    if (hash === undefined) {
      throw new RegistryError('Internal', `no stored hash at level ${level} index ${index}`);
    }
    return hash;
  };
}
