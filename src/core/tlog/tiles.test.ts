import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRegistryError } from '../errors.js';
import { encodeBundle, MAX_LEAF_BYTES, parseBundle } from './bundle.js';
import { leafHash } from './hash.js';
import { memoryHashReader, referenceRoot } from './memory.js';
import { consistencyProof, inclusionProof, treeRoot } from './proof-make.js';
import {
  encodeTileIndex,
  entriesPath,
  parseTilePath,
  type Tile,
  tileBytes,
  tileHashReader,
  tilePath,
  tileRootHash,
  tilesChanged,
  tilesForSize,
} from './tiles.js';

const key = (t: Tile): string => `${t.level}/${t.index}/${t.width}`;

describe('tile coverage (tlog-tiles "Partial Tiles")', () => {
  it('matches the examples of the specification', () => {
    const tiles = tilesForSize(70_000);
    expect(tiles.filter((t) => t.level === 0 && t.width === 256)).toHaveLength(273);
    expect(tiles.filter((t) => !(t.level === 0 && t.width === 256)).map(key)).toEqual([
      '0/273/112',
      '1/0/256',
      '1/1/17',
      '2/0/1',
    ]);
    expect(tilesForSize(256).map(key)).toEqual(['0/0/256', '1/0/1']);
    expect(tilesForSize(0)).toEqual([]);
    expect(tilesForSize(1).map(key)).toEqual(['0/0/1']);
  });

  it('says which tiles a batch adds or widens (property)', () => {
    const pair = fc
      .integer({ min: 0, max: 300_000 })
      .chain((to) => fc.record({ to: fc.constant(to), from: fc.integer({ min: 0, max: to }) }));
    fc.assert(
      fc.property(pair, ({ from, to }) => {
        const after = new Set(tilesForSize(to).map(key));
        const before = new Set(tilesForSize(from).map(key));
        const changed = tilesChanged(from, to).map(key);
        for (const t of changed) expect(after.has(t)).toBe(true);
        for (const t of after) if (!changed.includes(t)) expect(before.has(t)).toBe(true);
        for (const t of changed) expect(before.has(t)).toBe(false);
      }),
    );
    expect(() => tilesChanged(2, 1)).toThrow(/above new size/);
  });
});

describe('tile paths', () => {
  it.each([
    [0, '000'],
    [5, '005'],
    [999, '999'],
    [1000, 'x001/000'],
    [1_234_067, 'x001/x234/067'],
  ])('encodes index %d as %s', (index, text) => {
    expect(encodeTileIndex(index)).toBe(text);
  });

  it('writes hash tiles and entry bundles, full and partial', () => {
    expect(tilePath({ level: 0, index: 1_234_067, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ level: 2, index: 0, width: 1 })).toBe('tile/2/000.p/1');
    expect(entriesPath(273, 112)).toBe('tile/entries/273.p/112');
    expect(entriesPath(3, 256)).toBe('tile/entries/003');
    expect(() => tilePath({ level: 64, index: 0, width: 1 })).toThrow(/level/);
    expect(() => tilePath({ level: 0, index: 0, width: 0 })).toThrow(/width/);
    expect(() => entriesPath(-1, 1)).toThrow(/tile index/);
  });

  it('parses what it writes (property)', () => {
    const tile = fc.record({
      level: fc.integer({ min: 0, max: 63 }),
      index: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.maxSafeNat()),
      width: fc.integer({ min: 1, max: 256 }),
    });
    fc.assert(
      fc.property(tile, (t) => {
        expect(parseTilePath(tilePath(t))).toEqual({ kind: 'tile', tile: t });
        expect(parseTilePath(entriesPath(t.index, t.width))).toEqual({
          kind: 'entries',
          level: 0,
          index: t.index,
          width: t.width,
        });
      }),
    );
  });

  it.each([
    'tile/0/5',
    'tile/00/005',
    'tile/64/005',
    'tile/0/x000/005',
    'tile/0/001/002',
    'tile/0/x1/002',
    'tile/0/005.p/0',
    'tile/0/005.p/256',
    'tile/0/005.p/012',
    'tile/0/005.p/',
    'tile/data/005',
    'tile/entries/005.p/300',
    'tile/0/x009/x007/x199/x254/x740/x992/000',
    '/tile/0/005',
    'tile/0/005/',
    `tile/0/${'x001/'.repeat(20)}000`,
  ])('refuses %s', (path) => {
    try {
      parseTilePath(path);
      expect.unreachable();
    } catch (err) {
      expect(isRegistryError(err, 'BadRequest')).toBe(true);
    }
  });
});

describe('tiles as stored hashes', () => {
  const n = 70_000;
  const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`t${i}`)));
  const read = memoryHashReader(leaves);
  const tiles = new Map(tilesForSize(n).map((t) => [`${t.level}/${t.index}`, tileBytes(t, read)]));
  const fromTiles = tileHashReader((level, index) => {
    const bytes = tiles.get(`${level}/${index}`);
    if (bytes === undefined) throw new Error(`no tile ${level}/${index}`);
    return bytes;
  });

  it('builds tiles of 32-byte hashes, 8,192 bytes when full', () => {
    expect(tiles.get('0/0')?.length).toBe(8192);
    expect(tiles.get('0/273')?.length).toBe(112 * 32);
    expect(tiles.get('1/0')?.subarray(0, 32)).toEqual(read(8, 0));
  });

  it('give the same roots and proofs as the leaves, at every level between tile levels', () => {
    for (const size of [1, 255, 256, 257, 65_535, 65_536, 65_537, n]) {
      expect(treeRoot(size, fromTiles)).toEqual(treeRoot(size, read));
    }
    expect(treeRoot(n, fromTiles)).toEqual(referenceRoot(leaves));
    for (const index of [0, 1, 255, 256, 65_535, 65_536, n - 1]) {
      expect(inclusionProof(index, n, fromTiles)).toEqual(inclusionProof(index, n, read));
    }
    expect(consistencyProof(65_537, n, fromTiles)).toEqual(consistencyProof(65_537, n, read));
  });

  it('hash each full tile into the level above, and refuse to hash a partial one', () => {
    expect(tileRootHash(tiles.get('0/5') as Uint8Array)).toEqual(read(8, 5));
    expect(tileRootHash(tiles.get('1/0') as Uint8Array)).toEqual(read(16, 0));
    expect(() => tileRootHash(tiles.get('0/273') as Uint8Array)).toThrow(/full tile/);
  });

  it('refuses to read past a partial tile', () => {
    expect(() => fromTiles(0, 273 * 256 + 112)).toThrow(/too short/);
  });
});

describe('entry bundles', () => {
  const bundle = [new Uint8Array([1, 2, 3]), new Uint8Array(), new Uint8Array(300).fill(7)];

  it('frame each entry with a big-endian uint16 length', () => {
    const bytes = encodeBundle(bundle);
    expect([...bytes.subarray(0, 5)]).toEqual([0, 3, 1, 2, 3]);
    expect([...bytes.subarray(5, 9)]).toEqual([0, 0, 1, 44]);
    expect(parseBundle(bytes, 3)).toEqual(bundle);
  });

  it('round-trip any entries (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { minLength: 1, maxLength: 40 }), (entries) => {
        expect(parseBundle(encodeBundle(entries), entries.length)).toEqual(entries);
      }),
    );
  });

  it('refuse a leaf over 65,535 bytes with PayloadTooLarge, and more than 256 entries', () => {
    expect(encodeBundle([new Uint8Array(MAX_LEAF_BYTES)]).length).toBe(MAX_LEAF_BYTES + 2);
    try {
      encodeBundle([new Uint8Array(MAX_LEAF_BYTES + 1)]);
      expect.unreachable();
    } catch (err) {
      expect(isRegistryError(err, 'PayloadTooLarge')).toBe(true);
    }
    expect(() => encodeBundle(Array.from({ length: 257 }, () => new Uint8Array()))).toThrow(/at most 256/);
  });

  it('refuse truncation, padding and a tampered length (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 100 }), { minLength: 1, maxLength: 10 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (entries, at, delta) => {
          const bytes = encodeBundle(entries);
          const cut = 1 + (at % (bytes.length - 1));
          expect(() => parseBundle(bytes.subarray(0, cut), entries.length)).toThrow(
            /truncated|entries, expected/,
          );
          const padded = new Uint8Array([...bytes, 0, 0]);
          expect(() => parseBundle(padded, entries.length)).toThrow(/after the last entry/);
          expect(() => parseBundle(bytes, entries.length + 1)).toThrow(/entries, expected/);
          // Change one entry's length byte: the framing no longer matches the count or the bytes,
          // or the entries come out different (never silently the same bundle).
          const offsets: number[] = [];
          for (let o = 0, i = 0; i < entries.length; i++) {
            offsets.push(o);
            o += 2 + (entries[i]?.length ?? 0);
          }
          const o = offsets[at % offsets.length] as number;
          const tampered = new Uint8Array(bytes);
          tampered[o + 1] = ((tampered[o + 1] as number) + delta) & 0xff;
          let parsed: Uint8Array[] | undefined;
          try {
            parsed = parseBundle(tampered, entries.length);
          } catch (err) {
            expect(isRegistryError(err, 'BadRequest')).toBe(true);
          }
          if (parsed !== undefined) expect(parsed).not.toEqual(entries);
        },
      ),
    );
  });

  it('refuse a count outside 1..256 and a lone length byte', () => {
    expect(() => parseBundle(new Uint8Array(), 0)).toThrow(/count/);
    expect(() => parseBundle(new Uint8Array(), 257)).toThrow(/count/);
    expect(() => parseBundle(new Uint8Array([0]), 1)).toThrow(/truncated length/);
  });
});
