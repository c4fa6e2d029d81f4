import * as ed from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import {
  key,
  NON_CANONICAL_KEY_HEX,
  NOW,
  OFF_CURVE_KEY_HEX,
  SMALL_ORDER_KEYS_HEX,
  servicePayload,
  signerIdFromHex,
} from '../../test/helpers/core-fixtures.js';
import { L, sOf, sPlusLBase64url, withSPlusL } from '../../test/helpers/ed25519-edge.js';
import { decodeBase64url, encodeBase64url } from './base64url.js';
import { signingBytes } from './canonical.js';
import { signPayload } from './keys.js';
import {
  assertSignature,
  parseSignature,
  parseSignatures,
  type Signature,
  signatureProblem,
} from './signature.js';

const PAYLOAD = servicePayload();
const BYTES = signingBytes(PAYLOAD);
const GOOD = signPayload(PAYLOAD, key(0), NOW);

describe('parseSignature', () => {
  describe('when well-formed', () => {
    it('returns a fresh object with the four fields', () => {
      const raw = { ...GOOD };
      const s = parseSignature(raw, 's');
      expect(s).toEqual(GOOD);
      expect(s).not.toBe(raw);
    });

    it('leaves alg to verification (an unknown alg is a BadSignature later, not a BadRequest)', () => {
      expect(parseSignature({ ...GOOD, alg: 'rsa' }, 's').alg).toBe('rsa');
    });
  });

  describe('when a field is unknown or the value is not an object', () => {
    it('throws BadRequest naming the field', () => {
      expect(() => parseSignature({ ...GOOD, kid: 'x' }, 'signatures[0]')).toThrowRegistryError(
        'BadRequest',
        'signatures[0].kid: unknown field',
      );
    });

    it.each([null, [], 'sig', 1])('throws BadRequest for %j', (raw) => {
      expect(() => parseSignature(raw, 's')).toThrowRegistryError('BadRequest', 'must be an object');
    });
  });

  describe('when a field is missing or malformed', () => {
    const sigBytes = decodeBase64url(GOOD.sig, 64) ?? new Uint8Array(64);
    it.each<[string, Partial<Record<keyof Signature, unknown>>, string]>([
      ['signer_id missing', { signer_id: undefined }, 'signer_id'],
      ['signer_id malformed', { signer_id: 'ed25519:AAAA' }, 'signer_id'],
      ['alg missing', { alg: undefined }, 'alg'],
      ['alg not a string', { alg: 1 }, 'alg'],
      ['alg over 64 characters', { alg: 'a'.repeat(65) }, 'alg'],
      ['sig missing', { sig: undefined }, 'sig'],
      ['sig not a string', { sig: 1 }, 'sig'],
      ['sig of 63 bytes', { sig: encodeBase64url(sigBytes.subarray(0, 63)) }, 'sig'],
      ['sig of 65 bytes', { sig: encodeBase64url(new Uint8Array(65)) }, 'sig'],
      ['sig padded', { sig: `${GOOD.sig}==` }, 'sig'],
      [
        'sig in standard base64',
        { sig: Buffer.alloc(64, 0xfb).toString('base64').replace(/=+$/, '') },
        'sig',
      ],
      ['sig as hex', { sig: Buffer.from(sigBytes).toString('hex') }, 'sig'],
      ['ts missing', { ts: undefined }, 'ts'],
      ['ts negative', { ts: -1 }, 'ts'],
      ['ts fractional', { ts: 1.5 }, 'ts'],
      ['ts a string', { ts: '1' }, 'ts'],
    ])('throws BadRequest: %s', (_, over, field) => {
      const raw = Object.fromEntries(Object.entries({ ...GOOD, ...over }).filter(([, v]) => v !== undefined));
      expect(() => parseSignature(raw, 's')).toThrowRegistryError('BadRequest', `s.${field}`);
    });
  });
});

describe('parseSignatures', () => {
  describe('when the signers are distinct', () => {
    it('returns them in order', () => {
      const sigs = [GOOD, signPayload(PAYLOAD, key(1), NOW)];
      expect(parseSignatures(sigs)).toEqual(sigs);
      expect(parseSignatures([])).toEqual([]);
    });
  });

  describe('when one signer appears twice', () => {
    it('throws BadRequest, even with different signature ts', () => {
      expect(() =>
        parseSignatures([GOOD, signPayload(PAYLOAD, key(1), NOW), { ...GOOD, ts: 5 }]),
      ).toThrowRegistryError('BadRequest', `signatures[2]: duplicate signer ${GOOD.signer_id}`);
    });
  });

  describe('when not an array or too long', () => {
    it('throws BadRequest', () => {
      expect(() => parseSignatures({ 0: GOOD })).toThrowRegistryError('BadRequest', 'must be an array');
      expect(() => parseSignatures(Array.from({ length: 65 }, () => GOOD))).toThrowRegistryError(
        'BadRequest',
        'at most 64',
      );
    });
  });
});

describe('signatureProblem', () => {
  describe('when the signature is valid', () => {
    it('returns null', () => {
      expect(signatureProblem(GOOD, BYTES)).toBeNull();
    });
  });

  describe('when the alg is not ed25519', () => {
    it.each(['Ed25519', 'ed448', 'EdDSA', ''])('reports %j unsupported', (alg) => {
      expect(signatureProblem({ ...GOOD, alg }, BYTES)).toMatch(/^unsupported alg/);
    });
  });

  describe('when S is not canonical (S + ℓ)', () => {
    it('rejects it although it is equal modulo ℓ', () => {
      const sig = decodeBase64url(GOOD.sig, 64) ?? new Uint8Array(64);
      const bumped = withSPlusL(sig);
      expect(sOf(bumped) - sOf(sig)).toBe(L);
      // Still < 2^256, so it is a well-formed 64-byte signature.
      expect(sOf(bumped) < 2n ** 256n).toBe(true);
      expect(signatureProblem({ ...GOOD, sig: sPlusLBase64url(GOOD.sig) }, BYTES)).toBe('non-canonical S');
      expect(ed.verify(bumped, BYTES, key(0).publicKey, { zip215: false })).toBe(false);
    });

    it('rejects S = ℓ exactly and accepts S = ℓ - 1 as far as the S check goes', () => {
      const sig = new Uint8Array(64);
      const le = (n: bigint) =>
        Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
      sig.set(le(L), 32);
      expect(signatureProblem({ ...GOOD, sig: encodeBase64url(sig) }, BYTES)).toBe('non-canonical S');
      sig.set(le(L - 1n), 32);
      expect(signatureProblem({ ...GOOD, sig: encodeBase64url(sig) }, BYTES)).toBe(
        'signature does not verify',
      );
    });
  });

  describe('when the key is small-order', () => {
    it.each(SMALL_ORDER_KEYS_HEX)(
      'refuses %s, even with the trivial signature (R = identity, S = 0)',
      (hex) => {
        const trivial = new Uint8Array(64);
        trivial[0] = 1; // R = the identity point's encoding
        const s = { signer_id: signerIdFromHex(hex), alg: 'ed25519', sig: encodeBase64url(trivial), ts: 0 };
        expect(signatureProblem(s, BYTES)).toMatch(/small-order/);
      },
    );
  });

  describe('when the key is not a valid point', () => {
    it.each([OFF_CURVE_KEY_HEX, NON_CANONICAL_KEY_HEX])('refuses %s', (hex) => {
      expect(signatureProblem({ ...GOOD, signer_id: signerIdFromHex(hex) }, BYTES)).toMatch(
        /not a valid ed25519/,
      );
    });
  });

  describe('when the sig is not base64url of 64 bytes (a Signature that bypassed the parser)', () => {
    it('reports it', () => {
      expect(signatureProblem({ ...GOOD, sig: 'AAAA' }, BYTES)).toBe('sig is not base64url of 64 bytes');
    });
  });

  describe('when the signature is by another key or over other bytes', () => {
    it('reports it does not verify', () => {
      expect(signatureProblem({ ...GOOD, signer_id: key(1).signerId }, BYTES)).toBe(
        'signature does not verify',
      );
      expect(signatureProblem(GOOD, signingBytes({ ...PAYLOAD, ts: PAYLOAD.ts + 1 }))).toBe(
        'signature does not verify',
      );
    });
  });
});

describe('assertSignature', () => {
  describe('when valid', () => {
    it('returns', () => {
      expect(() => assertSignature(GOOD, BYTES)).not.toThrow();
    });
  });

  describe('when invalid', () => {
    it('throws BadSignature naming the signer', () => {
      expect(() => assertSignature({ ...GOOD, alg: 'rsa' }, BYTES)).toThrowRegistryError(
        'BadSignature',
        GOOD.signer_id,
      );
      expect(() => assertSignature(GOOD, new Uint8Array(3))).toThrowRegistryError(
        'BadSignature',
        'does not verify',
      );
    });
  });
});
