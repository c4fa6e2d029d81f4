import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appendLeaf,
  EMPTY_EDGE,
  edgeFromReader,
  edgeRoot,
  encodeEdge,
  MAX_EDGE_BYTES,
  parseEdge,
  type StoredHash,
  type TreeEdge,
} from './edge.js';
import { bytesOf } from './encoding.js';
import { EMPTY_ROOT, leafHash } from './hash.js';
import { memoryHashReader, referenceRoot } from './memory.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const leaves = (n: number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`e${i}`)));

function grow(ls: readonly Uint8Array[]): { edge: TreeEdge; stored: StoredHash[]; roots: string[] } {
  let edge = EMPTY_EDGE;
  const stored: StoredHash[] = [];
  const roots: string[] = [];
  for (const leaf of ls) {
    const next = appendLeaf(edge, leaf);
    edge = next.edge;
    stored.push(...next.stored);
    roots.push(hex(edgeRoot(edge)));
  }
  return { edge, stored, roots };
}

describe('the right edge', () => {
  it('starts empty, with the empty tree root', () => {
    expect(edgeRoot(EMPTY_EDGE)).toEqual(EMPTY_ROOT);
  });

  it('gives the reference MTH after each append, and stores every full subtree hash once (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), (n) => {
        const ls = leaves(n);
        const { edge, stored, roots } = grow(ls);
        expect(roots).toEqual(ls.map((_, i) => hex(referenceRoot(ls.slice(0, i + 1)))));
        expect(edge.size).toBe(n);
        // Every full aligned subtree of the tree, computed directly, is stored exactly once.
        const read = memoryHashReader(ls);
        const expected: string[] = [];
        for (let level = 0; 2 ** level <= n; level++) {
          for (let index = 0; (index + 1) * 2 ** level <= n; index++) {
            expected.push(`${level}/${index}/${hex(read(level, index))}`);
          }
        }
        expect(stored.map((s) => `${s.level}/${s.index}/${hex(s.hash)}`).sort()).toEqual(expected.sort());
        // The edge rebuilt from stored hashes is the same edge.
        expect(edgeFromReader(n, read).hashes.map(hex)).toEqual(edge.hashes.map(hex));
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a leaf hash of the wrong length and an edge shorter than its size', () => {
    expect(() => appendLeaf(EMPTY_EDGE, new Uint8Array(31))).toThrow(/32 bytes/);
    expect(() => appendLeaf({ size: 1, hashes: [] }, leafHash(new Uint8Array()))).toThrow(/shorter/);
  });
});

describe('meta/tree', () => {
  it('round-trips through its JSON form (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), (n) => {
        const { edge } = grow(leaves(n));
        const parsed = parseEdge(encodeEdge(edge));
        expect(parsed.size).toBe(n);
        expect(parsed.hashes.map(hex)).toEqual(edge.hashes.map(hex));
      }),
      { numRuns: 30 },
    );
  });

  const h = Buffer.alloc(32).toString('base64');
  it.each([
    ['too long', new Uint8Array(MAX_EDGE_BYTES + 1), /too long/],
    ['not UTF-8', new Uint8Array([0xff]), /UTF-8/],
    ['not JSON', bytesOf('{'), /not JSON/],
    ['an array', bytesOf('[]'), /not an object/],
    ['null', bytesOf('null'), /not an object/],
    ['an unknown member', bytesOf(`{"size":1,"hashes":["${h}"],"x":1}`), /unknown member/],
    ['a string size', bytesOf(`{"size":"1","hashes":["${h}"]}`), /not a number/],
    ['a negative size', bytesOf('{"size":-1,"hashes":[]}'), /not a tree size/],
    ['too few hashes', bytesOf('{"size":3,"hashes":[]}'), /do not match/],
    ['a number hash', bytesOf('{"size":1,"hashes":[1]}'), /not a string/],
    ['a short hash', bytesOf('{"size":1,"hashes":["AAAA"]}'), /32-byte/],
  ])('refuses %s', (_, bytes, message) => {
    expect(() => parseEdge(bytes)).toThrow(message);
  });
});
