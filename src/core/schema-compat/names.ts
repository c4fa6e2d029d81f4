import type { Budget } from './budget.js';
import { child, type Node, resolveRef } from './doc.js';
import { members } from './expand.js';
import { isObject } from './json-values.js';
import { dependentSchemas, objectOf } from './keywords.js';

/**
 * The property names a writer's schema names at one location (SPEC §12 `lenient`): keys of
 * `properties` and the `patternProperties` patterns of every subschema that may apply there
 * (all applicators, `not` included). Reading it broadly makes the lenient value set larger,
 * which keeps the check sound whatever narrower reading one takes. `all` when a reference
 * cannot be followed: then nothing is restricted.
 */
export interface NamedSet {
  readonly names: ReadonlySet<string>;
  readonly patterns: ReadonlySet<string>;
  readonly all: boolean;
}

export function collectNames(nodes: readonly Node[], budget: Budget): NamedSet {
  const names = new Set<string>();
  const patterns = new Set<string>();
  const seen = new Set<string>();
  let all = false;
  const visit = (n: Node): void => {
    budget.step();
    const key = n.doc.registry.key(n);
    if (!isObject(n.schema) || seen.has(key)) return;
    seen.add(key);
    const o = n.schema;
    for (const k of Object.keys(objectOf(o, 'properties') ?? {})) names.add(k);
    for (const k of Object.keys(objectOf(o, 'patternProperties') ?? {})) patterns.add(k);
    if (typeof o.$ref === 'string') {
      const t = resolveRef(n, o.$ref);
      if (t === undefined) all = true;
      else budget.deeper(() => visit(t));
    }
    if ('$dynamicRef' in o || '$recursiveRef' in o) all = true;
    const inPlace = [
      ...members(n, 'allOf'),
      ...members(n, 'anyOf'),
      ...members(n, 'oneOf'),
      ...['not', 'if', 'then', 'else'].filter((k) => k in o).map((k) => child(n, k)),
      ...dependentSchemas(n).values(),
    ];
    budget.deeper(() => {
      for (const m of inPlace) visit(m);
    });
  };
  for (const n of nodes) visit(n);
  return { names, patterns, all };
}
