import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { messageOf, RegistryError } from '../../core/index.js';

/** SPEC §7: an unknown `kid` refetches the JWKS at most once per 30 s per issuer. */
export const MIN_REFETCH_MS = 30_000;
/** Keys older than this are refreshed in the background; requests keep using the cached set meanwhile. */
export const REFRESH_MS = 10 * 60_000;
/** A JWKS endpoint slower than this counts as down. */
export const FETCH_TIMEOUT_MS = 5_000;
/** Far above any real key set, far below abuse. */
const MAX_JWKS_BYTES = 256 * 1024;

type Header = Parameters<JWTVerifyGetKey>[0];
type Token = Parameters<JWTVerifyGetKey>[1];
type Key = Awaited<ReturnType<JWTVerifyGetKey>>;

/** Parses a JWKS document (attacker-controlled when fetched) into jose's local key set. */
export function localKeySet(raw: unknown, where: string): JWTVerifyGetKey {
  const keys = (raw as { keys?: unknown } | null)?.keys;
  if (typeof raw !== 'object' || raw === null || !Array.isArray(keys)) {
    throw new RegistryError('StoreUnavailable', `${where} is not a JWKS document ({ "keys": [...] })`);
  }
  return createLocalJWKSet(raw as JSONWebKeySet);
}

/** Fetches a JWKS over HTTP(S), bounded in time and size. */
export async function fetchJwks(uri: string, timeoutMs = FETCH_TIMEOUT_MS): Promise<unknown> {
  const res = await fetch(uri, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!res.ok) throw new Error(`JWKS ${uri} answered ${res.status}`);
  const body = await res.text();
  if (body.length > MAX_JWKS_BYTES) throw new Error(`JWKS ${uri} is over ${MAX_JWKS_BYTES} bytes`);
  return JSON.parse(body) as unknown;
}

/** Where an issuer's keys come from: a fixed file read at start, or a URL fetched and cached. */
export interface IssuerKeys {
  getKey(header: Header, token: Token): Promise<Key>;
}

/** `jwks_file`: read once at start (a bad file is a configuration error); an unknown kid is simply unknown. */
export function fixedKeys(raw: unknown, where: string): IssuerKeys {
  let set: JWTVerifyGetKey;
  try {
    set = localKeySet(raw, where);
  } catch (err) {
    throw new RegistryError('BadRequest', messageOf(err), 'see README "OIDC tokens"');
  }
  return { getKey: async (h, t) => set(h, t) };
}

/**
 * `jwks_uri`: fetched on first use and cached. A `kid` not in the cache refetches, at most
 * once per `MIN_REFETCH_MS` and shared by concurrent requests (a storm of forged kids costs
 * the IdP one request per 30 s). A stale cache is refreshed in the background, so an
 * endpoint that is down or slow never stalls a request whose key is cached.
 */
export class RemoteKeys implements IssuerKeys {
  readonly #load: () => Promise<unknown>;
  readonly #now: () => number;
  readonly #uri: string;
  #set: JWTVerifyGetKey | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #attemptedAt = Number.NEGATIVE_INFINITY;
  #refetchedAt = Number.NEGATIVE_INFINITY;
  #refetch: Promise<boolean> = Promise.resolve(true);
  #pending: Promise<boolean> | undefined;
  /** How many times the endpoint was asked (metrics and tests). */
  fetches = 0;

  constructor(uri: string, now: () => number, load: () => Promise<unknown> = () => fetchJwks(uri)) {
    this.#uri = uri;
    this.#now = now;
    this.#load = load;
  }

  async getKey(header: Header, token: Token): Promise<Key> {
    if (this.#set === undefined) {
      // Never loaded (first use, or the endpoint was down): one attempt per MIN_REFETCH_MS.
      if (this.#now() - this.#attemptedAt >= MIN_REFETCH_MS) await this.#fetch();
    } else if (this.#now() - this.#fetchedAt >= REFRESH_MS) {
      void this.#fetch();
    }
    const set = this.#set;
    if (set === undefined) throw this.#unavailable();
    try {
      return await set(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      // SPEC §7: one refetch on an unknown kid, at most once per 30 s; then Unauthorized
      // (the caller maps jose's error).
      // Within the window, concurrent requests share the refetch already made (or under way).
      if (this.#now() - this.#refetchedAt >= MIN_REFETCH_MS) {
        this.#refetchedAt = this.#now();
        this.#refetch = this.#fetch();
      }
      if (!(await this.#refetch)) throw this.#unavailable();
      return (this.#set ?? set)(header, token);
    }
  }

  #unavailable(): RegistryError {
    return new RegistryError(
      'StoreUnavailable',
      `the signing keys of this token's issuer cannot be fetched from ${this.#uri}`,
      'retry later',
    );
  }

  /** Fetches the key set; concurrent callers share one request. False when it failed. */
  #fetch(): Promise<boolean> {
    if (this.#pending === undefined) {
      this.#attemptedAt = this.#now();
      this.fetches += 1;
      this.#pending = this.#load()
        .then((raw) => {
          this.#set = localKeySet(raw, this.#uri);
          this.#fetchedAt = this.#now();
          return true;
        })
        // A failed fetch keeps the cached keys: they are still the issuer's as far as we know.
        .catch(() => false)
        .finally(() => {
          this.#pending = undefined;
        });
    }
    return this.#pending;
  }
}
