import {
  type CompiledSchema,
  type ContractRef,
  compileSchema,
  type Payload,
  Problems,
  pointer,
  type ReferencedSchema,
  RegistryError,
  type SchemaBody,
  type SchemaReference,
} from '../core/index.js';
import { checkCompatibility } from '../core/schema-compat/index.js';
import type { Entry } from './entry.js';
import { Lru } from './lru.js';
import type { Admission } from './modes.types.js';
import { assertCompatible, type CompatChecker } from './schema-rules.js';

/** What the catalog reads: heads from the snapshot, older versions through the store. */
export interface SchemaSource {
  head(id: string): Entry;
  at(id: string, version: number): Promise<Entry>;
}

/** One stored schema version with its parsed body. */
export interface SchemaVersion {
  readonly entry: Entry;
  readonly body: SchemaBody;
}

/** SPEC §12: documents reached through `references`, transitively, at most this many. */
const MAX_REFERENCED_DOCUMENTS = 64;

function bodyOf(entry: Entry): SchemaBody {
  return (JSON.parse(entry.bytes.toString('utf8')) as { body: SchemaBody }).body;
}

function notSchema(id: string): RegistryError {
  return new RegistryError('NotFound', `no schema ${id}`, 'schemas are descriptors of kind schema');
}

/**
 * The registry's schemas (SPEC §12): documents by id and version, their references resolved
 * to pinned registry versions, and validators compiled once per digest (an LRU bounds them).
 */
export class SchemaCatalog {
  readonly #source: SchemaSource;
  readonly #compiled: Lru<string, CompiledSchema>;
  readonly #bodies = new Lru<string, SchemaBody>(1024);

  /** SPEC §12 admission, as the engine runs it at propose and again at apply (as quorum is). */
  readonly admission: Admission = {
    proposal: (payload) => this.admit(payload),
    apply: (record) => this.admit(record.payload),
  };

  /** The compatibility checker: core/schema-compat's unless a test gives another. */
  readonly checker: CompatChecker;

  constructor(source: SchemaSource, opts: { checker?: CompatChecker | undefined; cap?: number } = {}) {
    this.#source = source;
    this.#compiled = new Lru(opts.cap ?? 256);
    this.checker = opts.checker ?? checkCompatibility;
  }

  /** Version `version` (default: the head) of schema `id`; NotFound for another kind. */
  async version(id: string, version?: number): Promise<SchemaVersion> {
    let entry: Entry;
    try {
      entry = version === undefined ? this.#source.head(id) : await this.#source.at(id, version);
    } catch (err) {
      if (err instanceof RegistryError && err.code === 'NotFound' && version === undefined)
        throw notSchema(id);
      throw err;
    }
    if (entry.kind !== 'schema') throw notSchema(id);
    return { entry, body: this.#body(entry) };
  }

  /**
   * The head of schema `id` and its validator when that is already compiled (the validate
   * fast lane, synchronous); undefined otherwise (unknown id, other kind, not compiled yet).
   */
  cachedHead(id: string): { entry: Entry; compiled: CompiledSchema } | undefined {
    let entry: Entry;
    try {
      entry = this.#source.head(id);
    } catch {
      return undefined;
    }
    if (entry.kind !== 'schema') return undefined;
    const compiled = this.#compiled.get(entry.digest);
    return compiled === undefined ? undefined : { entry, compiled };
  }

  /** Every version of `id` below `below`, ascending (SPEC §12 transitive modes). */
  async earlier(id: string, below: number): Promise<SchemaVersion[]> {
    const out: SchemaVersion[] = [];
    for (let v = 1; v < below; v++) out.push(await this.version(id, v));
    return out;
  }

  /** The validator of a stored version, compiled on first use and cached by digest. */
  async validator(v: SchemaVersion): Promise<CompiledSchema> {
    const hit = this.#compiled.get(v.entry.digest);
    if (hit !== undefined) return hit;
    const compiled = compileSchema(v.body.schema, await this.referenced(v.body), '/schema');
    this.#compiled.set(v.entry.digest, compiled);
    return compiled;
  }

  /**
   * The documents `references` name, transitively (a referenced schema's own references are
   * needed to compile it), each an existing `schema` version; every problem reported at once
   * under `at` (SPEC §5 `details`).
   */
  async referenced(body: SchemaBody, at = '/descriptor/body/references'): Promise<ReferencedSchema[]> {
    const problems = new Problems();
    const byRef = new Map<string, { key: string; schema: SchemaBody['schema'] }>();
    const queue: Array<{ r: SchemaReference; at: string }> = (body.references ?? []).map((r, i) => ({
      r,
      at: pointer(at, i),
    }));
    while (queue.length > 0) {
      const { r, at: here } = queue.shift() as { r: SchemaReference; at: string };
      const key = `${r.id}@${r.version}`;
      const seen = byRef.get(r.ref);
      if (seen !== undefined) {
        if (seen.key !== key) problems.add(here, `${r.ref} already names ${seen.key}, not ${key}`);
        continue;
      }
      const found = await this.#pinned(r, here, problems);
      if (found === undefined) continue;
      if (byRef.size >= MAX_REFERENCED_DOCUMENTS) {
        problems.add(here, `more than ${MAX_REFERENCED_DOCUMENTS} referenced documents`);
        break;
      }
      byRef.set(r.ref, { key, schema: found.body.schema });
      for (const next of found.body.references ?? []) queue.push({ r: next, at: here });
    }
    problems.throwIfAny();
    return [...byRef].map(([ref, v]) => ({ ref, schema: v.schema }));
  }

  /**
   * SPEC §12 admission of a proposal or an apply, before its quorum is looked at: a schema
   * compiles with its references and keeps the mode in force of the head (409 Incompatible);
   * a service's contracts each name an existing schema version.
   */
  async admit(payload: Payload): Promise<void> {
    if (payload.kind === 'service' && payload.body.contracts !== undefined) {
      await this.#contracts(payload.body.contracts);
      return;
    }
    if (payload.kind !== 'schema') return;
    const refs = await this.referenced(payload.body);
    const compiled = compileSchema(payload.body.schema, refs);
    const references = new Map(refs.map((r) => [r.ref, r.schema as unknown]));
    const doc = { schema: payload.body.schema, dialect: compiled.dialect, references };
    await assertCompatible(this, this.checker, payload.id, payload.version, doc);
  }

  /** A candidate body (the compatibility route, `registry schema check`): compiles or BadRequest. */
  async compileCandidate(body: SchemaBody, at: string): Promise<CompiledSchema> {
    return compileSchema(
      body.schema,
      await this.referenced(body, pointer(at, 'references')),
      pointer(at, 'schema'),
    );
  }

  async #contracts(contracts: readonly ContractRef[]): Promise<void> {
    const problems = new Problems();
    for (const [i, c] of contracts.entries()) {
      await this.#pinned(c, pointer('/descriptor/body/contracts', i), problems);
    }
    problems.throwIfAny('propose the schema version first, or pin one that exists');
  }

  async #pinned(r: ContractRef, at: string, problems: Problems): Promise<SchemaVersion | undefined> {
    try {
      return await this.version(r.id, r.version);
    } catch (err) {
      if (!(err instanceof RegistryError) || err.code !== 'NotFound') throw err;
      problems.add(at, `${r.id} version ${r.version} does not exist or is not a schema`);
      return undefined;
    }
  }

  #body(entry: Entry): SchemaBody {
    const hit = this.#bodies.get(entry.digest);
    if (hit !== undefined) return hit;
    const body = bodyOf(entry);
    this.#bodies.set(entry.digest, body);
    return body;
  }
}
