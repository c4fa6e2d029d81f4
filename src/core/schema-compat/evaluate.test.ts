import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { Budget } from './budget.js';
import type { Dialect } from './compat.types.js';
import { DocRegistry, rootNode } from './doc.js';
import { evaluate } from './evaluate.js';

const ajv2020 = new Ajv2020({ strict: false, validateFormats: false });
const ajv07 = new Ajv({ strict: false, validateFormats: false });

function verdict(schema: unknown, value: unknown, dialect: Dialect = '2020-12'): 'yes' | 'no' | 'unknown' {
  const r = evaluate(rootNode(new DocRegistry(undefined).open(schema, dialect)), value, new Budget());
  return r === true ? 'yes' : r.verdict;
}

const S = { type: 'string' };
/** `if`/`then`/`else` built from entries (a literal `then` key reads like a thenable). */
const ifThen = (i: unknown, t: unknown, e?: unknown): Record<string, unknown> =>
  Object.fromEntries([['if', i], ['then', t], ...(e === undefined ? [] : [['else', e]])]);
/**
 * [schema, value, expected verdict, dialect, why ajv is not asked]; a `yes`/`no` must agree
 * with ajv. ajv's default reads inherited members (`{}.constructor`), so names of
 * Object.prototype members are `unknown`.
 */
const CASES: [unknown, unknown, 'yes' | 'no' | 'unknown', Dialect?, string?][] = [
  [true, 1, 'yes'],
  [false, 1, 'no'],
  [{ type: 'integer' }, 1.0, 'yes'],
  [{ type: 'integer' }, 1.5, 'no'],
  [{ type: ['string', 'null'] }, null, 'yes'],
  [{ type: 'strange' }, 1, 'unknown'],
  [{ enum: [{ a: 1, b: [2] }] }, { b: [2], a: 1 }, 'yes'],
  [{ enum: [1] }, 2, 'no'],
  [{ const: 'a' }, 'b', 'no'],
  [{ minimum: 1 }, 0, 'no'],
  [{ maximum: 1 }, 2, 'no'],
  [{ exclusiveMinimum: 1 }, 1, 'no'],
  [{ exclusiveMaximum: 1 }, 1, 'no'],
  [{ multipleOf: 0.1 }, 0.3, 'no'],
  [{ multipleOf: 0.5 }, 1.5, 'yes'],
  [{ multipleOf: 0 }, 1, 'no', '2020-12', 'ajv refuses'],
  [{ minLength: 2 }, '😀', 'no'],
  [{ maxLength: 1 }, '😀', 'yes'],
  [{ maxLength: 1 }, 'ab', 'no'],
  [{ pattern: '^x-' }, 'x-a', 'yes'],
  [{ pattern: '^x-' }, 'a', 'no'],
  [{ pattern: '^[a-z]+$' }, 'a', 'unknown'],
  [{ format: 'email' }, 'a', 'unknown'],
  [{ minItems: 1 }, [], 'no'],
  [{ maxItems: 1 }, [1, 2], 'no'],
  [{ uniqueItems: true }, [{ a: 1 }, { a: 1 }], 'no'],
  [{ uniqueItems: true }, [1, 2], 'yes'],
  [{ prefixItems: [S], items: { type: 'integer' } }, ['a', 1, 2], 'yes'],
  [{ prefixItems: [S], items: false }, ['a', 1], 'no'],
  [{ contains: S }, [1, 'a'], 'yes'],
  [{ contains: S }, [1], 'no'],
  [{ contains: S, minContains: 2 }, ['a', 1], 'no'],
  [{ contains: S, maxContains: 1 }, ['a', 'b'], 'no'],
  [{ contains: { pattern: '[ab]' } }, ['a'], 'unknown'],
  [{ items: [S], additionalItems: false }, ['a', 'b'], 'no', 'draft-07'],
  [{ items: [S], additionalItems: false }, ['a'], 'yes', 'draft-07'],
  [{ items: [S] }, ['a', 1], 'yes', 'draft-07'],
  [{ items: S }, ['a', 1], 'no', 'draft-07'],
  [{ contains: S, minContains: 2 }, ['a'], 'unknown', 'draft-07'],
  [{ properties: { a: S } }, { a: 1 }, 'no'],
  [{ properties: { a: S } }, { b: 1 }, 'yes'],
  [{ properties: { constructor: S } }, {}, 'unknown'],
  [{ required: ['toString'] }, {}, 'unknown'],
  [{ dependentRequired: { valueOf: ['a'] } }, {}, 'unknown'],
  [{ patternProperties: { '^x-': S }, additionalProperties: false }, { 'x-a': 'a' }, 'yes'],
  [{ patternProperties: { '^x-': S }, additionalProperties: false }, { b: 'a' }, 'no'],
  [{ patternProperties: { '^[a-z]$': S } }, { b: 'a' }, 'unknown'],
  [{ additionalProperties: S }, { b: 1 }, 'no'],
  [{ required: ['a'] }, {}, 'no'],
  [{ minProperties: 1 }, {}, 'no'],
  [{ maxProperties: 0 }, { a: 1 }, 'no'],
  [{ propertyNames: { maxLength: 1 } }, { ab: 1 }, 'no'],
  [{ dependentRequired: { a: ['b'] } }, { a: 1 }, 'no'],
  [{ dependentRequired: { a: ['b'] } }, { a: 1, b: 1 }, 'yes'],
  [{ dependentSchemas: { a: { required: ['b'] } } }, { a: 1 }, 'no'],
  [{ dependencies: { a: ['b'], c: { required: ['d'] } } }, { c: 1 }, 'no', 'draft-07'],
  [{ allOf: [S, { maxLength: 1 }] }, 'ab', 'no'],
  [{ anyOf: [S, { type: 'integer' }] }, 1, 'yes'],
  [{ anyOf: [S, { type: 'integer' }] }, null, 'no'],
  [{ anyOf: [S, { pattern: '[a]' }] }, 1, 'yes'],
  [{ anyOf: [{ type: 'integer' }, { pattern: '[a]' }] }, 'a', 'unknown'],
  [{ oneOf: [{ type: 'integer' }, { type: 'number' }] }, 1, 'no'],
  [{ oneOf: [{ type: 'integer' }, { type: 'number' }] }, 1.5, 'yes'],
  [{ oneOf: [S, { type: 'null' }] }, true, 'no'],
  [{ oneOf: [S, { format: 'date' }] }, 'a', 'unknown'],
  [{ oneOf: [{ type: 'integer' }, { format: 'date' }] }, 1, 'no'],
  [{ not: S }, 'a', 'no'],
  [{ not: S }, 1, 'yes'],
  [{ not: { format: 'date' } }, 'a', 'unknown'],
  [ifThen(S, { maxLength: 1 }), 'ab', 'no'],
  [{ if: S, else: { type: 'integer' } }, 1.5, 'no'],
  [{ if: S }, 1, 'yes'],
  [ifThen({ format: 'date' }, true, true), 'a', 'yes'],
  [ifThen({ format: 'date' }, { maxLength: 1 }), 'ab', 'unknown'],
  [{ $defs: { s: S }, $ref: '#/$defs/s' }, 1, 'no'],
  [{ $ref: '#/$defs/missing' }, 1, 'unknown'],
  [{ $ref: '#/$defs/missing', type: 'string' }, 1, 'no', '2020-12', 'ajv refuses'],
  [{ unevaluatedProperties: false }, {}, 'unknown'],
];

describe('evaluate', () => {
  for (const [schema, value, expected, dialect, ajvRefuses] of CASES) {
    it(`${JSON.stringify(schema)} on ${JSON.stringify(value)} is ${expected}${dialect ? ` (${dialect})` : ''}`, () => {
      expect(verdict(schema, value, dialect)).toBe(expected);
      if (expected === 'unknown' || ajvRefuses !== undefined) return;
      const ajv = dialect === 'draft-07' ? ajv07 : ajv2020;
      expect(ajv.validate(schema as object, value)).toBe(expected === 'yes');
    });
  }

  it('answers unknown for a $ref cycle that consumes nothing, and for a non-schema', () => {
    expect(verdict({ $defs: { a: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' }, 1)).toBe('unknown');
    expect(verdict({ properties: { a: 5 } }, { a: 1 })).toBe('unknown');
  });
});
