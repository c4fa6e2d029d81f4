import { objectAtoms } from './branch-facts.js';
import type { CompatViolation } from './compat.types.js';
import type { Ctx } from './context.types.js';
import { child, type Node } from './doc.js';
import { sameSchema } from './equal.js';
import type { JsonObject } from './json-values.js';
import { itemAt, num, prefixLength, type TypeSet } from './keywords.js';
import { countRange, isEmptyRange } from './ranges.js';
import { undecided, violation } from './violation.js';

/** Array keywords: counts, `uniqueItems`, per-index `items`/`prefixItems`, `contains`. */
export function compareArray(ctx: Ctx, b: readonly Node[], s: Node, common: TypeSet): CompatViolation[] {
  if (!common.has('array')) return [];
  const atoms = objectAtoms(b);
  const r = countRange(atoms, 'minItems', 'maxItems');
  if (isEmptyRange(r)) return [];
  const so = s.schema as JsonObject;
  const out: CompatViolation[] = [];
  const lo = r.lo?.v ?? 0;
  const hi = r.hi?.v ?? Number.POSITIVE_INFINITY;
  const min = num(so, 'minItems');
  if (min !== undefined && lo < min) {
    out.push(
      violation(
        `${s.ptr}/minItems`,
        'min-items-increased',
        `arrays shorter than ${min} are no longer accepted`,
      ),
    );
  }
  const max = num(so, 'maxItems');
  if (max !== undefined && hi > max) {
    out.push(
      violation(
        `${s.ptr}/maxItems`,
        'max-items-decreased',
        `arrays longer than ${max} are no longer accepted`,
      ),
    );
  }
  if (
    so.uniqueItems === true &&
    hi > 1 &&
    !atoms.some((a) => (a.schema as JsonObject).uniqueItems === true)
  ) {
    out.push(violation(`${s.ptr}/uniqueItems`, 'unique-items-added', 'arrays must now have unique items'));
  }
  if ('contains' in so && !atoms.some((a) => sameContains(a, s, ctx))) {
    out.push(
      undecided(`${s.ptr}/contains`, 'contains added or changed; only an unchanged contains is decided'),
    );
  }
  const contains = atoms
    .filter((a) => 'contains' in (a.schema as JsonObject))
    .map((a) => child(a, 'contains'));
  const n = Math.max(prefixLength(s), ...atoms.map(prefixLength));
  for (let i = 0; i <= n && i < hi; i++) {
    const sup = itemAt(s, i);
    if (sup === undefined) continue;
    const subs = atoms.map((a) => itemAt(a, i)).filter((x): x is Node => x !== undefined);
    const vs = ctx.descend({ nodes: subs, may: [...subs, ...contains] }, sup);
    const what = i < n ? `item ${i}` : `items from index ${n}`;
    if (vs.length > 0 && sup.schema === false) {
      out.push(violation(sup.ptr, 'items-narrowed', `${what} no longer accepted`));
    } else {
      out.push(...vs);
    }
  }
  return out;
}

function sameContains(a: Node, s: Node, ctx: Ctx): boolean {
  const ao = a.schema as JsonObject;
  const so = s.schema as JsonObject;
  if (!('contains' in ao) || !sameSchema(child(a, 'contains'), child(s, 'contains'), ctx.budget))
    return false;
  if (s.doc.dialect !== '2020-12') return true;
  const amin = a.doc.dialect === '2020-12' ? (num(ao, 'minContains') ?? 1) : 1;
  const amax = a.doc.dialect === '2020-12' ? (num(ao, 'maxContains') ?? Infinity) : Infinity;
  return amin >= (num(so, 'minContains') ?? 1) && amax <= (num(so, 'maxContains') ?? Infinity);
}
