import { branchTypes, finiteValues, isEmptyBranch, objectAtoms, requiredOf } from './branch-facts.js';
import type { Budget } from './budget.js';
import { child, type Node } from './doc.js';
import { evaluate } from './evaluate.js';
import { dnf } from './expand.js';
import type { JsonObject } from './json-values.js';
import { intersectTypes } from './keywords.js';
import { countRange, disjointRanges, numberRange } from './ranges.js';

/**
 * Can no value satisfy both `x` and `y` (conjunctions)? Proved from distinct types, finite
 * values the other side rejects, disjoint numeric or length ranges, or a property both
 * require with disjoint schemas (a discriminated union's tag). False means "not proved".
 * SPEC §12: `oneOf` exclusivity and `not` are accepted only when this proves it.
 */
export function provablyDisjoint(x: readonly Node[], y: readonly Node[], budget: Budget): boolean {
  return budget.deeper(() => {
    const bx = dnf(x, budget);
    const by = dnf(y, budget);
    return bx.every((a) => by.every((b) => disjointBranches(a, b, budget)));
  });
}

function disjointBranches(a: readonly Node[], b: readonly Node[], budget: Budget): boolean {
  budget.step();
  if (isEmptyBranch(a) || isEmptyBranch(b)) return true;
  if (rejectsAll(a, b, budget) || rejectsAll(b, a, budget)) return true;
  const common = intersectTypes(branchTypes(a), branchTypes(b));
  for (const t of common) {
    if (!separated(t, a, b, budget)) return false;
  }
  return true;
}

/** `a` is finite and `b` rejects each of its values. */
function rejectsAll(a: readonly Node[], b: readonly Node[], budget: Budget): boolean {
  const values = finiteValues(a, budget);
  if (values === undefined) return false;
  return values.every((v) =>
    b.some((n) => {
      const r = evaluate(n, v, budget);
      return r !== true && r.verdict === 'no';
    }),
  );
}

function separated(t: string, a: readonly Node[], b: readonly Node[], budget: Budget): boolean {
  switch (t) {
    case 'integer':
    case 'number':
      return disjointRanges(
        numberRange(objectAtoms(a), t === 'integer'),
        numberRange(objectAtoms(b), t === 'integer'),
      );
    case 'string':
      return disjointRanges(
        countRange(objectAtoms(a), 'minLength', 'maxLength'),
        countRange(objectAtoms(b), 'minLength', 'maxLength'),
      );
    case 'array':
      return disjointRanges(
        countRange(objectAtoms(a), 'minItems', 'maxItems'),
        countRange(objectAtoms(b), 'minItems', 'maxItems'),
      );
    case 'object': {
      const rb = requiredOf(b);
      for (const p of requiredOf(a)) {
        if (!rb.has(p)) continue;
        const pa = propertyNodes(a, p);
        const pb = propertyNodes(b, p);
        if (pa.length > 0 && pb.length > 0 && provablyDisjoint(pa, pb, budget)) return true;
      }
      return false;
    }
    default:
      return false;
  }
}

function propertyNodes(b: readonly Node[], p: string): Node[] {
  return objectAtoms(b)
    .filter((n) => {
      const props = (n.schema as JsonObject).properties;
      return typeof props === 'object' && props !== null && Object.hasOwn(props, p);
    })
    .map((n) => child(n, 'properties', p));
}

/** Does no value of branch `b` (already inside `within`, when given) satisfy `other`? */
export function disjointWith(
  b: readonly Node[],
  within: Node | undefined,
  other: Node,
  budget: Budget,
): boolean {
  return (
    provablyDisjoint(b, [other], budget) ||
    (within !== undefined && provablyDisjoint([within], [other], budget))
  );
}
