import type { CompatibilityMode, CompatibilityPolicy, ContractRef, SchemaBody } from './descriptor.types.js';
import { ID_RE, MAX_CONTRACTS, MAX_REFERENCES, MAX_STRING_BYTES } from './limits.js';
import { Problems, pointer } from './problems.js';
import { COMPAT_MODES, COMPAT_POLICIES } from './schema-compat/index.js';

/** SPEC §12 compatibility modes (absent means BACKWARD) and policies (absent means strict): the checker's lists. */
export const COMPATIBILITY_MODES = COMPAT_MODES;
export const COMPATIBILITY_POLICIES = COMPAT_POLICIES;
export const DEFAULT_COMPATIBILITY: CompatibilityMode = 'BACKWARD';
export const DEFAULT_POLICY: CompatibilityPolicy = 'strict';

const SCHEMA_FIELDS = ['format', 'schema', 'compatibility', 'policy', 'description', 'references'];

/** Where a schema descriptor's body sits in a proposal request (SPEC §5 `details` paths). */
export const BODY_POINTER = '/descriptor/body';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shortString(v: unknown, at: string, problems: Problems): v is string {
  if (typeof v !== 'string' || v.length === 0) {
    problems.add(at, 'must be a non-empty string');
    return false;
  }
  if (Buffer.byteLength(v, 'utf8') > MAX_STRING_BYTES) {
    problems.add(at, `longer than ${MAX_STRING_BYTES} bytes`);
    return false;
  }
  return true;
}

function versionNumber(v: unknown, at: string, problems: Problems): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    problems.add(at, 'must be an integer ≥ 1');
  }
}

function knownOnly(
  raw: Record<string, unknown>,
  at: string,
  allowed: readonly string[],
  required: readonly string[],
  problems: Problems,
): void {
  for (const k of Object.keys(raw)) if (!allowed.includes(k)) problems.add(pointer(at, k), 'unknown field');
  for (const k of required) if (!Object.hasOwn(raw, k)) problems.add(pointer(at, k), 'is required');
}

/** `{ id, version }` (SPEC §12 contracts and the id/version of a reference). */
function pinned(raw: Record<string, unknown>, at: string, problems: Problems): void {
  if (Object.hasOwn(raw, 'id') && (typeof raw.id !== 'string' || !ID_RE.test(raw.id))) {
    problems.add(pointer(at, 'id'), 'must match ^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$');
  }
  if (Object.hasOwn(raw, 'version')) versionNumber(raw.version, pointer(at, 'version'), problems);
}

/**
 * SPEC §2/§12 shape of a `schema` body, every problem at once (SPEC §5 `details`). The
 * document itself is checked by compiling it (`compileSchema`), which needs the referenced
 * schemas the registry holds. Attacker-controlled input.
 */
export function parseSchemaBody(raw: unknown, at = BODY_POINTER): SchemaBody {
  const problems = new Problems();
  if (!isObject(raw)) {
    problems.add(at, 'must be an object');
    problems.throwIfAny();
  }
  const b = raw as Record<string, unknown>;
  knownOnly(b, at, SCHEMA_FIELDS, ['format', 'schema'], problems);
  if (Object.hasOwn(b, 'format') && b.format !== 'json-schema') {
    problems.add(pointer(at, 'format'), 'must be "json-schema"');
  }
  if (Object.hasOwn(b, 'schema') && !isObject(b.schema)) {
    problems.add(pointer(at, 'schema'), 'must be an object (a JSON Schema document)');
  }
  if (b.compatibility !== undefined && !COMPATIBILITY_MODES.includes(b.compatibility as CompatibilityMode)) {
    problems.add(pointer(at, 'compatibility'), `must be one of ${COMPATIBILITY_MODES.join(', ')}`);
  }
  if (b.policy !== undefined && !COMPATIBILITY_POLICIES.includes(b.policy as CompatibilityPolicy)) {
    problems.add(pointer(at, 'policy'), `must be one of ${COMPATIBILITY_POLICIES.join(', ')}`);
  }
  if (b.description !== undefined) shortString(b.description, pointer(at, 'description'), problems);
  if (b.references !== undefined) references(b.references, pointer(at, 'references'), problems);
  problems.throwIfAny();
  return raw as SchemaBody;
}

function references(raw: unknown, at: string, problems: Problems): void {
  if (!Array.isArray(raw) || raw.length > MAX_REFERENCES) {
    problems.add(at, `must be an array of at most ${MAX_REFERENCES} references`);
    return;
  }
  const seen = new Set<string>();
  raw.forEach((r, i) => {
    const here = pointer(at, i);
    if (!isObject(r)) {
      problems.add(here, 'must be an object { ref, id, version }');
      return;
    }
    knownOnly(r, here, ['ref', 'id', 'version'], ['ref', 'id', 'version'], problems);
    pinned(r, here, problems);
    if (!Object.hasOwn(r, 'ref') || !shortString(r.ref, pointer(here, 'ref'), problems)) return;
    // An absolute URI without a fragment: it names a whole document, as `$id` does.
    if (!URL.canParse(r.ref) || r.ref.includes('#')) {
      problems.add(pointer(here, 'ref'), 'must be an absolute URI without a fragment');
    } else if (seen.has(r.ref)) {
      problems.add(pointer(here, 'ref'), 'names the same URI as an earlier reference');
    }
    seen.add(r.ref);
  });
}

/** SPEC §12 `service.contracts`: at most 16 distinct `{ id, version }`. */
export function parseContracts(raw: unknown, at: string): readonly ContractRef[] {
  const problems = new Problems();
  if (!Array.isArray(raw) || raw.length > MAX_CONTRACTS) {
    problems.add(at, `must be an array of at most ${MAX_CONTRACTS} { id, version }`);
    problems.throwIfAny();
  }
  const seen = new Set<string>();
  (raw as unknown[]).forEach((c, i) => {
    const here = pointer(at, i);
    if (!isObject(c)) {
      problems.add(here, 'must be an object { id, version }');
      return;
    }
    knownOnly(c, here, ['id', 'version'], ['id', 'version'], problems);
    pinned(c, here, problems);
    const key = `${String(c.id)}\n${String(c.version)}`;
    if (seen.has(key)) problems.add(here, 'pins the same schema version twice');
    seen.add(key);
  });
  problems.throwIfAny();
  return raw as readonly ContractRef[];
}

/** The mode and policy a schema version sets for its successor (SPEC §12 "mode in force"). */
export function modeOf(body: SchemaBody): { mode: CompatibilityMode; policy: CompatibilityPolicy } {
  return { mode: body.compatibility ?? DEFAULT_COMPATIBILITY, policy: body.policy ?? DEFAULT_POLICY };
}
