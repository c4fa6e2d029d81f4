import { objectAtoms } from './branch-facts.js';
import { compareArray } from './compare-array.js';
import { compareObject } from './compare-object.js';
import { compareNumber, compareString, compareType } from './compare-scalar.js';
import type { CompatViolation } from './compat.types.js';
import type { Ctx } from './context.types.js';
import type { Node } from './doc.js';
import { sameSchema } from './equal.js';
import { isObject } from './json-values.js';
import { malformedKeywords, opaqueKeywords } from './keywords.js';
import type { NamedSet } from './names.js';
import { undecided, violation } from './violation.js';

/**
 * The writer's branch `b` (not a finite list of values) against the own keywords of one
 * reader schema `s`; its in-place applicators are separate obligations (include.ts).
 */
export function compareAtom(
  ctx: Ctx,
  b: readonly Node[],
  s: Node,
  names: NamedSet | undefined,
): CompatViolation[] {
  if (s.schema === true) return [];
  if (s.schema === false) return [violation(s.ptr, 'schema-false', 'the reader accepts no value here')];
  if (!isObject(s.schema)) return [undecided(s.ptr, 'not a schema')];
  const so = s.schema;
  // An unchanged schema is no change, whatever it says (SPEC §12: a definition moved behind
  // a $ref is no change); this also decides keywords the checker does not model.
  if (objectAtoms(b).some((a) => sameSchema(a, s, ctx.budget))) return [];
  const out: CompatViolation[] = [];
  for (const k of malformedKeywords(so)) out.push(undecided(`${s.ptr}/${k}`, `malformed ${k}`));
  for (const k of opaqueKeywords(so, s.doc.dialect)) {
    out.push(undecided(`${s.ptr}/${k}`, `${k} added or changed; the checker does not compare it`));
  }
  if ('enum' in so) out.push(violation(`${s.ptr}/enum`, 'enum-added', 'values are now limited to an enum'));
  if ('const' in so)
    out.push(violation(`${s.ptr}/const`, 'const-added', 'values are now limited to a constant'));
  const { violations, common } = compareType(b, s);
  out.push(...violations);
  out.push(...compareNumber(b, s, common));
  out.push(...compareString(b, s, common));
  out.push(...compareArray(ctx, b, s, common));
  out.push(...compareObject(ctx, b, s, common, names));
  return out;
}
