import type { CompatViolation } from './compat.types.js';
import type { Fail } from './evaluate.js';

export function violation(path: string, change: string, message: string): CompatViolation {
  return { path, change, message };
}

export function undecided(path: string, message: string): CompatViolation {
  return { path, change: 'undecided', message };
}

/** The change a reader's keyword makes when it rejects a writer's value. */
const KEYWORD_CHANGE: Readonly<Record<string, string>> = {
  false: 'schema-false',
  type: 'type-narrowed',
  enum: 'enum-narrowed',
  const: 'const-changed',
  minimum: 'minimum-increased',
  exclusiveMinimum: 'minimum-increased',
  maximum: 'maximum-decreased',
  exclusiveMaximum: 'maximum-decreased',
  multipleOf: 'multiple-of-added',
  minLength: 'min-length-increased',
  maxLength: 'max-length-decreased',
  pattern: 'pattern-added',
  minItems: 'min-items-increased',
  maxItems: 'max-items-decreased',
  uniqueItems: 'unique-items-added',
  contains: 'contains-changed',
  minProperties: 'min-properties-increased',
  maxProperties: 'max-properties-decreased',
  required: 'required-added',
  dependentRequired: 'dependent-required-added',
  anyOf: 'any-of-member-removed',
  oneOf: 'one-of-member-removed',
  not: 'not-added',
};

/** A writer's concrete value the reader rejects (or cannot be shown to accept). */
export function fromFail(f: Fail, value: unknown): CompatViolation {
  const path = f.keyword === 'false' ? f.ptr : `${f.ptr}/${f.keyword}`;
  const shown = JSON.stringify(value)?.slice(0, 80);
  if (f.verdict === 'unknown') {
    return undecided(path, `cannot decide whether ${shown} satisfies ${f.keyword}`);
  }
  return violation(
    path,
    KEYWORD_CHANGE[f.keyword] ?? 'undecided',
    `the value ${shown} is no longer accepted (${f.keyword})`,
  );
}

/** One violation per path and change, at most `max` (a hostile schema must not flood the answer). */
export function dedupe(vs: readonly CompatViolation[], max = 200): CompatViolation[] {
  const seen = new Set<string>();
  const out: CompatViolation[] = [];
  for (const v of vs) {
    const k = `${v.path}\u0000${v.change}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(v);
    if (out.length >= max) break;
  }
  return out;
}
