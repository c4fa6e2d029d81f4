import { RegistryError } from '../errors.js';
import { concatBytes } from './encoding.js';
import { HASH_SIZE, nodeHash } from './hash.js';
import type { HashReader } from './proof-make.js';
import { assertSize, pow2 } from './tree-math.js';

/** tlog-tiles: "Full tiles MUST be exactly 256 hashes wide", a subtree of height 8. */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;

/**
 * A tile of hashes (tlog-tiles "Merkle Tree"): the `index`-th tile of `level`, `width`
 * hashes wide (256 when full, 1..255 when partial). Its i-th hash is
 * MTH(D[(index × 256 + i) × 256^level : (index × 256 + i + 1) × 256^level]).
 */
export interface Tile {
  readonly level: number;
  readonly index: number;
  readonly width: number;
}

/** tlog-tiles: "`<L>` ... MUST be a decimal ASCII integer between 0 and 63". */
export const MAX_TILE_LEVEL = 63;

/** The hash-tile level that holds the stored hashes of tree level `8 × tileLevel`. */
const leavesPerTileHash = (level: number): number => pow2(TILE_HEIGHT * level);

/**
 * tlog-tiles "Partial Tiles": for a tree of size s, level l has floor(s / 256^(l+1)) full
 * tiles and one partial tile of "floor(s / 256**l) mod 256" hashes when that is not zero
 * ("Empty tiles MUST NOT be served"). Lists every tile of the tree, lowest level first.
 */
export function tilesForSize(size: number): Tile[] {
  return tilesChanged(0, size);
}

/**
 * The tiles a tree of size `to` has that a tree of size `from` did not have in that form:
 * newly full tiles, and the partial tile of each level whose width changed. What the engine
 * writes when a batch moves the tree from `from` to `to`.
 */
export function tilesChanged(from: number, to: number): Tile[] {
  assertSize(from, 'old size');
  assertSize(to, 'new size');
  if (from > to) throw new RegistryError('BadRequest', `old size ${from} is above new size ${to}`);
  const out: Tile[] = [];
  for (let level = 0; level <= MAX_TILE_LEVEL && leavesPerTileHash(level) <= to; level++) {
    const unit = leavesPerTileHash(level);
    const fullBefore = Math.floor(from / unit / TILE_WIDTH);
    const fullAfter = Math.floor(to / unit / TILE_WIDTH);
    for (let index = fullBefore; index < fullAfter; index++) out.push({ level, index, width: TILE_WIDTH });
    const width = Math.floor(to / unit) % TILE_WIDTH;
    if (width > 0 && Math.floor(from / unit) !== Math.floor(to / unit)) {
      out.push({ level, index: fullAfter, width });
    }
  }
  return out;
}

/** tlog-tiles: "index 1234067 will be encoded as `x001/x234/067`". */
export function encodeTileIndex(index: number): string {
  assertSize(index, 'tile index');
  const groups: string[] = [];
  let v = index;
  do {
    groups.unshift(String(v % 1000).padStart(3, '0'));
    v = Math.floor(v / 1000);
  } while (v > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

const widthSuffix = (width: number): string => (width === TILE_WIDTH ? '' : `.p/${width}`);

/** `tile/<L>/<N>[.p/<W>]` (tlog-tiles "Merkle Tree"). */
export function tilePath(tile: Tile): string {
  assertTile(tile);
  return `tile/${tile.level}/${encodeTileIndex(tile.index)}${widthSuffix(tile.width)}`;
}

/** `tile/entries/<N>[.p/<W>]` (tlog-tiles "Log entries"): the bundle of leaves of level-0 tile N. */
export function entriesPath(index: number, width: number): string {
  assertTile({ level: 0, index, width });
  return `tile/entries/${encodeTileIndex(index)}${widthSuffix(width)}`;
}

function assertTile(tile: Tile): void {
  assertSize(tile.index, 'tile index');
  if (!Number.isInteger(tile.level) || tile.level < 0 || tile.level > MAX_TILE_LEVEL) {
    throw new RegistryError('BadRequest', `tile level ${tile.level} is not in 0..63`);
  }
  if (!Number.isInteger(tile.width) || tile.width < 1 || tile.width > TILE_WIDTH) {
    throw new RegistryError('BadRequest', `tile width ${tile.width} is not in 1..256`);
  }
}

export type TilePath = { readonly kind: 'tile'; readonly tile: Tile } | ({ readonly kind: 'entries' } & Tile);

/** Long enough for level 63 and the largest safe index in six groups, with a partial suffix. */
export const MAX_TILE_PATH = 64;
const TILE_PATH_RE = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/;

/**
 * Parses a tile or entry-bundle path strictly (attacker-controlled URL): the canonical
 * encoding only (no `x000/` leading group, no leading zeroes in L or W), L in 0..63, W in
 * 1..255, N a safe integer. Anything else is BadRequest.
 */
export function parseTilePath(path: string): TilePath {
  const m = path.length <= MAX_TILE_PATH ? TILE_PATH_RE.exec(path) : null;
  if (m === null) throw new RegistryError('BadRequest', 'not a tile path (tile/<L>/<N>[.p/<W>])');
  const [, levelText = '', indexText = '', widthText] = m;
  const groups = indexText.split('/');
  if (groups.length > 1 && groups[0] === 'x000') {
    throw new RegistryError('BadRequest', 'tile index has a leading zero group');
  }
  const index = Number(groups.map((g) => g.replace('x', '')).join(''));
  const width = widthText === undefined ? TILE_WIDTH : Number(widthText);
  if (!Number.isSafeInteger(index)) throw new RegistryError('BadRequest', 'tile index too large');
  if (widthText !== undefined && width >= TILE_WIDTH)
    throw new RegistryError('BadRequest', 'partial tile width is not in 1..255');
  if (levelText === 'entries') return { kind: 'entries', level: 0, index, width };
  const level = Number(levelText);
  if (level > MAX_TILE_LEVEL) throw new RegistryError('BadRequest', 'tile level is not in 0..63');
  return { kind: 'tile', tile: { level, index, width } };
}

/** A tile's bytes: its `width` stored hashes at tree level 8 × L, concatenated. */
export function tileBytes(tile: Tile, read: HashReader): Uint8Array {
  assertTile(tile);
  const level = TILE_HEIGHT * tile.level;
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < tile.width; i++) hashes.push(read(level, tile.index * TILE_WIDTH + i));
  return concatBytes(...hashes);
}

/**
 * The hash a full tile contributes to the level above (tlog-tiles: "each hash in a tile is the
 * Merkle Tree Hash of a *full* tile at the level below"): the root of its 256 hashes. Partial
 * tiles "MUST NOT be hashed into a tile at the level above", so anything but 8,192 bytes is
 * refused.
 */
export function tileRootHash(bytes: Uint8Array): Uint8Array {
  if (bytes.length !== TILE_WIDTH * HASH_SIZE) {
    throw new RegistryError('BadRequest', 'only a full tile (8,192 bytes) has a hash in the level above');
  }
  return rootOfRow(
    Array.from({ length: TILE_WIDTH }, (_, i) => bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)),
  );
}

/** The root of a power-of-two row of sibling hashes, hashed pairwise up to one. */
function rootOfRow(hashes: Uint8Array[]): Uint8Array {
  let row = hashes;
  while (row.length > 1) {
    const up: Uint8Array[] = [];
    for (let i = 0; i < row.length; i += 2) up.push(nodeHash(row[i] as Uint8Array, row[i + 1] as Uint8Array));
    row = up;
  }
  return row[0] as Uint8Array;
}

/** Reads the bytes of tile `index` of `level` (full or partial: the engine knows which it has). */
export type TileReader = (level: number, index: number) => Uint8Array;

/**
 * A HashReader over tiles (tlog-tiles: "The Merkle Tree levels between those expressed by the
 * tile hashes are reconstructed by hashing the leaves"): the hash at tree level h and index i
 * is the root of the 2^(h mod 8) hashes from i × 2^(h mod 8) in the tiles of level ⌊h / 8⌋.
 * A tile too short for the hash asked for means the caller asked past its tree: Internal.
 */
export function tileHashReader(readTile: TileReader): HashReader {
  const fromTile = (tileLevel: number, position: number): Uint8Array => {
    const bytes = readTile(tileLevel, Math.floor(position / TILE_WIDTH));
    const offset = (position % TILE_WIDTH) * HASH_SIZE;
    if (bytes.length < offset + HASH_SIZE) {
      throw new RegistryError('Internal', `tile ${tileLevel}/${Math.floor(position / TILE_WIDTH)} too short`);
    }
    return bytes.subarray(offset, offset + HASH_SIZE);
  };
  return (level, index) => {
    const tileLevel = Math.floor(level / TILE_HEIGHT);
    const span = pow2(level - TILE_HEIGHT * tileLevel);
    let row: Uint8Array[] = [];
    for (let i = 0; i < span; i++) row.push(fromTile(tileLevel, index * span + i));
    while (row.length > 1) {
      const up: Uint8Array[] = [];
      for (let i = 0; i < row.length; i += 2)
        up.push(nodeHash(row[i] as Uint8Array, row[i + 1] as Uint8Array));
      row = up;
    }
    return row[0] as Uint8Array;
  };
}
