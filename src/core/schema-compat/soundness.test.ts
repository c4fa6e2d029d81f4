import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CompatPolicy, checkInclusion, type SchemaDoc } from './index.js';

// The oracle (SPEC §12 defines compatibility by instance sets): ajv with the matching
// dialect class, strict off, ajv-formats.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ajv2020 = new Ajv2020({ strict: false });
const ajv07 = new Ajv({ strict: false });
addFormats(ajv2020);
addFormats(ajv07);

type J = unknown;
type O = Record<string, J>;
const isObj = (v: J): v is O => typeof v === 'object' && v !== null && !Array.isArray(v);

const NAMES = ['a', 'b', 'c', 'x-a', 'x-b'];
const BOUNDS = [-2, -1, 0, 0.5, 1, 2, 3, 5, 10];
const SMALL: J[] = [null, true, false, 0, 1, 2, 1.5, -1, 'a', 'b', 'ab', '', [], [1], {}, { a: 1 }];
const PATTERNS = ['^x-', '^a', 'b$', '^[ab]+$', 'a'];

/** A keyword present one time in four: realistic schemas carry few constraints each. */
const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: a, weight: 1 });
const clean = (o: O): O => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const defRef = (i: number): O => ({ $ref: `#/$defs/d${i}` });

const leaf: fc.Arbitrary<J> = fc.oneof(
  { arbitrary: fc.constantFrom<J>(true, false, {}, { type: 'boolean' }, { type: 'null' }), weight: 1 },
  {
    arbitrary: fc
      .record({
        type: fc.constant('string'),
        minLength: opt(fc.integer({ min: 0, max: 3 })),
        maxLength: opt(fc.integer({ min: 1, max: 4 })),
        pattern: opt(fc.constantFrom(...PATTERNS)),
        format: opt(fc.constantFrom('email', 'date')),
      })
      .map(clean),
    weight: 3,
  },
  {
    arbitrary: fc
      .record({
        type: fc.constantFrom<J>(
          'integer',
          'number',
          'integer',
          'number',
          ['integer', 'string'],
          ['number', 'null'],
        ),
        minimum: opt(fc.constantFrom(...BOUNDS)),
        maximum: opt(fc.constantFrom(...BOUNDS)),
        exclusiveMinimum: opt(fc.constantFrom(...BOUNDS)),
        exclusiveMaximum: opt(fc.constantFrom(...BOUNDS)),
        multipleOf: opt(fc.constantFrom(1, 2, 0.5)),
      })
      .map(clean),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      type: fc.subarray(['null', 'boolean', 'integer', 'number', 'string', 'array', 'object'], {
        minLength: 1,
        maxLength: 3,
      }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ enum: fc.subarray(SMALL, { minLength: 1, maxLength: 5 }) }), weight: 2 },
  { arbitrary: fc.record({ const: fc.constantFrom(...SMALL) }), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 1 }).map(defRef), weight: 1 },
);

const { node, obj } = fc.letrec<{ node: J; obj: J; arr: J; comb: J; logic: J; tagged: J }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: leaf, weight: 6 },
    { arbitrary: tie('obj'), weight: 2 },
    { arbitrary: tie('arr'), weight: 1 },
    { arbitrary: tie('comb'), weight: 1 },
    { arbitrary: tie('logic'), weight: 1 },
    { arbitrary: tie('tagged'), weight: 1 },
  ),
  obj: fc
    .record({
      type: fc.constantFrom('object', 'object', 'object', undefined),
      properties: fc.dictionary(fc.constantFrom(...NAMES), tie('node'), { minKeys: 1, maxKeys: 4 }),
      required: fc.subarray(NAMES, { maxLength: 2 }),
      additionalProperties: opt(fc.oneof(fc.constant(false), tie('node'))),
      patternProperties: opt(
        fc.tuple(fc.constantFrom(...PATTERNS), tie('node')).map(([p, v]) => ({ [p]: v })),
      ),
      minProperties: opt(fc.integer({ min: 0, max: 2 })),
      maxProperties: opt(fc.integer({ min: 1, max: 4 })),
      dependentRequired: opt(fc.constantFrom({ a: ['b'] }, { 'x-a': ['c'] })),
      propertyNames: opt(fc.constantFrom({ maxLength: 1 }, { maxLength: 3 }, { pattern: '^x-' })),
    })
    .map(clean),
  arr: fc
    .record({
      type: fc.constant('array'),
      items: opt(tie('node')),
      prefixItems: opt(fc.array(tie('node'), { minLength: 1, maxLength: 2 })),
      minItems: opt(fc.integer({ min: 0, max: 2 })),
      maxItems: opt(fc.integer({ min: 1, max: 3 })),
      uniqueItems: opt(fc.boolean()),
      contains: opt(leaf),
    })
    .map(clean),
  comb: fc
    .tuple(
      fc.constantFrom('anyOf', 'oneOf', 'allOf'),
      fc.array(tie('node'), { minLength: 1, maxLength: 3 }),
      opt(leaf),
    )
    .map(([k, ms, base]) => (isObj(base) && !('$ref' in base) ? { ...base, [k]: ms } : { [k]: ms })),
  logic: fc.oneof(
    fc
      .tuple(leaf, tie('node'))
      .map(([base, n]) => ({ ...(isObj(base) && !('$ref' in base) ? base : {}), not: n })),
    fc
      .tuple(tie('node'), tie('node'), opt(tie('node')))
      .map(([i, t, e]) =>
        Object.fromEntries([['if', i], ['then', t], ...(e === undefined ? [] : [['else', e]])]),
      ),
  ),
  // A discriminated union: SPEC §12's oneOf exclusivity, proved by a required const tag.
  tagged: fc
    .array(fc.tuple(fc.constantFrom('a', 'b', 'c'), tie('node')), { minLength: 1, maxLength: 3 })
    .map((vs) => ({
      oneOf: vs.map(([tag, n]) => ({
        type: 'object',
        properties: { kind: { const: tag }, a: n },
        required: ['kind'],
      })),
    })),
}));

/** Every subschema position of a generated schema, for mutations. */
function positions(s: J, withDefs: boolean, out: O[] = []): O[] {
  if (!isObj(s)) return out;
  out.push(s);
  for (const k of ['items', 'additionalProperties', 'not']) positions(s[k], withDefs, out);
  for (const k of ['prefixItems', 'anyOf', 'oneOf', 'allOf']) {
    if (Array.isArray(s[k])) for (const m of s[k]) positions(m, withDefs, out);
  }
  for (const k of ['properties', 'patternProperties', ...(withDefs ? ['$defs'] : [])]) {
    if (isObj(s[k])) for (const m of Object.values(s[k])) positions(m, withDefs, out);
  }
  return out;
}

/** One edit of the kinds SPEC §12 lists (properties, required, types, bounds, enums, combinators, $ref). */
function mutate(s: O, seed: number, payload: J): void {
  const ps = positions(s, seed % 5 === 0);
  const p = ps[Math.floor(seed / 16) % ps.length] as O;
  const raw = seed % 16;
  const op = p === s && (raw === 10 || raw === 12) ? 6 : raw;
  const name = NAMES[seed % NAMES.length] as string;
  if (!isObj(p.properties)) p.properties = {};
  const props = p.properties as O;
  switch (op) {
    case 0:
      props[name] = payload;
      break;
    case 1:
      delete props[name];
      break;
    case 2:
      p.required = [...new Set([...(Array.isArray(p.required) ? p.required : []), name])];
      break;
    case 3:
      delete p.required;
      break;
    case 4:
      p.additionalProperties = p.additionalProperties === false ? payload : false;
      break;
    case 5:
      delete p.additionalProperties;
      break;
    case 6:
    case 15: {
      const ks = [
        'minimum',
        'maximum',
        'exclusiveMinimum',
        'exclusiveMaximum',
        'minLength',
        'maxLength',
        'minItems',
        'maxItems',
        'minProperties',
        'maxProperties',
      ];
      const k = ks[Math.floor(seed / 3) % ks.length] as string;
      p[k] =
        typeof p[k] === 'number'
          ? Math.max(0, (p[k] as number) + (seed % 3 === 0 ? 1 : -1))
          : BOUNDS[seed % BOUNDS.length];
      break;
    }
    case 7:
      for (const k of [
        'minimum',
        'maxLength',
        'exclusiveMaximum',
        'maxItems',
        'minProperties',
        'pattern',
        'format',
        'multipleOf',
      ])
        delete p[k];
      break;
    case 8:
      p.type =
        p.type === 'integer'
          ? 'number'
          : Array.isArray(p.type)
            ? p.type.slice(1)
            : [p.type ?? 'string', 'null'];
      if (Array.isArray(p.type) && p.type.length === 0) delete p.type;
      break;
    case 9:
      p.enum = Array.isArray(p.enum)
        ? seed % 2
          ? p.enum.slice(1)
          : [...p.enum, SMALL[seed % SMALL.length]]
        : [SMALL[seed % SMALL.length]];
      break;
    case 10: {
      const copy = { ...p };
      for (const k of Object.keys(p)) delete p[k];
      p[seed % 2 ? 'anyOf' : 'oneOf'] = [copy, payload];
      break;
    }
    case 11:
      for (const k of ['anyOf', 'oneOf', 'allOf'])
        if (Array.isArray(p[k]) && p[k].length > 1) p[k] = seed % 2 ? p[k].slice(1) : [...p[k], payload];
      break;
    case 12: {
      const copy = { ...p };
      for (const k of Object.keys(p)) delete p[k];
      (s.$defs as O).d2 = copy;
      p.$ref = '#/$defs/d2';
      break;
    }
    case 13: {
      const ks = Object.keys(p).filter((k) => k !== '$defs');
      const k = ks[seed % Math.max(1, ks.length)];
      if (k !== undefined) delete p[k];
      break;
    }
    case 14: {
      for (const k of Object.keys(p)) if (k !== '$defs') delete p[k];
      Object.assign(p, isObj(payload) ? payload : { not: {} });
      break;
    }
    default:
      Object.assign(p, isObj(payload) ? payload : {});
      break;
  }
  if (Object.keys(props).length === 0) delete p.properties;
}

/** The same schema in draft-07 spelling. */
function toDraft07(s: J): J {
  if (Array.isArray(s)) return s.map(toDraft07);
  if (!isObj(s)) return s;
  const out: O = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$defs') out.definitions = toDraft07(v);
    else if (k === '$ref' && typeof v === 'string') out.$ref = v.replace('#/$defs/', '#/definitions/');
    else if (k === 'dependentRequired') out.dependencies = v;
    else if (k === 'prefixItems') {
      out.items = toDraft07(v);
      if ('items' in s) out.additionalItems = toDraft07(s.items);
    } else if (k === 'items' && 'prefixItems' in s) continue;
    else if (
      k === 'properties' ||
      k === 'patternProperties' ||
      k === 'enum' ||
      k === 'const' ||
      k === 'propertyNames'
    )
      out[k] = k.endsWith('roperties')
        ? Object.fromEntries(Object.entries(v as O).map(([n, x]) => [n, toDraft07(x)]))
        : v;
    else out[k] = toDraft07(v);
  }
  return out;
}

const rootArb = fc
  .tuple(
    fc.oneof({ arbitrary: obj, weight: 3 }, { arbitrary: node, weight: 1 }),
    node,
    node,
    fc.array(fc.tuple(fc.nat(), node), { minLength: 1, maxLength: 2 }),
    fc.boolean(),
  )
  .map(([body, d0, d1, edits, draft07]) => {
    const old: O = { ...(isObj(body) && !('$ref' in body) ? body : { allOf: [body] }), $defs: { d0, d1 } };
    const neu = structuredClone(old);
    const before = JSON.stringify(old);
    for (const [seed, payload] of edits) {
      // An edit that changes nothing tests nothing: try the next position.
      for (let k = 0; k < 8 && JSON.stringify(neu) === before; k++)
        mutate(neu, seed + k * 7919, structuredClone(payload));
      mutate(neu, seed * 31 + 1, structuredClone(payload));
    }
    return draft07 ? { old: toDraft07(old) as O, neu: toDraft07(neu) as O, draft07 } : { old, neu, draft07 };
  });

/** Random values shaped by a schema (valid or not; the oracle filters). */
function sample(s: J, rnd: () => number, root: O, depth = 0): J {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  if (depth > 6 || !isObj(s) || rnd() < 0.08)
    return pick([...SMALL, 0.5, 3, 5, 10, -2, 'x-a', 'aab', 'bb', [1, 1], { 'x-a': 'a' }]);
  if (typeof s.$ref === 'string')
    return sample(
      (root.$defs ?? root.definitions) &&
        ((root.$defs ?? root.definitions) as O)[s.$ref.split('/').pop() as string],
      rnd,
      root,
      depth + 1,
    );
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return pick(s.enum);
  for (const k of ['anyOf', 'oneOf', 'allOf'])
    if (Array.isArray(s[k]) && rnd() < 0.7) return sample(pick(s[k]), rnd, root, depth + 1);
  const t = Array.isArray(s.type)
    ? pick(s.type)
    : (s.type ??
      (s.properties
        ? 'object'
        : s.items || s.prefixItems
          ? 'array'
          : pick(['object', 'string', 'integer', 'array'])));
  switch (t) {
    case 'object': {
      const o: O = {};
      const props = isObj(s.properties) ? s.properties : {};
      for (const n of Object.keys(props)) if (rnd() < 0.75) o[n] = sample(props[n], rnd, root, depth + 1);
      for (const n of Array.isArray(s.required) ? s.required : [])
        if (!(n in o)) o[n as string] = sample(props[n as string], rnd, root, depth + 1);
      if (rnd() < 0.35) {
        const n = pick([...NAMES, 'd', 'y']);
        o[n] = sample(
          isObj(s.patternProperties) ? Object.values(s.patternProperties)[0] : s.additionalProperties,
          rnd,
          root,
          depth + 1,
        );
      }
      return o;
    }
    case 'array': {
      const len = pick([0, 1, 2, 3]);
      const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : [];
      const rest = Array.isArray(s.items) ? s.additionalItems : s.items;
      return Array.from({ length: len }, (_, i) =>
        sample(i < prefix.length ? prefix[i] : rest, rnd, root, depth + 1),
      );
    }
    case 'string':
      return pick(['', 'a', 'b', 'ab', 'ba', 'abc', 'x-a', 'aab', 'a@b.co', '2020-01-01', 'abcd']);
    case 'integer':
      return pick([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 10, 11]);
    case 'number':
      return pick([-2.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 5, 10, 10.5]);
    case 'boolean':
      return rnd() < 0.5;
    default:
      return null;
  }
}

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * SPEC §12 lenient, read broadly and independently of the checker: at each location the
 * names of every subschema that may apply there (all in-place applicators) count as named.
 */
function lenientOk(schemas: J[], v: J, root: O): boolean {
  const at: O[] = [];
  const seen = new Set<J>();
  const visit = (s: J): void => {
    if (!isObj(s) || seen.has(s)) return;
    seen.add(s);
    at.push(s);
    if (typeof s.$ref === 'string')
      visit(((root.$defs ?? root.definitions) as O)[s.$ref.split('/').pop() as string]);
    for (const k of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(s[k])) s[k].forEach(visit);
    for (const k of ['not', 'if', 'then', 'else']) visit(s[k]);
  };
  schemas.forEach(visit);
  if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      const named = at.some(
        (s) =>
          (isObj(s.properties) && Object.hasOwn(s.properties, k)) ||
          (isObj(s.patternProperties) &&
            Object.keys(s.patternProperties).some((p) => new RegExp(p, 'u').test(k))),
      );
      if (!named) return false;
      const kids = at.flatMap((s) => [
        ...(isObj(s.properties) && Object.hasOwn(s.properties, k) ? [s.properties[k]] : []),
        ...(isObj(s.patternProperties)
          ? Object.entries(s.patternProperties)
              .filter(([p]) => new RegExp(p, 'u').test(k))
              .map(([, y]) => y)
          : []),
        s.additionalProperties,
      ]);
      if (!lenientOk(kids, x, root)) return false;
    }
  }
  if (Array.isArray(v)) {
    return v.every((x, i) =>
      lenientOk(
        at.flatMap((s) => {
          const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : [];
          return [prefix[i], s.items, s.additionalItems, s.contains];
        }),
        x,
        root,
      ),
    );
  }
  return true;
}

/** ajv's verdict; undefined when ajv cannot give one (a $ref cycle that consumes nothing). */
function compile(s: O, draft07: boolean): ((v: J) => boolean | undefined) | undefined {
  try {
    const f = (draft07 ? ajv07 : ajv2020).compile(s);
    return (v) => {
      try {
        return f(v) === true;
      } catch {
        return undefined;
      }
    };
  } catch {
    return undefined;
  }
}

// A longer hunt: COMPAT_PROPERTY_RUNS=5000 npx vitest run src/core/schema-compat/soundness.test.ts
const RUNS = Number(process.env.COMPAT_PROPERTY_RUNS ?? 300);

describe('checkInclusion soundness against ajv', () => {
  for (const policy of ['strict', 'lenient'] as CompatPolicy[]) {
    it(
      `never answers compatible when ajv finds a writer value the reader rejects (${policy})`,
      () => {
        let compatible = 0;
        fc.assert(
          fc.property(rootArb, fc.integer(), ({ old, neu, draft07 }, seed) => {
            const dialect = draft07 ? 'draft-07' : '2020-12';
            const vOld = compile(old, draft07);
            const vNew = compile(neu, draft07);
            if (vOld === undefined || vNew === undefined) return;
            for (const [sub, sup, vSub, vSup] of [
              [old, neu, vOld, vNew],
              [neu, old, vNew, vOld],
            ] as const) {
              const doc = (schema: O): SchemaDoc => ({ schema, dialect });
              if (checkInclusion(doc(sub), doc(sup), policy).length > 0) continue;
              compatible++;
              const rnd = mulberry(seed);
              for (let i = 0; i < 60; i++) {
                const v = sample(sub, rnd, sub);
                if (vSub(v) !== true || (policy === 'lenient' && !lenientOk([sub], v, sub))) continue;
                if (vSup(v) === false) {
                  throw new Error(
                    `reader rejects ${JSON.stringify(v)}\nwriter ${JSON.stringify(sub)}\nreader ${JSON.stringify(sup)}`,
                  );
                }
              }
            }
          }),
          { numRuns: RUNS },
        );
        // The property is only as strong as the share of pairs judged compatible.
        expect(compatible).toBeGreaterThan(RUNS / 4);
      },
      RUNS * 200,
    );
  }
});
