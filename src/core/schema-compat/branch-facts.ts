import type { Budget } from './budget.js';
import type { Node } from './doc.js';
import { evaluate } from './evaluate.js';
import { isObject, type JsonObject } from './json-values.js';
import { ALL_TYPES, intersectTypes, type TypeSet, typesOf } from './keywords.js';

/** The object atoms of a branch (booleans carry no keywords). */
export function objectAtoms(b: readonly Node[]): Node[] {
  return b.filter((n) => isObject(n.schema));
}

export function branchTypes(b: readonly Node[]): TypeSet {
  let t = ALL_TYPES;
  for (const n of objectAtoms(b)) {
    const s = typesOf(n.schema as JsonObject);
    if (s !== undefined) t = intersectTypes(t, s);
  }
  return t;
}

/** A branch admits no value: a `false` conjunct or no common type. */
export function isEmptyBranch(b: readonly Node[]): boolean {
  return b.some((n) => n.schema === false) || branchTypes(b).size === 0;
}

/**
 * The writer's values when they are a finite list (`const`, `enum`, or only `null`/`boolean`
 * types), without those that the branch itself rejects. Undefined when not finite.
 */
export function finiteValues(b: readonly Node[], budget: Budget): unknown[] | undefined {
  let values: readonly unknown[] | undefined;
  for (const n of objectAtoms(b)) {
    const o = n.schema as JsonObject;
    if ('const' in o) {
      values = [o.const];
      break;
    }
    if (values === undefined && Array.isArray(o.enum)) values = o.enum;
  }
  if (values === undefined) {
    const t = branchTypes(b);
    if ([...t].some((x) => x !== 'null' && x !== 'boolean')) return undefined;
    values = [...(t.has('null') ? [null] : []), ...(t.has('boolean') ? [false, true] : [])];
  }
  return values.filter((v) =>
    b.every((n) => {
      const r = evaluate(n, v, budget);
      return r === true || r.verdict !== 'no';
    }),
  );
}

export function requiredOf(b: readonly Node[]): Set<string> {
  const out = new Set<string>();
  for (const n of objectAtoms(b)) {
    const r = (n.schema as JsonObject).required;
    if (Array.isArray(r)) for (const x of r) if (typeof x === 'string') out.add(x);
  }
  return out;
}
