import { objectAtoms, requiredOf } from './branch-facts.js';
import type { Budget } from './budget.js';
import type { CompatViolation } from './compat.types.js';
import type { Ctx, SubLoc } from './context.types.js';
import { child, type Node } from './doc.js';
import { sameSchema } from './equal.js';
import { inherited } from './evaluate.js';
import type { JsonObject } from './json-values.js';
import { dependentRequired, dependentSchemas, num, objectOf, stringList, type TypeSet } from './keywords.js';
import type { NamedSet } from './names.js';
import { compareOtherNames } from './object-regions.js';
import { matchLiteralPattern } from './pattern-literal.js';
import { countRange, isEmptyRange } from './ranges.js';
import { undecided, violation } from './violation.js';

/**
 * Object keywords. Each name either side mentions is compared one by one (the writer's
 * schema for it against every reader schema that applies); all other names by content-model
 * region (object-regions.ts). SPEC §12 `lenient`: a name the writer's schema does not name
 * is absent from the writer's values.
 */
export function compareObject(
  ctx: Ctx,
  b: readonly Node[],
  s: Node,
  common: TypeSet,
  names: NamedSet | undefined,
): CompatViolation[] {
  if (!common.has('object')) return [];
  const atoms = objectAtoms(b);
  const so = s.schema as JsonObject;
  const req = requiredOf(b);
  // Required names are distinct own properties, except Object.prototype members ajv finds anyway.
  const r = countRange(atoms, 'minProperties', 'maxProperties', [...req].filter((x) => !inherited(x)).length);
  if (isEmptyRange(r)) return [];
  const out: CompatViolation[] = [];
  const min = num(so, 'minProperties');
  if (min !== undefined && (r.lo?.v ?? 0) < min) {
    out.push(
      violation(`${s.ptr}/minProperties`, 'min-properties-increased', `objects need ${min} properties now`),
    );
  }
  const max = num(so, 'maxProperties');
  if (max !== undefined && (r.hi === undefined || r.hi.v > max)) {
    out.push(
      violation(
        `${s.ptr}/maxProperties`,
        'max-properties-decreased',
        `objects may have ${max} properties now`,
      ),
    );
  }
  const newlyRequired = stringList(so, 'required').filter((x) => !req.has(x));
  if (newlyRequired.length > 0) {
    const list = newlyRequired.map((x) => JSON.stringify(x)).join(', ');
    out.push(violation(`${s.ptr}/required`, 'required-added', `now required: ${list}`));
  }
  const lenientNames = names !== undefined && !names.all ? names.names : [];
  const explicit = new Set<string>([
    ...atoms.flatMap((a) => Object.keys(objectOf(a.schema as JsonObject, 'properties') ?? {})),
    ...Object.keys(objectOf(so, 'properties') ?? {}),
    ...req,
    ...stringList(so, 'required'),
    ...lenientNames,
  ]);
  for (const n of explicit) out.push(...compareName(ctx, atoms, s, n, names));
  out.push(...compareOtherNames(ctx, atoms, s, names));
  if ('propertyNames' in so) {
    const pn = atoms
      .filter((a) => 'propertyNames' in (a.schema as JsonObject))
      .map((a) => child(a, 'propertyNames'));
    if (pn.length === 0 || ctx.descend({ nodes: pn, may: pn }, child(s, 'propertyNames')).length > 0) {
      out.push(
        violation(`${s.ptr}/propertyNames`, 'property-names-narrowed', 'property names are more restricted'),
      );
    }
  }
  const depKw = s.doc.dialect === 'draft-07' ? 'dependencies' : 'dependentRequired';
  for (const [k, deps] of dependentRequired(s)) {
    const implied =
      deps.every((d) => req.has(d)) ||
      atoms.some((a) => deps.every((d) => dependentRequired(a).get(k)?.includes(d))) ||
      subChild(atoms, k, names, ctx.budget) === 'absent';
    if (!implied) {
      out.push(
        violation(
          `${s.ptr}/${depKw}/${k}`,
          'dependent-required-added',
          `"${k}" now requires ${deps.join(', ')}`,
        ),
      );
    }
  }
  for (const [k, d] of dependentSchemas(s)) {
    const implied =
      subChild(atoms, k, names, ctx.budget) === 'absent' ||
      atoms.some((a) => {
        const ad = dependentSchemas(a).get(k);
        return ad !== undefined && sameSchema(ad, d, ctx.budget);
      }) ||
      ctx.same(b, d, names).length === 0;
    if (!implied) out.push(undecided(d.ptr, `dependent schema of "${k}" added or changed`));
  }
  return out;
}

function compareName(
  ctx: Ctx,
  atoms: readonly Node[],
  s: Node,
  n: string,
  names: NamedSet | undefined,
): CompatViolation[] {
  ctx.budget.step();
  if (inherited(n)) {
    return [
      undecided(
        s.ptr,
        `property ${JSON.stringify(n)} is an Object.prototype member, which ajv reads on every object`,
      ),
    ];
  }
  const sub = subChild(atoms, n, names, ctx.budget);
  if (sub === 'absent') return [];
  const out: CompatViolation[] = [];
  const named = atoms.some((a) => Object.hasOwn(objectOf(a.schema as JsonObject, 'properties') ?? {}, n));
  for (const obl of obligations(s, n, ctx.budget)) {
    const vs = ctx.descend(sub, obl.node);
    if (vs.length === 0) continue;
    if (!obl.certain) {
      out.push(
        undecided(obl.node.ptr, `cannot decide whether pattern applies to property ${JSON.stringify(n)}`),
      );
    } else if (obl.node.schema === false) {
      out.push(
        violation(obl.node.ptr, 'property-removed', `property ${JSON.stringify(n)} is no longer accepted`),
      );
    } else if (obl.kind === 'prop' && !named) {
      out.push(
        violation(
          obl.node.ptr,
          'property-added',
          `property ${JSON.stringify(n)} is now constrained, and was not before`,
        ),
      );
    } else {
      out.push(...vs);
    }
  }
  return out;
}

/**
 * The writer's schemas for property `n`: `absent` when no writer value can hold it. A
 * pattern whose match cannot be decided only joins `may` (its names, for lenient).
 */
export function subChild(
  atoms: readonly Node[],
  n: string,
  names: NamedSet | undefined,
  budget: Budget,
): SubLoc | 'absent' {
  if (inherited(n)) return { nodes: [], may: [] };
  if (
    names !== undefined &&
    !names.all &&
    !names.names.has(n) &&
    [...names.patterns].every((p) => {
      budget.step();
      return matchLiteralPattern(p, n) === false;
    })
  ) {
    return 'absent';
  }
  const nodes: Node[] = [];
  const may: Node[] = [];
  for (const a of atoms) {
    const o = a.schema as JsonObject;
    const inProps = Object.hasOwn(objectOf(o, 'properties') ?? {}, n);
    if (inProps) nodes.push(child(a, 'properties', n));
    let matched = false;
    let unsure = false;
    for (const p of Object.keys(objectOf(o, 'patternProperties') ?? {})) {
      budget.step();
      const m = matchLiteralPattern(p, n);
      if (m === false) continue;
      (m ? nodes : may).push(child(a, 'patternProperties', p));
      matched ||= m === true;
      unsure ||= m === undefined;
    }
    if (!inProps && !matched && 'additionalProperties' in o)
      (unsure ? may : nodes).push(child(a, 'additionalProperties'));
    if ('unevaluatedProperties' in o) may.push(child(a, 'unevaluatedProperties'));
  }
  if (nodes.some((x) => x.schema === false)) return 'absent';
  return { nodes, may: [...nodes, ...may] };
}

interface Obligation {
  readonly node: Node;
  /** False when a pattern might or might not apply to the name. */
  readonly certain: boolean;
  readonly kind: 'prop' | 'pattern' | 'rest';
}

function obligations(s: Node, n: string, budget: Budget): Obligation[] {
  const o = s.schema as JsonObject;
  const out: Obligation[] = [];
  const inProps = Object.hasOwn(objectOf(o, 'properties') ?? {}, n);
  if (inProps) out.push({ node: child(s, 'properties', n), certain: true, kind: 'prop' });
  let matched = false;
  let unsure = false;
  for (const p of Object.keys(objectOf(o, 'patternProperties') ?? {})) {
    budget.step();
    const m = matchLiteralPattern(p, n);
    if (m === false) continue;
    out.push({ node: child(s, 'patternProperties', p), certain: m === true, kind: 'pattern' });
    matched ||= m === true;
    unsure ||= m === undefined;
  }
  if (!inProps && !matched && 'additionalProperties' in o) {
    out.push({ node: child(s, 'additionalProperties'), certain: !unsure, kind: 'rest' });
  }
  return out;
}
