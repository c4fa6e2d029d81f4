import { branchTypes, objectAtoms } from './branch-facts.js';
import type { CompatViolation } from './compat.types.js';
import type { Node } from './doc.js';
import type { JsonObject } from './json-values.js';
import { allows, intersectTypes, num, type TypeSet, typesOf } from './keywords.js';
import { countRange, isEmptyRange, lowerWithin, numberRange, upperWithin } from './ranges.js';
import { undecided, violation } from './violation.js';

/** `type`: every type the writer allows must stay allowed (`integer` ⊂ `number`). */
export function compareType(b: readonly Node[], s: Node): { violations: CompatViolation[]; common: TypeSet } {
  const bt = branchTypes(b);
  const so = s.schema as JsonObject;
  if (!('type' in so)) return { violations: [], common: bt };
  const st = typesOf(so);
  if (st === undefined) return { violations: [], common: bt };
  const missing = [...bt].filter((t) => !allows(st, t));
  const shown = missing.map((t) => (t === 'number' && st.has('integer') ? 'non-integer number' : t));
  const violations = missing.length
    ? [
        violation(
          `${s.ptr}/type`,
          'type-narrowed',
          `values of type ${shown.join(', ')} are no longer accepted`,
        ),
      ]
    : [];
  return { violations, common: intersectTypes(bt, st) };
}

export function compareNumber(b: readonly Node[], s: Node, common: TypeSet): CompatViolation[] {
  if (!common.has('number') && !common.has('integer')) return [];
  const atoms = objectAtoms(b);
  const r = numberRange(atoms, !common.has('number'));
  if (isEmptyRange(r)) return [];
  const so = s.schema as JsonObject;
  const out: CompatViolation[] = [];
  for (const [kw, x, lower] of [
    ['minimum', false, true],
    ['exclusiveMinimum', true, true],
    ['maximum', false, false],
    ['exclusiveMaximum', true, false],
  ] as const) {
    const v = num(so, kw);
    if (v === undefined) continue;
    if (lower ? lowerWithin(r.lo, { v, x }) : upperWithin(r.hi, { v, x })) continue;
    const change = lower ? 'minimum-increased' : 'maximum-decreased';
    out.push(
      violation(`${s.ptr}/${kw}`, change, `numbers ${lower ? 'below' : 'above'} ${v} are no longer accepted`),
    );
  }
  const m = num(so, 'multipleOf');
  // ajv tests multipleOf by floating division: only an identical divisor is known to imply it.
  if (m !== undefined && !atoms.some((a) => num(a.schema as JsonObject, 'multipleOf') === m)) {
    out.push(
      atoms.some((a) => 'multipleOf' in (a.schema as JsonObject))
        ? undecided(`${s.ptr}/multipleOf`, `multipleOf changed to ${m}; only an unchanged divisor is decided`)
        : violation(`${s.ptr}/multipleOf`, 'multiple-of-added', `numbers must now be multiples of ${m}`),
    );
  }
  return out;
}

export function compareString(b: readonly Node[], s: Node, common: TypeSet): CompatViolation[] {
  if (!common.has('string')) return [];
  const atoms = objectAtoms(b).map((a) => a.schema as JsonObject);
  const r = countRange(objectAtoms(b), 'minLength', 'maxLength');
  if (isEmptyRange(r)) return [];
  const so = s.schema as JsonObject;
  const out: CompatViolation[] = [];
  const min = num(so, 'minLength');
  if (min !== undefined && (r.lo?.v ?? 0) < min) {
    out.push(
      violation(
        `${s.ptr}/minLength`,
        'min-length-increased',
        `strings shorter than ${min} are no longer accepted`,
      ),
    );
  }
  const max = num(so, 'maxLength');
  if (max !== undefined && (r.hi === undefined || r.hi.v > max)) {
    out.push(
      violation(
        `${s.ptr}/maxLength`,
        'max-length-decreased',
        `strings longer than ${max} are no longer accepted`,
      ),
    );
  }
  // SPEC §12: patterns and formats are compared by equality, never executed.
  for (const kw of ['pattern', 'format'] as const) {
    const p = so[kw];
    if (typeof p !== 'string' || atoms.some((a) => a[kw] === p)) continue;
    out.push(
      atoms.some((a) => kw in a)
        ? undecided(
            `${s.ptr}/${kw}`,
            `${kw} changed to ${JSON.stringify(p)}; different ${kw}s are not compared`,
          )
        : violation(`${s.ptr}/${kw}`, `${kw}-added`, `strings must now match ${kw} ${JSON.stringify(p)}`),
    );
  }
  return out;
}
