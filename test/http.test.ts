import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payload } from '../src/core/index.js';
import { signPayload } from '../src/core/index.js';
import { ROUTES } from '../src/http/routes.js';
import { KEYS, NOW, proposalBody, servicePayload } from './helpers/fixtures.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let writer: string;

beforeAll(async () => {
  srv = await startTestServer({ WRITE_RATE: '1000' });
  writer = srv.token(ALL_SCOPES, { identifier: 'ops-writer' });
});
afterAll(async () => {
  await srv.stop();
});

const base = () => `${srv.url}/v1/registry`;

async function call(
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(path.startsWith('http') ? path : `${base()}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { res, text, json: (json ?? {}) as Record<string, unknown> & { error?: Record<string, unknown> } };
}

/** Asserts the SPEC §5 envelope: status, code, all six fields, request_id = header. */
async function expectError(p: ReturnType<typeof call>, status: number, code: string) {
  const { res, json } = await p;
  expect(res.status).toBe(status);
  expect(json.error).toBeDefined();
  const e = json.error as Record<string, unknown>;
  expect(e.code).toBe(code);
  expect(Object.keys(e).sort()).toEqual(['code', 'hint', 'message', 'request_id', 'retryable', 'ts']);
  expect(typeof e.message).toBe('string');
  expect(typeof e.hint).toBe('string');
  expect(e.request_id).toBe(res.headers.get('x-request-id'));
  expect(e.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  return { res, error: e };
}

async function publish(payload: Payload, signers = [KEYS[0], KEYS[1]]) {
  const p = await call('POST', '/proposals', { body: proposalBody(payload, signers), token: writer });
  expect(p.res.status).toBe(202);
  const a = await call('POST', `/apply/${p.json.proposal_id}`, { token: writer });
  expect(a.res.status).toBe(200);
  return a.json as unknown as { version: number; digest: string; descriptor_version: number };
}

describe('health, readiness, version', () => {
  it('answers /healthz, /readyz, /version at the root and under the base', async () => {
    for (const prefix of [srv.url, base()]) {
      expect((await call('GET', `${prefix}/healthz`)).json).toEqual({ status: 'ok' });
      const ready = await call('GET', `${prefix}/readyz`);
      expect(ready.res.status).toBe(200);
      expect(ready.json).toMatchObject({ ready: true, store: 'ok', bus: 'ok', writes: 'ok' });
      const v = await call('GET', `${prefix}/version`);
      expect(v.json).toEqual({ version: expect.any(Number) });
    }
  });

  it('puts X-Request-Id on every response and keeps a well-formed incoming one', async () => {
    const kept = await call('GET', '/version', { headers: { 'x-request-id': 'client-123' } });
    expect(kept.res.headers.get('x-request-id')).toBe('client-123');
    const replaced = await call('GET', '/version', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(replaced.res.headers.get('x-request-id')).toMatch(/^r-/);
    const fast = await call('GET', '/descriptors/governance', { headers: { 'x-request-id': 'fast-1' } });
    expect(fast.res.headers.get('x-request-id')).toBe('fast-1');
    const err = await call('GET', '/nope', { headers: { 'x-request-id': 'err-1' } });
    expect(err.res.headers.get('x-request-id')).toBe('err-1');
    expect(err.json.error?.request_id).toBe('err-1');
  });
});

describe('propose → cosign → apply → read', () => {
  it('walks the whole flow with SPEC bodies and headers', async () => {
    const payload = servicePayload('svc-flow');
    const p1 = await call('POST', '/proposals', { body: proposalBody(payload, [KEYS[0]]), token: writer });
    expect(p1.res.status).toBe(202);
    expect(p1.json).toMatchObject({ status: 'pending', signatures: 1, threshold: 2 });
    expect(p1.json.expires_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const pid = p1.json.proposal_id as string;

    const got = await call('GET', `/proposals/${pid}`, { token: writer });
    expect(got.json).toMatchObject({ proposal_id: pid, status: 'pending', descriptor: payload });

    const c = await call('POST', `/proposals/${pid}/signatures`, {
      body: { signatures: [signPayload(payload, KEYS[2], NOW)] },
      token: writer,
    });
    expect(c.res.status).toBe(202);
    expect(c.json).toMatchObject({ proposal_id: pid, status: 'ready', signatures: 2 });

    const a = await call('POST', `/apply/${pid}`, { token: writer });
    expect(a.res.status).toBe(200);
    expect(a.json).toMatchObject({ descriptor_id: 'svc-flow', descriptor_version: 1, digest: pid });
    const again = await call('POST', `/apply/${pid}`, { token: writer });
    expect(again.json).toEqual(a.json);

    const head = await call('GET', '/descriptors/svc-flow');
    expect(head.res.status).toBe(200);
    expect(head.res.headers.get('etag')).toBe(`"${pid}"`);
    expect(Number(head.res.headers.get('x-registry-version'))).toBeGreaterThanOrEqual(
      a.json.version as number,
    );
    expect(JSON.parse(head.text)).toMatchObject({ ...payload, signatures: expect.any(Array) });

    const cached = await call('GET', '/descriptors/svc-flow', { headers: { 'if-none-match': `"${pid}"` } });
    expect(cached.res.status).toBe(304);
    expect(cached.text).toBe('');

    expect((await call('GET', `/proposals/${pid}`, { token: writer })).json).toMatchObject({
      status: 'applied',
      applied: { version: a.json.version, descriptor_id: 'svc-flow' },
    });
    expect(a.json).toMatchObject({ checkpoint: { size: a.json.version } });
  });

  it('serves history, single versions and the region map', async () => {
    const v1 = await publish(servicePayload('svc-hist'));
    const v2 = await publish(servicePayload('svc-hist', 2, v1.digest, { deprecated: true }));
    const hist = await call('GET', '/descriptors/svc-hist/versions');
    expect(hist.json).toEqual([
      { version: 1, digest: v1.digest, ts: NOW, deprecated: false },
      { version: 2, digest: v2.digest, ts: NOW, deprecated: true },
    ]);
    const one = await call('GET', '/descriptors/svc-hist/versions/1');
    expect(one.res.headers.get('etag')).toBe(`"${v1.digest}"`);
    expect(JSON.parse(one.text).version).toBe(1);
    const two = await call('GET', '/descriptors/svc-hist/versions/2', {
      headers: { 'if-none-match': `"${v2.digest}"` },
    });
    expect(two.res.status).toBe(304);

    await expectError(call('GET', '/regions/map'), 404, 'NotFound');
    const regions = {
      'us-east-1': { services: [{ id: 'svc-hist', addr: '10.0.0.1:443', tls: true, weight: 1 }] },
    };
    const r = await publish({
      id: 'regions',
      version: 1,
      kind: 'region_map',
      prev: null,
      ts: NOW,
      body: { regions },
    });
    const map = await call('GET', '/regions/map');
    expect(map.json).toEqual({ version: 1, digest: r.digest, regions });
    expect(map.res.headers.get('etag')).toBe(`"${r.digest}"`);
  });

  it('lists heads by id with kind and prefix filters and an opaque cursor', async () => {
    for (const id of ['lst-b', 'lst-a', 'lst-c']) await publish(servicePayload(id));
    const p1 = await call('GET', '/descriptors?prefix=lst-&limit=2');
    expect((p1.json.items as Array<{ id: string }>).map((i) => i.id)).toEqual(['lst-a', 'lst-b']);
    expect((p1.json.items as unknown[])[0]).toEqual({
      id: 'lst-a',
      version: 1,
      kind: 'service',
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      deprecated: false,
      ts: NOW,
    });
    const cursor = p1.json.next_cursor as string;
    expect(cursor).toEqual(expect.any(String));
    const p2 = await call('GET', `/descriptors?prefix=lst-&limit=2&cursor=${cursor}`);
    expect((p2.json.items as Array<{ id: string }>).map((i) => i.id)).toEqual(['lst-c']);
    expect(p2.json.next_cursor).toBeNull();
    const gov = await call('GET', '/descriptors?kind=governance');
    expect((gov.json.items as Array<{ id: string }>).map((i) => i.id)).toEqual(['governance']);
    await expectError(call('GET', '/descriptors?limit=0'), 400, 'BadRequest');
    await expectError(call('GET', '/descriptors?limit=1001'), 400, 'BadRequest');
    await expectError(call('GET', '/descriptors?limit=abc'), 400, 'BadRequest');
    await expectError(call('GET', '/descriptors?kind=widget'), 400, 'BadRequest');
    await expectError(call('GET', '/descriptors?cursor=!!'), 400, 'BadRequest');
  });
});

describe('every SPEC §5 error code', () => {
  it('400 BadRequest: malformed JSON, unknown field, schema violation, duplicate signer', async () => {
    await expectError(
      call('POST', '/proposals', { body: '{"descriptor":', token: writer }),
      400,
      'BadRequest',
    );
    const p = servicePayload('svc-bad');
    await expectError(
      call('POST', '/proposals', { body: { ...proposalBody(p, []), extra: 1 }, token: writer }),
      400,
      'BadRequest',
    );
    await expectError(
      call('POST', '/proposals', { body: proposalBody({ ...p, version: 0 } as Payload, []), token: writer }),
      400,
      'BadRequest',
    );
    const sig = signPayload(p, KEYS[0], NOW);
    await expectError(
      call('POST', '/proposals', { body: { descriptor: p, signatures: [sig, sig] }, token: writer }),
      400,
      'BadRequest',
    );
    await expectError(call('GET', '/descriptors/svc-x/versions/abc'), 400, 'BadRequest');
  });

  it('401 Unauthorized: missing, malformed, forged token', async () => {
    const body = proposalBody(servicePayload('svc-auth'), []);
    await expectError(call('POST', '/proposals', { body }), 401, 'Unauthorized');
    await expectError(call('POST', '/proposals', { body, token: 'not-a-macaroon' }), 401, 'Unauthorized');
    const forged = `${writer.slice(0, -4)}${writer.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    await expectError(call('POST', '/proposals', { body, token: forged }), 401, 'Unauthorized');
    await expectError(
      call('POST', '/proposals', { body, headers: { authorization: `Basic ${writer}` } }),
      401,
      'Unauthorized',
    );
  });

  it('403 Forbidden: scope, id-prefix and kind caveats', async () => {
    const body = proposalBody(servicePayload('svc-forb'), []);
    await expectError(
      call('POST', '/proposals', { body, token: srv.token(['registry:read']) }),
      403,
      'Forbidden',
    );
    await expectError(
      call('POST', '/proposals', { body, token: srv.token(['registry:propose'], { idPrefix: 'node-' }) }),
      403,
      'Forbidden',
    );
    await expectError(
      call('POST', '/proposals', { body, token: srv.token(['registry:propose'], { kinds: ['node'] }) }),
      403,
      'Forbidden',
    );
    const ok = await call('POST', '/proposals', {
      body,
      token: srv.token(['registry:propose'], { idPrefix: 'svc-', kinds: ['service'] }),
    });
    expect(ok.res.status).toBe(202);
    const pid = ok.json.proposal_id as string;
    await expectError(
      call('POST', `/apply/${pid}`, { token: srv.token(['registry:propose']) }),
      403,
      'Forbidden',
    );
    await expectError(
      call('POST', `/apply/${pid}`, { token: srv.token(['registry:apply'], { idPrefix: 'node-' }) }),
      403,
      'Forbidden',
    );
    await expectError(
      call('GET', `/proposals/${pid}`, { token: srv.token(['registry:read']) }),
      403,
      'Forbidden',
    );
  });

  it('404 NotFound: unknown id, version, proposal, route', async () => {
    await expectError(call('GET', '/descriptors/nope'), 404, 'NotFound');
    await expectError(call('GET', '/descriptors/governance/versions/99'), 404, 'NotFound');
    await expectError(call('GET', '/descriptors/nope/versions'), 404, 'NotFound');
    await expectError(call('GET', `/proposals/${'0'.repeat(64)}`, { token: writer }), 404, 'NotFound');
    await expectError(call('POST', `/apply/${'0'.repeat(64)}`, { token: writer }), 404, 'NotFound');
    await expectError(call('POST', '/apply/not-hex', { token: writer }), 404, 'NotFound');
    await expectError(call('GET', `${srv.url}/no/such/route`), 404, 'NotFound');
  });

  it('405 MethodNotAllowed with Allow', async () => {
    const { res } = await expectError(call('DELETE', '/descriptors/governance'), 405, 'MethodNotAllowed');
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    const post = await expectError(call('PUT', '/proposals'), 405, 'MethodNotAllowed');
    expect(post.res.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('409 StaleVersion, 412 NoQuorum, 422 BadSignature', async () => {
    const v1 = await publish(servicePayload('svc-codes'));
    await expectError(
      call('POST', '/proposals', {
        body: proposalBody(servicePayload('svc-codes'), [KEYS[0]]),
        token: writer,
      }),
      409,
      'StaleVersion',
    );
    const v2 = servicePayload('svc-codes', 2, v1.digest);
    const pending = await call('POST', '/proposals', { body: proposalBody(v2, [KEYS[0]]), token: writer });
    const nq = await expectError(
      call('POST', `/apply/${pending.json.proposal_id}`, { token: writer }),
      412,
      'NoQuorum',
    );
    expect(nq.error.message).toMatch(/requires 2 valid signatures/);
    const bad = await expectError(
      call('POST', '/proposals', { body: proposalBody(v2, [KEYS[4]]), token: writer }),
      422,
      'BadSignature',
    );
    expect(bad.error.message).toContain(KEYS[4].signerId);
  });

  it('413 PayloadTooLarge before parsing', async () => {
    const big = `{"descriptor":"${'x'.repeat(70_000)}"}`;
    await expectError(call('POST', '/proposals', { body: big, token: writer }), 413, 'PayloadTooLarge');
    // Without Content-Length (chunked), the streamed byte count decides.
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const res = await fetch(`${base()}/proposals`, {
      method: 'POST',
      body: stream,
      headers: { authorization: `Bearer ${writer}` },
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PayloadTooLarge');
  });
});

describe('write rate limit', () => {
  it('answers 429 WriteRateLimited with Retry-After past the burst', async () => {
    const limited = await startTestServer({ WRITE_RATE: '1' });
    try {
      const token = limited.token(['registry:propose'], { identifier: 'slow' });
      const send = () =>
        fetch(`${limited.url}/v1/registry/proposals`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: JSON.stringify(proposalBody(servicePayload('svc-rate'), [])),
        });
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 4; i++) {
        const r = await send();
        statuses.push(r.status);
        if (r.status === 429) {
          retryAfter = r.headers.get('retry-after');
          const body = (await r.json()) as { error: { code: string; retryable: boolean } };
          expect(body.error).toMatchObject({ code: 'WriteRateLimited', retryable: true });
        } else await r.text();
      }
      expect(statuses.slice(0, 2)).toEqual([202, 202]);
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.stop();
    }
  });
});

describe('fast lane', () => {
  it('answers head reads byte for byte like the hono route', async () => {
    const app = srv.running.deps;
    const { createApp } = await import('../src/http/app.js');
    const viaHono = await createApp(app).request('/v1/registry/descriptors/governance', {
      headers: { 'x-request-id': 'same' },
    });
    const viaLane = await fetch(`${base()}/descriptors/governance`, { headers: { 'x-request-id': 'same' } });
    expect(await viaLane.text()).toBe(await viaHono.text());
    const pick = (h: Headers) =>
      Object.fromEntries(
        ['etag', 'x-registry-version', 'content-type', 'x-request-id'].map((k) => [k, h.get(k)]),
      );
    expect(pick(viaLane.headers)).toEqual(pick(viaHono.headers));
    expect(viaLane.status).toBe(viaHono.status);
  });
});

describe('/metrics', () => {
  it('parses as Prometheus text and counts requests by route template', async () => {
    await call('GET', '/descriptors/governance');
    await call('GET', '/descriptors/nope');
    const { text, res } = await call('GET', `${srv.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.eE+-]+|NaN|[+-]Inf$/);
    }
    const count = (route: string, status: string) => {
      const m = new RegExp(
        `^requests_total\\{route="${route.replace(/[/:]/g, (c) => `\\${c}`)}",method="GET",status="${status}"\\} (\\d+)`,
        'm',
      ).exec(text);
      return Number(m?.[1] ?? 0);
    };
    expect(count('/v1/registry/descriptors/:id', '200')).toBeGreaterThanOrEqual(1);
    expect(count('/v1/registry/descriptors/:id', '404')).toBeGreaterThanOrEqual(1);
    expect(text).not.toMatch(/route="\/v1\/registry\/descriptors\/(governance|nope)"/);
    expect(text).toMatch(/^registry_version \d+/m);
    expect(text).toMatch(/^registry_update_total\{result="applied"\} [1-9]/m);
  });
});

describe('logs', () => {
  it('never contain a token or the root key', async () => {
    await call('POST', '/proposals', { body: '{', token: writer });
    const logs = srv.logs();
    expect(logs).toContain('"token_name":"ops-writer"');
    expect(logs).not.toContain(writer);
    expect(logs).not.toContain(writer.slice(10, 40));
    expect(logs).not.toContain('00112233445566778899aabbccddeeff');
  });
});

describe('OpenAPI', () => {
  it('describes request bodies and success answers, and every $ref resolves', async () => {
    const doc = (await call('GET', '/openapi.json')).json as unknown as {
      paths: Record<
        string,
        Record<string, { requestBody?: unknown; responses: Record<string, { description: string }> }>
      >;
      components: { schemas: Record<string, unknown> };
    };
    const propose = doc.paths['/v1/registry/proposals']?.post;
    expect(propose?.requestBody).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ProposalRequest' } } },
    });
    expect(propose?.responses['202']?.description).toMatch(/^Accepted/);
    expect(doc.paths['/v1/registry/proposals/{proposal_id}/signatures']?.post?.requestBody).toBeDefined();
    for (const kind of ['Service', 'Node', 'RegionMap', 'Governance', 'Schema']) {
      expect(doc.components.schemas[`${kind}Body`], kind).toBeDefined();
    }
    const refs = [
      ...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/(schemas|responses)\/([A-Za-z]+)"/g),
    ];
    expect(refs.length).toBeGreaterThan(10);
    const components = doc.components as unknown as Record<string, Record<string, unknown>>;
    for (const [, group, name] of refs)
      expect(components[group ?? '']?.[name ?? ''], `${group}/${name}`).toBeDefined();
  });

  it('documents every route the app serves and nothing else', async () => {
    const doc = (await call('GET', '/openapi.json')).json as unknown as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const { createApp } = await import('../src/http/app.js');
    const app = createApp(srv.running.deps);
    const served = [
      ...new Set(
        app.routes
          // The /ui console pages are HTML for people, not API routes: not in ROUTES or OpenAPI.
          .filter((r) => r.method !== 'ALL' && !r.path.startsWith('/ui'))
          .map((r) => `${r.method} ${r.path.replace(/:([a-z_]+)/g, '{$1}')}`),
      ),
    ];
    expect(documented.sort()).toEqual(served.sort());
    expect(ROUTES.length).toBe(documented.length);
  });
});
