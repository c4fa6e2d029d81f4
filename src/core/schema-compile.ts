import type { Ajv, CodeKeywordDefinition, ErrorObject, Options, ValidateFunction } from 'ajv';
import { type AjvLib, ajvLib } from './ajv-load.js';
import { messageOf } from './errors.js';
import { MAX_DETAILS, Problems, pointer } from './problems.js';
import { patternRisk } from './regex-guard.js';
import { type Dialect, dialectOf, walkSchema } from './schema-walk.js';

export type { Dialect } from './schema-walk.js';

/** SPEC §12 one validation error of `POST /schemas/{id}/validate`. */
export interface ValidationError {
  /** JSON Pointer into the validated value. */
  readonly path: string;
  /** Where in the schema the failing keyword sits (`#/properties/price/type`). */
  readonly schema_path: string;
  readonly keyword: string;
  readonly message: string;
}

export interface ValidationReport {
  readonly valid: boolean;
  /** At most 100 (SPEC §12). */
  readonly errors: readonly ValidationError[];
}

/** A schema document compiled once; `validate` is pure and may be called concurrently. */
export interface CompiledSchema {
  readonly dialect: Dialect;
  validate(value: unknown): ValidationReport;
}

/** A referenced document: the `references[].ref` URI and the schema it names (SPEC §12). */
export interface ReferencedSchema {
  readonly ref: string;
  readonly schema: Readonly<Record<string, unknown>>;
}

/** SPEC §12: at most 100 errors per answer, the same bound as `details`. */
const MAX_ERRORS = MAX_DETAILS;

/**
 * A pattern goes through the guard even when the walk did not see it (defence in depth),
 * then becomes an ordinary `u` RegExp, as ajv would make it.
 */
const guardedRegExp = Object.assign(
  (pattern: string, flags: string): RegExp => {
    const risk = patternRisk(pattern);
    if (risk !== null) throw new Error(`pattern ${JSON.stringify(pattern)} refused: ${risk}`);
    return new RegExp(pattern, flags);
  },
  { code: 'new RegExp' },
);

/**
 * SPEC §12 compile options, shared by the server and the SDK so both give the same verdict:
 * strictSchema on (unknown or misplaced keywords are errors), union types allowed, the other
 * strict checks off, every error reported, formats of ajv-formats asserted.
 */
export const AJV_OPTIONS = {
  strictSchema: true,
  strictNumbers: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allowUnionTypes: true,
  allErrors: true,
  validateFormats: true,
  // Nothing is ever fetched: no loadSchema, and a missing $ref is a compile error.
  addUsedSchema: false,
  code: { regExp: guardedRegExp },
} as const satisfies Options;

/**
 * `multipleOf`, as ajv words it, without its `q !== parseInt(q)` test: `parseInt` reads
 * 8.6e+65 as 8, so ajv refuses every number above 1e21 (measured against Python's
 * jsonschema in test/schema-peer.test.ts). Here: an integer divisor divides exactly (`%` is
 * exact in IEEE 754); otherwise the quotient must be an integer, and a quotient that
 * overflows falls back to the exact remainder, as Python's jsonschema does.
 */
function multipleOf({ _, str }: AjvLib): CodeKeywordDefinition {
  return {
    keyword: 'multipleOf',
    type: 'number',
    schemaType: 'number',
    $data: true,
    error: {
      message: ({ schemaCode }) => str`must be multiple of ${schemaCode}`,
      params: ({ schemaCode }) => _`{multipleOf: ${schemaCode}}`,
    },
    code(cxt) {
      const { gen, data, schemaCode } = cxt;
      const q = gen.let('q');
      const exact = _`${data} % ${schemaCode} !== 0`;
      cxt.fail$data(
        _`(${schemaCode} === 0 || (Number.isInteger(${schemaCode}) ? ${exact} : (${q} = ${data} / ${schemaCode}, Number.isFinite(${q}) ? !Number.isInteger(${q}) : ${exact})))`,
      );
    },
  };
}

function newAjv(dialect: Dialect): Ajv {
  const lib = ajvLib();
  const ajv = dialect === '2020-12' ? new lib.Ajv2020(AJV_OPTIONS) : new lib.Ajv(AJV_OPTIONS);
  lib.addFormats(ajv);
  ajv.removeKeyword('multipleOf');
  ajv.addKeyword(multipleOf(lib));
  return ajv;
}

/**
 * Keywords ajv knows that are not keywords of either dialect (OpenAPI's `nullable`, draft-04's
 * `id`, 2019-09's recursive references): under SPEC §12's strictSchema they are unknown.
 */
const NOT_IN_DIALECTS = new Set(['nullable', 'id', '$recursiveAnchor', '$recursiveRef', '$async']);

interface Tables {
  readonly known: ReadonlySet<string>;
  readonly formats: ReadonlySet<string>;
}

// Read once per dialect, on first use (importing core must stay cheap for the CLI).
const TABLES = new Map<Dialect, Tables>();

function tablesOf(dialect: Dialect, ajv: Ajv): Tables {
  const hit = TABLES.get(dialect);
  if (hit !== undefined) return hit;
  const known = new Set(Object.keys(ajv.RULES.keywords).filter((k) => !NOT_IN_DIALECTS.has(k)));
  const tables = { known, formats: new Set(Object.keys(ajv.formats)) };
  TABLES.set(dialect, tables);
  return tables;
}

function metaProblems(ajv: Ajv, doc: unknown, at: string, problems: Problems): void {
  // ajv throws here only for a `$schema` it has no meta-schema for, which prepare() refuses first.
  if (ajv.validateSchema(doc as object) === true) return;
  for (const e of ajv.errors ?? []) problems.add(`${at}${e.instancePath}`, e.message ?? e.keyword);
}

/**
 * Checks one document (the candidate or a referenced one) and returns the copy to compile.
 * `at` is the JSON Pointer of the document in the request (SPEC §5 `details` paths).
 */
function prepare(
  schema: Readonly<Record<string, unknown>>,
  dialect: Dialect,
  at: string,
  problems: Problems,
  ajv: Ajv,
): unknown {
  const d = dialectOf(schema);
  if (d === undefined) {
    problems.add(
      pointer(at, '$schema'),
      'must be absent, https://json-schema.org/draft/2020-12/schema or http://json-schema.org/draft-07/schema#',
    );
    return schema;
  }
  if (d !== dialect) {
    problems.add(pointer(at, '$schema'), `is ${d}; the schema being compiled is ${dialect}`);
    return schema;
  }
  const doc = walkSchema(schema, at, { dialect, ...tablesOf(dialect, ajv), problems });
  metaProblems(ajv, doc, at, problems);
  return doc;
}

/**
 * SPEC §12: compiles a schema document with ajv in strict mode, its `$ref`s resolved inside
 * the document or to `references` (documents the registry holds, never the network). Every
 * problem is thrown at once as a `BadRequest` with `details` under `at`. Pure.
 */
/**
 * One instance per dialect for documents that name no other document and declare no `$id` or
 * anchor (so compiling leaves nothing behind once the document is removed again): building an
 * instance compiles the meta-schemas, tens of milliseconds each time. A document with
 * references or identifiers gets an instance of its own.
 */
const SHARED = new Map<Dialect, Ajv>();
const IDENTIFIERS = /"\$(id|anchor|dynamicAnchor|recursiveAnchor)"\s*:/;

function instanceFor(dialect: Dialect, schema: unknown, references: readonly ReferencedSchema[]): Ajv {
  if (references.length > 0 || IDENTIFIERS.test(JSON.stringify(schema))) return newAjv(dialect);
  let ajv = SHARED.get(dialect);
  if (ajv === undefined) {
    ajv = newAjv(dialect);
    SHARED.set(dialect, ajv);
  }
  return ajv;
}

export function compileSchema(
  schema: Readonly<Record<string, unknown>>,
  references: readonly ReferencedSchema[] = [],
  at = '/descriptor/body/schema',
): CompiledSchema {
  const problems = new Problems();
  const dialect = dialectOf(schema) ?? '2020-12';
  const ajv = instanceFor(dialect, schema, references);
  const doc = prepare(schema, dialect, at, problems, ajv);
  const refs = references.map((r) => ({
    ref: r.ref,
    doc: prepare(r.schema, dialect, `${at} (references ${r.ref})`, problems, ajv),
  }));
  problems.throwIfAny();
  let validate: ValidateFunction;
  try {
    for (const r of refs) ajv.addSchema(r.doc as object, r.ref);
    validate = ajv.compile(doc as object);
  } catch (err) {
    ajv.removeSchema(doc as object);
    const missing = (err as { missingRef?: unknown }).missingRef;
    const message =
      typeof missing === 'string'
        ? `$ref ${JSON.stringify(missing)} resolves neither inside the document nor to a references[].ref`
        : messageOf(err);
    problems.add(at, message);
    throw problems.error();
  }
  // The validator keeps what it compiled; the instance's cache must not grow with every document.
  ajv.removeSchema(doc as object);
  return { dialect, validate: (value) => report(validate, value) };
}

function report(validate: ValidateFunction, value: unknown): ValidationReport {
  if (validate(value) === true) return { valid: true, errors: [] };
  const errors = (validate.errors ?? []).slice(0, MAX_ERRORS).map(errorOf);
  return { valid: false, errors };
}

function errorOf(e: ErrorObject): ValidationError {
  return {
    path: e.instancePath,
    schema_path: e.schemaPath,
    keyword: e.keyword,
    message: e.message ?? e.keyword,
  };
}
