import { decodeJwt, errors, jwtVerify } from 'jose';
import { RegistryError } from '../../core/index.js';
import type { Capability } from '../capability.types.js';
import type { IssuerKeys } from './jwks-keys.js';
import { firstMatchingRule, type OidcIssuer } from './oidc-config.js';

/** SPEC §7: asymmetric algorithms only; `none` and HMAC (with a public key as secret) never. */
export const OIDC_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
/** SPEC §7: `exp` and `nbf` allow this much clock skew. */
export const CLOCK_SKEW_SECONDS = 60;

/** A compact JWS: three base64url segments. Macaroons (base64, no dots) never look like this. */
const COMPACT_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function looksLikeJwt(token: string): boolean {
  return COMPACT_JWT.test(token);
}

function unauthorized(message: string): RegistryError {
  return new RegistryError('Unauthorized', message, 'send a fresh token from a configured OIDC issuer');
}

/** What jose refused, in words that name no key and echo no token. */
function refusal(err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  if (err instanceof errors.JWTExpired) return unauthorized('token has expired');
  if (err instanceof errors.JWTClaimValidationFailed)
    return unauthorized(`token claim ${err.claim} is not acceptable: ${err.reason}`);
  if (err instanceof errors.JOSEAlgNotAllowed)
    return unauthorized(`token algorithm is not one of ${OIDC_ALGORITHMS.join(', ')}`);
  if (err instanceof errors.JWKSNoMatchingKey)
    return unauthorized("token's key id is not among its issuer's keys");
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return unauthorized('token signature does not verify');
  return unauthorized('token is not a valid JWT');
}

/**
 * SPEC §7 OIDC tokens: a Bearer JWT is verified with jose against its issuer's keys, then
 * mapped by the issuer's first matching rule to the caveats a macaroon would carry.
 */
export class OidcVerifier {
  readonly #issuers: ReadonlyMap<string, { readonly config: OidcIssuer; readonly keys: IssuerKeys }>;
  readonly #now: () => number;

  constructor(
    issuers: ReadonlyArray<{ config: OidcIssuer; keys: IssuerKeys }>,
    now: () => number = Date.now,
  ) {
    this.#issuers = new Map(issuers.map((i) => [i.config.issuer, i]));
    this.#now = now;
  }

  /** Verifies a compact JWT (attacker-controlled); Unauthorized, Forbidden or StoreUnavailable otherwise. */
  async verify(token: string): Promise<Capability> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw unauthorized('token is not a valid JWT');
    }
    const issuer = typeof iss === 'string' ? this.#issuers.get(iss) : undefined;
    if (issuer === undefined) throw unauthorized('token issuer is not configured in OIDC_ISSUERS');
    let claims: Record<string, unknown>;
    try {
      const verified = await jwtVerify(token, (h, t) => issuer.keys.getKey(h, t), {
        issuer: issuer.config.issuer,
        audience: issuer.config.audience,
        algorithms: [...OIDC_ALGORITHMS],
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(this.#now()),
      });
      claims = verified.payload as Record<string, unknown>;
    } catch (err) {
      throw refusal(err);
    }
    const sub = claims.sub;
    if (typeof sub !== 'string' || sub === '')
      throw unauthorized('token claim sub must be a non-empty string');
    const rule = firstMatchingRule(issuer.config.rules, claims);
    if (rule === undefined) {
      throw new RegistryError(
        'Forbidden',
        `no OIDC_ISSUERS rule of ${issuer.config.issuer} matches this token's claims`,
        'add a rule for these claims',
      );
    }
    const exp = claims.exp as number;
    return Object.freeze({
      identifier: `oidc:${issuer.config.issuer}#${sub}`,
      scopes: [rule.grant.scope],
      idPrefixes: rule.grant.idPrefix === undefined ? [] : [rule.grant.idPrefix],
      kinds: rule.grant.kind === undefined ? [] : [rule.grant.kind],
      expiresAt: exp * 1000,
    });
  }
}
