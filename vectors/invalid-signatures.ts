/** Invalid vectors about signatures and quorum (SPEC §2 signature validity, §3). */
import { Point } from '@noble/ed25519';
import { encodeBase64url, encodeSignerId, type Signature } from '../src/core/index.js';
import { governance, governancePayload, headOf, hex, payloadOfJson, sigJson, signRaw } from './build.js';
import type { Chain } from './chain.js';
import type { InvalidKit } from './invalid-kit.js';
import { key, ROTATED_SIGNERS, ROTATED_THRESHOLD } from './test-keys.js';

/** S + L (little-endian), a non-canonical S that an RFC 8032 strict verifier refuses. */
function addL(sig: Uint8Array): Uint8Array {
  const L = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');
  const out = Uint8Array.from(sig);
  let carry = 0;
  for (let i = 0; i < 32; i++) {
    const sum = (out[32 + i] as number) + (L[i] as number) + carry;
    out[32 + i] = sum & 0xff;
    carry = sum >> 8;
  }
  if (carry !== 0) throw new Error('S + L overflowed 32 bytes');
  return out;
}

function decodeSig(s: Signature): Uint8Array {
  return new Uint8Array(Buffer.from(s.sig, 'base64url'));
}

function replaceSig(s: Signature, sig: Uint8Array): Signature {
  return { ...s, sig: encodeBase64url(sig) };
}

/** The identity point (0, 1): small order (1), encoded as y = 1 with the sign bit clear. */
const IDENTITY_KEY = (() => {
  const b = new Uint8Array(32);
  b[0] = 1;
  return b;
})();

/** The first y = 2, 3, ... whose encoding is not a point on the curve: a key that cannot be decoded. */
const OFF_CURVE_KEY = (() => {
  for (let y = 2; y < 256; y++) {
    const b = new Uint8Array(32);
    b[0] = y;
    try {
      Point.fromBytes(b, false);
    } catch {
      return b;
    }
  }
  throw new Error('no off-curve encoding found');
})();

export function signatureVectors(kit: InvalidKit, chain: Chain): void {
  const { bad, s2, v1, v2, v3, valid12, mutate, endpoint0 } = kit;
  const corrupted = decodeSig(v3);
  corrupted[0] = (corrupted[0] as number) ^ 0x01;
  bad({
    name: 'bad-signature',
    description:
      'Keys 1,2 valid; key 3 signature with one bit of R flipped: it does not verify → BadSignature for the whole request.',
    error: 'BadSignature',
    signatures: [v1, v2, replaceSig(v3, corrupted)],
  });
  bad({
    name: 'flipped-payload-byte',
    description:
      'Signed by keys 1,2, then one payload bit flipped ("10.0.0.7" → "10.0.0.6"): no signature verifies.',
    error: 'BadSignature',
    payload: mutate((p) => {
      endpoint0(p).addr = '10.0.0.6:443';
    }),
    signatures: valid12,
  });
  const [replayed] = signRaw(payloadOfJson(s2.descriptor), [3]);
  if (replayed === undefined) throw new Error('unreachable');
  bad({
    name: 'signature-from-other-version',
    description:
      "Keys 1,2 valid; key 3's signature is its real signature of version 2, copied onto version 3.",
    error: 'BadSignature',
    signatures: [v1, v2, replayed],
  });
  bad({
    name: 'unknown-signer',
    description: 'Keys 1,2 valid; key 9 (not allow-listed) adds a valid signature → BadSignature naming it.',
    error: 'BadSignature',
    signers: [1, 2, 9],
  });
  bad({
    name: 'wrong-alg',
    description: 'Keys 1,2 valid; key 3 signature is a valid ed25519 signature but says "alg": "EdDSA".',
    error: 'BadSignature',
    signatures: [v1, v2, { ...v3, alg: 'EdDSA' }],
  });
  bad({
    name: 'non-canonical-s',
    description:
      'Keys 1,2 valid; key 3 signature with S replaced by S + L (same value mod L): strict RFC 8032 refuses S ≥ L.',
    error: 'BadSignature',
    signatures: [v1, v2, replaceSig(v3, addL(decodeSig(v3)))],
  });
  const smallOrder = encodeSignerId(IDENTITY_KEY);
  const trivial = new Uint8Array(64);
  trivial.set(IDENTITY_KEY, 0); // R = identity, S = 0: "verifies" under a small-order key with cofactored checks
  bad({
    name: 'small-order-public-key',
    description:
      'The governance allow-list deliberately contains the identity point (0x01 then 31 zero bytes; a registry refuses ' +
      'such a set when parsing it) so that the check that fires is the small-order one: keys 1,2 valid, plus a trivial ' +
      'signature (R = identity, S = 0) under the small-order key.',
    error: 'BadSignature',
    governance: governance(1, [smallOrder, 1, 2], 2),
    signatures: [
      v1,
      v2,
      { signer_id: smallOrder, alg: 'ed25519', sig: encodeBase64url(trivial), ts: v2.ts + 1_000 },
    ],
  });
  const offCurve = encodeSignerId(OFF_CURVE_KEY);
  bad({
    name: 'off-curve-public-key',
    description:
      `The allow-list deliberately contains ${hex(OFF_CURVE_KEY)}, which decodes to no curve point; keys 1,2 valid, ` +
      'plus a signature under that key (copied from key 3).',
    error: 'BadSignature',
    governance: governance(1, [offCurve, 1, 2], 2),
    signatures: [v1, v2, { ...v3, signer_id: offCurve }],
  });
  const node = payloadOfJson(
    chain.vectors.find((v) => v.name === 'node-v1-after-rotation')?.descriptor ?? null,
  );
  bad({
    name: 'signer-removed-by-rotation',
    description:
      'After the rotation key 1 is no longer allow-listed: keys 2,4,5 valid (threshold 3) plus key 1 → BadSignature.',
    error: 'BadSignature',
    payload: node,
    signers: [2, 4, 5, 1],
    governance: chain.rotatedGov,
    head: null,
  });

  bad({
    name: 'duplicate-signer',
    description:
      'Key 1 twice (both valid, different ts) and key 2: duplicate signer_ids in one request → BadRequest.',
    error: 'BadRequest',
    signatures: [v1, v2, { ...v1, ts: v1.ts + 5_000 }],
  });
  bad({
    name: 'below-threshold',
    description: 'Only key 1 signs; the threshold is 2 → NoQuorum.',
    error: 'NoQuorum',
    signers: [1],
  });
  bad({
    name: 'no-signatures',
    description: 'An empty signatures array → NoQuorum.',
    error: 'NoQuorum',
    signatures: [],
  });

  const rotation = governancePayload(2, chain.genesis.digest, ROTATED_SIGNERS, ROTATED_THRESHOLD);
  bad({
    name: 'rotation-new-set-not-met',
    description:
      'Rotation to {2,3,4,5}/3 signed by keys 1,2,3: the current set is met (3 of 2) but the new set has only 2 of 3 → NoQuorum.',
    error: 'NoQuorum',
    payload: rotation,
    signers: [1, 2, 3],
    head: headOf(chain.genesis),
  });
  bad({
    name: 'rotation-current-set-not-met',
    description:
      'Rotation to {2,3,4,5}/3 signed by keys 3,4,5: the new set is met (3 of 3) but the current set has only 1 of 2 → NoQuorum.',
    error: 'NoQuorum',
    payload: rotation,
    signers: [3, 4, 5],
    head: headOf(chain.genesis),
  });

  const k2 = key(2).signerId;
  const k2b64 = k2.slice('ed25519:'.length);
  const padded = `ed25519:${Buffer.from(key(2).publicKey).toString('base64')}`;
  bad({
    name: 'bad-signer-id-padded-base64',
    description: 'signer_id of key 2 in standard base64 with "=" padding → BadRequest.',
    error: 'BadRequest',
    signatures: [v1, { ...sigJson(v2), signer_id: padded }],
  });
  // The last of 43 base64url characters carries 4 key bits and 2 bits that must be zero.
  const last = k2b64.at(-1) ?? 'A';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const tweaked = alphabet[alphabet.indexOf(last) ^ 1] ?? 'B';
  bad({
    name: 'bad-signer-id-non-canonical-base64url',
    description:
      'signer_id of key 2 with the unused low bits of the last character set: decodes to the same bytes but is not canonical → BadRequest.',
    error: 'BadRequest',
    signatures: [v1, { ...sigJson(v2), signer_id: `ed25519:${k2b64.slice(0, -1)}${tweaked}` }],
  });
  bad({
    name: 'bad-signer-id-prefix',
    description: 'signer_id "ed448:<key 2>" → BadRequest.',
    error: 'BadRequest',
    signatures: [v1, { ...sigJson(v2), signer_id: `ed448:${k2b64}` }],
  });
  bad({
    name: 'bad-signer-id-short',
    description: 'signer_id of 31 bytes → BadRequest.',
    error: 'BadRequest',
    signatures: [
      v1,
      {
        ...sigJson(v2),
        signer_id: `ed25519:${Buffer.from(key(2).publicKey.subarray(1)).toString('base64url')}`,
      },
    ],
  });
  bad({
    name: 'bad-sig-length',
    description: 'sig of 63 bytes → BadRequest.',
    error: 'BadRequest',
    signatures: [v1, { ...sigJson(v2), sig: encodeBase64url(decodeSig(v2).subarray(0, 63)) }],
  });
}
