import { describe, expect, it } from 'vitest';
import {
  hexBytes,
  key,
  NON_CANONICAL_KEY_HEX,
  OFF_CURVE_KEY_HEX,
  SMALL_ORDER_KEYS_HEX,
  signerIdFromHex,
} from '../../test/helpers/core-fixtures.js';
import { encodeSignerId, keyProblem, parseSignerId, type SignerId, signerPublicKey } from './signer-id.js';

const PUB = key(0).publicKey;
const ID = key(0).signerId;

describe('encodeSignerId', () => {
  describe('when given a 32-byte key', () => {
    it('writes ed25519: and unpadded base64url', () => {
      expect(ID).toBe(`ed25519:${Buffer.from(PUB).toString('base64url')}`);
      expect(ID).toMatch(/^ed25519:[A-Za-z0-9_-]{43}$/);
    });
  });

  describe('when given another length', () => {
    it.each([0, 31, 33, 64])('throws BadRequest for %i bytes', (n) => {
      expect(() => encodeSignerId(new Uint8Array(n))).toThrowRegistryError('BadRequest');
    });
  });
});

describe('parseSignerId', () => {
  describe('when well-formed', () => {
    it('returns it unchanged and decodes to the key', () => {
      expect(parseSignerId(ID)).toBe(ID);
      expect(signerPublicKey(parseSignerId(ID))).toEqual(PUB);
    });
  });

  describe('when malformed', () => {
    const b64 = ID.slice('ed25519:'.length);
    const lastBitsSet = (() => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = b64.at(-1) ?? '';
      return `ed25519:${b64.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1] ?? ''}`;
    })();
    it.each([
      ['not a string', 42],
      ['null', null],
      ['missing prefix', b64],
      ['another prefix', `ecdsa:${b64}`],
      ['upper-case prefix', `ED25519:${b64}`],
      ['padding', `${ID}=`],
      ['31 bytes', `ed25519:${Buffer.alloc(31, 1).toString('base64url')}`],
      ['33 bytes', `ed25519:${Buffer.alloc(33, 1).toString('base64url')}`],
      ['standard base64 alphabet', `ed25519:${Buffer.alloc(32, 0xfb).toString('base64').replace(/=+$/, '')}`],
      ['non-canonical trailing bits', lastBitsSet],
      ['empty key', 'ed25519:'],
    ])('throws BadRequest for %s', (_, raw) => {
      expect(() => parseSignerId(raw, 'signers[0]')).toThrowRegistryError('BadRequest', 'signers[0]');
    });
  });
});

describe('signerPublicKey', () => {
  describe('when handed an id that bypassed the parser', () => {
    it('throws BadRequest rather than returning a wrong key', () => {
      expect(() => signerPublicKey('ed25519:short' as SignerId)).toThrowRegistryError('BadRequest');
    });
  });
});

describe('keyProblem', () => {
  describe('when the key is a real public key', () => {
    it('returns null (twice: the memo agrees)', () => {
      expect(keyProblem(ID)).toBeNull();
      expect(keyProblem(ID)).toBeNull();
    });
  });

  describe('when the key has small order', () => {
    it.each(SMALL_ORDER_KEYS_HEX)('refuses %s', (hex) => {
      expect(keyProblem(signerIdFromHex(hex))).toMatch(/small-order/);
    });
  });

  describe('when the key is not a canonical curve point', () => {
    it.each([
      ['off the curve', OFF_CURVE_KEY_HEX],
      ['y not reduced mod p', NON_CANONICAL_KEY_HEX],
    ])('refuses a key %s', (_, hex) => {
      expect(hexBytes(hex)).toHaveLength(32);
      expect(keyProblem(signerIdFromHex(hex))).toMatch(/not a valid ed25519 public key/);
    });
  });
});
