import {
  type CompatibilityMode,
  type CompatibilityPolicy,
  type Dialect,
  type ErrorDetail,
  modeOf,
  RegistryError,
  type SchemaBody,
} from '../core/index.js';
import type { SchemaCatalog, SchemaVersion } from './schema-catalog.js';

/** The document the checker compares (core/schema-compat's `SchemaDoc`). */
export interface SchemaDoc {
  readonly schema: unknown;
  readonly dialect: Dialect;
  readonly references?: ReadonlyMap<string, unknown>;
}

/** One compatibility violation as the checker reports it (SPEC §12). */
export interface CompatViolation {
  readonly path: string;
  readonly change: string;
  readonly message: string;
}

/** core/schema-compat's `checkCompatibility`: `[]` means compatible; transitive modes are looped here. */
export type CompatChecker = (
  older: SchemaDoc,
  newer: SchemaDoc,
  mode: CompatibilityMode,
  policy: CompatibilityPolicy,
) => readonly CompatViolation[];

/** SPEC §12 answer of both compatibility routes. */
export interface CompatVerdict {
  readonly compatible: boolean;
  readonly mode: CompatibilityMode;
  readonly policy: CompatibilityPolicy;
  readonly against: readonly number[];
  readonly violations: ReadonlyArray<CompatViolation & { readonly against: number }>;
}

/** `?against=`: the head, every earlier version, or one version. */
export type Against = 'latest' | 'all' | number;

export function isTransitive(mode: CompatibilityMode): boolean {
  return mode.endsWith('_TRANSITIVE');
}

/** The mode the checker applies to one pair: transitivity is which pairs, not how one is checked. */
function pairMode(mode: CompatibilityMode): CompatibilityMode {
  return mode.replace('_TRANSITIVE', '') as CompatibilityMode;
}

/** A candidate or stored schema as the checker reads it, its references resolved in the registry. */
export async function docOf(catalog: SchemaCatalog, body: SchemaBody, dialect: Dialect): Promise<SchemaDoc> {
  const refs = await catalog.referenced(body);
  return refs.length === 0
    ? { schema: body.schema, dialect }
    : { schema: body.schema, dialect, references: new Map(refs.map((r) => [r.ref, r.schema])) };
}

/** The versions `against` names, given the head version and the mode (SPEC §12 defaults). */
export function versionsAgainst(
  against: Against | undefined,
  mode: CompatibilityMode,
  head: number,
): number[] {
  const which = against ?? (isTransitive(mode) ? 'all' : 'latest');
  if (which === 'latest') return [head];
  if (which === 'all') return Array.from({ length: head }, (_, i) => i + 1);
  if (which > head) throw new RegistryError('NotFound', `no version ${which} (the head is ${head})`);
  return [which];
}

/**
 * Checks `newer` against each of `olders` under `mode`/`policy` (SPEC §12): every violation
 * of every pair, each naming the version it breaks.
 */
export async function checkAgainst(
  catalog: SchemaCatalog,
  checker: CompatChecker,
  newer: SchemaDoc,
  olders: readonly SchemaVersion[],
  mode: CompatibilityMode,
  policy: CompatibilityPolicy,
): Promise<CompatVerdict> {
  const violations: Array<CompatViolation & { against: number }> = [];
  if (mode !== 'NONE') {
    for (const old of olders) {
      const doc = await docOf(catalog, old.body, (await catalog.validator(old)).dialect);
      for (const v of checker(doc, newer, pairMode(mode), policy)) {
        violations.push({ path: v.path, change: v.change, message: v.message, against: old.entry.version });
      }
    }
  }
  return {
    compatible: violations.length === 0,
    mode,
    policy,
    against: olders.map((o) => o.entry.version),
    violations,
  };
}

/**
 * SPEC §12 enforcement at propose and at apply: version n+1 of a schema must keep the mode in
 * force, the head's (against every earlier version for a transitive mode), else 409
 * `Incompatible` listing every violation.
 */
export async function assertCompatible(
  catalog: SchemaCatalog,
  checker: CompatChecker,
  id: string,
  version: number,
  candidate: SchemaDoc,
): Promise<void> {
  let head: SchemaVersion;
  try {
    head = await catalog.version(id);
  } catch {
    return; // version 1, or an id of another kind: the version rules refuse the latter
  }
  if (version !== head.entry.version + 1) return; // StaleVersion is the answer, not this
  const { mode, policy } = modeOf(head.body);
  if (mode === 'NONE') return;
  const olders = isTransitive(mode) ? [...(await catalog.earlier(id, head.entry.version)), head] : [head];
  const verdict = await checkAgainst(catalog, checker, candidate, olders, mode, policy);
  if (verdict.compatible) return;
  const details: ErrorDetail[] = verdict.violations.map((v) => ({
    path: v.path,
    change: v.change,
    message: v.message,
    against: v.against,
  }));
  const first = verdict.violations[0];
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  throw new RegistryError(
    'Incompatible',
    `${id} v${version} breaks ${mode} (${policy}) against v${first?.against}: ${first?.message}${more}`,
    undefined,
    { details },
  );
}
