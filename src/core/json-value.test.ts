import { describe, expect, it } from 'vitest';
import { nested } from '../../test/helpers/core-fixtures.js';
import { checkJsonValue, parseJsonText } from './json-value.js';
import { MAX_DEPTH, MAX_STRING_BYTES } from './limits.js';

describe('parseJsonText', () => {
  describe('when the text is well-formed JSON within the limits', () => {
    it('returns the value', () => {
      expect(parseJsonText(' {"a": [1, "x", null]} ')).toEqual({ a: [1, 'x', null] });
    });
  });

  describe('when the text is not JSON', () => {
    it.each(['', '{', '{"a":1,}', "{'a':1}", 'NaN', '[1] [2]'])('throws BadRequest for %j', (t) => {
      expect(() => parseJsonText(t)).toThrowRegistryError('BadRequest', 'malformed JSON');
    });
  });

  describe('when the JSON breaks a limit', () => {
    it('throws BadRequest for a lone surrogate escape', () => {
      expect(() => parseJsonText('{"a":"\\ud800"}')).toThrowRegistryError('BadRequest', 'lone surrogate');
    });

    it('throws BadRequest for nesting deeper than 64', () => {
      expect(() => parseJsonText(JSON.stringify(nested(MAX_DEPTH + 1)))).toThrowRegistryError(
        'BadRequest',
        'nesting',
      );
      expect(parseJsonText(JSON.stringify(nested(MAX_DEPTH)))).toEqual(nested(MAX_DEPTH));
    });
  });
});

describe('checkJsonValue', () => {
  describe('when containers nest', () => {
    it('allows exactly 64 levels of arrays or objects, mixed', () => {
      let mixed: unknown = 'leaf';
      for (let i = 0; i < MAX_DEPTH; i++) mixed = i % 2 === 0 ? { k: mixed } : [mixed];
      expect(() => checkJsonValue(mixed, '$')).not.toThrow();
      expect(() => checkJsonValue({ k: mixed }, '$')).toThrowRegistryError('BadRequest', 'deeper than 64');
      expect(() => checkJsonValue(nested(MAX_DEPTH + 1), '$')).toThrowRegistryError('BadRequest');
    });

    it('counts the depth it is given', () => {
      expect(() => checkJsonValue([], '$', MAX_DEPTH - 1)).not.toThrow();
      expect(() => checkJsonValue([], '$', MAX_DEPTH)).toThrowRegistryError('BadRequest');
      expect(() => checkJsonValue('scalar', '$', MAX_DEPTH + 5)).not.toThrow();
    });
  });

  describe('when a string is long', () => {
    it('allows 1024 UTF-8 bytes and refuses 1025', () => {
      expect(() => checkJsonValue('a'.repeat(MAX_STRING_BYTES), '$')).not.toThrow();
      expect(() => checkJsonValue('a'.repeat(MAX_STRING_BYTES + 1), '$')).toThrowRegistryError('BadRequest');
    });

    it('counts bytes, not UTF-16 units', () => {
      // 'é' is 1 UTF-16 unit and 2 UTF-8 bytes; '😀' is 2 units and 4 bytes.
      expect(() => checkJsonValue('é'.repeat(512), '$')).not.toThrow();
      expect(() => checkJsonValue('é'.repeat(513), '$')).toThrowRegistryError('BadRequest');
      expect(() => checkJsonValue('😀'.repeat(256), '$')).not.toThrow();
      expect(() => checkJsonValue(`${'😀'.repeat(256)}a`, '$')).toThrowRegistryError('BadRequest');
    });

    it('checks object keys too', () => {
      expect(() => checkJsonValue({ ['k'.repeat(1025)]: 1 }, '$')).toThrowRegistryError('BadRequest', 'key');
    });
  });

  describe('when a string has a lone surrogate', () => {
    it.each([
      ['high alone', '\ud800'],
      ['low alone', '\udc00'],
      ['high at the end', 'ab\ud83d'],
      ['reversed pair', '\ude00\ud83d'],
    ])('throws BadRequest (%s), in values, arrays and keys', (_, s) => {
      expect(() => checkJsonValue(s, '$')).toThrowRegistryError('BadRequest', 'lone surrogate');
      expect(() => checkJsonValue({ a: [1, s] }, '$')).toThrowRegistryError('BadRequest', '$.a[1]');
      expect(() => checkJsonValue({ [s]: 1 }, '$')).toThrowRegistryError('BadRequest', 'lone surrogate');
    });

    it('accepts a proper pair', () => {
      expect(() => checkJsonValue('\ud83d\ude00', '$')).not.toThrow();
    });
  });

  describe('when given scalars', () => {
    it.each([0, -1.5, true, false, null])('accepts %j', (v) => {
      expect(() => checkJsonValue(v, '$')).not.toThrow();
    });
  });
});
