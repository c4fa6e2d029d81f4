import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { key } from '../../../test/helpers/core-fixtures.js';
import { isRegistryError } from '../errors.js';
import { signCheckpoint } from './checkpoint.js';
import { encodeBase64 } from './encoding.js';
import { leafHash } from './hash.js';
import { memoryHashReader } from './memory.js';
import { encodeVkey, noteSigner, noteVerifier, SIG_TYPE_ED25519 } from './note-keys.js';
import { inclusionProof, treeRoot } from './proof-make.js';
import {
  formatTlogProof,
  MAX_INCLUSION_HASHES,
  parseTlogProof,
  TLOG_PROOF_HEADER,
  verifyTlogProof,
} from './proof-text.js';

const ORIGIN = 'registry.example/log';
const signer = noteSigner(ORIGIN, key(0));
const logKeys = [noteVerifier(encodeVkey(ORIGIN, SIG_TYPE_ED25519, key(0).publicKey))];
const leaves = Array.from({ length: 300 }, (_, i) => leafHash(Buffer.from(`p${i}`)));
const read = memoryHashReader(leaves);
const checkpointAt = (size: number): string =>
  signCheckpoint({ origin: ORIGIN, size, rootHash: treeRoot(size, read), extensions: [] }, signer);

function badRequest(f: () => unknown, message: RegExp): void {
  try {
    f();
    expect.unreachable();
  } catch (err) {
    expect(isRegistryError(err, 'BadRequest')).toBe(true);
    expect((err as Error).message).toMatch(message);
  }
}

describe('tlog-proof@v1 text', () => {
  it('has the layout of the specification', () => {
    const proof = inclusionProof(3, 5, read);
    const text = formatTlogProof({
      index: 3,
      proof,
      checkpoint: checkpointAt(5),
      extra: new Uint8Array([1, 2]),
    });
    const lines = text.split('\n');
    expect(lines.slice(0, 3)).toEqual([TLOG_PROOF_HEADER, 'extra AQI=', 'index 3']);
    expect(lines.slice(3, 3 + proof.length)).toEqual(proof.map(encodeBase64));
    expect(lines[3 + proof.length]).toBe('');
    expect(text.endsWith(checkpointAt(5))).toBe(true);
  });

  it('round-trips and verifies for every index of random trees (property)', () => {
    const arb = fc
      .integer({ min: 1, max: 300 })
      .chain((size) => fc.record({ size: fc.constant(size), index: fc.integer({ min: 0, max: size - 1 }) }));
    fc.assert(
      fc.property(arb, fc.boolean(), ({ size, index }, withExtra) => {
        const p = {
          index,
          proof: inclusionProof(index, size, read),
          checkpoint: checkpointAt(size),
          ...(withExtra ? { extra: new Uint8Array([index % 256]) } : {}),
        };
        const parsed = parseTlogProof(formatTlogProof(p));
        expect(parsed).toEqual(p);
        expect(verifyTlogProof(parsed, leaves[index] as Uint8Array, logKeys, ORIGIN).checkpoint.size).toBe(
          size,
        );
        const wrong = leaves[(index + 1) % 300] as Uint8Array;
        expect(() => verifyTlogProof(parsed, wrong, logKeys, ORIGIN)).toThrow(/does not verify/);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses to format an out-of-range index or bad hashes', () => {
    badRequest(() => formatTlogProof({ index: -1, proof: [], checkpoint: '' }), /index/);
    badRequest(() => formatTlogProof({ index: 0, proof: [new Uint8Array(3)], checkpoint: '' }), /hashes/);
  });

  const good = formatTlogProof({ index: 3, proof: inclusionProof(3, 5, read), checkpoint: checkpointAt(5) });
  const h = encodeBase64(leaves[0] as Uint8Array);
  it.each([
    ['another header', good.replace('@v1', '@v2'), /must start/],
    ['bad extra', `${TLOG_PROOF_HEADER}\nextra !!\nindex 0\n\nx`, /extra/],
    ['no index', `${TLOG_PROOF_HEADER}\nidx 0\n\nx`, /no index/],
    ['a leading zero index', `${TLOG_PROOF_HEADER}\nindex 01\n\nx`, /leading zeroes/],
    ['a bad hash', `${TLOG_PROOF_HEADER}\nindex 0\nAAAA\n\nx`, /hash 0/],
    ['no empty line', `${TLOG_PROOF_HEADER}\nindex 0\n${h}`, /no checkpoint/],
    ['nothing after the empty line', `${TLOG_PROOF_HEADER}\nindex 0\n${h}\n\n`, /no checkpoint/],
    [
      '64 hashes',
      `${TLOG_PROOF_HEADER}\nindex 0\n${`${h}\n`.repeat(MAX_INCLUSION_HASHES + 1)}\nx`,
      /too many/,
    ],
    ['a huge input', 'x'.repeat(80_000), /too long/],
  ])('refuses %s', (_, text, message) => {
    badRequest(() => parseTlogProof(text), message);
  });
});
