import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { key } from '../../../test/helpers/core-fixtures.js';
import { isRegistryError } from '../errors.js';
import {
  type Checkpoint,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from './checkpoint.js';
import {
  cosign,
  cosignatureKeyId,
  cosignatureMessage,
  cosignatureTimestamp,
  cosignatureVerifier,
  encodeWitnessVkey,
  verifiedCosignatures,
  witnessVerifier,
} from './cosignature.js';
import { bytesOf, decodeUtf8 } from './encoding.js';
import { leafHash } from './hash.js';
import { formatSignatureLine, parseNote, signNote } from './note.js';
import { encodeVkey, noteSigner, noteVerifier, SIG_TYPE_ED25519, verifyEd25519 } from './note-keys.js';

const ORIGIN = 'registry.example/log';
const logSigner = noteSigner(ORIGIN, key(0));
const logVerifier = noteVerifier(encodeVkey(ORIGIN, SIG_TYPE_ED25519, key(0).publicKey));
const root = leafHash(bytesOf('root'));
const cp: Checkpoint = { origin: ORIGIN, size: 20_852_163, rootHash: root, extensions: [] };

function rejects(f: () => unknown, code: 'BadRequest' | 'BadSignature', message: RegExp): void {
  try {
    f();
    expect.unreachable();
  } catch (err) {
    expect(isRegistryError(err, code)).toBe(true);
    expect((err as Error).message).toMatch(message);
  }
}

describe('checkpoints (tlog-checkpoint v1.0.0)', () => {
  it('parse the example body of the specification', () => {
    const parsed = parseCheckpoint(
      'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    );
    expect(parsed.origin).toBe('example.com/behind-the-sofa');
    expect(parsed.size).toBe(20_852_163);
    expect(Buffer.from(parsed.rootHash).toString('base64')).toBe(
      'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=',
    );
  });

  it('round-trip, with extension lines (property)', () => {
    const arb = fc.record({
      origin: fc.stringMatching(/^[a-z0-9./-]{1,30}$/),
      size: fc.maxSafeNat(),
      rootHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      extensions: fc.array(fc.stringMatching(/^[a-z ]{1,10}$/), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(arb, (c) => {
        expect(parseCheckpoint(formatCheckpoint(c))).toEqual(c);
      }),
    );
  });

  it('refuse to format what cannot be parsed', () => {
    for (const bad of [
      { ...cp, origin: '' },
      { ...cp, origin: 'a\nb' },
      { ...cp, size: -1 },
      { ...cp, rootHash: new Uint8Array(31) },
      { ...cp, extensions: [''] },
    ]) {
      rejects(() => formatCheckpoint(bad), 'BadRequest', /checkpoint/);
    }
  });

  const b = Buffer.from(root).toString('base64');
  it.each([
    ['no final newline', `o\n1\n${b}`, /newline/],
    ['two lines', 'o\n1\n', /fewer than three/],
    ['an empty origin', `\n1\n${b}\n`, /origin is empty/],
    ['a leading zero', `o\n01\n${b}\n`, /leading zeroes/],
    ['a signed size', `o\n+1\n${b}\n`, /leading zeroes/],
    ['a size past 2^53', `o\n9007199254740993\n${b}\n`, /too large/],
    ['a 20-digit size', `o\n${'9'.repeat(20)}\n${b}\n`, /leading zeroes/],
    ['a short root', `o\n1\nAAAA\n`, /32-byte/],
    ['an empty extension line', `o\n1\n${b}\n\nx\n`, /extension line is empty/],
    ['too many lines', `o\n1\n${b}\n${'x\n'.repeat(70)}`, /too many lines/],
  ])('refuse %s', (_, text, message) => {
    rejects(() => parseCheckpoint(text), 'BadRequest', message);
  });

  it('are signed by the log under the origin and opened with its key', () => {
    const signed = signCheckpoint(cp, logSigner);
    const opened = openCheckpoint(bytesOf(signed), [logVerifier], ORIGIN);
    expect(opened.checkpoint).toEqual(cp);
    expect(() => signCheckpoint(cp, noteSigner('other.example', key(0)))).toThrow(/must be the origin/);
  });

  it('do not open under another key or for another origin', () => {
    const signed = signCheckpoint(cp, logSigner);
    rejects(
      () => openCheckpoint(signed, [noteVerifier(encodeVkey(ORIGIN, 1, key(1).publicKey))]),
      'BadSignature',
      /known key/,
    );
    const other = signCheckpoint({ ...cp, origin: 'other.example' }, noteSigner('other.example', key(0)));
    const otherKey = noteVerifier(encodeVkey('other.example', 1, key(0).publicKey));
    rejects(() => openCheckpoint(other, [otherKey], ORIGIN), 'BadSignature', /origin/);
    expect(openCheckpoint(other, [otherKey]).checkpoint.origin).toBe('other.example');
  });
});

describe('cosignatures (tlog-cosignature v1.0.1)', () => {
  const witness = { name: 'witness.example/w1', key: key(5) };
  const wv = witnessVerifier(encodeWitnessVkey(witness.name, key(5).publicKey));
  const text = formatCheckpoint(cp);

  it('sign the header, the time line and the checkpoint body', () => {
    expect(decodeUtf8(cosignatureMessage(text, 1_679_315_147), 'm')).toBe(
      `cosignature/v1\ntime 1679315147\n${text}`,
    );
    const sig = cosign(text, witness, 1_679_315_147);
    expect(sig.keyId).toBe(cosignatureKeyId(witness.name, key(5).publicKey));
    expect(sig.signature).toHaveLength(72);
    expect([...sig.signature.subarray(0, 8)]).toEqual([0, 0, 0, 0, 0x64, 0x18, 0x50, 0xcb]);
    expect(cosignatureTimestamp(sig.signature)).toBe(1_679_315_147);
    expect(
      verifyEd25519(key(5).publicKey, cosignatureMessage(text, 1_679_315_147), sig.signature.subarray(8)),
    ).toBe(true);
  });

  it('verify beside the log signature, and count once per witness, newest first', () => {
    const signed = signNote(text, [logSigner], [cosign(text, witness, 100), cosign(text, witness, 200)]);
    const note = parseNote(signed);
    expect(openCheckpoint(signed, [logVerifier]).check.unknown).toHaveLength(2);
    const cosigs = verifiedCosignatures(note, [wv]);
    expect(cosigs.map((c) => [c.name, c.timestamp])).toEqual([[witness.name, 200]]);
  });

  it('fail over another checkpoint, another time or another key (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 1000 }), (time, delta) => {
        const sig = cosign(text, witness, time);
        const lines = (s: typeof sig) => parseNote(`${text}\n${formatSignatureLine(s)}`);
        expect(verifiedCosignatures(lines(sig), [wv])).toHaveLength(1);
        const moved = new Uint8Array(sig.signature);
        new DataView(moved.buffer).setBigUint64(0, BigInt(time + delta));
        expect(verifiedCosignatures(lines({ ...sig, signature: moved }), [wv])).toHaveLength(0);
        const other = formatCheckpoint({ ...cp, size: cp.size + delta });
        expect(wv.verify(bytesOf(other), sig.signature)).toBe(false);
        const stranger = cosignatureVerifier(witness.name, key(6).publicKey);
        expect(stranger.verify(bytesOf(text), sig.signature)).toBe(false);
      }),
      { numRuns: 30 },
    );
  });

  it('refuse timestamps that are too large, signatures of the wrong length and bad names', () => {
    const big = new Uint8Array(72);
    new DataView(big.buffer).setBigUint64(0, 2n ** 63n - 1n);
    expect(cosignatureTimestamp(big)).toBeUndefined();
    expect(wv.verify(bytesOf(text), big)).toBe(false);
    expect(cosignatureTimestamp(new Uint8Array(71))).toBeUndefined();
    rejects(() => cosignatureMessage(text, -1), 'BadRequest', /timestamp/);
    rejects(() => cosign(text, { ...witness, name: 'w w' }, 1), 'BadRequest', /witness name/);
    rejects(
      () => witnessVerifier(encodeVkey(witness.name, SIG_TYPE_ED25519, key(5).publicKey)),
      'BadRequest',
      /0x04/,
    );
  });
});
