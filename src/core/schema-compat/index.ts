/**
 * SPEC §12 schema compatibility, defined by instances: with V(S) the JSON values valid
 * under S, BACKWARD is V(old) ⊆ V(new), FORWARD V(new) ⊆ V(old), FULL both. The checker is
 * sound (it answers compatible only when the inclusion holds for every value) and exact for
 * the common evolutions; what it cannot decide is a violation with change `undecided`.
 * Pure: no I/O; patterns are compared, never executed; every run is bounded (budget.ts).
 */
import { RegistryError } from '../errors.js';
import { Budget, BudgetExceeded, type BudgetLimits, DEFAULT_LIMITS } from './budget.js';
import type { CompatMode, CompatPolicy, CompatViolation, SchemaDoc } from './compat.types.js';
import { DocRegistry, rootNode } from './doc.js';
import { Engine } from './include.js';
import { undecided } from './violation.js';

export type { BudgetLimits } from './budget.js';
export type { CompatMode, CompatPolicy, CompatViolation, Dialect, SchemaDoc } from './compat.types.js';

export const COMPAT_MODES: readonly CompatMode[] = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
];
export const COMPAT_POLICIES: readonly CompatPolicy[] = ['strict', 'lenient'];

/**
 * Is every value valid under `sub` (the writer) valid under `sup` (the reader)? Under
 * `lenient`, only the writer's values whose every object uses property names the writer's
 * schema names at that location count (SPEC §12). Each violation's `path` is a JSON Pointer
 * into `sup` (or into the external reference it reached) at the constraint that rejects
 * some writer values. Empty array: the inclusion holds.
 */
export function checkInclusion(
  sub: SchemaDoc,
  sup: SchemaDoc,
  policy: CompatPolicy,
  limits: BudgetLimits = DEFAULT_LIMITS,
): readonly CompatViolation[] {
  const budget = new Budget(limits);
  const subReg = new DocRegistry(sub.references);
  const supReg = new DocRegistry(sup.references);
  const engine = new Engine(budget, policy === 'lenient');
  try {
    const subRoot = rootNode(subReg.open(sub.schema, sub.dialect));
    const supRoot = rootNode(supReg.open(sup.schema, sup.dialect));
    return engine.descend({ nodes: [subRoot], may: [subRoot] }, supRoot);
  } catch (err) {
    // A hostile schema (deep nesting, a huge enum, a combinatorial $ref graph) ends here
    // with a defined answer instead of a hang. A stack overflow is the same case, deeper.
    if (err instanceof BudgetExceeded || err instanceof RangeError) {
      return [undecided('', `${err.message}: the schemas are too large or too deep to compare`)];
    }
    throw err;
  }
}

/**
 * One mode between an older and a newer version. BACKWARD: violations point into `newer`;
 * FORWARD: into `older`; FULL: both, BACKWARD's first. Transitive modes behave like their
 * base mode here; the caller loops over versions and adds `against`. Empty = compatible.
 */
export function checkCompatibility(
  older: SchemaDoc,
  newer: SchemaDoc,
  mode: CompatMode,
  policy: CompatPolicy,
  limits: BudgetLimits = DEFAULT_LIMITS,
): readonly CompatViolation[] {
  switch (mode) {
    case 'NONE':
      return [];
    case 'BACKWARD':
    case 'BACKWARD_TRANSITIVE':
      return checkInclusion(older, newer, policy, limits);
    case 'FORWARD':
    case 'FORWARD_TRANSITIVE':
      return checkInclusion(newer, older, policy, limits);
    case 'FULL':
    case 'FULL_TRANSITIVE':
      return [
        ...checkInclusion(older, newer, policy, limits),
        ...checkInclusion(newer, older, policy, limits),
      ];
    default: {
      const never: never = mode;
      throw new RegistryError('BadRequest', `unknown compatibility mode ${String(never)}`);
    }
  }
}
