import { RegistryError } from '../../core/index.js';
import {
  concatBytes,
  encodeTileIndex,
  HASH_SIZE,
  type HashReader,
  leafHash,
  TILE_WIDTH,
  tileHashReader,
  tileRootHash,
} from '../../core/tlog/index.js';
import { KEY, type Store } from '../../store/index.js';
import { leafBytes } from './leaf-bytes.js';

/** Hashes at tile level L are tree level 8 × L: one per 256^L leaves. */
export const unitOf = (level: number): number => 256 ** level;

/** How many hashes tree level 8 × `level` has in a tree of `size` leaves. */
export const hashesAt = (size: number, level: number): number => Math.floor(size / unitOf(level));

/** The number of tile levels a tree of `size` leaves has (level L exists once 256^L ≤ size). */
export function tileLevels(size: number): number {
  let levels = 0;
  while (size > 0 && unitOf(levels) <= size) levels++;
  return levels;
}

export const tileKey = (level: number, index: number): string => KEY.tile(level, encodeTileIndex(index));

/**
 * The current partial tile of each level ("rows"): the hashes past the last full tile. They are
 * not stored (SPEC §13 stores full tiles only): they are rebuilt once per process, lazily, from
 * at most 255 leaves and, above level 0, from the full tiles below (never the whole log).
 */
export async function loadRows(store: Store, size: number): Promise<Uint8Array[][]> {
  const rows: Uint8Array[][] = [];
  for (let level = 0; level < tileLevels(size); level++) {
    const count = hashesAt(size, level);
    const start = count - (count % TILE_WIDTH);
    rows.push(
      level === 0 ? await leafHashes(store, start, count) : await tileRoots(store, level - 1, start, count),
    );
  }
  return rows;
}

/** The leaves of seqs from+1 .. to (leaf indexes from .. to−1), as SPEC §13 bytes. */
export async function leavesOf(
  store: Pick<Store, 'log' | 'descriptors'>,
  from: number,
  to: number,
): Promise<Uint8Array[]> {
  if (to <= from) return [];
  const entries = await store.log(from, to - from);
  const bytes = await store.descriptors(entries.map((e) => [e.descriptor_id, e.version] as const));
  if (entries.length !== to - from)
    throw new RegistryError('StoreUnavailable', `log entries ${from + 1}..${to} are missing`);
  return entries.map((e, i) => {
    const b = bytes[i];
    if (b === undefined)
      throw new RegistryError('StoreUnavailable', `desc ${e.descriptor_id} v${e.version} is missing`);
    return leafBytes(e, b);
  });
}

async function leafHashes(store: Store, from: number, to: number): Promise<Uint8Array[]> {
  return (await leavesOf(store, from, to)).map(leafHash);
}

async function tileRoots(store: Store, level: number, from: number, to: number): Promise<Uint8Array[]> {
  const keys: string[] = [];
  for (let i = from; i < to; i++) keys.push(tileKey(level, i));
  const tiles = await store.logValues(keys);
  return tiles.map((t, i) => {
    if (t === undefined) throw new RegistryError('StoreUnavailable', `full tile ${keys[i]} is missing`);
    return tileRootHash(t);
  });
}

/**
 * Proof and tile reads over the stored full tiles plus the in-memory rows. Proof algorithms
 * read synchronously, so a proof runs twice: once with a recording reader (which tiles does
 * it touch? that depends on the indexes only, never on hash values), then, once those tiles
 * are fetched, for real.
 */
export class TileSource {
  readonly #store: Store;
  readonly #cache = new Map<string, Uint8Array>();
  readonly #cap: number;

  constructor(store: Store, cap = 256) {
    this.#store = store;
    this.#cap = cap;
  }

  remember(key: string, bytes: Uint8Array): void {
    if (this.#cache.size >= this.#cap) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(key, bytes);
  }

  /** A stored full tile (cached). */
  async fullTile(level: number, index: number): Promise<Uint8Array> {
    const key = tileKey(level, index);
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    const bytes = await this.#store.logValue(key);
    if (bytes === undefined) throw new RegistryError('StoreUnavailable', `full tile ${key} is missing`);
    this.remember(key, bytes);
    return bytes;
  }

  /** Runs `compute` against the tree of `size` leaves whose partial tiles are `rows`. */
  async withReader<T>(
    size: number,
    rows: readonly (readonly Uint8Array[])[],
    compute: (read: HashReader) => T,
  ): Promise<T> {
    const rowBytes = rows.map((r) => concatBytes(...r));
    const needed = new Set<string>();
    const zero = new Uint8Array(TILE_WIDTH * HASH_SIZE);
    const fullTiles = (level: number) => Math.floor(hashesAt(size, level) / TILE_WIDTH);
    const dry = tileHashReader((level, index) => {
      if (index < fullTiles(level)) {
        const key = tileKey(level, index);
        if (!this.#cache.has(key)) needed.add(`${level}/${index}`);
        return zero;
      }
      return rowBytes[level] ?? new Uint8Array(0);
    });
    compute(dry);
    const fetched = new Map<string, Uint8Array>();
    for (const n of needed) {
      const [level, index] = n.split('/').map(Number) as [number, number];
      fetched.set(tileKey(level, index), await this.fullTile(level, index));
    }
    const read = tileHashReader((level, index) => {
      if (index < fullTiles(level)) {
        const key = tileKey(level, index);
        const bytes = fetched.get(key) ?? this.#cache.get(key);
        if (bytes === undefined) throw new RegistryError('Internal', `tile ${key} was not prefetched`);
        return bytes;
      }
      return rowBytes[level] ?? new Uint8Array(0);
    });
    return compute(read);
  }
}
