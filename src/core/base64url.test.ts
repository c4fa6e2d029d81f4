import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from './base64url.js';

describe('decodeBase64url', () => {
  const bytes = new Uint8Array(32).map((_, i) => i * 7 + 1);
  const text = Buffer.from(bytes).toString('base64url');

  describe('when given the canonical unpadded encoding of the expected length', () => {
    it('returns the bytes', () => {
      expect(text).toHaveLength(43);
      expect(decodeBase64url(text, 32)).toEqual(bytes);
    });
  });

  describe('when the text is not canonical or not the right size', () => {
    it.each([
      ['padded', `${text}=`],
      ['one character short', text.slice(0, -1)],
      ['one character long', `${text}A`],
      ['standard base64 alphabet', `+${text.slice(1)}`],
      ['a slash', `/${text.slice(1)}`],
      ['whitespace', ` ${text.slice(1)}`],
      ['empty', ''],
    ])('returns undefined for %s', (_, t) => {
      expect(decodeBase64url(t, 32)).toBeUndefined();
    });

    it('returns undefined when the unused low bits of the last character are set', () => {
      // 32 bytes = 256 bits; 43 characters carry 258, so the last character has 2 spare bits.
      const last = text.at(-1) ?? '';
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? '';
      const nonCanonical = text.slice(0, -1) + sibling;
      expect(Buffer.from(nonCanonical, 'base64url')).toEqual(Buffer.from(bytes));
      expect(decodeBase64url(nonCanonical, 32)).toBeUndefined();
    });

    it('returns undefined for the right length but another byte count', () => {
      expect(decodeBase64url(text, 31)).toBeUndefined();
    });
  });
});

describe('encodeBase64url', () => {
  describe('when given bytes that are a view into a larger buffer', () => {
    it('encodes only the view, without padding', () => {
      const big = new Uint8Array([9, 9, 1, 2, 3, 9]);
      const view = big.subarray(2, 5);
      expect(encodeBase64url(view)).toBe('AQID');
      expect(encodeBase64url(new Uint8Array([255]))).toBe('_w');
    });
  });

  describe('when round-tripped', () => {
    it('decodes back to the same bytes', () => {
      const sig = new Uint8Array(64).map((_, i) => 255 - i);
      expect(decodeBase64url(encodeBase64url(sig), 64)).toEqual(sig);
    });
  });
});
