/** SPEC §7: the scopes a `scope` caveat may list; SPEC §5 names the one each route needs. */
export type Scope = 'registry:read' | 'registry:propose' | 'registry:apply';

export const SCOPES: readonly Scope[] = ['registry:read', 'registry:propose', 'registry:apply'];

/**
 * A macaroon whose signature chain verified and whose every caveat this server understood
 * and found holding (the time caveats included). What it *permits* is `authorize`'s question.
 */
export interface Capability {
  /** The macaroon identifier: the token's name, logged as applied_by. Not a secret. */
  readonly identifier: string;
  /** One list per `scope` caveat; a request's scope must be in every list. */
  readonly scopes: readonly (readonly Scope[])[];
  /** One list of alternatives per `id-prefix` caveat; a descriptor id must match one of every list. */
  readonly idPrefixes: readonly (readonly string[])[];
  /** One list per `kind` caveat; a descriptor kind must be in every list. */
  readonly kinds: readonly (readonly string[])[];
  /** The earliest `time <` caveat, Unix ms; undefined when the token has none. */
  readonly expiresAt: number | undefined;
}

/** What a request asks of a capability; `descriptorId`/`kind` when the request concerns a descriptor. */
export interface AccessRequest {
  readonly scope: Scope;
  readonly descriptorId?: string;
  readonly kind?: string;
}

export interface MintOptions {
  /** The token's name (macaroon identifier); 1..256 printable characters. */
  readonly identifier: string;
  /** Becomes one `scope` caveat; at least one scope. */
  readonly scopes: readonly Scope[];
  /** Lifetime from `now`; becomes a `time <` caveat (whole seconds, rounded down). */
  readonly ttlMs?: number;
  /** Becomes an `id-prefix` caveat; space-separated alternatives allowed. */
  readonly idPrefix?: string;
  /** Becomes a `kind` caveat. */
  readonly kinds?: readonly string[];
  /** Unix ms the ttl counts from; defaults to the wall clock. */
  readonly now?: number;
  /** Informational (SPEC §7); defaults to `registry`. */
  readonly location?: string;
}
