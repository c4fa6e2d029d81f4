import { RegistryError } from '../errors.js';

/**
 * Tree sizes and indexes are JavaScript numbers within 2^53 - 1, so the arithmetic below uses
 * division and remainders, never 32-bit bitwise operators.
 */
export function assertSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RegistryError('BadRequest', `${what}: not a tree size (a safe non-negative integer)`);
  }
}

/** RFC 9162 §2.1.1: "k be the largest power of two smaller than n (i.e., k < n <= 2k)", for n > 1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/** Number of set bits of a safe integer: the number of full subtrees on a tree's right edge. */
export function popcount(n: number): number {
  let count = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) count += v % 2;
  return count;
}

/** 2^level as an exact number (levels up to 63 are representable, if not all safe). */
export function pow2(level: number): number {
  return 2 ** level;
}
