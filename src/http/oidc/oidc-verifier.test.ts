import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedKeys } from './jwks-keys.js';
import { parseOidcIssuers } from './oidc-config.js';
import { looksLikeJwt, OidcVerifier } from './oidc-verifier.js';

const NOW = 1_800_000_000_000;
const ISS = 'https://idp.example';
let sign: (claims: Record<string, unknown>, alg?: string) => Promise<string>;
let verifier: OidcVerifier;

beforeAll(async () => {
  const es = await generateKeyPair('ES256', { extractable: true });
  const [config] = parseOidcIssuers([
    {
      issuer: ISS,
      audience: 'registry',
      jwks_file: 'unused',
      rules: [
        { match: { team: 'ops' }, grant: { scope: ['registry:read', 'registry:apply'], kind: ['service'] } },
      ],
    },
  ]);
  if (config === undefined) throw new Error('no config');
  const jwk = { ...(await exportJWK(es.publicKey)), kid: 'es-1', alg: 'ES256' };
  verifier = new OidcVerifier([{ config, keys: fixedKeys({ keys: [jwk] }, 'test') }], () => NOW);
  sign = (claims) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'es-1' }).sign(es.privateKey);
});

const s = (ms: number) => Math.floor(ms / 1000);
const base = () => ({ iss: ISS, aud: 'registry', sub: 'alice', team: 'ops', exp: s(NOW) + 300 });

describe('OidcVerifier', () => {
  it('maps a verified ES256 token to the caveats of its rule, named oidc:<iss>#<sub>', async () => {
    const cap = await verifier.verify(await sign(base()));
    expect(cap).toEqual({
      identifier: `oidc:${ISS}#alice`,
      scopes: [['registry:read', 'registry:apply']],
      idPrefixes: [],
      kinds: [['service']],
      expiresAt: (s(NOW) + 300) * 1000,
    });
  });

  describe('clock skew (SPEC §7: 60 s)', () => {
    it('accepts exp 59 s ago and nbf 59 s ahead', async () => {
      await expect(verifier.verify(await sign({ ...base(), exp: s(NOW) - 59 }))).resolves.toBeDefined();
      await expect(verifier.verify(await sign({ ...base(), nbf: s(NOW) + 59 }))).resolves.toBeDefined();
    });

    it('refuses exp 61 s ago and nbf 61 s ahead', async () => {
      await expect(verifier.verify(await sign({ ...base(), exp: s(NOW) - 61 }))).rejects.toThrowRegistryError(
        'Unauthorized',
        'expired',
      );
      await expect(verifier.verify(await sign({ ...base(), nbf: s(NOW) + 61 }))).rejects.toThrowRegistryError(
        'Unauthorized',
        'nbf',
      );
    });
  });

  it.each(['not-a-jwt', 'a.b.c', '', 'eyJhbGciOiJub25lIn0.e30.'])('refuses %j as Unauthorized', async (t) => {
    await expect(verifier.verify(t)).rejects.toThrowRegistryError('Unauthorized');
  });

  it('refuses an empty sub and a sub that is not a string', async () => {
    await expect(verifier.verify(await sign({ ...base(), sub: '' }))).rejects.toThrowRegistryError(
      'Unauthorized',
    );
  });

  it('answers Forbidden when no rule matches', async () => {
    await expect(verifier.verify(await sign({ ...base(), team: 'dev' }))).rejects.toThrowRegistryError(
      'Forbidden',
    );
  });
});

describe('looksLikeJwt', () => {
  it('tells a compact JWS from a macaroon', () => {
    expect(looksLikeJwt('eyJh.eyJ.sig')).toBe(true);
    expect(looksLikeJwt('MDAxY2xvY2F0aW9uIHJlZ2lzdHJ5CjAwMWFpZGVudGlmaWVy')).toBe(false);
    expect(looksLikeJwt('a.b')).toBe(false);
  });
});
