import type { Budget } from './budget.js';
import type { CompatViolation } from './compat.types.js';
import type { Node } from './doc.js';
import type { NamedSet } from './names.js';

/** The writer's side at a child location: `nodes` are the facts used, `may` all that may apply. */
export interface SubLoc {
  readonly nodes: readonly Node[];
  readonly may: readonly Node[];
}

/** What comparators need from the engine (include.ts); passed in to keep imports acyclic. */
export interface Ctx {
  readonly budget: Budget;
  readonly lenient: boolean;
  /** Inclusion at a child location (a property value, an item). */
  descend(sub: SubLoc, sup: Node): readonly CompatViolation[];
  /** Inclusion of one writer branch in `sup` at the same location. */
  same(branch: readonly Node[], sup: Node, names: NamedSet | undefined): readonly CompatViolation[];
}
