import type { Kind } from './descriptor.types.js';
import { type ErrorDetail, RegistryError } from './errors.js';
import { KIND_SCHEMAS } from './kind-schemas.js';
import { MAX_DETAILS } from './problems.js';
import { type CompiledSchema, compileSchema } from './schema-compile.js';

// Compiled on the first refusal of each kind: a valid body never pays for it.
const VALIDATORS = new Map<Kind, CompiledSchema>();

function validatorOf(kind: Kind): CompiledSchema {
  let v = VALIDATORS.get(kind);
  if (v === undefined) {
    v = compileSchema(KIND_SCHEMAS[kind], [], '');
    VALIDATORS.set(kind, v);
  }
  return v;
}

/**
 * SPEC §5 `details` for a refused built-in body: the parser stops at its first problem, so
 * on that (rare) path the kind's published JSON Schema (kind-schemas.ts) lists every problem
 * it can see, with JSON Pointers under `at`. A problem only the parser can see (a byte bound,
 * a small-order key) becomes the one detail. The message stays the parser's.
 */
export function withBodyDetails(err: unknown, kind: Kind, body: unknown, at: string): unknown {
  if (!(err instanceof RegistryError) || err.code !== 'BadRequest' || err.details !== undefined) return err;
  if (kind === 'schema') return err;
  const found = validatorOf(kind).validate(body);
  const details: ErrorDetail[] = found.valid
    ? [{ path: at, message: err.message }]
    : found.errors.slice(0, MAX_DETAILS).map((e) => ({ path: `${at}${e.path}`, message: e.message }));
  return new RegistryError('BadRequest', err.message, err.hint, { cause: err, details });
}
