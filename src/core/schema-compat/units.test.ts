import { describe, expect, it } from 'vitest';
import { RegistryError } from '../errors.js';
import { DocRegistry, dialectOf, resolveRef, rootNode } from './doc.js';
import {
  COMPAT_MODES,
  COMPAT_POLICIES,
  type CompatMode,
  checkCompatibility,
  checkInclusion,
  type SchemaDoc,
} from './index.js';
import { jsonType } from './json-values.js';
import { matchLiteralPattern, patternImplies, patternsDisjoint } from './pattern-literal.js';

const doc = (schema: unknown, references?: ReadonlyMap<string, unknown>): SchemaDoc => ({
  schema,
  dialect: '2020-12',
  ...(references ? { references } : {}),
});
const changes = (sub: unknown, sup: unknown): string[] =>
  checkInclusion(doc(sub), doc(sup), 'strict').map((v) => v.change);

describe('the public surface', () => {
  it('lists every SPEC §12 mode and policy', () => {
    expect(COMPAT_MODES).toHaveLength(7);
    expect(COMPAT_POLICIES).toEqual(['strict', 'lenient']);
  });

  it('refuses an unknown mode with BadRequest', () => {
    expect(() => checkCompatibility(doc({}), doc({}), 'SIDEWAYS' as CompatMode, 'strict')).toThrow(
      RegistryError,
    );
  });

  it('lets an unexpected exception through', () => {
    const trap = {
      get type(): never {
        throw new SyntaxError('trap');
      },
    };
    expect(() => checkInclusion(doc({ type: 'string' }), doc(trap), 'strict')).toThrow(SyntaxError);
  });
});

describe('resolveRef', () => {
  const reg = new DocRegistry(
    new Map<string, unknown>([
      [
        'https://x.example/a',
        { $schema: 'http://json-schema.org/draft-07/schema#', definitions: { n: { type: 'number' } } },
      ],
    ]),
  );
  const root = rootNode(
    reg.open({ $id: 'https://x.example/root#', $defs: { 'a/b': { type: 'string' }, '%': true } }, '2020-12'),
  );

  it('follows escaped and percent-encoded pointer tokens', () => {
    expect(resolveRef(root, '#/$defs/a~1b')?.schema).toEqual({ type: 'string' });
    expect(resolveRef(root, '#/$defs/%25')?.schema).toBe(true);
    expect(resolveRef(root, '#/$defs/%E0%A4%A')).toBeUndefined();
    expect(resolveRef(root, '#/$defs/none')).toBeUndefined();
    expect(resolveRef(root, '#anchor')).toBeUndefined();
  });

  it('resolves a relative reference against $id, and the document against itself', () => {
    const ext = resolveRef(root, 'a#/definitions/n');
    expect(ext?.schema).toEqual({ type: 'number' });
    expect(ext?.doc.dialect).toBe('draft-07');
    expect(resolveRef(root, 'https://x.example/root#/$defs/%25')?.schema).toBe(true);
    expect(resolveRef(root, 'missing')).toBeUndefined();
  });

  it('gives up on a relative reference without a usable base', () => {
    const bare = rootNode(new DocRegistry(undefined).open({}, '2020-12'));
    expect(resolveRef(bare, 'other')).toBeUndefined();
    const badBase = rootNode(new DocRegistry(undefined).open({ $id: 'not a url' }, '2020-12'));
    expect(resolveRef(badBase, 'other')).toBeUndefined();
  });

  it('names the dialects by their meta-schema URI', () => {
    expect(dialectOf('http://json-schema.org/draft-07/schema#')).toBe('draft-07');
    expect(dialectOf('https://json-schema.org/draft/2020-12/schema')).toBe('2020-12');
    expect(dialectOf('https://json-schema.org/draft/2019-09/schema')).toBeUndefined();
  });
});

describe('literal patterns', () => {
  it('match only when the pattern is a literal with optional anchors', () => {
    expect(matchLiteralPattern('^id$', 'id')).toBe(true);
    expect(matchLiteralPattern('_at$', 'created_at')).toBe(true);
    expect(matchLiteralPattern('mid', 'amidst')).toBe(true);
    expect(matchLiteralPattern('a\\.b', 'a.b')).toBe(true);
    expect(matchLiteralPattern('cost\\$', 'cost$')).toBe(true);
    expect(matchLiteralPattern('a\\d', 'a1')).toBeUndefined();
    expect(matchLiteralPattern('a\\', 'a')).toBeUndefined();
    expect(matchLiteralPattern('a+', 'a')).toBeUndefined();
  });

  it('imply and exclude each other only when that is certain', () => {
    expect(patternImplies('^x-a', '^x-')).toBe(true);
    expect(patternImplies('^x-a$', '^x-a$')).toBe(true);
    expect(patternImplies('^x-a', '^x-a$')).toBe(false);
    expect(patternImplies('^ab$', '^ab$')).toBe(true);
    expect(patternImplies('a_at$', '_at$')).toBe(true);
    expect(patternImplies('^abc', 'b')).toBe(true);
    expect(patternImplies('[a]', 'a')).toBe(false);
    expect(patternsDisjoint('^a$', '^b$')).toBe(true);
    expect(patternsDisjoint('^ab$', '^a')).toBe(false);
    expect(patternsDisjoint('^a', '^ba$')).toBe(true);
    expect(patternsDisjoint('^x-', '^y-')).toBe(true);
    expect(patternsDisjoint('_at$', '_on$')).toBe(true);
    expect(patternsDisjoint('a', '^b')).toBe(false);
    expect(patternsDisjoint('[a]', '^b')).toBe(false);
  });
});

describe('jsonType', () => {
  it('names every JSON type, integer for integral numbers', () => {
    expect([null, true, 1, 1.5, 's', [], {}].map(jsonType)).toEqual([
      'null',
      'boolean',
      'integer',
      'number',
      'string',
      'array',
      'object',
    ]);
  });
});

describe('checkInclusion corner cases', () => {
  it('treats unmodelled keywords as undecided unless unchanged', () => {
    const u = { type: 'object', unevaluatedProperties: false };
    expect(changes(u, u)).toEqual([]);
    expect(changes({ type: 'object' }, u)).toEqual(['undecided']);
  });

  it('reports a malformed keyword of the reader as undecided', () => {
    expect(changes({}, { required: 'a' })).toContain('undecided');
    expect(changes({}, { type: 7 })).toContain('undecided');
    expect(changes({}, { properties: 5 })).toContain('undecided');
    expect(changes({}, { properties: { a: 1 } })).toHaveLength(1);
  });

  it('proves oneOf exclusivity by ranges and counts', () => {
    const num = {
      oneOf: [
        { type: 'number', maximum: 0 },
        { type: 'number', exclusiveMinimum: 0 },
      ],
    };
    expect(changes({ type: 'number', maximum: -1 }, num)).toEqual([]);
    const arr = {
      oneOf: [
        { type: 'array', maxItems: 1 },
        { type: 'array', minItems: 2 },
      ],
    };
    expect(changes({ type: 'array', maxItems: 0 }, arr)).toEqual([]);
    const nul = { oneOf: [{ type: 'null' }, { type: ['null', 'string'], minLength: 1 }] };
    expect(changes({ type: ['null', 'string'], minLength: 2 }, nul)).toEqual(['undecided']);
  });

  it('tightens equal bounds to the exclusive one', () => {
    expect(
      changes({ type: 'number', minimum: 0, exclusiveMinimum: 0 }, { type: 'number', exclusiveMinimum: 0 }),
    ).toEqual([]);
    expect(
      changes({ type: 'number', maximum: 0, exclusiveMaximum: 0 }, { type: 'number', exclusiveMaximum: 0 }),
    ).toEqual([]);
  });

  it('keeps propertyNames when the writer has a narrower one', () => {
    const pn = (n: number): unknown => ({ type: 'object', propertyNames: { maxLength: n } });
    expect(changes(pn(2), pn(3))).toEqual([]);
    expect(changes(pn(3), pn(2))).toEqual(['property-names-narrowed']);
  });

  it('is undecided about names of Object.prototype members (ajv reads them on every object)', () => {
    const c = { type: 'object', properties: { constructor: { type: 'string' } } };
    expect(changes({ type: 'object', additionalProperties: false }, c)).toContain('undecided');
    const min = { type: 'object', minProperties: 1 };
    expect(changes({ type: 'object', required: ['constructor'] }, min)).toContain('min-properties-increased');
    expect(changes({ type: 'object', required: ['a'] }, min)).toEqual([]);
  });
});

describe('a document with a nested $id', () => {
  it('follows none of its $refs (their base is not the root)', () => {
    const nested = { $defs: { s: { $id: 'https://x.example/s', type: 'string' } }, $ref: '#/$defs/s' };
    expect(changes({ type: 'string' }, nested)).toEqual(['undecided']);
    expect(changes(nested, { type: 'string' })).toEqual(['type-narrowed']);
    const other = { $defs: { s: { $id: 'https://x.example/s', type: 'number' } }, $ref: '#/$defs/s' };
    expect(changes(nested, other)).toEqual(['undecided']);
  });

  it('counts a huge document as having one', () => {
    const wide = { $defs: Object.fromEntries(Array.from({ length: 100_002 }, (_, i) => [`d${i}`, {}])) };
    expect(changes({ ...wide, $ref: '#/$defs/d0' }, {})).toEqual([]);
  });
});
