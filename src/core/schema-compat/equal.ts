import type { Budget } from './budget.js';
import { child, type Node, resolveRef } from './doc.js';
import { canonKey, isObject } from './json-values.js';

const SKIP = new Set([
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
  '$defs',
  'definitions',
]);
const ONE = new Set([
  'not',
  'if',
  'then',
  'else',
  'items',
  'additionalItems',
  'additionalProperties',
  'propertyNames',
  'contains',
  'unevaluatedItems',
  'unevaluatedProperties',
]);
const LIST = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items']);
const MAP = new Set(['properties', 'patternProperties', 'dependentSchemas', 'dependencies']);

/**
 * Do two schemas say the same thing structurally, with `$ref`s followed on both sides and
 * annotations ignored? Used where the checker cannot compare meanings (`not`, `if`,
 * `unevaluated*`, …): an unchanged keyword is no change. Cycles are assumed equal when met
 * again (two bisimilar schema graphs validate alike).
 */
export function sameSchema(a: Node, b: Node, budget: Budget): boolean {
  return new Eq(budget).node(a, b);
}

class Eq {
  readonly #assumed = new Set<string>();
  constructor(readonly budget: Budget) {}

  node(a: Node, b: Node): boolean {
    this.budget.step();
    const pair = `${a.doc.registry.key(a)}|${b.doc.registry.key(b)}`;
    if (this.#assumed.has(pair)) return true;
    this.#assumed.add(pair);
    if (!isObject(a.schema) || !isObject(b.schema)) return a.schema === b.schema;
    const ka = Object.keys(a.schema).filter((k) => !SKIP.has(k) && !k.startsWith('x-'));
    const kb = Object.keys(b.schema).filter((k) => !SKIP.has(k) && !k.startsWith('x-'));
    if (ka.length !== kb.length) return false;
    return this.budget.deeper(() =>
      ka.every((k) => Object.hasOwn(b.schema as object, k) && this.keyword(a, b, k)),
    );
  }

  keyword(a: Node, b: Node, k: string): boolean {
    const va = (a.schema as Record<string, unknown>)[k];
    const vb = (b.schema as Record<string, unknown>)[k];
    if (k === '$ref' && typeof va === 'string' && typeof vb === 'string') {
      const ta = resolveRef(a, va);
      const tb = resolveRef(b, vb);
      // An unresolved $ref may mean different things in two documents: never equal.
      return ta !== undefined && tb !== undefined && this.node(ta, tb);
    }
    if (LIST.has(k) && Array.isArray(va) && Array.isArray(vb)) {
      return va.length === vb.length && va.every((_, i) => this.node(child(a, k, i), child(b, k, i)));
    }
    if (ONE.has(k)) return this.node(child(a, k), child(b, k));
    if (MAP.has(k) && isObject(va) && isObject(vb)) {
      const keys = Object.keys(va);
      if (keys.length !== Object.keys(vb).length) return false;
      return keys.every(
        (p) =>
          Object.hasOwn(vb, p) &&
          (Array.isArray(va[p]) ? this.data(va[p], vb[p]) : this.node(child(a, k, p), child(b, k, p))),
      );
    }
    return this.data(va, vb);
  }

  data(x: unknown, y: unknown): boolean {
    return canonKey(x, this.budget) === canonKey(y, this.budget);
  }
}
