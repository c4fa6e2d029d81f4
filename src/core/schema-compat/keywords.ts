import type { Dialect } from './compat.types.js';
import { child, type Node } from './doc.js';
import { isObject, type JsonObject } from './json-values.js';

/** Keywords that assert nothing (SPEC §12: annotations ignored), plus `x-…`. */
const ANNOTATIONS = new Set([
  'title',
  'description',
  'default',
  'examples',
  '$comment',
  'deprecated',
  'readOnly',
  'writeOnly',
  '$schema',
  '$id',
  '$anchor',
  '$dynamicAnchor',
  '$vocabulary',
  '$defs',
  'definitions',
  'contentEncoding',
  'contentMediaType',
  'contentSchema',
]);

/** Applicators at the instance's own location, handled by expand.ts. */
export const IN_PLACE = new Set(['$ref', 'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else']);

const COMMON = [
  'type',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'contains',
  'properties',
  'patternProperties',
  'additionalProperties',
  'required',
  'minProperties',
  'maxProperties',
  'propertyNames',
];
const FAMILY: Record<Dialect, ReadonlySet<string>> = {
  '2020-12': new Set([
    ...COMMON,
    'prefixItems',
    'minContains',
    'maxContains',
    'dependentRequired',
    'dependentSchemas',
  ]),
  'draft-07': new Set([...COMMON, 'additionalItems', 'dependencies']),
};

/** Keywords this checker does not model (`unevaluated*`, `$dynamicRef`, unknown ones). */
export function opaqueKeywords(o: JsonObject, dialect: Dialect): string[] {
  return Object.keys(o).filter(
    (k) => !ANNOTATIONS.has(k) && !IN_PLACE.has(k) && !FAMILY[dialect].has(k) && !k.startsWith('x-'),
  );
}

export type TypeName = 'null' | 'boolean' | 'object' | 'array' | 'string' | 'integer' | 'number';
export type TypeSet = ReadonlySet<TypeName>;
const TYPE_NAMES: readonly TypeName[] = ['null', 'boolean', 'object', 'array', 'string', 'integer', 'number'];
export const ALL_TYPES: TypeSet = new Set<TypeName>([
  'null',
  'boolean',
  'object',
  'array',
  'string',
  'number',
]);

/** `type` as a set (`number` absorbs `integer`); undefined when absent or malformed. */
export function typesOf(o: JsonObject): TypeSet | undefined {
  const t = o.type;
  const list = typeof t === 'string' ? [t] : Array.isArray(t) ? t : undefined;
  if (list === undefined || !list.every((x) => TYPE_NAMES.includes(x as TypeName))) return undefined;
  const s = new Set(list as TypeName[]);
  if (s.has('number')) s.delete('integer');
  return s;
}

export function allows(s: TypeSet, t: TypeName): boolean {
  return s.has(t) || (t === 'integer' && s.has('number'));
}

export function intersectTypes(a: TypeSet, b: TypeSet): TypeSet {
  const out = new Set<TypeName>();
  for (const t of a) {
    if (allows(b, t)) out.add(t);
    else if (t === 'number' && b.has('integer')) out.add('integer');
  }
  return out;
}

export function num(o: JsonObject, k: string): number | undefined {
  const v = o[k];
  return typeof v === 'number' ? v : undefined;
}

export function stringList(o: JsonObject, k: string): readonly string[] {
  const v = o[k];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function objectOf(o: JsonObject, k: string): JsonObject | undefined {
  const v = o[k];
  return isObject(v) ? v : undefined;
}

/** dependentRequired, or draft-07 `dependencies` with array values. */
export function dependentRequired(n: Node): ReadonlyMap<string, readonly string[]> {
  const o = n.schema as JsonObject;
  const src = objectOf(o, n.doc.dialect === 'draft-07' ? 'dependencies' : 'dependentRequired') ?? {};
  const out = new Map<string, readonly string[]>();
  for (const [k, v] of Object.entries(src)) if (Array.isArray(v)) out.set(k, stringList(src, k));
  return out;
}

/** dependentSchemas, or draft-07 `dependencies` with schema values. */
export function dependentSchemas(n: Node): ReadonlyMap<string, Node> {
  const kw = n.doc.dialect === 'draft-07' ? 'dependencies' : 'dependentSchemas';
  const src = objectOf(n.schema as JsonObject, kw) ?? {};
  const out = new Map<string, Node>();
  for (const [k, v] of Object.entries(src)) if (!Array.isArray(v)) out.set(k, child(n, kw, k));
  return out;
}

/** The schema for array index `i` (undefined: unconstrained), across both dialects. */
export function itemAt(n: Node, i: number): Node | undefined {
  const o = n.schema as JsonObject;
  if (n.doc.dialect === '2020-12') {
    const prefix = o.prefixItems;
    if (Array.isArray(prefix) && i < prefix.length) return child(n, 'prefixItems', i);
    return 'items' in o ? child(n, 'items') : undefined;
  }
  if (Array.isArray(o.items)) {
    if (i < o.items.length) return child(n, 'items', i);
    return 'additionalItems' in o ? child(n, 'additionalItems') : undefined;
  }
  return 'items' in o ? child(n, 'items') : undefined;
}

/** How many leading indexes have their own schema (`prefixItems`, or draft-07 `items` array). */
export function prefixLength(n: Node): number {
  const o = n.schema as JsonObject;
  const p = n.doc.dialect === '2020-12' ? o.prefixItems : o.items;
  return Array.isArray(p) ? p.length : 0;
}

const NUMERIC = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'minContains',
  'maxContains',
];
const SCHEMA_ONE = [
  'additionalProperties',
  'additionalItems',
  'contains',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
];
const SCHEMA_LIST = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];

const isSchema = (v: unknown): boolean => typeof v === 'boolean' || isObject(v);

/**
 * Keywords whose value has the wrong shape (ajv would refuse the schema). On the reader's
 * side each is `undecided`; on the writer's side it is ignored, which only adds values.
 */
export function malformedKeywords(o: JsonObject): string[] {
  const bad: string[] = [];
  for (const k of NUMERIC) if (k in o && typeof o[k] !== 'number') bad.push(k);
  for (const k of SCHEMA_ONE) if (k in o && !isSchema(o[k])) bad.push(k);
  for (const k of SCHEMA_LIST) if (k in o && !(Array.isArray(o[k]) && o[k].every(isSchema))) bad.push(k);
  if ('type' in o && typesOf(o) === undefined) bad.push('type');
  if ('enum' in o && !Array.isArray(o.enum)) bad.push('enum');
  if ('required' in o && !(Array.isArray(o.required) && o.required.every((x) => typeof x === 'string'))) {
    bad.push('required');
  }
  for (const k of ['pattern', 'format', '$ref']) if (k in o && typeof o[k] !== 'string') bad.push(k);
  if ('uniqueItems' in o && typeof o.uniqueItems !== 'boolean') bad.push('uniqueItems');
  if ('items' in o && !isSchema(o.items) && !Array.isArray(o.items)) bad.push('items');
  for (const k of [
    'properties',
    'patternProperties',
    'dependentSchemas',
    'dependentRequired',
    'dependencies',
  ]) {
    if (k in o && !isObject(o[k])) bad.push(k);
  }
  return bad;
}
