import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRegistryError, RegistryError } from './errors.js';
import { compileSchema } from './schema-compile.js';

function problemsOf(f: () => unknown): Array<{ path: string; message: string }> {
  try {
    f();
  } catch (err) {
    if (err instanceof RegistryError && err.code === 'BadRequest') return [...(err.details ?? [])];
    throw err;
  }
  return [];
}

describe('compileSchema', () => {
  describe('dialects', () => {
    it('compiles 2020-12 when $schema is absent or names it, draft-07 when it names draft-07', () => {
      expect(compileSchema({ type: 'string' }).dialect).toBe('2020-12');
      expect(compileSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema' }).dialect).toBe(
        '2020-12',
      );
      expect(compileSchema({ $schema: 'http://json-schema.org/draft-07/schema#' }).dialect).toBe('draft-07');
    });

    it('refuses any other $schema', () => {
      expect(
        problemsOf(() => compileSchema({ $schema: 'https://json-schema.org/draft/2019-09/schema' })),
      ).toEqual([
        { path: '/descriptor/body/schema/$schema', message: expect.stringMatching(/must be absent/) },
      ]);
    });

    it('keeps draft-07 semantics: items as an array is a tuple', () => {
      const c = compileSchema({
        $schema: 'http://json-schema.org/draft-07/schema#',
        items: [{ type: 'integer' }],
      });
      expect(c.validate([1, 'x']).valid).toBe(true);
      expect(c.validate(['x']).valid).toBe(false);
    });
  });

  describe('strict mode', () => {
    it('lists every unknown keyword, format and refused pattern at once, at their paths', () => {
      const details = problemsOf(() =>
        compileSchema({
          type: 'object',
          color: 'red',
          properties: {
            a: { type: 'string', format: 'colour' },
            b: { items: { maxLenght: 3 } },
          },
          patternProperties: { '^(x+)+$': { type: 'string' } },
          $defs: { d: { nullable: true } },
        }),
      );
      expect(details.map((d) => d.path)).toEqual([
        '/descriptor/body/schema/color',
        '/descriptor/body/schema/properties/a/format',
        '/descriptor/body/schema/properties/b/items/maxLenght',
        '/descriptor/body/schema/patternProperties/^(x+)+$',
        '/descriptor/body/schema/$defs/d/nullable',
      ]);
    });

    it('allows x- annotations anywhere and union types, and keeps data under enum as data', () => {
      const c = compileSchema({
        'x-owner': 'team',
        type: ['string', 'number'],
        enum: [{ foo: 1 }, 'a', 2],
        properties: { 'x-not-a-keyword': { type: 'string', 'x-doc': 'here' } },
      });
      expect(c.validate('a').valid).toBe(true);
      expect(c.validate(3).valid).toBe(false);
    });

    it('reports what only the ajv compiler sees, and caps details at 100', () => {
      const twice = { $defs: { a: { $id: 'https://x.example/a' }, b: { $id: 'https://x.example/a' } } };
      expect(problemsOf(() => compileSchema(twice))[0]?.message).toMatch(
        /more than one schema|already exists/,
      );
      const many = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`k${i}`, 1]));
      expect(problemsOf(() => compileSchema(many))).toHaveLength(100);
      expect(() => compileSchema(many)).toThrowRegistryError('BadRequest', '(and 119 more problems)');
    });

    it('reports meta-schema violations with their paths', () => {
      const details = problemsOf(() => compileSchema({ type: 'strng', minLength: -1 }));
      expect(details.map((d) => d.path)).toEqual(
        expect.arrayContaining(['/descriptor/body/schema/type', '/descriptor/body/schema/minLength']),
      );
    });
  });

  describe('references', () => {
    const money = { ref: 'https://schemas.example/money', schema: { type: 'number', minimum: 0 } };

    it('resolves a $ref to a referenced document and never elsewhere', () => {
      const c = compileSchema({ $ref: 'https://schemas.example/money' }, [money]);
      expect(c.validate(1).valid).toBe(true);
      expect(c.validate(-1).valid).toBe(false);
      expect(
        problemsOf(() => compileSchema({ $ref: 'https://schemas.example/other' }, [money]))[0]?.message,
      ).toMatch(/resolves neither inside the document nor to a references\[\]\.ref/);
    });

    it('refuses a referenced document of another dialect', () => {
      const old = {
        ref: 'https://x.example/a',
        schema: { $schema: 'http://json-schema.org/draft-07/schema#' },
      };
      expect(problemsOf(() => compileSchema({ $ref: 'https://x.example/a' }, [old]))[0]?.message).toMatch(
        /is draft-07; the schema being compiled is 2020-12/,
      );
    });
  });

  describe('validation reports', () => {
    it('caps errors at 100', () => {
      const c = compileSchema({ type: 'array', items: { type: 'string' } });
      const r = c.validate(Array.from({ length: 150 }, (_, i) => i));
      expect(r.valid).toBe(false);
      expect(r.errors).toHaveLength(100);
      expect(r.errors[0]).toEqual({
        path: '/0',
        schema_path: '#/items/type',
        keyword: 'type',
        message: 'must be string',
      });
    });

    it('checks multipleOf exactly, even for numbers above 1e21', () => {
      const half = compileSchema({ multipleOf: 0.5 });
      expect(half.validate(8.6e65).valid).toBe(true);
      expect(half.validate(1.25).valid).toBe(false);
      const three = compileSchema({ multipleOf: 3 });
      expect(three.validate(9e300).valid).toBe(9e300 % 3 === 0);
      expect(three.validate(7).valid).toBe(false);
      expect(three.validate(6).valid).toBe(true);
    });

    it('asserts the formats of ajv-formats', () => {
      const c = compileSchema({ type: 'string', format: 'date-time' });
      expect(c.validate('2026-12-04T20:00:00Z').valid).toBe(true);
      expect(c.validate('yesterday').valid).toBe(false);
    });
  });

  describe('on any JSON object', () => {
    it('compiles or refuses with BadRequest, never anything else', () => {
      fc.assert(
        fc.property(
          fc.dictionary(
            fc.constantFrom(
              'type',
              'properties',
              'items',
              'enum',
              'pattern',
              'minimum',
              'x',
              '$ref',
              'allOf',
            ),
            fc.jsonValue({ maxDepth: 3 }),
          ),
          (schema) => {
            try {
              compileSchema(schema);
            } catch (err) {
              expect(isRegistryError(err, 'BadRequest')).toBe(true);
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});
