import { RegistryError } from '../errors.js';
import { bytesOf, decodeUtf8, encodeBase64, parseHashBase64 } from './encoding.js';
import { EMPTY_ROOT, HASH_SIZE, nodeHash } from './hash.js';
import type { HashReader } from './proof-make.js';
import { assertSize, popcount, pow2 } from './tree-math.js';

/**
 * The right edge of the tree (a compact range over [0, size)): the roots of the maximal full
 * subtrees that make up a tree of `size` leaves, largest (leftmost) first, one per set bit of
 * `size`. It is all SPEC §13's `meta/tree` needs to extend the tree and compute its root.
 */
export interface TreeEdge {
  readonly size: number;
  readonly hashes: readonly Uint8Array[];
}

/** A hash that became final when the tree grew: the root of the full subtree `index` at `level`. */
export interface StoredHash {
  readonly level: number;
  readonly index: number;
  readonly hash: Uint8Array;
}

export const EMPTY_EDGE: TreeEdge = { size: 0, hashes: [] };

/**
 * Appends one leaf hash. A new leaf at index `size` completes the full subtree at level l + 1
 * exactly when bit l of `size` is set (RFC 9162 §2.1.1's split puts the older, full half on
 * the left), so the carries of a binary increment are the nodes to hash and store.
 */
export function appendLeaf(edge: TreeEdge, leaf: Uint8Array): { edge: TreeEdge; stored: StoredHash[] } {
  if (leaf.length !== HASH_SIZE) throw new RegistryError('Internal', 'a leaf hash is 32 bytes');
  const hashes = [...edge.hashes];
  const stored: StoredHash[] = [{ level: 0, index: edge.size, hash: leaf }];
  let hash = leaf;
  let level = 0;
  while (Math.floor(edge.size / pow2(level)) % 2 === 1) {
    const left = hashes.pop();
    if (left === undefined) throw new RegistryError('Internal', 'tree edge shorter than its size says');
    hash = nodeHash(left, hash);
    level++;
    stored.push({ level, index: Math.floor(edge.size / pow2(level)), hash });
  }
  hashes.push(hash);
  return { edge: { size: edge.size + 1, hashes }, stored };
}

/** RFC 9162 §2.1.1: the root is the edge's subtrees hashed together from the right. */
export function edgeRoot(edge: TreeEdge): Uint8Array {
  let root: Uint8Array | undefined;
  for (let i = edge.hashes.length - 1; i >= 0; i--) {
    const h = edge.hashes[i] as Uint8Array;
    root = root === undefined ? h : nodeHash(h, root);
  }
  return root ?? EMPTY_ROOT;
}

/** The edge of the tree of `size` leaves, from stored hashes (e.g. tiles): one read per set bit. */
export function edgeFromReader(size: number, read: HashReader): TreeEdge {
  assertSize(size, 'tree size');
  const hashes: Uint8Array[] = [];
  let start = 0;
  for (let level = 53; level >= 0; level--) {
    const width = pow2(level);
    if (Math.floor(size / width) % 2 === 1) {
      hashes.push(read(level, start / width));
      start += width;
    }
  }
  return { size, hashes };
}

/** `meta/tree` (SPEC §13): JSON like every non-counter value of §4, hashes in base64. */
export function encodeEdge(edge: TreeEdge): Uint8Array {
  return bytesOf(JSON.stringify({ size: edge.size, hashes: edge.hashes.map(encodeBase64) }));
}

/** Room for 53 base64 hashes and the size: anything longer is not a `meta/tree` value. */
export const MAX_EDGE_BYTES = 4096;

/** Parses `meta/tree` strictly: the size, then exactly one 32-byte hash per set bit of it. */
export function parseEdge(bytes: Uint8Array): TreeEdge {
  if (bytes.length > MAX_EDGE_BYTES) throw new RegistryError('BadRequest', 'meta/tree: too long');
  let raw: unknown;
  try {
    raw = JSON.parse(decodeUtf8(bytes, 'meta/tree'));
  } catch (err) {
    if (err instanceof RegistryError) throw err;
    throw new RegistryError('BadRequest', 'meta/tree: not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RegistryError('BadRequest', 'meta/tree: not an object');
  }
  const { size, hashes, ...rest } = raw as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new RegistryError('BadRequest', 'meta/tree: unknown member');
  if (typeof size !== 'number') throw new RegistryError('BadRequest', 'meta/tree: size is not a number');
  assertSize(size, 'meta/tree size');
  if (!Array.isArray(hashes) || hashes.length !== popcount(size)) {
    throw new RegistryError('BadRequest', 'meta/tree: hashes do not match the size');
  }
  const parsed = hashes.map((h, i) => {
    if (typeof h !== 'string') throw new RegistryError('BadRequest', `meta/tree: hash ${i} is not a string`);
    return parseHashBase64(h, `meta/tree hash ${i}`);
  });
  return { size, hashes: parsed };
}
