import type { ErrorCode } from '../src/core/index.js';

/** The shape of the vector files (see README.md). */

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export interface VectorGovernance {
  readonly version: number;
  readonly signers: readonly string[];
  readonly threshold: number;
}

export interface VectorHead {
  readonly version: number;
  readonly digest: string;
  readonly kind: string;
}

export type Expect = 'ok' | { readonly error: ErrorCode };

/** One vector; the field order here is the order in the JSON files. */
export interface Vector {
  readonly name: string;
  readonly description: string;
  /** `genesis`: the trust root, checked against the pinned allow-list, no quorum (SPEC §3). `verify`: full check. */
  readonly check: 'genesis' | 'verify';
  readonly descriptor: Json;
  readonly governance: VectorGovernance;
  readonly head: VectorHead | null;
  readonly now: number;
  /** RFC 8785 JCS text of the payload (the descriptor without `signatures`). */
  readonly jcs: string;
  readonly signing_bytes_hex: string;
  readonly digest: string;
  readonly expect: Expect;
}

export interface VectorFile {
  readonly _comment: string;
  readonly format: string;
  readonly vectors: readonly Vector[];
}
