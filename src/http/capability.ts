import { createHmac, timingSafeEqual } from 'node:crypto';
import CaveatPacketType from 'macaroons.js/lib/CaveatPacketType.js';
import type Macaroon from 'macaroons.js/lib/Macaroon.js';
import MacaroonsBuilder from 'macaroons.js/lib/MacaroonsBuilder.js';
import MacaroonsDeSerializer from 'macaroons.js/lib/MacaroonsDeSerializer.js';
import { RegistryError } from '../core/errors.js';
import { type AccessRequest, type Capability, type MintOptions, SCOPES } from './capability.types.js';
import { formatRfc3339Utc, parseCaveats } from './capability-caveats.js';

export type { AccessRequest, Capability, MintOptions, Scope } from './capability.types.js';
export { SCOPES } from './capability.types.js';

/** Longest accepted token (base64 characters): far above any honest token, well below abuse. */
export const MAX_TOKEN_CHARS = 8192;
/** Most caveats accepted on one token. */
export const MAX_CAVEATS = 32;

const ROOT_KEY_HEX = /^(?:[0-9a-fA-F]{2}){32,}$/;
// RFC 6750 §2.1: `Bearer 1*SP b64token`; the scheme is case-insensitive (RFC 7235 §2.1).
const BEARER = /^Bearer +(\S+) *$/i;
// base64url or standard base64 (pymacaroons), padding optional.
const BASE64_ANY = /^[A-Za-z0-9+/_-]+={0,2}$/;
const LIST_VALUES = /^\S+(?: \S+)*$/;
const PRINTABLE_NAME = /^\P{Cc}{1,256}$/u;
const SCOPE_SET: ReadonlySet<string> = new Set(SCOPES);
const LAST_RFC3339_MS = Date.UTC(10000, 0, 1);

function unauthorized(message: string): RegistryError {
  return new RegistryError('Unauthorized', message);
}

function forbidden(message: string): RegistryError {
  return new RegistryError('Forbidden', message);
}

/**
 * SPEC §7: the signature chain starts, as in libmacaroons, from
 * HMAC-SHA256(key = "macaroons-key-generator", message = root key bytes). macaroons.js would
 * derive from a string key as UTF-8 text (not the hex's bytes), so we hand it this Buffer.
 */
function deriveKey(rootKeyHex: string): Buffer {
  if (!ROOT_KEY_HEX.test(rootKeyHex)) {
    // Never echo the value: it is the secret.
    throw new RegistryError(
      'BadRequest',
      'MACAROON_ROOT_KEY must be an even number of hex digits, at least 64 (32 bytes)',
      'generate one with `openssl rand -hex 32`',
    );
  }
  return createHmac('sha256', 'macaroons-key-generator').update(Buffer.from(rootKeyHex, 'hex')).digest();
}

/**
 * Strict base64 of the token (attacker-controlled): either alphabet, padding optional but
 * consistent, and canonical (zero trailing bits), so one byte string has one meaning.
 * Returns the unpadded base64url spelling and the bytes, or undefined.
 */
function decodeToken(token: string): { readonly text: string; readonly bytes: Buffer } | undefined {
  if (!BASE64_ANY.test(token)) return undefined;
  const body = token.replace(/=+$/, '');
  if (body.length % 4 === 1 || (body.length !== token.length && token.length % 4 !== 0)) return undefined;
  const text = body.replaceAll('+', '-').replaceAll('/', '_');
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? { text, bytes } : undefined;
}

/**
 * Parses the libmacaroons v1 binary format with macaroons.js, then demands that
 * macaroons.js serialises the result back to the very same bytes. Its parser is lenient
 * (skips unknown packets, stops at an empty one, truncates signatures, decodes UTF-8 lossily,
 * takes the last of duplicate packets); the round trip rejects every such token.
 */
function parseMacaroon(token: { readonly text: string }): Macaroon | undefined {
  try {
    const m = MacaroonsDeSerializer.deserialize(token.text);
    return m.serialize() === token.text ? m : undefined;
  } catch {
    return undefined;
  }
}

/** sig0 = HMAC(derivedKey, identifier), sig_i = HMAC(sig_{i-1}, caveat_i): first-party caveats only. */
function chainSignature(derivedKey: Buffer, identifier: Buffer, caveats: readonly Buffer[]): Buffer {
  let sig = createHmac('sha256', derivedKey).update(identifier).digest();
  for (const caveat of caveats) sig = createHmac('sha256', sig).update(caveat).digest();
  return sig;
}

/** RFC 6750 `Bearer <token>` (attacker-controlled), bounded; Unauthorized otherwise. */
export function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization === '') throw unauthorized('missing Authorization header');
  if (authorization.length > MAX_TOKEN_CHARS + 64) throw unauthorized('token too long');
  const match = BEARER.exec(authorization);
  if (match === null) throw unauthorized('Authorization is not `Bearer <token>`');
  const token = match[1] ?? '';
  if (token.length > MAX_TOKEN_CHARS) throw unauthorized('token too long');
  return token;
}

export class Authenticator {
  readonly #key: Buffer | undefined;
  readonly #now: () => number;

  /** `undefined`: a mirror without MACAROON_ROOT_KEY (and without READ_AUTH), which verifies no macaroon. */
  constructor(rootKeyHex: string | undefined, now: () => number = Date.now) {
    this.#key = rootKeyHex === undefined ? undefined : deriveKey(rootKeyHex);
    this.#now = now;
  }

  static none(): Authenticator {
    return new Authenticator(undefined);
  }

  /**
   * Parses and verifies an `Authorization` header value (attacker-controlled), SPEC §7.
   * Every refusal is Unauthorized, and no message contains the token.
   */
  authenticate(authorization: string | undefined): Capability {
    const token = bearerToken(authorization);
    if (this.#key === undefined) {
      throw new RegistryError(
        'Unauthorized',
        'this mirror has no MACAROON_ROOT_KEY: it verifies no tokens',
        'send writes and token-scoped requests to the upstream',
      );
    }
    const decoded = decodeToken(token);
    if (decoded === undefined) throw unauthorized('token is not base64');
    const m = parseMacaroon(decoded);
    if (m === undefined) throw unauthorized('token is not a well-formed libmacaroons v1 macaroon');
    if (m.caveatPackets.length > MAX_CAVEATS)
      throw unauthorized(`token has more than ${MAX_CAVEATS} caveats`);
    // SPEC §7: third-party caveats deny (vid/cl packets exist only for them).
    if (m.caveatPackets.some((c) => c.type !== CaveatPacketType.cid)) {
      throw unauthorized('third-party caveats are not accepted');
    }
    const caveats = m.caveatPackets.map((c) => c.getRawValue());
    const expected = chainSignature(this.#key, Buffer.from(m.identifier, 'utf8'), caveats);
    const actual = m.signatureBuffer;
    // macaroons.js compares signatures with Buffer#equals (not constant-time): compare here instead.
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw unauthorized('token signature does not verify');
    }
    // Only a genuine token's caveats are interpreted: a forger learns nothing about the grammar.
    const set = parseCaveats(
      m.caveatPackets.map((c) => c.getValueAsText()),
      this.#now(),
    );
    return Object.freeze({ identifier: m.identifier, ...set });
  }
}

/**
 * SPEC §5/§7: Forbidden unless the (sound) capability permits the request: at least one
 * `scope` caveat, the scope in every one; and when the request names a descriptor, its id
 * matching an alternative of every `id-prefix` caveat and its kind in every `kind` caveat.
 */
export function authorize(cap: Capability, req: AccessRequest): void {
  if (cap.scopes.length === 0) throw forbidden('token has no scope caveat');
  if (!cap.scopes.every((list) => list.includes(req.scope))) {
    throw forbidden(`token scope does not admit ${req.scope}`);
  }
  const id = req.descriptorId;
  if (id !== undefined && !cap.idPrefixes.every((alts) => alts.some((p) => id.startsWith(p)))) {
    throw forbidden(`token id-prefix does not admit descriptor ${id}`);
  }
  const kind = req.kind;
  if (kind !== undefined && !cap.kinds.every((list) => list.includes(kind))) {
    throw forbidden(`token kind does not admit kind ${kind}`);
  }
}

/** Mints a libmacaroons v1 token (unpadded base64url) that `Authenticator` accepts; `registry token mint`. */
export function mintToken(rootKeyHex: string, opts: MintOptions): string {
  const key = deriveKey(rootKeyHex);
  if (!PRINTABLE_NAME.test(opts.identifier)) {
    throw new RegistryError('BadRequest', 'identifier: 1..256 characters, no control characters');
  }
  if (opts.scopes.length === 0 || !opts.scopes.every((s) => SCOPE_SET.has(s))) {
    throw new RegistryError('BadRequest', `scopes: at least one of ${SCOPES.join(', ')}`);
  }
  const caveats = [`scope = ${opts.scopes.join(' ')}`];
  if (opts.idPrefix !== undefined) {
    if (!LIST_VALUES.test(opts.idPrefix))
      throw new RegistryError('BadRequest', 'idPrefix: space-separated prefixes');
    caveats.push(`id-prefix = ${opts.idPrefix}`);
  }
  if (opts.kinds !== undefined) {
    if (!LIST_VALUES.test(opts.kinds.join(' ')) || opts.kinds.some((k) => /\s/.test(k))) {
      throw new RegistryError('BadRequest', 'kinds: at least one kind, no whitespace');
    }
    caveats.push(`kind = ${opts.kinds.join(' ')}`);
  }
  if (opts.ttlMs !== undefined) {
    if (!Number.isSafeInteger(opts.ttlMs) || opts.ttlMs <= 0) {
      throw new RegistryError('BadRequest', 'ttlMs: a positive integer');
    }
    const expiry = (opts.now ?? Date.now()) + opts.ttlMs;
    // RFC 3339 has four-digit years.
    if (!(expiry < LAST_RFC3339_MS)) throw new RegistryError('BadRequest', 'ttlMs: expiry past year 9999');
    caveats.push(`time < ${formatRfc3339Utc(expiry)}`);
  }
  const builder = new MacaroonsBuilder(opts.location ?? 'registry', key, opts.identifier);
  for (const c of caveats) builder.add_first_party_caveat(c);
  return builder.getMacaroon().serialize();
}
