import type { Budget } from './budget.js';
import { child, type Node, resolveRef } from './doc.js';
import { isObject } from './json-values.js';

/** Past this many disjunctive branches a writer's `anyOf`/`oneOf` is dropped (sound: it only narrows). */
export const MAX_BRANCHES = 64;

function members(n: Node, k: string): Node[] {
  const o = n.schema as Record<string, unknown>;
  const v = o[k];
  return Array.isArray(v) ? v.map((_, i) => child(n, k, i)) : [];
}

/**
 * The writer's side in disjunctive normal form: each branch is a conjunction of nodes whose
 * own keywords hold (`allOf` and `$ref` flattened, `anyOf`/`oneOf` distributed; `oneOf` is
 * read as `anyOf`, a superset). `not` and `if` are dropped: over-approximating the writer's
 * values keeps the inclusion check sound.
 */
export function dnf(nodes: readonly Node[], budget: Budget): Node[][] {
  let branches: Node[][] = [[]];
  for (const n of nodes) branches = addNode(branches, n, budget, new Set());
  return branches;
}

function addNode(branches: Node[][], n: Node, budget: Budget, stack: ReadonlySet<string>): Node[][] {
  budget.step(branches.length);
  const key = n.doc.registry.key(n);
  if (stack.has(key)) return branches;
  let out = branches.map((b) => [...b, n]);
  if (!isObject(n.schema)) return out;
  const o = n.schema;
  const inner = new Set(stack).add(key);
  return budget.deeper(() => {
    if (typeof o.$ref === 'string') {
      const t = resolveRef(n, o.$ref);
      if (t !== undefined) out = addNode(out, t, budget, inner);
    }
    for (const m of members(n, 'allOf')) out = addNode(out, m, budget, inner);
    for (const k of ['anyOf', 'oneOf']) {
      const ms = members(n, k);
      if (ms.length === 0 || out.length * ms.length > MAX_BRANCHES) continue;
      const base = out;
      out = ms.flatMap((m) => addNode(base, m, budget, inner));
    }
    return out;
  });
}

/** The reader's side at one location: every part is an obligation on the writer's values. */
export interface SupParts {
  readonly root: Node;
  readonly atoms: Node[];
  /** Nodes carrying `anyOf` / `oneOf` / `not` / `if`. */
  readonly anyOf: Node[];
  readonly oneOf: Node[];
  readonly not: Node[];
  readonly cond: Node[];
  /** Nodes whose `$ref` does not resolve. */
  readonly unresolved: Node[];
}

export function flattenSup(root: Node, budget: Budget): SupParts {
  const parts: SupParts = { root, atoms: [], anyOf: [], oneOf: [], not: [], cond: [], unresolved: [] };
  addSup(parts, root, budget, new Set());
  return parts;
}

function addSup(parts: SupParts, n: Node, budget: Budget, seen: Set<string>): void {
  budget.step();
  const key = n.doc.registry.key(n);
  // A node met twice at one location (a diamond, or a cycle that consumes nothing) adds
  // nothing new: A ∧ A = A.
  if (seen.has(key)) return;
  seen.add(key);
  parts.atoms.push(n);
  if (!isObject(n.schema)) return;
  const o = n.schema;
  budget.deeper(() => {
    if (typeof o.$ref === 'string') {
      const t = resolveRef(n, o.$ref);
      if (t === undefined) parts.unresolved.push(n);
      else addSup(parts, t, budget, seen);
    }
    for (const m of members(n, 'allOf')) addSup(parts, m, budget, seen);
    if ('anyOf' in o) parts.anyOf.push(n);
    if ('oneOf' in o) parts.oneOf.push(n);
    if ('not' in o) parts.not.push(n);
    if ('if' in o) parts.cond.push(n);
  });
}

export { members };
