import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../src/core/keys.js';
import {
  appendLeaf,
  type Checkpoint,
  consistencyProof,
  cosign,
  decodeBase64,
  EMPTY_EDGE,
  edgeRoot,
  encodeBase64,
  encodeVkey,
  formatCheckpoint,
  formatSignatureLine,
  inclusionProof,
  leafHash,
  memoryHashReader,
  noteSigner,
  noteVerifier,
  openCheckpoint,
  parseNote,
  parseTilePath,
  SIG_TYPE_ED25519,
  signCheckpoint,
  signNote,
  type Tile,
  tileBytes,
  tilePath,
  tilesChanged,
  tilesForSize,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  verifyNote,
} from '../src/core/tlog/index.js';
import { skipWithout } from './helpers/require-tool.js';

/**
 * STYLE.md §3c: the tree, proofs, tiles and notes are checked against an implementation the
 * registry did not write, Go's golang.org/x/mod/sumdb/tlog and sumdb/note (Debian packages
 * golang-go and golang-golang-x-mod-dev), both ways: Go makes, we check; we make, Go checks.
 * The Go program is built at test time into a temporary directory, offline (GOPATH mode over
 * the Debian sources); nothing built is committed.
 */
const GO_SOURCES = '/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog';

const ORIGIN = 'registry.example/log';
const N = 70_000; // past 65,536 leaves, so level-1 tiles and level-8..16 hashes are exercised
const leafData = Array.from({ length: N }, (_, i) => Buffer.from(`leaf ${i} ${'x'.repeat(i % 7)}`));
const leaves = leafData.map((d) => leafHash(d));
const read = memoryHashReader(leaves);
const b64 = (h: Uint8Array): string => encodeBase64(h);
const unb64 = (s: string): Uint8Array => decodeBase64(s, 1 << 20) ?? new Uint8Array();
const flip = (h: Uint8Array): Uint8Array => {
  const out = new Uint8Array(h);
  out[0] = (out[0] as number) ^ 1;
  return out;
};

/** Our tile paths leave out the height; Go's include it (`tile/8/...`, entries as `data`). */
const toGoPath = (p: string): string =>
  p.startsWith('tile/entries/')
    ? `tile/8/data/${p.slice('tile/entries/'.length)}`
    : `tile/8/${p.slice('tile/'.length)}`;
const fromGoPath = (p: string): string =>
  p.replace(/^tile\/8\/data\//, 'tile/entries/').replace(/^tile\/8\//, 'tile/');

let dir = '';
let binary = '';
function go(request: unknown): Record<string, unknown> {
  const out = execFileSync(binary, [], { input: JSON.stringify(request), maxBuffer: 64 << 20 });
  return JSON.parse(out.toString()) as Record<string, unknown>;
}

// Skipped, with the package to install, where Go or the Debian x/mod sources are missing, and
// only outside CI and npm test, which install golang-go and golang-golang-x-mod-dev
// (test/system-packages) and fail instead of skipping (test/helpers/require-tool.ts).
describe.skipIf(skipWithout('go') || skipWithout(GO_SOURCES))(
  'the transparency log against Go sumdb/tlog and sumdb/note',
  () => {
    let answer: Record<string, unknown> = {};
    const pairs: [number, number][] = [];
    for (let size = 1; size <= 40; size++) for (let i = 0; i < size; i++) pairs.push([i, size]);
    for (let k = 0; k < 200; k++) {
      const size = 1 + ((k * 7919) % N);
      pairs.push([(k * 104_729) % size, size]);
    }
    pairs.push([65_535, 65_536], [65_536, 65_537], [N - 1, N]);
    const tileRanges: [number, number][] = [
      [0, 1],
      [0, 300],
      [100, 300],
      [255, 257],
      [256, 512],
      [65_000, 65_536],
      [65_536, N],
      [0, N],
    ];
    const ours = (m: number, n: number) => ({
      m,
      n,
      proof: consistencyProof(m, n, read).map(b64),
      rootM: b64(treeRoot(m, read)),
      rootN: b64(treeRoot(n, read)),
    });

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'registry-tlog-go-'));
      binary = join(dir, 'tlog-go');
      const cache = join(tmpdir(), 'registry-tlog-go-cache');
      mkdirSync(cache, { recursive: true });
      execFileSync('go', ['build', '-o', binary, '.'], {
        cwd: join(import.meta.dirname, 'peer', 'tlog-go'),
        env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOCACHE: cache, GOFLAGS: '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      answer = go({
        leaves: leafData.map((d) => d.toString('base64')),
        inclusion: pairs.map(([m, n]) => ({ m, n })),
        consistency: pairs.map(([m, n]) => ({ m: m + 1, n })),
        checkInclusion: pairs.flatMap(([index, size]) => {
          const proof = inclusionProof(index, size, read).map(b64);
          const base = {
            index,
            size,
            leaf: b64(leaves[index] as Uint8Array),
            root: b64(treeRoot(size, read)),
            proof,
          };
          return [base, { ...base, leaf: b64(flip(leaves[index] as Uint8Array)) }];
        }),
        checkConsistency: pairs.flatMap(([m, n]) => {
          const c = ours(m + 1, n);
          return [c, { ...c, rootM: b64(flip(unb64(c.rootM))) }];
        }),
        newTiles: tileRanges.map(([m, n]) => ({ m, n })),
      });
    }, 120_000);

    afterAll(() => {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    it('hashes every leaf and every tree size as Go does (our edge against Go stored hashes)', () => {
      expect(answer.leafHashes).toEqual(leaves.map(b64));
      let edge = EMPTY_EDGE;
      const roots: string[] = [];
      for (const leaf of leaves) {
        edge = appendLeaf(edge, leaf).edge;
        roots.push(b64(edgeRoot(edge)));
      }
      expect(answer.roots).toEqual(roots);
    });

    it('makes the same inclusion proofs, verifies Go proofs, and Go verifies ours', () => {
      const goProofs = answer.inclusion as string[][];
      pairs.forEach(([index, size], k) => {
        const proof = (goProofs[k] ?? []).map(unb64);
        expect(proof.map(b64)).toEqual(inclusionProof(index, size, read).map(b64));
        expect(verifyInclusion(index, size, leaves[index] as Uint8Array, proof, treeRoot(size, read))).toBe(
          true,
        );
      });
      expect(answer.checkInclusion).toEqual(pairs.flatMap(() => [true, false]));
    });

    it('makes the same consistency proofs, verifies Go proofs, and Go verifies ours', () => {
      const goProofs = answer.consistency as string[][];
      pairs.forEach(([m0, n], k) => {
        const m = m0 + 1;
        const proof = (goProofs[k] ?? []).map(unb64);
        expect(proof.map(b64)).toEqual(ours(m, n).proof);
        expect(verifyConsistency(m, n, proof, treeRoot(m, read), treeRoot(n, read))).toBe(true);
      });
      expect(answer.checkConsistency).toEqual(pairs.flatMap(() => [true, false]));
    });

    it('publishes the same tiles with the same bytes at the same paths', () => {
      type GoTile = { path: string; level: number; index: number; width: number; data: string };
      const goTiles = answer.newTiles as GoTile[][];
      tileRanges.forEach(([m, n], k) => {
        // Go may list a partial tile at several widths; the widest one is the tile at size n.
        const widest = new Map<string, GoTile>();
        for (const t of goTiles[k] ?? []) {
          const prior = widest.get(`${t.level}/${t.index}`);
          if (prior === undefined || prior.width < t.width) widest.set(`${t.level}/${t.index}`, t);
        }
        // Every tile we publish, Go publishes with the same bytes at the same path. Go also
        // re-lists a partial tile whose width did not change (e.g. tile/2/000.p/1 from 65,536
        // to 70,000 leaves); we do not, since the tree of size m already had it, byte for byte.
        const mine = tilesChanged(m, n);
        const before = new Set(tilesChanged(0, m).map(tilePath));
        for (const tile of mine) {
          const theirs = widest.get(`${tile.level}/${tile.index}`);
          expect(theirs && fromGoPath(theirs.path)).toBe(tilePath(tile));
          expect(theirs?.data).toBe(b64(tileBytes(tile, read)));
        }
        const mineKeys = new Set(mine.map(tilePath));
        for (const t of widest.values()) {
          const path = fromGoPath(t.path);
          if (!mineKeys.has(path)) {
            expect(before.has(path)).toBe(true);
            expect(t.data).toBe(b64(tileBytes({ level: t.level, index: t.index, width: t.width }, read)));
          }
        }
      });
    });

    it('serves tiles from which the Go tile reader computes the same roots and proofs', () => {
      const sizes = [1, 255, 256, 300, 65_536, 65_537, N];
      const reads = sizes.map((size) => ({
        size,
        root: b64(treeRoot(size, read)),
        tiles: Object.fromEntries(
          tilesForSize(size).map((t) => [toGoPath(tilePath(t)), b64(tileBytes(t, read))]),
        ),
        indexes: [0, size - 1, Math.floor(size / 3)],
      }));
      const res = go({ tileReads: reads }).tileReads as { error: string; root: string; proofs: string[][] }[];
      reads.forEach((r, k) => {
        expect(res[k]?.error).toBe('');
        expect(res[k]?.root).toBe(r.root);
        expect(res[k]?.proofs).toEqual(r.indexes.map((i) => inclusionProof(i, r.size, read).map(b64)));
      });
      // A tile with a flipped hash that a proof needs (leaf 1, the sibling of leaf 0): the proof
      // Go reads from it no longer verifies against the signed root, so a client catches it.
      const bad = { ...reads[3], tiles: { ...reads[3]?.tiles } } as (typeof reads)[number];
      const first = toGoPath('tile/0/000');
      const bytes = unb64(bad.tiles[first] ?? '');
      bytes[32] = (bytes[32] as number) ^ 1;
      bad.tiles[first] = b64(bytes);
      const tampered = (go({ tileReads: [bad] }).tileReads as { error: string; proofs: string[][] }[])[0];
      const proof = (tampered?.proofs[0] ?? []).map(unb64);
      expect(proof).not.toEqual([]);
      expect(verifyInclusion(0, 300, leaves[0] as Uint8Array, proof, treeRoot(300, read))).toBe(false);
    });

    it('agrees on tile path syntax both ways', () => {
      const tiles: Tile[] = [
        { level: 0, index: 0, width: 256 },
        { level: 0, index: 1_234_067, width: 17 },
        { level: 3, index: 999, width: 1 },
        { level: 1, index: 1000, width: 256 },
        { level: 63, index: 2 ** 40, width: 255 },
      ];
      const paths = [
        ...tiles.map(tilePath),
        'tile/entries/x001/000.p/3',
        'tile/0/x000/001',
        'tile/0/001.p/0',
        'tile/00/001',
      ];
      const parsed = go({ tilePaths: paths.map(toGoPath) }).tilePaths as { ok: boolean; path: string }[];
      paths.forEach((p, i) => {
        let mineOk = true;
        try {
          parseTilePath(p);
        } catch {
          mineOk = false;
        }
        expect([p, parsed[i]?.ok]).toEqual([p, mineOk]);
        if (mineOk) expect(fromGoPath(parsed[i]?.path ?? '')).toBe(p);
      });
    });

    it('verifies notes Go signs with our key, and Go verifies the notes we sign', () => {
      const key = generateSigningKey();
      const vkey = encodeVkey(ORIGIN, SIG_TYPE_ED25519, key.publicKey);
      const cp: Checkpoint = { origin: ORIGIN, size: N, rootHash: treeRoot(N, read), extensions: [] };
      const texts = [formatCheckpoint(cp), 'hello\n\nworld\n', 'ünïcode — text\n'];
      const ourNotes = texts.map((t) => signNote(t, [noteSigner(ORIGIN, key)]));
      const tampered = ourNotes.map((n) =>
        n.replace(/\n\n— (\S+) (.)/, (_, name, c) => `\n\n— ${name} ${c === 'A' ? 'B' : 'A'}`),
      );
      const res = go({
        sign: texts.map((text) => ({ name: ORIGIN, seed: b64(key.secretKey), text })),
        open: [...ourNotes, ...tampered, ourNotes[0]?.replace(String(N), String(N + 1))].map((note) => ({
          vkey,
          note,
        })),
      });
      const signed = res.signed as { note: string; vkey: string }[];
      signed.forEach((s, i) => {
        expect(s.vkey).toBe(vkey);
        expect(s.note).toBe(ourNotes[i]); // Ed25519 is deterministic: the same bytes
        expect(verifyNote(parseNote(s.note), [noteVerifier(s.vkey)]).verified).toHaveLength(1);
      });
      expect(openCheckpoint(signed[0]?.note ?? '', [noteVerifier(vkey)], ORIGIN).checkpoint.size).toBe(N);
      const opened = res.open as { ok: boolean; text: string }[];
      expect(opened.map((o) => o.ok)).toEqual([true, true, true, false, false, false, false]);
      expect(opened.slice(0, 3).map((o) => o.text)).toEqual(texts);
      expect(signCheckpoint(cp, noteSigner(ORIGIN, key))).toBe(ourNotes[0]);
    });

    it('Go verifies our cosignatures inside its signed-note parser', () => {
      const witness = { name: 'witness.example/w1', key: generateSigningKey() };
      const text = formatCheckpoint({ origin: ORIGIN, size: 5, rootHash: treeRoot(5, read), extensions: [] });
      const line = formatSignatureLine(cosign(text, witness, 1_795_000_000));
      const other = formatSignatureLine(cosign(`${text.slice(0, -2)}x\n`, witness, 1_795_000_000));
      const res = go({
        cosignatures: [`${text}\n${line}`, `${text}\n${other}`].map((note) => ({
          name: witness.name,
          publicKey: b64(witness.key.publicKey),
          note,
        })),
      });
      expect((res.cosignatures as { ok: boolean }[]).map((o) => o.ok)).toEqual([true, false]);
    });
  },
);
