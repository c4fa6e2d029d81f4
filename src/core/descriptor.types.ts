import type { CompatMode, CompatPolicy } from './schema-compat/compat.types.js';
import type { Signature } from './signature.js';
import type { SignerId } from './signer-id.js';

export type Kind = 'service' | 'node' | 'schema' | 'region_map' | 'governance';

export interface Endpoint {
  readonly addr: string;
  readonly tls: boolean;
  readonly weight: number;
}

export interface ServiceBody {
  readonly name: string;
  readonly region: string;
  readonly endpoints: readonly Endpoint[];
  readonly labels?: Readonly<Record<string, string>>;
  /** SPEC §12: the schema versions the service speaks, each an existing `schema` version. */
  readonly contracts?: readonly ContractRef[];
}

/** SPEC §12 a pinned schema version: `{ id, version }`. */
export interface ContractRef {
  readonly id: string;
  readonly version: number;
}

/** SPEC §12 `references[]`: the `$ref` URI `ref` names schema `id` at `version`. */
export interface SchemaReference extends ContractRef {
  readonly ref: string;
}

/** SPEC §12: the compatibility modes and policies, as the checker defines them (one definition). */
export type {
  CompatMode as CompatibilityMode,
  CompatPolicy as CompatibilityPolicy,
} from './schema-compat/compat.types.js';

/** SPEC §12 body of a `schema` descriptor. */
export interface SchemaBody {
  readonly format: 'json-schema';
  /** A JSON Schema document (draft 2020-12 unless `$schema` says draft-07). */
  readonly schema: Readonly<Record<string, unknown>>;
  readonly compatibility?: CompatMode;
  readonly policy?: CompatPolicy;
  readonly description?: string;
  readonly references?: readonly SchemaReference[];
}

export interface NodeBody {
  readonly region: string;
  readonly addr: string;
  readonly pubkey?: string;
  readonly capabilities?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

export interface RegionService extends Endpoint {
  readonly id: string;
}

export interface RegionMapBody {
  readonly regions: Readonly<Record<string, { readonly services: readonly RegionService[] }>>;
}

export interface GovernanceBody {
  readonly signers: readonly SignerId[];
  readonly threshold: number;
}

interface PayloadBase {
  readonly id: string;
  readonly version: number;
  readonly prev: string | null;
  readonly ts: number;
  readonly deprecated?: boolean;
}

/** SPEC §2: the descriptor without `signatures`, exactly as submitted. */
export type Payload =
  | (PayloadBase & { readonly kind: 'service'; readonly body: ServiceBody })
  | (PayloadBase & { readonly kind: 'node'; readonly body: NodeBody })
  | (PayloadBase & { readonly kind: 'schema'; readonly body: SchemaBody })
  | (PayloadBase & { readonly kind: 'region_map'; readonly body: RegionMapBody })
  | (PayloadBase & { readonly kind: 'governance'; readonly body: GovernanceBody });

export type Descriptor = Payload & { readonly signatures: readonly Signature[] };

/** The head an incoming version must extend (SPEC §2 version and prev rules). */
export interface HeadRef {
  readonly version: number;
  readonly digest: string;
  readonly kind: Kind;
}
