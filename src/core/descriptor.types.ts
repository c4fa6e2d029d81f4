import type { Signature } from './signature.js';
import type { SignerId } from './signer-id.js';

export type Kind = 'service' | 'node' | 'region_map' | 'governance';

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
  | (PayloadBase & { readonly kind: 'region_map'; readonly body: RegionMapBody })
  | (PayloadBase & { readonly kind: 'governance'; readonly body: GovernanceBody });

export type Descriptor = Payload & { readonly signatures: readonly Signature[] };

/** The head an incoming version must extend (SPEC §2 version and prev rules). */
export interface HeadRef {
  readonly version: number;
  readonly digest: string;
  readonly kind: Kind;
}
