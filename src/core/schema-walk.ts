import { type Problems, pointer } from './problems.js';
import { patternRisk } from './regex-guard.js';

/** SPEC §12 dialects, chosen by `$schema`. */
export type Dialect = '2020-12' | 'draft-07';

export const DIALECT_URIS: Readonly<Record<Dialect, readonly string[]>> = {
  '2020-12': [
    'https://json-schema.org/draft/2020-12/schema',
    'https://json-schema.org/draft/2020-12/schema#',
  ],
  'draft-07': ['http://json-schema.org/draft-07/schema#', 'http://json-schema.org/draft-07/schema'],
};

/** Keywords whose value is a map of subschemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is one subschema. */
const SCHEMA_ONE = new Set([
  'additionalProperties',
  'additionalItems',
  'unevaluatedProperties',
  'unevaluatedItems',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'contentSchema',
]);
/** Keywords whose value is an array of subschemas. */
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The dialect `$schema` names (SPEC §12: absent → 2020-12), or undefined for any other value. */
export function dialectOf(schema: Readonly<Record<string, unknown>>): Dialect | undefined {
  const s = schema.$schema;
  if (s === undefined) return '2020-12';
  for (const [d, uris] of Object.entries(DIALECT_URIS) as Array<[Dialect, readonly string[]]>) {
    if (typeof s === 'string' && uris.includes(s)) return d;
  }
  return undefined;
}

export interface WalkContext {
  readonly dialect: Dialect;
  /** Keywords ajv knows in this dialect. */
  readonly known: ReadonlySet<string>;
  /** Formats ajv-formats asserts. */
  readonly formats: ReadonlySet<string>;
  readonly problems: Problems;
}

/**
 * One pass over a schema document, before ajv compiles it, so that every problem ajv's
 * strict mode would report one at a time is listed at once (SPEC §12): unknown keywords,
 * unknown formats, patterns that could backtrack without bound (regex-guard.ts), `$async`.
 * Returns the document to compile: a copy without the `x-…` annotation keywords (SPEC §12
 * allows them; they assert nothing, so dropping them changes no verdict). Values under
 * `const`, `enum`, `default`, `examples` are data and are copied as they are.
 */
export function walkSchema(node: unknown, at: string, ctx: WalkContext): unknown {
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    const here = pointer(at, k);
    if (k.startsWith('x-')) continue;
    if (!ctx.known.has(k)) {
      ctx.problems.add(here, `unknown keyword ${JSON.stringify(k)} (annotations must be named x-…)`);
      continue;
    }
    out[k] = walkValue(k, v, here, ctx);
  }
  return out;
}

function walkValue(k: string, v: unknown, here: string, ctx: WalkContext): unknown {
  if (k === 'format' && typeof v === 'string' && !ctx.formats.has(v)) {
    ctx.problems.add(here, `unknown format ${JSON.stringify(v)}`);
  }
  if (k === 'pattern' && typeof v === 'string') guard(v, here, ctx);
  if (SCHEMA_MAPS.has(k) && isObject(v)) {
    const m: Record<string, unknown> = {};
    for (const [name, sub] of Object.entries(v)) {
      if (k === 'patternProperties') guard(name, pointer(here, name), ctx);
      m[name] = walkSchema(sub, pointer(here, name), ctx);
    }
    return m;
  }
  if (k === 'dependencies' && isObject(v)) {
    const m: Record<string, unknown> = {};
    for (const [name, sub] of Object.entries(v)) {
      m[name] = Array.isArray(sub) ? sub : walkSchema(sub, pointer(here, name), ctx);
    }
    return m;
  }
  if (SCHEMA_ONE.has(k)) return walkSchema(v, here, ctx);
  if ((SCHEMA_LISTS.has(k) || k === 'items') && Array.isArray(v)) {
    return v.map((sub, i) => walkSchema(sub, pointer(here, i), ctx));
  }
  if (k === 'items') return walkSchema(v, here, ctx);
  return v;
}

function guard(pattern: string, at: string, ctx: WalkContext): void {
  const risk = patternRisk(pattern);
  if (risk !== null) ctx.problems.add(at, `pattern refused: ${risk}`);
}
