import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import {
  type CompatMode,
  type CompatPolicy,
  checkCompatibility,
  type Dialect,
  type SchemaDoc,
} from './index.js';

/**
 * Named evolutions of SPEC §12 with their expected verdicts. `b`/`f`: the BACKWARD and
 * FORWARD verdict under strict (`ok`, or a change name the violations must include);
 * `lb`/`lf` under lenient (default: as strict). FULL is checked as the union of both.
 */
interface Evolution {
  readonly name: string;
  readonly old: unknown;
  readonly new: unknown;
  readonly b: string;
  readonly f: string;
  readonly lb?: string;
  readonly lf?: string;
  readonly dialect?: Dialect;
  readonly newDialect?: Dialect;
  readonly refs?: Record<string, unknown>;
  /** ajv refuses the schema (the checker must still answer). */
  readonly ajvRejects?: true;
}

const obj = (
  properties: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  type: 'object',
  properties,
  ...extra,
});
const S = { type: 'string' };
const N = { type: 'number' };
const I = { type: 'integer' };
const closed = { additionalProperties: false };
/** `if`/`then`/`else` built from entries (a literal `then` key reads like a thenable). */
const ifThen = (i: unknown, t: unknown, e?: unknown): Record<string, unknown> =>
  Object.fromEntries([['if', i], ['then', t], ...(e === undefined ? [] : [['else', e]])]);
const tree = (extra: Record<string, unknown>): unknown => ({
  $defs: {
    node: obj({ value: S, children: { type: 'array', items: { $ref: '#/$defs/node' } }, ...extra }),
  },
  $ref: '#/$defs/node',
});

const EVOLUTIONS: Evolution[] = [
  // Properties under an open content model.
  {
    name: 'open: optional property added',
    old: obj({ a: S }),
    new: obj({ a: S, b: N }),
    b: 'property-added',
    f: 'ok',
    lb: 'ok',
  },
  {
    name: 'open: optional property removed',
    old: obj({ a: S, b: N }),
    new: obj({ a: S }),
    b: 'ok',
    f: 'property-added',
    lf: 'ok',
  },
  {
    name: 'open: unconstrained property added',
    old: obj({ a: S }),
    new: obj({ a: S, b: {} }),
    b: 'ok',
    f: 'ok',
  },
  {
    name: 'open: property type changed',
    old: obj({ a: S }),
    new: obj({ a: N }),
    b: 'type-narrowed',
    f: 'type-narrowed',
  },
  {
    name: 'open: property made nullable',
    old: obj({ a: S }),
    new: obj({ a: { type: ['string', 'null'] } }),
    b: 'ok',
    f: 'type-narrowed',
  },
  {
    name: 'open: nested optional property added',
    old: obj({ o: obj({ x: S }) }),
    new: obj({ o: obj({ x: S, y: I }) }),
    b: 'property-added',
    f: 'ok',
    lb: 'ok',
  },
  // Closed content model.
  {
    name: 'closed: optional property added',
    old: obj({ a: S }, closed),
    new: obj({ a: S, b: N }, closed),
    b: 'ok',
    f: 'property-removed',
  },
  {
    name: 'closed: property removed',
    old: obj({ a: S, b: N }, closed),
    new: obj({ a: S }, closed),
    b: 'property-removed',
    f: 'ok',
  },
  {
    name: 'open model closed',
    old: obj({ a: S }),
    new: obj({ a: S }, closed),
    b: 'additional-properties-narrowed',
    f: 'ok',
    lb: 'ok',
  },
  {
    name: 'closed model opened',
    old: obj({ a: S }, closed),
    new: obj({ a: S }),
    b: 'ok',
    f: 'additional-properties-narrowed',
    lf: 'ok',
  },
  {
    name: 'closed: property with false schema removed',
    old: obj({ a: S, b: false }, closed),
    new: obj({ a: S }, closed),
    b: 'ok',
    f: 'ok',
  },
  // Pattern content models.
  {
    name: 'pattern: property under the pattern added',
    old: obj({}, { patternProperties: { '^x-': S }, ...closed }),
    new: obj({ 'x-id': { type: 'string', maxLength: 3 } }, { patternProperties: { '^x-': S }, ...closed }),
    b: 'property-added',
    f: 'ok',
  },
  {
    name: 'pattern: compatible property under the pattern added',
    old: obj({}, { patternProperties: { '^x-': S }, ...closed }),
    new: obj({ 'x-id': S }, { patternProperties: { '^x-': S }, ...closed }),
    b: 'ok',
    f: 'ok',
  },
  {
    name: 'pattern: second pattern added',
    old: obj({}, { patternProperties: { '^x-': S }, ...closed }),
    new: obj({}, { patternProperties: { '^x-': S, '^y-': N }, ...closed }),
    b: 'ok',
    f: 'additional-properties-narrowed',
  },
  {
    name: 'pattern: pattern removed',
    old: obj({}, { patternProperties: { '^x-': S }, ...closed }),
    new: obj({}, closed),
    b: 'additional-properties-narrowed',
    f: 'ok',
  },
  {
    name: 'pattern: pattern schema narrowed',
    old: obj({}, { patternProperties: { '^x-': S } }),
    new: obj({}, { patternProperties: { '^x-': { type: 'string', maxLength: 2 } } }),
    b: 'pattern-properties-narrowed',
    f: 'ok',
  },
  {
    name: 'pattern: property outside the pattern removed',
    old: obj({ a: S }, { patternProperties: { '^x-': S }, ...closed }),
    new: obj({}, { patternProperties: { '^x-': S }, ...closed }),
    b: 'property-removed',
    f: 'ok',
  },
  {
    name: 'pattern: pattern changed to another regex',
    old: obj({}, { patternProperties: { '^[a-z]+$': S }, ...closed }),
    new: obj({}, { patternProperties: { '^[a-z0-9]+$': S }, ...closed }),
    b: 'undecided',
    f: 'undecided',
  },
  {
    name: 'additionalProperties schema widened',
    old: obj({ a: S }, { additionalProperties: S }),
    new: obj({ a: S }, { additionalProperties: { type: ['string', 'number'] } }),
    b: 'ok',
    f: 'additional-properties-narrowed',
    lf: 'ok',
  },
  {
    name: 'additionalProperties schema: matching property added',
    old: obj({ a: S }, { additionalProperties: S }),
    new: obj({ a: S, b: S }, { additionalProperties: S }),
    b: 'ok',
    f: 'ok',
  },
  {
    name: 'additionalProperties schema: clashing property added',
    old: obj({ a: S }, { additionalProperties: S }),
    new: obj({ a: S, b: N }, { additionalProperties: S }),
    b: 'property-added',
    f: 'type-narrowed',
    lb: 'ok',
  },
  // required.
  {
    name: 'required added',
    old: obj({ a: S }),
    new: obj({ a: S }, { required: ['a'] }),
    b: 'required-added',
    f: 'ok',
  },
  {
    name: 'required removed',
    old: obj({ a: S }, { required: ['a'] }),
    new: obj({ a: S }),
    b: 'ok',
    f: 'required-added',
  },
  {
    name: 'required added with a default',
    old: obj({ a: S }),
    new: obj({ a: { ...S, default: 'x' } }, { required: ['a'] }),
    b: 'required-added',
    f: 'ok',
  },
  {
    name: 'required property added to a closed model',
    old: obj({ a: S }, closed),
    new: obj({ a: S, b: S }, { required: ['b'], ...closed }),
    b: 'required-added',
    f: 'property-removed',
  },
  {
    name: 'required reordered',
    old: obj({ a: S, b: S }, { required: ['a', 'b'] }),
    new: obj({ a: S, b: S }, { required: ['b', 'a'] }),
    b: 'ok',
    f: 'ok',
  },
  // Types.
  { name: 'integer widened to number', old: I, new: N, b: 'ok', f: 'type-narrowed' },
  { name: 'number narrowed to integer', old: N, new: I, b: 'type-narrowed', f: 'ok' },
  {
    name: 'type added to a union',
    old: { type: ['string', 'number'] },
    new: { type: ['string', 'number', 'null'] },
    b: 'ok',
    f: 'type-narrowed',
  },
  {
    name: 'type removed from a union',
    old: { type: ['string', 'number'] },
    new: S,
    b: 'type-narrowed',
    f: 'ok',
  },
  { name: 'type keyword dropped', old: S, new: {}, b: 'ok', f: 'type-narrowed' },
  {
    name: 'union reordered, integer absorbed by number',
    old: { type: ['integer', 'number', 'string'] },
    new: { type: ['string', 'number'] },
    b: 'ok',
    f: 'ok',
  },
  {
    name: 'integral const read as integer (1.0 is an integer)',
    old: { const: 1.0 },
    new: I,
    b: 'ok',
    f: 'const-added',
  },
  {
    name: 'fractional const under integer',
    old: { const: 2.5 },
    new: I,
    b: 'type-narrowed',
    f: 'const-added',
  },
  {
    name: 'boolean spelled as an enum',
    old: { type: 'boolean' },
    new: { enum: [true, false] },
    b: 'ok',
    f: 'ok',
  },
  { name: 'null spelled as a const', old: { type: 'null' }, new: { const: null }, b: 'ok', f: 'ok' },
  // enum and const.
  {
    name: 'enum widened',
    old: { enum: ['a', 'b'] },
    new: { enum: ['a', 'b', 'c'] },
    b: 'ok',
    f: 'enum-narrowed',
  },
  { name: 'enum narrowed', old: { enum: ['a', 'b'] }, new: { enum: ['a'] }, b: 'enum-narrowed', f: 'ok' },
  { name: 'enum reordered', old: { enum: ['a', 1, null] }, new: { enum: [null, 'a', 1] }, b: 'ok', f: 'ok' },
  {
    name: 'enum of objects, key order differs',
    old: { enum: [{ a: 1, b: 2 }] },
    new: { enum: [{ b: 2, a: 1 }] },
    b: 'ok',
    f: 'ok',
  },
  { name: 'const changed', old: { const: 'a' }, new: { const: 'b' }, b: 'const-changed', f: 'const-changed' },
  {
    name: 'const widened to an enum',
    old: { const: 'a' },
    new: { enum: ['a', 'b'] },
    b: 'ok',
    f: 'const-changed',
  },
  { name: 'enum replaced by its type', old: { enum: ['a', 'b'] }, new: S, b: 'ok', f: 'enum-added' },
  { name: 'enum added to a string', old: S, new: { type: 'string', enum: ['a'] }, b: 'enum-added', f: 'ok' },
  {
    name: 'enum value now fails a bound',
    old: { enum: [1, 5] },
    new: { type: 'integer', maximum: 3 },
    b: 'maximum-decreased',
    f: 'enum-added',
  },
  // Numeric bounds.
  {
    name: 'maximum decreased',
    old: { ...N, maximum: 10 },
    new: { ...N, maximum: 5 },
    b: 'maximum-decreased',
    f: 'ok',
  },
  {
    name: 'maximum increased',
    old: { ...N, maximum: 5 },
    new: { ...N, maximum: 10 },
    b: 'ok',
    f: 'maximum-decreased',
  },
  {
    name: 'minimum increased',
    old: { ...N, minimum: 0 },
    new: { ...N, minimum: 1 },
    b: 'minimum-increased',
    f: 'ok',
  },
  { name: 'minimum removed', old: { ...N, minimum: 0 }, new: N, b: 'ok', f: 'minimum-increased' },
  { name: 'maximum added', old: N, new: { ...N, maximum: 1 }, b: 'maximum-decreased', f: 'ok' },
  {
    name: 'integer: exclusiveMinimum 0 is minimum 1',
    old: { ...I, exclusiveMinimum: 0 },
    new: { ...I, minimum: 1 },
    b: 'ok',
    f: 'ok',
  },
  {
    name: 'number: exclusiveMinimum 0 relaxed to minimum 0',
    old: { ...N, exclusiveMinimum: 0 },
    new: { ...N, minimum: 0 },
    b: 'ok',
    f: 'minimum-increased',
  },
  {
    name: 'exclusiveMaximum tightened',
    old: { ...N, exclusiveMaximum: 10 },
    new: { ...N, exclusiveMaximum: 9 },
    b: 'maximum-decreased',
    f: 'ok',
  },
  {
    name: 'multipleOf unchanged',
    old: { ...N, multipleOf: 0.5, maximum: 3 },
    new: { ...N, multipleOf: 0.5, maximum: 4 },
    b: 'ok',
    f: 'maximum-decreased',
  },
  { name: 'multipleOf added', old: I, new: { ...I, multipleOf: 2 }, b: 'multiple-of-added', f: 'ok' },
  {
    name: 'multipleOf changed',
    old: { ...I, multipleOf: 2 },
    new: { ...I, multipleOf: 4 },
    b: 'undecided',
    f: 'undecided',
  },
  // String bounds, pattern, format.
  {
    name: 'minLength increased',
    old: { ...S, minLength: 1 },
    new: { ...S, minLength: 2 },
    b: 'min-length-increased',
    f: 'ok',
  },
  {
    name: 'maxLength decreased',
    old: { ...S, maxLength: 10 },
    new: { ...S, maxLength: 5 },
    b: 'max-length-decreased',
    f: 'ok',
  },
  { name: 'maxLength removed', old: { ...S, maxLength: 10 }, new: S, b: 'ok', f: 'max-length-decreased' },
  {
    name: 'pattern unchanged, maxLength raised',
    old: { ...S, pattern: '^[a-z]+$', maxLength: 3 },
    new: { ...S, pattern: '^[a-z]+$', maxLength: 4 },
    b: 'ok',
    f: 'max-length-decreased',
  },
  {
    name: 'pattern changed',
    old: { ...S, pattern: '^[a-z]+$' },
    new: { ...S, pattern: '^[a-z0-9]+$' },
    b: 'undecided',
    f: 'undecided',
  },
  { name: 'pattern added', old: S, new: { ...S, pattern: '^a' }, b: 'pattern-added', f: 'ok' },
  { name: 'format added', old: S, new: { ...S, format: 'email' }, b: 'format-added', f: 'ok' },
  {
    name: 'format changed',
    old: { ...S, format: 'date' },
    new: { ...S, format: 'date-time' },
    b: 'undecided',
    f: 'undecided',
  },
  {
    name: 'enum value against a literal pattern',
    old: { enum: ['x-a', 'x-b'] },
    new: { ...S, pattern: '^x-' },
    b: 'ok',
    f: 'enum-added',
  },
  // Arrays.
  {
    name: 'minItems increased',
    old: { type: 'array', minItems: 1 },
    new: { type: 'array', minItems: 2 },
    b: 'min-items-increased',
    f: 'ok',
  },
  {
    name: 'maxItems decreased',
    old: { type: 'array', maxItems: 5 },
    new: { type: 'array', maxItems: 4 },
    b: 'max-items-decreased',
    f: 'ok',
  },
  {
    name: 'uniqueItems added',
    old: { type: 'array' },
    new: { type: 'array', uniqueItems: true },
    b: 'unique-items-added',
    f: 'ok',
  },
  {
    name: 'uniqueItems added when at most one item',
    old: { type: 'array', maxItems: 1 },
    new: { type: 'array', maxItems: 1, uniqueItems: true },
    b: 'ok',
    f: 'ok',
  },
  {
    name: 'items widened',
    old: { type: 'array', items: S },
    new: { type: 'array', items: { type: ['string', 'number'] } },
    b: 'ok',
    f: 'type-narrowed',
  },
  {
    name: 'items narrowed',
    old: { type: 'array', items: N },
    new: { type: 'array', items: I },
    b: 'type-narrowed',
    f: 'ok',
  },
  {
    name: 'tuple extended (open rest)',
    old: { type: 'array', prefixItems: [S] },
    new: { type: 'array', prefixItems: [S, N] },
    b: 'type-narrowed',
    f: 'ok',
  },
  {
    name: 'tuple closed',
    old: { type: 'array', prefixItems: [S] },
    new: { type: 'array', prefixItems: [S], items: false },
    b: 'items-narrowed',
    f: 'ok',
  },
  {
    name: 'draft-07: additionalItems false dropped',
    dialect: 'draft-07',
    old: { type: 'array', items: [S], additionalItems: false },
    new: { type: 'array', items: [S] },
    b: 'ok',
    f: 'items-narrowed',
  },
  {
    name: 'draft-07 tuple to 2020-12 prefixItems',
    dialect: 'draft-07',
    newDialect: '2020-12',
    old: { type: 'array', items: [S, N], additionalItems: false },
    new: { type: 'array', prefixItems: [S, N], items: false },
    b: 'ok',
    f: 'ok',
  },
  {
    name: 'contains unchanged',
    old: { type: 'array', contains: S, maxItems: 3 },
    new: { type: 'array', contains: S, maxItems: 4 },
    b: 'ok',
    f: 'max-items-decreased',
  },
  {
    name: 'contains added',
    old: { type: 'array' },
    new: { type: 'array', contains: S },
    b: 'undecided',
    f: 'ok',
  },
  // Object bounds and dependencies.
  {
    name: 'minProperties increased',
    old: { type: 'object', minProperties: 1 },
    new: { type: 'object', minProperties: 2 },
    b: 'min-properties-increased',
    f: 'ok',
  },
  {
    name: 'maxProperties decreased',
    old: { type: 'object', maxProperties: 3 },
    new: { type: 'object', maxProperties: 2 },
    b: 'max-properties-decreased',
    f: 'ok',
  },
  {
    name: 'minProperties implied by required',
    old: obj({ a: S, b: S }, { required: ['a', 'b'] }),
    new: obj({ a: S, b: S }, { required: ['a', 'b'], minProperties: 2 }),
    b: 'ok',
    f: 'ok',
  },
  {
    name: 'propertyNames added',
    old: { type: 'object' },
    new: { type: 'object', propertyNames: { maxLength: 3 } },
    b: 'property-names-narrowed',
    f: 'ok',
  },
  {
    name: 'dependentRequired added',
    old: obj({ a: S, b: S }),
    new: obj({ a: S, b: S }, { dependentRequired: { a: ['b'] } }),
    b: 'dependent-required-added',
    f: 'ok',
  },
  {
    name: 'draft-07 dependencies (array) added',
    dialect: 'draft-07',
    old: obj({ a: S, b: S }),
    new: obj({ a: S, b: S }, { dependencies: { a: ['b'] } }),
    b: 'dependent-required-added',
    f: 'ok',
  },
  {
    name: 'dependentSchemas added',
    old: obj({ a: S }),
    new: obj({ a: S }, { dependentSchemas: { a: { required: ['b'] } } }),
    b: 'undecided',
    f: 'ok',
  },
  // Combinators.
  {
    name: 'anyOf member added',
    old: { anyOf: [S, N] },
    new: { anyOf: [S, N, { type: 'null' }] },
    b: 'ok',
    f: 'any-of-member-removed',
  },
  {
    name: 'anyOf member removed',
    old: { anyOf: [S, N] },
    new: { anyOf: [S] },
    b: 'any-of-member-removed',
    f: 'ok',
  },
  { name: 'anyOf reordered', old: { anyOf: [S, N] }, new: { anyOf: [N, S] }, b: 'ok', f: 'ok' },
  {
    name: 'oneOf member added, disjoint by type',
    old: { oneOf: [S, N] },
    new: { oneOf: [S, N, { type: 'null' }] },
    b: 'ok',
    f: 'one-of-member-removed',
  },
  {
    name: 'oneOf member added that overlaps',
    old: { oneOf: [I, S] },
    new: { oneOf: [I, S, N] },
    b: 'one-of-member-added',
    f: 'one-of-member-removed',
  },
  {
    name: 'oneOf member added, disjointness unprovable',
    old: { oneOf: [obj({ a: S })] },
    new: { oneOf: [obj({ a: S }), obj({ b: S })] },
    b: 'undecided',
    f: 'one-of-member-removed',
    lb: 'one-of-member-added',
  },
  {
    name: 'oneOf discriminated union gains a variant',
    old: {
      oneOf: [
        obj({ kind: { const: 'a' }, x: S }, { required: ['kind'] }),
        obj({ kind: { const: 'b' }, y: N }, { required: ['kind'] }),
      ],
    },
    new: {
      oneOf: [
        obj({ kind: { const: 'a' }, x: S }, { required: ['kind'] }),
        obj({ kind: { const: 'b' }, y: N }, { required: ['kind'] }),
        obj({ kind: { const: 'c' } }, { required: ['kind'] }),
      ],
    },
    b: 'ok',
    f: 'one-of-member-removed',
  },
  {
    name: 'anyOf of disjoint members made oneOf',
    old: { anyOf: [S, N] },
    new: { oneOf: [S, N] },
    b: 'ok',
    f: 'ok',
  },
  {
    name: 'allOf member added',
    old: { allOf: [{ type: 'object' }] },
    new: { allOf: [{ type: 'object' }, { required: ['a'] }] },
    b: 'required-added',
    f: 'ok',
  },
  {
    name: 'allOf member removed',
    old: { allOf: [{ type: 'object' }, { required: ['a'] }] },
    new: { allOf: [{ type: 'object' }] },
    b: 'ok',
    f: 'required-added',
  },
  {
    name: 'schema wrapped in anyOf with an alternative',
    old: S,
    new: { anyOf: [S, N] },
    b: 'ok',
    f: 'type-narrowed',
  },
  {
    name: 'not unchanged',
    old: { not: S, maximum: 3 },
    new: { not: S, maximum: 4 },
    b: 'ok',
    f: 'maximum-decreased',
  },
  { name: 'not added', old: {}, new: { not: S }, b: 'undecided', f: 'ok' },
  { name: 'not added, provably disjoint', old: N, new: { type: 'number', not: S }, b: 'ok', f: 'ok' },
  {
    name: 'if/then/else unchanged',
    old: ifThen(S, { maxLength: 3 }, N),
    new: ifThen(S, { maxLength: 3 }, N),
    b: 'ok',
    f: 'ok',
  },
  {
    name: 'if/then/else changed',
    old: ifThen(S, { maxLength: 3 }),
    new: ifThen(S, { maxLength: 2 }),
    b: 'undecided',
    f: 'undecided',
  },
  {
    name: 'if/then added, already implied',
    old: obj({ a: S }, { required: ['a'] }),
    new: obj({ a: S }, { required: ['a'], ...ifThen({ required: ['b'] }, { required: ['a'] }) }),
    b: 'ok',
    f: 'ok',
  },
  // $ref.
  {
    name: 'definition moved behind $ref',
    old: obj({ a: S }),
    new: obj({ a: { $ref: '#/$defs/s' } }, { $defs: { s: S } }),
    b: 'ok',
    f: 'ok',
  },
  {
    name: '$ref target narrowed',
    old: obj({ a: { $ref: '#/$defs/s' } }, { $defs: { s: N } }),
    new: obj({ a: { $ref: '#/$defs/s' } }, { $defs: { s: I } }),
    b: 'type-narrowed',
    f: 'ok',
  },
  {
    name: 'draft-07 definitions moved',
    dialect: 'draft-07',
    old: obj({ a: S }),
    new: obj({ a: { $ref: '#/definitions/s' } }, { definitions: { s: S } }),
    b: 'ok',
    f: 'ok',
  },
  {
    name: 'external reference',
    refs: { 'https://schemas.example/money': obj({ amount: N }) },
    old: obj({ price: obj({ amount: N }) }),
    new: obj({ price: { $ref: 'https://schemas.example/money' } }),
    b: 'ok',
    f: 'ok',
  },
  {
    name: 'external reference narrower',
    refs: { 'https://schemas.example/money': obj({ amount: I }) },
    old: obj({ price: obj({ amount: N }) }),
    new: obj({ price: { $ref: 'https://schemas.example/money' } }),
    b: 'type-narrowed',
    f: 'ok',
  },
  { name: 'recursive tree unchanged', old: tree({}), new: tree({}), b: 'ok', f: 'ok' },
  {
    name: 'recursive tree: optional field added',
    old: tree({}),
    new: tree({ weight: N }),
    b: 'property-added',
    f: 'ok',
    lb: 'ok',
  },
  {
    name: 'recursive tree: field narrowed inside the cycle',
    old: tree({}),
    new: {
      $defs: {
        node: obj({
          value: { type: 'string', maxLength: 3 },
          children: { type: 'array', items: { $ref: '#/$defs/node' } },
        }),
      },
      $ref: '#/$defs/node',
    },
    b: 'max-length-decreased',
    f: 'ok',
  },
  {
    name: 'unresolved $ref',
    old: {},
    new: { $ref: '#/$defs/missing' },
    b: 'undecided',
    f: 'ok',
    ajvRejects: true,
  },
  // Annotations and booleans.
  {
    name: 'annotations added',
    old: obj({ a: S }),
    new: {
      ...obj({
        a: {
          ...S,
          title: 'A',
          description: 'd',
          default: 'x',
          examples: ['y'],
          deprecated: true,
          readOnly: true,
          writeOnly: false,
        },
      }),
      $comment: 'c',
      'x-owner': 'team',
    },
    b: 'ok',
    f: 'ok',
  },
  { name: 'true to false', old: true, new: false, b: 'schema-false', f: 'ok' },
  { name: 'false to true', old: false, new: true, b: 'ok', f: 'schema-false' },
  { name: 'true to an object type', old: true, new: { type: 'object' }, b: 'type-narrowed', f: 'ok' },
  { name: 'empty schema is true', old: {}, new: true, b: 'ok', f: 'ok' },
  // Lenient reads named names only.
  {
    name: 'lenient: named property type still checked',
    old: obj({ a: S }),
    new: obj({ a: N, b: N }),
    b: 'type-narrowed',
    f: 'type-narrowed',
  },
  {
    name: 'lenient: a name any branch names counts as named',
    old: { anyOf: [obj({ a: S }), obj({ b: S })] },
    new: { anyOf: [obj({ a: S }), obj({ b: S })], properties: { b: S } },
    b: 'property-added',
    f: 'ok',
  },
  {
    name: 'lenient: a name no branch names is absent',
    old: { anyOf: [obj({ a: S }), obj({ b: S })] },
    new: { anyOf: [obj({ a: S }), obj({ b: S })], properties: { c: S } },
    b: 'property-added',
    f: 'ok',
    lb: 'ok',
  },
  {
    name: 'lenient: name matched by a literal pattern counts as named',
    old: obj({}, { patternProperties: { '^x-': {} } }),
    new: obj({ 'x-a': N }, { patternProperties: { '^x-': {} } }),
    b: 'property-added',
    f: 'ok',
  },
  {
    name: 'lenient: optional property added next to a pattern',
    old: obj({ a: S }, { patternProperties: { '^x-': S } }),
    new: obj({ a: S, b: N }, { patternProperties: { '^x-': S } }),
    b: 'property-added',
    f: 'ok',
    lb: 'ok',
  },
];

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ajv2020 = new Ajv2020({ strict: false });
const ajv07 = new Ajv({ strict: false });
addFormats(ajv2020);
addFormats(ajv07);

function verdict(violations: readonly { change: string }[], expected: string): void {
  if (expected === 'ok') expect(violations).toEqual([]);
  else expect(violations.map((v) => v.change)).toContain(expected);
}

describe('checkCompatibility on named evolutions', () => {
  it('has a table covering the SPEC §12 families', () => {
    expect(EVOLUTIONS.length).toBeGreaterThanOrEqual(80);
    expect(new Set(EVOLUTIONS.map((e) => e.name)).size).toBe(EVOLUTIONS.length);
  });
  for (const e of EVOLUTIONS) {
    describe(e.name, () => {
      const doc = (schema: unknown, dialect: Dialect): SchemaDoc => ({
        schema,
        dialect,
        ...(e.refs ? { references: new Map(Object.entries(e.refs)) } : {}),
      });
      const older = doc(e.old, e.dialect ?? '2020-12');
      const newer = doc(e.new, e.newDialect ?? e.dialect ?? '2020-12');
      it('is a pair of schemas ajv compiles', () => {
        for (const d of [older, newer]) {
          const ajv = d.dialect === 'draft-07' ? ajv07 : ajv2020;
          for (const [uri, s] of Object.entries(e.refs ?? {}))
            if (!ajv.getSchema(uri)) ajv.addSchema(s as object, uri);
          if (e.ajvRejects) expect(() => ajv.compile(newer.schema as object)).toThrow();
          else expect(() => ajv.compile(d.schema as object)).not.toThrow();
        }
      });
      for (const policy of ['strict', 'lenient'] as CompatPolicy[]) {
        const b = policy === 'lenient' ? (e.lb ?? e.b) : e.b;
        const f = policy === 'lenient' ? (e.lf ?? e.f) : e.f;
        it(`${policy}: BACKWARD ${b}, FORWARD ${f}`, () => {
          for (const mode of ['BACKWARD', 'BACKWARD_TRANSITIVE'] as CompatMode[]) {
            verdict(checkCompatibility(older, newer, mode, policy), b);
          }
          for (const mode of ['FORWARD', 'FORWARD_TRANSITIVE'] as CompatMode[]) {
            verdict(checkCompatibility(older, newer, mode, policy), f);
          }
          for (const mode of ['FULL', 'FULL_TRANSITIVE'] as CompatMode[]) {
            const full = checkCompatibility(older, newer, mode, policy);
            if (b === 'ok' && f === 'ok') expect(full).toEqual([]);
            for (const x of [b, f]) if (x !== 'ok') verdict(full, x);
          }
          expect(checkCompatibility(older, newer, 'NONE', policy)).toEqual([]);
        });
      }
    });
  }
});
