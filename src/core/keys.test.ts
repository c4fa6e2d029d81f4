import * as ed from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { hexBytes, key, NOW, servicePayload } from '../../test/helpers/core-fixtures.js';
import { decodeBase64url } from './base64url.js';
import { signingBytes } from './canonical.js';
import { generateSigningKey, signBytes, signingKeyFromSeed, signPayload } from './keys.js';
import { signatureProblem } from './signature.js';
import { signerPublicKey } from './signer-id.js';

/** RFC 8032 §7.1, TEST 1 to TEST 3: secret key, public key, message, signature. */
const RFC8032_VECTORS = [
  {
    name: 'TEST 1 (empty message)',
    secretKey: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2 (one byte)',
    secretKey: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3 (two bytes)',
    secretKey: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
] as const;

describe('signingKeyFromSeed', () => {
  describe.each(RFC8032_VECTORS)('when given the secret key of RFC 8032 $name', (v) => {
    const k = signingKeyFromSeed(hexBytes(v.secretKey));

    it('derives the RFC public key and its signer_id', () => {
      expect(Buffer.from(k.publicKey).toString('hex')).toBe(v.publicKey);
      expect(k.signerId).toBe(`ed25519:${Buffer.from(v.publicKey, 'hex').toString('base64url')}`);
      expect(signerPublicKey(k.signerId)).toEqual(hexBytes(v.publicKey));
    });

    it('reproduces the RFC signature with signBytes', () => {
      expect(Buffer.from(signBytes(hexBytes(v.message), k)).toString('hex')).toBe(v.signature);
    });

    it('has the RFC signature accepted by node:crypto through signatureProblem', () => {
      const sig = Buffer.from(v.signature, 'hex').toString('base64url');
      const s = { signer_id: k.signerId, alg: 'ed25519', sig, ts: 0 };
      expect(signatureProblem(s, hexBytes(v.message))).toBeNull();
      // …and only over its own message.
      expect(signatureProblem(s, hexBytes(`${v.message}00`))).toBe('signature does not verify');
    });
  });

  describe('when the seed is not 32 bytes', () => {
    it('throws', () => {
      expect(() => signingKeyFromSeed(new Uint8Array(31))).toThrow();
    });
  });
});

describe('generateSigningKey', () => {
  describe('when called twice', () => {
    it('returns two distinct usable keys', () => {
      const a = generateSigningKey();
      const b = generateSigningKey();
      expect(a.signerId).not.toBe(b.signerId);
      expect(a.secretKey).toHaveLength(32);
      const msg = new Uint8Array([1, 2, 3]);
      expect(ed.verify(signBytes(msg, a), msg, a.publicKey, { zip215: false })).toBe(true);
    });
  });
});

describe('signPayload', () => {
  describe('when signing a payload', () => {
    it('signs the SPEC §2 signing bytes and returns the wire object', () => {
      const p = servicePayload();
      const s = signPayload(p, key(3), NOW);
      expect(s).toEqual({ signer_id: key(3).signerId, alg: 'ed25519', sig: expect.any(String), ts: NOW });
      const sig = decodeBase64url(s.sig, 64);
      expect(sig).toBeDefined();
      expect(ed.verify(sig ?? new Uint8Array(64), signingBytes(p), key(3).publicKey, { zip215: false })).toBe(
        true,
      );
      expect(signatureProblem(s, signingBytes(p))).toBeNull();
    });

    it('is deterministic (RFC 8032 signatures are)', () => {
      const p = servicePayload();
      expect(signPayload(p, key(3), NOW).sig).toBe(signPayload(p, key(3), NOW + 1).sig);
    });
  });
});
