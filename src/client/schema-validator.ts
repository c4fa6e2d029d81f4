import {
  allowList,
  assertQuorum,
  type CompiledSchema,
  compileSchema,
  countQuorum,
  type Descriptor,
  type GovernanceBody,
  payloadOf,
  quorumRules,
  type ReferencedSchema,
  RegistryError,
  type SchemaBody,
  signingBytes,
  type ValidationReport,
  verifySignatures,
} from '../core/index.js';
import type { DescriptorResponse } from './client.types.js';

/** SPEC §12 answer of `POST /schemas/{id}/validate`, which `RegistryClient.validate` gives locally. */
export interface SchemaVerdict extends ValidationReport {
  readonly id: string;
  readonly version: number;
  readonly digest: string;
}

/** Options of `RegistryClient.validate`. */
export interface ValidateOptions {
  /** The schema version; default the head. */
  readonly version?: number;
  /**
   * The signer set and threshold the schema (and each schema it references) must be signed by
   * (SPEC §3): the allow-list this reader trusts, as `registry verify` takes it.
   */
  readonly trust: GovernanceBody;
}

type Fetch = (id: string, version: number | undefined) => Promise<DescriptorResponse>;

/** SPEC §3: valid, allow-listed signatures reaching the trusted threshold, or a refusal saying why. */
function assertSigned(d: Descriptor, trust: GovernanceBody): void {
  const payload = payloadOf(d);
  const rules = quorumRules(payload, {
    signers: new Set(trust.signers),
    threshold: trust.threshold,
    version: 0,
  });
  assertQuorum(countQuorum(verifySignatures(signingBytes(payload), d.signatures, allowList(rules)), rules));
}

function schemaBody(d: Descriptor, what: string): SchemaBody {
  if (d.kind !== 'schema') throw new RegistryError('NotFound', `${what} is a ${d.kind}, not a schema`);
  return d.body;
}

/** References of a verified schema, transitively, each fetched at its pinned version and verified. */
async function referenced(
  fetchOne: Fetch,
  body: SchemaBody,
  trust: GovernanceBody,
): Promise<ReferencedSchema[]> {
  const out = new Map<string, ReferencedSchema>();
  const queue = [...(body.references ?? [])];
  while (queue.length > 0 && out.size < 64) {
    const r = queue.shift();
    if (r === undefined || out.has(r.ref)) continue;
    const { descriptor } = await fetchOne(r.id, r.version);
    if (descriptor.version !== r.version) {
      throw new RegistryError(
        'BadSignature',
        `asked for ${r.id} v${r.version}, served v${descriptor.version}`,
      );
    }
    assertSigned(descriptor, trust);
    const b = schemaBody(descriptor, `${r.id} v${r.version}`);
    out.set(r.ref, { ref: r.ref, schema: b.schema });
    queue.push(...(b.references ?? []));
  }
  return [...out.values()];
}

/**
 * Fetches a schema, verifies its quorum under `trust` (and that of every schema it references),
 * and compiles it with the server's dialect and options (core/schema-compile.ts), so a value
 * gets the verdict the server's validate route would give. Compiled validators are kept by digest.
 */
export class SchemaValidators {
  readonly #cache = new Map<string, CompiledSchema>();
  readonly #fetch: Fetch;

  constructor(fetchOne: Fetch) {
    this.#fetch = fetchOne;
  }

  async validate(id: string, value: unknown, opts: ValidateOptions): Promise<SchemaVerdict> {
    const { descriptor, digest } = await this.#fetch(id, opts.version);
    if (descriptor.id !== id || (opts.version !== undefined && descriptor.version !== opts.version)) {
      throw new RegistryError(
        'BadSignature',
        `asked for ${id}, served ${descriptor.id} v${descriptor.version}`,
      );
    }
    let compiled = this.#cache.get(digest);
    if (compiled === undefined) {
      const body = schemaBody(descriptor, id);
      assertSigned(descriptor, opts.trust);
      compiled = compileSchema(body.schema, await referenced(this.#fetch, body, opts.trust), '/schema');
      if (this.#cache.size >= 256) this.#cache.delete(this.#cache.keys().next().value as string);
      this.#cache.set(digest, compiled);
    }
    const report = compiled.validate(value);
    return { ...report, id, version: descriptor.version, digest };
  }
}
