import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedKeys, MIN_REFETCH_MS, REFRESH_MS, RemoteKeys } from './jwks-keys.js';

type Jwk = Record<string, unknown>;
let keyA: Jwk;
let keyB: Jwk;
let tokenA: string;
let tokenB: string;

beforeAll(async () => {
  const a = await generateKeyPair('ES256', { extractable: true });
  const b = await generateKeyPair('ES256', { extractable: true });
  keyA = { ...(await exportJWK(a.publicKey)), kid: 'a', alg: 'ES256' };
  keyB = { ...(await exportJWK(b.publicKey)), kid: 'b', alg: 'ES256' };
  tokenA = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'a' }).sign(a.privateKey);
  tokenB = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'b' }).sign(b.privateKey);
});

const header = (t: string) => JSON.parse(Buffer.from(t.split('.')[0] ?? '', 'base64url').toString());
const flat = (t: string) => {
  const [protectedHeader, payload, signature] = t.split('.');
  return { protected: protectedHeader, payload, signature } as never;
};

/** A JWKS endpoint under test control: what it serves, whether it answers, how often it was asked. */
function endpoint(keys: Jwk[]) {
  const e = {
    keys,
    down: false,
    calls: 0,
    gate: undefined as Promise<void> | undefined,
    load: async () => {
      e.calls += 1;
      if (e.gate !== undefined) await e.gate;
      if (e.down) throw new Error('connection refused');
      return { keys: e.keys };
    },
  };
  return e;
}

describe('RemoteKeys', () => {
  it('fetches on first use, then serves from the cache', async () => {
    const ep = endpoint([keyA]);
    const keys = new RemoteKeys('https://idp/jwks', () => 0, ep.load);
    await keys.getKey(header(tokenA), flat(tokenA));
    await keys.getKey(header(tokenA), flat(tokenA));
    expect(ep.calls).toBe(1);
  });

  it('refetches once on an unknown kid, then not again for 30 s, and shares one request', async () => {
    let now = 0;
    const ep = endpoint([keyA]);
    const keys = new RemoteKeys('https://idp/jwks', () => now, ep.load);
    await keys.getKey(header(tokenA), flat(tokenA));
    ep.keys = [keyA, keyB];
    now = 1_000;
    await Promise.all([1, 2, 3].map(() => keys.getKey(header(tokenB), flat(tokenB))));
    expect(ep.calls).toBe(2);
    const forged = { ...header(tokenB), kid: 'forged' };
    await expect(keys.getKey(forged, flat(tokenB))).rejects.toThrow(/no applicable key/i);
    expect(ep.calls).toBe(2);
    now += MIN_REFETCH_MS;
    await expect(keys.getKey(forged, flat(tokenB))).rejects.toThrow(/no applicable key/i);
    expect(ep.calls).toBe(3);
  });

  it('answers StoreUnavailable when the keys were never fetched, trying again only after 30 s', async () => {
    let now = 0;
    const ep = endpoint([keyA]);
    ep.down = true;
    const keys = new RemoteKeys('https://idp/jwks', () => now, ep.load);
    await expect(keys.getKey(header(tokenA), flat(tokenA))).rejects.toThrowRegistryError('StoreUnavailable');
    await expect(keys.getKey(header(tokenA), flat(tokenA))).rejects.toThrowRegistryError('StoreUnavailable');
    expect(ep.calls).toBe(1);
    ep.down = false;
    now = MIN_REFETCH_MS;
    await keys.getKey(header(tokenA), flat(tokenA));
    expect(ep.calls).toBe(2);
  });

  it('refreshes a stale cache in the background: a slow endpoint never stalls a cached key', async () => {
    let now = 0;
    const ep = endpoint([keyA]);
    const keys = new RemoteKeys('https://idp/jwks', () => now, ep.load);
    await keys.getKey(header(tokenA), flat(tokenA));
    let release: () => void = () => undefined;
    ep.gate = new Promise<void>((r) => {
      release = r;
    });
    now = REFRESH_MS;
    // Resolves although the refresh it started is still waiting on the endpoint.
    await keys.getKey(header(tokenA), flat(tokenA));
    expect(ep.calls).toBe(2);
    release();
  });

  it('answers StoreUnavailable for an unknown kid when the refetch fails, keeping the cached keys', async () => {
    let now = 0;
    const ep = endpoint([keyA]);
    const keys = new RemoteKeys('https://idp/jwks', () => now, ep.load);
    await keys.getKey(header(tokenA), flat(tokenA));
    ep.down = true;
    now = 1;
    await expect(keys.getKey(header(tokenB), flat(tokenB))).rejects.toThrowRegistryError('StoreUnavailable');
    await keys.getKey(header(tokenA), flat(tokenA));
  });

  it('refuses a document that is not a JWKS', async () => {
    const keys = new RemoteKeys(
      'https://idp/jwks',
      () => 0,
      async () => ({ nope: 1 }),
    );
    await expect(keys.getKey(header(tokenA), flat(tokenA))).rejects.toThrowRegistryError('StoreUnavailable');
  });
});

describe('fixedKeys', () => {
  it('serves the keys of a file and refuses a malformed one as a configuration error', async () => {
    const keys = fixedKeys({ keys: [keyA] }, 'jwks.json');
    await expect(keys.getKey(header(tokenA), flat(tokenA))).resolves.toBeDefined();
    await expect(keys.getKey(header(tokenB), flat(tokenB))).rejects.toThrow(/no applicable key/i);
    expect(() => fixedKeys([1, 2], 'jwks.json')).toThrowRegistryError('BadRequest', 'jwks.json');
  });
});
