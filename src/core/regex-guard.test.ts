import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { patternRisk } from './regex-guard.js';

describe('patternRisk', () => {
  describe('when a pattern can backtrack exponentially', () => {
    it.each([
      '^(a+)+$',
      '(a*)*b',
      '^(a|a)*$',
      '^(a|ab)+$',
      '(.*a){20}',
      '^(\\d+|[a-z]+)*$',
      '^(([a-z])+.)+[A-Z]([a-z])+$',
      '(x+x+)+y',
      '^((ab)+)+$',
      '^(a?){25}a{25}$',
      '(?:\\w+\\s?)+$',
      '^(?:$|a+)+$',
    ])('refuses %s', (p) => {
      expect(patternRisk(p)).toMatch(/more than one way/);
    });
  });

  describe('when a pattern uses a backreference', () => {
    it.each(['(a)\\1', '(?<x>a)\\k<x>'])('refuses %s', (p) => {
      expect(patternRisk(p)).toMatch(/backreference/);
    });
  });

  describe('when the usual patterns of schemas are given', () => {
    it.each([
      '^[a-z]+$',
      '^[A-Z]{3}$',
      '^\\d{4}-\\d{2}-\\d{2}$',
      '^([a-z0-9-]+\\.)*[a-z]+$',
      '^[a-z]+(\\.[a-z]+)*$',
      '^(GET|POST|PUT)+$',
      '^(\\+|-)?\\d+(\\.\\d+)?$',
      '^([A-Z][a-z]+ )+$',
      '^(\\d{3}){2}$',
      '^\\p{L}+$',
      '^[^@]+@[^@]+$',
      '(?=.*[A-Z])(?=.*\\d).{8,}',
      '^x-',
      '\\bword\\b',
      '[\\u0041-\\u005a]+',
      '^\\u{1F600}+$',
    ])('admits %s', (p) => {
      expect(patternRisk(p)).toBeNull();
    });
  });

  describe('on any text', () => {
    it('answers without throwing', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 40 }), (p) => {
          const r = patternRisk(p);
          expect(r === null || typeof r === 'string').toBe(true);
        }),
        { numRuns: 2000 },
      );
    });
  });
});
