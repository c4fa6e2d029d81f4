import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payload } from '../src/core/index.js';
import { KEYS, proposalBody, servicePayload, tempDir } from './helpers/fixtures.js';
import { forgedJwt, type OpensslKey, opensslJwt, opensslKey } from './helpers/jwt-openssl.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';
import { collect } from './helpers/sse.js';

// SPEC §7 OIDC tokens and read scoping, black-box: JWTs signed by OpenSSL (not jose), JWKS
// served on loopback and from a file, the attack list, and every read route under READ_AUTH.

const CI = 'https://ci.example';
const SSO = 'https://sso.example';
const DOWN = 'https://down.example';
const REPO = { repository: 'org/topology', ref: 'refs/heads/main' };

const dir = tempDir('registry-oidc-');
let rsa: OpensslKey;
let ed: OpensslKey;
let rotated: OpensslKey;
let stranger: OpensslKey;
let ssoKey: OpensslKey;
let jwks: { keys: Record<string, unknown>[] };
let jwksStatus = 200;
let fetches = 0;
let jwksServer: Server;
let srv: TestServer;
let admin: string;

const nowS = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  iss: CI,
  aud: 'registry',
  sub: 'repo:org/topology:ref:refs/heads/main',
  iat: nowS(),
  exp: nowS() + 600,
  ...REPO,
  ...extra,
});

async function call(method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${srv.url}/v1/registry${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: Record<string, unknown> & { error?: { code: string; message: string } } = {};
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json, text };
}

const version = async () => (await call('GET', '/version', admin)).json.version as number;

/** Proposes then applies `payload` with `token`; returns the two statuses. */
async function write(payload: Payload, token: string) {
  const p = await call('POST', '/proposals', token, proposalBody(payload, [KEYS[0], KEYS[1]]));
  if (p.status !== 202) return { propose: p.status, code: p.json.error?.code };
  const a = await call('POST', `/apply/${p.json.proposal_id as string}`, token);
  return { propose: p.status, apply: a.status, code: a.json.error?.code };
}

beforeAll(async () => {
  rsa = opensslKey(dir.path, 'RS256', 'rsa-1');
  ed = opensslKey(dir.path, 'EdDSA', 'ed-1');
  rotated = opensslKey(dir.path, 'EdDSA', 'ed-2');
  stranger = opensslKey(dir.path, 'RS256', 'rsa-stranger');
  ssoKey = opensslKey(dir.path, 'EdDSA', 'sso-1');
  jwks = { keys: [rsa.jwk, ed.jwk] };
  jwksServer = createServer((_req, res) => {
    fetches += 1;
    res.writeHead(jwksStatus, { 'content-type': 'application/json' });
    res.end(jwksStatus === 200 ? JSON.stringify(jwks) : '{}');
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  const port = (jwksServer.address() as AddressInfo).port;
  writeFileSync(`${dir.path}/sso-jwks.json`, JSON.stringify({ keys: [ssoKey.jwk] }));
  writeFileSync(
    `${dir.path}/issuers.json`,
    JSON.stringify([
      {
        issuer: CI,
        audience: 'registry',
        jwks_uri: `http://127.0.0.1:${port}/jwks.json`,
        rules: [
          {
            match: REPO,
            grant: { scope: ['registry:read', 'registry:propose', 'registry:apply'], 'id-prefix': 'svc-' },
          },
          { match: { repository: 'org/topology' }, grant: { scope: ['registry:read'], 'id-prefix': 'svc-' } },
        ],
      },
      {
        issuer: SSO,
        audience: 'registry',
        jwks_file: 'sso-jwks.json',
        rules: [{ match: { groups: 'ops' }, grant: { scope: ['registry:read'] } }],
      },
      // Nothing listens on port 9: its keys can never be fetched.
      {
        issuer: DOWN,
        audience: 'registry',
        jwks_uri: 'http://127.0.0.1:9/jwks.json',
        rules: [{ match: { sub: 'x' }, grant: { scope: ['registry:read'] } }],
      },
    ]),
  );
  srv = await startTestServer({
    OIDC_ISSUERS: `${dir.path}/issuers.json`,
    READ_AUTH: 'true',
    WRITE_RATE: '1000',
  });
  admin = srv.token(ALL_SCOPES, { identifier: 'ops-admin' });
  // Data outside the bot's scope, written with a macaroon.
  expect(
    (
      await write(
        { ...servicePayload('node-a'), kind: 'node', body: { region: 'us-east-1', addr: '10.0.0.9:7000' } },
        admin,
      )
    ).apply,
  ).toBe(200);
});

afterAll(async () => {
  await srv?.stop();
  await new Promise<void>((r) => jwksServer.close(() => r()));
  dir.cleanup();
});

describe('a CI bot that proposes with its OIDC token', () => {
  it('proposes and applies a svc- descriptor with an RS256 token; applied_by is oidc:<iss>#<sub>', async () => {
    const token = opensslJwt(dir.path, rsa, claims());
    expect(await write(servicePayload('svc-bot'), token)).toEqual({
      propose: 202,
      apply: 200,
      code: undefined,
    });
    const r = srv.running.state.registry;
    const log = await r?.store.log((await version()) - 1, 1);
    expect(log?.[0]?.applied_by).toBe(`oidc:${CI}#repo:org/topology:ref:refs/heads/main`);
    expect(srv.logs()).toContain(`oidc:${CI}#repo:org/topology:ref:refs/heads/main`);
    expect(srv.logs()).not.toContain(token.split('.')[2]);
  });

  it('accepts EdDSA tokens, and an array aud containing the audience', async () => {
    const token = opensslJwt(dir.path, ed, claims({ aud: ['other', 'registry'] }));
    expect((await call('GET', '/descriptors/svc-bot', token)).status).toBe(200);
  });

  it('is Forbidden outside its id-prefix, and writes nothing', async () => {
    const before = await version();
    const token = opensslJwt(dir.path, rsa, claims());
    const out = await write(servicePayload('db-main'), token);
    expect(out).toMatchObject({ propose: 403, code: 'Forbidden' });
    expect(await version()).toBe(before);
  });

  it('takes the first matching rule: a token from another branch may only read', async () => {
    const token = opensslJwt(dir.path, rsa, claims({ ref: 'refs/heads/feature' }));
    expect((await call('GET', '/descriptors/svc-bot', token)).status).toBe(200);
    expect((await write(servicePayload('svc-feature'), token)).code).toBe('Forbidden');
  });

  it('picks up a rotated key: an unknown kid refetches the JWKS once', async () => {
    jwks = { keys: [rsa.jwk, ed.jwk, rotated.jwk] };
    const before = fetches;
    const token = opensslJwt(dir.path, rotated, claims());
    expect((await call('GET', '/descriptors/svc-bot', token)).status).toBe(200);
    expect(fetches).toBe(before + 1);
  });
});

describe('the attack list: each answers its SPEC code and writes nothing', () => {
  const hs256 = () => {
    // Algorithm confusion: HMAC keyed with the issuer's public key.
    const header = { alg: 'HS256', typ: 'JWT', kid: 'rsa-1' };
    const unsigned = forgedJwt(claims(), header).slice(0, -1);
    const sig = createHmac('sha256', JSON.stringify(rsa.jwk)).update(unsigned).digest('base64url');
    return `${unsigned}.${sig}`;
  };
  const cases: Array<[string, () => string, number, string]> = [
    ['alg none', () => forgedJwt(claims(), { alg: 'none', typ: 'JWT' }), 401, 'Unauthorized'],
    ['HS256 signed with the public key', hs256, 401, 'Unauthorized'],
    ['a wrong aud', () => opensslJwt(dir.path, rsa, claims({ aud: 'someone-else' })), 401, 'Unauthorized'],
    [
      'an unconfigured iss',
      () => opensslJwt(dir.path, rsa, claims({ iss: 'https://evil.example' })),
      401,
      'Unauthorized',
    ],
    [
      'expired beyond the skew',
      () => opensslJwt(dir.path, rsa, claims({ exp: nowS() - 120 })),
      401,
      'Unauthorized',
    ],
    [
      'not valid for another 2 minutes',
      () => opensslJwt(dir.path, rsa, claims({ nbf: nowS() + 120 })),
      401,
      'Unauthorized',
    ],
    ['no exp', () => opensslJwt(dir.path, rsa, { ...claims(), exp: undefined }), 401, 'Unauthorized'],
    ['no sub', () => opensslJwt(dir.path, rsa, { ...claims(), sub: undefined }), 401, 'Unauthorized'],
    [
      "another key under the issuer's kid",
      () => opensslJwt(dir.path, stranger, claims(), { kid: 'rsa-1' }),
      401,
      'Unauthorized',
    ],
    ["another issuer's key and kid", () => opensslJwt(dir.path, ssoKey, claims()), 401, 'Unauthorized'],
    [
      'a tampered payload',
      () => {
        const [h, , s] = opensslJwt(dir.path, rsa, claims()).split('.');
        return `${h}.${Buffer.from(JSON.stringify(claims({ 'id-prefix': '' }))).toString('base64url')}.${s}`;
      },
      401,
      'Unauthorized',
    ],
    [
      'claims no rule matches',
      () => opensslJwt(dir.path, rsa, claims({ repository: 'org/other' })),
      403,
      'Forbidden',
    ],
  ];
  it.each(cases)('%s', async (_name, make, status, code) => {
    const before = await version();
    const token = make();
    const p = await call(
      'POST',
      '/proposals',
      token,
      proposalBody(servicePayload('svc-attack'), [KEYS[0], KEYS[1]]),
    );
    expect(p.status).toBe(status);
    expect(p.json.error?.code).toBe(code);
    expect((await call('GET', '/descriptors/svc-bot', token)).status).toBe(status);
    expect(await version()).toBe(before);
  });

  it('answers an unknown kid Unauthorized after one refetch, and rate-limits a kid storm', async () => {
    // The rotation test refetched moments ago: within 30 s no further request reaches the IdP.
    const before = fetches;
    const storm = Array.from({ length: 25 }, (_, i) =>
      call('GET', '/descriptors/svc-bot', opensslJwt(dir.path, rsa, claims(), { kid: `forged-${i}` })),
    );
    for (const r of await Promise.all(storm)) expect(r.json.error?.code).toBe('Unauthorized');
    expect(fetches - before).toBeLessThanOrEqual(1);
  });

  it('keeps accepting tokens with cached keys while the JWKS endpoint is down', async () => {
    jwksStatus = 503;
    try {
      expect((await call('GET', '/descriptors/svc-bot', opensslJwt(dir.path, rsa, claims()))).status).toBe(
        200,
      );
    } finally {
      jwksStatus = 200;
    }
  });

  it("answers StoreUnavailable (retryable) when an issuer's keys cannot be fetched", async () => {
    const r = await call('GET', '/version', opensslJwt(dir.path, rsa, { ...claims(), iss: DOWN, sub: 'x' }));
    expect(r.status).toBe(503);
    expect(r.json.error?.code).toBe('StoreUnavailable');
  });

  it('verifies tokens of a jwks_file issuer', async () => {
    const ok = opensslJwt(dir.path, ssoKey, { ...claims(), iss: SSO, sub: 'alice', groups: ['ops', 'dev'] });
    expect((await call('GET', '/descriptors/node-a', ok)).status).toBe(200);
    const bad = opensslJwt(dir.path, ssoKey, { ...claims(), iss: SSO, sub: 'mallory', groups: ['dev'] });
    expect((await call('GET', '/descriptors/node-a', bad)).json.error?.code).toBe('Forbidden');
  });
});

describe('read scoping with READ_AUTH=true (SPEC §7)', () => {
  const svcReader = () => srv.token(['registry:read'], { idPrefix: 'svc-', identifier: 'tenant-svc' });
  const serviceKind = () => srv.token(['registry:read'], { kinds: ['service'], identifier: 'tenant-kind' });

  it('lists only the ids the token may read (and the governance it verifies with)', async () => {
    const ids = ((await call('GET', '/descriptors', svcReader())).json.items as Array<{ id: string }>).map(
      (i) => i.id,
    );
    expect(ids).toContain('svc-bot');
    expect(ids).not.toContain('node-a');
    expect(ids.every((id) => id.startsWith('svc-') || id === 'governance')).toBe(true);
    const byKind = (
      (await call('GET', '/descriptors', serviceKind())).json.items as Array<{ id: string }>
    ).map((i) => i.id);
    expect(byKind).toContain('svc-bot');
    expect(byKind).not.toContain('node-a');
  });

  it('fills a page from further snapshot pages and pages on with next_cursor', async () => {
    const first = await call('GET', '/descriptors?limit=1', svcReader());
    const items = first.json.items as Array<{ id: string }>;
    expect(items).toHaveLength(1);
    const all = [items[0]?.id];
    let cursor = first.json.next_cursor as string | null;
    while (cursor !== null) {
      const next = await call('GET', `/descriptors?limit=1&cursor=${cursor}`, svcReader());
      all.push(...(next.json.items as Array<{ id: string }>).map((i) => i.id));
      cursor = next.json.next_cursor as string | null;
    }
    expect(all).toEqual(['governance', 'svc-bot']);
  });

  it.each([['/descriptors/node-a'], ['/descriptors/node-a/versions'], ['/descriptors/node-a/versions/1']])(
    'answers %s NotFound, as if absent',
    async (path) => {
      for (const token of [svcReader(), serviceKind()]) {
        const r = await call('GET', path, token);
        expect(r.status).toBe(404);
        expect(r.json.error?.code).toBe('NotFound');
      }
      expect((await call('GET', path, admin)).status).toBe(200);
    },
  );

  it('keeps governance, /version and /regions/map readable', async () => {
    expect((await call('GET', '/descriptors/governance', svcReader())).status).toBe(200);
    expect((await call('GET', '/version', svcReader())).status).toBe(200);
    // No region map is applied here: 404 for everyone, not a scope refusal.
    expect((await call('GET', '/regions/map', svcReader())).json.error?.message).toMatch(/no region map/);
  });

  it("hides another tenant's proposal", async () => {
    const p = await call(
      'POST',
      '/proposals',
      admin,
      proposalBody(
        { ...servicePayload('node-b'), kind: 'node', body: { region: 'eu', addr: '10.0.0.10:7000' } },
        [KEYS[0]],
      ),
    );
    const scoped = srv.token(['registry:read', 'registry:propose'], { idPrefix: 'svc-' });
    const r = await call('GET', `/proposals/${p.json.proposal_id as string}`, scoped);
    expect(r.status).toBe(404);
    expect((await call('GET', `/proposals/${p.json.proposal_id as string}`, admin)).status).toBe(200);
  });

  it('requires /watch?prefix= inside an id-prefix caveat, and sends only matching events', async () => {
    expect((await call('GET', '/watch', svcReader())).json.error?.code).toBe('Forbidden');
    expect((await call('GET', '/watch?prefix=node-', svcReader())).json.error?.code).toBe('Forbidden');
    const res = await fetch(`${srv.url}/v1/registry/watch?prefix=svc-`, {
      headers: { authorization: `Bearer ${svcReader()}` },
    });
    expect(res.status).toBe(200);
    const seen = await collect(res, (s) => s.some((m) => m.event === 'progress'));
    const ids = seen.filter((m) => m.event !== 'progress').map((m) => JSON.parse(m.data).subject as string);
    expect(ids).toEqual(['svc-bot']);
    const kindRes = await fetch(`${srv.url}/v1/registry/watch`, {
      headers: { authorization: `Bearer ${serviceKind()}` },
    });
    const kindSeen = await collect(kindRes, (s) => s.some((m) => m.event === 'progress'));
    // A kind-scoped watcher still sees governance: it needs rotations to verify what it reads.
    expect(kindSeen.filter((m) => m.event !== 'progress').map((m) => JSON.parse(m.data).subject)).toEqual([
      'governance',
      'svc-bot',
    ]);
  });
});
