import { describe, expect, it } from 'vitest';
import { type CompatViolation, checkCompatibility, checkInclusion, type SchemaDoc } from './index.js';

const doc = (schema: unknown): SchemaDoc => ({ schema, dialect: '2020-12' });
const changes = (vs: readonly CompatViolation[]): string[] => vs.map((v) => v.change);

/** `levels` objects nested through `properties.a`, built without recursion. */
function nestedObjects(levels: number, leaf: unknown = { type: 'string' }): unknown {
  let s = leaf;
  for (let i = 0; i < levels; i++) s = { type: 'object', properties: { a: s } };
  return s;
}

function nestedItems(levels: number, leaf: unknown): unknown {
  let s = leaf;
  for (let i = 0; i < levels; i++) s = { type: 'array', items: s };
  return s;
}

// Attacker-controlled schemas (SPEC §12): every run below is bounded and has a defined answer.
describe('checkInclusion on hostile schemas', () => {
  describe('when the nesting is as deep as the server accepts (JSON nesting ≤ 64)', () => {
    it('still answers exactly', () => {
      expect(
        checkInclusion(
          doc(nestedItems(63, { type: 'integer' })),
          doc(nestedItems(63, { type: 'number' })),
          'strict',
        ),
      ).toEqual([]);
      const narrowed = checkInclusion(
        doc(nestedItems(63, { type: 'number' })),
        doc(nestedItems(63, { type: 'integer' })),
        'strict',
      );
      expect(changes(narrowed)).toEqual(['type-narrowed']);
      expect(narrowed[0]?.path).toBe(`${'/items'.repeat(63)}/type`);
      expect(
        checkInclusion(
          doc(nestedObjects(31)),
          doc(nestedObjects(31, { type: 'string', maxLength: 1 })),
          'lenient',
        ),
      ).toHaveLength(1);
    });
  });

  describe('when the nesting is 10,000 levels deep', () => {
    it('answers undecided instead of overflowing the stack', () => {
      const r = checkInclusion(doc(nestedObjects(10_000)), doc(nestedObjects(10_000)), 'strict');
      expect(changes(r)).toEqual(['undecided']);
      let allOf: unknown = { type: 'string' };
      for (let i = 0; i < 10_000; i++) allOf = { allOf: [allOf] };
      expect(changes(checkInclusion(doc({ type: 'string' }), doc(allOf), 'strict'))).toEqual(['undecided']);
    });

    it('turns a stack overflow into undecided even when the depth budget is lifted', () => {
      const deep = nestedObjects(100_000);
      const r = checkInclusion(doc(deep), doc(nestedObjects(100_000)), 'strict', { steps: 1e12, depth: 1e9 });
      expect(changes(r)).toEqual(['undecided']);
    });
  });

  describe('when an enum has 100,000 values', () => {
    const values = Array.from({ length: 100_000 }, (_, i) => `v${i}`);
    it('compares it value by value', () => {
      const old = doc({ enum: values });
      expect(checkCompatibility(old, doc({ enum: [...values, 'extra'] }), 'BACKWARD', 'strict')).toEqual([]);
      expect(checkCompatibility(old, doc({ type: 'string' }), 'BACKWARD', 'strict')).toEqual([]);
      expect(changes(checkCompatibility(old, doc({ enum: values.slice(1) }), 'BACKWARD', 'strict'))).toEqual([
        'enum-narrowed',
      ]);
    });
  });

  describe('when $refs form a cycle', () => {
    it('answers for a cycle that consumes nothing', () => {
      const loop = { $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' };
      expect(checkInclusion(doc(loop), doc(loop), 'strict')).toEqual([]);
      expect(
        Array.isArray(checkInclusion(doc({ type: 'string' }), doc({ $ref: '#', maxLength: 2 }), 'strict')),
      ).toBe(true);
      expect(
        checkInclusion(doc({ allOf: [{ $ref: '#' }], type: 'string' }), doc({ type: 'string' }), 'strict'),
      ).toEqual([]);
    });

    it('follows a recursive list and finds a change inside it', () => {
      const list = (value: unknown): unknown => ({
        $defs: { node: { type: 'object', properties: { value, next: { $ref: '#/$defs/node' } } } },
        $ref: '#/$defs/node',
      });
      expect(checkInclusion(doc(list({ type: 'integer' })), doc(list({ type: 'number' })), 'strict')).toEqual(
        [],
      );
      expect(
        changes(checkInclusion(doc(list({ type: 'number' })), doc(list({ type: 'integer' })), 'strict')),
      ).toEqual(['type-narrowed']);
    });
  });

  describe('when a pattern is catastrophic', () => {
    const evil = '^(a+)+$';
    const attack = `${'a'.repeat(40)}!`;
    it('never runs it: equal patterns are equal, anything else is undecided', () => {
      expect(
        checkInclusion(
          doc({ type: 'string', pattern: evil }),
          doc({ type: 'string', pattern: evil }),
          'strict',
        ),
      ).toEqual([]);
      expect(
        changes(checkInclusion(doc({ const: attack }), doc({ type: 'string', pattern: evil }), 'strict')),
      ).toEqual(['undecided']);
      const props = (p: string): unknown => ({
        type: 'object',
        patternProperties: { [p]: { type: 'string' } },
        additionalProperties: false,
      });
      const named = {
        type: 'object',
        properties: { [attack]: { type: 'string' } },
        additionalProperties: false,
      };
      expect(changes(checkInclusion(doc(named), doc(props(evil)), 'strict'))).toContain('undecided');
      expect(changes(checkInclusion(doc(props(evil)), doc(props('^(b+)+$')), 'strict'))).toContain(
        'undecided',
      );
    });
  });

  describe('when combinators multiply', () => {
    it('stays bounded with 2^20 disjunctive branches', () => {
      const allOf = Array.from({ length: 20 }, (_, i) => ({
        anyOf: [{ minLength: i }, { maxLength: 100 - i }],
      }));
      const r = checkInclusion(doc({ type: 'string', allOf }), doc({ type: 'string', allOf }), 'strict');
      expect(r).toEqual([]);
      const r2 = checkInclusion(
        doc({ type: 'string', allOf }),
        doc({ type: 'string', allOf: allOf.slice(1) }),
        'strict',
      );
      expect(Array.isArray(r2)).toBe(true);
    });
  });

  describe('when thousands of names meet thousands of patterns', () => {
    it('runs out of budget instead of time', () => {
      const names = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`p${i}`, { type: 'string' }]));
      const patterns = Object.fromEntries(
        Array.from({ length: 3000 }, (_, i) => [`^p${i}[0-9]+$`, { type: 'string' }]),
      );
      const r = checkInclusion(
        doc({ type: 'object', properties: names, patternProperties: patterns }),
        doc({ type: 'object', properties: names, patternProperties: patterns, maxProperties: 5 }),
        'lenient',
      );
      expect(changes(r)).toEqual(['undecided']);
    });
  });

  describe('when the step budget runs out', () => {
    it('answers one undecided violation', () => {
      const r = checkInclusion(doc(nestedObjects(20)), doc(nestedObjects(20)), 'strict', {
        steps: 5,
        depth: 128,
      });
      expect(r).toEqual([{ path: '', change: 'undecided', message: expect.stringContaining('step budget') }]);
    });
  });
});
