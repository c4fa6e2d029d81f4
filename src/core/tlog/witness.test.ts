import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { key } from '../../../test/helpers/core-fixtures.js';
import { isRegistryError } from '../errors.js';
import { signCheckpoint } from './checkpoint.js';
import { encodeWitnessVkey, verifiedCosignatures, witnessVerifier } from './cosignature.js';
import { bytesOf, encodeBase64 } from './encoding.js';
import { EMPTY_ROOT, leafHash } from './hash.js';
import { memoryHashReader } from './memory.js';
import { parseNote } from './note.js';
import { encodeVkey, type NoteVerifier, noteSigner, noteVerifier, SIG_TYPE_ED25519 } from './note-keys.js';
import { consistencyProof, treeRoot } from './proof-make.js';
import {
  type AddCheckpointRequest,
  addCheckpoint,
  MAX_ADD_CHECKPOINT_BYTES,
  parseAddCheckpoint,
  SIZE_CONTENT_TYPE,
  type WitnessAnswer,
  type WitnessState,
} from './witness.js';

const ORIGIN = 'registry.example/log';
const logSigner = noteSigner(ORIGIN, key(0));
const logs = new Map<string, readonly NoteVerifier[]>([
  [ORIGIN, [noteVerifier(encodeVkey(ORIGIN, SIG_TYPE_ED25519, key(0).publicKey))]],
]);
const cosigner = { name: 'witness.example/w1', key: key(5) };
const witnessKey = witnessVerifier(encodeWitnessVkey(cosigner.name, key(5).publicKey));
const NOW = 1_795_000_000;

const leaves = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => leafHash(bytesOf(`${tag}${i}`)));
const main = memoryHashReader(leaves('w', 300));
const fork = memoryHashReader(leaves('f', 300));

/** The body a log sends: `old <m>`, the consistency proof, an empty line, the signed checkpoint. */
function body(
  old: number,
  size: number,
  opts: { read?: typeof main; proofFrom?: typeof main; signer?: typeof logSigner } = {},
) {
  const read = opts.read ?? main;
  const cp = { origin: opts.signer?.name ?? ORIGIN, size, rootHash: treeRoot(size, read), extensions: [] };
  const proof = old > 0 && old <= size ? consistencyProof(old, size, opts.proofFrom ?? read) : [];
  const lines = [`old ${old}`, ...proof.map(encodeBase64), ''].map((l) => `${l}\n`).join('');
  return bytesOf(lines + signCheckpoint(cp, opts.signer ?? logSigner));
}

const state = (size: number, read = main): WitnessState => ({ size, rootHash: treeRoot(size, read) });
const answer = (b: Uint8Array, s: WitnessState | undefined, l = logs): WitnessAnswer =>
  addCheckpoint({ request: parseAddCheckpoint(b), logs: l, state: s, cosigner, now: NOW });

describe('add-checkpoint (tlog-witness v1.0.0, SPEC §13 order)', () => {
  it('cosigns a first checkpoint from old size 0 and records it', () => {
    const a = answer(body(0, 10), undefined);
    expect(a.status).toBe(200);
    if (a.status !== 200) return;
    expect(a.state.size).toBe(10);
    expect(a.state.rootHash).toEqual(treeRoot(10, main));
    expect(a.body).toMatch(/^— witness\.example\/w1 [A-Za-z0-9+/]+=*\n$/);
    const note = parseNote(
      new TextDecoder().decode(body(0, 10)).split('\n\n').slice(1).join('\n\n') + a.body,
    );
    expect(verifiedCosignatures(note, [witnessKey]).map((c) => c.timestamp)).toEqual([NOW]);
  });

  it('cosigns a consistent extension and a repeat of the same checkpoint', () => {
    const a = answer(body(10, 200), state(10));
    expect(a.status === 200 && a.state.size).toBe(200);
    expect(answer(body(200, 200), state(200)).status).toBe(200);
  });

  it('404 for an unknown origin', () => {
    const other = noteSigner('other.example/log', key(0));
    expect(answer(body(0, 5, { signer: other }), undefined).status).toBe(404);
  });

  it('403 when no trusted key signed, or a trusted signature fails', () => {
    expect(answer(body(0, 5, { signer: noteSigner(ORIGIN, key(1)) }), undefined).status).toBe(403);
    const good = new TextDecoder().decode(body(0, 5));
    const forged = `${good}— ${ORIGIN} ${encodeBase64(new Uint8Array([...bytesOf('xxxx'), ...new Uint8Array(64)]))}\n`;
    const keyId = logSigner.keyId.toString(16).padStart(8, '0');
    const withBad = forged.replace(
      /— \S+ \S+\n$/,
      `— ${ORIGIN} ${Buffer.from(keyId + '00'.repeat(64), 'hex').toString('base64')}\n`,
    );
    expect(answer(bytesOf(withBad), undefined).status).toBe(403);
  });

  it('400 when the old size is above the checkpoint size', () => {
    expect(answer(body(11, 10), state(11)).status).toBe(400);
  });

  it('409 with the latest size when old is not it, typed text/x.tlog.size', () => {
    expect(answer(body(5, 10), state(7))).toEqual({
      status: 409,
      contentType: SIZE_CONTENT_TYPE,
      body: '7\n',
    });
    expect(answer(body(5, 10), undefined)).toMatchObject({ status: 409, body: '0\n' });
    expect(answer(body(0, 10), state(7))).toMatchObject({ status: 409, body: '7\n' });
  });

  it('409 for the same size with another root (a fork)', () => {
    expect(answer(body(10, 10, { read: fork }), state(10))).toMatchObject({ status: 409, body: '10\n' });
  });

  it('422 when the consistency proof fails', () => {
    expect(answer(body(10, 20, { read: fork }), state(10)).status).toBe(422);
    expect(answer(body(10, 20, { proofFrom: fork }), state(10)).status).toBe(422);
    const extra = bytesOf(
      `old 0\n${encodeBase64(EMPTY_ROOT)}\n\n${signCheckpoint({ origin: ORIGIN, size: 3, rootHash: treeRoot(3, main), extensions: [] }, logSigner)}`,
    );
    expect(answer(extra, undefined).status).toBe(422);
    const empty = (root: Uint8Array) =>
      bytesOf(
        `old 0\n\n${signCheckpoint({ origin: ORIGIN, size: 0, rootHash: root, extensions: [] }, logSigner)}`,
      );
    expect(answer(empty(treeRoot(3, main)), undefined).status).toBe(422);
    expect(answer(empty(EMPTY_ROOT), undefined).status).toBe(200);
  });

  it('answers the first failing rule when several fail', () => {
    const stranger = noteSigner('other.example/log', key(1));
    // unknown origin and no trusted signature: 404
    expect(answer(body(0, 5, { signer: stranger }), undefined).status).toBe(404);
    // no trusted signature and old above size: 403
    expect(answer(body(9, 5, { signer: noteSigner(ORIGIN, key(1)) }), state(2)).status).toBe(403);
    // old above size and old not the latest: 400
    expect(answer(body(9, 5), state(2)).status).toBe(400);
    // old not the latest and a failing proof: 409
    expect(answer(body(3, 20, { proofFrom: fork }), state(2)).status).toBe(409);
  });

  it('follows a growing log and refuses every fork (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 299 }),
        (steps, forkAt) => {
          let s: WitnessState | undefined;
          let size = 0;
          for (const step of steps) {
            const next = Math.min(300, size + step);
            const a = answer(body(size, next), s);
            expect(a.status).toBe(200);
            if (a.status === 200) s = a.state;
            size = next;
          }
          // A forked tree at or above the cosigned size is never cosigned.
          const forked = Math.max(size, forkAt);
          const a = answer(body(size, forked, { read: fork, proofFrom: fork }), s);
          expect(size === 0 ? a.status === 200 : [409, 422].includes(a.status)).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('parsing add-checkpoint bodies (attacker-controlled)', () => {
  it('reads the old size, the proof and the checkpoint', () => {
    const r: AddCheckpointRequest = parseAddCheckpoint(body(10, 20));
    expect(r.oldSize).toBe(10);
    expect(r.proof).toEqual(consistencyProof(10, 20, main));
    expect(r.checkpoint.size).toBe(20);
  });

  const cp = signCheckpoint(
    { origin: ORIGIN, size: 1, rootHash: treeRoot(1, main), extensions: [] },
    logSigner,
  );
  const h = encodeBase64(EMPTY_ROOT);
  it.each([
    ['too long', new Uint8Array(MAX_ADD_CHECKPOINT_BYTES + 1), /too long/],
    ['no old line', bytesOf(`new 0\n\n${cp}`), /must start/],
    ['a leading zero', bytesOf(`old 00\n\n${cp}`), /leading zeroes/],
    ['a bad proof line', bytesOf(`old 1\nAAAA\n\n${cp}`), /proof line 1/],
    ['64 proof lines', bytesOf(`old 1\n${`${h}\n`.repeat(64)}\n${cp}`), /more than 63/],
    ['no empty line', bytesOf(`old 1\n${h}`), /no empty line/],
    ['nothing after the empty line', bytesOf(`old 1\n${h}\n`), /newline/],
    ['a note that is not a checkpoint', bytesOf(`old 0\n\nhello\n\n${cp.split('\n\n')[1]}`), /three lines/],
    ['invalid UTF-8', new Uint8Array([0x6f, 0xff]), /UTF-8/],
  ])('refuses %s', (_, b, message) => {
    try {
      parseAddCheckpoint(b);
      expect.unreachable();
    } catch (err) {
      expect(isRegistryError(err, 'BadRequest')).toBe(true);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('accepts 63 proof lines', () => {
    expect(parseAddCheckpoint(bytesOf(`old 1\n${`${h}\n`.repeat(63)}\n${cp}`)).proof).toHaveLength(63);
  });
});
