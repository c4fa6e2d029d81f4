import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRegistryError } from '../errors.js';
import { EMPTY_ROOT, hashEquals, leafHash, nodeHash } from './hash.js';
import {
  memoryHashReader,
  referenceConsistencyProof,
  referenceInclusionProof,
  referenceRoot,
} from './memory.js';
import { consistencyProof, inclusionProof, subtreeHash, treeRoot } from './proof-make.js';
import { MAX_PROOF_HASHES, verifyConsistency, verifyInclusion } from './proof-verify.js';
import { assertSize, isPowerOfTwo, popcount, splitPoint } from './tree-math.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const leaves = (n: number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
const flip = (h: Uint8Array, bit: number): Uint8Array => {
  const out = new Uint8Array(h);
  out[Math.floor(bit / 8) % out.length] =
    (out[Math.floor(bit / 8) % out.length] as number) ^ (1 << (bit % 8));
  return out;
};

describe('RFC 9162 §2.1.1 hashing', () => {
  it('hashes the empty tree, a leaf and a node with their domain-separation prefixes', () => {
    // SHA-256 of the empty string, of 0x00 and of 0x01 || 64 zero bytes (values from Python's hashlib).
    expect(hex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(leafHash(new Uint8Array()))).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
    const z = new Uint8Array(32);
    expect(hex(nodeHash(z, z))).toBe('ae0798d0ecaed2b778eddebf18f071a561c53658c05e76cedecc27cafbdbc577');
    expect(hashEquals(leafHash(z), nodeHash(z, z))).toBe(false);
  });

  it('compares hashes byte by byte', () => {
    expect(hashEquals(new Uint8Array([1]), new Uint8Array([1, 2]))).toBe(false);
    expect(hashEquals(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(hashEquals(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
  });

  it('splits at the largest power of two below n', () => {
    expect([2, 3, 4, 5, 8, 9, 1000].map(splitPoint)).toEqual([1, 2, 2, 4, 4, 8, 512]);
    expect([0, 1, 2, 3, 6, 8, 2 ** 52].map(isPowerOfTwo)).toEqual([
      false,
      true,
      true,
      false,
      false,
      true,
      true,
    ]);
    expect(popcount(2 ** 52 + 5)).toBe(3);
    expect(() => assertSize(-1, 'x')).toThrow(/not a tree size/);
    expect(() => assertSize(2 ** 53, 'x')).toThrow(/not a tree size/);
  });
});

describe('tree roots from stored hashes', () => {
  it('equal the reference MTH for every size up to 300 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), (n) => {
        const ls = leaves(n);
        expect(hex(treeRoot(n, memoryHashReader(ls)))).toBe(hex(referenceRoot(ls)));
      }),
    );
  });

  it('refuses an empty range and a missing stored hash', () => {
    expect(() => subtreeHash(3, 3, memoryHashReader(leaves(4)))).toThrow(/empty subtree/);
    expect(() => treeRoot(5, memoryHashReader(leaves(4)))).toThrow(/no stored hash/);
  });
});

const treeAndIndex = fc
  .integer({ min: 1, max: 300 })
  .chain((size) => fc.record({ size: fc.constant(size), index: fc.integer({ min: 0, max: size - 1 }) }));

describe('inclusion proofs (RFC 9162 §2.1.3)', () => {
  it('are the reference PATH and verify for every index of every size up to 70', () => {
    for (let size = 1; size <= 70; size++) {
      const ls = leaves(size);
      const read = memoryHashReader(ls);
      const root = referenceRoot(ls);
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(index, size, read);
        expect(proof.map(hex)).toEqual(referenceInclusionProof(index, ls).map(hex));
        expect(verifyInclusion(index, size, ls[index] as Uint8Array, proof, root)).toBe(true);
      }
    }
  });

  it('fail on any flipped bit, another index, another size or a cut proof (property)', () => {
    fc.assert(
      fc.property(treeAndIndex, fc.nat(), ({ size, index }, bit) => {
        const ls = leaves(size + 1);
        const read = memoryHashReader(ls);
        const root = treeRoot(size, read);
        const leaf = ls[index] as Uint8Array;
        const proof = inclusionProof(index, size, read);
        expect(verifyInclusion(index, size, leaf, proof, root)).toBe(true);
        expect(verifyInclusion(index, size, flip(leaf, bit), proof, root)).toBe(false);
        expect(verifyInclusion(index, size, leaf, proof, flip(root, bit))).toBe(false);
        if (proof.length > 0) {
          const at = bit % proof.length;
          const bad = proof.map((h, i) => (i === at ? flip(h, bit) : h));
          expect(verifyInclusion(index, size, leaf, bad, root)).toBe(false);
          expect(verifyInclusion(index, size, leaf, proof.slice(1), root)).toBe(false);
        }
        expect(verifyInclusion(index, size, leaf, [...proof, leaf], root)).toBe(false);
        expect(verifyInclusion(index, size + 1, leaf, proof, treeRoot(size + 1, read))).toBe(false);
        if (size > 1) expect(verifyInclusion((index + 1) % size, size, leaf, proof, root)).toBe(false);
      }),
    );
  });

  it('refuse malformed input without throwing', () => {
    const ls = leaves(4);
    const root = referenceRoot(ls);
    const proof = inclusionProof(1, 4, memoryHashReader(ls));
    const leaf = ls[1] as Uint8Array;
    expect(verifyInclusion(4, 4, leaf, proof, root)).toBe(false);
    expect(verifyInclusion(-1, 4, leaf, proof, root)).toBe(false);
    expect(verifyInclusion(1, 1.5, leaf, proof, root)).toBe(false);
    expect(verifyInclusion(1, 4, leaf, [new Uint8Array(31), ...proof.slice(1)], root)).toBe(false);
    const long = Array.from({ length: MAX_PROOF_HASHES + 1 }, () => leaf);
    expect(verifyInclusion(1, 4, leaf, long, root)).toBe(false);
    expect(() => inclusionProof(4, 4, memoryHashReader(ls))).toThrow(/not below size/);
  });
});

const sizes = fc
  .integer({ min: 1, max: 300 })
  .chain((n) => fc.record({ n: fc.constant(n), m: fc.integer({ min: 1, max: n }) }));

describe('consistency proofs (RFC 9162 §2.1.4)', () => {
  it('are the reference PROOF and verify for every m <= n up to 64', () => {
    const ls = leaves(64);
    const read = memoryHashReader(ls);
    for (let n = 1; n <= 64; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(m, n, read);
        expect(proof.map(hex)).toEqual(referenceConsistencyProof(m, ls.slice(0, n)).map(hex));
        expect(verifyConsistency(m, n, proof, treeRoot(m, read), treeRoot(n, read))).toBe(true);
      }
    }
  });

  it('fail on any flipped bit, a wrong size or a cut proof (property)', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), ({ m, n }, bit) => {
        const read = memoryHashReader(leaves(n + 1));
        const first = treeRoot(m, read);
        const second = treeRoot(n, read);
        const proof = consistencyProof(m, n, read);
        expect(verifyConsistency(m, n, proof, first, second)).toBe(true);
        expect(verifyConsistency(m, n, proof, flip(first, bit), second)).toBe(false);
        expect(verifyConsistency(m, n, proof, first, flip(second, bit))).toBe(false);
        if (proof.length > 0) {
          const at = bit % proof.length;
          expect(
            verifyConsistency(
              m,
              n,
              proof.map((h, i) => (i === at ? flip(h, bit) : h)),
              first,
              second,
            ),
          ).toBe(false);
          expect(verifyConsistency(m, n, proof.slice(0, -1), first, second)).toBe(false);
        }
        expect(verifyConsistency(m, n, [...proof, first], first, second)).toBe(false);
        expect(verifyConsistency(m, n + 1, proof, first, treeRoot(n + 1, read))).toBe(false);
        if (m < n) expect(verifyConsistency(m + 1, n, proof, treeRoot(m + 1, read), second)).toBe(false);
      }),
    );
  });

  it('handle the edge cases: equal sizes, an empty first tree, m > n, malformed input', () => {
    const read = memoryHashReader(leaves(8));
    const r5 = treeRoot(5, read);
    expect(consistencyProof(5, 5, read)).toEqual([]);
    expect(verifyConsistency(5, 5, [], r5, r5)).toBe(true);
    expect(verifyConsistency(5, 5, [], r5, treeRoot(6, read))).toBe(false);
    expect(verifyConsistency(5, 5, [r5], r5, r5)).toBe(false);
    expect(consistencyProof(0, 5, read)).toEqual([]);
    expect(verifyConsistency(0, 5, [], EMPTY_ROOT, r5)).toBe(true);
    expect(verifyConsistency(0, 5, [r5], EMPTY_ROOT, r5)).toBe(false);
    expect(verifyConsistency(3, 5, [], treeRoot(3, read), r5)).toBe(false);
    expect(verifyConsistency(6, 5, [], r5, r5)).toBe(false);
    expect(verifyConsistency(-1, 5, [], r5, r5)).toBe(false);
    expect(() => consistencyProof(6, 5, read)).toThrow(/above new size/);
    expect(() => consistencyProof(0.5, 5, read)).toThrow(/not a tree size/);
    try {
      consistencyProof(6, 5, read);
    } catch (err) {
      expect(isRegistryError(err, 'BadRequest')).toBe(true);
    }
  });

  it('stop at sn = 0 when a proof carries hashes past the root', () => {
    const read = memoryHashReader(leaves(8));
    const proof = consistencyProof(3, 4, read);
    const extra = [...proof, ...proof, ...proof];
    expect(verifyConsistency(3, 4, extra, treeRoot(3, read), treeRoot(4, read))).toBe(false);
  });
});
