import { finiteValues, isEmptyBranch, objectAtoms } from './branch-facts.js';
import type { Budget } from './budget.js';
import { compareAtom } from './compare-atom.js';
import type { CompatViolation } from './compat.types.js';
import type { Ctx, SubLoc } from './context.types.js';
import { disjointWith } from './disjoint.js';
import { child, type Node } from './doc.js';
import { sameSchema } from './equal.js';
import { evaluate } from './evaluate.js';
import { dnf, flattenSup, members, type SupParts } from './expand.js';
import { isObject, type JsonObject } from './json-values.js';
import { collectNames, type NamedSet } from './names.js';
import { dedupe, fromFail, undecided, violation } from './violation.js';

/**
 * The inclusion engine: V(writer) ⊆ V(reader), location by location. Recursive schemas are
 * compared coinductively: a pair met again below itself (after descending into a property
 * or an item, so on a strictly smaller part of any value) is assumed to hold; a success that
 * leaned on such an assumption is not memoized beyond it.
 */
export class Engine implements Ctx {
  readonly #memo = new Map<string, readonly CompatViolation[]>();
  readonly #onStack = new Map<string, number>();
  #low = Number.POSITIVE_INFINITY;

  constructor(
    readonly budget: Budget,
    readonly lenient: boolean,
  ) {}

  descend(sub: SubLoc, sup: Node): readonly CompatViolation[] {
    // The memo key costs as much as the nodes it names.
    this.budget.step(1 + sub.nodes.length + sub.may.length);
    const only = sub.nodes[0];
    if (
      sup.schema === true ||
      (sub.nodes.length === 1 && only !== undefined && sameSchema(only, sup, this.budget))
    ) {
      return [];
    }
    const reg = sup.doc.registry;
    const ids = (ns: readonly Node[]): string =>
      ns
        .map((n) => reg.key(n))
        .sort()
        .join(',');
    const key = `${ids(sub.nodes)}|${ids(sub.may)}|${reg.key(sup)}`;
    const done = this.#memo.get(key);
    if (done !== undefined) return done;
    const depth = this.#onStack.get(key);
    if (depth !== undefined) {
      this.#low = Math.min(this.#low, depth);
      return [];
    }
    const myDepth = this.#onStack.size;
    this.#onStack.set(key, myDepth);
    const outerLow = this.#low;
    this.#low = Number.POSITIVE_INFINITY;
    try {
      const r = this.budget.deeper(() => this.#at(sub, sup));
      if (r.length > 0 || this.#low >= myDepth) this.#memo.set(key, r);
      return r;
    } finally {
      this.#onStack.delete(key);
      this.#low = Math.min(outerLow, this.#low >= myDepth ? Number.POSITIVE_INFINITY : this.#low);
    }
  }

  #at(sub: SubLoc, sup: Node): CompatViolation[] {
    const names = this.lenient ? collectNames(sub.may, this.budget) : undefined;
    const parts = flattenSup(sup, this.budget);
    const out: CompatViolation[] = [];
    for (const b of dnf(sub.nodes, this.budget)) {
      if (!isEmptyBranch(b)) out.push(...this.#branch(b, parts, names));
    }
    return dedupe(out);
  }

  same(branch: readonly Node[], sup: Node, names: NamedSet | undefined): readonly CompatViolation[] {
    return this.budget.deeper(() => this.#branch(branch, flattenSup(sup, this.budget), names));
  }

  #branch(b: readonly Node[], parts: SupParts, names: NamedSet | undefined): CompatViolation[] {
    this.budget.step();
    const values = finiteValues(b, this.budget);
    if (values !== undefined) {
      // A finite writer: ask the whole reader about each value (exact, up to `unknown`).
      return values.flatMap((v) => {
        const r = evaluate(parts.root, v, this.budget);
        return r === true ? [] : [fromFail(r, v)];
      });
    }
    const out: CompatViolation[] = [];
    for (const n of parts.unresolved) out.push(undecided(`${n.ptr}/$ref`, 'reference does not resolve'));
    for (const s of parts.atoms) out.push(...compareAtom(this, b, s, names));
    for (const n of parts.anyOf) out.push(...this.#anyOf(b, n, names));
    for (const n of parts.oneOf) out.push(...this.#oneOf(b, n, names));
    for (const n of parts.not) out.push(...this.#not(b, n));
    for (const n of parts.cond) out.push(...this.#cond(b, n, names));
    return out;
  }

  #fits(b: readonly Node[], sup: Node, names: NamedSet | undefined): boolean {
    return this.same(b, sup, names).length === 0;
  }

  #anyOf(b: readonly Node[], n: Node, names: NamedSet | undefined): CompatViolation[] {
    if (members(n, 'anyOf').some((m) => this.#fits(b, m, names))) return [];
    return [violation(`${n.ptr}/anyOf`, 'any-of-member-removed', 'some values match no member of anyOf')];
  }

  /** SPEC §12: oneOf also needs exclusivity; accepted only where disjointness is proved. */
  #oneOf(b: readonly Node[], n: Node, names: NamedSet | undefined): CompatViolation[] {
    const ms = members(n, 'oneOf');
    const fit = ms.map((m) => this.#fits(b, m, names));
    const i = fit.indexOf(true);
    if (i < 0)
      return [violation(`${n.ptr}/oneOf`, 'one-of-member-removed', 'some values match no member of oneOf')];
    if (fit.indexOf(true, i + 1) >= 0) {
      return [
        violation(`${n.ptr}/oneOf`, 'one-of-member-added', 'some values now match several members of oneOf'),
      ];
    }
    const mi = ms[i] as Node;
    const overlapping = ms.filter((m, j) => j !== i && !disjointWith(b, mi, m, this.budget));
    return overlapping.map((m) =>
      undecided(m.ptr, `cannot prove that values matching ${mi.ptr} do not also match this oneOf member`),
    );
  }

  #not(b: readonly Node[], n: Node): CompatViolation[] {
    const target = child(n, 'not');
    const kept = objectAtoms(b).some(
      (a) => 'not' in (a.schema as JsonObject) && sameSchema(child(a, 'not'), target, this.budget),
    );
    if (kept || disjointWith(b, undefined, target, this.budget)) return [];
    return [undecided(`${n.ptr}/not`, 'not added or changed, and disjointness is not proved')];
  }

  #cond(b: readonly Node[], n: Node, names: NamedSet | undefined): CompatViolation[] {
    const o = n.schema as JsonObject;
    const part = (k: string): Node | undefined => (k in o ? child(n, k) : undefined);
    const [cIf, cThen, cElse] = [part('if') as Node, part('then'), part('else')];
    const kept = objectAtoms(b).some(
      (a) => isObject(a.schema) && 'if' in a.schema && sameTriple(a, n, this.budget),
    );
    if (kept) return [];
    const thenOk = cThen === undefined || this.#fits(b, cThen, names);
    const elseOk = cElse === undefined || this.#fits(b, cElse, names);
    if (thenOk && (elseOk || this.#fits(b, cIf, names))) return [];
    if (elseOk && disjointWith(b, undefined, cIf, this.budget)) return [];
    return [undecided(`${n.ptr}/if`, 'if/then/else added or changed')];
  }
}

function sameTriple(a: Node, n: Node, budget: Budget): boolean {
  return ['if', 'then', 'else'].every((k) => {
    const ina = k in (a.schema as JsonObject);
    const inn = k in (n.schema as JsonObject);
    return ina === inn && (!ina || sameSchema(child(a, k), child(n, k), budget));
  });
}
