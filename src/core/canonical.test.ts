import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { servicePayload } from '../../test/helpers/core-fixtures.js';
import { canonicalJson, DIGEST_RE, digestOf, SIGNING_DOMAIN, signingBytes } from './canonical.js';

describe('canonicalJson', () => {
  describe('when given objects', () => {
    it('sorts keys by UTF-16 code units and drops whitespace (RFC 8785)', () => {
      expect(canonicalJson({ b: 1, a: [true, null, 'x'], A: { z: 0, y: -0 } })).toBe(
        '{"A":{"y":0,"z":0},"a":[true,null,"x"],"b":1}',
      );
      // '\u20ac' (U+20AC) sorts before '\ud83d\ude00' (U+1F600) by code unit, as JCS requires.
      expect(canonicalJson({ '\u{1F600}': 1, '\u20ac': 2, '\r': 3 })).toBe('{"\\r":3,"€":2,"😀":1}');
    });

    it('writes numbers in the ECMAScript shortest form (RFC 8785 §3.2.2.3)', () => {
      expect(canonicalJson([1e21, 1e-7, 0.1, 100, 1.5e300])).toBe('[1e+21,1e-7,0.1,100,1.5e+300]');
    });

    it('escapes only what JSON requires', () => {
      expect(canonicalJson('é\u0001"\\/')).toBe('"é\\u0001\\"\\\\/"');
    });
  });

  describe('when given a value with no JSON form', () => {
    it.each([
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['a lone surrogate', '\ud800'],
    ])('throws BadRequest for %s', (_, v) => {
      expect(() => canonicalJson(v)).toThrowRegistryError('BadRequest', 'no canonical JSON form');
    });

    it('throws BadRequest for a circular value', () => {
      const loop: Record<string, unknown> = {};
      loop.self = loop;
      expect(() => canonicalJson(loop)).toThrowRegistryError('BadRequest');
    });

    it('throws BadRequest for undefined', () => {
      expect(() => canonicalJson(undefined)).toThrowRegistryError('BadRequest');
    });
  });
});

describe('signingBytes', () => {
  describe('when given a payload', () => {
    it('is the domain tag followed by the JCS text, in UTF-8', () => {
      const p = servicePayload();
      const expected = Buffer.concat([
        Buffer.from('ron-registry/descriptor/v1\n', 'utf8'),
        Buffer.from(canonicalJson(p), 'utf8'),
      ]);
      expect(SIGNING_DOMAIN).toBe('ron-registry/descriptor/v1\n');
      expect(Buffer.from(signingBytes(p))).toEqual(expected);
    });

    it('does not depend on key order', () => {
      const p = servicePayload();
      const reversed = Object.fromEntries(Object.entries(p).reverse());
      expect(signingBytes(reversed)).toEqual(signingBytes(p));
    });
  });
});

describe('digestOf', () => {
  describe('when given bytes', () => {
    it('is the lowercase hex SHA-256', () => {
      const bytes = signingBytes(servicePayload());
      const d = digestOf(bytes);
      expect(d).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(d).toMatch(DIGEST_RE);
      expect(digestOf(new Uint8Array())).toBe(
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      );
    });
  });
});

describe('DIGEST_RE', () => {
  describe('when matching', () => {
    it('accepts 64 lowercase hex only', () => {
      expect(DIGEST_RE.test('0'.repeat(64))).toBe(true);
      expect(DIGEST_RE.test('A'.repeat(64))).toBe(false);
      expect(DIGEST_RE.test('0'.repeat(63))).toBe(false);
      expect(DIGEST_RE.test('0'.repeat(65))).toBe(false);
      expect(DIGEST_RE.test(`${'0'.repeat(64)}\n`)).toBe(false);
    });
  });
});
