import type { CompatViolation } from './compat.types.js';
import type { Ctx } from './context.types.js';
import { child, type Node } from './doc.js';
import type { JsonObject } from './json-values.js';
import { objectOf } from './keywords.js';
import type { NamedSet } from './names.js';
import { patternImplies, patternsDisjoint } from './pattern-literal.js';
import { undecided, violation } from './violation.js';

/** A set of property names of the writer's content model and the schema its values meet. */
interface Region {
  readonly node: Node;
  /** The pattern that defines it; undefined for the rest (`additionalProperties`). */
  readonly pattern: string | undefined;
}

/**
 * Names neither side lists in `properties`: each writer region (a `patternProperties`
 * pattern, or the rest) must fit every reader region it may overlap. Overlap of patterns is
 * decided only for equal or literal patterns; otherwise a failure is `undecided`. With
 * several writer conjuncts, one content model (the first with `additionalProperties` or
 * `patternProperties`) stands for them all: dropping conjuncts only adds writer values.
 */
export function compareOtherNames(
  ctx: Ctx,
  atoms: readonly Node[],
  s: Node,
  names: NamedSet | undefined,
): CompatViolation[] {
  const so = s.schema as JsonObject;
  const spats = Object.keys(objectOf(so, 'patternProperties') ?? {});
  const sRest = 'additionalProperties' in so ? child(s, 'additionalProperties') : undefined;
  if (spats.length === 0 && (sRest === undefined || sRest.schema === true)) return [];
  const primary =
    atoms.find((a) => 'additionalProperties' in (a.schema as JsonObject)) ??
    atoms.find((a) => 'patternProperties' in (a.schema as JsonObject));
  const cpats =
    primary === undefined
      ? []
      : Object.keys(objectOf(primary.schema as JsonObject, 'patternProperties') ?? {});
  const may = atoms.flatMap((a) => {
    const o = a.schema as JsonObject;
    return [
      ...Object.keys(objectOf(o, 'patternProperties') ?? {}).map((p) => child(a, 'patternProperties', p)),
      ...['additionalProperties', 'unevaluatedProperties'].filter((k) => k in o).map((k) => child(a, k)),
    ];
  });
  const regions: Region[] = cpats.map((p) => ({
    node: child(primary as Node, 'patternProperties', p),
    pattern: p,
  }));
  // SPEC §12 lenient: a name matching no pattern the writer names is absent from its values.
  const lenientClosed =
    names !== undefined && !names.all && [...names.patterns].every((p) => cpats.includes(p));
  const rest: Node =
    primary !== undefined && 'additionalProperties' in (primary.schema as JsonObject)
      ? child(primary, 'additionalProperties')
      : { schema: true, doc: s.doc, ptr: '' };
  if (!lenientClosed && rest.schema !== false) regions.push({ node: rest, pattern: undefined });
  const out: CompatViolation[] = [];
  const fits = (r: Region, sup: Node): boolean => ctx.descend({ nodes: [r.node], may }, sup).length === 0;
  for (const p of spats) {
    const q = child(s, 'patternProperties', p);
    for (const r of regions) {
      if (r.pattern !== undefined && r.pattern !== p && (patternsDisjoint(r.pattern, p) || cpats.includes(p)))
        continue;
      if (r.pattern === undefined && cpats.some((c) => patternImplies(p, c))) continue;
      if (fits(r, q)) continue;
      const certain = r.pattern === p || (r.pattern === undefined && cpats.length === 0);
      out.push(
        certain
          ? violation(
              q.ptr,
              'pattern-properties-narrowed',
              `properties matching ${JSON.stringify(p)} are more restricted`,
            )
          : undecided(
              q.ptr,
              `cannot decide which properties both ${JSON.stringify(p)} and the writer's model cover`,
            ),
      );
    }
  }
  if (sRest === undefined || sRest.schema === true) return out;
  for (const r of regions) {
    if (r.pattern !== undefined && spats.some((p) => patternImplies(r.pattern as string, p))) continue;
    if (fits(r, sRest)) continue;
    const certain =
      r.pattern === undefined
        ? spats.length === 0 && cpats.length === 0
        : spats.every((p) => patternsDisjoint(r.pattern as string, p));
    out.push(
      certain
        ? violation(sRest.ptr, 'additional-properties-narrowed', 'properties not listed are more restricted')
        : undecided(
            sRest.ptr,
            'cannot decide which property names the reader leaves to additionalProperties',
          ),
    );
  }
  return out;
}
